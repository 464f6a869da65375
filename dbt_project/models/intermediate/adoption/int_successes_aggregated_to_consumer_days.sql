{# One row per consumer × UTC day with at least one success (an *active* consumer-day). #}

with

route_days as (

    select * from {{ ref('int_successes_aggregated_to_consumer_route_days') }}

),

final as (

    select
        consumer_id,
        activity_on,
        cast(sum(success_count) as {{ dbt.type_bigint() }}) as success_count,
        cast(count(*) as {{ dbt.type_bigint() }}) as route_count

    from route_days
    group by consumer_id, activity_on

)

select * from final

{# One row per consumer × route × UTC day with at least one success: the activity grain of adoption. #}

with

requests as (

    select * from {{ ref('stg_gateway__requests') }}

),

final as (

    select
        consumer_id,
        coalesce(route_name, 'unknown') as route_name,
        requested_on as activity_on,
        cast(count(*) as {{ dbt.type_bigint() }}) as success_count

    from requests
    where consumer_id is not null
        and is_success
    group by consumer_id, coalesce(route_name, 'unknown'), requested_on

)

select * from final

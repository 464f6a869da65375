{# One row per consumer × route × UTC day with at least one success: the activity grain of adoption. #}

{{ config(**gateway_daily_config('activity_on')) }}

with

requests as (

    select * from {{ ref('stg_gateway__requests') }}
    where {{ gateway_incremental_window('requested_on', 'activity_on') }}

),

final as (

    select
        consumer_id,
        coalesce(route_name, 'unknown') as route_name,
        requested_on as activity_on,
        cast(count(*) as {{ dbt.type_bigint() }}) as success_count,
        min(requested_at) as first_success_at

    from requests
    where consumer_id is not null
        and is_success
    group by consumer_id, coalesce(route_name, 'unknown'), requested_on

)

select * from final

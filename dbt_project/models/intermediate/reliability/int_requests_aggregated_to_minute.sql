{#
    One row per API product × UTC minute with traffic: request counts by SLO class, server
    errors, and valid requests slower than the product's latency SLO threshold (seed slos;
    null when the product has no latency SLO). Error windows, SLO attainment and burn rates
    all read these counts instead of scanning requests again.
#}

{{ config(**gateway_daily_config('requested_on')) }}

with

requests as (

    select * from {{ ref('int_requests_joined_to_routes') }}
    where {{ gateway_incremental_window('requested_on') }}

),

latency_thresholds as (

    select
        product_id,
        max(latency_threshold_ms) as latency_threshold_ms

    from {{ ref('slos') }}
    where sli = 'latency'
    group by product_id

),

per_minute as (

    select
        requests.product_id,
        {{ dbt.date_trunc('minute', 'requests.requested_at') }} as minute_start_at,
        cast(count(*) as {{ dbt.type_bigint() }}) as total_requests,
        cast(sum(case when requests.is_valid then 1 else 0 end) as {{ dbt.type_bigint() }}) as valid_requests,
        cast(sum(case when requests.is_good then 1 else 0 end) as {{ dbt.type_bigint() }}) as good_requests,
        cast(sum(case when requests.is_server_error then 1 else 0 end) as {{ dbt.type_bigint() }}) as server_errors,
        cast(sum(case when requests.is_valid and requests.latency_ms > latency_thresholds.latency_threshold_ms then 1 else 0 end)
            as {{ dbt.type_bigint() }}) as slow_valid_requests,
        max(latency_thresholds.latency_threshold_ms) as latency_threshold_ms

    from requests
    left join latency_thresholds
        on requests.product_id = latency_thresholds.product_id
    group by 1, 2

),

final as (

    select
        product_id,
        minute_start_at,
        {{ epoch_minute_number('minute_start_at') }} as minute_number,
        cast(minute_start_at as date) as requested_on,
        total_requests,
        valid_requests,
        good_requests,
        server_errors,
        case when latency_threshold_ms is not null then slow_valid_requests end as slow_valid_requests

    from per_minute

)

select * from final

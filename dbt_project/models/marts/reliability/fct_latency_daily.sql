{#
    One row per UTC day × route × API version: continuous percentiles (p50, p95, p99)
    of latency_ms over successful requests (status 200-399). Requests whose path has no
    version are grouped under api_version 'unversioned'.
#}

{{ config(**gateway_daily_config('requested_on')) }}

{%- set latency_fractions = [0.5, 0.95, 0.99] %}

with

requests as (

    select * from {{ ref('int_requests_joined_to_routes') }}
    where {{ gateway_incremental_window('requested_on') }}

),

successes as (

    select
        requested_on,
        coalesce(route_name, 'unknown') as route_name,
        coalesce(api_version, 'unversioned') as api_version,
        product_id,
        latency_ms

    from requests
    where is_success

),

final as (

    select
        requested_on,
        route_name,
        api_version,
        max(product_id) as product_id,
        cast(count(*) as {{ dbt.type_bigint() }}) as successful_requests,
        cast({{ percentile_cont('latency_ms', 0.5, latency_fractions) }} as {{ type_double() }}) as latency_p50_ms,
        cast({{ percentile_cont('latency_ms', 0.95, latency_fractions) }} as {{ type_double() }}) as latency_p95_ms,
        cast({{ percentile_cont('latency_ms', 0.99, latency_fractions) }} as {{ type_double() }}) as latency_p99_ms

    from successes
    group by requested_on, route_name, api_version

)

select * from final

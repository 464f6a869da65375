{#
    Every gateway request with its route's API product and the SLO classification of
    the metric catalog: valid = not rate limited (429) and not a health check;
    good = valid and status < 500. Routes missing from seed api_routes get product
    'unmapped' so their traffic stays visible instead of disappearing.
#}

-- A view over the incremental requests table: it belongs to the daily gateway models.
{{ config(tags=['gateway_daily']) }}

with

requests as (

    select * from {{ ref('stg_gateway__requests') }}

),

routes as (

    select * from {{ ref('api_routes') }}

),

joined as (

    select
        requests.request_id,
        requests.requested_at,
        requests.requested_on,
        requests.consumer_id,
        requests.route_name,
        requests.api_version,
        coalesce(routes.product_id, 'unmapped') as product_id,
        requests.status_code,
        requests.latency_ms,
        requests.is_success,
        requests.is_client_error,
        requests.is_server_error,
        requests.is_rate_limited,
        coalesce(routes.is_health_check, false) as is_health_check

    from requests
    left join routes
        on requests.route_name = routes.route_name

),

final as (

    select
        joined.*,
        not joined.is_rate_limited and not joined.is_health_check as is_valid,
        not joined.is_rate_limited
            and not joined.is_health_check
            and coalesce(joined.status_code < 500, false) as is_good

    from joined

)

select * from final

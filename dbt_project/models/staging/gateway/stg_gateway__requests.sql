{#
    One row per request. The loader stores a request id once (a line shipped twice, even
    into the next day's file, is skipped; see orchestration/ingestion/gateway.py), and the
    unique test below guards it, so staging only renames and types: a view, because a
    second copy of every request would cost as much as loading them.

    requested_on is the loader's log_date (the UTC day of ts, by construction), so a filter
    on it reaches the raw table's day column and skips the other days' blocks.
#}

{{ config(materialized='view', tags=['gateway_daily']) }}

with

source as (

    select * from {{ source('gateway', 'gateway_requests') }}

),

renamed as (

    select
        request_id,
        -- The loader writes UTC timestamps without a zone.
        cast(ts as {{ dbt.type_timestamp() }}) as requested_at,
        cast(log_date as date) as requested_on,
        cast(log_date as date) as log_date,
        consumer_id,
        api_key_hash,
        upper(method) as http_method,
        route as route_name,
        path,
        api_version,
        cast(status as {{ dbt.type_int() }}) as status_code,
        cast(latency_ms as {{ type_double() }}) as latency_ms,
        cast(upstream_latency_ms as {{ type_double() }}) as upstream_latency_ms,
        cast(bytes_in as {{ dbt.type_bigint() }}) as bytes_in,
        cast(bytes_out as {{ dbt.type_bigint() }}) as bytes_out,
        user_agent,
        sdk_name,
        sdk_version,
        client_ip_hash,
        region,
        gateway_kind,
        coalesce(status between 200 and 399, false) as is_success,
        coalesce(status between 400 and 499, false) as is_client_error,
        coalesce(status between 500 and 599, false) as is_server_error,
        coalesce(status = 429, false) as is_rate_limited

    from source

)

select * from renamed

{#
    Gateway log shippers deliver at least once, and a late line can land in the next
    day's file, so one request_id may appear more than once: keep its earliest line.
#}

{{ config(**gateway_daily_config('requested_on')) }}

with

source as (

    select * from {{ source('gateway', 'gateway_requests') }}
    where {{ gateway_incremental_window('cast(ts as date)', 'requested_on') }}

),

-- Nearly every request id appears once: rank only the few that repeat.
repeated as (

    select request_id
    from source
    group by request_id
    having count(*) > 1

),

ranked_repeats as (

    select
        source.*,
        row_number() over (
            partition by request_id
            order by ts, log_date, _loaded_at, _source_file
        ) as line_rank

    from source
    where request_id in (select request_id from repeated)

),

deduplicated as (

    select source.*, 1 as line_rank
    from source
    where request_id not in (select request_id from repeated)

    union all

    select *
    from ranked_repeats
    where line_rank = 1

),

renamed as (

    select
        request_id,
        -- The loader writes UTC timestamps without a zone.
        cast(ts as {{ dbt.type_timestamp() }}) as requested_at,
        cast(ts as date) as requested_on,
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

    from deduplicated

)

select * from renamed

{#
    sdk_share per UTC day and segment: requests through official SDKs (seed sdks) ÷ all
    requests of the day. Segments: `all`, `sdk:<sdk_name>` (each official SDK) and
    `language:<language>` (official SDKs of that language); the denominator is always all
    requests of the day.
#}

with

clients as (

    select * from {{ ref('agg_client_traffic_daily') }}

),

totals as (

    select
        requested_on,
        sum(requests) as requests

    from clients
    group by requested_on

),

segments as (

    select
        requested_on,
        'all' as segment,
        sum(case when is_official_sdk then requests else 0 end) as sdk_requests
    from clients
    group by requested_on

    union all

    select
        requested_on,
        {{ dbt.concat(["'sdk:'", 'client_name']) }} as segment,
        sum(requests) as sdk_requests
    from clients
    where is_official_sdk
    group by requested_on, client_name

    union all

    select
        requested_on,
        {{ dbt.concat(["'language:'", 'language']) }} as segment,
        sum(requests) as sdk_requests
    from clients
    where is_official_sdk
    group by requested_on, language

),

final as (

    select
        segments.requested_on,
        cast(segments.segment as {{ dbt.type_string() }}) as segment,
        cast(totals.requests as {{ dbt.type_bigint() }}) as requests,
        cast(segments.sdk_requests as {{ dbt.type_bigint() }}) as sdk_requests,
        {{ safe_divide('segments.sdk_requests', 'totals.requests') }} as sdk_share

    from segments
    inner join totals
        on segments.requested_on = totals.requested_on

)

select * from final

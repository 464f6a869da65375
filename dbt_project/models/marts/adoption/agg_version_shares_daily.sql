{#
    One row per UTC day with gateway traffic: latest_version_share (requests on the newest
    released api_version ÷ all requests), deprecated_version_traffic_share (requests on
    versions marked deprecated in seed api_versions ÷ all requests) and the number of
    consumers still calling a deprecated version after its sunset_on.
    All requests are the denominator, unversioned and anonymous ones included.
#}

with

version_daily as (

    select * from {{ ref('agg_api_versions_daily') }}

),

version_days as (

    select * from {{ ref('int_requests_aggregated_to_version_days') }}

),

versions as (

    select * from {{ ref('api_versions') }}

),

per_day as (

    select
        requested_on,
        sum(requests) as requests,
        sum(case when is_latest_version then requests else 0 end) as latest_version_requests,
        sum(case when is_deprecated then requests else 0 end) as deprecated_version_requests,
        max(case when is_latest_version then api_version end) as latest_version

    from version_daily
    group by requested_on

),

after_sunset as (

    select
        version_days.requested_on,
        count(distinct version_days.consumer_id) as consumers_after_sunset

    from version_days
    inner join versions
        on version_days.api_version = versions.api_version
    where versions.is_deprecated
        and version_days.requested_on > versions.sunset_on
        and version_days.consumer_id is not null
    group by version_days.requested_on

),

final as (

    select
        per_day.requested_on,
        cast(per_day.requests as {{ dbt.type_bigint() }}) as requests,
        cast(per_day.latest_version as {{ dbt.type_string() }}) as latest_version,
        cast(per_day.latest_version_requests as {{ dbt.type_bigint() }}) as latest_version_requests,
        {{ safe_divide('per_day.latest_version_requests', 'per_day.requests') }} as latest_version_share,
        cast(per_day.deprecated_version_requests as {{ dbt.type_bigint() }}) as deprecated_version_requests,
        {{ safe_divide('per_day.deprecated_version_requests', 'per_day.requests') }}
            as deprecated_version_traffic_share,
        cast(coalesce(after_sunset.consumers_after_sunset, 0) as {{ dbt.type_bigint() }})
            as consumers_calling_deprecated_after_sunset

    from per_day
    left join after_sunset
        on per_day.requested_on = after_sunset.requested_on

)

select * from final

{#
    Version adoption: one row per UTC day × API version (`unversioned` for paths without
    one) with its requests and share of the day's requests, its consumers, and the
    version's lifecycle from seed api_versions: newest released version that day,
    deprecated, past its sunset_on (the day is after sunset_on).
#}

with

version_days as (

    select * from {{ ref('int_requests_aggregated_to_version_days') }}

),

versions as (

    select * from {{ ref('api_versions') }}

),

per_version as (

    select
        requested_on,
        api_version,
        sum(request_count) as requests,
        count(distinct consumer_id) as consumers

    from version_days
    group by requested_on, api_version

),

day_totals as (

    select
        requested_on,
        sum(request_count) as total_requests

    from version_days
    group by requested_on

),

ranked_releases as (

    -- The newest version is the one with the latest released_on already released that day.
    select
        day_totals.requested_on,
        versions.api_version,
        row_number() over (
            partition by day_totals.requested_on
            order by versions.released_on desc, versions.api_version desc
        ) as release_rank

    from day_totals
    inner join versions
        on versions.released_on <= day_totals.requested_on

),

latest_versions as (

    select * from ranked_releases where release_rank = 1

),

final as (

    select
        per_version.requested_on,
        per_version.api_version,
        cast(per_version.requests as {{ dbt.type_bigint() }}) as requests,
        {{ safe_divide('per_version.requests', 'day_totals.total_requests') }} as share_of_requests,
        cast(per_version.consumers as {{ dbt.type_bigint() }}) as consumers,
        latest_versions.api_version is not null as is_latest_version,
        coalesce(versions.is_deprecated, false) as is_deprecated,
        versions.sunset_on,
        coalesce(versions.is_deprecated and per_version.requested_on > versions.sunset_on, false)
            as is_past_sunset

    from per_version
    inner join day_totals
        on per_version.requested_on = day_totals.requested_on
    left join versions
        on per_version.api_version = versions.api_version
    left join latest_versions
        on per_version.requested_on = latest_versions.requested_on
        and per_version.api_version = latest_versions.api_version

)

select * from final

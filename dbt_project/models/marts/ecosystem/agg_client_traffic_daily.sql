{#
    One row per UTC day × client (seed sdks product, else `other`): its requests and share
    that day, and over the trailing 28 days (the day and the 27 before it); clients with
    at least var('client_family_min_share') of the 28d requests count for client_diversity.
#}

{%- set min_share = var('client_family_min_share') -%}

with

client_days as (

    select * from {{ ref('int_requests_aggregated_to_client_days') }}

),

days as (

    select * from {{ ref('int_days_observed') }}

),

clients as (

    select distinct client_name, client_family, language, is_official_sdk from client_days

),

windowed as (

    select
        days.date_day,
        client_days.client_name,
        sum(case when client_days.requested_on = days.date_day then client_days.request_count else 0 end)
            as requests,
        sum(client_days.request_count) as requests_28d

    from days
    inner join client_days
        on client_days.requested_on <= days.date_day
        and client_days.requested_on > cast({{ dbt.dateadd('day', -28, 'days.date_day') }} as date)
    group by days.date_day, client_days.client_name

),

totals as (

    select
        date_day,
        sum(requests) as total_requests,
        sum(requests_28d) as total_requests_28d

    from windowed
    group by date_day

),

final as (

    select
        windowed.date_day as requested_on,
        windowed.client_name,
        clients.client_family,
        clients.language,
        clients.is_official_sdk,
        cast(windowed.requests as {{ dbt.type_bigint() }}) as requests,
        {{ safe_divide('windowed.requests', 'totals.total_requests') }} as share_of_requests,
        cast(windowed.requests_28d as {{ dbt.type_bigint() }}) as requests_28d,
        {{ safe_divide('windowed.requests_28d', 'totals.total_requests_28d') }} as share_of_requests_28d,
        coalesce({{ safe_divide('windowed.requests_28d', 'totals.total_requests_28d') }} >= {{ min_share }}, false)
            as carries_min_share_28d

    from windowed
    inner join totals
        on windowed.date_day = totals.date_day
    inner join clients
        on windowed.client_name = clients.client_name

)

select * from final

{#
    One row per status-page incident: time_to_resolve, and the gateway's view of it.
    The incident's API products come from its affected components (seed
    statuspage_component_products). Impact start = start of the earliest error window
    (fct_error_windows) of those products that overlaps the incident
    [created_at, resolved_at) or begins at most var('detect_lookback_minutes') minutes
    before created_at. Measured impact = server errors and distinct consumers with a server
    error inside the matched windows. time_to_detect is null when no window matches and for backfilled
    incidents (entered after the fact, so created_at says nothing about detection).
#}

with

incidents as (

    select * from {{ ref('stg_statuspage__incidents') }}

),

incident_updates as (

    select * from {{ ref('stg_statuspage__incident_updates') }}

),

incident_components as (

    select * from {{ ref('int_statuspage_incidents_joined_to_products') }}

),

error_windows as (

    select * from {{ ref('fct_error_windows') }}

),

requests as (

    select * from {{ ref('int_requests_joined_to_routes') }}

),

components_listed as (

    select
        incident_id,
        {{ dbt.listagg('component_name', "', '", 'order by component_name') }} as component_names,
        min(product_id) as product_id

    from incident_components
    group by incident_id

),

incident_products as (

    select distinct
        incident_id,
        product_id

    from incident_components
    where product_id is not null

),

matched_windows as (

    select
        incidents.incident_id,
        error_windows.product_id,
        error_windows.started_at,
        error_windows.ended_at,
        error_windows.server_errors,
        -- Overlap with the incident's open interval (open incidents run on).
        error_windows.started_at < coalesce(incidents.resolved_at, cast('9999-12-31 00:00:00' as {{ dbt.type_timestamp() }}))
            and error_windows.ended_at > incidents.created_at as is_overlapping

    from incidents
    inner join incident_products
        on incidents.incident_id = incident_products.incident_id
    inner join error_windows
        on incident_products.product_id = error_windows.product_id
    where (
            error_windows.started_at < coalesce(incidents.resolved_at, cast('9999-12-31 00:00:00' as {{ dbt.type_timestamp() }}))
            and error_windows.ended_at > incidents.created_at
        )
        or (
            error_windows.started_at >= {{ dbt.dateadd('minute', -1 * var('detect_lookback_minutes'), 'incidents.created_at') }}
            and error_windows.started_at <= incidents.created_at
        )

),

impact as (

    select
        incident_id,
        min(started_at) as impact_started_at,
        max(case when is_overlapping then ended_at end) as last_window_ended_at,
        cast(count(*) as {{ dbt.type_bigint() }}) as matched_error_windows,
        cast(sum(server_errors) as {{ dbt.type_bigint() }}) as failed_requests

    from matched_windows
    group by incident_id

),

server_errors as (

    select
        product_id,
        requested_at,
        consumer_id

    from requests
    where is_server_error

),

consumers_in_windows as (

    select
        matched_windows.incident_id,
        cast(count(distinct server_errors.consumer_id) as {{ dbt.type_bigint() }}) as consumers_affected

    from matched_windows
    inner join server_errors
        on matched_windows.product_id = server_errors.product_id
        and server_errors.requested_at >= matched_windows.started_at
        and server_errors.requested_at < matched_windows.ended_at
    group by matched_windows.incident_id

),

postmortem_updates as (

    select
        incident_id,
        min(created_at) as first_postmortem_update_at

    from incident_updates
    where status = 'postmortem'
    group by incident_id

),

joined as (

    select
        incidents.incident_id,
        incidents.page_id,
        incidents.page_name,
        incidents.incident_name,
        incidents.impact,
        incidents.status,
        incidents.created_at,
        cast(incidents.created_at as date) as created_on,
        incidents.resolved_at,
        incidents.resolved_at is not null as is_resolved,
        incidents.is_backfilled,
        components_listed.component_names,
        components_listed.product_id,
        impact.impact_started_at,
        impact.last_window_ended_at,
        coalesce(impact.matched_error_windows, 0) as matched_error_windows,
        case
            when postmortem_updates.first_postmortem_update_at is not null
                then postmortem_updates.first_postmortem_update_at
            when incidents.has_postmortem_body
                then incidents.postmortem_published_at
        end as postmortem_published_at,
        postmortem_updates.first_postmortem_update_at is not null or incidents.has_postmortem_body as has_postmortem_text,
        impact.failed_requests,
        consumers_in_windows.consumers_affected

    from incidents
    left join components_listed
        on incidents.incident_id = components_listed.incident_id
    left join impact
        on incidents.incident_id = impact.incident_id
    left join postmortem_updates
        on incidents.incident_id = postmortem_updates.incident_id
    left join consumers_in_windows
        on incidents.incident_id = consumers_in_windows.incident_id

),

final as (

    select
        incident_id,
        page_id,
        page_name,
        incident_name,
        impact,
        status,
        created_at,
        created_on,
        resolved_at,
        is_resolved,
        is_backfilled,
        component_names,
        product_id,
        impact_started_at,
        coalesce(last_window_ended_at, resolved_at) as restored_at,
        matched_error_windows,
        {{ minutes_between('created_at', 'resolved_at') }} as minutes_to_resolve,
        case
            when not is_backfilled
                then {{ minutes_between('impact_started_at', 'created_at') }}
        end as minutes_to_detect,
        {{ minutes_between('coalesce(impact_started_at, created_at)', 'coalesce(last_window_ended_at, resolved_at)') }} as minutes_to_restore,
        case when impact_started_at is not null then coalesce(failed_requests, 0) end as failed_requests,
        case when impact_started_at is not null then coalesce(consumers_affected, 0) end as consumers_affected,
        impact in ('major', 'critical') as is_major_or_critical,
        postmortem_published_at,
        -- Published within 7 days of resolution; a postmortem text without a publication
        -- time counts as published (nothing says it was late).
        coalesce(
            is_resolved
            and has_postmortem_text
            and (
                postmortem_published_at is null
                or postmortem_published_at <= {{ dbt.dateadd('day', 7, 'resolved_at') }}
            ),
            false
        ) as has_postmortem_within_7d

    from joined

)

select * from final

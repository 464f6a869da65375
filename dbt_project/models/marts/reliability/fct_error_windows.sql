{#
    One row per error window: a run of consecutive UTC minutes in which one API product's
    server-error rate (server errors ÷ requests of the minute) exceeds
    var('error_window_threshold') with at least var('error_window_min_requests') requests
    in each minute. A minute that misses either condition (or has no traffic) ends the run.
    ended_at is exclusive (the end of the last minute). A window is on the status page when
    it overlaps [created_at, resolved_at) of an incident whose affected components map to
    the same product (seed statuspage_component_products); open incidents run on.
#}

with

minutes as (

    select * from {{ ref('int_requests_aggregated_to_minute') }}

),

incidents as (

    select * from {{ ref('stg_statuspage__incidents') }}

),

incident_components as (

    select * from {{ ref('int_statuspage_incidents_joined_to_products') }}

),

error_minutes as (

    select
        product_id,
        minute_number,
        minute_start_at,
        total_requests,
        server_errors,
        -- Consecutive minutes share the same difference: the classic gaps-and-islands key.
        minute_number - row_number() over (partition by product_id order by minute_number) as run_key

    from minutes
    where total_requests >= {{ var('error_window_min_requests') }}
        and {{ safe_divide('server_errors', 'total_requests') }} > {{ var('error_window_threshold') }}

),

windows as (

    select
        product_id,
        run_key,
        min(minute_start_at) as started_at,
        max(minute_start_at) as last_minute_start_at,
        cast(count(*) as {{ dbt.type_bigint() }}) as window_minutes,
        cast(sum(total_requests) as {{ dbt.type_bigint() }}) as total_requests,
        cast(sum(server_errors) as {{ dbt.type_bigint() }}) as server_errors

    from error_minutes
    group by product_id, run_key

),

bounded as (

    select
        product_id,
        started_at,
        {{ dbt.dateadd('minute', 1, 'last_minute_start_at') }} as ended_at,
        window_minutes,
        total_requests,
        server_errors

    from windows

),

incident_products as (

    select distinct
        incidents.incident_id,
        incidents.created_at,
        coalesce(incidents.resolved_at, cast('9999-12-31 00:00:00' as {{ dbt.type_timestamp() }})) as resolved_or_open_at,
        incident_components.product_id

    from incidents
    inner join incident_components
        on incidents.incident_id = incident_components.incident_id
    where incident_components.product_id is not null

),

incident_overlaps as (

    select
        bounded.product_id,
        bounded.started_at,
        cast(count(*) as {{ dbt.type_bigint() }}) as overlapping_incidents

    from bounded
    inner join incident_products
        on bounded.product_id = incident_products.product_id
        and bounded.started_at < incident_products.resolved_or_open_at
        and bounded.ended_at > incident_products.created_at
    group by bounded.product_id, bounded.started_at

),

final as (

    select
        {{ dbt.concat(['bounded.product_id', "'|'", 'cast(bounded.started_at as ' ~ dbt.type_string() ~ ')']) }} as error_window_id,
        bounded.product_id,
        bounded.started_at,
        bounded.ended_at,
        cast(bounded.started_at as date) as started_on,
        bounded.window_minutes,
        bounded.total_requests,
        bounded.server_errors,
        {{ safe_divide('bounded.server_errors', 'bounded.total_requests') }} as server_error_rate,
        bounded.window_minutes >= {{ var('outage_min_minutes') }} as is_outage,
        coalesce(incident_overlaps.overlapping_incidents, 0) as overlapping_incidents,
        incident_overlaps.overlapping_incidents is not null as is_on_status_page

    from bounded
    left join incident_overlaps
        on bounded.product_id = incident_overlaps.product_id
        and bounded.started_at = incident_overlaps.started_at

)

select * from final

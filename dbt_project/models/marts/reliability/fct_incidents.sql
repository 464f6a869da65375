{# One row per status-page incident, with time_to_resolve in minutes. #}

with

incidents as (

    select * from {{ ref('stg_statuspage__incidents') }}

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
        cast(created_at as date) as created_on,
        resolved_at,
        resolved_at is not null as is_resolved,
        is_backfilled,
        {{ minutes_between('created_at', 'resolved_at') }} as minutes_to_resolve

    from incidents

)

select * from final

{#
    incident_count: one row per period grain (day, week, month) × period start × impact ×
    component: status-page incidents created in the period. An incident affecting two
    components counts once for each; an incident listing no component is counted under
    component `none`. Periods without incidents have no row.
#}

with

incidents as (

    select * from {{ ref('fct_incidents') }}

),

incident_components as (

    select * from {{ ref('int_statuspage_incidents_joined_to_products') }}

),

incident_rows as (

    select
        incidents.incident_id,
        incidents.created_at,
        incidents.impact,
        coalesce(incident_components.component_name, 'none') as component_name

    from incidents
    left join incident_components
        on incidents.incident_id = incident_components.incident_id

),

{% for grain in ['day', 'week', 'month'] -%}
by_{{ grain }} as (

    select
        '{{ grain }}' as grain,
        cast({{ dbt.date_trunc(grain, 'created_at') }} as date) as period_start_on,
        impact,
        component_name,
        cast(count(distinct incident_id) as {{ dbt.type_bigint() }}) as incident_count

    from incident_rows
    group by 1, 2, 3, 4

),

{% endfor -%}
final as (

    select * from by_day
    union all
    select * from by_week
    union all
    select * from by_month

)

select * from final

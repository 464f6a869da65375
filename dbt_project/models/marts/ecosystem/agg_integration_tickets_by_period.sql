{#
    integration_issues_within_sla per grain (day, week) × period of resolution (the
    ticket's last solve): integration tickets resolved within the resolution SLA of their
    priority ÷ integration tickets resolved (with an SLA). Unresolved and reopened
    tickets wait; tickets without a priority have no SLA and are left out.
#}

with

tickets as (

    select * from {{ ref('fct_tickets') }}

),

resolved as (

    select * from tickets
    where is_integration
        and resolution_status = 'resolved'
        and is_resolved_within_sla is not null

),

{% for grain in ['day', 'week'] -%}
by_{{ grain }} as (

    select
        '{{ grain }}' as grain,
        cast({{ dbt.date_trunc(grain, 'solved_at') }} as date) as period_start_on,
        count(*) as integration_tickets_resolved,
        sum(case when is_resolved_within_sla then 1 else 0 end) as integration_tickets_resolved_within_sla

    from resolved
    group by 1, 2

),

{% endfor -%}
final as (

    select
        cast(grain as {{ dbt.type_string() }}) as grain,
        period_start_on,
        cast(integration_tickets_resolved as {{ dbt.type_bigint() }}) as integration_tickets_resolved,
        cast(integration_tickets_resolved_within_sla as {{ dbt.type_bigint() }})
            as integration_tickets_resolved_within_sla,
        {{ safe_divide('integration_tickets_resolved_within_sla', 'integration_tickets_resolved') }}
            as integration_issues_within_sla

    from (
        select * from by_day
        union all
        select * from by_week
    ) as unioned

)

select * from final

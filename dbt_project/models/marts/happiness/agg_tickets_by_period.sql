{#
    One row per period grain (day, week) × period start, over the tickets created in the
    period: ticket_first_response_time median and p90 over answered tickets (tickets
    still waiting are counted, not timed), and csat = good ÷ (good + bad).
    Also ticket_resolution_time (median, p90 over resolved tickets; open and reopened ones
    counted in tickets_awaiting_resolution), ticket_sla_attainment, integration_ticket_share
    and request_to_fix_time (median, p90 over tickets whose linked issue is closed).
#}

with

tickets as (

    select * from {{ ref('fct_tickets') }}

),

{% for grain in ['day', 'week'] -%}
by_{{ grain }} as (

    select
        '{{ grain }}' as grain,
        cast({{ dbt.date_trunc(grain, 'created_at') }} as date) as period_start_on,
        cast(count(*) as {{ dbt.type_bigint() }}) as tickets_created,
        cast(sum(case when first_response_status = 'responded' then 1 else 0 end) as {{ dbt.type_bigint() }})
            as tickets_responded,
        cast(sum(case when is_awaiting_first_response then 1 else 0 end) as {{ dbt.type_bigint() }})
            as tickets_awaiting_first_response,
        cast({{ percentile_cont('hours_to_first_response', 0.5) }} as {{ type_double() }})
            as median_hours_to_first_response,
        cast({{ percentile_cont('hours_to_first_response', 0.9) }} as {{ type_double() }})
            as p90_hours_to_first_response,
        cast(sum(case when satisfaction_score = 'good' then 1 else 0 end) as {{ dbt.type_bigint() }})
            as tickets_rated_good,
        cast(sum(case when satisfaction_score = 'bad' then 1 else 0 end) as {{ dbt.type_bigint() }})
            as tickets_rated_bad,
        cast(sum(case when resolution_status = 'resolved' then 1 else 0 end) as {{ dbt.type_bigint() }})
            as tickets_resolved,
        cast(sum(case when resolution_status <> 'resolved' then 1 else 0 end) as {{ dbt.type_bigint() }})
            as tickets_awaiting_resolution,
        cast({{ percentile_cont('hours_to_resolution', 0.5) }} as {{ type_double() }})
            as median_hours_to_resolution,
        cast({{ percentile_cont('hours_to_resolution', 0.9) }} as {{ type_double() }})
            as p90_hours_to_resolution,
        cast(sum(case when is_first_response_within_sla is not null then 1 else 0 end) as {{ dbt.type_bigint() }})
            as tickets_responded_with_sla,
        cast(sum(case when is_first_response_within_sla then 1 else 0 end) as {{ dbt.type_bigint() }})
            as tickets_first_response_within_sla,
        cast(sum(case when is_integration then 1 else 0 end) as {{ dbt.type_bigint() }})
            as integration_tickets,
        cast(sum(case when linked_github_issue_url is not null then 1 else 0 end) as {{ dbt.type_bigint() }})
            as tickets_linking_issue,
        cast(sum(case when fix_status = 'fixed' then 1 else 0 end) as {{ dbt.type_bigint() }})
            as tickets_fixed,
        cast(sum(case when fix_status = 'awaiting_fix' then 1 else 0 end) as {{ dbt.type_bigint() }})
            as tickets_awaiting_fix,
        cast({{ percentile_cont('hours_to_linked_issue_close', 0.5) }} as {{ type_double() }})
            as median_hours_to_fix,
        cast({{ percentile_cont('hours_to_linked_issue_close', 0.9) }} as {{ type_double() }})
            as p90_hours_to_fix

    from tickets
    group by 1, 2

),

{% endfor -%}
unioned as (

    select * from by_day
    union all
    select * from by_week

),

final as (

    select
        grain,
        period_start_on,
        tickets_created,
        tickets_responded,
        tickets_awaiting_first_response,
        median_hours_to_first_response,
        p90_hours_to_first_response,
        tickets_rated_good,
        tickets_rated_bad,
        {{ safe_divide('tickets_rated_good', 'tickets_rated_good + tickets_rated_bad') }} as csat,
        tickets_resolved,
        tickets_awaiting_resolution,
        median_hours_to_resolution,
        p90_hours_to_resolution,
        tickets_responded_with_sla,
        tickets_first_response_within_sla,
        {{ safe_divide('tickets_first_response_within_sla', 'tickets_responded_with_sla') }} as ticket_sla_attainment,
        integration_tickets,
        {{ safe_divide('integration_tickets', 'tickets_created') }} as integration_ticket_share,
        tickets_linking_issue,
        tickets_fixed,
        tickets_awaiting_fix,
        median_hours_to_fix,
        p90_hours_to_fix

    from unioned

)

select * from final

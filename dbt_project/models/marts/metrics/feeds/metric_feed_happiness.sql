{#
    Developer-happiness metrics of this slice in metrics_daily's long format (day, week):
    ticket_resolution_time and request_to_fix_time (median, p90), ticket_sla_attainment,
    integration_ticket_share, tickets_per_1k_active_consumers, issue_time_to_close (median,
    p90; segment `all` and `label:bug`), open_issue_backlog (open issues at period end) and
    community_contribution_rate. The backlog's median age and first-time contributor counts
    stay in agg_github_health_by_period. ticket_first_response_time, csat and
    issue_first_response_time are read by metrics_daily itself.
#}

with

tickets_by_period as (

    select * from {{ ref('agg_tickets_by_period') }}

),

support_load as (

    select * from {{ ref('agg_support_load_by_period') }}

),

github_health as (

    select * from {{ ref('agg_github_health_by_period') }}

),

final as (

    {{ metric_rows('ticket_resolution_time', 'tickets_by_period', 'period_start_on', 'grain', "'all'",
                   {'median': 'median_hours_to_resolution', 'p90': 'p90_hours_to_resolution'}) }}
    union all
    {{ metric_rows('ticket_sla_attainment', 'tickets_by_period', 'period_start_on', 'grain', "'all'",
                   {'value': 'ticket_sla_attainment'}) }}
    union all
    {{ metric_rows('integration_ticket_share', 'tickets_by_period', 'period_start_on', 'grain', "'all'",
                   {'value': 'integration_ticket_share'}) }}
    union all
    {{ metric_rows('request_to_fix_time', 'tickets_by_period', 'period_start_on', 'grain', "'all'",
                   {'median': 'median_hours_to_fix', 'p90': 'p90_hours_to_fix'}) }}
    union all
    {{ metric_rows('tickets_per_1k_active_consumers', 'support_load', 'period_start_on', 'grain', "'all'",
                   {'value': 'tickets_per_1k_active_consumers'}, is_complete='is_complete') }}
    union all
    {{ metric_rows('issue_time_to_close', 'github_health', 'period_start_on', 'grain', "'all'",
                   {'median': 'median_hours_to_close', 'p90': 'p90_hours_to_close'}, is_complete='is_complete') }}
    union all
    {{ metric_rows('issue_time_to_close', 'github_health', 'period_start_on', 'grain', "'label:bug'",
                   {'median': 'median_hours_to_close_bugs', 'p90': 'p90_hours_to_close_bugs'},
                   is_complete='is_complete') }}
    union all
    {{ metric_rows('open_issue_backlog', 'github_health', 'period_start_on', 'grain', "'all'",
                   {'value': 'open_issues'}, is_complete='is_complete') }}
    union all
    {{ metric_rows('community_contribution_rate', 'github_health', 'period_start_on', 'grain', "'all'",
                   {'value': 'community_contribution_rate'}, is_complete='is_complete') }}

)

select * from final

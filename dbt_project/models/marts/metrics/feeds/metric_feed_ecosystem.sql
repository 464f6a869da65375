{#
    Ecosystem metrics in metrics_daily's long format: sdk_share (day; segments `all`,
    `sdk:<name>`, `language:<language>`), client_diversity and active_partner_integrations
    (day, 28-day window), partner_time_to_first_success (sign-up cohort week; median, p90)
    and integration_issues_within_sla (day, week of resolution).
#}

with

sdk_share as (

    select * from {{ ref('agg_sdk_share_daily') }}

),

ecosystem_daily as (

    select * from {{ ref('agg_ecosystem_daily') }}

),

partner_cohorts as (

    select * from {{ ref('agg_partner_onboarding_cohorts') }}

),

integration_tickets as (

    select * from {{ ref('agg_integration_tickets_by_period') }}

),

final as (

    {{ metric_rows('sdk_share', 'sdk_share', 'requested_on', "'day'", 'segment',
                   {'value': 'sdk_share'}) }}
    union all
    {{ metric_rows('client_diversity', 'ecosystem_daily', 'activity_on', "'day'", "'all'",
                   {'value': 'client_diversity'}, is_complete='is_28d_complete') }}
    union all
    {{ metric_rows('active_partner_integrations', 'ecosystem_daily', 'activity_on', "'day'", "'all'",
                   {'value': 'active_partner_integrations'}, is_complete='is_28d_complete') }}
    union all
    {{ metric_rows('partner_time_to_first_success', 'partner_cohorts', 'cohort_week_start_on', "'week'", "'all'",
                   {'median': 'median_minutes_to_first_success', 'p90': 'p90_minutes_to_first_success'},
                   is_complete='is_complete') }}
    union all
    {{ metric_rows('integration_issues_within_sla', 'integration_tickets', 'period_start_on', 'grain', "'all'",
                   {'value': 'integration_issues_within_sla'}) }}

)

select * from final

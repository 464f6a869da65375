{#
    Every published metric value in one long table: metric × period × segment ×
    statistic. Values are read from the mart that computes each metric (one definition
    per metric); nothing is recomputed here. `date` is the first day of the period.
    is_complete is false while a value can still change (an onboarding cohort whose
    window has not elapsed in the observed traffic).
#}

with

definitions as (

    select * from {{ ref('metric_definitions') }}

),

onboarding_cohorts as (

    select * from {{ ref('fct_onboarding_cohorts') }}

),

availability_daily as (

    select * from {{ ref('fct_availability_daily') }}

),

latency_daily as (

    select * from {{ ref('fct_latency_daily') }}

),

incidents_by_period as (

    select * from {{ ref('agg_incidents_by_period') }}

),

tickets_by_period as (

    select * from {{ ref('agg_tickets_by_period') }}

),

github_issues_by_period as (

    select * from {{ ref('agg_github_issues_by_period') }}

),

{%- set route_segment = dbt.concat(["'route:'", 'route_name', "'|'", 'api_version']) %}

metric_values as (

    {{ metric_rows('time_to_first_success', 'onboarding_cohorts', 'cohort_week_start_on', "'week'", "'all'",
                   {'median': 'median_minutes_to_first_success', 'p90': 'p90_minutes_to_first_success'},
                   is_complete='is_complete') }}
    union all
    {{ metric_rows('onboarding_success_rate', 'onboarding_cohorts', 'cohort_week_start_on', "'week'", "'all'",
                   {'value': 'onboarding_success_rate'}, is_complete='is_complete') }}
    union all
    {{ metric_rows('availability', 'availability_daily', 'requested_on', "'day'",
                   dbt.concat(["'product:'", 'product_id']),
                   {'value': 'availability', 'rolling_28d': 'availability_28d'}) }}
    union all
    {{ metric_rows('latency_p50', 'latency_daily', 'requested_on', "'day'", route_segment,
                   {'value': 'latency_p50_ms'}) }}
    union all
    {{ metric_rows('latency_p95', 'latency_daily', 'requested_on', "'day'", route_segment,
                   {'value': 'latency_p95_ms'}) }}
    union all
    {{ metric_rows('latency_p99', 'latency_daily', 'requested_on', "'day'", route_segment,
                   {'value': 'latency_p99_ms'}) }}
    union all
    {{ metric_rows('time_to_resolve', 'incidents_by_period', 'period_start_on', 'grain', "'all'",
                   {'mean': 'mean_minutes_to_resolve', 'median': 'median_minutes_to_resolve'}) }}
    union all
    {{ metric_rows('ticket_first_response_time', 'tickets_by_period', 'period_start_on', 'grain', "'all'",
                   {'median': 'median_hours_to_first_response', 'p90': 'p90_hours_to_first_response'}) }}
    union all
    {{ metric_rows('csat', 'tickets_by_period', 'period_start_on', 'grain', "'all'",
                   {'value': 'csat'}) }}
    union all
    {{ metric_rows('issue_first_response_time', 'github_issues_by_period', 'period_start_on', 'grain', "'all'",
                   {'median': 'median_hours_to_first_response', 'p90': 'p90_hours_to_first_response'}) }}

),

final as (

    select
        metric_values.metric_id,
        metric_values.date,
        metric_values.grain,
        metric_values.segment,
        metric_values.statistic,
        metric_values.value,
        metric_values.is_complete

    from metric_values
    -- Only metrics of the catalog are published.
    inner join definitions
        on metric_values.metric_id = definitions.metric_id

)

select * from final

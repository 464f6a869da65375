{#
    Every published metric value in one long table: metric × period × segment ×
    statistic. Values are read from the mart that computes each metric (one definition
    per metric); nothing is recomputed here. `date` is the first day of the period.
    is_complete is false while a value can still change (an onboarding cohort whose
    window has not elapsed in the observed traffic).

    Two sources of rows:
    - metric_values: read here from the marts (the first slice and the reliability metrics);
    - feeds: every model `metric_feed_<family>` under marts/metrics/feeds/, each with exactly
      this table's columns, unioned as-is. dbt must know refs at parse time, so the feeds are
      an explicit list: add a new feed to `feeds` below (a feed that exists but is missing
      from the list is reported as a warning at compile time).
    A metric published by a feed wins: the rows read here for the same metric_id are
    dropped, so a family can move into its feed without duplicates.
#}

{%- set feeds = [
    'metric_feed_onboarding',
    'metric_feed_adoption',
    'metric_feed_happiness',
    'metric_feed_ecosystem',
    'metric_feed_outcomes',
] %}

{%- if execute and graph.get('nodes') %}
    {%- for node in graph.get('nodes').values() %}
        {%- if node.resource_type == 'model' and node.name.startswith('metric_feed_')
              and node.config.enabled and node.name not in feeds %}
            {%- do exceptions.warn('metrics_daily: feed model ' ~ node.name ~ ' is not in the feeds list of metrics_daily.sql and is not published') %}
        {%- endif %}
    {%- endfor %}
{%- endif %}

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

slo_daily as (

    select * from {{ ref('fct_slo_daily') }}

),

latency_sli_daily as (

    select * from slo_daily where sli_type = 'latency'

),

burn_rates_daily as (

    -- The day's highest burn rate per SLO (evaluation buckets dated by their start).
    select
        slo_id,
        cast({{ dbt.dateadd('minute', -5, 'evaluated_at') }} as date) as evaluated_on,
        max(burn_rate_1h) as max_burn_rate_1h,
        max(burn_rate_6h) as max_burn_rate_6h,
        max(burn_rate_3d) as max_burn_rate_3d

    from {{ ref('fct_slo_burn_rates') }}
    group by 1, 2

),

peak_latency_daily as (

    select * from {{ ref('fct_peak_latency_daily') }}

),

incident_counts as (

    select * from {{ ref('agg_incident_counts_by_period') }}

),

error_windows_by_period as (

    select * from {{ ref('agg_error_windows_by_period') }}

),

{%- set route_segment = dbt.concat(["'route:'", 'route_name', "'|'", 'api_version']) %}
{%- set product_segment = dbt.concat(["'product:'", 'product_id']) %}
{%- set slo_segment = dbt.concat(["'slo:'", 'slo_id']) %}

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
    union all
    {{ metric_rows('latency_sli', 'latency_sli_daily', 'requested_on', "'day'", product_segment,
                   {'value': 'latency_sli'}) }}
    union all
    {{ metric_rows('slo_attainment', 'slo_daily', 'requested_on', "'day'", slo_segment,
                   {'value': 'slo_attainment'}) }}
    union all
    {{ metric_rows('error_budget_remaining', 'slo_daily', 'requested_on', "'day'", slo_segment,
                   {'value': 'error_budget_remaining'}) }}
    union all
    {{ metric_rows('burn_rate_1h', 'burn_rates_daily', 'evaluated_on', "'day'", slo_segment,
                   {'max': 'max_burn_rate_1h'}) }}
    union all
    {{ metric_rows('burn_rate_6h', 'burn_rates_daily', 'evaluated_on', "'day'", slo_segment,
                   {'max': 'max_burn_rate_6h'}) }}
    union all
    {{ metric_rows('burn_rate_3d', 'burn_rates_daily', 'evaluated_on', "'day'", slo_segment,
                   {'max': 'max_burn_rate_3d'}) }}
    union all
    {{ metric_rows('peak_latency_ratio', 'peak_latency_daily', 'requested_on', "'day'", product_segment,
                   {'value': 'peak_latency_ratio'}) }}
    union all
    {{ metric_rows('incident_count', 'incident_counts', 'period_start_on', 'grain',
                   dbt.concat(["'impact:'", 'impact', "'|component:'", 'component_name']),
                   {'value': 'incident_count'}) }}
    union all
    {{ metric_rows('time_to_detect', 'incidents_by_period', 'period_start_on', 'grain', "'all'",
                   {'mean': 'mean_minutes_to_detect', 'median': 'median_minutes_to_detect'}) }}
    union all
    {{ metric_rows('time_to_restore', 'incidents_by_period', 'period_start_on', 'grain', "'all'",
                   {'mean': 'mean_minutes_to_restore', 'median': 'median_minutes_to_restore'}) }}
    union all
    {{ metric_rows('postmortem_rate', 'incidents_by_period', 'period_start_on', 'grain', "'all'",
                   {'value': 'postmortem_rate'}) }}
    union all
    {{ metric_rows('status_page_coverage', 'error_windows_by_period', 'period_start_on', 'grain', "'all'",
                   {'value': 'status_page_coverage'}) }}

),

feed_values as (

    {%- for feed in feeds %}
    select
        metric_id,
        date,
        grain,
        segment,
        statistic,
        value,
        is_complete

    from {{ ref(feed) }}
    {% if not loop.last %}union all{% endif %}
    {%- endfor %}

),

fed_metrics as (

    select distinct metric_id from feed_values

),

all_values as (

    select metric_values.*
    from metric_values
    left join fed_metrics
        on metric_values.metric_id = fed_metrics.metric_id
    where fed_metrics.metric_id is null

    union all

    select * from feed_values

),

final as (

    select
        all_values.metric_id,
        all_values.date,
        all_values.grain,
        all_values.segment,
        all_values.statistic,
        all_values.value,
        all_values.is_complete

    from all_values
    -- Only metrics of the catalog are published.
    inner join definitions
        on all_values.metric_id = definitions.metric_id

)

select * from final

{#
    Adoption metrics in metrics_daily's long format: active_consumers (day value and
    rolling_28d, week and month values), cohort_retention (per sign-up cohort week,
    segment `week_offset:<N>`), repeat_usage_rate, routes_per_consumer and
    calls_per_active_consumer (day, week, month), latest_version_share and
    deprecated_version_traffic_share (day). Secondary series stay in the marts:
    active_consumers_7d, consumers_calling_deprecated_after_sunset, per-version shares.
    route_adoption_days is one value per route, not a time series: fct_route_adoption.
#}

with

active_daily as (

    select * from {{ ref('agg_active_consumers_daily') }}

),

adoption_by_period as (

    select * from {{ ref('agg_adoption_by_period') }}

),

cohort_retention as (

    select * from {{ ref('fct_cohort_retention') }}

),

version_shares as (

    select * from {{ ref('agg_version_shares_daily') }}

),

final as (

    {{ metric_rows('active_consumers', 'adoption_by_period', 'period_start_on', 'grain', "'all'",
                   {'value': 'active_consumers'}, is_complete='is_complete') }}
    union all
    {{ metric_rows('active_consumers', 'active_daily', 'activity_on', "'day'", "'all'",
                   {'rolling_28d': 'active_consumers_28d'}, is_complete='is_28d_complete') }}
    union all
    {{ metric_rows('cohort_retention', 'cohort_retention', 'cohort_week_start_on', "'week'",
                   dbt.concat(["'week_offset:'", 'cast(week_offset as ' ~ dbt.type_string() ~ ')']),
                   {'value': 'cohort_retention'}, is_complete='is_complete') }}
    union all
    {{ metric_rows('repeat_usage_rate', 'active_daily', 'activity_on', "'day'", "'all'",
                   {'value': 'repeat_usage_rate'}, is_complete='is_28d_complete') }}
    union all
    {{ metric_rows('routes_per_consumer', 'adoption_by_period', 'period_start_on', 'grain', "'all'",
                   {'value': 'routes_per_consumer'}, is_complete='is_complete') }}
    union all
    {{ metric_rows('calls_per_active_consumer', 'adoption_by_period', 'period_start_on', 'grain', "'all'",
                   {'value': 'calls_per_active_consumer'}, is_complete='is_complete') }}
    union all
    {{ metric_rows('latest_version_share', 'version_shares', 'requested_on', "'day'", "'all'",
                   {'value': 'latest_version_share'}) }}
    union all
    {{ metric_rows('deprecated_version_traffic_share', 'version_shares', 'requested_on', "'day'", "'all'",
                   {'value': 'deprecated_version_traffic_share'}) }}

)

select * from final

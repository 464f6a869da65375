{#
    Customer-outcome metrics in metrics_daily's long format: support_load_per_million_calls
    (day, week, month), success_growth_wow (week over week at grain week, month over month
    at grain month) and active_consumer_growth_wow (day).
#}

with

outcomes_by_period as (

    select * from {{ ref('agg_outcomes_by_period') }}

),

outcomes_daily as (

    select * from {{ ref('agg_outcomes_daily') }}

),

growth_periods as (

    select * from outcomes_by_period where grain in ('week', 'month')

),

final as (

    {{ metric_rows('support_load_per_million_calls', 'outcomes_by_period', 'period_start_on', 'grain', "'all'",
                   {'value': 'support_load_per_million_calls'}, is_complete='is_complete') }}
    union all
    {{ metric_rows('success_growth_wow', 'growth_periods', 'period_start_on', 'grain', "'all'",
                   {'value': 'success_growth'}, is_complete='is_complete') }}
    union all
    {{ metric_rows('active_consumer_growth_wow', 'outcomes_daily', 'activity_on', "'day'", "'all'",
                   {'value': 'active_consumer_growth_wow'}) }}

)

select * from final

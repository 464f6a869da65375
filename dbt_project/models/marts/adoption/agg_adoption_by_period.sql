{#
    One row per grain (day, week, month) × period start with at least one active
    consumer: active_consumers, routes_per_consumer (mean distinct routes with a success
    per active consumer) and calls_per_active_consumer (successes ÷ active consumers).
    A period only partly inside the observed traffic is flagged is_complete = false.
#}

with

route_days as (

    select * from {{ ref('int_successes_aggregated_to_consumer_route_days') }}

),

days as (

    select * from {{ ref('int_days_observed') }}

),

bounds as (

    select
        min(first_observed_on) as first_observed_on,
        max(last_observed_on) as last_observed_on

    from days

),

{% for grain in ['day', 'week', 'month'] -%}
consumer_periods_{{ grain }} as (

    select
        '{{ grain }}' as grain,
        cast({{ dbt.date_trunc(grain, 'activity_on') }} as date) as period_start_on,
        consumer_id,
        count(distinct route_name) as route_count,
        sum(success_count) as success_count

    from route_days
    group by 1, 2, 3

),

{% endfor -%}
consumer_periods as (

    select * from consumer_periods_day
    union all
    select * from consumer_periods_week
    union all
    select * from consumer_periods_month

),

periods as (

    select
        grain,
        period_start_on,
        count(*) as active_consumers,
        sum(success_count) as successes,
        avg(cast(route_count as {{ type_double() }})) as routes_per_consumer

    from consumer_periods
    group by grain, period_start_on

),

final as (

    select
        cast(periods.grain as {{ dbt.type_string() }}) as grain,
        periods.period_start_on,
        cast(case periods.grain
            when 'day' then periods.period_start_on
            when 'week' then cast({{ dbt.dateadd('day', 6, 'periods.period_start_on') }} as date)
            else cast({{ dbt.dateadd('day', -1, dbt.dateadd('month', 1, 'periods.period_start_on')) }} as date)
        end as date) as period_end_on,
        cast(periods.active_consumers as {{ dbt.type_bigint() }}) as active_consumers,
        cast(periods.successes as {{ dbt.type_bigint() }}) as successes,
        cast(periods.routes_per_consumer as {{ type_double() }}) as routes_per_consumer,
        {{ safe_divide('periods.successes', 'periods.active_consumers') }} as calls_per_active_consumer,
        bounds.first_observed_on,
        bounds.last_observed_on

    from periods
    cross join bounds

)

select
    grain,
    period_start_on,
    period_end_on,
    active_consumers,
    successes,
    routes_per_consumer,
    calls_per_active_consumer,
    period_start_on >= first_observed_on and period_end_on <= last_observed_on as is_complete

from final

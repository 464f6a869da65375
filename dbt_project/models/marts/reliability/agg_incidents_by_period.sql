{#
    One row per period grain (day, week) × period start: statistics over the incidents
    created in the period. time_to_resolve (MTTR = mean, and median) over resolved
    incidents; time_to_detect (MTTD) over incidents with a matched error window that are
    not backfilled; time_to_restore over incidents with a value; postmortem_rate =
    major and critical incidents with a postmortem within 7 days of resolution ÷ major and
    critical incidents. Open incidents are counted, not timed, so recent periods can move.
#}

with

incidents as (

    select * from {{ ref('fct_incidents') }}

),

{% for grain in ['day', 'week'] -%}
by_{{ grain }} as (

    select
        '{{ grain }}' as grain,
        cast({{ dbt.date_trunc(grain, 'created_at') }} as date) as period_start_on,
        cast(count(*) as {{ dbt.type_bigint() }}) as incidents_created,
        cast(sum(case when is_resolved then 1 else 0 end) as {{ dbt.type_bigint() }}) as incidents_resolved,
        cast(sum(case when is_resolved then 0 else 1 end) as {{ dbt.type_bigint() }}) as incidents_open,
        cast(avg(minutes_to_resolve) as {{ type_double() }}) as mean_minutes_to_resolve,
        cast({{ percentile_cont('minutes_to_resolve', 0.5) }} as {{ type_double() }}) as median_minutes_to_resolve,
        cast(count(minutes_to_detect) as {{ dbt.type_bigint() }}) as incidents_detected,
        cast(avg(minutes_to_detect) as {{ type_double() }}) as mean_minutes_to_detect,
        cast({{ percentile_cont('minutes_to_detect', 0.5) }} as {{ type_double() }}) as median_minutes_to_detect,
        cast(avg(minutes_to_restore) as {{ type_double() }}) as mean_minutes_to_restore,
        cast({{ percentile_cont('minutes_to_restore', 0.5) }} as {{ type_double() }}) as median_minutes_to_restore,
        cast(sum(case when is_major_or_critical then 1 else 0 end) as {{ dbt.type_bigint() }}) as major_critical_incidents,
        cast(sum(case when is_major_or_critical and has_postmortem_within_7d then 1 else 0 end) as {{ dbt.type_bigint() }}) as postmortems_within_7d,
        {{ safe_divide('sum(case when is_major_or_critical and has_postmortem_within_7d then 1 else 0 end)',
                       'sum(case when is_major_or_critical then 1 else 0 end)') }} as postmortem_rate

    from incidents
    group by 1, 2

),

{% endfor -%}
final as (

    select * from by_day
    union all
    select * from by_week

)

select * from final

{#
    One row per period grain (day, week) × period start: time_to_resolve statistics
    (MTTR = mean, and median) over the incidents created in the period. Incidents still
    open have no duration yet and are counted in incidents_open, so the statistics of
    recent periods can still move when they resolve.
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
        cast({{ percentile_cont('minutes_to_resolve', 0.5) }} as {{ type_double() }}) as median_minutes_to_resolve

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

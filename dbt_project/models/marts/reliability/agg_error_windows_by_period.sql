{#
    One row per period grain (day, week) × period start (of the window's start):
    outage windows (error windows of at least var('outage_min_minutes') minutes), how many
    overlapped a status-page incident of their product, and status_page_coverage =
    covered ÷ outage windows. Periods without an outage window have no row.
#}

with

error_windows as (

    select * from {{ ref('fct_error_windows') }}

),

{% for grain in ['day', 'week'] -%}
by_{{ grain }} as (

    select
        '{{ grain }}' as grain,
        cast({{ dbt.date_trunc(grain, 'started_at') }} as date) as period_start_on,
        cast(count(*) as {{ dbt.type_bigint() }}) as outage_windows,
        cast(sum(case when is_on_status_page then 1 else 0 end) as {{ dbt.type_bigint() }}) as covered_outage_windows,
        cast(sum(case when is_on_status_page then 0 else 1 end) as {{ dbt.type_bigint() }}) as silent_outage_windows,
        {{ safe_divide('sum(case when is_on_status_page then 1 else 0 end)', 'count(*)') }} as status_page_coverage

    from error_windows
    where is_outage
    group by 1, 2

),

{% endfor -%}
final as (

    select * from by_day
    union all
    select * from by_week

)

select * from final

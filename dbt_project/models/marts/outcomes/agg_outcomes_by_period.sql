{#
    One row per grain (day, week, month) × period with active consumers:
    - support_load_per_million_calls = tickets created ÷ successes × 1,000,000;
    - success_growth = successes ÷ successes of the previous period of the same grain − 1
      (week: week over week, month: month over month, day: day over day). Growth is only
      computed between two complete periods: a partly observed week would fake a drop.
#}

with

adoption as (

    select * from {{ ref('agg_adoption_by_period') }}

),

tickets as (

    select * from {{ ref('fct_tickets') }}

),

{% for grain in ['day', 'week', 'month'] -%}
tickets_{{ grain }} as (

    select
        '{{ grain }}' as grain,
        cast({{ dbt.date_trunc(grain, 'created_at') }} as date) as period_start_on,
        count(*) as tickets_created

    from tickets
    group by 1, 2

),

{% endfor -%}
ticket_periods as (

    select * from tickets_day
    union all
    select * from tickets_week
    union all
    select * from tickets_month

),

periods as (

    select
        adoption.grain,
        adoption.period_start_on,
        case adoption.grain
            when 'day' then cast({{ dbt.dateadd('day', -1, 'adoption.period_start_on') }} as date)
            when 'week' then cast({{ dbt.dateadd('day', -7, 'adoption.period_start_on') }} as date)
            else cast({{ dbt.dateadd('month', -1, 'adoption.period_start_on') }} as date)
        end as previous_period_start_on,
        adoption.successes,
        adoption.is_complete,
        coalesce(ticket_periods.tickets_created, 0) as tickets_created

    from adoption
    left join ticket_periods
        on adoption.grain = ticket_periods.grain
        and adoption.period_start_on = ticket_periods.period_start_on

),

final as (

    select
        cast(periods.grain as {{ dbt.type_string() }}) as grain,
        periods.period_start_on,
        cast(periods.tickets_created as {{ dbt.type_bigint() }}) as tickets_created,
        cast(periods.successes as {{ dbt.type_bigint() }}) as successes,
        {{ safe_divide('periods.tickets_created * 1000000', 'periods.successes') }} as support_load_per_million_calls,
        cast(previous.successes as {{ dbt.type_bigint() }}) as previous_period_successes,
        case
            when periods.is_complete and previous.is_complete
                then {{ safe_divide('periods.successes', 'previous.successes') }} - 1
        end as success_growth,
        periods.is_complete

    from periods
    left join periods as previous
        on periods.grain = previous.grain
        and periods.previous_period_start_on = previous.period_start_on

)

select * from final

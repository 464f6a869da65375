{#
    One row per grain (day, week) × period with active consumers:
    tickets_per_1k_active_consumers = tickets created in the period ÷ active consumers in
    the period × 1000 (support load normalised by adoption).
#}

with

tickets as (

    select * from {{ ref('fct_tickets') }}

),

adoption as (

    select * from {{ ref('agg_adoption_by_period') }}

),

{% for grain in ['day', 'week'] -%}
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

),

final as (

    select
        adoption.grain,
        adoption.period_start_on,
        cast(coalesce(ticket_periods.tickets_created, 0) as {{ dbt.type_bigint() }}) as tickets_created,
        adoption.active_consumers,
        {{ safe_divide('coalesce(ticket_periods.tickets_created, 0) * 1000', 'adoption.active_consumers') }}
            as tickets_per_1k_active_consumers,
        adoption.is_complete

    from adoption
    left join ticket_periods
        on adoption.grain = ticket_periods.grain
        and adoption.period_start_on = ticket_periods.period_start_on
    where adoption.grain in ('day', 'week')

)

select * from final

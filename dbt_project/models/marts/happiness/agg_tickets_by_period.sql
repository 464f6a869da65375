{#
    One row per period grain (day, week) × period start, over the tickets created in the
    period: ticket_first_response_time median and p90 over answered tickets (tickets
    still waiting are counted, not timed), and csat = good ÷ (good + bad).
#}

with

tickets as (

    select * from {{ ref('fct_tickets') }}

),

{% for grain in ['day', 'week'] -%}
by_{{ grain }} as (

    select
        '{{ grain }}' as grain,
        cast({{ dbt.date_trunc(grain, 'created_at') }} as date) as period_start_on,
        cast(count(*) as {{ dbt.type_bigint() }}) as tickets_created,
        cast(sum(case when first_response_status = 'responded' then 1 else 0 end) as {{ dbt.type_bigint() }})
            as tickets_responded,
        cast(sum(case when is_awaiting_first_response then 1 else 0 end) as {{ dbt.type_bigint() }})
            as tickets_awaiting_first_response,
        cast({{ percentile_cont('hours_to_first_response', 0.5) }} as {{ type_double() }})
            as median_hours_to_first_response,
        cast({{ percentile_cont('hours_to_first_response', 0.9) }} as {{ type_double() }})
            as p90_hours_to_first_response,
        cast(sum(case when satisfaction_score = 'good' then 1 else 0 end) as {{ dbt.type_bigint() }})
            as tickets_rated_good,
        cast(sum(case when satisfaction_score = 'bad' then 1 else 0 end) as {{ dbt.type_bigint() }})
            as tickets_rated_bad

    from tickets
    group by 1, 2

),

{% endfor -%}
unioned as (

    select * from by_day
    union all
    select * from by_week

),

final as (

    select
        grain,
        period_start_on,
        tickets_created,
        tickets_responded,
        tickets_awaiting_first_response,
        median_hours_to_first_response,
        p90_hours_to_first_response,
        tickets_rated_good,
        tickets_rated_bad,
        {{ safe_divide('tickets_rated_good', 'tickets_rated_good + tickets_rated_bad') }} as csat

    from unioned

)

select * from final

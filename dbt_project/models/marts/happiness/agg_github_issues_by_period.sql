{#
    One row per period grain (day, week) × period start, over the issues opened in the
    period: issue_first_response_time median and p90 over responded issues (issues
    still waiting are counted, not timed).
#}

with

issues as (

    select * from {{ ref('fct_github_issues') }}

),

{% for grain in ['day', 'week'] -%}
by_{{ grain }} as (

    select
        '{{ grain }}' as grain,
        cast({{ dbt.date_trunc(grain, 'created_at') }} as date) as period_start_on,
        cast(count(*) as {{ dbt.type_bigint() }}) as issues_opened,
        cast(sum(case when first_response_status = 'responded' then 1 else 0 end) as {{ dbt.type_bigint() }})
            as issues_responded,
        cast(sum(case when is_awaiting_first_response then 1 else 0 end) as {{ dbt.type_bigint() }})
            as issues_awaiting_first_response,
        cast({{ percentile_cont('hours_to_first_response', 0.5) }} as {{ type_double() }})
            as median_hours_to_first_response,
        cast({{ percentile_cont('hours_to_first_response', 0.9) }} as {{ type_double() }})
            as p90_hours_to_first_response

    from issues
    group by 1, 2

),

{% endfor -%}
final as (

    select * from by_day
    union all
    select * from by_week

)

select * from final

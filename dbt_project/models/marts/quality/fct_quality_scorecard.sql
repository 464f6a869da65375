{#
    Data quality as a tracked metric: one row per team × UTC day with Great Expectations
    results. checks_run counts expectation evaluations (a suite with 20 expectations run
    twice counts 40); pass_rate = passed ÷ run; the 7-day figures pool the day and the six
    before it, and pass_rate_7d_change compares them with the seven days before that.
#}

with

results as (

    select * from {{ source('quality', 'validation_results') }}

),

teams as (

    select * from {{ ref('teams') }}

),

daily as (

    select
        team as team_id,
        cast({{ dbt.date_trunc('day', 'run_at') }} as date) as validated_on,
        cast(count(distinct {{ dbt.concat(['asset', "'|'", dbt.cast('run_at', dbt.type_string())]) }}) as {{ dbt.type_bigint() }}) as suite_runs,
        cast(count(*) as {{ dbt.type_bigint() }}) as checks_run,
        cast(sum(case when success then 1 else 0 end) as {{ dbt.type_bigint() }}) as checks_passed,
        cast(sum(case when success then 0 else 1 end) as {{ dbt.type_bigint() }}) as checks_failed,
        cast(sum(case when not success and severity = 'error' then 1 else 0 end) as {{ dbt.type_bigint() }}) as checks_failed_error,
        cast(sum(case when not success and severity = 'warn' then 1 else 0 end) as {{ dbt.type_bigint() }}) as checks_failed_warn

    from results
    where run_at is not null and team is not null
    group by
        team,
        cast({{ dbt.date_trunc('day', 'run_at') }} as date)

),

trailing_windows as (

    select
        daily.team_id,
        daily.validated_on,
        sum(case when window_days.validated_on > {{ dbt.dateadd('day', -7, 'daily.validated_on') }}
                 then window_days.checks_run else 0 end) as checks_run_7d,
        sum(case when window_days.validated_on > {{ dbt.dateadd('day', -7, 'daily.validated_on') }}
                 then window_days.checks_passed else 0 end) as checks_passed_7d,
        sum(case when window_days.validated_on <= {{ dbt.dateadd('day', -7, 'daily.validated_on') }}
                 then window_days.checks_run else 0 end) as checks_run_prev_7d,
        sum(case when window_days.validated_on <= {{ dbt.dateadd('day', -7, 'daily.validated_on') }}
                 then window_days.checks_passed else 0 end) as checks_passed_prev_7d

    from daily
    inner join daily as window_days
        on window_days.team_id = daily.team_id
        and window_days.validated_on <= daily.validated_on
        and window_days.validated_on > {{ dbt.dateadd('day', -14, 'daily.validated_on') }}
    group by daily.team_id, daily.validated_on

),

final as (

    select
        daily.team_id,
        coalesce(teams.team_name, daily.team_id) as team_name,
        daily.validated_on,
        daily.suite_runs,
        daily.checks_run,
        daily.checks_passed,
        daily.checks_failed,
        daily.checks_failed_error,
        daily.checks_failed_warn,
        {{ safe_divide('daily.checks_passed', 'daily.checks_run') }} as pass_rate,
        cast(windows.checks_run_7d as {{ dbt.type_bigint() }}) as checks_run_7d,
        {{ safe_divide('windows.checks_passed_7d', 'windows.checks_run_7d') }} as pass_rate_7d,
        {{ safe_divide('windows.checks_passed_prev_7d', 'windows.checks_run_prev_7d') }} as pass_rate_prev_7d,
        {{ safe_divide('windows.checks_passed_7d', 'windows.checks_run_7d') }}
            - {{ safe_divide('windows.checks_passed_prev_7d', 'windows.checks_run_prev_7d') }} as pass_rate_7d_change

    from daily
    inner join trailing_windows as windows
        on daily.team_id = windows.team_id
        and daily.validated_on = windows.validated_on
    left join teams
        on daily.team_id = teams.team_id

)

select * from final

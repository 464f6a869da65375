{#
    One row per grain (day, week) × period, from the first GitHub issue or pull request
    to the last update seen:
    - issue_time_to_close: median and p90 hours over issues closed as completed in the
      period (by close time), for all issues and for bug-labelled ones;
    - open_issue_backlog: issues open at the period end (or at the last update seen for
      the running period) and their median age in days. An issue counts as open from its
      creation to its closed_at; GitHub keeps only the last close, so a reopened issue
      counts as open from creation to its last close (or still open);
    - community_contribution_rate: merged pull requests by community authors ÷ all
      merged pull requests, by merge time; plus distinct first-time contributors.
#}

with

issues as (

    select * from {{ ref('fct_github_issues') }}

),

pull_requests as (

    select * from {{ ref('fct_github_pull_requests') }}

),

activity as (

    select created_at as happened_at from issues
    union all
    select closed_at from issues
    union all
    select created_at from pull_requests
    union all
    select merged_at from pull_requests

),

bounds as (

    select
        cast(min(happened_at) as date) as first_on,
        cast(max(happened_at) as date) as last_on,
        max(happened_at) as observed_until

    from activity

),

days as (

    {{ day_spine('bounds', 'first_on', 'last_on') }}

),

{% for grain in ['day', 'week'] -%}
periods_{{ grain }} as (

    select distinct
        '{{ grain }}' as grain,
        cast({{ dbt.date_trunc(grain, 'date_day') }} as date) as period_start_on,
        cast({{ dbt.dateadd(grain, 1, dbt.date_trunc(grain, 'date_day')) }} as {{ dbt.type_timestamp() }}) as period_end_at

    from days

),

{% endfor -%}
periods as (

    select
        unioned.grain,
        unioned.period_start_on,
        unioned.period_end_at,
        -- The running period is measured at the last activity seen, not in the future.
        case
            when unioned.period_end_at > bounds.observed_until then bounds.observed_until
            else unioned.period_end_at
        end as as_of_at,
        unioned.period_end_at <= bounds.observed_until as is_complete

    from (
        select * from periods_day
        union all
        select * from periods_week
    ) as unioned
    cross join bounds

),

closes as (

    select
        periods.grain,
        periods.period_start_on,
        count(*) as issues_closed_completed,
        {{ percentile_cont('issues.hours_to_close', 0.5) }} as median_hours_to_close,
        {{ percentile_cont('issues.hours_to_close', 0.9) }} as p90_hours_to_close,
        sum(case when issues.is_bug then 1 else 0 end) as bug_issues_closed_completed,
        {{ percentile_cont('case when issues.is_bug then issues.hours_to_close end', 0.5) }}
            as median_hours_to_close_bugs,
        {{ percentile_cont('case when issues.is_bug then issues.hours_to_close end', 0.9) }}
            as p90_hours_to_close_bugs

    from periods
    inner join issues
        on issues.closed_at >= cast(periods.period_start_on as {{ dbt.type_timestamp() }})
        and issues.closed_at < periods.period_end_at
    where issues.is_closed_as_completed
    group by periods.grain, periods.period_start_on

),

backlog as (

    select
        periods.grain,
        periods.period_start_on,
        count(*) as open_issues,
        {{ percentile_cont(minutes_between('issues.created_at', 'periods.as_of_at') ~ ' / 1440.0', 0.5) }}
            as median_open_issue_age_days

    from periods
    inner join issues
        on issues.created_at < periods.as_of_at
        and (issues.closed_at is null or issues.closed_at >= periods.as_of_at)
    group by periods.grain, periods.period_start_on

),

merges as (

    select
        periods.grain,
        periods.period_start_on,
        count(*) as merged_pull_requests,
        sum(case when pull_requests.is_community_author then 1 else 0 end) as community_merged_pull_requests,
        count(distinct case
            when pull_requests.is_first_time_contributor and pull_requests.is_community_author
                then pull_requests.author_login
        end) as first_time_contributors

    from periods
    inner join pull_requests
        on pull_requests.merged_at >= cast(periods.period_start_on as {{ dbt.type_timestamp() }})
        and pull_requests.merged_at < periods.period_end_at
    where pull_requests.is_merged
    group by periods.grain, periods.period_start_on

),

final as (

    select
        cast(periods.grain as {{ dbt.type_string() }}) as grain,
        periods.period_start_on,
        periods.is_complete,
        cast(coalesce(closes.issues_closed_completed, 0) as {{ dbt.type_bigint() }}) as issues_closed_completed,
        cast(closes.median_hours_to_close as {{ type_double() }}) as median_hours_to_close,
        cast(closes.p90_hours_to_close as {{ type_double() }}) as p90_hours_to_close,
        cast(coalesce(closes.bug_issues_closed_completed, 0) as {{ dbt.type_bigint() }}) as bug_issues_closed_completed,
        cast(closes.median_hours_to_close_bugs as {{ type_double() }}) as median_hours_to_close_bugs,
        cast(closes.p90_hours_to_close_bugs as {{ type_double() }}) as p90_hours_to_close_bugs,
        cast(coalesce(backlog.open_issues, 0) as {{ dbt.type_bigint() }}) as open_issues,
        cast(backlog.median_open_issue_age_days as {{ type_double() }}) as median_open_issue_age_days,
        cast(coalesce(merges.merged_pull_requests, 0) as {{ dbt.type_bigint() }}) as merged_pull_requests,
        cast(coalesce(merges.community_merged_pull_requests, 0) as {{ dbt.type_bigint() }})
            as community_merged_pull_requests,
        {{ safe_divide('merges.community_merged_pull_requests', 'merges.merged_pull_requests') }}
            as community_contribution_rate,
        cast(coalesce(merges.first_time_contributors, 0) as {{ dbt.type_bigint() }}) as first_time_contributors

    from periods
    left join closes
        on periods.grain = closes.grain
        and periods.period_start_on = closes.period_start_on
    left join backlog
        on periods.grain = backlog.grain
        and periods.period_start_on = backlog.period_start_on
    left join merges
        on periods.grain = merges.grain
        and periods.period_start_on = merges.period_start_on

)

select * from final

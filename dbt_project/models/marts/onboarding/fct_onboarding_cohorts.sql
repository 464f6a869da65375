{#
    One row per weekly sign-up cohort (ISO week, Monday start).

    A cohort is complete once the onboarding window of its last possible sign-up has
    elapsed in the observed traffic: cohort week start + 7 days + onboarding_window_days
    <= the latest gateway request seen. Traffic, not the wall clock, is the horizon:
    until the logs cover the whole window, a consumer without a success might still
    have one.
#}

{%- set window_days = var('onboarding_window_days') -%}

with

onboarding as (

    select * from {{ ref('fct_onboarding') }}

),

requests as (

    select * from {{ ref('stg_gateway__requests') }}

),

horizon as (

    select max(requested_at) as observed_until from requests

),

cohorts as (

    select
        cohort_week_start_on,
        cast(count(*) as {{ dbt.type_bigint() }}) as cohort_size,
        cast(sum(case when has_first_call then 1 else 0 end) as {{ dbt.type_bigint() }})
            as consumers_with_first_call,
        cast(sum(case when has_first_success then 1 else 0 end) as {{ dbt.type_bigint() }})
            as consumers_with_first_success,
        cast(sum(case when is_first_success_within_window then 1 else 0 end) as {{ dbt.type_bigint() }})
            as consumers_with_first_success_within_window,
        {{ percentile_cont('minutes_to_first_success', 0.5) }} as median_minutes_to_first_success,
        {{ percentile_cont('minutes_to_first_success', 0.9) }} as p90_minutes_to_first_success

    from onboarding
    group by cohort_week_start_on

),

final as (

    select
        cohorts.cohort_week_start_on,
        cohorts.cohort_size,
        cohorts.consumers_with_first_call,
        cohorts.consumers_with_first_success,
        cohorts.consumers_with_first_success_within_window,
        {{ safe_divide('cohorts.consumers_with_first_success_within_window', 'cohorts.cohort_size') }}
            as onboarding_success_rate,
        cast(cohorts.median_minutes_to_first_success as {{ type_double() }})
            as median_minutes_to_first_success,
        cast(cohorts.p90_minutes_to_first_success as {{ type_double() }})
            as p90_minutes_to_first_success,
        cast({{ dbt.dateadd('day', 7 + window_days, 'cohorts.cohort_week_start_on') }} as {{ dbt.type_timestamp() }})
            as window_closes_at,
        coalesce(
            {{ dbt.dateadd('day', 7 + window_days, 'cohorts.cohort_week_start_on') }} <= horizon.observed_until,
            false
        ) as is_complete

    from cohorts
    cross join horizon

)

select * from final

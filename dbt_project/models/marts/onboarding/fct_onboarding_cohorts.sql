{#
    One row per weekly sign-up cohort (ISO week, Monday start).

    A cohort is complete once the onboarding window of its last possible sign-up has
    elapsed in the observed traffic: cohort week start + 7 days + onboarding_window_days
    <= the latest gateway request seen. Traffic, not the wall clock, is the horizon:
    until the logs cover the whole window, a consumer without a success might still
    have one.
#}

{%- set window_days = var('onboarding_window_days') -%}
{%- set ticket_window_days = var('onboarding_ticket_window_days') -%}

with

onboarding as (

    select * from {{ ref('fct_onboarding') }}

),

requests as (

    select * from {{ ref('stg_gateway__requests') }}

),

horizon as (

    select
        min(requested_at) as observed_from,
        max(requested_at) as observed_until

    from requests

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
        {{ percentile_cont('minutes_to_first_success', 0.9) }} as p90_minutes_to_first_success,
        {{ percentile_cont('minutes_to_first_call', 0.5) }} as median_minutes_to_first_call,
        {{ percentile_cont('minutes_to_first_call', 0.9) }} as p90_minutes_to_first_call,
        cast(sum(case when has_meaningful_use then 1 else 0 end) as {{ dbt.type_bigint() }})
            as consumers_with_meaningful_use,
        {{ percentile_cont('minutes_to_meaningful_use', 0.5) }} as median_minutes_to_meaningful_use,
        {{ percentile_cont('minutes_to_meaningful_use', 0.9) }} as p90_minutes_to_meaningful_use,
        cast(coalesce(sum(first_day_request_count), 0) as {{ dbt.type_bigint() }}) as first_day_requests,
        cast(coalesce(sum(first_day_client_error_count), 0) as {{ dbt.type_bigint() }})
            as first_day_client_errors,
        {{ percentile_cont('first_day_client_error_rate', 0.5) }} as median_first_day_client_error_rate,
        {{ percentile_cont('first_day_client_error_rate', 0.9) }} as p90_first_day_client_error_rate,
        cast(sum(case when has_onboarding_ticket then 1 else 0 end) as {{ dbt.type_bigint() }})
            as consumers_with_onboarding_ticket

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
        cast(cohorts.median_minutes_to_first_call as {{ type_double() }}) as median_minutes_to_first_call,
        cast(cohorts.p90_minutes_to_first_call as {{ type_double() }}) as p90_minutes_to_first_call,
        cohorts.consumers_with_meaningful_use,
        cast(cohorts.median_minutes_to_meaningful_use as {{ type_double() }}) as median_minutes_to_meaningful_use,
        cast(cohorts.p90_minutes_to_meaningful_use as {{ type_double() }}) as p90_minutes_to_meaningful_use,
        cohorts.first_day_requests,
        cohorts.first_day_client_errors,
        {{ safe_divide('cohorts.first_day_client_errors', 'cohorts.first_day_requests') }}
            as first_day_client_error_rate,
        cast(cohorts.median_first_day_client_error_rate as {{ type_double() }}) as median_first_day_client_error_rate,
        cast(cohorts.p90_first_day_client_error_rate as {{ type_double() }}) as p90_first_day_client_error_rate,
        cohorts.consumers_with_onboarding_ticket,
        {{ safe_divide('cohorts.consumers_with_onboarding_ticket', 'cohorts.cohort_size') }}
            as onboarding_ticket_rate,
        cast({{ dbt.dateadd('day', 7 + window_days, 'cohorts.cohort_week_start_on') }} as {{ dbt.type_timestamp() }})
            as window_closes_at,
        coalesce(
            {{ dbt.dateadd('day', 7 + window_days, 'cohorts.cohort_week_start_on') }} <= horizon.observed_until,
            false
        ) as is_complete,
        coalesce(
            {{ dbt.dateadd('day', 7 + ticket_window_days, 'cohorts.cohort_week_start_on') }} <= horizon.observed_until,
            false
        ) as is_ticket_window_complete,
        -- A cohort that signed up before the first logged request has its first calls and
        -- successes cut off by the logs (left-censored): its durations are not trustworthy.
        coalesce(cohorts.cohort_week_start_on >= cast(horizon.observed_from as date), false)
            as is_observed_from_sign_up

    from cohorts
    cross join horizon

)

select * from final

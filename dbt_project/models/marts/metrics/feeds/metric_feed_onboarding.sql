{#
    Onboarding metrics of this family's marts in metrics_daily's long format (unioned there
    as-is): per weekly sign-up cohort, time_to_first_call and time_to_meaningful_use
    (median, p90), first_day_client_error_rate (pooled value, median, p90 over consumers)
    and onboarding_ticket_rate (value, final once its 14-day window has elapsed).
    time_to_first_success and onboarding_success_rate are read by metrics_daily itself.
    Cohorts that signed up before the logs begin are left-censored: never complete.
#}

with

onboarding_cohorts as (

    select * from {{ ref('fct_onboarding_cohorts') }}

),

final as (

    {{ metric_rows('time_to_first_call', 'onboarding_cohorts', 'cohort_week_start_on', "'week'", "'all'",
                   {'median': 'median_minutes_to_first_call', 'p90': 'p90_minutes_to_first_call'},
                   is_complete='is_complete and is_observed_from_sign_up') }}
    union all
    {{ metric_rows('time_to_meaningful_use', 'onboarding_cohorts', 'cohort_week_start_on', "'week'", "'all'",
                   {'median': 'median_minutes_to_meaningful_use', 'p90': 'p90_minutes_to_meaningful_use'},
                   is_complete='is_complete and is_observed_from_sign_up') }}
    union all
    {{ metric_rows('first_day_client_error_rate', 'onboarding_cohorts', 'cohort_week_start_on', "'week'", "'all'",
                   {'value': 'first_day_client_error_rate', 'median': 'median_first_day_client_error_rate',
                    'p90': 'p90_first_day_client_error_rate'},
                   is_complete='is_complete and is_observed_from_sign_up') }}
    union all
    {{ metric_rows('onboarding_ticket_rate', 'onboarding_cohorts', 'cohort_week_start_on', "'week'", "'all'",
                   {'value': 'onboarding_ticket_rate'}, is_complete='is_ticket_window_complete and is_observed_from_sign_up') }}

)

select * from final

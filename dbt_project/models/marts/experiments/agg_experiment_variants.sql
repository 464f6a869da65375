{#
    One row per experiment × variant: cohort size, onboarding_success_rate,
    time_to_first_success median, first_day_client_error_rate, and the lift of each
    versus the experiment's control variant (var('experiment_control_variant')):
    variant value ÷ control value − 1. p-values come from the Python asset
    experiment_results (SciPy), which reads fct_experiment_consumers.
#}

with

consumers as (

    select * from {{ ref('fct_experiment_consumers') }}

),

variants as (

    select
        experiment_id,
        variant,
        max(case when is_control then 1 else 0 end) = 1 as is_control,
        count(*) as cohort_size,
        sum(case when is_first_success_within_window then 1 else 0 end) as consumers_with_first_success_within_window,
        sum(case when has_first_success then 1 else 0 end) as consumers_with_first_success,
        {{ percentile_cont('minutes_to_first_success', 0.5) }} as median_minutes_to_first_success,
        sum(first_day_request_count) as first_day_requests,
        sum(first_day_client_error_count) as first_day_client_errors,
        min(case when is_window_complete then 1 else 0 end) = 1 as is_complete

    from consumers
    group by experiment_id, variant

),

rated as (

    select
        experiment_id,
        variant,
        is_control,
        cohort_size,
        consumers_with_first_success,
        consumers_with_first_success_within_window,
        {{ safe_divide('consumers_with_first_success_within_window', 'cohort_size') }} as onboarding_success_rate,
        cast(median_minutes_to_first_success as {{ type_double() }}) as median_minutes_to_first_success,
        first_day_requests,
        first_day_client_errors,
        {{ safe_divide('first_day_client_errors', 'first_day_requests') }} as first_day_client_error_rate,
        is_complete

    from variants

),

controls as (

    select * from rated where is_control

),

final as (

    select
        rated.experiment_id,
        rated.variant,
        rated.is_control,
        cast(rated.cohort_size as {{ dbt.type_bigint() }}) as cohort_size,
        cast(rated.consumers_with_first_success as {{ dbt.type_bigint() }}) as consumers_with_first_success,
        cast(rated.consumers_with_first_success_within_window as {{ dbt.type_bigint() }})
            as consumers_with_first_success_within_window,
        rated.onboarding_success_rate,
        rated.median_minutes_to_first_success,
        cast(rated.first_day_requests as {{ dbt.type_bigint() }}) as first_day_requests,
        cast(rated.first_day_client_errors as {{ dbt.type_bigint() }}) as first_day_client_errors,
        rated.first_day_client_error_rate,
        {{ safe_divide('rated.onboarding_success_rate', 'controls.onboarding_success_rate') }} - 1
            as onboarding_success_rate_lift,
        {{ safe_divide('rated.median_minutes_to_first_success', 'controls.median_minutes_to_first_success') }} - 1
            as time_to_first_success_lift,
        {{ safe_divide('rated.first_day_client_error_rate', 'controls.first_day_client_error_rate') }} - 1
            as first_day_client_error_rate_lift,
        rated.is_complete

    from rated
    left join controls
        on rated.experiment_id = controls.experiment_id

)

select * from final

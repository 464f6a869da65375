{#
    One row per experiment × assigned consumer (registry tags
    `experiment:<experiment_id>:<variant>`) with the consumer's onboarding outcomes: the
    input of agg_experiment_variants and of the Python significance tests
    (orchestration/experiments.py -> marts.experiment_results).
    is_window_complete: the consumer's onboarding window has elapsed in the observed
    traffic, so whether it succeeded within the window is final.
#}

{%- set window_days = var('onboarding_window_days') -%}

with

assignments as (

    select * from {{ ref('stg_gateway__consumer_experiments') }}

),

onboarding as (

    select * from {{ ref('fct_onboarding') }}

),

requests as (

    select * from {{ ref('stg_gateway__requests') }}

),

horizon as (

    select max(requested_at) as observed_until from requests

),

final as (

    select
        assignments.experiment_id,
        assignments.consumer_id,
        assignments.variant,
        assignments.variant = '{{ var("experiment_control_variant") }}' as is_control,
        onboarding.signed_up_at,
        onboarding.cohort_week_start_on,
        onboarding.has_first_success,
        onboarding.is_first_success_within_window,
        onboarding.minutes_to_first_success,
        cast(coalesce(onboarding.first_day_request_count, 0) as {{ dbt.type_bigint() }}) as first_day_request_count,
        cast(coalesce(onboarding.first_day_client_error_count, 0) as {{ dbt.type_bigint() }})
            as first_day_client_error_count,
        coalesce(
            {{ dbt.dateadd('day', window_days, 'onboarding.signed_up_at') }} <= horizon.observed_until,
            false
        ) as is_window_complete

    from assignments
    -- Consumers without a sign-up time have no onboarding clock (see fct_onboarding).
    inner join onboarding
        on assignments.consumer_id = onboarding.consumer_id
    cross join horizon

)

select * from final

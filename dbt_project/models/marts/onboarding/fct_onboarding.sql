{#
    One row per consumer with a known sign-up time: how its onboarding went. Consumers
    that never called are kept (null first call and success), so they count in the
    denominator of onboarding_success_rate.
#}

{%- set window_minutes = var('onboarding_window_days') * 24 * 60 -%}

with

consumers as (

    select * from {{ ref('dim_consumers') }}

),

consumer_requests as (

    select * from {{ ref('int_requests_aggregated_to_consumers') }}

),

experiments as (

    select * from {{ ref('stg_gateway__consumer_experiments') }}

),

ranked_experiments as (

    select
        consumer_id,
        experiment_id,
        variant,
        row_number() over (partition by consumer_id order by experiment_id) as experiment_rank

    from experiments

),

first_experiment as (

    -- With several concurrent experiments the first by id is shown here; the full
    -- assignment list is stg_gateway__consumer_experiments.
    select * from ranked_experiments where experiment_rank = 1

),

joined as (

    select
        consumers.consumer_id,
        consumers.signed_up_at,
        consumers.cohort_week_start_on,
        consumers.plan,
        consumers.is_partner,
        first_experiment.experiment_id,
        first_experiment.variant as experiment_variant,
        consumer_requests.first_call_at,
        consumer_requests.first_success_at,
        {{ minutes_between('consumers.signed_up_at', 'consumer_requests.first_call_at') }}
            as minutes_to_first_call,
        {{ minutes_between('consumers.signed_up_at', 'consumer_requests.first_success_at') }}
            as minutes_to_first_success

    from consumers
    left join consumer_requests
        on consumers.consumer_id = consumer_requests.consumer_id
    left join first_experiment
        on consumers.consumer_id = first_experiment.consumer_id
    -- Without a sign-up time a consumer has no cohort and no onboarding clock
    -- (dim_consumers warns about such rows).
    where consumers.signed_up_at is not null

),

final as (

    select
        consumer_id,
        signed_up_at,
        cohort_week_start_on,
        plan,
        is_partner,
        experiment_id,
        experiment_variant,
        first_call_at,
        first_success_at,
        minutes_to_first_call,
        minutes_to_first_success,
        first_call_at is not null as has_first_call,
        first_success_at is not null as has_first_success,
        coalesce(minutes_to_first_success <= {{ window_minutes }}, false)
            as is_first_success_within_window

    from joined

)

select * from final

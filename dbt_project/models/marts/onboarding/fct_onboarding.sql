{#
    One row per consumer with a known sign-up time: how its onboarding went. Consumers
    that never called are kept (null first call and success), so they count in the
    denominator of onboarding_success_rate.
#}

{%- set window_minutes = var('onboarding_window_days') * 24 * 60 -%}
{%- set ticket_window_days = var('onboarding_ticket_window_days') -%}

with

consumers as (

    select * from {{ ref('dim_consumers') }}

),

consumer_requests as (

    select * from {{ ref('int_requests_aggregated_to_consumers') }}

),

meaningful_use as (

    select * from {{ ref('int_consumers_reached_meaningful_use') }}

),

first_days as (

    select * from {{ ref('int_requests_aggregated_to_consumer_first_days') }}

),

consumer_tickets as (

    select * from {{ ref('int_tickets_aggregated_to_consumers') }}

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
            as minutes_to_first_success,
        meaningful_use.meaningful_use_at,
        {{ minutes_between('consumers.signed_up_at', 'meaningful_use.meaningful_use_at') }}
            as minutes_to_meaningful_use,
        first_days.first_day_request_count,
        first_days.first_day_client_error_count,
        consumer_tickets.first_ticket_at,
        coalesce(
            consumer_tickets.first_ticket_at
                <= {{ dbt.dateadd('day', ticket_window_days, 'consumers.signed_up_at') }},
            false
        ) as has_onboarding_ticket

    from consumers
    left join consumer_requests
        on consumers.consumer_id = consumer_requests.consumer_id
    left join meaningful_use
        on consumers.consumer_id = meaningful_use.consumer_id
    left join first_days
        on consumers.consumer_id = first_days.consumer_id
    left join consumer_tickets
        on consumers.consumer_id = consumer_tickets.consumer_id
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
        meaningful_use_at,
        first_ticket_at,
        minutes_to_first_call,
        minutes_to_first_success,
        minutes_to_meaningful_use,
        first_call_at is not null as has_first_call,
        first_success_at is not null as has_first_success,
        meaningful_use_at is not null as has_meaningful_use,
        coalesce(minutes_to_first_success <= {{ window_minutes }}, false)
            as is_first_success_within_window,
        first_day_request_count,
        first_day_client_error_count,
        {{ safe_divide('first_day_client_error_count', 'first_day_request_count') }}
            as first_day_client_error_rate,
        has_onboarding_ticket

    from joined

)

select * from final

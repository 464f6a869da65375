{{ config(severity='warn') }}

-- A consumer's first request should not precede its sign-up (the issue of its first key).
-- When it does, the registry's created_at or the gateway clock is off, and
-- time_to_first_call / time_to_first_success come out negative for that consumer.
select
    consumer_id,
    signed_up_at,
    first_call_at,
    minutes_to_first_call

from {{ ref('fct_onboarding') }}
where minutes_to_first_call < 0

{#
    One row per consumer that reached meaningful use: the first moment its cumulative
    successes reach var('meaningful_calls') across at least var('meaningful_routes')
    distinct routes. Both counts only grow, so that moment is the later of the moment the
    N-th success happened and the moment the M-th distinct route got its first success.

    The N-th success is found without ranking every success: the daily success counts
    (int_successes_aggregated_to_consumer_route_days) give the day the running count
    reaches N, and only that one day of the consumer's successes is ranked. Every earlier
    day's successes came earlier, so the rank within the day is the rank overall. The
    routes' first successes come from the same daily aggregate (its first_success_at), so
    the requests are read once, for those days only.
#}

{#- A table, not a view: fct_onboarding and two tests read it. -#}
{{ config(materialized='table') }}

{%- set meaningful_calls = var('meaningful_calls') -%}
{%- set meaningful_routes = var('meaningful_routes') -%}

with

requests as (

    select * from {{ ref('stg_gateway__requests') }}

),

route_days as (

    select * from {{ ref('int_successes_aggregated_to_consumer_route_days') }}

),

consumer_days as (

    select
        consumer_id,
        activity_on,
        sum(success_count) as success_count

    from route_days
    group by consumer_id, activity_on

),

running_counts as (

    select
        consumer_id,
        activity_on,
        success_count,
        sum(success_count) over (
            partition by consumer_id
            order by activity_on
            rows between unbounded preceding and current row
        ) as successes_through_day

    from consumer_days

),

nth_success_days as (

    -- The day the running count reaches N, and N's rank among that day's successes.
    select
        consumer_id,
        activity_on,
        {{ meaningful_calls }} - (successes_through_day - success_count) as rank_on_day

    from running_counts
    where successes_through_day >= {{ meaningful_calls }}
        and successes_through_day - success_count < {{ meaningful_calls }}

),

successes_on_nth_day as (

    select
        requests.consumer_id,
        requests.requested_at,
        nth_success_days.rank_on_day,
        -- No tie-break on request_id: successes at the same instant may take either
        -- number, but the N-th one's requested_at is the same whichever it is, and not
        -- reading the ids halves this scan of the requests.
        row_number() over (
            partition by requests.consumer_id
            order by requests.requested_at
        ) as success_number_on_day

    from requests
    inner join nth_success_days
        on requests.consumer_id = nth_success_days.consumer_id
        and requests.requested_on = nth_success_days.activity_on
    where requests.is_success

),

nth_success as (

    select
        consumer_id,
        requested_at as nth_success_at

    from successes_on_nth_day
    where success_number_on_day = rank_on_day

),

route_first_successes as (

    -- From the daily aggregate too: a route's first success is its earliest day's first.
    select
        consumer_id,
        route_name,
        min(first_success_at) as first_success_on_route_at

    from route_days
    where route_name <> 'unknown'
    group by consumer_id, route_name

),

ranked_routes as (

    select
        consumer_id,
        first_success_on_route_at,
        row_number() over (
            partition by consumer_id
            order by first_success_on_route_at, route_name
        ) as route_number

    from route_first_successes

),

nth_route as (

    select
        consumer_id,
        first_success_on_route_at as nth_route_at

    from ranked_routes
    where route_number = {{ meaningful_routes }}

),

final as (

    select
        nth_success.consumer_id,
        nth_success.nth_success_at,
        nth_route.nth_route_at,
        case
            when nth_success.nth_success_at >= nth_route.nth_route_at then nth_success.nth_success_at
            else nth_route.nth_route_at
        end as meaningful_use_at

    from nth_success
    inner join nth_route
        on nth_success.consumer_id = nth_route.consumer_id

)

select * from final

{#
    One row per consumer that reached meaningful use: the first moment its cumulative
    successes reach var('meaningful_calls') across at least var('meaningful_routes')
    distinct routes. Both counts only grow, so that moment is the later of the moment the
    N-th success happened and the moment the M-th distinct route got its first success.
#}

{%- set meaningful_calls = var('meaningful_calls') -%}
{%- set meaningful_routes = var('meaningful_routes') -%}

with

requests as (

    select * from {{ ref('stg_gateway__requests') }}

),

successes as (

    select
        consumer_id,
        route_name,
        requested_at,
        row_number() over (
            partition by consumer_id
            order by requested_at, request_id
        ) as success_number

    from requests
    where consumer_id is not null
        and is_success

),

nth_success as (

    select
        consumer_id,
        requested_at as nth_success_at

    from successes
    where success_number = {{ meaningful_calls }}

),

route_first_successes as (

    select
        consumer_id,
        route_name,
        min(requested_at) as first_success_on_route_at

    from successes
    where route_name is not null
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

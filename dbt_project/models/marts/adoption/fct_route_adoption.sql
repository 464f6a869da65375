{#
    One row per API route of seed api_routes (health checks excluded): route_adoption_days
    = days from the route's released_on until the first day on which at least
    var('route_adoption_share') of the 28d-active consumers had a success on the route in
    those same trailing 28 days.

    Censoring: null while not reached ('not_yet_adopted'), and null for routes released
    before the first observed day of traffic ('released_before_observation': the day the
    share was first reached is not in the data).
#}

{%- set adoption_share = var('route_adoption_share') -%}

with

routes as (

    select * from {{ ref('api_routes') }}

),

days as (

    select * from {{ ref('int_days_observed') }}

),

route_days as (

    select * from {{ ref('int_successes_aggregated_to_consumer_route_days') }}

),

consumer_days as (

    select * from {{ ref('int_successes_aggregated_to_consumer_days') }}

),

bounds as (

    select
        min(first_observed_on) as first_observed_on,
        max(last_observed_on) as last_observed_on

    from days

),

-- Each consumer's active days as disjoint ranges of the 28-day windows they count toward:
-- a day's distinct consumers are the ranges holding it (see trailing_window_coverage).
consumer_coverage as (

    {{ trailing_window_coverage('consumer_days', 'consumer_id', 'activity_on', 28) }}

),

route_coverage as (

    {{ trailing_window_coverage('route_days', 'consumer_id', 'activity_on', 28, ['route_name']) }}

),

active_28d as (

    select
        days.date_day,
        count(*) as active_consumers_28d

    from days
    inner join consumer_coverage
        on days.date_day >= consumer_coverage.covers_from
        and days.date_day <= consumer_coverage.covers_through
    group by days.date_day

),

route_users_28d as (

    select
        days.date_day,
        route_coverage.route_name,
        count(*) as route_consumers_28d

    from days
    inner join route_coverage
        on days.date_day >= route_coverage.covers_from
        and days.date_day <= route_coverage.covers_through
    group by days.date_day, route_coverage.route_name

),

route_shares as (

    select
        route_users_28d.date_day,
        route_users_28d.route_name,
        route_users_28d.route_consumers_28d,
        active_28d.active_consumers_28d,
        {{ safe_divide('route_users_28d.route_consumers_28d', 'active_28d.active_consumers_28d') }} as route_share

    from route_users_28d
    inner join active_28d
        on route_users_28d.date_day = active_28d.date_day

),

adopted as (

    select
        routes.route_name,
        min(route_shares.date_day) as adopted_on

    from routes
    inner join route_shares
        on routes.route_name = route_shares.route_name
        and route_shares.date_day >= routes.released_on
    where route_shares.route_share >= {{ adoption_share }}
    group by routes.route_name

),

latest_shares as (

    select
        route_shares.route_name,
        route_shares.route_share

    from route_shares
    inner join bounds
        on route_shares.date_day = bounds.last_observed_on

),

final as (

    select
        routes.route_name,
        routes.product_id,
        routes.released_on,
        case when routes.released_on >= bounds.first_observed_on then adopted.adopted_on end as adopted_on,
        cast(case
            when routes.released_on >= bounds.first_observed_on
                then {{ dbt.datediff('routes.released_on', 'adopted.adopted_on', 'day') }}
        end as {{ dbt.type_int() }}) as route_adoption_days,
        cast(coalesce(latest_shares.route_share, 0) as {{ type_double() }}) as latest_route_share_28d,
        cast(case
            when routes.released_on < bounds.first_observed_on then 'released_before_observation'
            when routes.released_on > bounds.last_observed_on then 'not_released'
            when adopted.adopted_on is not null then 'adopted'
            else 'not_yet_adopted'
        end as {{ dbt.type_string() }}) as adoption_status

    from routes
    cross join bounds
    left join adopted
        on routes.route_name = adopted.route_name
    left join latest_shares
        on routes.route_name = latest_shares.route_name
    where not routes.is_health_check

)

select * from final

{#
    One row per UTC day of observed traffic: client_diversity (clients carrying at least
    var('client_family_min_share') of the trailing 28 days' requests) and
    active_partner_integrations (partner consumers with a success in the trailing 28 days).
#}

with

days as (

    select * from {{ ref('int_days_observed') }}

),

clients as (

    select * from {{ ref('agg_client_traffic_daily') }}

),

consumer_days as (

    select * from {{ ref('int_successes_aggregated_to_consumer_days') }}

),

consumers as (

    select * from {{ ref('dim_consumers') }}

),

diversity as (

    select
        requested_on,
        sum(case when carries_min_share_28d then 1 else 0 end) as client_diversity

    from clients
    group by requested_on

),

partners as (

    select
        days.date_day,
        count(distinct consumer_days.consumer_id) as active_partner_integrations

    from days
    inner join consumer_days
        on consumer_days.activity_on <= days.date_day
        and consumer_days.activity_on > cast({{ dbt.dateadd('day', -28, 'days.date_day') }} as date)
    inner join consumers
        on consumer_days.consumer_id = consumers.consumer_id
    where consumers.is_partner
    group by days.date_day

),

final as (

    select
        days.date_day as activity_on,
        cast(coalesce(diversity.client_diversity, 0) as {{ dbt.type_bigint() }}) as client_diversity,
        cast(coalesce(partners.active_partner_integrations, 0) as {{ dbt.type_bigint() }})
            as active_partner_integrations,
        cast({{ dbt.dateadd('day', -27, 'days.date_day') }} as date) >= days.first_observed_on as is_28d_complete

    from days
    left join diversity
        on days.date_day = diversity.requested_on
    left join partners
        on days.date_day = partners.date_day

)

select * from final

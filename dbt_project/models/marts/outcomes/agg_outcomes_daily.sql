{#
    One row per UTC day of observed traffic: active_consumer_growth_wow = 7d active
    consumers ÷ 7d active consumers seven days earlier − 1. Only computed when both
    7-day windows lie inside the observed traffic.
#}

with

active as (

    select * from {{ ref('agg_active_consumers_daily') }}

),

final as (

    select
        active.activity_on,
        active.active_consumers_7d,
        previous.active_consumers_7d as previous_week_active_consumers_7d,
        case
            when active.is_7d_complete and previous.is_7d_complete
                then {{ safe_divide('active.active_consumers_7d', 'previous.active_consumers_7d') }} - 1
        end as active_consumer_growth_wow

    from active
    left join active as previous
        on previous.activity_on = cast({{ dbt.dateadd('day', -7, 'active.activity_on') }} as date)

)

select * from final

{#
    One row per UTC day of observed gateway traffic: active_consumers that day and over
    the trailing 7 and 28 days (the day and the 6 / 27 before it), and repeat_usage_rate =
    consumers active on at least var('repeat_days') distinct days of the trailing 28 ÷
    28d active consumers. A window reaching before the first observed day is flagged
    incomplete (its counts can only be too low).
#}

{%- set repeat_days = var('repeat_days') -%}

with

days as (

    select * from {{ ref('int_days_observed') }}

),

consumer_days as (

    select * from {{ ref('int_successes_aggregated_to_consumer_days') }}

),

consumer_windows as (

    select
        days.date_day,
        consumer_days.consumer_id,
        count(*) as active_days_28d,
        max(case when consumer_days.activity_on = days.date_day then 1 else 0 end) as is_active_day,
        max(
            case
                when consumer_days.activity_on > cast({{ dbt.dateadd('day', -7, 'days.date_day') }} as date)
                    then 1
                else 0
            end
        ) as is_active_7d

    from days
    inner join consumer_days
        on consumer_days.activity_on <= days.date_day
        and consumer_days.activity_on > cast({{ dbt.dateadd('day', -28, 'days.date_day') }} as date)
    group by days.date_day, consumer_days.consumer_id

),

per_day as (

    select
        date_day,
        sum(is_active_day) as active_consumers,
        sum(is_active_7d) as active_consumers_7d,
        count(*) as active_consumers_28d,
        sum(case when active_days_28d >= {{ repeat_days }} then 1 else 0 end) as repeat_consumers_28d

    from consumer_windows
    group by date_day

),

final as (

    select
        days.date_day as activity_on,
        cast(coalesce(per_day.active_consumers, 0) as {{ dbt.type_bigint() }}) as active_consumers,
        cast(coalesce(per_day.active_consumers_7d, 0) as {{ dbt.type_bigint() }}) as active_consumers_7d,
        cast(coalesce(per_day.active_consumers_28d, 0) as {{ dbt.type_bigint() }}) as active_consumers_28d,
        cast(coalesce(per_day.repeat_consumers_28d, 0) as {{ dbt.type_bigint() }}) as repeat_consumers_28d,
        {{ safe_divide('per_day.repeat_consumers_28d', 'per_day.active_consumers_28d') }} as repeat_usage_rate,
        cast({{ dbt.dateadd('day', -6, 'days.date_day') }} as date) >= days.first_observed_on as is_7d_complete,
        cast({{ dbt.dateadd('day', -27, 'days.date_day') }} as date) >= days.first_observed_on as is_28d_complete

    from days
    left join per_day
        on days.date_day = per_day.date_day

)

select * from final

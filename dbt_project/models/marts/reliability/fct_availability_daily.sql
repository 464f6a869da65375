{#
    One row per UTC day × API product: availability = good ÷ valid requests, and the
    same ratio over the trailing 28 days (the day and the 27 before it). Every day with
    gateway traffic gets a row for every product seen in the traffic, so the rolling
    ratio is defined on quiet days too.
#}

with

minutes as (

    -- Per product × minute counts (incremental by day): summing them is the same as
    -- counting requests, without scanning every request again.
    select * from {{ ref('int_requests_aggregated_to_minute') }}

),

daily as (

    select
        requested_on,
        product_id,
        cast(sum(total_requests) as {{ dbt.type_bigint() }}) as total_requests,
        cast(sum(valid_requests) as {{ dbt.type_bigint() }}) as valid_requests,
        cast(sum(good_requests) as {{ dbt.type_bigint() }}) as good_requests

    from minutes
    group by requested_on, product_id

),

days as (

    select distinct requested_on from daily

),

products as (

    select distinct product_id from daily

),

spine as (

    select
        days.requested_on,
        products.product_id

    from days
    cross join products

),

filled as (

    select
        spine.requested_on,
        spine.product_id,
        coalesce(daily.total_requests, 0) as total_requests,
        coalesce(daily.valid_requests, 0) as valid_requests,
        coalesce(daily.good_requests, 0) as good_requests

    from spine
    left join daily
        on spine.requested_on = daily.requested_on
        and spine.product_id = daily.product_id

),

rolling as (

    select
        filled.requested_on,
        filled.product_id,
        cast(sum(trailing_days.valid_requests) as {{ dbt.type_bigint() }}) as valid_requests_28d,
        cast(sum(trailing_days.good_requests) as {{ dbt.type_bigint() }}) as good_requests_28d

    from filled
    inner join daily as trailing_days
        on filled.product_id = trailing_days.product_id
        and trailing_days.requested_on <= filled.requested_on
        and trailing_days.requested_on > {{ dbt.dateadd('day', -28, 'filled.requested_on') }}
    group by filled.requested_on, filled.product_id

),

final as (

    select
        filled.requested_on,
        filled.product_id,
        filled.total_requests,
        filled.valid_requests,
        filled.good_requests,
        {{ safe_divide('filled.good_requests', 'filled.valid_requests') }} as availability,
        coalesce(rolling.valid_requests_28d, 0) as valid_requests_28d,
        coalesce(rolling.good_requests_28d, 0) as good_requests_28d,
        {{ safe_divide('rolling.good_requests_28d', 'rolling.valid_requests_28d') }} as availability_28d

    from filled
    left join rolling
        on filled.requested_on = rolling.requested_on
        and filled.product_id = rolling.product_id

)

select * from final

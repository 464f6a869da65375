{#
    One row per SLO × 5-minute evaluation (evaluated_at = end of a 5-minute bucket with
    gateway traffic). Events are the SLO's (see fct_slo_daily), summed into 5-minute
    buckets first, then over trailing windows ending at evaluated_at: 5m, 30m, 1h, 6h, 3d.
    burn_rate_<w> = (bad ÷ valid over w) ÷ (1 - target); null without valid requests.
    SRE-workbook multi-window rule (28-30 day SLO): page when 1h and 5m both exceed 14.4
    or 6h and 30m both exceed 6; ticket when 3d and 6h both exceed 1. A rule only fires
    with at least var('burn_min_requests') valid requests in its long window. An alert
    stops (resets) as soon as its short window drops below the factor.
#}

{%- set windows = {'5m': 1, '30m': 6, '1h': 12, '6h': 72, '3d': 864} %}

with

minutes as (

    select * from {{ ref('int_requests_aggregated_to_minute') }}

),

slos as (

    select * from {{ ref('slos') }}

),

product_buckets as (

    select
        product_id,
        cast(floor(minute_number / 5.0) as {{ dbt.type_bigint() }}) as bucket_number,
        sum(valid_requests) as valid_requests,
        sum(valid_requests - good_requests) as server_error_requests,
        sum(slow_valid_requests) as slow_valid_requests

    from minutes
    group by 1, 2

),

buckets as (

    select distinct bucket_number from product_buckets

),

slo_buckets as (

    select
        slos.slo_id,
        slos.target,
        buckets.bucket_number,
        coalesce(product_buckets.valid_requests, 0) as valid_requests,
        coalesce(
            case
                when slos.sli = 'availability' then product_buckets.server_error_requests
                when slos.sli = 'latency' then product_buckets.slow_valid_requests
            end,
            0
        ) as bad_requests

    from slos
    cross join buckets
    left join product_buckets
        on slos.product_id = product_buckets.product_id
        and buckets.bucket_number = product_buckets.bucket_number

),

windowed as (

    select
        slo_id,
        target,
        bucket_number,
        {%- for name, buckets in windows.items() %}
        sum(valid_requests) over (
            partition by slo_id order by bucket_number
            range between {{ buckets - 1 }} preceding and current row
        ) as valid_requests_{{ name }},
        sum(bad_requests) over (
            partition by slo_id order by bucket_number
            range between {{ buckets - 1 }} preceding and current row
        ) as bad_requests_{{ name }}{% if not loop.last %},{% endif %}
        {%- endfor %}

    from slo_buckets

),

rates as (

    select
        slo_id,
        bucket_number,
        {%- for name in windows %}
        cast(valid_requests_{{ name }} as {{ dbt.type_bigint() }}) as valid_requests_{{ name }},
        {{ safe_divide(safe_divide('bad_requests_' ~ name, 'valid_requests_' ~ name), '1 - target') }} as burn_rate_{{ name }}{% if not loop.last %},{% endif %}
        {%- endfor %}

    from windowed

),

final as (

    select
        slo_id,
        {{ timestamp_from_epoch_minute('(bucket_number + 1) * 5') }} as evaluated_at,
        bucket_number,
        {%- for name in windows %}
        valid_requests_{{ name }},
        burn_rate_{{ name }},
        {%- endfor %}
        coalesce(
            burn_rate_1h > 14.4 and burn_rate_5m > 14.4
            and valid_requests_1h >= {{ var('burn_min_requests') }},
            false
        ) as is_fast_page_firing,
        coalesce(
            burn_rate_6h > 6 and burn_rate_30m > 6
            and valid_requests_6h >= {{ var('burn_min_requests') }},
            false
        ) as is_slow_page_firing,
        coalesce(
            burn_rate_3d > 1 and burn_rate_6h > 1
            and valid_requests_3d >= {{ var('burn_min_requests') }},
            false
        ) as is_ticket_firing

    from rates

)

select * from final

{#
    One row per SLO (seed slos) × UTC day with gateway traffic.
    - Events: valid requests of the SLO's product; bad = valid and status >= 500
      (availability SLOs) or valid and latency_ms above the SLO's threshold (latency SLOs).
    - sli = 1 - bad ÷ valid of the day (for latency SLOs this is latency_sli).
    - Over the trailing window (window_days: the day and the window_days - 1 before it):
      slo_attainment = 1 - bad ÷ valid, is_met = slo_attainment >= target, and
      error_budget_remaining = 1 - bad ÷ ((1 - target) × valid); negative when exhausted.
    Values are null without valid requests.
#}

with

minutes as (

    select * from {{ ref('int_requests_aggregated_to_minute') }}

),

slos as (

    select * from {{ ref('slos') }}

),

product_days as (

    select
        product_id,
        requested_on,
        sum(valid_requests) as valid_requests,
        sum(valid_requests - good_requests) as server_error_requests,
        sum(slow_valid_requests) as slow_valid_requests

    from minutes
    group by product_id, requested_on

),

days as (

    select distinct requested_on from product_days

),

slo_days as (

    select
        slos.slo_id,
        slos.product_id,
        slos.sli as sli_type,
        slos.target,
        slos.latency_threshold_ms,
        slos.window_days,
        days.requested_on,
        cast(coalesce(product_days.valid_requests, 0) as {{ dbt.type_bigint() }}) as valid_requests,
        cast(coalesce(
            case
                when slos.sli = 'availability' then product_days.server_error_requests
                when slos.sli = 'latency' then product_days.slow_valid_requests
            end,
            0
        ) as {{ dbt.type_bigint() }}) as bad_requests

    from slos
    cross join days
    left join product_days
        on slos.product_id = product_days.product_id
        and days.requested_on = product_days.requested_on

),

windowed as (

    select
        slo_days.slo_id,
        slo_days.requested_on,
        cast(sum(trailing_days.valid_requests) as {{ dbt.type_bigint() }}) as valid_requests_window,
        cast(sum(trailing_days.bad_requests) as {{ dbt.type_bigint() }}) as bad_requests_window,
        cast(count(*) as {{ dbt.type_bigint() }}) as days_observed_window

    from slo_days
    inner join slo_days as trailing_days
        on slo_days.slo_id = trailing_days.slo_id
        and trailing_days.requested_on <= slo_days.requested_on
        and trailing_days.requested_on > {{ dbt.dateadd('day', '-1 * slo_days.window_days', 'slo_days.requested_on') }}
    group by slo_days.slo_id, slo_days.requested_on

),

final as (

    select
        slo_days.slo_id,
        slo_days.requested_on,
        slo_days.product_id,
        slo_days.sli_type,
        slo_days.target,
        slo_days.latency_threshold_ms,
        slo_days.window_days,
        slo_days.valid_requests,
        slo_days.bad_requests,
        1 - {{ safe_divide('slo_days.bad_requests', 'slo_days.valid_requests') }} as sli,
        case
            when slo_days.sli_type = 'latency'
                then 1 - {{ safe_divide('slo_days.bad_requests', 'slo_days.valid_requests') }}
        end as latency_sli,
        windowed.valid_requests_window,
        windowed.bad_requests_window,
        windowed.days_observed_window = slo_days.window_days as is_full_window,
        1 - {{ safe_divide('windowed.bad_requests_window', 'windowed.valid_requests_window') }} as slo_attainment,
        1 - {{ safe_divide('windowed.bad_requests_window', 'windowed.valid_requests_window') }} >= slo_days.target as is_met,
        1 - {{ safe_divide('windowed.bad_requests_window',
                           '(1 - slo_days.target) * windowed.valid_requests_window') }} as error_budget_remaining

    from slo_days
    inner join windowed
        on slo_days.slo_id = windowed.slo_id
        and slo_days.requested_on = windowed.requested_on

)

select * from final

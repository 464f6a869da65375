{#
    What stakeholders read first: one row per published series of metrics_daily
    (metric × grain × segment × statistic) with its latest value, the value of the period
    before it, the change, the trend, the status against target and whether the move is good.
    - trend: `flat` when |change ÷ previous| <= var('flat_band') (when previous is 0: when
      the change is 0), else `up` / `down`; null without a previous value.
    - target: metric_definitions.target, except where an SLO sets its own (seed slos):
      slo_attainment on `slo:<slo_id>` takes that SLO's target; availability and latency_sli
      on `product:<product_id>` take the product's availability / latency SLO target when it
      has one. It applies to the statistics value, median, rolling_28d and max (p90 and
      mean have no target: status null).
    - status: `breach` when the latest value misses the target (below it for
      higher_is_better, above it for lower_is_better); `warn` when it meets the target but
      just moved the wrong way (trend beyond the flat band, against the direction: at risk);
      `ok` otherwise.
    - is_good_move: up for higher_is_better or down for lower_is_better; null when flat.
#}

with

metrics as (

    select * from {{ ref('metrics_daily') }}

),

definitions as (

    select * from {{ ref('metric_definitions') }}

),

slos as (

    select * from {{ ref('slos') }}

),

ranked as (

    select
        metrics.*,
        row_number() over (
            partition by metric_id, grain, segment, statistic
            order by date desc
        ) as recency_rank

    from metrics

),

latest as (

    select * from ranked where recency_rank = 1

),

previous as (

    select * from ranked where recency_rank = 2

),

joined as (

    select
        latest.metric_id,
        latest.grain,
        latest.segment,
        latest.statistic,
        definitions.metric_name,
        definitions.family,
        definitions.owner_team,
        definitions.alert_tier,
        definitions.unit,
        definitions.direction,
        latest.date as latest_on,
        latest.value as latest_value,
        latest.is_complete,
        previous.date as previous_on,
        previous.value as previous_value,
        latest.value - previous.value as value_change,
        {{ safe_divide('latest.value - previous.value', 'abs(previous.value)') }} as relative_change,
        case
            when latest.statistic not in ('value', 'median', 'rolling_28d', 'max') then null
            when latest.metric_id = 'slo_attainment' then slos.target
            when latest.metric_id in ('availability', 'latency_sli') then coalesce(product_slos.target, definitions.target)
            else definitions.target
        end as target

    from latest
    inner join definitions
        on latest.metric_id = definitions.metric_id
    left join previous
        on latest.metric_id = previous.metric_id
        and latest.grain = previous.grain
        and latest.segment = previous.segment
        and latest.statistic = previous.statistic
    left join slos
        on latest.segment = {{ dbt.concat(["'slo:'", 'slos.slo_id']) }}
    left join slos as product_slos
        on latest.segment = {{ dbt.concat(["'product:'", 'product_slos.product_id']) }}
        and product_slos.sli = case latest.metric_id
            when 'availability' then 'availability'
            when 'latency_sli' then 'latency'
        end

),

classified as (

    select
        joined.*,
        case
            when previous_value is null then null
            when relative_change is null and value_change = 0 then 'flat'
            when relative_change is not null and abs(relative_change) <= {{ var('flat_band') }} then 'flat'
            when value_change > 0 then 'up'
            else 'down'
        end as trend,
        case
            when target is null then null
            when direction = 'higher_is_better' and latest_value < target then 'breach'
            when direction = 'lower_is_better' and latest_value > target then 'breach'
        end as breach_status

    from joined

),

with_status as (

    select
        classified.*,
        case
            when trend = 'up' then direction = 'higher_is_better'
            when trend = 'down' then direction = 'lower_is_better'
        end as is_good_move,
        case
            when target is null then null
            when breach_status is not null then breach_status
            when (trend = 'up' and direction = 'lower_is_better')
                or (trend = 'down' and direction = 'higher_is_better') then 'warn'
            else 'ok'
        end as status

    from classified

),

final as (

    select
        metric_id,
        grain,
        segment,
        statistic,
        metric_name,
        family,
        owner_team,
        alert_tier,
        unit,
        direction,
        latest_on,
        latest_value,
        is_complete,
        previous_on,
        previous_value,
        value_change,
        relative_change,
        trend,
        target,
        status,
        is_good_move

    from with_status

)

select * from final

{#
    One row per anomalous value of metrics_daily: its robust z-score against the trailing
    28 values of the same weekday-adjusted series exceeds var('anomaly_z') in absolute value.
    - Series: metric × grain × segment × statistic, ordered by date.
    - Weekday adjustment (day grain only): adjusted = value − (median of the series on
      that weekday − median of the series), medians over the whole series; other grains
      are not adjusted.
    - Baseline: the 28 values before it in the series (at least var('anomaly_min_values')).
      robust z = (adjusted − median(baseline)) ÷ (1.4826 × MAD(baseline)); when MAD is 0,
      1.2533 × mean absolute deviation from the median stands in (Iglewicz-Hoaglin); when
      both are 0 (below 1e-9 of the median: rounding noise) there is no z-score.
#}

{%- set series = ['metric_id', 'grain', 'segment', 'statistic'] %}

with

metrics as (

    select * from {{ ref('metrics_daily') }}

),

definitions as (

    select * from {{ ref('metric_definitions') }}

),

with_weekday as (

    select
        metrics.*,
        -- 0 = Monday (1970-01-05 was a Monday); portable day of week.
        mod({{ dbt.datediff("cast('1970-01-05' as date)", 'metrics.date', 'day') }}, 7) as weekday_number

    from metrics

),

series_medians as (

    select
        {{ series | join(', ') }},
        {{ percentile_cont('value', 0.5) }} as series_median

    from with_weekday
    group by {{ series | join(', ') }}

),

weekday_medians as (

    select
        {{ series | join(', ') }},
        weekday_number,
        {{ percentile_cont('value', 0.5) }} as weekday_median

    from with_weekday
    where grain = 'day'
    group by {{ series | join(', ') }}, weekday_number

),

adjusted as (

    select
        {%- for column in series %}
        with_weekday.{{ column }},
        {%- endfor %}
        with_weekday.date,
        with_weekday.value,
        with_weekday.value - coalesce(weekday_medians.weekday_median - series_medians.series_median, 0) as adjusted_value,
        row_number() over (
            partition by {% for column in series %}with_weekday.{{ column }}{% if not loop.last %}, {% endif %}{% endfor %}
            order by with_weekday.date
        ) as series_position

    from with_weekday
    inner join series_medians
        on {% for column in series %}with_weekday.{{ column }} = series_medians.{{ column }}{% if not loop.last %}
        and {% endif %}{% endfor %}
    left join weekday_medians
        on {% for column in series %}with_weekday.{{ column }} = weekday_medians.{{ column }}
        and {% endfor %}with_weekday.weekday_number = weekday_medians.weekday_number

),

trailing_values as (

    select
        {%- for column in series %}
        current_values.{{ column }},
        {%- endfor %}
        current_values.date,
        current_values.series_position,
        baseline_values.adjusted_value as baseline_value

    from adjusted as current_values
    inner join adjusted as baseline_values
        on {% for column in series %}current_values.{{ column }} = baseline_values.{{ column }}
        and {% endfor %}baseline_values.series_position < current_values.series_position
        and baseline_values.series_position >= current_values.series_position - 28

),

baseline as (

    select
        {{ series | join(', ') }},
        date,
        count(*) as baseline_values,
        {{ percentile_cont('baseline_value', 0.5) }} as baseline_median

    from trailing_values
    group by {{ series | join(', ') }}, date

),

deviations as (

    select
        {%- for column in series %}
        baseline.{{ column }},
        {%- endfor %}
        baseline.date,
        {{ percentile_cont('abs(trailing_values.baseline_value - baseline.baseline_median)', 0.5) }} as baseline_mad,
        avg(abs(trailing_values.baseline_value - baseline.baseline_median)) as baseline_mean_absolute_deviation

    from baseline
    inner join trailing_values
        on {% for column in series %}baseline.{{ column }} = trailing_values.{{ column }}
        and {% endfor %}baseline.date = trailing_values.date
    group by {% for column in series %}baseline.{{ column }}, {% endfor %}baseline.date

),

scored as (

    select
        {%- for column in series %}
        adjusted.{{ column }},
        {%- endfor %}
        adjusted.date,
        adjusted.value,
        adjusted.adjusted_value,
        cast(baseline.baseline_values as {{ dbt.type_bigint() }}) as baseline_values,
        baseline.baseline_median,
        deviations.baseline_mad,
        -- Deviations below 1e-9 of the median's size are floating-point noise, not spread.
        case
            when deviations.baseline_mad > 1e-9 * abs(baseline.baseline_median) + 1e-12
                then 1.4826 * deviations.baseline_mad
            when deviations.baseline_mean_absolute_deviation > 1e-9 * abs(baseline.baseline_median) + 1e-12
                then 1.2533 * deviations.baseline_mean_absolute_deviation
        end as robust_sigma

    from adjusted
    inner join baseline
        on {% for column in series %}adjusted.{{ column }} = baseline.{{ column }}
        and {% endfor %}adjusted.date = baseline.date
    inner join deviations
        on {% for column in series %}adjusted.{{ column }} = deviations.{{ column }}
        and {% endfor %}adjusted.date = deviations.date
    where baseline.baseline_values >= {{ var('anomaly_min_values') }}

),

final as (

    select
        scored.metric_id,
        scored.grain,
        scored.segment,
        scored.statistic,
        scored.date,
        cast(scored.value as {{ type_double() }}) as value,
        cast(scored.adjusted_value as {{ type_double() }}) as adjusted_value,
        scored.baseline_values,
        cast(scored.baseline_median as {{ type_double() }}) as baseline_median,
        cast(scored.baseline_mad as {{ type_double() }}) as baseline_mad,
        cast({{ safe_divide('scored.adjusted_value - scored.baseline_median', 'scored.robust_sigma') }} as {{ type_double() }}) as robust_z,
        case when scored.adjusted_value > scored.baseline_median then 'above' else 'below' end as anomaly_direction,
        (scored.adjusted_value > scored.baseline_median) = (definitions.direction = 'lower_is_better') as is_bad_direction

    from scored
    inner join definitions
        on scored.metric_id = definitions.metric_id
    where abs({{ safe_divide('scored.adjusted_value - scored.baseline_median', 'scored.robust_sigma') }}) > {{ var('anomaly_z') }}

)

select * from final

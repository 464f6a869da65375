{#
    One row per UTC day from `start_column` to `end_column` (both inclusive), read from a
    one-row relation or CTE `bounds_relation`, as column `date_day`. Portable: built on
    dbt.generate_series (no engine range function), capped at `max_days` days.

    day_spine('bounds', 'first_on', 'last_on')
#}
{% macro day_spine(bounds_relation, start_column, end_column, max_days=4096) -%}
    select
        cast({{ dbt.dateadd('day', 'numbers.generated_number - 1', 'bounds.' ~ start_column) }} as date) as date_day

    from ({{ dbt.generate_series(max_days) }}) as numbers
    cross join {{ bounds_relation }} as bounds
    where numbers.generated_number - 1
        <= {{ dbt.datediff('bounds.' ~ start_column, 'bounds.' ~ end_column, 'day') }}
{%- endmacro %}


{#
    Growth of `column` versus the previous row of the same series (ordered by
    `order_by`, partitioned by `partition_by`): current ÷ previous − 1; NULL when there
    is no previous value or it is 0.
#}
{% macro growth_over_previous(column, order_by, partition_by=none) -%}
    ({{ safe_divide(column, 'lag(' ~ column ~ ') over (' ~ ('partition by ' ~ partition_by ~ ' ' if partition_by else '') ~ 'order by ' ~ order_by ~ ')') }} - 1)
{%- endmacro %}


{#
    The days each active day of `relation` counts toward a trailing `window_days`-day
    window, as disjoint ranges per entity: one row per (`group_by`..., entity) active day,
    with `covers_from` (that day) and `covers_through` (the window's last day, or the day
    before the entity's next active day when that comes sooner). An entity is active in the
    window ending on day D exactly when one of its ranges holds D, so counting the ranges
    that hold D counts distinct entities without a count(distinct) over every (day, active
    day) pair of the window.

    trailing_window_coverage('route_days', 'consumer_id', 'activity_on', 28, ['route_name'])
#}
{% macro trailing_window_coverage(relation, entity, day_column, window_days, group_by=[]) -%}
    {%- set window_end = 'cast(' ~ dbt.dateadd('day', window_days - 1, day_column) ~ ' as date)' %}
    select
        {{ (group_by + [day_column ~ ' as covers_from']) | join(', ') }},
        case
            when next_active_on is null or next_active_on > {{ window_end }}
                then {{ window_end }}
            else cast({{ dbt.dateadd('day', -1, 'next_active_on') }} as date)
        end as covers_through

    from (
        select
            {{ (group_by + [day_column]) | join(', ') }},
            lead({{ day_column }}) over (
                partition by {{ (group_by + [entity]) | join(', ') }} order by {{ day_column }}
            ) as next_active_on
        from {{ relation }}
    ) as active_days
{%- endmacro %}

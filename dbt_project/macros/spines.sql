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

{#
    Rows of the long-format metrics_daily table from one mart: one select per statistic,
    joined with union all. `statistics` maps a statistic name ('value', 'median', 'p90',
    ...) to the mart column holding it; rows with a null value are left out.

    metric_rows('availability', 'availability_daily', 'requested_on', "'day'",
                dbt.concat(["'product:'", 'product_id']), {'value': 'availability'})
#}
{% macro metric_rows(metric_id, relation, date_column, grain, segment, statistics, is_complete='true') -%}
    {%- for statistic, column in statistics.items() %}
    select
        cast('{{ metric_id }}' as {{ dbt.type_string() }}) as metric_id,
        cast({{ date_column }} as date) as date,
        cast({{ grain }} as {{ dbt.type_string() }}) as grain,
        cast({{ segment }} as {{ dbt.type_string() }}) as segment,
        cast('{{ statistic }}' as {{ dbt.type_string() }}) as statistic,
        cast({{ column }} as {{ type_double() }}) as value,
        {{ is_complete }} as is_complete
    from {{ relation }}
    where {{ column }} is not null
    {% if not loop.last %}union all{% endif %}
    {%- endfor %}
{%- endmacro %}

{#
    Gateway-derived models are incremental by day: a Dagster partition run passes its
    date range (start inclusive, end exclusive) and only those days, plus
    var('gateway_lookback_days') before them for late lines, are rebuilt.

    The range comes from the environment (APIPULSE_GATEWAY_START_DATE, ..._END_DATE), read
    only while a model runs (inside is_incremental(), which is false while dbt parses): dbt
    re-parses the whole project whenever --vars change, so a daily run that passed its day
    as --vars would pay a full parse every day. --vars start_date/end_date still work by
    hand.
#}

{% macro gateway_daily_config(date_column) %}
    {#- Config of a model rebuilt by day: delete+insert on DuckDB and PostgreSQL,
        insert_overwrite of day partitions on Spark (its Parquet tables cannot delete). -#}
    {%- if target.type == 'spark' -%}
        {{ return({
            'materialized': 'incremental',
            'incremental_strategy': 'insert_overwrite',
            'partition_by': [date_column],
            'file_format': 'parquet',
            'on_schema_change': 'append_new_columns',
            'tags': ['gateway_daily'],
        }) }}
    {%- else -%}
        {{ return({
            'materialized': 'incremental',
            'incremental_strategy': 'delete+insert',
            'unique_key': date_column,
            'on_schema_change': 'append_new_columns',
            'tags': ['gateway_daily'],
        }) }}
    {%- endif -%}
{% endmacro %}


{% macro gateway_incremental_window(column, this_column=none) %}
    {#- A boolean SQL condition on `column` (a date expression of the model's input) that
        keeps the days an incremental run rebuilds; `1 = 1` on a full build. Without vars,
        an incremental run rebuilds from the lookback before the newest day it holds. -#}
    {%- if is_incremental() -%}
        {%- set lookback = var('gateway_lookback_days') | int -%}
        {%- set start = env_var('APIPULSE_GATEWAY_START_DATE', '') or var('start_date', none) -%}
        {%- set end = env_var('APIPULSE_GATEWAY_END_DATE', '') or var('end_date', none) -%}
        {%- if start -%}
            {{ column }} >= cast({{ dbt.dateadd('day', -lookback, "cast('" ~ start ~ "' as date)") }} as date)
            {%- if end %} and {{ column }} < cast('{{ end }}' as date){% endif -%}
        {%- else -%}
            {{ column }} >= (
                select cast({{ dbt.dateadd('day', -lookback, 'max(' ~ (this_column or column) ~ ')') }} as date)
                from {{ this }}
            )
        {%- endif -%}
    {%- else -%}
        1 = 1
    {%- endif -%}
{% endmacro %}

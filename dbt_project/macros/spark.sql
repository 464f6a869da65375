{#
    Spark: dbt-spark applies `not_null` constraints with ALTER COLUMN ... SET NOT NULL
    whenever a model does not say its file_format (it assumes Delta). Tables here are plain
    Parquet (no Delta jars), which refuse that statement, so constraints are applied only to
    models that really are `file_format: delta`; on Parquet, the contract's column names and
    types are still enforced and not_null is left to the dbt tests.
#}
{% macro spark__persist_constraints(relation, model) %}
  {%- set contract_config = config.get('contract') -%}
  {% if contract_config.enforced and config.get('file_format') == 'delta' %}
    {% do alter_table_add_constraints(relation, model.constraints) %}
    {% do alter_column_set_constraints(relation, model.columns) %}
  {% endif %}
{% endmacro %}


{#
    Spark (method: session): dbt-spark binds seed values by pasting them between quotes
    unescaped, so a value with an apostrophe breaks the insert and an empty cell arrives as
    the string 'None'. Here values are written as escaped literals and empty cells as NULL,
    cast to the seed's column types like upstream.
#}
{% macro spark__load_csv_rows(model, agate_table) %}
  {% set batch_size = get_batch_size() %}
  {% set column_override = model['config'].get('column_types', {}) %}
  {% set statements = [] %}
  {% for chunk in agate_table.rows | batch(batch_size) %}
      {% set sql %}
          insert into {{ this.render() }} values
          {% for row in chunk -%}
              ({%- for col_name in agate_table.column_names -%}
                  {%- set inferred_type = adapter.convert_type(agate_table, loop.index0) -%}
                  {%- set type = column_override.get(col_name, inferred_type) -%}
                  {%- set value = row[loop.index0] -%}
                  {%- if value is none -%}
                    cast(null as {{ type }})
                  {%- else -%}
                    cast('{{ (value | string).replace("\\", "\\\\").replace("'", "\\'") }}' as {{ type }})
                  {%- endif -%}
                  {%- if not loop.last %},{% endif -%}
              {%- endfor -%})
              {%- if not loop.last %},{% endif %}
          {%- endfor %}
      {% endset %}
      {% do adapter.add_query(sql, abridge_sql_log=True) %}
      {% if loop.index0 == 0 %}
          {% do statements.append(sql) %}
      {% endif %}
  {% endfor %}
  {{ return(statements[0]) }}
{% endmacro %}


{#
    Spark: dbt-spark's listagg ignores the order (collect_list keeps no order), so
    fct_incidents.component_names came out in another order than on DuckDB/PostgreSQL.
    Ordered by the aggregated value itself, the collected list is sorted; any other order
    is not honoured (a warning says so), as in dbt-spark.
#}
{% macro spark__listagg(measure, delimiter_text, order_by_clause, limit_num) -%}
  {%- set normalized = (order_by_clause or '') | lower | replace('  ', ' ') | trim -%}
  {%- if normalized in ['order by ' ~ (measure | lower), 'order by ' ~ (measure | lower) ~ ' asc'] -%}
    {%- set collected = 'array_sort(collect_list(' ~ measure ~ '))' -%}
    {%- if limit_num -%}{%- set collected = 'slice(' ~ collected ~ ', 1, ' ~ limit_num ~ ')' -%}{%- endif -%}
    array_join({{ collected }}, {{ delimiter_text }})
  {%- else -%}
    {%- if order_by_clause -%}
      {%- do exceptions.warn("listagg on Spark: only 'order by " ~ measure ~ "' is honoured, not '" ~ order_by_clause ~ "'") -%}
    {%- endif -%}
    {%- set collected = 'collect_list(' ~ measure ~ ')' -%}
    {%- if limit_num -%}{%- set collected = 'slice(' ~ collected ~ ', 1, ' ~ limit_num ~ ')' -%}{%- endif -%}
    array_join({{ collected }}, {{ delimiter_text }})
  {%- endif -%}
{%- endmacro %}

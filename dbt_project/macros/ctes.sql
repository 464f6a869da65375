{#
    Placed after `as` in a CTE that is read more than once: the engine inlines it into
    each reference instead of storing its rows first. DuckDB (and PostgreSQL) materialize a
    CTE referenced twice; for a CTE that only filters a large table, storing its rows costs
    more than scanning the table twice, and past DuckDB's memory limit they spill to disk.
    Spark has no such hint (and inlines CTEs).
#}
{% macro not_materialized() -%}
    {{ return(adapter.dispatch('not_materialized', 'apipulse')()) }}
{%- endmacro %}

{% macro default__not_materialized() -%}
    not materialized
{%- endmacro %}

{% macro spark__not_materialized() -%}
{%- endmacro %}

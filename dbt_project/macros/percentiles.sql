{#
    Continuous percentile (linear interpolation) of `column` as an aggregate, e.g.
    percentile_cont('latency_ms', 0.95). NULLs are ignored. DuckDB spells it
    quantile_cont(x, p); PostgreSQL, Spark and the SQL standard use
    percentile_cont(p) within group (order by x).
#}
{% macro percentile_cont(column, fraction) -%}
    {{ return(adapter.dispatch('percentile_cont', 'apipulse')(column, fraction)) }}
{%- endmacro %}

{% macro default__percentile_cont(column, fraction) -%}
    percentile_cont({{ fraction }}) within group (order by {{ column }})
{%- endmacro %}

{% macro duckdb__percentile_cont(column, fraction) -%}
    quantile_cont({{ column }}, {{ fraction }})
{%- endmacro %}

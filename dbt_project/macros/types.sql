{#
    A 64-bit floating point type. `dbt.type_float()` is a 32-bit float on DuckDB, which
    loses precision on ratios and durations, so casts to double go through this macro.
#}
{% macro type_double() -%}
    {{ return(adapter.dispatch('type_double', 'apipulse')()) }}
{%- endmacro %}

{% macro default__type_double() -%}
    double precision
{%- endmacro %}

{% macro duckdb__type_double() -%}
    double
{%- endmacro %}

{% macro spark__type_double() -%}
    double
{%- endmacro %}


{# Divide as doubles; NULL instead of an error when the denominator is 0 or NULL. #}
{% macro safe_divide(numerator, denominator) -%}
    (cast({{ numerator }} as {{ type_double() }}) / nullif(cast({{ denominator }} as {{ type_double() }}), 0))
{%- endmacro %}

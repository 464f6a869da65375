{#
    The first substring of `column` matching the regular expression `pattern`
    (POSIX-style, no capture groups needed); NULL when nothing matches.
#}
{% macro regex_substring(column, pattern) -%}
    {{ return(adapter.dispatch('regex_substring', 'apipulse')(column, pattern)) }}
{%- endmacro %}

{% macro default__regex_substring(column, pattern) -%}
    nullif(regexp_extract({{ column }}, '{{ pattern }}', 0), '')
{%- endmacro %}

{% macro duckdb__regex_substring(column, pattern) -%}
    nullif(regexp_extract({{ column }}, '{{ pattern }}'), '')
{%- endmacro %}

{% macro postgres__regex_substring(column, pattern) -%}
    substring({{ column }} from '{{ pattern }}')
{%- endmacro %}

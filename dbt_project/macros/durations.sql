{#
    Elapsed time between two timestamps as a double, in minutes (or hours). Exact to the
    millisecond, unlike dbt.datediff(..., 'minute'), which counts minute boundaries crossed
    (10:00:59 -> 10:01:00 would count as one minute).
#}
{% macro minutes_between(start_at, end_at) -%}
    {{ return(adapter.dispatch('minutes_between', 'apipulse')(start_at, end_at)) }}
{%- endmacro %}

{% macro default__minutes_between(start_at, end_at) -%}
    (cast({{ dbt.datediff(start_at, end_at, 'millisecond') }} as {{ type_double() }}) / 60000.0)
{%- endmacro %}

{% macro duckdb__minutes_between(start_at, end_at) -%}
    (cast(epoch_ms({{ end_at }}) - epoch_ms({{ start_at }}) as {{ type_double() }}) / 60000.0)
{%- endmacro %}

{% macro postgres__minutes_between(start_at, end_at) -%}
    (cast(extract(epoch from ({{ end_at }} - {{ start_at }})) as {{ type_double() }}) / 60.0)
{%- endmacro %}

{% macro hours_between(start_at, end_at) -%}
    ({{ minutes_between(start_at, end_at) }} / 60.0)
{%- endmacro %}

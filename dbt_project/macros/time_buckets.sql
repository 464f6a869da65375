{#
    Whole minutes since 1970-01-01 00:00 UTC of a timestamp, as a bigint: a dense integer
    time axis, so "consecutive minutes" and trailing windows become integer arithmetic
    (runs of minute_number - row_number, `range between N preceding` frames) on every engine.
#}
{% macro epoch_minute_number(timestamp_column) -%}
    cast({{ dbt.datediff("cast('1970-01-01 00:00:00' as " ~ dbt.type_timestamp() ~ ")", timestamp_column, 'minute') }} as {{ dbt.type_bigint() }})
{%- endmacro %}

{# The timestamp at the start of an epoch minute number (inverse of epoch_minute_number). #}
{% macro timestamp_from_epoch_minute(minute_number) -%}
    {{ dbt.dateadd('minute', minute_number, "cast('1970-01-01 00:00:00' as " ~ dbt.type_timestamp() ~ ")") }}
{%- endmacro %}

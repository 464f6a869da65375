{#
    `unique` for a gateway column, limited on a daily partition run to the days that run
    loads (APIPULSE_GATEWAY_START_DATE to _END_DATE) and REPEAT_WINDOW (one day) either
    side: the loader keeps a request id once within a day of the new lines, so a repeat
    of a new row can only sit there. A full build (no window) tests every row, and a
    daily run no longer scans the whole history for its one day.
    The environment is read only while the test runs (`execute`), never at parse time,
    so a new day never invalidates dbt's parse.
#}
{% test unique_in_gateway_window(model, column_name, date_column) %}

    {%- set start = env_var('APIPULSE_GATEWAY_START_DATE', '') if execute else '' %}
    {%- set end = env_var('APIPULSE_GATEWAY_END_DATE', '') if execute else '' %}

    select
        {{ column_name }} as unique_field,
        count(*) as n_records

    from {{ model }}
    where {{ column_name }} is not null
    {%- if start %}
      and {{ date_column }} >= cast({{ dbt.dateadd('day', -1, "cast('" ~ start ~ "' as date)") }} as date)
    {%- endif %}
    {%- if end %}
      and {{ date_column }} < cast({{ dbt.dateadd('day', 1, "cast('" ~ end ~ "' as date)") }} as date)
    {%- endif %}
    group by {{ column_name }}
    having count(*) > 1

{% endtest %}

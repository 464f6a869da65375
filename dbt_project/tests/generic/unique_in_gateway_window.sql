{#
    `unique` for a gateway column, limited on a daily partition run to the days that run
    loads (APIPULSE_GATEWAY_START_DATE to _END_DATE) and REPEAT_WINDOW (one day) either
    side: the loader keeps a request id once within a day of the new lines, so a repeat
    of a new row can only sit there. A full build (no window) tests every row, and a
    daily run no longer scans the whole history for its one day.
    The environment is read only while the test runs (`execute`), never at parse time,
    so a new day never invalidates dbt's parse.
    On DuckDB the ids are grouped by their 64-bit hash first (tens of millions of ids:
    a fraction of the memory and time of grouping the strings); only the ids whose hash
    repeats, true repeats and the rare collisions, are then grouped by value.
#}
{% test unique_in_gateway_window(model, column_name, date_column) %}

    {%- set start = env_var('APIPULSE_GATEWAY_START_DATE', '') if execute else '' %}
    {%- set end = env_var('APIPULSE_GATEWAY_END_DATE', '') if execute else '' %}
    {%- set rows_tested -%}
        {{ column_name }} is not null
        {%- if start %}
        and {{ date_column }} >= cast({{ dbt.dateadd('day', -1, "cast('" ~ start ~ "' as date)") }} as date)
        {%- endif %}
        {%- if end %}
        and {{ date_column }} < cast({{ dbt.dateadd('day', 1, "cast('" ~ end ~ "' as date)") }} as date)
        {%- endif %}
    {%- endset %}

    {%- set by_hash_first = target.type == 'duckdb' %}

    {%- if by_hash_first %}
    with repeated_hashes as (

        select hash({{ column_name }}) as value_hash
        from {{ model }}
        where {{ rows_tested }}
        group by hash({{ column_name }})
        having count(*) > 1

    )
    {%- endif %}

    select
        {{ column_name }} as unique_field,
        count(*) as n_records

    from {{ model }}
    where {{ rows_tested }}
    {%- if by_hash_first %}
        and hash({{ column_name }}) in (select value_hash from repeated_hashes)
    {%- endif %}
    group by {{ column_name }}
    having count(*) > 1

{% endtest %}

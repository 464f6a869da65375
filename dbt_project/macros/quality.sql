{#
    Create the table the Great Expectations checks append to (orchestration/quality.py,
    `ensure_quality_schema`, same columns), so that models reading source('quality',
    'validation_results') build on a fresh warehouse before any check has run. Used as the
    project's on-run-start hook; a no-op when the table exists.
#}
{% macro create_quality_schema() -%}
    {{ return(adapter.dispatch('create_quality_schema', 'apipulse')()) }}
{%- endmacro %}

{% macro default__create_quality_schema() -%}
    {{ engine_setup() }}
    create schema if not exists quality;
    create table if not exists quality.validation_results (
        run_at {{ dbt.type_timestamp() }},
        team {{ dbt.type_string() }},
        asset {{ dbt.type_string() }},
        suite {{ dbt.type_string() }},
        expectation {{ dbt.type_string() }},
        severity {{ dbt.type_string() }},
        success boolean,
        unexpected_count {{ dbt.type_bigint() }},
        unexpected_percent {{ type_double() }}
    )
{%- endmacro %}


{# Spark runs one statement per call: run them here, leave the hook itself empty. #}
{% macro spark__create_quality_schema() -%}
    {%- if execute -%}
        {%- do run_query("create schema if not exists quality") -%}
        {%- do run_query(
            "create table if not exists quality.validation_results ("
            ~ "run_at timestamp, team string, asset string, suite string, expectation string,"
            ~ " severity string, success boolean, unexpected_count bigint,"
            ~ " unexpected_percent double)") -%}
    {%- endif -%}
    {{ return("select 1") }}
{%- endmacro %}

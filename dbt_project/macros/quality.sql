{#
    Create the table the Great Expectations checks append to (orchestration/quality.py,
    `ensure_quality_schema`, same columns), so that models reading source('quality',
    'validation_results') build on a fresh warehouse before any check has run. Used as the
    project's on-run-start hook; a no-op when the table exists.
#}
{% macro create_quality_schema() -%}
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

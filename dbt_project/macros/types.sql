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


{#
    What an engine needs before the first model, run from the on-run-start hook (inside
    create_quality_schema). Seed column types spell the 64-bit float `double` and strings
    `string`, as DuckDB and Spark do (Spark refuses `varchar` without a length, PostgreSQL
    has neither name), so on PostgreSQL both become domains in schema public (on the
    default search_path): `double` over double precision, `string` over text. Contracts
    (`data_type:` in the models' YAML) use the same names: dbt translates `string` to each
    adapter's string type (text on DuckDB and PostgreSQL, string on Spark) and `double`
    resolves through the domain. PostgreSQL reports a domain's base type to clients, so
    contract checks see the base types on both sides. Needs CREATE on schema public (the
    database owner has it).
#}
{% macro engine_setup() -%}
    {{ return(adapter.dispatch('engine_setup', 'apipulse')()) }}
{%- endmacro %}

{% macro default__engine_setup() -%}
{%- endmacro %}

{% macro postgres__engine_setup() -%}
    do $$
    begin
        if not exists (
            select 1 from pg_catalog.pg_type as t
            join pg_catalog.pg_namespace as n on n.oid = t.typnamespace
            where n.nspname = 'public' and t.typname = 'double'
        ) then
            create domain public."double" as double precision;
        end if;
        if not exists (
            select 1 from pg_catalog.pg_type as t
            join pg_catalog.pg_namespace as n on n.oid = t.typnamespace
            where n.nspname = 'public' and t.typname = 'string'
        ) then
            create domain public."string" as text;
        end if;
    end
    $$;
{%- endmacro %}

{#
    JSON access, one place per engine. Models never call an engine's JSON functions
    directly: they call these macros, and a new engine adds its own implementation.

    `path` is a dot-separated list of object keys, e.g. 'calendar' or 'user.login'.
#}

{# The value at `path` as text (unquoted); NULL when missing or JSON null. #}
{% macro json_text(column, path) -%}
    {{ return(adapter.dispatch('json_text', 'apipulse')(column, path)) }}
{%- endmacro %}

{% macro default__json_text(column, path) -%}
    json_value({{ column }}, '$.{{ path }}')
{%- endmacro %}

{% macro duckdb__json_text(column, path) -%}
    json_extract_string({{ column }}, '$.{{ path }}')
{%- endmacro %}

{% macro postgres__json_text(column, path) -%}
    (cast({{ column }} as jsonb) #>> '{ {{- path.split('.') | join(',') -}} }')
{%- endmacro %}

{% macro spark__json_text(column, path) -%}
    get_json_object({{ column }}, '$.{{ path }}')
{%- endmacro %}


{#
    In a JSON array of objects, the `value_key` of the first element whose `match_key`
    equals `match_value` (compared as text), e.g. a Zendesk custom field's value by id:
    json_array_lookup('custom_fields', 'id', 360000000001, 'value').
#}
{% macro json_array_lookup(column, match_key, match_value, value_key) -%}
    {{ return(adapter.dispatch('json_array_lookup', 'apipulse')(column, match_key, match_value, value_key)) }}
{%- endmacro %}

{% macro default__json_array_lookup(column, match_key, match_value, value_key) -%}
    {{ exceptions.raise_compiler_error(
        "json_array_lookup has no implementation for adapter '" ~ adapter.type()
        ~ "': add " ~ adapter.type() ~ "__json_array_lookup to macros/json.sql") }}
{%- endmacro %}

{% macro duckdb__json_array_lookup(column, match_key, match_value, value_key) -%}
    json_extract_string(
        list_filter(
            cast(json_extract({{ column }}, '$[*]') as json[]),
            lambda element: json_extract_string(element, '$.{{ match_key }}') = '{{ match_value }}'
        )[1],
        '$.{{ value_key }}'
    )
{%- endmacro %}

{% macro postgres__json_array_lookup(column, match_key, match_value, value_key) -%}
    (
        select element ->> '{{ value_key }}'
        from jsonb_array_elements(cast({{ column }} as jsonb)) as element
        where element ->> '{{ match_key }}' = '{{ match_value }}'
        limit 1
    )
{%- endmacro %}

{% macro spark__json_array_lookup(column, match_key, match_value, value_key) -%}
    element_at(
        filter(
            from_json({{ column }}, 'array<map<string,string>>'),
            element -> element['{{ match_key }}'] = '{{ match_value }}'
        ),
        1
    )['{{ value_key }}']
{%- endmacro %}


{# A JSON value (object or array) as plain text, for columns kept for later parsing. #}
{% macro json_to_text(column) -%}
    {{ return(adapter.dispatch('json_to_text', 'apipulse')(column)) }}
{%- endmacro %}

{% macro default__json_to_text(column) -%}
    cast({{ column }} as {{ dbt.type_string() }})
{%- endmacro %}

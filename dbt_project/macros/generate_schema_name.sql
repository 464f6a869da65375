{#
    Use a model's custom schema name as-is (`staging`, not `main_staging`), so the
    warehouse reads like the project: raw, staging, intermediate, marts, seeds.
    Models without a custom schema go to the target's schema.
#}
{% macro generate_schema_name(custom_schema_name, node) -%}
    {%- if custom_schema_name is none -%}
        {{ target.schema }}
    {%- else -%}
        {{ custom_schema_name | trim }}
    {%- endif -%}
{%- endmacro %}

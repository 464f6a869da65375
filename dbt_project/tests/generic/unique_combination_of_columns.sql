{#
    Fails for every combination of `combination_of_columns` that appears more than once:
    the composite primary key test (dbt_utils is not available offline).
#}
{% test unique_combination_of_columns(model, combination_of_columns) %}

    {%- set columns = combination_of_columns | join(', ') %}

    select
        {{ columns }},
        count(*) as occurrences

    from {{ model }}
    group by {{ columns }}
    having count(*) > 1

{% endtest %}

{#
    Continuous percentile (linear interpolation) of `column` as an aggregate, e.g.
    percentile_cont('latency_ms', 0.95). NULLs are ignored. DuckDB spells it
    quantile_cont(x, p); PostgreSQL, Spark and the SQL standard use
    percentile_cont(p) within group (order by x).

    `with_fractions` lists every fraction a select takes of the same column (fraction
    among them). DuckDB then keeps one sorted copy of the column per group for all of
    them, quantile_cont(x, [p1, p2, ...])[i], where three separate percentiles keep
    three: half the memory and time for the daily latency percentiles. The other
    engines compute each percentile on its own.
#}
{% macro percentile_cont(column, fraction, with_fractions=none) -%}
    {%- if with_fractions is not none and fraction not in with_fractions -%}
        {{ exceptions.raise_compiler_error(
            "percentile_cont: fraction " ~ fraction ~ " is not in with_fractions " ~ with_fractions) }}
    {%- endif -%}
    {{ return(adapter.dispatch('percentile_cont', 'apipulse')(column, fraction, with_fractions)) }}
{%- endmacro %}

{% macro default__percentile_cont(column, fraction, with_fractions=none) -%}
    percentile_cont({{ fraction }}) within group (order by {{ column }})
{%- endmacro %}

{% macro duckdb__percentile_cont(column, fraction, with_fractions=none) -%}
    {%- if with_fractions -%}
        {#- Identical aggregate calls are computed once per group by DuckDB. -#}
        quantile_cont({{ column }}, [{{ with_fractions | join(', ') }}])[{{ with_fractions.index(fraction) + 1 }}]
    {%- else -%}
        quantile_cont({{ column }}, {{ fraction }})
    {%- endif -%}
{%- endmacro %}

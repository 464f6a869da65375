{# One row per consumer that made at least one request: its first call and first success. #}

{#- A table, not a view: fct_onboarding and the first-day model both read it. -#}
{{ config(materialized='table') }}

with

requests as (

    select * from {{ ref('stg_gateway__requests') }}

),

aggregated as (

    select
        consumer_id,
        min(requested_at) as first_call_at,
        min(case when is_success then requested_at end) as first_success_at,
        cast(count(*) as {{ dbt.type_bigint() }}) as request_count,
        cast(sum(case when is_success then 1 else 0 end) as {{ dbt.type_bigint() }}) as success_count

    from requests
    where consumer_id is not null
    group by consumer_id

)

select * from aggregated

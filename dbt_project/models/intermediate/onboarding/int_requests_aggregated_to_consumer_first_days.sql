{#
    One row per consumer that made a request: its requests and client errors (4xx) in
    the 24 hours after its first request (the input of first_day_client_error_rate).
    A table, unlike the other intermediate models: its join reads every request, and
    fct_onboarding and its own tests would each run that join again over a view.
#}

{{ config(materialized='table') }}

with

requests as (

    select * from {{ ref('stg_gateway__requests') }}

),

consumers as (

    select * from {{ ref('int_requests_aggregated_to_consumers') }}

),

first_day_requests as (

    select
        consumers.consumer_id,
        requests.is_client_error

    from consumers
    inner join requests
        on consumers.consumer_id = requests.consumer_id
        and requests.requested_at >= consumers.first_call_at
        and requests.requested_at < {{ dbt.dateadd('hour', 24, 'consumers.first_call_at') }}

),

final as (

    select
        consumer_id,
        cast(count(*) as {{ dbt.type_bigint() }}) as first_day_request_count,
        cast(sum(case when is_client_error then 1 else 0 end) as {{ dbt.type_bigint() }})
            as first_day_client_error_count

    from first_day_requests
    group by consumer_id

)

select * from final

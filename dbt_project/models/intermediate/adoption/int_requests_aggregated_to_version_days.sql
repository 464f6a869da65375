{#
    One row per UTC day × API version × consumer with its request count (all statuses).
    Requests without a version in the path get api_version 'unversioned', anonymous ones
    consumer_id null, so the day's rows always add up to all requests.
#}

{{ config(**gateway_daily_config('requested_on')) }}

with

requests as (

    select * from {{ ref('stg_gateway__requests') }}
    where {{ gateway_incremental_window('requested_on') }}

),

final as (

    select
        requested_on,
        coalesce(api_version, 'unversioned') as api_version,
        consumer_id,
        cast(count(*) as {{ dbt.type_bigint() }}) as request_count

    from requests
    group by requested_on, coalesce(api_version, 'unversioned'), consumer_id

)

select * from final

{#
    One row per UTC day × client: requests by the product of the user agent's first
    `product/version` token (sdk_name), mapped to seed sdks; products missing from the
    seed (and requests without a user agent) are client 'other'.
#}

{{ config(**gateway_daily_config('requested_on')) }}

with

requests as (

    select * from {{ ref('stg_gateway__requests') }}
    where {{ gateway_incremental_window('requested_on') }}

),

sdks as (

    select * from {{ ref('sdks') }}

),

classified as (

    select
        requests.requested_on,
        coalesce(sdks.sdk_name, 'other') as client_name,
        coalesce(sdks.client_family, 'other') as client_family,
        coalesce(sdks.language, 'unknown') as language,
        coalesce(sdks.is_official, false) as is_official_sdk

    from requests
    left join sdks
        on requests.sdk_name = sdks.sdk_name

),

final as (

    select
        requested_on,
        client_name,
        client_family,
        language,
        is_official_sdk,
        cast(count(*) as {{ dbt.type_bigint() }}) as request_count

    from classified
    group by requested_on, client_name, client_family, language, is_official_sdk

)

select * from final

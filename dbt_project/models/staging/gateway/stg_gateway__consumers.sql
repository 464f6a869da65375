{#
    The registry fields the metrics need travel as Kong tags (docs/raw-layer.md):
    `plan:<plan>`, `partner`, `region:<region>`. They are read from the loader's child
    table gateway_consumer_tags (one row per consumer × tag) of the same source.
#}

with

consumers as (

    select * from {{ source('gateway', 'gateway_consumers') }}

),

tags as (

    select * from {{ source('gateway', 'gateway_consumer_tags') }}

),

registry_fields as (

    select
        consumer_id,
        max(case when tag like 'plan:%' then {{ dbt.split_part('tag', "':'", 2) }} end) as plan,
        max(case when tag like 'region:%' then {{ dbt.split_part('tag', "':'", 2) }} end) as region,
        max(case when tag = 'partner' then 1 else 0 end) = 1 as is_partner

    from tags
    group by consumer_id

),

renamed as (

    select
        consumers.id as consumer_id,
        consumers.username,
        consumers.custom_id,
        cast(consumers.created_at as {{ dbt.type_timestamp() }}) as signed_up_at,
        cast(consumers.created_at as date) as signed_up_on,
        registry_fields.plan,
        registry_fields.region,
        coalesce(registry_fields.is_partner, false) as is_partner

    from consumers
    left join registry_fields
        on consumers.id = registry_fields.consumer_id

)

select * from renamed

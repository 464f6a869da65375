with

source as (

    select * from {{ source('statuspage', 'statuspage_components') }}

),

renamed as (

    select
        id as component_id,
        page_id,
        name as component_name,
        status,
        description as component_description,
        group_id,
        coalesce({{ adapter.quote('group') }}, false) as is_group,
        coalesce(only_show_if_degraded, false) as is_only_shown_if_degraded,
        cast({{ adapter.quote('position') }} as {{ dbt.type_int() }}) as display_position,
        cast(created_at as {{ dbt.type_timestamp() }}) as created_at,
        cast(updated_at as {{ dbt.type_timestamp() }}) as updated_at

    from source

)

select * from renamed

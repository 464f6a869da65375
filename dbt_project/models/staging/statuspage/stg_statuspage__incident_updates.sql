with

source as (

    select * from {{ source('statuspage', 'statuspage_incident_updates') }}

),

renamed as (

    select
        id as incident_update_id,
        incident_id,
        status,
        body as update_body,
        cast(created_at as {{ dbt.type_timestamp() }}) as created_at,
        cast(updated_at as {{ dbt.type_timestamp() }}) as updated_at,
        cast(display_at as {{ dbt.type_timestamp() }}) as display_at,
        {{ json_to_text('affected_components') }} as affected_components_json

    from source

)

select * from renamed

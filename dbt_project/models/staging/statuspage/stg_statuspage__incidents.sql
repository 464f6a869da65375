with

source as (

    select * from {{ source('statuspage', 'statuspage_incidents') }}

),

renamed as (

    select
        id as incident_id,
        page_id,
        _page_name as page_name,
        name as incident_name,
        status,
        impact,
        cast(created_at as {{ dbt.type_timestamp() }}) as created_at,
        cast(updated_at as {{ dbt.type_timestamp() }}) as updated_at,
        cast(started_at as {{ dbt.type_timestamp() }}) as started_at,
        cast(monitoring_at as {{ dbt.type_timestamp() }}) as monitoring_at,
        cast(resolved_at as {{ dbt.type_timestamp() }}) as resolved_at,
        cast(postmortem_published_at as {{ dbt.type_timestamp() }}) as postmortem_published_at,
        coalesce(trim(postmortem_body) <> '', false) as has_postmortem_body,
        coalesce(backfilled, false) as is_backfilled,
        {{ json_to_text('components') }} as components_json,
        shortlink

    from source

)

select * from renamed

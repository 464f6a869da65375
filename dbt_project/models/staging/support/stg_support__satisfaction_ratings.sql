with

source as (

    select * from {{ source('support', 'support_satisfaction_ratings') }}

),

renamed as (

    select
        cast(id as {{ dbt.type_bigint() }}) as satisfaction_rating_id,
        cast(ticket_id as {{ dbt.type_bigint() }}) as ticket_id,
        score,
        -- The requester's free-text comment is customer text: dropped here.
        reason,
        cast(requester_id as {{ dbt.type_bigint() }}) as requester_id,
        cast(assignee_id as {{ dbt.type_bigint() }}) as assignee_id,
        cast(group_id as {{ dbt.type_bigint() }}) as group_id,
        cast(created_at as {{ dbt.type_timestamp() }}) as created_at,
        cast(updated_at as {{ dbt.type_timestamp() }}) as updated_at

    from source

)

select * from renamed

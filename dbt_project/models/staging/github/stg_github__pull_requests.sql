with

source as (

    select * from {{ source('github', 'github_issues') }}

),

renamed as (

    select
        cast(id as {{ dbt.type_bigint() }}) as pull_request_id,
        node_id,
        _repository as repository,
        cast(number as {{ dbt.type_int() }}) as pull_request_number,
        title,
        state,
        {{ json_text(adapter.quote('user'), 'login') }} as author_login,
        cast({{ json_text(adapter.quote('user'), 'id') }} as {{ dbt.type_bigint() }}) as author_user_id,
        {{ json_text(adapter.quote('user'), 'type') }} as author_type,
        author_association,
        cast(comments as {{ dbt.type_int() }}) as comment_count,
        cast(created_at as {{ dbt.type_timestamp() }}) as created_at,
        cast(updated_at as {{ dbt.type_timestamp() }}) as updated_at,
        cast(closed_at as {{ dbt.type_timestamp() }}) as closed_at,
        -- GitHub writes ISO 8601 in UTC with a trailing Z.
        cast({{ json_text('pull_request', 'merged_at') }} as {{ dbt.type_timestamp() }}) as merged_at,
        {{ json_text('pull_request', 'merged_at') }} is not null as is_merged,
        html_url,
        url as api_url

    from source
    where pull_request is not null

)

select * from renamed

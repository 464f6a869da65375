with

source as (

    select * from {{ source('github', 'github_comments') }}

),

renamed as (

    select
        cast(id as {{ dbt.type_bigint() }}) as comment_id,
        _repository as repository,
        issue_url,
        -- issue_url ends in /issues/<number>; the number is unique within the repository.
        cast({{ dbt.split_part('issue_url', "'/'", -1) }} as {{ dbt.type_int() }}) as issue_number,
        {{ json_text(adapter.quote('user'), 'login') }} as author_login,
        {{ json_text(adapter.quote('user'), 'type') }} as author_type,
        author_association,
        coalesce(
            {{ json_text(adapter.quote('user'), 'type') }} = 'Bot'
            or {{ json_text(adapter.quote('user'), 'login') }} like '%[bot]',
            false
        ) as is_bot,
        cast(created_at as {{ dbt.type_timestamp() }}) as created_at,
        cast(updated_at as {{ dbt.type_timestamp() }}) as updated_at,
        html_url

    from source

)

select * from renamed

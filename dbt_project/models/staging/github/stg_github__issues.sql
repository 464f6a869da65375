with

source as (

    select * from {{ source('github', 'github_issues') }}

),

renamed as (

    select
        cast(id as {{ dbt.type_bigint() }}) as issue_id,
        node_id,
        _repository as repository,
        cast(number as {{ dbt.type_int() }}) as issue_number,
        title,
        state,
        state_reason,
        locked as is_locked,
        {{ json_text(adapter.quote('user'), 'login') }} as author_login,
        cast({{ json_text(adapter.quote('user'), 'id') }} as {{ dbt.type_bigint() }}) as author_user_id,
        {{ json_text(adapter.quote('user'), 'type') }} as author_type,
        author_association,
        {{ json_to_text('labels') }} as labels_json,
        -- Bug = a label named like one of var('bug_labels'), compared without case and spaces.
        coalesce(
            {%- for label in var('bug_labels') %}
            lower(replace({{ json_to_text('labels') }}, ' ', '')) like '%"name":"{{ label | lower | replace(' ', '') }}"%'{{ ' or' if not loop.last }}
            {%- endfor %},
            false
        ) as is_bug_labelled,
        cast(comments as {{ dbt.type_int() }}) as comment_count,
        cast(created_at as {{ dbt.type_timestamp() }}) as created_at,
        cast(updated_at as {{ dbt.type_timestamp() }}) as updated_at,
        cast(closed_at as {{ dbt.type_timestamp() }}) as closed_at,
        state = 'closed' as is_closed,
        html_url,
        url as api_url

    from source
    -- The issues endpoint also returns pull requests; those live in stg_github__pull_requests.
    where pull_request is null

)

select * from renamed

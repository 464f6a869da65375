{#
    Ticket descriptions are customer text and never leave this model: only the GitHub
    issue URL a description may mention is extracted from it.
#}
{%- set github_issue_url_pattern = 'https://github\\.com/[A-Za-z0-9_.-]+/[A-Za-z0-9_.-]+/issues/[0-9]+' -%}

with

source as (

    select * from {{ source('support', 'support_tickets') }}

),

renamed as (

    select
        cast(id as {{ dbt.type_bigint() }}) as ticket_id,
        external_id,
        {{ json_text('via', 'channel') }} as channel,
        cast(created_at as {{ dbt.type_timestamp() }}) as created_at,
        cast(updated_at as {{ dbt.type_timestamp() }}) as updated_at,
        type as ticket_type,
        subject,
        priority,
        status,
        status in ('solved', 'closed') as is_solved,
        status = 'deleted' as is_deleted,
        cast(requester_id as {{ dbt.type_bigint() }}) as requester_id,
        cast(submitter_id as {{ dbt.type_bigint() }}) as submitter_id,
        cast(assignee_id as {{ dbt.type_bigint() }}) as assignee_id,
        cast(organization_id as {{ dbt.type_bigint() }}) as organization_id,
        cast(group_id as {{ dbt.type_bigint() }}) as group_id,
        nullif(
            trim({{ json_array_lookup('custom_fields', 'id', var('support_consumer_field_id'), 'value') }}),
            ''
        ) as consumer_custom_id,
        coalesce(
            nullif(
                trim({{ json_array_lookup('custom_fields', 'id', var('support_github_issue_field_id'), 'value') }}),
                ''
            ),
            {{ regex_substring('description', github_issue_url_pattern) }}
        ) as linked_github_issue_url,
        {{ json_to_text('tags') }} as tags,
        {{ json_text('satisfaction_rating', 'score') }} as satisfaction_score

    from source

)

select * from renamed

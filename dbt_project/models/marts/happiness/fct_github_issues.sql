{#
    One row per GitHub issue (pull requests excluded) with issue_first_response_time.
    Issues without a maintainer response keep a null time; the open ones are flagged as
    still waiting.
#}

with

issues as (

    select * from {{ ref('int_github_issues_joined_to_first_responses') }}

),

final as (

    select
        issue_id,
        repository,
        issue_number,
        author_login,
        author_association,
        state,
        state_reason,
        is_closed,
        created_at,
        cast(created_at as date) as created_on,
        closed_at,
        first_responded_at,
        first_responder_login,
        {{ hours_between('created_at', 'first_responded_at') }} as hours_to_first_response,
        case
            when first_responded_at is not null then 'responded'
            when is_closed then 'closed_without_response'
            else 'awaiting_response'
        end as first_response_status,
        first_responded_at is null and not is_closed as is_awaiting_first_response,
        html_url

    from issues

)

select * from final

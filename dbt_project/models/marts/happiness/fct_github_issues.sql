{#
    One row per GitHub issue (pull requests excluded) with issue_first_response_time.
    Issues without a maintainer response keep a null time; the open ones are flagged as
    still waiting. issue_time_to_close is timed for issues closed as completed; a reopened
    issue (open again) has no time until it is closed again, and then counts from its
    creation to its last close (GitHub keeps only the last closed_at).
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
        is_bug_labelled as is_bug,
        -- Closed as completed; GitHub wrote no state_reason before 2022, so a closed issue
        -- without one counts as completed.
        is_closed and coalesce(state_reason, 'completed') = 'completed' as is_closed_as_completed,
        case
            when is_closed and coalesce(state_reason, 'completed') = 'completed'
                then {{ hours_between('created_at', 'closed_at') }}
        end as hours_to_close,
        not is_closed and coalesce(state_reason = 'reopened', false) as is_reopened,
        html_url

    from issues

)

select * from final

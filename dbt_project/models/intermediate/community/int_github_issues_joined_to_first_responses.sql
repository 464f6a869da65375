{#
    One row per GitHub issue (pull requests excluded) with its first maintainer response,
    as the metric catalog defines it: the earliest comment by someone other than the
    issue's author whose author_association is OWNER, MEMBER or COLLABORATOR, bots
    excluded. Issues nobody answered that way have null response columns.
#}

with

issues as (

    select * from {{ ref('stg_github__issues') }}

),

comments as (

    select * from {{ ref('stg_github__comments') }}

),

maintainer_responses as (

    select
        issues.issue_id,
        comments.comment_id,
        comments.author_login as responder_login,
        comments.created_at as responded_at,
        row_number() over (
            partition by issues.issue_id
            order by comments.created_at, comments.comment_id
        ) as response_rank

    from issues
    inner join comments
        on issues.repository = comments.repository
        and issues.issue_number = comments.issue_number
    where comments.author_association in ('OWNER', 'MEMBER', 'COLLABORATOR')
        and not comments.is_bot
        and comments.author_login <> issues.author_login

),

first_responses as (

    select * from maintainer_responses where response_rank = 1

),

joined as (

    select
        issues.issue_id,
        issues.repository,
        issues.issue_number,
        issues.author_login,
        issues.author_type,
        issues.author_association,
        issues.state,
        issues.state_reason,
        issues.is_closed,
        issues.created_at,
        issues.closed_at,
        issues.html_url,
        issues.is_bug_labelled,
        first_responses.comment_id as first_response_comment_id,
        first_responses.responder_login as first_responder_login,
        first_responses.responded_at as first_responded_at

    from issues
    left join first_responses
        on issues.issue_id = first_responses.issue_id

)

select * from joined

{#
    One row per GitHub pull request with its author's relation to the repository: the
    input of community_contribution_rate. A community author is one whose
    author_association is in var('community_associations') (CONTRIBUTOR,
    FIRST_TIME_CONTRIBUTOR, FIRST_TIMER, NONE) and who is not a bot: a dependency bot's
    pull request is not a community contribution, whatever association GitHub gives it.
#}

with

pull_requests as (

    select * from {{ ref('stg_github__pull_requests') }}

),

final as (

    select
        pull_request_id,
        repository,
        pull_request_number,
        author_login,
        author_association,
        coalesce(author_type = 'Bot' or author_login like '%[bot]', false) as is_bot_author,
        state,
        created_at,
        merged_at,
        cast(merged_at as date) as merged_on,
        is_merged,
        coalesce(
            author_association in (
                {%- for association in var('community_associations') -%}
                '{{ association }}'{{ ', ' if not loop.last }}
                {%- endfor -%}
            )
            and not (author_type = 'Bot' or author_login like '%[bot]'),
            false
        ) as is_community_author,
        coalesce(author_association in ('FIRST_TIME_CONTRIBUTOR', 'FIRST_TIMER'), false)
            as is_first_time_contributor,
        html_url

    from pull_requests

)

select * from final

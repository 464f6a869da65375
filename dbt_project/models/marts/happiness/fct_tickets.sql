{#
    One row per help-desk ticket (deleted tickets excluded): ticket_first_response_time
    and the satisfaction rating behind csat. Unanswered tickets are kept with a null
    response time; the open ones are flagged as still waiting. No customer text (subject,
    description, rating comment) reaches this table.

    Also: ticket_resolution_time (created -> last solve, timed only while the ticket is
    solved or closed; a reopened ticket waits again), the SLA of its priority (seed
    support_sla; tickets without a priority have no SLA), the integration flag, and
    request_to_fix_time: hours from the ticket's creation to the close of the GitHub issue
    it links (0 when the issue was already closed when the ticket came in).
#}

{%- set github_issue_url_pattern = 'https://github\\.com/[A-Za-z0-9_.-]+/[A-Za-z0-9_.-]+/issues/[0-9]+' -%}

with

tickets as (

    select * from {{ ref('int_tickets_joined_to_metrics') }}

),

consumers as (

    select * from {{ ref('dim_consumers') }}

),

slas as (

    select * from {{ ref('support_sla') }}

),

github_issues as (

    select * from {{ ref('stg_github__issues') }}

),

linkable_issues as (

    select
        lower(html_url) as issue_url,
        issue_id,
        is_closed,
        closed_at,
        row_number() over (partition by lower(html_url) order by issue_id) as issue_rank

    from github_issues

),

ranked_accounts as (

    -- custom_id is unique in a Kong registry; if an export repeats one, the earliest
    -- consumer wins so tickets never fan out.
    select
        consumer_id,
        custom_id,
        row_number() over (partition by custom_id order by signed_up_at, consumer_id) as account_rank

    from consumers
    where custom_id is not null

),

accounts as (

    select * from ranked_accounts where account_rank = 1

),

joined as (

    select
        tickets.*,
        accounts.consumer_id,
        {{ dbt.dateadd('minute', 'cast(tickets.reply_time_calendar_minutes as ' ~ dbt.type_bigint() ~ ')', 'tickets.created_at') }}
            as first_responded_at_raw

    from tickets
    left join accounts
        on tickets.consumer_custom_id = accounts.custom_id

),

enriched as (

    select
        joined.*,
        {{ hours_between('joined.created_at', 'joined.solved_at') }} as hours_to_last_solve,
        slas.first_response_hours as sla_first_response_hours,
        slas.resolution_hours as sla_resolution_hours,
        linkable_issues.issue_id as linked_issue_id,
        linkable_issues.is_closed as is_linked_issue_closed,
        case when linkable_issues.is_closed then linkable_issues.closed_at end as linked_issue_closed_at

    from joined
    left join slas
        on joined.priority = slas.priority
    left join linkable_issues
        -- The link may carry a fragment or a query: compare the bare issue URL.
        on lower({{ regex_substring('joined.linked_github_issue_url', github_issue_url_pattern) }})
            = linkable_issues.issue_url
        and linkable_issues.issue_rank = 1

),

final as (

    select
        ticket_id,
        consumer_id,
        consumer_custom_id,
        created_at,
        cast(created_at as date) as created_on,
        ticket_type,
        priority,
        status,
        channel,
        is_solved,
        solved_at,
        cast(reply_count as {{ dbt.type_int() }}) as reply_count,
        cast(first_responded_at_raw as {{ dbt.type_timestamp() }}) as first_responded_at,
        cast(reply_time_calendar_minutes / 60.0 as {{ type_double() }}) as hours_to_first_response,
        cast(reply_time_business_minutes / 60.0 as {{ type_double() }}) as business_hours_to_first_response,
        case
            when reply_time_calendar_minutes is not null then 'responded'
            when is_solved then 'closed_without_response'
            else 'awaiting_response'
        end as first_response_status,
        reply_time_calendar_minutes is null and not is_solved as is_awaiting_first_response,
        satisfaction_score,
        coalesce(satisfaction_score in ('good', 'bad'), false) as is_rated,
        coalesce(satisfaction_score = 'good', false) as is_rated_good,
        linked_github_issue_url,
        cast(reopen_count as {{ dbt.type_int() }}) as reopen_count,
        is_integration,
        case when is_solved then cast(hours_to_last_solve as {{ type_double() }}) end as hours_to_resolution,
        case
            when is_solved then 'resolved'
            when solved_at is not null or coalesce(reopen_count, 0) > 0 then 'reopened'
            else 'awaiting_resolution'
        end as resolution_status,
        cast(sla_first_response_hours as {{ type_double() }}) as sla_first_response_hours,
        cast(sla_resolution_hours as {{ type_double() }}) as sla_resolution_hours,
        case
            when reply_time_calendar_minutes is not null and sla_first_response_hours is not null
                then reply_time_calendar_minutes / 60.0 <= sla_first_response_hours
        end as is_first_response_within_sla,
        case
            when is_solved and sla_resolution_hours is not null
                then hours_to_last_solve <= sla_resolution_hours
        end as is_resolved_within_sla,
        linked_issue_id,
        linked_issue_closed_at,
        case
            when linked_issue_closed_at is not null
                then cast(case
                    when linked_issue_closed_at < created_at then 0.0
                    else {{ hours_between('created_at', 'linked_issue_closed_at') }}
                end as {{ type_double() }})
        end as hours_to_linked_issue_close,
        case
            when linked_github_issue_url is null then 'no_linked_issue'
            when linked_issue_id is null then 'issue_not_loaded'
            when linked_issue_closed_at is not null then 'fixed'
            else 'awaiting_fix'
        end as fix_status

    from enriched

)

select * from final

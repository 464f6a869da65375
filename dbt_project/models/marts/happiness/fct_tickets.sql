{#
    One row per help-desk ticket (deleted tickets excluded): ticket_first_response_time
    and the satisfaction rating behind csat. Unanswered tickets are kept with a null
    response time; the open ones are flagged as still waiting. No customer text (subject,
    description, rating comment) reaches this table.
#}

with

tickets as (

    select * from {{ ref('int_tickets_joined_to_metrics') }}

),

consumers as (

    select * from {{ ref('dim_consumers') }}

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
        linked_github_issue_url

    from joined

)

select * from final

{#
    One row per ticket with its metric set and its satisfaction score. Deleted tickets
    are left out. The rating comes from the satisfaction ratings endpoint when loaded
    (newest rating wins), else from the ticket's own satisfaction_rating object.
#}

with

tickets as (

    select * from {{ ref('stg_support__tickets') }}

),

ticket_metrics as (

    select * from {{ ref('stg_support__ticket_metrics') }}

),

satisfaction_ratings as (

    select * from {{ ref('stg_support__satisfaction_ratings') }}

),

ranked_metrics as (

    select
        ticket_metrics.*,
        row_number() over (
            partition by ticket_id
            order by updated_at desc, ticket_metric_id desc
        ) as metric_rank

    from ticket_metrics

),

latest_metrics as (

    select * from ranked_metrics where metric_rank = 1

),

ranked_ratings as (

    select
        satisfaction_ratings.*,
        row_number() over (
            partition by ticket_id
            order by updated_at desc, satisfaction_rating_id desc
        ) as rating_rank

    from satisfaction_ratings

),

latest_ratings as (

    select * from ranked_ratings where rating_rank = 1

),

joined as (

    select
        tickets.ticket_id,
        tickets.consumer_custom_id,
        tickets.created_at,
        tickets.ticket_type,
        tickets.priority,
        tickets.status,
        tickets.channel,
        tickets.is_solved,
        tickets.linked_github_issue_url,
        tickets.tags,
        -- Integration tickets: tagged with one of var('integration_ticket_tags'); tags is
        -- the JSON text of the tag strings, so each tag is matched with its quotes.
        coalesce(
            {%- for tag in var('integration_ticket_tags') %}
            tickets.tags like '%"{{ tag }}"%'{{ ' or' if not loop.last }}
            {%- endfor %},
            false
        ) as is_integration,
        latest_metrics.solved_at,
        latest_metrics.reopen_count,
        latest_metrics.full_resolution_time_calendar_minutes,
        latest_metrics.reply_count,
        latest_metrics.reply_time_calendar_minutes,
        latest_metrics.reply_time_business_minutes,
        coalesce(latest_ratings.score, tickets.satisfaction_score) as satisfaction_score

    from tickets
    left join latest_metrics
        on tickets.ticket_id = latest_metrics.ticket_id
    left join latest_ratings
        on tickets.ticket_id = latest_ratings.ticket_id
    where not tickets.is_deleted

)

select * from joined

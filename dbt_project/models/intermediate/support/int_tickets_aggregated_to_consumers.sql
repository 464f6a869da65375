{#
    One row per consumer with at least one ticket created at or after its sign-up: the
    first such ticket (the input of onboarding_ticket_rate). Tickets reach a consumer
    through the ticket's consumer custom field = the registry's custom_id; when an export
    repeats a custom_id the earliest consumer wins (as in fct_tickets), so tickets never
    fan out.
#}

with

tickets as (

    select * from {{ ref('int_tickets_joined_to_metrics') }}

),

consumers as (

    select * from {{ ref('stg_gateway__consumers') }}

),

ranked_accounts as (

    select
        consumer_id,
        custom_id,
        signed_up_at,
        row_number() over (partition by custom_id order by signed_up_at, consumer_id) as account_rank

    from consumers
    where custom_id is not null

),

accounts as (

    select * from ranked_accounts where account_rank = 1

),

final as (

    select
        accounts.consumer_id,
        min(tickets.created_at) as first_ticket_at,
        cast(count(*) as {{ dbt.type_bigint() }}) as ticket_count

    from tickets
    inner join accounts
        on tickets.consumer_custom_id = accounts.custom_id
    -- A ticket filed before the key was issued is not about onboarding.
    where tickets.created_at >= accounts.signed_up_at
    group by accounts.consumer_id

)

select * from final

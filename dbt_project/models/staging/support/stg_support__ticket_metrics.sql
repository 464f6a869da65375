{%- set durations = [
    'reply_time',
    'first_resolution_time',
    'full_resolution_time',
    'agent_wait_time',
    'requester_wait_time',
    'on_hold_time',
] -%}

with

source as (

    select * from {{ source('support', 'support_ticket_metrics') }}

),

renamed as (

    select
        cast(id as {{ dbt.type_bigint() }}) as ticket_metric_id,
        cast(ticket_id as {{ dbt.type_bigint() }}) as ticket_id,
        cast(created_at as {{ dbt.type_timestamp() }}) as created_at,
        cast(updated_at as {{ dbt.type_timestamp() }}) as updated_at,
        cast(assigned_at as {{ dbt.type_timestamp() }}) as assigned_at,
        cast(solved_at as {{ dbt.type_timestamp() }}) as solved_at,
        cast(latest_comment_added_at as {{ dbt.type_timestamp() }}) as latest_comment_added_at,
        cast(reopens as {{ dbt.type_int() }}) as reopen_count,
        cast(replies as {{ dbt.type_int() }}) as reply_count,
        {%- for duration in durations %}
        cast({{ json_text(duration ~ '_in_minutes', 'calendar') }} as {{ type_double() }}) as {{ duration }}_calendar_minutes,
        cast({{ json_text(duration ~ '_in_minutes', 'business') }} as {{ type_double() }}) as {{ duration }}_business_minutes{{ ',' if not loop.last }}
        {%- endfor %}

    from source

)

select * from renamed

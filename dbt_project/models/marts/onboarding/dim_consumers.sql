with

consumers as (

    select * from {{ ref('stg_gateway__consumers') }}

),

final as (

    select
        consumer_id,
        custom_id,
        signed_up_at,
        signed_up_on,
        cast({{ dbt.date_trunc('week', 'signed_up_at') }} as date) as cohort_week_start_on,
        plan,
        region,
        is_partner

    from consumers

)

select * from final

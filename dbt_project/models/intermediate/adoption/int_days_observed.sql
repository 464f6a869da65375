{#
    One row per UTC day from the first to the last day with gateway traffic: the day
    spine of the adoption marts (days without any request are kept, with zero activity).
#}

with

requests as (

    select * from {{ ref('stg_gateway__requests') }}

),

bounds as (

    select
        min(requested_on) as first_on,
        max(requested_on) as last_on

    from requests

),

spine as (

    {{ day_spine('bounds', 'first_on', 'last_on') }}

),

final as (

    select
        spine.date_day,
        bounds.first_on as first_observed_on,
        bounds.last_on as last_observed_on

    from spine
    cross join bounds

)

select * from final

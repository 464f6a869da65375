{#
    partner_time_to_first_success: time_to_first_success restricted to partner consumers,
    per weekly sign-up cohort (median and p90 over partners that succeeded). Completeness
    follows the cohort's onboarding window (fct_onboarding_cohorts.is_complete), and a
    cohort that signed up before the logs begin is never complete (left-censored).
#}

with

onboarding as (

    select * from {{ ref('fct_onboarding') }}

),

cohorts as (

    select * from {{ ref('fct_onboarding_cohorts') }}

),

partner_cohorts as (

    select
        cohort_week_start_on,
        count(*) as partners_signed_up,
        sum(case when has_first_success then 1 else 0 end) as partners_with_first_success,
        {{ percentile_cont('minutes_to_first_success', 0.5) }} as median_minutes_to_first_success,
        {{ percentile_cont('minutes_to_first_success', 0.9) }} as p90_minutes_to_first_success

    from onboarding
    where is_partner
    group by cohort_week_start_on

),

final as (

    select
        partner_cohorts.cohort_week_start_on,
        cast(partner_cohorts.partners_signed_up as {{ dbt.type_bigint() }}) as partners_signed_up,
        cast(partner_cohorts.partners_with_first_success as {{ dbt.type_bigint() }}) as partners_with_first_success,
        cast(partner_cohorts.median_minutes_to_first_success as {{ type_double() }}) as median_minutes_to_first_success,
        cast(partner_cohorts.p90_minutes_to_first_success as {{ type_double() }}) as p90_minutes_to_first_success,
        coalesce(cohorts.is_complete and cohorts.is_observed_from_sign_up, false) as is_complete

    from partner_cohorts
    left join cohorts
        on partner_cohorts.cohort_week_start_on = cohorts.cohort_week_start_on

)

select * from final

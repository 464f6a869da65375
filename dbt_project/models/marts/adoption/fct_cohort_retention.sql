{#
    One row per weekly sign-up cohort × week offset N (0..var('retention_max_week_offset')):
    consumers of the cohort with at least one success in week N after their own sign-up
    (days 7N to 7N+6 after the sign-up day) ÷ cohort size.

    Censoring: an offset is observable once the traffic covers its first possible day and
    the cohort's week N started inside the observed traffic; otherwise retained and
    retention are null (not zero). is_complete is true once week N of the cohort's last
    possible sign-up day has ended inside the observed traffic.
#}

{%- set max_offset = var('retention_max_week_offset') -%}

with

consumers as (

    select * from {{ ref('dim_consumers') }}

),

consumer_days as (

    select * from {{ ref('int_successes_aggregated_to_consumer_days') }}

),

days as (

    select * from {{ ref('int_days_observed') }}

),

bounds as (

    select
        min(first_observed_on) as first_observed_on,
        max(last_observed_on) as last_observed_on

    from days

),

offsets as (

    select generated_number - 1 as week_offset
    from ({{ dbt.generate_series(max_offset + 1) }}) as numbers

),

cohorts as (

    select
        cohort_week_start_on,
        count(*) as cohort_size

    from consumers
    where signed_up_at is not null
    group by cohort_week_start_on

),

consumer_weeks as (

    select distinct
        consumers.cohort_week_start_on,
        consumers.consumer_id,
        cast(floor(
            cast({{ dbt.datediff('consumers.signed_up_on', 'consumer_days.activity_on', 'day') }} as {{ type_double() }}) / 7
        ) as {{ dbt.type_int() }}) as week_offset

    from consumers
    inner join consumer_days
        on consumers.consumer_id = consumer_days.consumer_id
        and consumer_days.activity_on >= consumers.signed_up_on

),

retained as (

    select
        cohort_week_start_on,
        week_offset,
        count(*) as retained_consumers

    from consumer_weeks
    group by cohort_week_start_on, week_offset

),

grid as (

    select
        cohorts.cohort_week_start_on,
        cohorts.cohort_size,
        offsets.week_offset,
        cast({{ dbt.dateadd('day', '7 * offsets.week_offset', 'cohorts.cohort_week_start_on') }} as date)
            as offset_starts_on,
        cast({{ dbt.dateadd('day', '7 * offsets.week_offset + 12', 'cohorts.cohort_week_start_on') }} as date)
            as offset_ends_on,
        bounds.first_observed_on,
        bounds.last_observed_on

    from cohorts
    cross join offsets
    cross join bounds

),

final as (

    select
        grid.cohort_week_start_on,
        cast(grid.week_offset as {{ dbt.type_int() }}) as week_offset,
        cast(grid.cohort_size as {{ dbt.type_bigint() }}) as cohort_size,
        grid.offset_starts_on,
        grid.offset_ends_on,
        cast(case
            when grid.offset_starts_on >= grid.first_observed_on
                and grid.offset_starts_on <= grid.last_observed_on
                then coalesce(retained.retained_consumers, 0)
        end as {{ dbt.type_bigint() }}) as retained_consumers,
        {{ safe_divide(
            'case when grid.offset_starts_on >= grid.first_observed_on and grid.offset_starts_on <= grid.last_observed_on then coalesce(retained.retained_consumers, 0) end',
            'grid.cohort_size') }} as cohort_retention,
        grid.offset_starts_on >= grid.first_observed_on
            and grid.offset_ends_on <= grid.last_observed_on as is_complete

    from grid
    left join retained
        on grid.cohort_week_start_on = retained.cohort_week_start_on
        and grid.week_offset = retained.week_offset

)

select * from final

-- The day spine MetricFlow joins metrics to (dbt's semantic layer requires one).
-- Built from a cross join of digits and dbt.dateadd, so it runs on every engine:
-- 10,000 days from 2020-01-01 (to 2047-05-18).
{{ config(materialized='table', schema='marts') }}

with

digits as (
    select 0 as digit union all select 1 union all select 2 union all select 3
    union all select 4 union all select 5 union all select 6 union all select 7
    union all select 8 union all select 9
),

day_numbers as (
    select
        ones.digit + 10 * tens.digit + 100 * hundreds.digit + 1000 * thousands.digit as day_number
    from digits as ones
    cross join digits as tens
    cross join digits as hundreds
    cross join digits as thousands
),

final as (
    select
        cast({{ dbt.dateadd('day', 'day_number', "cast('2020-01-01' as date)") }} as date) as date_day
    from day_numbers
)

select date_day from final

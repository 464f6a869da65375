{# One row per consumer × experiment, from registry tags `experiment:<experiment_id>:<variant>`. #}

with

tags as (

    select * from {{ source('gateway', 'gateway_consumer_tags') }}

),

experiment_tags as (

    select
        consumer_id,
        {{ dbt.split_part('tag', "':'", 2) }} as experiment_id,
        {{ dbt.split_part('tag', "':'", 3) }} as variant,
        row_number() over (
            partition by consumer_id, {{ dbt.split_part('tag', "':'", 2) }}
            order by tag
        ) as assignment_rank

    from tags
    where tag like 'experiment:%:%'

),

final as (

    select
        consumer_id,
        experiment_id,
        variant

    from experiment_tags
    -- A consumer is in one variant per experiment; a duplicated tag must not double it.
    where assignment_rank = 1
        and experiment_id <> ''
        and variant <> ''

)

select * from final

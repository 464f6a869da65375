{#
    One row per burn-rate alert episode: consecutive 5-minute evaluations of one SLO in
    which a severity's rule fires (fct_slo_burn_rates). page = the 1h/5m or the 6h/30m rule;
    ticket = the 3d/6h rule. ended_at is the first evaluation at which it no longer fires
    (the short window dropped below the factor); null while it still fires at the latest
    evaluation.
#}

with

evaluations as (

    select * from {{ ref('fct_slo_burn_rates') }}

),

last_evaluation as (

    select max(bucket_number) as last_bucket_number from evaluations

),

firing as (

    select
        slo_id,
        'page' as severity,
        bucket_number,
        evaluated_at,
        is_fast_page_firing as is_fast,
        case when is_fast_page_firing then burn_rate_1h else burn_rate_6h end as burn_rate

    from evaluations
    where is_fast_page_firing or is_slow_page_firing

    union all

    select
        slo_id,
        'ticket' as severity,
        bucket_number,
        evaluated_at,
        false as is_fast,
        burn_rate_3d as burn_rate

    from evaluations
    where is_ticket_firing

),

keyed as (

    select
        firing.*,
        bucket_number - row_number() over (partition by slo_id, severity order by bucket_number) as run_key

    from firing

),

episodes as (

    select
        slo_id,
        severity,
        run_key,
        min(evaluated_at) as started_at,
        max(evaluated_at) as last_firing_at,
        max(bucket_number) as last_bucket_number,
        cast(count(*) as {{ dbt.type_bigint() }}) as firing_evaluations,
        max(case when is_fast then 1 else 0 end) as has_fast_rule,
        max(burn_rate) as peak_burn_rate

    from keyed
    group by slo_id, severity, run_key

),

final as (

    select
        {{ dbt.concat(['episodes.slo_id', "'|'", 'episodes.severity', "'|'", 'cast(episodes.started_at as ' ~ dbt.type_string() ~ ')']) }} as alert_id,
        episodes.slo_id,
        episodes.severity,
        case
            when episodes.severity = 'ticket' then 'burn_rate_3d'
            when episodes.has_fast_rule = 1 then 'burn_rate_1h'
            else 'burn_rate_6h'
        end as metric_id,
        episodes.started_at,
        case
            when episodes.last_bucket_number < last_evaluation.last_bucket_number
                then {{ dbt.dateadd('minute', 5, 'episodes.last_firing_at') }}
        end as ended_at,
        episodes.firing_evaluations,
        episodes.peak_burn_rate

    from episodes
    cross join last_evaluation

)

select * from final

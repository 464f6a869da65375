{#
    One row per alert stakeholders must act on, from three streams:
    - breach: a metric_scorecard series whose latest value has status `breach`;
    - burn_rate: every burn-rate alert episode (fct_burn_rate_alerts), severity page/ticket
      as the multi-window rule decided;
    - anomaly: every value in metric_anomalies.
    Tier and owner team come from metric_definitions, the alert channel from seed teams,
    and the next step (and the severity of breaches and anomalies) from seed alert_playbook:
    the row for the alert's kind, tier and metric, else the tier's default row (empty
    metric_id); `review` when no row matches.
#}

with

scorecard as (

    select * from {{ ref('metric_scorecard') }}

),

burn_rate_alerts as (

    select * from {{ ref('fct_burn_rate_alerts') }}

),

anomalies as (

    select * from {{ ref('metric_anomalies') }}

),

definitions as (

    select * from {{ ref('metric_definitions') }}

),

teams as (

    select * from {{ ref('teams') }}

),

playbook as (

    select * from {{ ref('alert_playbook') }}

),

raised as (

    select
        'breach' as alert_kind,
        metric_id,
        grain,
        segment,
        statistic,
        latest_on as observed_on,
        cast(null as {{ dbt.type_timestamp() }}) as started_at,
        cast(null as {{ dbt.type_timestamp() }}) as ended_at,
        latest_value as value,
        target as threshold,
        cast(null as {{ type_double() }}) as robust_z,
        cast(null as {{ dbt.type_string() }}) as rule_severity

    from scorecard
    where status = 'breach'

    union all

    select
        'burn_rate' as alert_kind,
        metric_id,
        'five_minutes' as grain,
        {{ dbt.concat(["'slo:'", 'slo_id']) }} as segment,
        'peak' as statistic,
        cast(started_at as date) as observed_on,
        started_at,
        ended_at,
        peak_burn_rate as value,
        case when severity = 'ticket' then 1.0 when metric_id = 'burn_rate_1h' then 14.4 else 6.0 end as threshold,
        cast(null as {{ type_double() }}) as robust_z,
        severity as rule_severity

    from burn_rate_alerts

    union all

    select
        'anomaly' as alert_kind,
        metric_id,
        grain,
        segment,
        statistic,
        date as observed_on,
        cast(null as {{ dbt.type_timestamp() }}) as started_at,
        cast(null as {{ dbt.type_timestamp() }}) as ended_at,
        value,
        {{ var('anomaly_z') }} as threshold,
        robust_z,
        cast(null as {{ dbt.type_string() }}) as rule_severity

    from anomalies

),

with_definitions as (

    select
        raised.*,
        definitions.alert_tier,
        definitions.owner_team

    from raised
    inner join definitions
        on raised.metric_id = definitions.metric_id

),

with_playbook as (

    select
        with_definitions.*,
        coalesce(specific.severity, tier_default.severity) as playbook_severity,
        coalesce(specific.next_step, tier_default.next_step) as next_step

    from with_definitions
    left join playbook as specific
        on with_definitions.alert_kind = specific.alert_kind
        and with_definitions.alert_tier = specific.alert_tier
        and with_definitions.metric_id = specific.metric_id
    left join playbook as tier_default
        on with_definitions.alert_kind = tier_default.alert_kind
        and with_definitions.alert_tier = tier_default.alert_tier
        and tier_default.metric_id is null

),

final as (

    select
        {{ dbt.concat(['with_playbook.alert_kind', "'|'", 'with_playbook.metric_id', "'|'", 'with_playbook.grain',
                       "'|'", 'with_playbook.segment', "'|'", 'with_playbook.statistic', "'|'",
                       'cast(coalesce(with_playbook.started_at, cast(with_playbook.observed_on as ' ~ dbt.type_timestamp() ~ ')) as ' ~ dbt.type_string() ~ ')']) }} as alert_id,
        with_playbook.alert_kind,
        with_playbook.metric_id,
        with_playbook.grain,
        with_playbook.segment,
        with_playbook.statistic,
        with_playbook.observed_on,
        with_playbook.started_at,
        with_playbook.ended_at,
        cast(with_playbook.value as {{ type_double() }}) as value,
        cast(with_playbook.threshold as {{ type_double() }}) as threshold,
        cast(with_playbook.robust_z as {{ type_double() }}) as robust_z,
        with_playbook.alert_tier,
        coalesce(with_playbook.rule_severity, with_playbook.playbook_severity, 'review') as severity,
        with_playbook.owner_team,
        teams.alert_channel,
        coalesce(with_playbook.next_step, 'Review the metric with its owner team') as next_step

    from with_playbook
    left join teams
        on with_playbook.owner_team = teams.team_id

)

select * from final

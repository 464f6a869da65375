"""Jobs, schedules, sensors, freshness checks and alert delivery: what runs unattended."""

import json
from datetime import timedelta
from pathlib import Path

import dagster as dg
from dagster_dbt import build_dbt_asset_selection

from orchestration import alerts, settings
from orchestration.ingestion.gateway import (
    file_day,
    gateway_daily_partitions,
    gateway_raw,
    log_files,
)
from orchestration.resources import SourceFilesResource, WarehouseResource
from orchestration.transform import apipulse_dbt_models, gateway_daily_models

# Transient ingestion errors (an API hiccup, a locked file) get retried with backoff.
INGESTION_RETRY = dg.RetryPolicy(max_retries=3, delay=20, backoff=dg.Backoff.EXPONENTIAL)

# How old each source's newest load may be before its freshness check warns.
FRESHNESS = {
    "gateway_requests": timedelta(hours=2),
    "statuspage_incidents": timedelta(hours=2),
    "support_tickets": timedelta(days=1),
    "github_issues": timedelta(days=1),
    "github_comments": timedelta(days=1),
    "gateway_consumers": timedelta(days=1),
}

gateway_daily_assets = dg.AssetSelection.assets(gateway_raw, gateway_daily_models)
reliability_models = build_dbt_asset_selection(
    [apipulse_dbt_models],
    dbt_select="path:models/intermediate/reliability path:models/marts/reliability",
)

daily_refresh = dg.define_asset_job(
    "daily_refresh",
    selection=dg.AssetSelection.all(),
    partitions_def=gateway_daily_partitions,
    description="Everything, for yesterday's gateway partition: ingest every source, build "
                "the mart with its tests, run the quality checks, deliver alerts, rebuild sites.",
    op_retry_policy=INGESTION_RETRY,
)

gateway_hourly = dg.define_asset_job(
    "gateway_hourly",
    selection=gateway_daily_assets,
    partitions_def=gateway_daily_partitions,
    description="Today's gateway partition: load its log files and rebuild that day of the "
                "incremental gateway models.",
    op_retry_policy=INGESTION_RETRY,
)

reliability_refresh = dg.define_asset_job(
    "reliability_refresh",
    selection=reliability_models,
    description="The reliability models (error windows, SLOs, burn rates) after new gateway data.",
)


@dg.schedule(job=gateway_hourly, cron_schedule="15 * * * *", execution_timezone="UTC",
             name="gateway_hourly_schedule")
def gateway_hourly_schedule(context: dg.ScheduleEvaluationContext):
    """Every hour, today's partition: late-arriving lines of the day are picked up."""
    day = context.scheduled_execution_time.strftime("%Y-%m-%d")
    return dg.RunRequest(run_key=f"gateway-hourly-{context.scheduled_execution_time:%Y%m%dT%H}",
                         partition_key=day)


@dg.schedule(job=daily_refresh, cron_schedule="0 6 * * *", execution_timezone="UTC",
             name="daily_refresh_schedule")
def daily_refresh_schedule(context: dg.ScheduleEvaluationContext):
    """Every morning, everything, with yesterday's (now complete) gateway partition."""
    day = (context.scheduled_execution_time - timedelta(days=1)).strftime("%Y-%m-%d")
    return dg.RunRequest(run_key=f"daily-refresh-{day}", partition_key=day)


schedules = [daily_refresh_schedule, gateway_hourly_schedule]


@dg.run_status_sensor(run_status=dg.DagsterRunStatus.SUCCESS, monitored_jobs=[gateway_hourly],
                      request_job=reliability_refresh, name="reliability_after_gateway_sensor")
def reliability_after_gateway_sensor(context: dg.RunStatusSensorContext):
    """When a gateway partition has landed, rebuild the reliability models built from it."""
    return dg.RunRequest(run_key=f"reliability-after-{context.dagster_run.run_id}")


@dg.sensor(job=gateway_hourly, minimum_interval_seconds=60,
           description="Starts the gateway partition of each day whose log files arrive or "
                       "change (a late file re-runs its day).")
def gateway_files_sensor(context: dg.SensorEvaluationContext, source_files: SourceFilesResource):
    seen: dict[str, float] = json.loads(context.cursor) if context.cursor else {}
    current = {str(p): p.stat().st_mtime for p in log_files([source_files.folder("gateway")])
               if p.exists()}
    changed = sorted(p for p, mtime in current.items() if seen.get(p) != mtime)
    if not changed:
        return dg.SkipReason(f"no new or changed gateway files among {len(current)}")
    context.update_cursor(json.dumps(current, sort_keys=True))
    partitions = set(gateway_daily_partitions.get_partition_keys())
    by_day: dict[str, list[str]] = {}
    for path in changed:
        day = file_day(Path(path))
        key = f"{day:%Y-%m-%d}" if day else None
        if key in partitions:
            by_day.setdefault(key, []).append(path)
        else:
            context.log.warning(f"{Path(path).name}: no day in its name within the partitions;"
                                " it is loaded by every partition run")
    return [
        dg.RunRequest(
            run_key=f"gateway:{day}:" + ":".join(f"{Path(p).name}@{current[p]}" for p in paths),
            partition_key=day,
            tags={"apipulse/trigger": "gateway_files",
                  "apipulse/files": ", ".join(Path(p).name for p in paths)[:200]},
        )
        for day, paths in sorted(by_day.items())
    ]


def with_source_freshness(spec: dg.AssetSpec) -> dg.AssetSpec:
    """Attach each raw source's freshness policy: warn past its window, fail past twice it."""
    table = spec.key.path[-1] if spec.key.path[0] == "raw" else None
    if table not in FRESHNESS:
        return spec
    window = FRESHNESS[table]
    policy = dg.FreshnessPolicy.time_window(fail_window=2 * window, warn_window=window)
    return dg.apply_freshness_policy(spec, policy)


@dg.asset(
    deps=[dg.AssetKey(["marts", "metric_alerts"])],
    group_name="alerting",
    kinds={"python", "slack"},
    owners=["team:analytics"],
    pool="warehouse",
)
def alert_deliveries(context: dg.AssetExecutionContext,
                     warehouse: WarehouseResource) -> dg.MaterializeResult:
    """Post new metric alerts and failed blocking checks to each owner team's webhook."""
    with warehouse.connect() as con:
        pending = alerts.metric_alerts(con) + alerts.blocking_check_alerts(con)
        report = alerts.deliver(con, pending)
    for alert, reason in report.failed:
        context.log.warning(f"not delivered: {alert.title} ({reason})")
    if report.no_channel:
        context.log.info("teams without a webhook (set APIPULSE_ALERT_WEBHOOK_<TEAM>): "
                         + ", ".join(f"{t} ({n})" for t, n in sorted(report.no_channel.items())))
    context.log.info(f"{len(report.delivered)} alerts delivered, "
                     f"{report.already_delivered} already delivered before")
    return dg.MaterializeResult(metadata={
        "delivered": len(report.delivered),
        "already_delivered": report.already_delivered,
        "failed": len(report.failed),
        "without_channel": sum(report.no_channel.values()),
    })


@dg.run_failure_sensor(name="run_failure_alert_sensor", minimum_interval_seconds=30)
def run_failure_alert_sensor(context: dg.RunFailureSensorContext):
    """A failed run is an alert for the platform team (or the team tagged on the run)."""
    run = context.dagster_run
    team = run.tags.get("apipulse/team", "platform")
    alert = alerts.Alert(
        kind="run_failure", team=team, severity="page",
        title=f"Dagster run failed: {run.job_name}",
        text=f"Run `{run.run_id}` of job `{run.job_name}` failed: "
             f"{(context.failure_event.message or '')[:500]}",
        identity=(run.run_id,),
    )
    warehouse = WarehouseResource(path=str(settings.warehouse_path()))
    with warehouse.connect() as con:
        report = alerts.deliver(con, [alert])
    if report.failed:
        raise RuntimeError(report.failed[0][1])

"""Schedules, sensors and alert delivery, through Dagster's own testing APIs and a real HTTP receiver."""

from __future__ import annotations

import json
import os
import time
from datetime import datetime

import dagster as dg
import duckdb
import pytest
from werkzeug import Response

from orchestration import alerts, automation
from orchestration.resources import SourceFilesResource


def test_definitions_list_jobs_schedules_and_sensors():
    from orchestration.definitions import defs

    repo = defs.get_repository_def()
    assert {s.name for s in repo.schedule_defs} == {"daily_refresh_schedule",
                                                     "gateway_hourly_schedule"}
    assert {s.name for s in repo.sensor_defs} == {"gateway_files_sensor",
                                                   "reliability_after_gateway_sensor",
                                                   "run_failure_alert_sensor"}
    assert {j.name for j in repo.get_all_jobs()} >= {"daily_refresh", "gateway_hourly",
                                                     "reliability_refresh"}
    gateway = repo.asset_graph.get(dg.AssetKey(["raw", "gateway_requests"]))
    assert gateway.freshness_policy.warn_window.to_timedelta().total_seconds() == 7200


@pytest.mark.parametrize(
    ("schedule", "at", "job", "partition"),
    [
        # The daily run at 06:00 covers yesterday's gateway partition.
        ("daily_refresh_schedule", datetime(2026, 9, 2, 6, 0), "daily_refresh", "2026-09-01"),
        # The hourly run reloads today's partition (late lines of the day).
        ("gateway_hourly_schedule", datetime(2026, 9, 2, 13, 15), "gateway_hourly", "2026-09-02"),
    ],
)
def test_schedules_request_their_partition_at_each_tick(schedule, at, job, partition):
    from orchestration.definitions import defs

    repo = defs.get_repository_def()
    definition = repo.get_schedule_def(schedule)
    assert definition.job_name == job
    context = dg.build_schedule_context(scheduled_execution_time=at, repository_def=repo)
    requests = definition.evaluate_tick(context).run_requests
    assert [r.partition_key for r in requests] == [partition]


def test_gateway_sensor_requests_the_day_of_new_and_late_files(tmp_path):
    folder = tmp_path / "gateway" / "kong"
    folder.mkdir(parents=True)
    day1, day2 = folder / "2026-09-01.log.gz", folder / "2026-09-02.log.gz"
    day1.write_bytes(b"")
    day2.write_bytes(b"")
    resources = {"source_files": SourceFilesResource(root=str(tmp_path))}

    context = dg.build_sensor_context(resources=resources)
    first = automation.gateway_files_sensor(context)
    assert [r.partition_key for r in first] == ["2026-09-01", "2026-09-02"]

    again = automation.gateway_files_sensor(
        dg.build_sensor_context(cursor=context.cursor, resources=resources))
    assert isinstance(again, dg.SkipReason)

    # A late file for an old day (new mtime) re-runs exactly that day, under a new run key.
    later = time.time() + 60
    os.utime(day1, (later, later))
    late = automation.gateway_files_sensor(
        dg.build_sensor_context(cursor=context.cursor, resources=resources))
    assert [r.partition_key for r in late] == ["2026-09-01"]
    assert late[0].run_key != first[0].run_key


def _alert(team: str, title: str) -> alerts.Alert:
    return alerts.Alert(kind="metric_alert", team=team, severity="page", title=title,
                        text="availability 0.97 < target 0.999", identity=(title,))


def test_alerts_reach_each_team_once_with_retries(httpserver, tmp_path):
    # The receiver fails once (502), then accepts: the delivery retries and succeeds.
    httpserver.expect_ordered_request("/platform", method="POST").respond_with_response(
        Response("busy", status=502))
    httpserver.expect_request("/platform", method="POST").respond_with_data("ok")
    httpserver.expect_request("/support", method="POST").respond_with_data("ok")
    environ = {"APIPULSE_ALERT_WEBHOOK_PLATFORM": httpserver.url_for("/platform"),
               "APIPULSE_ALERT_WEBHOOK_SUPPORT": httpserver.url_for("/support")}
    batch = [_alert("platform", "availability breach"), _alert("support", "csat breach"),
             _alert("platform", "availability breach"),  # the same alert twice in one batch
             _alert("devrel", "no channel configured")]
    with duckdb.connect(str(tmp_path / "w.duckdb")) as con:
        report = alerts.deliver(con, batch, environ=environ, backoff=0)
        assert [a.title for a in report.delivered] == ["availability breach", "csat breach"]
        assert report.no_channel == {"devrel": 1} and not report.failed
        # Re-running delivery (next tick, or after a crash) posts nothing again.
        again = alerts.deliver(con, batch, environ=environ, backoff=0)
        assert again.delivered == [] and again.already_delivered == 3
        assert again.no_channel == {"devrel": 1}  # still waiting for a channel, not dropped
    posted = [(r.path, json.loads(r.get_data())) for r, _ in httpserver.log]
    assert [p for p, _ in posted] == ["/platform", "/platform", "/support"]  # 502, retry, support
    body = posted[-1][1]
    assert body["text"] == "[PAGE] csat breach" and body["blocks"][0]["type"] == "header"


def test_unreachable_webhook_is_reported_without_its_url(tmp_path):
    secret_url = "http://127.0.0.1:9/hooks/T000/SECRET"
    with duckdb.connect(str(tmp_path / "w.duckdb")) as con:
        report = alerts.deliver(con, [_alert("platform", "x")],
                                environ={"APIPULSE_ALERT_WEBHOOK_DEFAULT": secret_url},
                                retries=0)
    assert len(report.failed) == 1
    assert "SECRET" not in report.failed[0][1] and "platform" in report.failed[0][1]


def test_every_dependency_is_a_defined_asset():
    """A dependency on a key nothing defines would let an asset run before its inputs."""
    from orchestration.definitions import defs

    graph = defs.get_repository_def().asset_graph
    defined = set(graph.materializable_asset_keys)
    # Written by the quality checks themselves (an asset check, not an asset).
    defined.add(dg.AssetKey(["quality", "validation_results"]))
    missing = {
        (key.to_user_string(), dep.to_user_string())
        for key in defined
        for dep in graph.get(key).parent_keys
        if dep not in defined
    }
    assert not missing


def test_metric_alerts_rows_are_delivered_once_to_their_owner(httpserver, tmp_path):
    httpserver.expect_request("/sre", method="POST").respond_with_data("ok")
    with duckdb.connect(str(tmp_path / "w.duckdb")) as con:
        con.execute("create schema marts")
        con.execute("""
            create table marts.metric_alerts as select * from (values
              ('burn|payments_availability|page|2026-09-09 14:15', 'burn_rate', 'reliability',
               'page', 'sre', 'burn_rate_1h', 'slo:payments_availability',
               timestamp '2026-09-09 14:15', null::timestamp, 390.0, 14.4, 'Page the on-call'),
              ('anomaly|latency_p99|2026-09-10', 'anomaly', 'reliability', 'review', 'platform',
               'latency_p99', 'route:get_payment|v2', null, date '2026-09-10', 900.0, 3.5, 'Look')
            ) as t(alert_id, alert_kind, alert_tier, severity, owner_team, metric_id, segment,
                   started_at, observed_on, value, threshold, next_step)""")
        pending = alerts.metric_alerts(con)
        assert [(a.team, a.severity) for a in pending] == [("sre", "page")]  # reviews stay on the page
        environ = {"APIPULSE_ALERT_WEBHOOK_SRE": httpserver.url_for("/sre")}
        assert len(alerts.deliver(con, pending, environ=environ).delivered) == 1
        assert alerts.deliver(con, alerts.metric_alerts(con), environ=environ).delivered == []
    assert len(httpserver.log) == 1
    body = json.loads(httpserver.log[0][0].get_data())
    assert "burn_rate_1h" in body["blocks"][1]["text"]["text"]

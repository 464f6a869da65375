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
                                                   "run_failure_alert_sensor"}
    gateway = repo.asset_graph.get(dg.AssetKey(["raw", "gateway_requests"]))
    assert gateway.freshness_policy.warn_window.to_timedelta().total_seconds() == 7200


@pytest.mark.parametrize(
    ("schedule", "at", "job"),
    [
        ("daily_refresh_schedule", datetime(2026, 9, 2, 6, 0), "daily_refresh"),
        ("gateway_hourly_schedule", datetime(2026, 9, 2, 13, 15), "gateway_hourly"),
    ],
)
def test_schedules_request_one_run_at_their_tick(schedule, at, job):
    from orchestration.definitions import defs

    definition = defs.get_repository_def().get_schedule_def(schedule)
    assert definition.job_name == job
    context = dg.build_schedule_context(scheduled_execution_time=at)
    requests = definition.evaluate_tick(context).run_requests
    assert len(requests) == 1


def test_gateway_sensor_fires_for_new_and_late_files_only(tmp_path):
    folder = tmp_path / "gateway" / "kong"
    folder.mkdir(parents=True)
    day = folder / "2026-09-01.log.gz"
    day.write_bytes(b"")
    resources = {"source_files": SourceFilesResource(root=str(tmp_path))}

    first = automation.gateway_files_sensor(dg.build_sensor_context(resources=resources))
    assert isinstance(first, dg.RunRequest) and "2026-09-01.log.gz" in first.tags["apipulse/files"]

    context = dg.build_sensor_context(resources=resources)
    automation.gateway_files_sensor(context)
    cursor = context.cursor
    again = automation.gateway_files_sensor(dg.build_sensor_context(cursor=cursor, resources=resources))
    assert isinstance(again, dg.SkipReason)

    # A late file for an old day (new mtime) triggers a new run with a new run key.
    later = time.time() + 60
    os.utime(day, (later, later))
    late = automation.gateway_files_sensor(dg.build_sensor_context(cursor=cursor, resources=resources))
    assert isinstance(late, dg.RunRequest) and late.run_key != first.run_key


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

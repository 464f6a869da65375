"""The whole pipeline (Dagster: ingestion → dbt build → GX checks → docs) on a hand-computed world.

Runs exactly what `make demo` runs (`dagster asset materialize --select '*'`) against a
temporary warehouse, then checks every metric of the first slice against the values
worked out by hand in tiny_world.py.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from datetime import date, timedelta
from pathlib import Path

import duckdb
import pytest

from orchestration.settings import gateway_window_env
from tests.e2e.pipeline import run_pipeline
from tests.e2e.tiny_world import write_tiny_world

REPO_ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent

pytestmark = pytest.mark.e2e


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> Path:
    data_dir = tmp_path_factory.mktemp("tiny")
    source_dir = write_tiny_world(data_dir / "world")
    proc = run_pipeline(data_dir, source_dir)
    assert proc.returncode == 0, proc.stdout[-4000:] + proc.stderr[-4000:]
    return data_dir


def dbt_test(select: str, warehouse: Path, work_dir: Path, window: dict | None = None):
    """`dbt test --select select` against warehouse, with a gateway window in the
    environment or none; returns the process and run_results' results."""
    target = work_dir / "target"
    (target / "run_results.json").unlink(missing_ok=True)
    # Only the window given: none inherited from the caller's environment.
    env = {k: v for k, v in os.environ.items() if not k.startswith("APIPULSE_GATEWAY_")}
    proc = subprocess.run(
        [str(BIN / "dbt"), "test", "--select", select, "--profiles-dir", "..",
         "--target-path", str(target), "--log-path", str(work_dir / "logs")],
        cwd=REPO_ROOT / "dbt_project", capture_output=True, text=True, timeout=600,
        env={**env, "WAREHOUSE_PATH": str(warehouse), **(window or {})},
    )
    return proc, json.loads((target / "run_results.json").read_text())["results"]


def query(data_dir: Path, sql: str, params: list | None = None):
    with duckdb.connect(str(data_dir / "warehouse.duckdb"), read_only=True) as con:
        return con.execute(sql, params or []).fetchall()


def metric(data_dir: Path, metric_id: str, grain: str, segment: str, statistic: str, on: date):
    rows = query(
        data_dir,
        "select value from marts.metrics_daily where metric_id = ? and grain = ? and segment = ?"
        " and statistic = ? and date = ?",
        [metric_id, grain, segment, statistic, on],
    )
    assert len(rows) == 1, (metric_id, rows)
    return rows[0][0]


def test_onboarding(built):
    week = date(2026, 8, 31)
    assert metric(built, "time_to_first_success", "week", "all", "median", week) == 20.0
    assert metric(built, "time_to_first_success", "week", "all", "p90", week) == pytest.approx(28.0)
    assert metric(built, "onboarding_success_rate", "week", "all", "value", week) == pytest.approx(2 / 3)
    # The cohort's 7-day window has not elapsed by the last request seen: flagged, not final.
    assert query(built, "select is_complete from marts.fct_onboarding_cohorts") == [(False,)]
    per_consumer = query(built, "select consumer_id, minutes_to_first_success from"
                                " marts.fct_onboarding order by consumer_id")
    assert per_consumer == [("c-a", 30.0), ("c-b", 10.0), ("c-c", None)]


def test_reliability(built):
    day = date(2026, 9, 1)
    assert metric(built, "availability", "day", "product:payments", "value", day) == 0.8
    assert metric(built, "latency_p95", "day", "route:get_payment|v2", "value", day) == pytest.approx(290.0)
    assert metric(built, "time_to_resolve", "day", "all", "median", day) == 90.0


def test_happiness(built):
    day = date(2026, 9, 1)
    assert metric(built, "ticket_first_response_time", "day", "all", "median", day) == 1.25
    assert metric(built, "csat", "day", "all", "value", day) == 0.5
    assert metric(built, "issue_first_response_time", "day", "all", "median", day) == 4.0
    # Unanswered work is kept and reported as waiting, not dropped.
    assert query(built, "select tickets_awaiting_first_response from marts.agg_tickets_by_period"
                        " where grain = 'day'") == [(1,)]
    assert query(built, "select issue_number from marts.fct_github_issues"
                        " where is_awaiting_first_response") == [(2,)]


def test_quality_checks_ran_and_passed(built):
    rows = query(built, "select asset, count(*), count(*) filter (where not success and"
                        " severity = 'error') from quality.validation_results group by 1 order by 1")
    assert [r[0] for r in rows] == [
        "marts.agg_adoption_by_period", "marts.agg_ecosystem_daily", "marts.agg_outcomes_by_period",
        "marts.fct_availability_daily", "marts.fct_github_issues", "marts.fct_incidents",
        "marts.fct_onboarding", "marts.fct_tickets", "marts.metrics_daily",
        "raw.gateway_consumers", "raw.gateway_requests", "raw.github_comments",
        "raw.github_issues", "raw.statuspage_incidents", "raw.support_tickets"]
    assert all(r[2] == 0 for r in rows), rows


def test_docs_site_written(built):
    site = built / "site"
    assert (site / "index.html").exists()
    page = (site / "docs" / "index.html").read_text()
    assert "metrics_daily" in page  # the static docs page embeds the manifest
    index = (site / "index.html").read_text()
    for page in ("docs/index.html", "quality/index.html", "scorecard/index.html"):
        assert f'href="{page}"' in index
    assert "support_tickets" in (site / "quality" / "index.html").read_text()


def test_private_text_never_reaches_marts(built):
    columns = query(built, "select table_name, column_name from information_schema.columns"
                           " where table_schema = 'marts'")
    names = {c for _, c in columns}
    assert not names & {"description", "body", "api_key", "client_ip", "comment"}


def test_dbt_unit_tests_pass_outside_the_production_run(built, tmp_path):
    """Dagster's runs skip dbt unit tests (fixed inputs, nothing to learn from new data);
    they run here, against the warehouse the pipeline built (dbt reads its input columns)."""
    proc, results = dbt_test("test_type:unit", built / "warehouse.duckdb", tmp_path)
    statuses = {r["unique_id"]: r["status"] for r in results
                if r["unique_id"].startswith("unit_test.")}
    assert proc.returncode == 0, proc.stdout[-3000:]
    assert len(statuses) >= 60
    assert set(statuses.values()) == {"pass"}


@pytest.fixture(scope="module")
def repeat_run_dir(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("repeated_request_id")


@pytest.mark.parametrize(
    ("window_from_repeat", "expected"),
    [(None, "fail"), (1, "fail"), (2, "pass")],
    ids=["full-build", "window-a-day-after", "window-two-days-after"],
)
def test_request_id_uniqueness_is_tested_within_the_gateway_window(
        built, repeat_run_dir, window_from_repeat, expected):
    """unique_in_gateway_window on staging: a request id stored twice fails a full build,
    and a daily run whose window starts a day after the repeat (the loader's one-day
    reach); a run two days later no longer reads that day and passes."""
    # One warehouse path and target folder for the three runs: dbt's partial parse is
    # reused (the window is read only at execution), as a deployment's daily runs reuse it.
    warehouse = repeat_run_dir / "warehouse.duckdb"
    warehouse.write_bytes((built / "warehouse.duckdb").read_bytes())
    with duckdb.connect(str(warehouse)) as con:
        day = con.execute("select min(log_date) from raw.gateway_requests").fetchone()[0]
        con.execute(
            """insert into raw.gateway_requests
               select * from raw.gateway_requests
               where rowid = (select min(rowid) from raw.gateway_requests where log_date = $1)""",
            [day])
    window = {}
    if window_from_repeat is not None:
        start = day + timedelta(days=window_from_repeat)
        window = gateway_window_env(start, start + timedelta(days=1))
    _, results = dbt_test("stg_gateway__requests,test_name:unique_in_gateway_window",
                          warehouse, repeat_run_dir, window)
    tested = [r["status"] for r in results if r["unique_id"].startswith("test.")]
    assert tested == [expected]

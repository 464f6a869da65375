"""The benchmark harness at a tiny size: every step runs, the JSON has its schema, and the
product's numbers equal the hand-written limit script's (and pandas' and polars')."""

from __future__ import annotations

import importlib.util
import json
import sys
import time
from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parents[2]

ROW_KEYS = {
    "size", "product_s", "limit_s", "pandas_s", "polars_s", "incremental_s", "full_s",
    "product_over_limit", "pandas_over_product", "incremental_over_full", "peak_rss_mb",
    "results_equal",
}
FACTS = {"latency_daily", "availability_daily", "onboarding", "active_consumers_daily",
         "cohort_retention", "slo_daily", "slo_burn_rates"}


@pytest.mark.skipif(importlib.util.find_spec("polars") is None,
                    reason="polars not installed (pip install -e '.[bench]')")
def test_bench_tiny_world_runs_and_results_are_equal(tmp_path, monkeypatch):
    from bench import run

    monkeypatch.chdir(REPO_ROOT)
    out = tmp_path / "latest.json"
    # 30k requests over 30 days (+ 1,440 health checks a day); day 31 is left to `make bench`:
    # its dbt build alone would take most of this test's time budget.
    code = run.main(["--sizes", "30k", "--repeats", "1", "--workdir", str(tmp_path / "work"),
                     "--skip-incremental", "--out", str(out)])
    data = json.loads(out.read_text())
    assert isinstance(data["rows"], list) and len(data["rows"]) == 1
    row = data["rows"][0]
    assert ROW_KEYS <= set(row)
    assert row["size"] == 30_000
    for key in ("product_s", "limit_s", "pandas_s", "polars_s", "full_s", "peak_rss_mb"):
        assert isinstance(row[key], float) and row[key] > 0, key
    assert row["incremental_s"] is None and row["incremental_over_full"] is None
    assert row["product_over_limit"] == pytest.approx(row["product_s"] / row["limit_s"], rel=1e-2)
    assert row["pandas_over_product"] == pytest.approx(row["pandas_s"] / row["product_s"],
                                                       rel=1e-2)
    assert set(row["comparisons"]) == {"limit", "pandas", "polars"}
    for name, comparison in row["comparisons"].items():
        assert set(comparison["facts"]) == FACTS, name
        for fact, result in comparison["facts"].items():
            assert result["equal"], (name, fact, result)
            assert result["rows_product"] > 0
    assert row["product_dbt_ok"]
    # The dbt_floor step ran the same selection on empty inputs, every node of it.
    assert row["dbt_floor_ok"] and row["dbt_floor_s"] > 0
    assert row["floors"]["product_s"] == round(
        row["product_breakdown_s"]["ingest_gateway_s"] + row["dbt_floor_s"], 2)
    assert row["floors"]["incremental_s"] is None  # no day 31 here
    assert (f"floors, each step's ingestion + dbt on empty inputs {row['dbt_floor_s']:.2f} s: "
            f"product/limit {row['floors']['product_over_limit']:.2f}   day31/full n/a"
            in data["table"])
    assert row["results_equal"] is True
    assert code == 0


def test_equality_check_catches_a_difference(tmp_path):
    """The comparison is not vacuous: a changed count or percentile is reported."""
    import duckdb

    from bench.compare import FACTS as SPECS
    from bench.compare import _compare_one

    con = duckdb.connect()
    con.execute("create schema marts")
    con.execute("create table marts.t as select date '2026-09-01' as requested_on, 'r' as route_name,"
                " 'v1' as api_version, 10 as successful_requests, 1.0 as latency_p50_ms,"
                " 2.0 as latency_p95_ms, 3.0 as latency_p99_ms")
    con.execute("create table o as select * replace (3.0000001 as latency_p99_ms) from marts.t")
    res = _compare_one(con, SPECS["latency_daily"], "marts.t", "o")
    assert not res["equal"] and res["mismatched"] == {"latency_p99_ms": 1}
    con.execute("create table same as select * from marts.t")
    assert _compare_one(con, SPECS["latency_daily"], "marts.t", "same")["equal"]
    assert sys.version_info >= (3, 11)


ALLOCATING_TREE = """
import subprocess, sys, time
child = subprocess.Popen([sys.executable, "-c",
    "import time; block = bytearray({mb} << 20); block[::4096] = b'x' * len(block[::4096]); "
    "time.sleep({sleep})"])
open(sys.argv[1], "w").write(str(child.pid))
child.wait()
"""


@pytest.mark.skipif(importlib.util.find_spec("psutil") is None, reason="psutil not installed")
def test_memory_budget_stops_the_whole_process_tree(tmp_path):
    """A tree whose summed RSS passes the budget is killed, grandchildren included; one that
    stays under it runs to the end."""
    import psutil

    from bench.run import run_measured

    pid_file = tmp_path / "pid"
    cmd = [sys.executable, "-c", ALLOCATING_TREE.format(mb=300, sleep=60), str(pid_file)]
    wall, peak, rc, over = run_measured(cmd, tmp_path / "log", memory_budget=150 * 2**20)
    assert over and rc == -9
    assert wall < 30  # not the child's 60 s sleep
    assert peak > 150
    grandchild = int(pid_file.read_text())
    deadline = time.monotonic() + 5
    while psutil.pid_exists(grandchild) and time.monotonic() < deadline:
        if psutil.Process(grandchild).status() == psutil.STATUS_ZOMBIE:
            break
        time.sleep(0.05)
    assert not psutil.pid_exists(grandchild) or \
        psutil.Process(grandchild).status() == psutil.STATUS_ZOMBIE

    cmd = [sys.executable, "-c", ALLOCATING_TREE.format(mb=50, sleep=0.2), str(pid_file)]
    wall, peak, rc, over = run_measured(cmd, tmp_path / "log", memory_budget=2 * 2**30)
    assert not over and rc == 0
    assert peak > 50


@pytest.mark.skipif(importlib.util.find_spec("psutil") is None, reason="psutil not installed")
def test_a_peer_past_its_memory_budget_is_recorded_as_not_finished(tmp_path):
    """A DataFrame peer that does not fit is reported (reason, time, peak) instead of
    aborting the benchmark, and the table says so."""
    from bench.run import Step, format_table, run_once

    step = Step("polars")
    messages = []
    # 30 MB: the step's interpreter passes it while importing its libraries.
    run_once(step, 30_000, tmp_path / "work", messages.append, 1, 3, memory_budget_gb=0.03)
    assert step.unfinished is not None
    assert step.unfinished["reason"] == "stopped at the memory budget of 0.03 GB"
    assert step.unfinished["peak_rss_mb"] > 30
    assert step.seconds == [] and step.median is None and len(step.peaks) == 1
    assert "did not finish" in messages[-1] and "not run again at 30k" in messages[-1]
    row = {"label": "30k", "table": [{"step": "polars", "s": None, "rows_per_s": None,
                                      "peak_rss_mb": step.peak, "not_finished": step.unfinished}],
           "product_breakdown_s": {"ingest_gateway_s": 1.0, "dbt_s": 1.0, "dbt_nodes": 1},
           "product_over_limit": None, "pandas_over_product": None,
           "polars_over_product": None, "incremental_over_full": None, "results_equal": True}
    assert "polars       did not finish: stopped at the memory budget of 0.03 GB" in \
        format_table([row])


def test_floors_add_dbt_on_empty_inputs_to_each_steps_ingestion():
    """Worked by hand from the 10M figures: ingestion 31.04 s + dbt on empty inputs 7.73 s
    = 38.77 s, against the limit's 22.88 s 1.694; day 31's ingestion 1.81 s + 7.73 s = 9.54
    s, against the full build's 43.63 s 0.219."""
    from bench.run import floors

    row = {"limit_s": 22.88, "full_s": 43.63, "dbt_floor_s": 7.73, "dbt_floor_ok": True,
           "product_breakdown_s": {"ingest_gateway_s": 31.04},
           "incremental_breakdown_s": {"ingest_gateway_s": 1.81}}
    assert floors(row) == {"dbt_floor_s": 7.73, "product_s": 38.77, "incremental_s": 9.54,
                           "product_over_limit": 1.694, "incremental_over_full": 0.219}
    # Without day 31 (--skip-incremental) its floor is not measured; without the dbt_floor
    # step (--skip-dbt-floor) neither is.
    del row["incremental_breakdown_s"]
    assert floors(row)["incremental_over_full"] is None
    assert floors(row)["product_over_limit"] == 1.694
    assert set(floors({**row, "dbt_floor_s": None, "dbt_floor_ok": None}).values()) == {None}
    # A failed empty build (a node errored, or dbt exited early) would understate the floor.
    assert floors({**row, "dbt_floor_ok": False})["product_over_limit"] is None


def test_targets_are_checked_at_the_sizes_they_are_set_for():
    """Verdicts worked out by hand from figures of the README's performance section."""
    from bench.run import check_targets, format_targets

    row_10m = {"size": 10_000_000, "product_over_limit": 1.897, "pandas_over_product": 30.45,
               "incremental_over_full": 0.276, "polars_over_product": 0.945,
               "peak_rss_mb": 1166.0,
               "peak_rss_mb_by_step": {"product": 1166.0, "pandas": 11600.0, "polars": 6152.0}}
    verdicts = {c["key"]: (c["value"], c["met"]) for c in check_targets(row_10m)}
    assert verdicts == {
        "product_over_limit": (1.897, False),
        "pandas_over_product": (30.45, True),
        "product_peak_over_pandas_peak": (0.101, True),  # 1166 / 11600
        "incremental_over_full": (0.276, False),
        "polars_over_product": (0.945, False),
        "product_peak_over_polars_peak": (0.19, True),  # 1166 / 6152
    }
    # 50M: polars stopped at its memory budget (no time, a peak at the stop), no pandas.
    row_50m = {"size": 50_000_000, "product_over_limit": 1.367, "pandas_over_product": None,
               "incremental_over_full": 0.12, "polars_over_product": None,
               "peak_rss_mb": 2401.0,
               "peak_rss_mb_by_step": {"product": 2401.0, "polars": 20504.0}}
    verdicts = {c["key"]: (c["value"], c["met"]) for c in check_targets(row_50m, 1166.0)}
    assert verdicts == {
        "product_over_limit": (1.367, True),
        "incremental_over_full": (0.12, False),
        "polars_over_product": (None, None),
        "product_peak_over_polars_peak": (0.117, True),  # 2401 / 20504
        "product_peak_gib": (2.34, True),  # 2401 / 1024
        "peak_over_10m_peak": (2.059, False),  # 2401 / 1166
    }
    # Without a 10M row in the same benchmark the growth bound is not measured.
    growth = [c for c in check_targets(row_50m) if c["key"] == "peak_over_10m_peak"][0]
    assert growth["value"] is None and growth["met"] is None
    lines = format_targets(check_targets(row_50m, 1166.0))
    assert "target product ÷ limit ≤ 1.5: met (1.367)" in lines[0]
    assert any(line.endswith("polars ÷ product (faster than polars) > 1: not measured")
               for line in lines)
    assert any(line.endswith("its peak at 10M ≤ 2: MISSED (2.059)") for line in lines)
    # The floors (each step's ingestion plus dbt on empty inputs) get their own verdict: a
    # floor within its bound is printed as within reach, one over it as out of reach.
    row_10m["floors"] = {"product_over_limit": 1.49, "incremental_over_full": 0.219}
    checks = {c["key"]: c for c in check_targets(row_10m)}
    assert (checks["product_over_limit"]["floor"], checks["product_over_limit"]["floor_met"]) \
        == (1.49, True)
    assert (checks["incremental_over_full"]["floor"],
            checks["incremental_over_full"]["floor_met"]) == (0.219, False)
    assert "floor" not in checks["polars_over_product"]
    lines = format_targets(list(checks.values()))
    assert lines[1].endswith("floor (ingestion + dbt_floor): 1.49, within reach")
    day31 = lines.index(next(x for x in lines if "day 31 ÷ full" in x))
    assert lines[day31 + 1].endswith("floor (ingestion + dbt_floor): 0.219, out of reach: "
                                     "the ingestion plus dbt on empty inputs miss it")
    # The CI sizes have no targets: the table says so instead of printing verdicts.
    assert check_targets({"size": 1_000_000, "peak_rss_mb": 500.0}) == []
    assert "none at this size" in format_targets([])[0]

"""The benchmark harness at a tiny size: every step runs, the JSON has its schema, and the
product's numbers equal the hand-written limit script's (and pandas' and polars')."""

from __future__ import annotations

import importlib.util
import json
import sys
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

"""Calibration on a known history: the numbers, the proposal, the diff and the file."""

from __future__ import annotations

import argparse
from datetime import date, timedelta
from pathlib import Path

import duckdb
import pytest
import yaml

from orchestration.calibration import (
    _round,
    calibrate,
    mad,
    propose_bounds,
    quantile,
    register,
)
from orchestration.quality import load_suite

START = date(2026, 9, 1)
BAD_DAY = START + timedelta(days=17)
# 28 days of a steady load with a little noise, and one day that lost 40% of its rows.
NOISE = [
    0,
    12,
    -25,
    8,
    30,
    -14,
    5,
    -3,
    22,
    -30,
    16,
    1,
    -9,
    27,
    -18,
    4,
    11,
    0,
    -21,
    9,
    14,
    -6,
    25,
    -11,
    3,
    -27,
    19,
    -2,
]
HISTORY = {START + timedelta(days=i): 1000 + n for i, n in enumerate(NOISE)}
HISTORY[BAD_DAY] = 600

SUITE = """
asset: raw.events
team: platform
metrics:
  rows_per_day:
    sql: select day, count(*) as value from {batch} group by day
    calibrate: {bounds: [min, max], method: mad, k: 4}
  ok_share:
    sql: select day, avg(case when ok then 1.0 else 0.0 end) as value from {batch} group by day
    calibrate: {bounds: [mostly], quantiles: [0.1, 0.9], margin: 0.1}
  lag_hours:
    sql: select max(day) as day, 1.0 as value from {batch}
expectations:
  - metric: rows_per_day
    name: volume
    severity: error
  - metric: lag_hours
    name: freshness
    severity: warn
  - expectation: ExpectColumnValuesToBeInSet
    kwargs: {column: ok, value_set: [true], mostly: '${ok_share.mostly}'}
    severity: warn
"""
HAND_SET = "events:\n  lag_hours: {max: 6, calibrated_by: ops (by hand)}\n"


@pytest.fixture
def project(tmp_path: Path) -> dict[str, Path]:
    suites = tmp_path / "suites" / "platform"
    suites.mkdir(parents=True)
    (suites / "events.yml").write_text(SUITE)
    thresholds = tmp_path / "thresholds"
    thresholds.mkdir()
    (thresholds / "platform.yml").write_text(HAND_SET)
    warehouse = tmp_path / "w.duckdb"
    with duckdb.connect(str(warehouse)) as con:
        con.execute("create schema raw")
        con.execute("create table raw.events (day date, ok boolean)")
        for day, n in HISTORY.items():
            con.execute(
                "insert into raw.events select ?, i % 20 <> 0 from range(?) as t(i)", [day, n]
            )
    return {"suites": tmp_path / "suites", "thresholds": thresholds, "warehouse": warehouse}


def test_quantile_and_mad_match_known_values():
    assert quantile([1, 2, 3, 4], 0.5) == 2.5
    assert quantile([1, 2, 3, 4, 5], 0.1) == pytest.approx(1.4)
    assert quantile([7.0], 0.9) == 7.0
    assert mad([1, 2, 3, 4, 100]) == pytest.approx(1.4826)  # the outlier does not count


def test_rounding_goes_outwards():
    assert _round(0.8617, "down") == 0.861
    assert _round(0.8617, "up") == 0.862
    assert _round(1234.5, "down") == 1230.0
    assert _round(1234.5, "up") == 1240.0
    assert _round(0.0, "up") == 0.0


def test_band_contains_the_normal_days_and_excludes_the_planted_bad_day():
    values = list(HISTORY.values())
    band = propose_bounds(values, {"bounds": ["min", "max"], "method": "mad", "k": 4})
    normal = [v for d, v in HISTORY.items() if d != BAD_DAY]
    assert all(band["min"] <= v <= band["max"] for v in normal), band
    assert not band["min"] <= HISTORY[BAD_DAY] <= band["max"]
    # Quantile method: the 10th percentile ignores one bad day in 28.
    band = propose_bounds(
        values, {"bounds": ["min", "max"], "quantiles": [0.1, 0.9], "margin": 0.1}
    )
    assert all(band["min"] <= v <= band["max"] for v in normal)
    assert band["min"] > HISTORY[BAD_DAY]


def test_mostly_from_observed_rates():
    assert propose_bounds([0.95, 0.96, 0.97, 0.98], {"bounds": ["mostly"], "margin": 0.1}) == {
        "mostly": 0.857  # 0.953 (10th percentile) x 0.9, rounded down
    }


def parse(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="apipulse")
    register(parser.add_subparsers(dest="command", required=True))
    return parser.parse_args(argv)


def test_command_prints_a_diff_and_writes_only_with_write(project, capsys, monkeypatch):
    monkeypatch.setenv("USER", "alice")
    base = [
        "calibrate",
        "--warehouse",
        str(project["warehouse"]),
        "--days",
        "28",
        "--suites-dir",
        str(project["suites"]),
        "--thresholds-dir",
        str(project["thresholds"]),
    ]
    saved = project["thresholds"] / "platform.yml"

    args = parse(base)
    assert args.days == 28 and not args.write
    assert args.func(args) == 0
    out = capsys.readouterr().out
    assert "events.rows_per_day: min=" in out
    assert "+++ " in out and "+    calibrated_by: alice" in out
    assert "Nothing written" in out
    assert saved.read_text() == HAND_SET  # nothing changes until it is saved

    args = parse([*base, "--write", "--by", "bob"])
    assert args.func(args) == 0
    doc = yaml.safe_load(saved.read_text())["events"]
    band = doc["rows_per_day"]
    assert band["calibrated_by"] == "bob" and band["calibrated_at"].endswith("Z")
    assert band["min"] < min(v for d, v in HISTORY.items() if d != BAD_DAY)
    assert band["min"] > HISTORY[BAD_DAY]
    assert band["observed"]["days"] == 28
    assert 0.8 < doc["ok_share"]["mostly"] < 0.95
    assert doc["lag_hours"] == {"max": 6, "calibrated_by": "ops (by hand)"}  # kept as set

    # The suite now loads with the saved thresholds, placeholders resolved.
    spec = load_suite(
        project["suites"] / "platform" / "events.yml", thresholds_dir=project["thresholds"]
    )
    by_name = {e.name: e for e in spec.expectations}
    assert f"value < {band['min']!r}" in by_name["volume"].kwargs["unexpected_rows_query"]
    mostly = by_name[
        "ExpectColumnValuesToBeInSet(column=ok, value_set=[True], mostly=${ok_share.mostly})"
    ]
    assert mostly.kwargs["mostly"] == doc["ok_share"]["mostly"]

    # Same history, same numbers: nothing to review, nothing rewritten.
    text = saved.read_text()
    assert args.func(args) == 0
    assert "no change" in capsys.readouterr().out
    assert saved.read_text() == text


def test_too_little_history_proposes_nothing(project):
    [proposal] = calibrate(
        project["warehouse"],
        days=3,
        by="x",
        suites_dir=project["suites"],
        thresholds_dir=project["thresholds"],
    )
    assert all(m.skipped and "3 days of history, 7 needed" in m.skipped for m in proposal.metrics)
    assert not proposal.changed


def test_suite_errors_name_the_file_and_the_problem(project):
    from orchestration.quality import SuiteError

    path = project["suites"] / "platform" / "events.yml"
    with pytest.raises(
        SuiteError, match=r"events.yml.*\$\{rows_per_day.min\}|rows_per_day.*no min"
    ):
        load_suite(path, thresholds_dir=project["thresholds"])  # not calibrated yet
    # Before calibration the suite still loads for profiling.
    spec = load_suite(path, thresholds_dir=project["thresholds"], resolve_thresholds=False)
    assert [m.name for m in spec.metrics] == ["rows_per_day", "ok_share", "lag_hours"]

    path.write_text(SUITE.replace("team: platform", "team: nobody"))
    with pytest.raises(SuiteError, match="'nobody' is not a team_id of seeds/teams.csv"):
        load_suite(path, thresholds_dir=project["thresholds"])
    path.write_text(SUITE.replace("  - metric: lag_hours", "  - metric: lag_days"))
    with pytest.raises(SuiteError, match=r"expectations\[1\]: metric 'lag_days' is not in"):
        load_suite(path, thresholds_dir=project["thresholds"], resolve_thresholds=False)


def test_building_the_cli_parser_does_not_import_great_expectations():
    # `apipulse` builds every subcommand's parser at start; GX takes seconds to import.
    import subprocess
    import sys

    code = (
        "import sys, argparse\n"
        "from orchestration.calibration import register\n"
        "register(argparse.ArgumentParser().add_subparsers())\n"
        "assert 'great_expectations' not in sys.modules\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True, cwd=Path(__file__).parents[2])


def test_folders_match_the_quality_module():
    from orchestration import calibration, quality

    assert calibration.SUITES_DIR == quality.SUITES_DIR
    assert calibration.THRESHOLDS_DIR == quality.THRESHOLDS_DIR

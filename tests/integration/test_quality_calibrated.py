"""The calibrated suites on a warehouse built from a small sample world.

Once per session: generate a small world, load it with the file-mode loaders, calibrate the
thresholds on it (into a temporary copy of expectations/thresholds/). Each test copies the
warehouse file, plants one real-world failure and checks that exactly the right check of the
right team fails with the right severity - and that the clean warehouse passes.
"""

from __future__ import annotations

import shutil
from datetime import date
from pathlib import Path

import dagster as dg
import duckdb
import pytest

from orchestration.calibration import calibrate, mad, quantile
from orchestration.ingestion import consumers, gateway, github, statuspage, support
from orchestration.ingestion.schema import ensure_raw_schema
from orchestration.quality import (
    ERROR,
    SUITES_DIR,
    THRESHOLDS_DIR,
    WARN,
    check_result,
    load_suite,
    load_suites,
    validate_table,
)

PARAMS = {"consumers": 60, "days": 21, "requests_per_day": 3000}
SUITE = {s.table: s.path for s in load_suites(schemas=["raw"])}
COMPOUND_UNIQUE = "ExpectCompoundColumnsToBeUnique(column_list=['log_date', 'request_id'])"
RESOLVED_AFTER_CREATED = (
    "ExpectColumnPairValuesAToBeGreaterThanB(column_A=resolved_at, column_B=created_at, "
    "or_equal=True, ignore_row_if=either_value_is_missing)"
)
BAD_DAY = date(2026, 9, 15)  # a Tuesday in the middle of the world


def build_world_warehouse(root: Path) -> Path:
    from orchestration.sample_data import WorldParams, generate_world

    world = root / "world"
    generate_world(world, WorldParams(**PARAMS), progress=False)
    path = root / "warehouse.duckdb"

    def files(source: str, *patterns: str) -> list[Path]:
        return sorted(p for pattern in patterns for p in (world / source).rglob(pattern))

    with duckdb.connect(str(path)) as con:
        ensure_raw_schema(con)
        github.load_files(con, files("github", "*.json"))
        statuspage.load_files(con, files("statuspage", "*.json"))
        support.load_files(con, files("support", "*.json"))
        consumers.load_files(con, files("consumers", "*.json"))
        gateway.load_files(con, files("gateway", "*.log.gz"))
    return path


@pytest.fixture(scope="session")
def world(tmp_path_factory) -> tuple[Path, Path]:
    """(clean warehouse, thresholds dir calibrated on it); both read-only for tests."""
    root = tmp_path_factory.mktemp("quality_world")
    path = build_world_warehouse(root)
    thresholds = root / "thresholds"
    shutil.copytree(THRESHOLDS_DIR, thresholds)  # keeps the thresholds set by hand
    for proposal in calibrate(path, days=28, by="pytest", thresholds_dir=thresholds):
        proposal.path.write_text(proposal.proposed_text)
    return path, thresholds


@pytest.fixture
def warehouse(world, tmp_path) -> Path:
    copy = tmp_path / "warehouse.duckdb"
    shutil.copyfile(world[0], copy)
    return copy


def sql(path: Path, statement: str) -> None:
    with duckdb.connect(str(path)) as con:
        con.execute(statement)


def run(path: Path, table: str, thresholds: Path):
    return validate_table(path, SUITE[table], persist=False, thresholds_dir=thresholds)


def failed(report) -> dict[str, str]:
    return {r.expectation: r.severity for r in report.failed}


# --------------------------------------------------------------------------- clean


def test_clean_warehouse_passes_every_suite(world):
    path, thresholds = world
    for table in SUITE:
        report = run(path, table, thresholds)
        assert report.success, (table, failed(report))
        assert all(r.exception is None for r in report.results), table


# --------------------------------------------------------------------------- planted failures


def test_day_with_a_third_of_its_gateway_rows_missing(warehouse, world):
    sql(
        warehouse,
        f"delete from raw.gateway_requests where log_date = '{BAD_DAY}'"
        " and hash(request_id) % 3 = 0",
    )
    report = run(warehouse, "gateway_requests", world[1])
    assert report.team == "platform"
    assert failed(report) == {"volume_rows_per_day": ERROR}
    [volume] = report.failed
    assert volume.unexpected_count == 1  # one day outside the band
    result = check_result(report)
    assert result.severity == dg.AssetCheckSeverity.ERROR and not result.passed
    assert result.metadata["team_name"].value == "Platform (SRE)"
    assert result.metadata["alert_channel"].value == "#platform-alerts"
    assert result.description.startswith("[Platform (SRE)] failed: volume_rows_per_day")


def test_null_spike_in_consumer_ids(warehouse, world):
    sql(
        warehouse,
        "update raw.gateway_requests set consumer_id = null"
        " where log_date = '2026-09-10' and hash(request_id) % 10 < 8",
    )
    report = run(warehouse, "gateway_requests", world[1])
    assert failed(report) == {"distribution_consumer_id_null_share": WARN}


def test_duplicated_request_ids(warehouse, world):
    sql(
        warehouse,
        "insert into raw.gateway_requests select * from raw.gateway_requests"
        " where log_date = '2026-09-12' order by request_id limit 5",
    )
    report = run(warehouse, "gateway_requests", world[1])
    assert failed(report) == {COMPOUND_UNIQUE: ERROR}


def test_shift_of_the_5xx_share(warehouse, world):
    sql(
        warehouse,
        "update raw.gateway_requests set status = 503"
        " where log_date = '2026-09-13' and hash(request_id) % 10 < 3",
    )
    report = run(warehouse, "gateway_requests", world[1])
    assert failed(report) == {"distribution_share_5xx": WARN}


def test_stale_gateway_data(warehouse, world):
    # The last two days of logs never arrived; tickets, issues and incidents did.
    sql(warehouse, "delete from raw.gateway_requests where log_date >= '2026-09-20'")
    report = run(warehouse, "gateway_requests", world[1])
    assert failed(report) == {"freshness_newest_request": WARN}


def test_unknown_consumer_in_the_logs(warehouse, world):
    sql(
        warehouse,
        "update raw.gateway_requests set consumer_id = 'ghost'"
        " where request_id in (select request_id from raw.gateway_requests"
        " where consumer_id is not null order by request_id limit 3)",
    )
    report = run(warehouse, "gateway_requests", world[1])
    assert failed(report) == {"referential_consumer_in_registry": WARN}
    [miss] = report.failed
    assert miss.unexpected_count == 1  # one consumer id, whatever its number of requests


def test_resolved_before_created_incident(warehouse, world):
    sql(
        warehouse,
        "update raw.statuspage_incidents set resolved_at = created_at - interval 1 hour,"
        " started_at = null where id = (select min(id) from raw.statuspage_incidents"
        " where resolved_at is not null)",
    )
    report = run(warehouse, "statuspage_incidents", world[1])
    assert report.team == "sre"
    assert failed(report) == {RESOLVED_AFTER_CREATED: ERROR}


def test_poll_gap_longer_than_50_incidents_cover(warehouse, world):
    # 50 incidents created between two polls: the later poll could not list them all.
    sql(
        warehouse,
        """
        insert into raw.statuspage_incidents (id, page_id, name, status, impact, created_at,
            updated_at, resolved_at, _page_name, _source_file, _loaded_at)
        select 'burst' || i, page_id, 'burst', 'resolved', 'minor',
            timestamp '2026-09-19 10:00:00' + i * interval 1 minute,
            timestamp '2026-09-19 12:00:00', timestamp '2026-09-19 12:00:00',
            _page_name, _source_file, _loaded_at
        from (select * from raw.statuspage_incidents
              where _source_file like '%20260921T230000Z.json' and _page_name = 'Acme API'
              limit 1), range(50) as t(i)""",
    )
    report = run(warehouse, "statuspage_incidents", world[1])
    assert failed(report) == {"contract_poll_gap_within_50_incidents": WARN}


def test_help_desk_export_cursor_going_back(warehouse, world):
    # A second export page that starts before the end of the first: the cursor went back.
    sql(
        warehouse,
        """
        insert into raw.support_tickets (id, status, priority, type, requester_id, created_at,
            updated_at, _source_file, _loaded_at)
        select 999999, 'open', 'normal', 'question', 1, timestamp '2026-09-04 00:00:00',
            timestamp '2026-09-05 00:00:00',
            replace(min(_source_file), 'export-0001', 'export-0002'), max(_loaded_at)
        from raw.support_tickets""",
    )
    report = run(warehouse, "support_tickets", world[1])
    assert report.team == "support"
    assert failed(report) == {"contract_export_cursor_never_goes_back": WARN}


# --------------------------------------------------------------------------- calibration


def test_calibrated_band_contains_normal_days_and_excludes_the_planted_bad_day(world, tmp_path):
    path = tmp_path / "warehouse.duckdb"
    shutil.copyfile(world[0], path)
    sql(
        path,
        f"delete from raw.gateway_requests where log_date = '{BAD_DAY}'"
        " and hash(request_id) % 3 = 0",
    )
    thresholds = tmp_path / "thresholds"
    shutil.copytree(THRESHOLDS_DIR, thresholds)
    [platform] = calibrate(
        path, days=28, by="pytest", teams=["platform"], thresholds_dir=thresholds
    )
    [volume] = [m for m in platform.metrics if m.metric == "rows_vs_last_week"]
    low, high = volume.proposed["min"], volume.proposed["max"]
    series = dict(volume.series)
    assert BAD_DAY in series and len(series) >= 12
    assert not low <= series[BAD_DAY] <= high  # the bad day is outside the band
    normal = {day: v for day, v in series.items() if day != BAD_DAY}
    assert all(low <= v <= high for v in normal.values()), (low, high, normal)
    # median/MAD: one bad day barely moves the band.
    assert quantile(list(normal.values()), 0.5) - 4 * mad(list(normal.values())) == (
        pytest.approx(low, abs=0.05)
    )
    # Proposed only: the thresholds file is unchanged until it is written.
    assert platform.changed
    assert (thresholds / "platform.yml").read_text() == (
        THRESHOLDS_DIR / "platform.yml"
    ).read_text()
    assert "calibrated_by: pytest" in platform.proposed_text
    assert "+    min: " in platform.diff()


def test_every_suite_with_metrics_loads_with_the_committed_thresholds():
    for spec in load_suites(schemas=None):
        for entry in spec.expectations:
            assert "${" not in str(entry.kwargs), (spec.path, entry.name)
    assert load_suite(SUITES_DIR / "platform" / "gateway_requests.yml").metrics


# --------------------------------------------------------------------------- mart suites


def test_mart_suites_are_owned_by_their_teams_and_keyed_like_dagster_dbt():
    marts = {s.table: s for s in load_suites(schemas=["marts"])}
    # Every mart domain has a suite owned by its team.
    assert {t: s.team for t, s in marts.items()} == {
        "fct_availability_daily": "platform",
        "fct_incidents": "sre",
        "fct_onboarding": "devrel",
        "fct_github_issues": "devrel",
        "fct_tickets": "support",
        "agg_adoption_by_period": "product",
        "agg_outcomes_by_period": "product",
        "agg_ecosystem_daily": "partnerships",
        "metrics_daily": "analytics",
    }
    assert all(s.asset_key == dg.AssetKey(["marts", t]) for t, s in marts.items())
    # Raw suites only by default (the Dagster checks and the Data Docs); all with schemas=None.
    assert {s.schema for s in load_suites(schemas=["raw"])} == {"raw"}
    assert len(load_suites(schemas=None)) == len(SUITE) + len(marts)


def test_metrics_daily_suite_catches_unknown_metrics_and_impossible_ratios(tmp_path):
    path = tmp_path / "warehouse.duckdb"
    with duckdb.connect(str(path)) as con:
        con.execute("create schema seeds")
        con.execute(
            "create table seeds.metric_definitions as select 'availability' as metric_id"
            " union all select 'latency_p95'"
        )
        con.execute("create schema marts")
        con.execute("""create table marts.metrics_daily as select * from (values
            ('availability', date '2026-09-01', 'day', 'all', 'value', 0.99, true),
            ('latency_p95', date '2026-09-01', 'day', 'all', 'value', 290.0, true))
            as t(metric_id, date, grain, segment, statistic, value, is_complete)""")
    suite = SUITES_DIR / "analytics" / "metrics_daily.yml"
    assert validate_table(path, suite, persist=False).success
    with duckdb.connect(str(path)) as con:
        con.execute(
            "insert into marts.metrics_daily values"
            " ('availability', date '2026-09-02', 'day', 'all', 'value', 1.2, true),"
            " ('made_up', date '2026-09-02', 'day', 'all', 'value', 1.0, true)"
        )
    report = validate_table(path, suite, persist=False)
    assert report.team == "analytics"
    assert failed(report) == {
        "referential_metric_in_catalog": ERROR,
        "ratios_between_0_and_1": ERROR,
    }

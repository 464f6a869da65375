"""GX suites against real DuckDB files: good data passes, each kind of bad data fails by name,
warn-only failures stay warnings, and the Dagster checks block (or not) accordingly."""

from __future__ import annotations

import csv
import json
import re
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import dagster as dg
import duckdb
import pytest

from orchestration.ingestion.schema import LOAD_COLUMNS, RAW_TABLES, ensure_raw_schema
from orchestration.quality import (
    ERROR,
    RESULTS_TABLE,
    SUITES_DIR,
    WARN,
    build_data_docs,
    build_quality_checks,
    check_result,
    load_suite,
    load_suites,
    validate_table,
)
from orchestration.resources import WarehouseResource

REPO = Path(__file__).resolve().parents[2]
SUITE = {
    "github_issues": SUITES_DIR / "devrel" / "github_issues.yml",
    "github_comments": SUITES_DIR / "devrel" / "github_comments.yml",
    "statuspage_incidents": SUITES_DIR / "sre" / "statuspage_incidents.yml",
    "support_tickets": SUITES_DIR / "support" / "support_tickets.yml",
    "gateway_requests": SUITES_DIR / "platform" / "gateway_requests.yml",
    "gateway_consumers": SUITES_DIR / "platform" / "gateway_consumers.yml",
}
T0 = datetime(2024, 5, 1, 9, 0, 0)
# Names keep threshold placeholders as written: a recalibration does not rename a result.
CONSUMER_ID_NOT_NULL = (
    "ExpectColumnValuesToNotBeNull(column=consumer_id, mostly=${consumer_id_not_null.mostly})"
)


# --------------------------------------------------------------------------- helpers


def insert(path: Path, table: str, rows: list[dict[str, Any]]) -> None:
    """Insert rows (dicts with any subset of the table's columns) into raw.<table>."""
    if not rows:
        return
    defaults = {"_source_file": "test", "_loaded_at": T0}
    columns = sorted({c for row in rows for c in row} | set(defaults))

    def value(row: dict[str, Any], column: str) -> Any:
        v = row.get(column, defaults.get(column))
        return json.dumps(v) if isinstance(v, dict | list) else v

    values = [[value(row, c) for c in columns] for row in rows]
    quoted = ", ".join(f'"{c}"' for c in columns)
    marks = ", ".join("?" for _ in columns)
    with duckdb.connect(str(path)) as con:
        con.executemany(f'insert into raw."{table}" ({quoted}) values ({marks})', values)


def good_rows() -> dict[str, list[dict[str, Any]]]:
    """A small coherent world: every suite must pass on it without a single warning."""
    repo = "acme/api"
    issues = [
        {
            "id": 1000 + n,
            "node_id": f"I_{n}",
            "number": n,
            "title": f"issue {n}",
            "state": "closed" if n % 2 else "open",
            "state_reason": "completed" if n % 2 else None,
            "author_association": "CONTRIBUTOR",
            "user": {"login": f"user{n}", "type": "User"},
            "comments": n % 3,
            "created_at": T0 + timedelta(hours=n),
            "updated_at": T0 + timedelta(hours=n + 5),
            "closed_at": T0 + timedelta(hours=n + 5) if n % 2 else None,
            "repository_url": f"https://api.github.com/repos/{repo}",
            "_repository": repo,
        }
        for n in range(1, 7)
    ]
    comments = [
        {
            "id": 5000 + n,
            "issue_url": f"https://api.github.com/repos/{repo}/issues/{n}",
            "author_association": "MEMBER",
            "created_at": T0 + timedelta(hours=n),
            "updated_at": T0 + timedelta(hours=n),
            "_repository": repo,
        }
        for n in range(1, 5)
    ]
    incidents = [
        {
            "id": f"inc{n}",
            "page_id": "page1",
            "name": f"Incident {n}",
            "status": "resolved",
            "impact": impact,
            "created_at": T0 - timedelta(days=10 - n),
            "started_at": T0 - timedelta(days=10 - n, minutes=5),
            "updated_at": T0 - timedelta(days=10 - n, hours=-2),
            "resolved_at": T0 - timedelta(days=10 - n, hours=-2),
        }
        for n, impact in enumerate(["minor", "major", "critical", "none"], start=1)
    ] + [
        {
            "id": "inc9",
            "page_id": "page1",
            "name": "Ongoing",
            "status": "investigating",
            "impact": "major",
            "created_at": T0 - timedelta(days=1),
            "updated_at": T0 - timedelta(days=1),
        }
    ]
    tickets = [
        {
            "id": 100 + n,
            "status": status,
            "priority": priority,
            "type": "question",
            "requester_id": 9000 + n,
            "created_at": T0 + timedelta(hours=n),
            "updated_at": T0 + timedelta(hours=n + 1),
        }
        for n, (status, priority) in enumerate(
            [("new", "normal"), ("open", "high"), ("solved", None), ("closed", "low")]
        )
    ]
    requests = [
        {
            "request_id": f"r{n}",
            "ts": T0 + timedelta(days=1, seconds=n),  # the gateway is the freshest source
            "consumer_id": f"c{n % 3}",
            "method": ["GET", "POST", "DELETE"][n % 3],
            "route": "items",
            "path": f"/v1/items/{n}",
            "status": [200, 201, 304, 404, 500][n % 5],
            "latency_ms": 10.0 + n,
            "upstream_latency_ms": 8.0 + n,
            "bytes_in": 100,
            "bytes_out": 2000,
            "log_date": (T0 + timedelta(days=1)).date(),
        }
        for n in range(20)
    ]
    consumers = [
        {
            "id": f"c{n}",
            "username": f"user{n}",
            "custom_id": f"org_{n:04d}",
            "created_at": T0 - timedelta(days=30),
            "tags": ["plan:pro"],
        }
        for n in range(3)
    ]
    return {
        "github_issues": issues,
        "github_comments": comments,
        "statuspage_incidents": incidents,
        "support_tickets": tickets,
        "gateway_requests": requests,
        "gateway_consumers": consumers,
    }


@pytest.fixture
def warehouse_file(tmp_path: Path) -> Path:
    path = tmp_path / "warehouse.duckdb"
    with duckdb.connect(str(path)) as con:
        ensure_raw_schema(con)
    return path


@pytest.fixture
def good_warehouse(warehouse_file: Path) -> Path:
    for table, rows in good_rows().items():
        insert(warehouse_file, table, rows)
    return warehouse_file


def failed(report) -> dict[str, str]:
    return {r.expectation: r.severity for r in report.failed}


# --------------------------------------------------------------------------- the suites


def test_one_suite_per_raw_asset_owned_by_a_known_team():
    with open(REPO / "seeds" / "teams.csv") as f:
        teams = {row["team_id"] for row in csv.DictReader(f)}
    suites = load_suites(schemas=["raw"])
    assert {s.asset: s.team for s in suites} == {
        "raw.github_issues": "devrel",
        "raw.github_comments": "devrel",
        "raw.statuspage_incidents": "sre",
        "raw.support_tickets": "support",
        "raw.gateway_requests": "platform",
        "raw.gateway_consumers": "platform",
    }
    assert all(s.team in teams for s in suites)


@pytest.mark.parametrize("table", sorted(SUITE))
def test_suite_column_sets_match_the_raw_ddl(table):
    # A column added to orchestration/ingestion/schema.py must be added to its suite too.
    expected = set(RAW_TABLES[table].column_names) | set(re.findall(r'"(\w+)"', LOAD_COLUMNS))
    spec = load_suite(SUITE[table])
    column_sets = [
        set(e.kwargs["column_set"])
        for e in spec.expectations
        if e.expectation == "ExpectTableColumnsToMatchSet"
    ]
    assert column_sets and all(cs == expected for cs in column_sets)


# --------------------------------------------------------------------------- validate_table


@pytest.mark.parametrize("table", sorted(SUITE))
def test_suite_passes_on_good_data(good_warehouse, table):
    report = validate_table(good_warehouse, SUITE[table])
    assert report.success, failed(report)
    assert report.severity is None
    assert report.asset == f"raw.{table}"
    assert all(r.exception is None for r in report.results)
    assert report.row_count == len(good_rows()[table])


def test_duplicated_id_fails_as_error(warehouse_file):
    rows = good_rows()["github_issues"]
    insert(warehouse_file, "github_issues", rows + [dict(rows[0], title="again")])
    report = validate_table(warehouse_file, SUITE["github_issues"])
    assert not report.success
    assert report.severity == ERROR
    assert failed(report) == {"ExpectColumnValuesToBeUnique(column=id)": ERROR}
    unique = next(
        r for r in report.results if r.expectation.startswith("ExpectColumnValuesToBeUnique")
    )
    # 2 of 7 rows share id 1001: 2/7 = 28.57 %
    assert unique.unexpected_count == 2
    assert unique.unexpected_percent == pytest.approx(200 / 7)


def test_bad_enum_values_fail_as_error(warehouse_file):
    rows = good_rows()
    rows["statuspage_incidents"][0]["impact"] = "catastrophic"
    rows["support_tickets"][0]["status"] = "escalated"
    for table in ("statuspage_incidents", "support_tickets"):
        insert(warehouse_file, table, rows[table])

    incidents = validate_table(warehouse_file, SUITE["statuspage_incidents"])
    assert incidents.severity == ERROR
    assert list(failed(incidents)) == [
        "ExpectColumnValuesToBeInSet(column=impact, value_set=[5 values])"
    ]
    bad = incidents.failed[0]
    assert bad.unexpected_count == 1 and bad.partial_unexpected == ("catastrophic",)

    tickets = validate_table(warehouse_file, SUITE["support_tickets"])
    assert tickets.severity == ERROR
    assert list(failed(tickets)) == [
        "ExpectColumnValuesToBeInSet(column=status, value_set=[7 values])"
    ]


def test_resolved_before_created_fails_as_error(warehouse_file):
    rows = good_rows()["statuspage_incidents"]
    rows[1]["resolved_at"] = rows[1]["created_at"] - timedelta(minutes=1)
    rows[1]["started_at"] = None  # keep the warn-level started/resolved pair out of it
    insert(warehouse_file, "statuspage_incidents", rows)
    report = validate_table(warehouse_file, SUITE["statuspage_incidents"])
    assert report.severity == ERROR
    assert failed(report) == {
        "ExpectColumnPairValuesAToBeGreaterThanB(column_A=resolved_at, column_B=created_at, "
        "or_equal=True, ignore_row_if=either_value_is_missing)": ERROR
    }


def test_request_id_is_unique_per_log_date_only(warehouse_file):
    rows = good_rows()["gateway_requests"]
    next_day = [dict(r, log_date=r["log_date"] + timedelta(days=1)) for r in rows]
    insert(warehouse_file, "gateway_requests", rows + next_day)
    assert validate_table(warehouse_file, SUITE["gateway_requests"]).success

    insert(warehouse_file, "gateway_requests", rows[:1])  # the same day appended twice
    report = validate_table(warehouse_file, SUITE["gateway_requests"])
    assert failed(report) == {
        "ExpectCompoundColumnsToBeUnique(column_list=['log_date', 'request_id'])": ERROR
    }


def test_gateway_status_and_latency_ranges(warehouse_file):
    rows = good_rows()["gateway_requests"]
    rows[0]["status"] = 99
    rows[1]["latency_ms"] = -1.0
    insert(warehouse_file, "gateway_requests", rows)
    report = validate_table(warehouse_file, SUITE["gateway_requests"])
    assert failed(report) == {
        "ExpectColumnValuesToBeBetween(column=status, min_value=100, max_value=599)": ERROR,
        "ExpectColumnValuesToBeBetween(column=latency_ms, min_value=0)": ERROR,
    }


def test_warn_only_failure_is_a_warning(warehouse_file):
    # An access log without latency or consumers (CLF/NGINX combined): reported, not blocking.
    rows = [
        dict(r, latency_ms=None, upstream_latency_ms=None, consumer_id=None)
        for r in good_rows()["gateway_requests"]
    ]
    insert(warehouse_file, "gateway_requests", rows)
    report = validate_table(warehouse_file, SUITE["gateway_requests"])
    assert not report.success
    assert report.severity == WARN
    assert failed(report) == {
        "ExpectColumnValuesToNotBeNull(column=latency_ms, mostly=0.95)": WARN,
        CONSUMER_ID_NOT_NULL: WARN,
    }
    result = check_result(report)
    assert result.passed is False
    assert result.severity == dg.AssetCheckSeverity.WARN
    assert result.metadata["failed_error"].value == 0
    assert result.metadata["failed_warn"].value == 2


def test_missing_table_is_an_error_not_a_crash(warehouse_file):
    with duckdb.connect(str(warehouse_file)) as con:
        con.execute("drop table raw.github_comments")
    report = validate_table(warehouse_file, SUITE["github_comments"])
    assert report.severity == ERROR
    assert failed(report) == {"table raw.github_comments is readable": ERROR}


def test_outcomes_are_appended_to_validation_results(good_warehouse):
    validate_table(good_warehouse, SUITE["support_tickets"])
    insert(good_warehouse, "support_tickets", [dict(good_rows()["support_tickets"][0])])
    validate_table(good_warehouse, SUITE["support_tickets"])
    validate_table(good_warehouse, SUITE["github_comments"], persist=False)

    n_expectations = len(load_suite(SUITE["support_tickets"]).expectations)
    with duckdb.connect(str(good_warehouse), read_only=True) as con:
        columns = [r[0] for r in con.execute(f"describe {RESULTS_TABLE}").fetchall()]
        runs = con.execute(
            f"select run_at, count(*), count(*) filter (where not success),"
            f" max(unexpected_percent) from {RESULTS_TABLE} group by run_at order by run_at"
        ).fetchall()
        failures = con.execute(
            f"select team, asset, suite, expectation, severity, unexpected_count"
            f" from {RESULTS_TABLE} where not success"
        ).fetchall()
    assert columns == [
        "run_at",
        "team",
        "asset",
        "suite",
        "expectation",
        "severity",
        "success",
        "unexpected_count",
        "unexpected_percent",
    ]
    assert [(n, bad) for _, n, bad, _ in runs] == [(n_expectations, 0), (n_expectations, 1)]
    assert runs[1][3] == pytest.approx(40.0)  # 2 of 5 rows share id 100
    assert failures == [
        (
            "support",
            "raw.support_tickets",
            "support.support_tickets",
            "ExpectColumnValuesToBeUnique(column=id)",
            "error",
            2,
        )
    ]


def test_data_docs_site_opens_offline(good_warehouse, tmp_path):
    insert(good_warehouse, "support_tickets", good_rows()["support_tickets"][:1])  # a duplicate
    site = tmp_path / "site" / "quality"
    index = build_data_docs(site, good_warehouse)
    assert index == site / "index.html"
    page = index.read_text()
    links = re.findall(r'href="([^"]+)"', page)
    # Every suite and its validation page, linked with paths that exist on disk.
    for spec in load_suites(schemas=["raw"]):
        assert f"expectations/{spec.team}/{spec.table}.html" in links
        assert any(link.startswith(f"validations/{spec.team}/{spec.table}/") for link in links)
    assert all((site / link).is_file() for link in links)
    assert "http" not in "".join(links)  # nothing the page needs comes from the network
    assert re.search(r"raw\.support_tickets.*?FAILED.*?ExpectColumnValuesToBeUnique", page)
    # Rebuilding replaces the validation pages instead of piling them up.
    build_data_docs(site, good_warehouse)
    assert len(list((site / "validations").rglob("*.html"))) == len(SUITE)


# --------------------------------------------------------------------------- Dagster


def checks_for(table: str) -> list[dg.AssetChecksDefinition]:
    key = dg.AssetKey(["raw", table])
    return [c for c in build_quality_checks() if any(k.asset_key == key for k in c.check_keys)]


def test_build_quality_checks():
    checks = build_quality_checks()
    keys = {key for c in checks for key in c.check_keys}
    assert keys == {dg.AssetCheckKey(dg.AssetKey(["raw", table]), f"gx_{table}") for table in SUITE}
    specs = {spec.key: spec for c in checks for spec in c.check_specs}
    assert all(spec.blocking for spec in specs.values())  # every suite has error expectations
    assert all(c.node_def.pool == "warehouse" for c in checks)  # serialised with the writers
    resources = {"warehouse": WarehouseResource(path="/tmp/x.duckdb")}
    dg.Definitions.validate_loadable(dg.Definitions(asset_checks=checks, resources=resources))


def run_pipeline(warehouse: Path, rows: list[dict[str, Any]]) -> dg.ExecuteInProcessResult:
    """raw.gateway_requests (loads `rows`) -> its GX check -> a downstream mart."""

    @dg.asset(key=["raw", "gateway_requests"])
    def gateway_requests() -> None:
        insert(warehouse, "gateway_requests", rows)

    @dg.asset(deps=[gateway_requests])
    def fct_requests() -> None:
        pass

    return dg.materialize(
        [gateway_requests, fct_requests, *checks_for("gateway_requests")],
        resources={"warehouse": WarehouseResource(path=str(warehouse))},
        raise_on_error=False,
    )


def materialized(result: dg.ExecuteInProcessResult) -> set[str]:
    return {e.asset_key.to_user_string() for e in result.get_asset_materialization_events()}


def test_check_passes_on_good_data_in_dagster(warehouse_file):
    result = run_pipeline(warehouse_file, good_rows()["gateway_requests"])
    assert result.success
    [evaluation] = result.get_asset_check_evaluations()
    assert evaluation.asset_key == dg.AssetKey(["raw", "gateway_requests"])
    assert evaluation.check_name == "gx_gateway_requests"
    assert evaluation.passed
    assert evaluation.metadata["team"].value == "platform"
    assert evaluation.metadata["failed_error"].value == 0
    assert len(evaluation.metadata["results"].value) == len(
        load_suite(SUITE["gateway_requests"]).expectations
    )
    assert materialized(result) == {"raw/gateway_requests", "fct_requests"}


def test_blocking_check_stops_downstream_on_error(warehouse_file):
    rows = good_rows()["gateway_requests"]
    result = run_pipeline(warehouse_file, rows + rows[:1])  # a duplicated request
    [evaluation] = result.get_asset_check_evaluations()
    assert not evaluation.passed
    assert evaluation.severity == dg.AssetCheckSeverity.ERROR
    assert evaluation.metadata["failed_expectations"].value == [
        "ExpectCompoundColumnsToBeUnique(column_list=['log_date', 'request_id'])"
    ]
    assert materialized(result) == {"raw/gateway_requests"}  # fct_requests never ran
    assert not result.success


def test_warning_check_does_not_block(warehouse_file):
    rows = [dict(r, latency_ms=None, consumer_id=None) for r in good_rows()["gateway_requests"]]
    result = run_pipeline(warehouse_file, rows)
    [evaluation] = result.get_asset_check_evaluations()
    assert not evaluation.passed
    assert evaluation.severity == dg.AssetCheckSeverity.WARN
    assert materialized(result) == {"raw/gateway_requests", "fct_requests"}
    assert result.success


# --------------------------------------------------------------------------- real fixtures


def test_real_public_fixtures_raise_no_errors(warehouse_file, shared_fixtures):
    # Loaded by the real file-mode loaders, exactly as the pipeline would.
    from orchestration.ingestion import gateway, github, statuspage, support

    with duckdb.connect(str(warehouse_file)) as con:
        github.load_files(con, sorted((shared_fixtures / "github").rglob("*.json")))
        statuspage.load_files(con, sorted((shared_fixtures / "statuspage").rglob("*.json")))
        support.load_files(con, sorted((shared_fixtures / "support").rglob("*.json")))
        gateway.load_files(con, [shared_fixtures / "gateway" / "nasa-http-clf" / "access.log"])
    reports = {table: validate_table(warehouse_file, suite) for table, suite in SUITE.items()}

    # No error anywhere: real, good data blocks nothing downstream.
    assert {t: failed(r) for t, r in reports.items() if r.severity == ERROR} == {}
    for table in ("github_issues", "statuspage_incidents", "support_tickets"):
        assert reports[table].success, (table, failed(reports[table]))
        assert reports[table].row_count
    # The 1995 NASA log has no latency and no consumers: reported as warnings, as is the
    # per-day null share of consumer ids, and its age: 1995 is decades behind the newest
    # ticket, issue or incident of the other fixtures.
    assert reports["gateway_requests"].row_count > 3900
    assert failed(reports["gateway_requests"]) == {
        "ExpectColumnValuesToNotBeNull(column=latency_ms, mostly=0.95)": WARN,
        CONSUMER_ID_NOT_NULL: WARN,
        "distribution_consumer_id_null_share": WARN,
        "freshness_newest_request": WARN,
    }
    # No fixture has comments or a consumer registry: empty tables are warnings too.
    for table in ("github_comments", "gateway_consumers"):
        assert failed(reports[table]) == {"ExpectTableRowCountToBeBetween(min_value=1)": WARN}

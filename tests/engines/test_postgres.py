"""The same project on PostgreSQL: same raw layer, green `dbt build`, identical marts.

A small sample world is loaded by the product's file-mode loaders into DuckDB, its raw
layer copied into a private PostgreSQL 15 (orchestration/ingestion/targets.py), and
`dbt build` runs on both engines (targets `duckdb` and `postgres`, concurrently). Then every
table of schema `marts` is compared row for row (tests/engines/compare.py: exact, doubles
within a relative 1e-9).

The Great Expectations suites then run against PostgreSQL through GX's own PostgreSQL
data source (no DuckDB shim involved).
"""

from __future__ import annotations

import time

import duckdb
import psycopg2
import pytest

from orchestration.ingestion.targets import copy_raw_to_postgres
from tests.engines.compare import compare_rows, duckdb_mart_columns, duckdb_mart_tables
from tests.engines.pipeline import dbt_build, dbt_tail

pytestmark = pytest.mark.engines

TIMINGS: dict[str, float] = {}


@pytest.fixture(scope="module")
def built(duckdb_reference, postgres_server):
    """DuckDB raw (the shared reference) -> PostgreSQL raw (copy) -> dbt build on PostgreSQL."""
    workdir = duckdb_reference["workdir"]
    started = time.monotonic()
    copied = copy_raw_to_postgres(duckdb_reference["raw"], postgres_server.dsn)
    TIMINGS["copy raw -> PostgreSQL"] = time.monotonic() - started

    started = time.monotonic()
    pg = dbt_build("postgres", postgres_server.dbt_env(), workdir)
    rc = {"duckdb": duckdb_reference["rc"], "postgres": pg.wait(timeout=900)}
    TIMINGS["dbt build (PostgreSQL)"] = time.monotonic() - started
    print("\nengine test timings: " + ", ".join(f"{k} {v:.1f}s" for k, v in TIMINGS.items()))
    return {"workdir": workdir, "duckdb": duckdb_reference["duckdb"], "copied": copied, "rc": rc,
            "server": postgres_server}


@pytest.fixture(scope="module")
def pg(built):
    con = psycopg2.connect(built["server"].dsn)
    con.set_session(readonly=True, autocommit=True)
    yield con
    con.close()


def pg_rows(con, sql: str, params=None) -> list[tuple]:
    with con.cursor() as cur:
        cur.execute(sql, params)
        return cur.fetchall()


def test_raw_layer_copied_identically(built, pg):
    with duckdb.connect(str(built["duckdb"]), read_only=True) as con:
        tables = [r[0] for r in con.execute(
            "select table_name from duckdb_tables() where schema_name = 'raw' order by 1").fetchall()]
        duck_counts = {t: con.execute(f'select count(*) from raw."{t}"').fetchone()[0]
                       for t in tables}
    assert {c.name: c.rows for c in built["copied"]} == duck_counts
    assert duck_counts["gateway_requests"] > 10_000
    pg_counts = {t: pg_rows(pg, f'select count(*) from raw."{t}"')[0][0] for t in tables}
    assert pg_counts == duck_counts
    # Text, JSON text and timestamps arrive unchanged (spot check on every column type).
    sql = ('select id, "user"::text, created_at, labels::text from raw.github_issues'
           ' order by id limit 50')
    with duckdb.connect(str(built["duckdb"]), read_only=True) as con:
        duck = con.execute(sql.replace("::text", "::varchar")).fetchall()
    assert pg_rows(pg, sql) == duck


def test_copy_is_idempotent(built, pg):
    again = copy_raw_to_postgres(built["duckdb"], built["server"].dsn)
    assert again == built["copied"]
    assert pg_rows(pg, "select count(*) from raw.gateway_requests")[0][0] == next(
        c.rows for c in again if c.name == "gateway_requests")


def test_copy_command_line(built, capsys):
    from orchestration.ingestion.targets import main

    assert main(["--duckdb", str(built["duckdb"]), "--postgres-dsn", built["server"].dsn,
                 "--quiet"]) == 0
    assert "raw tables" in capsys.readouterr().out
    # A refused connection is one line naming host and port, and changes nothing.
    assert main(["--duckdb", str(built["duckdb"]), "--postgres-dsn",
                 "host=127.0.0.1 port=1 dbname=x user=u password=not-shown", "--quiet"]) == 1
    err = capsys.readouterr().err
    assert "port 1" in err and "not-shown" not in err


def test_dbt_build_green_on_duckdb(built):
    assert built["rc"]["duckdb"] == 0, dbt_tail(built["workdir"], "duckdb")


def test_dbt_build_green_on_postgres(built):
    assert built["rc"]["postgres"] == 0, dbt_tail(built["workdir"], "postgres")


def compare_table(duck_con, pg_con, table: str) -> list[str]:
    """Differences between marts.<table> on both engines (empty when equal)."""
    duck_cols = duckdb_mart_columns(duck_con, table)
    pg_cols = [r[0] for r in pg_rows(
        pg_con, "select column_name from information_schema.columns where table_schema = 'marts'"
        " and table_name = %s order by ordinal_position", (table,))]
    if duck_cols != pg_cols:
        return [f"{table}: columns differ: duckdb {duck_cols} postgres {pg_cols}"]
    cols = ", ".join(f'"{c}"' for c in duck_cols)
    return compare_rows(table, duck_cols,
                        duck_con.execute(f'select {cols} from marts."{table}"').fetchall(),
                        pg_rows(pg_con, f'select {cols} from marts."{table}"'), "postgres")


def test_every_mart_is_identical_on_both_engines(built, pg):
    assert built["rc"]["duckdb"] == 0 and built["rc"]["postgres"] == 0, "a dbt build failed"
    with duckdb.connect(str(built["duckdb"]), read_only=True) as con:
        duck_tables = duckdb_mart_tables(con)
        pg_tables = sorted(r[0] for r in pg_rows(
            pg, "select table_name from information_schema.tables where table_schema = 'marts'"
            " and table_type = 'BASE TABLE'"))
        assert duck_tables == pg_tables
        assert len(duck_tables) >= 40
        problems = [p for t in duck_tables for p in compare_table(con, pg, t)]
        empty = [t for t in duck_tables
                 if con.execute(f'select count(*) from marts."{t}"').fetchone()[0] == 0]
    print(f"\ncompared {len(duck_tables)} mart tables; empty on both: {empty}")
    assert not problems, "\n".join(problems[:60])


def _pg_datasource(context, server, schema: str):
    """GX's own PostgreSQL data source, its connections starting in `schema`."""
    url = f"{server.sqlalchemy_url}?options=-csearch_path%3D{schema}"
    return context.data_sources.add_postgres(name=f"pg_{schema}", connection_string=url)


# Expectations whose own SQL (suite `metrics:` / `unexpected_rows_query`) is written in
# DuckDB's dialect (quantile_cont, epoch(), `double`, unaliased subqueries): they cannot run
# on PostgreSQL until the suite's SQL is portable. A new one fails this test; so does a fixed
# one still listed here (then remove it).
DUCKDB_DIALECT_EXPECTATIONS: set[tuple[str, str]] = {
    # metrics latency_p95_ms (quantile_cont), freshness_lag_hours (epoch()),
    # volume_rows_per_day (`double`, a derived table without an alias in GX's wrapper)
    ("platform.gateway_requests", "distribution_latency_p95"),
    ("platform.gateway_requests", "freshness_newest_request"),
    ("platform.gateway_requests", "volume_rows_per_day"),
    ("sre.statuspage_incidents", "contract_poll_gap_within_50_incidents"),  # try_strptime
    ("support.support_tickets", "contract_export_cursor_never_goes_back"),  # regexp_matches, group by all
}


def test_quality_suites_agree_on_postgres(built):
    """Every GX suite gives the same outcome per expectation on PostgreSQL as on DuckDB.

    orchestration.quality.validate_table takes a DuckDB file only (its data source and its
    persisted results are DuckDB's); the suites themselves are engine-neutral, so they run
    here through GX's PostgreSQL data source with the same suite runner.
    """
    from orchestration import quality
    from orchestration.gx_duckdb import ephemeral_context

    assert built["rc"]["duckdb"] == 0 and built["rc"]["postgres"] == 0, "a dbt build failed"
    specs = quality.load_suites()
    assert specs
    context = ephemeral_context()
    sources = {s: _pg_datasource(context, built["server"], s) for s in {x.schema for x in specs}}
    differences, dialect_bound, compared = [], set(), 0
    for spec in specs:
        on_duckdb = quality.validate_table(built["duckdb"], spec.path, persist=False)
        on_postgres = quality._run_suite(context, sources[spec.schema], spec)
        types = {e.name: e.expectation for e in spec.expectations}
        duck = {r.expectation: r for r in on_duckdb.results}
        for r in on_postgres.results:
            d = duck[r.expectation]
            assert d.exception is None, f"{spec.name} / {r.expectation} on DuckDB: {d.exception}"
            if r.exception:
                assert types[r.expectation] == "UnexpectedRowsExpectation", (
                    f"{spec.name} / {r.expectation} on PostgreSQL: {r.exception[:500]}")
                dialect_bound.add((spec.name, r.expectation))
                continue
            compared += 1
            if (d.success, d.unexpected_count, d.element_count) != (
                    r.success, r.unexpected_count, r.element_count):
                differences.append(f"{spec.name} / {r.expectation}: duckdb {d} postgres {r}")
    print(f"\nGX on PostgreSQL: {compared} expectations agree; DuckDB-dialect SQL: "
          f"{sorted(dialect_bound)}")
    assert not differences, "\n".join(differences)
    assert dialect_bound == DUCKDB_DIALECT_EXPECTATIONS

"""The DuckDB shim leans on a private Great Expectations name: these tests fail loudly when a GX
upgrade changes it, instead of every expectation failing with `list index out of range`."""

from __future__ import annotations

import inspect

import duckdb
import pytest
from great_expectations.execution_engine import sqlalchemy_execution_engine as gx_sa_engine
from great_expectations.execution_engine.sqlalchemy_dialect import GXSqlDialect

from orchestration import gx_duckdb

UPGRADE_HINT = (
    "great_expectations changed how it keeps SQLAlchemy connections open; revisit "
    "orchestration/gx_duckdb.py (see its module docstring) before upgrading."
)


def test_private_persisted_connection_tuple_still_exists_with_the_expected_shape():
    assert hasattr(gx_sa_engine, gx_duckdb.PERSISTED_CONNECTION_DIALECTS_ATTR), UPGRADE_HINT
    dialects = getattr(gx_sa_engine, gx_duckdb.PERSISTED_CONNECTION_DIALECTS_ATTR)
    assert isinstance(dialects, tuple), UPGRADE_HINT
    # GX's own entries are GXSqlDialect members with a string `.value`, and SQLite is one.
    gx_entries = [d for d in dialects if isinstance(d, GXSqlDialect)]
    assert GXSqlDialect.SQLITE in gx_entries, UPGRADE_HINT
    assert all(isinstance(d.value, str) for d in dialects), UPGRADE_HINT


def test_gx_still_reads_the_tuple_where_the_shim_expects():
    # The two places that consult the tuple: engine creation (by `.value` prefix of the URL)
    # and `get_connection()` (by `dialect_name in ...`). Both look the module global up at
    # call time, which is what makes reassigning it effective.
    name = gx_duckdb.PERSISTED_CONNECTION_DIALECTS_ATTR
    requires = inspect.getsource(gx_sa_engine._dialect_requires_persisted_connection)
    assert name in requires and ".value" in requires, UPGRADE_HINT
    get_connection = inspect.getsource(gx_sa_engine.SqlAlchemyExecutionEngine.get_connection)
    assert f"self.dialect_name in {name}" in get_connection, UPGRADE_HINT


def test_enable_is_idempotent_and_recognised_by_gx():
    gx_duckdb.enable_duckdb_persisted_connection()
    once = getattr(gx_sa_engine, gx_duckdb.PERSISTED_CONNECTION_DIALECTS_ATTR)
    gx_duckdb.enable_duckdb_persisted_connection()
    twice = getattr(gx_sa_engine, gx_duckdb.PERSISTED_CONNECTION_DIALECTS_ATTR)

    assert once == twice
    assert sum(1 for d in twice if str(d.value).lower() == "duckdb") == 1
    assert gx_duckdb.duckdb_persisted_connection_enabled()
    # GX's original entries are kept.
    assert GXSqlDialect.SQLITE in twice and GXSqlDialect.SQL_SERVER in twice
    # And GX itself now treats a DuckDB URL as one that needs a persisted connection.
    assert gx_sa_engine._dialect_requires_persisted_connection(
        connection_string="duckdb:////tmp/warehouse.duckdb"
    )
    assert "duckdb" in twice  # how get_connection() compares `engine.dialect.name`


def test_dialect_name_behaves_like_a_gx_dialect():
    assert gx_duckdb.DUCKDB_DIALECT == "duckdb"
    assert gx_duckdb.DUCKDB_DIALECT.value == "duckdb"
    assert GXSqlDialect.SQLITE != gx_duckdb.DUCKDB_DIALECT


def test_a_missing_private_name_raises_a_clear_error(monkeypatch):
    monkeypatch.delattr(gx_sa_engine, gx_duckdb.PERSISTED_CONNECTION_DIALECTS_ATTR)
    with pytest.raises(RuntimeError, match="orchestration/gx_duckdb.py"):
        gx_duckdb.enable_duckdb_persisted_connection()


def test_validation_runs_and_releases_the_file(tmp_path):
    path = tmp_path / "w.duckdb"
    with duckdb.connect(str(path)) as con:
        con.execute("create schema raw")
        con.execute("create table raw.t as select range as id from range(10)")

    import great_expectations.expectations as gxe

    with gx_duckdb.duckdb_datasource(path) as (_, datasource):
        batch = datasource.add_table_asset("t", table_name="t").add_batch_definition_whole_table(
            "all"
        )
        result = batch.get_batch().validate(gxe.ExpectColumnValuesToBeUnique(column="id"))
        assert result.success, result.exception_info
        assert result.result["element_count"] == 10

    # All GX connections are closed: a read-write connection in this process can write.
    with duckdb.connect(str(path)) as con:
        con.execute("insert into raw.t values (10)")


def test_connections_are_read_only(tmp_path):
    path = tmp_path / "w.duckdb"
    with duckdb.connect(str(path)) as con:
        con.execute("create schema raw")
        con.execute("create table raw.t (id int)")
    with gx_duckdb.duckdb_datasource(path) as (_, datasource):
        with datasource.get_engine().connect() as connection:
            with pytest.raises(Exception, match="read-only"):
                connection.exec_driver_sql("insert into raw.t values (1)")


def test_missing_warehouse_file_is_named(tmp_path):
    with pytest.raises(FileNotFoundError, match="nope.duckdb"):
        with gx_duckdb.duckdb_datasource(tmp_path / "nope.duckdb"):
            pass


def test_unexpected_rows_expectation_runs_as_sql_on_the_duckdb_datasource(tmp_path):
    # The custom-SQL expectation the calibrated suites use for daily aggregates and
    # cross-table checks: {batch} is the guarded table, other tables are read by name.
    import great_expectations.expectations as gxe

    path = tmp_path / "w.duckdb"
    with duckdb.connect(str(path)) as con:
        con.execute("create schema raw")
        con.execute("create table raw.t as select range as id, range % 3 as day from range(9)")
        con.execute("create table raw.ref as select 1 as id")
    query = (
        "with days as (select day, count(*) as n from {batch} group by day)\n"
        "select day, n from days where n > 3 or exists (select 1 from raw.ref where id = day)"
    )
    with gx_duckdb.duckdb_datasource(path) as (_, datasource):
        batch = (
            datasource.add_table_asset("t", table_name="t")
            .add_batch_definition_whole_table("all")
            .get_batch()
        )
        result = batch.validate(gxe.UnexpectedRowsExpectation(unexpected_rows_query=query))
    assert not result.success, result.exception_info
    assert result.result["observed_value"] == 1  # day 1: in raw.ref

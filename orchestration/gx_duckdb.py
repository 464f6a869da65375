"""Great Expectations 1.x on a DuckDB file: the one place that knows how GX must be set up.

Two things GX 1.24 does not do for DuckDB on its own, both handled here:

1. **Persisted connection.** GX runs each metric query in `with engine.connect()` and fetches
   the rows after that block has closed the connection. Closing rolls back, and DuckDB keeps
   one pending result per connection, so the rollback wipes the result and every expectation
   fails with `MetricResolutionError: list index out of range`. GX keeps one connection open
   for the dialects in the *private* tuple
   `great_expectations.execution_engine.sqlalchemy_execution_engine._PERSISTED_CONNECTION_DIALECTS`;
   `enable_duckdb_persisted_connection()` adds DuckDB to it. tests/unit/test_gx_duckdb.py fails
   loudly if a GX upgrade renames or reshapes that tuple.
2. **Schema.** duckdb-engine 0.17 cannot reflect columns under SQLAlchemy 2.1 (its PostgreSQL
   catalog query needs `pg_collation`), and GX's fallback then selects from the bare table name,
   ignoring the schema. The connections made here therefore start with `SET schema = '<schema>'`,
   which is also how GX 1.14+ wants the schema given ("in the connection configuration", the
   table asset's `schema_name` is deprecated).

Connections are read-only by default (DuckDB allows one writer per file; ingestion and dbt
write) and are released by `release_datasource()` / the `duckdb_datasource()` context manager.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import duckdb
import great_expectations as gx
from duckdb_engine import ConnectionWrapper
from great_expectations.data_context import EphemeralDataContext
from great_expectations.data_context.types.base import (
    DataContextConfig,
    InMemoryStoreBackendDefaults,
    ProgressBarsConfig,
)
from great_expectations.datasource.fluent import SQLDatasource
from great_expectations.execution_engine import sqlalchemy_execution_engine as _gx_sa_engine

log = logging.getLogger(__name__)

#: The private GX name the shim extends (checked by tests/unit/test_gx_duckdb.py).
PERSISTED_CONNECTION_DIALECTS_ATTR = "_PERSISTED_CONNECTION_DIALECTS"
DATA_DOCS_SITE_NAME = "quality"
#: How long to wait for another process's lock on the warehouse file before giving up.
LOCK_TIMEOUT_SECONDS = 60.0


class _DialectName(str):
    """A dialect name GX can compare like its `GXSqlDialect` members: a str with `.value`."""

    @property
    def value(self) -> str:
        return str(self)


DUCKDB_DIALECT = _DialectName("duckdb")


def _persisted_dialects() -> tuple[Any, ...]:
    try:
        dialects = getattr(_gx_sa_engine, PERSISTED_CONNECTION_DIALECTS_ATTR)
    except AttributeError as exc:  # a GX upgrade moved it: fail loudly, not with wrong results
        raise RuntimeError(
            f"great_expectations {gx.__version__} has no "
            f"{_gx_sa_engine.__name__}.{PERSISTED_CONNECTION_DIALECTS_ATTR}; the DuckDB "
            "persisted-connection shim in orchestration/gx_duckdb.py must be updated."
        ) from exc
    if not isinstance(dialects, tuple):
        raise RuntimeError(
            f"{PERSISTED_CONNECTION_DIALECTS_ATTR} is a {type(dialects).__name__}, expected a "
            "tuple; update orchestration/gx_duckdb.py for this great_expectations version."
        )
    return dialects


def duckdb_persisted_connection_enabled() -> bool:
    return any(str(getattr(d, "value", d)).lower() == "duckdb" for d in _persisted_dialects())


def enable_duckdb_persisted_connection() -> None:
    """Make GX keep one open connection for DuckDB engines (idempotent, process-wide)."""
    if duckdb_persisted_connection_enabled():
        return
    setattr(
        _gx_sa_engine,
        PERSISTED_CONNECTION_DIALECTS_ATTR,
        (*_persisted_dialects(), DUCKDB_DIALECT),
    )


def ephemeral_context(data_docs_dir: Path | str | None = None) -> EphemeralDataContext:
    """An in-memory GX context: no analytics, no progress bars, optionally a local Data Docs site.

    With `data_docs_dir`, `context.build_data_docs()` writes static HTML there (site name
    `quality`). The pages link Bootstrap/jQuery from public CDNs: offline they open and show
    every result, only unstyled.
    """
    sites: dict[str, Any] = {}
    if data_docs_dir is not None:
        sites[DATA_DOCS_SITE_NAME] = {
            "class_name": "SiteBuilder",
            "store_backend": {
                "class_name": "TupleFilesystemStoreBackend",
                "base_directory": str(Path(data_docs_dir).resolve()),
            },
            "site_index_builder": {
                "class_name": "DefaultSiteIndexBuilder",
                "show_cta_footer": False,
            },
            "show_how_to_buttons": False,
        }
    config = DataContextConfig(
        store_backend_defaults=InMemoryStoreBackendDefaults(init_temp_docs_sites=False),
        data_docs_sites=sites,
        analytics_enabled=False,
        progress_bars=ProgressBarsConfig(globally=False),
    )
    return gx.get_context(mode="ephemeral", project_config=config)


def connect_waiting_for_lock(
    path: Path | str, *, read_only: bool, timeout: float = LOCK_TIMEOUT_SECONDS
) -> duckdb.DuckDBPyConnection:
    """`duckdb.connect`, retried while another process holds a conflicting lock on the file.

    DuckDB allows one writing process per file, and no reader while it writes. Writers should
    be serialised by a Dagster pool; this only rides out short overlaps.
    """
    deadline = time.monotonic() + timeout
    delay = 0.1
    while True:
        try:
            return duckdb.connect(str(path), read_only=read_only)
        except duckdb.IOException as exc:
            if "lock" not in str(exc).lower() or time.monotonic() + delay > deadline:
                raise
            log.info("warehouse %s is locked by another process; retrying in %.1fs", path, delay)
            time.sleep(delay)
            delay = min(delay * 2, 2.0)


def _duckdb_creator(path: Path, schema: str, read_only: bool) -> Callable[[], ConnectionWrapper]:
    def connect() -> ConnectionWrapper:
        con = connect_waiting_for_lock(path, read_only=read_only)
        try:
            con.execute(f"SET schema = '{schema}'")
        except Exception:
            con.close()
            raise
        return ConnectionWrapper(con)  # what duckdb-engine's own connect() returns

    return connect


def add_duckdb_datasource(
    context: EphemeralDataContext,
    warehouse_path: Path | str,
    *,
    name: str = "warehouse",
    schema: str = "raw",
    read_only: bool = True,
) -> SQLDatasource:
    """Add a SQL data source on the DuckDB file; validations then run as SQL inside DuckDB.

    `add_sql(kwargs=...)` is passed to `sqlalchemy.create_engine()`; a `creator` gives each
    connection read-only mode and the default schema (see the module docstring).
    """
    enable_duckdb_persisted_connection()
    path = Path(warehouse_path).resolve()
    if not path.is_file():
        raise FileNotFoundError(f"warehouse file not found: {path}")
    if not schema.replace("_", "").isalnum():
        raise ValueError(f"invalid schema name {schema!r}")
    return context.data_sources.add_sql(
        name=name,
        connection_string=f"duckdb:///{path}",
        kwargs={"creator": _duckdb_creator(path, schema, read_only)},
    )


def release_datasource(datasource: SQLDatasource) -> None:
    """Close every DuckDB connection GX opened for this data source.

    GX holds two SQLAlchemy engines per SQL data source (one for connection tests, one in the
    execution engine, which keeps the persisted connection). Both must be disposed before
    another process, or a read-write connection in this one, can open the file.
    """
    execution_engine = datasource.get_execution_engine()
    try:
        execution_engine.close()  # disposes the engine; StaticPool closes the kept connection
    finally:
        datasource.get_engine().dispose()


@contextmanager
def duckdb_datasource(
    warehouse_path: Path | str,
    *,
    schema: str = "raw",
    read_only: bool = True,
    context: EphemeralDataContext | None = None,
) -> Iterator[tuple[EphemeralDataContext, SQLDatasource]]:
    """`(context, datasource)` on the warehouse file; all its connections closed on exit."""
    context = context or ephemeral_context()
    datasource = add_duckdb_datasource(context, warehouse_path, schema=schema, read_only=read_only)
    try:
        yield context, datasource
    finally:
        release_datasource(datasource)

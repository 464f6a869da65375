"""Land the raw layer on another engine: copy schema `raw` of a DuckDB file into PostgreSQL.

The loaders (github.py, gateway.py, ...) stay the one parser of every source: they load into
DuckDB, and this module copies every table of schema `raw` as it is into PostgreSQL, with
the same table and column names (JSON -> json, so the text stays exactly what the loader
wrote; TIMESTAMP -> timestamp; DOUBLE -> double precision). dbt then builds the same project
there with `--target postgres`.

Idempotent and atomic: every table is emptied and refilled inside one PostgreSQL
transaction, so a failed copy leaves the previous raw layer in place and copying twice
changes nothing. Rows travel as CSV written by DuckDB's own `COPY ... TO` (NULL as an
unquoted empty field, empty strings quoted) and read by PostgreSQL's `COPY ... FROM STDIN`.
No DuckDB extension is needed.

    python -m orchestration.ingestion.targets --duckdb data/warehouse.duckdb \\
        --postgres-dsn "host=127.0.0.1 port=5432 dbname=apipulse user=postgres"

The DSN may also come from APIPULSE_PG_DSN, so a password never has to be on a command line.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import duckdb

SCHEMA = "raw"

# DuckDB type (as duckdb_columns() spells it) -> PostgreSQL type.
PG_TYPES = {
    "VARCHAR": "text",
    "JSON": "json",
    "TIMESTAMP": "timestamp",
    "DATE": "date",
    "BOOLEAN": "boolean",
    "INTEGER": "integer",
    "BIGINT": "bigint",
    "DOUBLE": "double precision",
}


class CopyError(RuntimeError):
    """The raw layer could not be copied; nothing was changed in PostgreSQL."""


@dataclass(frozen=True)
class CopiedTable:
    name: str
    rows: int


def _quote(identifier: str) -> str:
    return '"' + identifier.replace('"', '""') + '"'


def raw_tables(con: duckdb.DuckDBPyConnection, schema: str = SCHEMA) -> dict[str, list[tuple[str, str]]]:
    """Every base table of `schema` in the DuckDB file -> [(column, DuckDB type)], in order."""
    rows = con.execute(
        "select c.table_name, c.column_name, c.data_type from duckdb_columns() as c"
        " join duckdb_tables() as t on t.database_name = c.database_name"
        " and t.schema_name = c.schema_name and t.table_name = c.table_name"
        " where c.schema_name = ? and c.database_name = current_database()"
        " order by c.table_name, c.column_index",
        [schema],
    ).fetchall()
    tables: dict[str, list[tuple[str, str]]] = {}
    for table, column, data_type in rows:
        tables.setdefault(table, []).append((column, data_type))
    return tables


def postgres_type(table: str, column: str, duckdb_type: str) -> str:
    try:
        return PG_TYPES[duckdb_type.upper()]
    except KeyError:
        raise CopyError(
            f"raw.{table}.{column} has DuckDB type {duckdb_type}, which has no PostgreSQL "
            f"mapping: add it to PG_TYPES in orchestration/ingestion/targets.py"
        ) from None


def create_table_sql(table: str, columns: list[tuple[str, str]], schema: str = SCHEMA) -> str:
    cols = ", ".join(f"{_quote(c)} {postgres_type(table, c, t)}" for c, t in columns)
    return f"create table if not exists {_quote(schema)}.{_quote(table)} ({cols})"


def _existing_columns(cur, schema: str, table: str) -> list[str]:
    cur.execute(
        "select column_name from information_schema.columns"
        " where table_schema = %s and table_name = %s order by ordinal_position",
        (schema, table),
    )
    return [r[0] for r in cur.fetchall()]


def copy_raw_to_postgres(duckdb_path: str | Path, dsn: str, schema: str = SCHEMA,
                         log=None) -> list[CopiedTable]:
    """Copy every table of schema `raw` in the DuckDB file into PostgreSQL at `dsn`.

    Creates schema and tables when missing, then truncates and refills every table in one
    transaction. Raises CopyError (PostgreSQL unchanged) when a table exists there with other
    columns than in DuckDB.
    """
    import psycopg2

    duckdb_path = Path(duckdb_path).resolve()
    if not duckdb_path.is_file():
        raise CopyError(f"no DuckDB file at {duckdb_path}: load the sources first (apipulse load)")
    copied: list[CopiedTable] = []
    with (
        duckdb.connect(str(duckdb_path), read_only=True) as src,
        tempfile.TemporaryDirectory(prefix="apipulse-copy-") as tmp,
    ):
        tables = raw_tables(src, schema)
        # Fully qualified: a file named raw.duckdb makes `raw` a catalog name too.
        catalog = _quote(src.execute("select current_database()").fetchone()[0])
        if not tables:
            raise CopyError(f"{duckdb_path} has no tables in schema {schema}")
        pg = psycopg2.connect(dsn)
        try:
            with pg:  # one transaction: commit on success, roll back on any error
                with pg.cursor() as cur:
                    cur.execute(f"create schema if not exists {_quote(schema)}")
                    for table, columns in tables.items():
                        cur.execute(create_table_sql(table, columns, schema))
                        names = [c for c, _ in columns]
                        existing = _existing_columns(cur, schema, table)
                        if existing != names:
                            raise CopyError(
                                f"{schema}.{table} in PostgreSQL has columns {existing}, DuckDB has "
                                f"{names}: drop the PostgreSQL table (and its dependent views) "
                                f"or migrate it, then copy again"
                            )
                        csv_path = Path(tmp) / f"{table}.csv"
                        col_list = ", ".join(_quote(c) for c in names)
                        # Cast JSON to text so DuckDB writes the stored text unchanged.
                        select_list = ", ".join(
                            f"cast({_quote(c)} as varchar) as {_quote(c)}" if t.upper() == "JSON"
                            else _quote(c)
                            for c, t in columns
                        )
                        src.execute(
                            f"copy (select {select_list} from {catalog}.{_quote(schema)}.{_quote(table)})"
                            f" to '{csv_path.as_posix()}'"
                            " (format csv, header false, delimiter ',', quote '\"', escape '\"',"
                            " nullstr '')"
                        )
                        cur.execute(f"truncate table {_quote(schema)}.{_quote(table)}")
                        with csv_path.open("r", encoding="utf-8") as fh:
                            cur.copy_expert(
                                f"copy {_quote(schema)}.{_quote(table)} ({col_list}) from stdin"
                                " with (format csv, null '')",
                                fh,
                            )
                        rows = cur.rowcount
                        copied.append(CopiedTable(table, rows))
                        if log:
                            log(f"{schema}.{table}: {rows} rows")
        finally:
            pg.close()
    return copied


def _copy(duckdb_file: str, dsn: str | None, quiet: bool) -> int:
    if not dsn:
        print("error: give --postgres-dsn or set APIPULSE_PG_DSN", file=sys.stderr)
        return 2
    import psycopg2

    started = time.monotonic()
    try:
        copied = copy_raw_to_postgres(duckdb_file, dsn, log=None if quiet else print)
    except CopyError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    except psycopg2.Error as exc:  # libpq's messages name host and port, never the password
        print(f"error: PostgreSQL: {str(exc).strip()}; nothing was changed", file=sys.stderr)
        return 1
    total = sum(t.rows for t in copied)
    print(f"copied {len(copied)} raw tables ({total} rows) into PostgreSQL "
          f"in {time.monotonic() - started:.1f}s")
    return 0


def add_copy_raw(sub) -> None:
    """`apipulse copy-raw`: the same command as a subcommand of the `apipulse` CLI."""
    cmd = sub.add_parser("copy-raw", help="copy the raw layer of the DuckDB file into PostgreSQL")
    cmd.add_argument("--warehouse", help="DuckDB file (default: WAREHOUSE_PATH or data/warehouse.duckdb)")
    cmd.add_argument("--postgres-dsn", default=os.environ.get("APIPULSE_PG_DSN"),
                     help="libpq DSN or URL (default: APIPULSE_PG_DSN)")
    cmd.add_argument("--quiet", action="store_true")

    def run(args) -> int:
        from orchestration import settings

        warehouse = args.warehouse or str(settings.warehouse_path())
        return _copy(warehouse, args.postgres_dsn, args.quiet)

    cmd.set_defaults(func=run)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m orchestration.ingestion.targets",
        description="Copy the raw layer (schema raw) of a DuckDB file into PostgreSQL.",
    )
    parser.add_argument("--duckdb", required=True, help="DuckDB file the loaders wrote")
    parser.add_argument("--postgres-dsn", default=os.environ.get("APIPULSE_PG_DSN"),
                        help="libpq DSN or URL (default: APIPULSE_PG_DSN)")
    parser.add_argument("--quiet", action="store_true")
    args = parser.parse_args(argv)
    return _copy(args.duckdb, args.postgres_dsn, args.quiet)


if __name__ == "__main__":
    sys.exit(main())

"""Land the raw layer on another engine: copy schema `raw` of a DuckDB file into PostgreSQL
or Apache Spark.

The loaders (github.py, gateway.py, ...) stay the one parser of every source: they load into
DuckDB, and this module copies every table of schema `raw` as it is into the other engine,
with the same table and column names. dbt then builds the same project there with
`--target postgres` or `--target spark`.

PostgreSQL: JSON -> json (the text stays exactly what the loader wrote), TIMESTAMP ->
timestamp, DOUBLE -> double precision. Idempotent and atomic: every table is emptied and
refilled inside one PostgreSQL transaction, so a failed copy leaves the previous raw layer in
place and copying twice changes nothing. Rows travel as CSV written by DuckDB's own
`COPY ... TO` (NULL as an unquoted empty field, empty strings quoted) and read by
PostgreSQL's `COPY ... FROM STDIN`. No DuckDB extension is needed.

Spark: DuckDB writes each table as a Parquet file (built into the wheel), Spark reads it and
writes a Parquet table in database `raw` (JSON and VARCHAR -> string, TIMESTAMP ->
timestamp in a UTC session, DOUBLE -> double). Spark has no multi-table transaction, so every
table is first written in full beside the old one (`raw.<table>__incoming`) and its row
count checked; only when all of them are complete is each old table replaced (a drop and a
metadata rename per table). A failure before that leaves the last good tables untouched;
copying twice gives the same tables.

    python -m orchestration.ingestion.targets --duckdb data/warehouse.duckdb \\
        --postgres-dsn "host=127.0.0.1 port=5432 dbname=apipulse user=postgres"
    python -m orchestration.ingestion.targets --duckdb data/warehouse.duckdb --spark

The DSN may also come from APIPULSE_PG_DSN, so a password never has to be on a command line.
The Spark copy starts Spark in process with the settings of the `spark` target in
profiles.yml (local mode, warehouse and metastore under APIPULSE_SPARK_DIR), so dbt finds
the tables it wrote.
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


def target_type(engine: str, table: str, column: str, duckdb_type: str) -> str:
    """The engine's type for a raw column's DuckDB type (TYPE_MAPPINGS); a clear error
    naming the mapping to extend when the type has none."""
    mapping, types = TYPE_MAPPINGS[engine]
    try:
        return types[duckdb_type.upper()]
    except KeyError:
        raise CopyError(
            f"raw.{table}.{column} has DuckDB type {duckdb_type}, which has no {engine} "
            f"mapping: add it to {mapping} in orchestration/ingestion/targets.py"
        ) from None


def create_table_sql(table: str, columns: list[tuple[str, str]], schema: str = SCHEMA) -> str:
    cols = ", ".join(f"{_quote(c)} {target_type('PostgreSQL', table, c, t)}" for c, t in columns)
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


# DuckDB type (as duckdb_columns() spells it) -> Spark SQL type.
SPARK_TYPES = {
    "VARCHAR": "string",
    "JSON": "string",
    "TIMESTAMP": "timestamp",
    "DATE": "date",
    "BOOLEAN": "boolean",
    "INTEGER": "int",
    "BIGINT": "bigint",
    "DOUBLE": "double",
}
SPARK_INCOMING_SUFFIX = "__incoming"
# Engine -> (name of its mapping, the mapping), for target_type and its error message.
TYPE_MAPPINGS = {"PostgreSQL": ("PG_TYPES", PG_TYPES), "Spark": ("SPARK_TYPES", SPARK_TYPES)}


def _bq(identifier: str) -> str:
    return "`" + identifier.replace("`", "``") + "`"


def default_spark_dir() -> Path:
    """APIPULSE_SPARK_DIR, else data/spark (where the dbt profile's default points)."""
    from orchestration import settings

    return Path(os.environ.get("APIPULSE_SPARK_DIR") or settings.data_dir() / "spark").resolve()


def spark_conf(spark_dir: str | Path, target: str = "spark") -> dict[str, str]:
    """The `server_side_parameters` of a Spark target in profiles.yml, for `spark_dir`.

    Read from the profile rather than repeated here, so the copy and dbt share one warehouse
    folder and one metastore. dbt-spark also turns ANSI mode off on every session; so does
    this (the same SQL semantics for the copy as for the models).
    """
    import jinja2
    import yaml

    from orchestration import settings

    profile = yaml.safe_load((settings.PROFILES_DIR / "profiles.yml").read_text())
    output = profile["apipulse"]["outputs"][target]
    spark_dir = str(Path(spark_dir).resolve())

    def env_var(name: str, default: str | None = None) -> str:
        if name == "APIPULSE_SPARK_DIR":
            return spark_dir
        value = os.environ.get(name, default)
        if value is None:
            raise CopyError(f"profiles.yml target {target} needs environment variable {name}")
        return value

    env = jinja2.Environment(undefined=jinja2.StrictUndefined)
    conf = {str(k): env.from_string(str(v)).render(env_var=env_var)
            for k, v in (output.get("server_side_parameters") or {}).items()}
    conf["spark.sql.ansi.enabled"] = "false"
    return conf


def spark_session(spark_dir: str | Path | None = None, target: str = "spark"):
    """A SparkSession with Hive support and the profile's settings (the one dbt-spark uses
    with `method: session`; an already running session in this process is reused)."""
    from pyspark.sql import SparkSession

    spark_dir = Path(spark_dir) if spark_dir else default_spark_dir()
    spark_dir.mkdir(parents=True, exist_ok=True)
    builder = SparkSession.builder.appName("apipulse").enableHiveSupport()
    for key, value in spark_conf(spark_dir, target).items():
        builder = builder.config(key, value)
    return builder.getOrCreate()


def copy_raw_to_spark(duckdb_path: str | Path, spark, schema: str = SCHEMA,
                      log=None) -> list[CopiedTable]:
    """Copy every table of schema `raw` in the DuckDB file into Spark database `raw`.

    `spark` is a SparkSession with a persistent catalog (spark_session()). Every table is
    written to `<table>__incoming` first and its row count compared with DuckDB's; only when
    all are complete are the old tables replaced, so a failure keeps the last good ones.
    """
    duckdb_path = Path(duckdb_path).resolve()
    if not duckdb_path.is_file():
        raise CopyError(f"no DuckDB file at {duckdb_path}: load the sources first (apipulse load)")
    with (
        duckdb.connect(str(duckdb_path), read_only=True) as src,
        tempfile.TemporaryDirectory(prefix="apipulse-copy-spark-") as tmp,
    ):
        tables = raw_tables(src, schema)
        if not tables:
            raise CopyError(f"{duckdb_path} has no tables in schema {schema}")
        spark_types = {(t, c): target_type('Spark', t, c, d) for t, cols in tables.items() for c, d in cols}
        catalog = _quote(src.execute("select current_database()").fetchone()[0])
        spark.sql(f"create database if not exists {_bq(schema)}")
        # One catalog listing instead of a lookup per table (each is a metastore round trip);
        # `__incoming` tables a crashed copy left behind are dropped here.
        existing = {r[1] for r in spark.sql(f"show tables in {_bq(schema)}").collect()}
        for leftover in sorted(t for t in existing if t.endswith(SPARK_INCOMING_SUFFIX)):
            spark.sql(f"drop table {_bq(schema)}.{_bq(leftover)}")
        staged: list[tuple[str, str, int]] = []
        created: list[str] = []
        try:
            for number, (table, columns) in enumerate(tables.items()):
                select_list = ", ".join(
                    f"cast({_quote(c)} as varchar) as {_quote(c)}" if t.upper() == "JSON"
                    else _quote(c)
                    for c, t in columns
                )
                # Not named after the table: Spark skips files whose names start with `_`.
                parquet = Path(tmp) / f"table{number:03d}.parquet"
                src.execute(
                    f"copy (select {select_list} from {catalog}.{_quote(schema)}.{_quote(table)})"
                    f" to '{parquet.as_posix()}' (format parquet)"
                )
                expected = src.execute(
                    f"select count(*) from {catalog}.{_quote(schema)}.{_quote(table)}"
                ).fetchone()[0]
                # TIMESTAMP arrives as Spark's timestamp_ntz; cast in a UTC session, the wall
                # clock time stays the same.
                casts = ", ".join(
                    f"cast({_bq(c)} as {spark_types[table, c]}) as {_bq(c)}" for c, _ in columns
                )
                incoming = f"{_bq(schema)}.{_bq(table + SPARK_INCOMING_SUFFIX)}"
                created.append(incoming)
                spark.sql(
                    f"create table {incoming} using parquet as select {casts}"
                    f" from parquet.{_bq(parquet.as_posix())}"
                )
                rows = spark.table(incoming).count()
                if rows != expected:
                    raise CopyError(f"{schema}.{table}: {rows} rows arrived in Spark, DuckDB has "
                                    f"{expected}; the last good tables are kept")
                staged.append((table, incoming, rows))
        except BaseException:
            for incoming in created:
                spark.sql(f"drop table if exists {incoming}")
            raise
    copied: list[CopiedTable] = []
    for table, incoming, rows in staged:
        target = f"{_bq(schema)}.{_bq(table)}"
        if table in existing:
            spark.sql(f"drop table {target}")
        spark.sql(f"alter table {incoming} rename to {target}")
        copied.append(CopiedTable(table, rows))
        if log:
            log(f"{schema}.{table}: {rows} rows")
    return copied


def _copy(duckdb_file: str, dsn: str | None, quiet: bool) -> int:
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


def _copy_spark(duckdb_file: str, spark_dir: str | None, quiet: bool) -> int:
    started = time.monotonic()
    if not Path(duckdb_file).is_file():  # before Spark starts: that takes seconds
        print(f"error: no DuckDB file at {duckdb_file}: load the sources first (apipulse load)",
              file=sys.stderr)
        return 1
    try:
        from pyspark.errors import PySparkException
    except ImportError:
        print('error: pyspark is not installed: pip install "dbt-spark[session]==1.11.*"',
              file=sys.stderr)
        return 1
    spark_dir = Path(spark_dir) if spark_dir else default_spark_dir()
    try:
        spark = spark_session(spark_dir)
    except Exception as exc:  # no Java, or a metastore another process holds
        print(f"error: could not start Spark (needs Java 17; the Derby metastore under "
              f"{spark_dir} allows one process at a time): {str(exc).strip()[:500]}",
              file=sys.stderr)
        return 1
    try:
        copied = copy_raw_to_spark(duckdb_file, spark, log=None if quiet else print)
    except CopyError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    except PySparkException as exc:
        print(f"error: Spark: {str(exc).strip()[:1000]}; the last good raw tables are kept",
              file=sys.stderr)
        return 1
    finally:
        spark.stop()
    total = sum(t.rows for t in copied)
    print(f"copied {len(copied)} raw tables ({total} rows) into Spark ({spark_dir}) "
          f"in {time.monotonic() - started:.1f}s")
    return 0


def _run(duckdb_file: str, dsn: str | None, spark: bool, spark_dir: str | None,
         quiet: bool) -> int:
    if not spark and not dsn:
        print("error: give --postgres-dsn (or set APIPULSE_PG_DSN) or --spark", file=sys.stderr)
        return 2
    rc = 0
    if dsn:
        rc = _copy(duckdb_file, dsn, quiet)
    if spark and rc == 0:
        rc = _copy_spark(duckdb_file, spark_dir, quiet)
    return rc


def _add_arguments(parser) -> None:
    parser.add_argument("--postgres-dsn",
                        help="libpq DSN or URL (default without --spark: APIPULSE_PG_DSN)")
    parser.add_argument("--spark", action="store_true",
                        help="copy into Spark (in process, the `spark` target of profiles.yml)")
    parser.add_argument("--spark-dir", help="Spark warehouse and metastore folder "
                        "(default: APIPULSE_SPARK_DIR or data/spark)")
    parser.add_argument("--quiet", action="store_true")


def _dsn(args) -> str | None:
    # With --spark, PostgreSQL is copied only when asked on the command line.
    return args.postgres_dsn or (None if args.spark else os.environ.get("APIPULSE_PG_DSN"))


def add_copy_raw(sub) -> None:
    """`apipulse copy-raw`: the same command as a subcommand of the `apipulse` CLI."""
    cmd = sub.add_parser("copy-raw",
                         help="copy the raw layer of the DuckDB file into PostgreSQL or Spark")
    cmd.add_argument("--warehouse", help="DuckDB file (default: WAREHOUSE_PATH or data/warehouse.duckdb)")
    _add_arguments(cmd)

    def run(args) -> int:
        from orchestration import settings

        warehouse = args.warehouse or str(settings.warehouse_path())
        return _run(warehouse, _dsn(args), args.spark, args.spark_dir, args.quiet)

    cmd.set_defaults(func=run)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m orchestration.ingestion.targets",
        description="Copy the raw layer (schema raw) of a DuckDB file into PostgreSQL or Spark.",
    )
    parser.add_argument("--duckdb", required=True, help="DuckDB file the loaders wrote")
    _add_arguments(parser)
    args = parser.parse_args(argv)
    return _run(args.duckdb, _dsn(args), args.spark, args.spark_dir, args.quiet)


if __name__ == "__main__":
    sys.exit(main())

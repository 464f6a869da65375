"""Comparing mart tables between DuckDB and another engine, row for row.

- same tables, same columns, same row counts;
- text, integers, booleans, dates and timestamps exactly equal;
- floating point numbers within a relative tolerance of 1e-9 (absolute 1e-12 near zero):
  the engines sum and divide doubles in different orders, so the last bits may differ.
  Percentiles use percentile_cont (exact, interpolated) on every engine, so no wider
  tolerance is needed anywhere.

Rows are fetched by each engine's own client (DuckDB, psycopg2, Spark) and normalised here
(decimals to floats) before they are sorted and compared.
"""

from __future__ import annotations

import datetime as dt
import decimal
import math
from collections.abc import Sequence

REL_TOL = 1e-9
ABS_TOL = 1e-12


def norm(value):
    if isinstance(value, decimal.Decimal):
        return float(value)
    return value


def sort_key(row: tuple) -> tuple:
    """Order rows the same way on both engines: floats rounded to 8 significant digits."""
    key = []
    for v in row:
        if v is None:
            key.append((0, ""))
        elif isinstance(v, float):
            key.append((1, float(f"{v:.8g}") if math.isfinite(v) else str(v)))
        elif isinstance(v, bool | int):
            key.append((1, float(v)))
        elif isinstance(v, dt.datetime | dt.date):
            key.append((2, v.isoformat()))
        else:
            key.append((3, str(v)))
    return tuple(key)


def equal(a, b) -> bool:
    if isinstance(a, float) or isinstance(b, float):
        if a is None or b is None:
            return False
        if math.isnan(a) or math.isnan(b):
            return math.isnan(a) and math.isnan(b)
        return math.isclose(a, b, rel_tol=REL_TOL, abs_tol=ABS_TOL)
    return a == b


def compare_rows(table: str, columns: Sequence[str], duck_rows, other_rows,
                 other: str) -> list[str]:
    """Differences between the rows of `table` on DuckDB and on engine `other` (empty when
    equal). Both row lists hold the values of `columns` in that order."""
    duck = sorted((tuple(norm(v) for v in r) for r in duck_rows), key=sort_key)
    theirs = sorted((tuple(norm(v) for v in r) for r in other_rows), key=sort_key)
    if len(duck) != len(theirs):
        return [f"{table}: {len(duck)} rows on duckdb, {len(theirs)} on {other}"]
    problems = []
    for i, (d, o) in enumerate(zip(duck, theirs, strict=True)):
        for col, a, b in zip(columns, d, o, strict=True):
            if not equal(a, b):
                problems.append(f"{table} row {i} column {col}: duckdb {a!r} != {other} {b!r}")
                break
        if len(problems) >= 5:
            break
    return problems


def duckdb_mart_columns(duck_con, table: str) -> list[str]:
    return [r[0] for r in duck_con.execute(
        "select column_name from duckdb_columns() where schema_name = 'marts' and table_name = ?"
        " order by column_index", [table]).fetchall()]


def duckdb_mart_tables(duck_con) -> list[str]:
    return sorted(r[0] for r in duck_con.execute(
        "select table_name from duckdb_tables() where schema_name = 'marts'").fetchall())

"""The dbt models stay engine-portable: DuckDB-only SQL in a model fails this test.

Engine differences belong in dispatched macros (dbt_project/macros/); models call those.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

MODELS = Path(__file__).resolve().parents[2] / "dbt_project" / "models"

# (name, pattern, why)
RULES = [
    ("select-exclude", r"\*\s*exclude\s*\(", "`select * exclude` is DuckDB-only: list columns"),
    ("qualify", r"\bqualify\b", "`qualify` is DuckDB-only: filter row_number() in a CTE"),
    ("quantile", r"\b(quantile_cont|quantile_disc|approx_quantile|median)\s*\(",
     "use the percentile_cont macro"),
    ("json-function", r"\b(json_extract_string|json_extract|json_value)\s*\(|->>",
     "use the json_text macro"),
    ("double-colon-cast", r"[\w)\]'\"]\s*::\s*[a-z]", "use cast(x as type)"),
    ("create-or-replace", r"create\s+or\s+replace\s+table", "let dbt materialise"),
    ("list-or-struct", r"\b(list_|array_agg\s*\(.*\)\s*\[|struct_pack|unnest\s*\()",
     "lists and structs differ by engine: use a macro"),
    ("integer-division", r"\b(count|sum)\s*\([^()]*\)\s*/(?!\s*nullif\(\s*cast)",
     "PostgreSQL divides integers as integers: cast the numerator to double"),
    ("round-without-cast", r"\bround\s*\(\s*(?!cast\s*\()", "round a cast(... as numeric/double)"),
    # Found bringing the project to PostgreSQL:
    ("double-type", r"\bas\s+double\b(?!\s+precision)|\bdbt\.type_float\s*\(",
     "PostgreSQL has no `double` and dbt.type_float() is 32-bit on DuckDB: use type_double()"),
    ("group-by-all", r"\bgroup\s+by\s+all\b", "`group by all` is DuckDB-only: list the columns"),
    ("duckdb-date-function",
     r"\b(epoch|epoch_ms|try_strptime|strptime|strftime|date_diff|date_sub)\s*\(|(?<!\.)\bdatediff\s*\(",
     "use dbt.datediff / dbt.dateadd / dbt.date_trunc or the minutes_between macro"),
    ("duckdb-only-function", r"\b(try_cast|regexp_matches|regexp_full_match|string_split|"
     r"list_aggregate|arg_max|arg_min|max_by|min_by|count_if)\s*\(",
     "DuckDB-only function: use portable SQL or a dispatched macro"),
]


def strip_comments(sql: str) -> str:
    sql = re.sub(r"\{#.*?#\}", " ", sql, flags=re.S)  # Jinja comments
    sql = re.sub(r"/\*.*?\*/", " ", sql, flags=re.S)  # block comments
    return re.sub(r"--[^\n]*", " ", sql)  # line comments


def violations(sql: str) -> list[tuple[str, str]]:
    text = strip_comments(sql).lower()
    found = []
    for name, pattern, why in RULES:
        if re.search(pattern, text):
            found.append((name, why))
    return found


def model_files() -> list[Path]:
    return sorted(MODELS.rglob("*.sql"))


@pytest.mark.parametrize("path", model_files(), ids=lambda p: str(p.relative_to(MODELS)))
def test_model_is_portable(path: Path):
    problems = violations(path.read_text())
    assert not problems, f"{path.relative_to(MODELS)}: " + "; ".join(
        f"{name}: {why}" for name, why in problems)


@pytest.mark.parametrize(
    ("sql", "rule"),
    [
        ("select * exclude (a) from t", "select-exclude"),
        ("select a from t qualify row_number() over () = 1", "qualify"),
        ("select quantile_cont(x, 0.95) from t", "quantile"),
        ("select json_extract_string(j, '$.a') from t", "json-function"),
        ("select a::varchar from t", "double-colon-cast"),
        ("select count(*) / count(distinct a) from t", "integer-division"),
        ("select round(avg(x), 2) from t", "round-without-cast"),
        ("select cast(x as double) from t", "double-type"),
        ("select cast(x as {{ dbt.type_float() }}) from t", "double-type"),
        ("select a, count(*) from t group by all", "group-by-all"),
        ("select epoch(b) - epoch(a) from t", "duckdb-date-function"),
        ("select datediff('day', a, b) from t", "duckdb-date-function"),
        ("select try_cast(a as int) from t", "duckdb-only-function"),
        ("select arg_max(a, b) from t", "duckdb-only-function"),
    ],
)
def test_checker_catches_duckdb_only_sql(sql, rule):
    assert rule in [name for name, _ in violations(sql)]


def test_checker_accepts_portable_sql():
    sql = """
    -- a comment may say qualify or x::int
    select cast(count(*) as {{ type_double() }}) / nullif(count(distinct a), 0) as ratio,
           round(cast(avg(x) as numeric), 2) as avg_x,
           {{ percentile_cont('x', 0.95) }} as p95,
           cast(y as double precision) as y,
           {{ dbt.datediff('a', 'b', 'day') }} as days
    from {{ ref('t') }}
    group by 1
    """
    assert violations(sql) == []


# PostgreSQL truncates identifiers to 63 bytes and dbt refuses longer relation names: model
# names and unit-test names (a unit test builds a relation named after the test) must fit.
PG_MAX_IDENTIFIER = 63


def unit_test_names() -> list[str]:
    import yaml

    names = []
    for path in sorted(MODELS.rglob("*.yml")):
        doc = yaml.safe_load(path.read_text()) or {}
        names.extend(t["name"] for t in doc.get("unit_tests") or [])
    return names


def test_relation_names_fit_postgresql_identifiers():
    too_long = [p.stem for p in model_files() if len(p.stem) > PG_MAX_IDENTIFIER]
    too_long += [n for n in unit_test_names() if len(n) > PG_MAX_IDENTIFIER]
    assert unit_test_names(), "no unit tests found: the YAML layout changed?"
    assert not too_long, f"longer than {PG_MAX_IDENTIFIER} characters (PostgreSQL): {too_long}"

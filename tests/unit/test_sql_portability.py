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
    ],
)
def test_checker_catches_duckdb_only_sql(sql, rule):
    assert rule in [name for name, _ in violations(sql)]


def test_checker_accepts_portable_sql():
    sql = """
    -- a comment may say qualify or x::int
    select cast(count(*) as double) / nullif(count(distinct a), 0) as ratio,
           round(cast(avg(x) as numeric), 2) as avg_x,
           {{ percentile_cont('x', 0.95) }} as p95
    from {{ ref('t') }}
    """
    assert violations(sql) == []

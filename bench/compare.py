"""Results equality: the same gateway-derived facts read from the product's marts and from the
limit script's (or a DataFrame peer's) output, compared row by row inside DuckDB.

Counts must be equal; floats within 1e-9 relative; NULL equals NULL; a row on one side only
is a mismatch. Timestamps and dates compare exactly.
"""

from __future__ import annotations

from pathlib import Path

import duckdb

REL_TOL = 1e-9

# fact -> (product relation, key columns, exact columns, float columns, product filter)
FACTS: dict[str, dict] = {
    "latency_daily": {
        "product": "marts.fct_latency_daily",
        "keys": ["requested_on", "route_name", "api_version"],
        "exact": ["successful_requests"],
        "float": ["latency_p50_ms", "latency_p95_ms", "latency_p99_ms"],
    },
    "availability_daily": {
        "product": "marts.fct_availability_daily",
        "keys": ["requested_on", "product_id"],
        "exact": ["total_requests", "valid_requests", "good_requests", "valid_requests_28d",
                  "good_requests_28d"],
        "float": ["availability", "availability_28d"],
    },
    "onboarding": {
        "product": "marts.fct_onboarding",
        "keys": ["consumer_id"],
        "exact": ["first_call_at", "first_success_at"],
        "float": [],
        "where": "first_call_at is not null",
    },
    "active_consumers_daily": {
        "product": "marts.agg_active_consumers_daily",
        "keys": ["activity_on"],
        "exact": ["active_consumers", "active_consumers_7d", "active_consumers_28d"],
        "float": [],
    },
    "cohort_retention": {
        "product": "marts.fct_cohort_retention",
        "keys": ["cohort_week_start_on", "week_offset"],
        "exact": ["cohort_size", "retained_consumers"],
        "float": [],
    },
    "slo_daily": {
        "product": "marts.fct_slo_daily",
        "keys": ["slo_id", "requested_on"],
        "exact": ["valid_requests", "bad_requests", "valid_requests_window", "bad_requests_window"],
        "float": ["sli", "slo_attainment"],
    },
    "slo_burn_rates": {
        "product": "marts.fct_slo_burn_rates",
        "keys": ["slo_id", "bucket_number"],
        "exact": ["valid_requests_5m", "valid_requests_1h", "valid_requests_6h",
                  "valid_requests_3d"],
        "float": ["burn_rate_5m", "burn_rate_1h", "burn_rate_6h", "burn_rate_3d"],
    },
}


def _compare_one(con, spec: dict, left: str, right: str) -> dict:
    keys, exact, floats = spec["keys"], spec["exact"], spec["float"]
    on = " and ".join(f"l.{k} is not distinct from r.{k}" for k in keys)
    checks = {c: f"l.{c} is distinct from r.{c}" for c in exact}
    for c in floats:
        checks[c] = (
            f"not ((l.{c} is null and r.{c} is null) or (l.{c} is not null and r.{c} is not null"
            f" and abs(l.{c} - r.{c}) <= {REL_TOL} * greatest(abs(l.{c}), abs(r.{c}), 1e-300)))"
        )
    both = "l._in and r._in"
    sums = ", ".join(f"count(*) filter (where {both} and ({expr})) as \"{c}\""
                     for c, expr in checks.items())
    sql = f"""
        with l as (select *, true as _in from {left}), r as (select *, true as _in from {right})
        select
          (select count(*) from l) as rows_product,
          (select count(*) from r) as rows_other,
          count(*) filter (where r._in is null) as only_product,
          count(*) filter (where l._in is null) as only_other
          {(", " + sums) if sums else ""}
        from l full outer join r on {on}
    """
    row = con.execute(sql).fetchone()
    names = [d[0] for d in con.description]
    res = dict(zip(names, row, strict=True))
    mismatched = {c: int(res.pop(c)) for c in checks if res.get(c)}
    for c in checks:
        res.pop(c, None)
    out = {k: int(v) for k, v in res.items()}
    out["mismatched"] = mismatched
    out["equal"] = (out["only_product"] == 0 and out["only_other"] == 0 and not mismatched
                    and out["rows_product"] > 0)
    if not out["equal"]:
        cols = keys + exact + floats
        diff = " or ".join([f"({e})" for e in checks.values()] + ["l._in is null", "r._in is null"])
        sel = ", ".join([f"coalesce(l.{k}, r.{k}) as {k}" for k in keys]
                        + [f"l.{c} as product_{c}, r.{c} as other_{c}" for c in cols if c not in keys])
        ex = con.execute(
            f"with l as (select *, true as _in from {left}), "
            f"r as (select *, true as _in from {right}) "
            f"select {sel} from l full outer join r on {on} where {diff} limit 3"
        ).fetchall()
        ex_names = [d[0] for d in con.description]
        out["examples"] = [{n: str(v) for n, v in zip(ex_names, e, strict=True)} for e in ex]
    return out


def compare(product_db: Path, other: Path | str, other_kind: str = "duckdb") -> dict:
    """other_kind 'duckdb': a DuckDB file with one table per fact (the limit script);
    'parquet': a folder with <fact>.parquet (the DataFrame peers)."""
    con = duckdb.connect()
    con.execute(f"attach '{product_db}' as product (read_only)")
    if other_kind == "duckdb":
        con.execute(f"attach '{other}' as other (read_only)")
    facts = {}
    for name, spec in FACTS.items():
        where = f" where {spec['where']}" if spec.get("where") else ""
        cols = ", ".join(spec["keys"] + spec["exact"] + spec["float"])
        left = f"(select {cols} from product.{spec['product']}{where})"
        if other_kind == "duckdb":
            right = f"(select {cols} from other.main.{name})"
        else:
            path = Path(other) / f"{name}.parquet"
            if not path.exists():
                continue
            right = f"(select {cols} from read_parquet('{path}'))"
        try:
            facts[name] = _compare_one(con, spec, left, right)
        except duckdb.Error as exc:
            facts[name] = {"equal": False, "error": str(exc).splitlines()[0]}
    con.close()
    return {"equal": bool(facts) and all(f["equal"] for f in facts.values()), "facts": facts}

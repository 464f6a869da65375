"""`apipulse`: generate the sample world, load export files, and say what the warehouse holds.

    apipulse generate [--out DIR] [--consumers N] [--days N] [--requests-per-day N] [--seed N]
    apipulse load <github|statuspage|support|gateway|consumers> PATH... [--warehouse FILE]
    apipulse summary [--warehouse FILE]

`load` goes through the same code as the Dagster assets; directories are searched for
the source's files. The whole pipeline runs in Dagster: `make demo` or
`dagster asset materialize -m orchestration.definitions --select '*'`.
"""

from __future__ import annotations

import argparse
import sys
from datetime import date
from pathlib import Path

import duckdb

from orchestration import settings
from orchestration.ingestion import consumers, gateway, github, statuspage, support
from orchestration.ingestion.common import LoadError, check_reject_share, log_load, utc_now

LOADERS = {
    "github": (github.load_files, ("*.json",)),
    "statuspage": (statuspage.load_files, ("*.json",)),
    "support": (support.load_files, ("*.json",)),
    "consumers": (consumers.load_files, ("*.json", "*.csv")),
}


def _expand(paths: list[Path], patterns: tuple[str, ...]) -> list[Path]:
    files: list[Path] = []
    for path in paths:
        if not path.exists():
            raise LoadError(f"{path}: no such file or directory")
        if path.is_dir():
            files.extend(sorted({p for pat in patterns for p in path.rglob(pat) if p.is_file()}))
        else:
            files.append(path)
    return files


def cmd_generate(args: argparse.Namespace) -> int:
    from orchestration.sample_data import WorldParams, generate_world

    params = WorldParams(seed=args.seed, days=args.days, consumers=args.consumers,
                         requests_per_day=args.requests_per_day,
                         start=date.fromisoformat(args.start) if args.start else WorldParams.start)
    out = Path(args.out).resolve()
    summary = generate_world(out, params, progress=not args.quiet)
    print(f"sample world written to {out}: {summary}")
    return 0


def cmd_load(args: argparse.Namespace) -> int:
    warehouse = Path(args.warehouse).resolve() if args.warehouse else settings.warehouse_path()
    warehouse.parent.mkdir(parents=True, exist_ok=True)
    started = utc_now()
    with duckdb.connect(str(warehouse)) as con:
        if args.source == "gateway":
            result = gateway.load_files(con, [Path(p) for p in args.paths], args.format)
        else:
            load_fn, patterns = LOADERS[args.source]
            result = load_fn(con, _expand([Path(p) for p in args.paths], patterns))
        log_load(con, result, started)
    print(result.summary())
    for table, n in sorted(result.loaded.items()):
        print(f"  raw.{table}: {n} rows inserted or changed")
    if result.rejected:
        print(f"  rejects: raw.{args.source}_rejects ({result.rejected} this load)")
    print(f"warehouse: {warehouse}")
    check_reject_share(result, args.max_reject_share)
    return 0


def cmd_summary(args: argparse.Namespace) -> int:
    warehouse = Path(args.warehouse).resolve() if args.warehouse else settings.warehouse_path()
    with duckdb.connect(str(warehouse), read_only=True) as con:
        rows = con.execute(
            "select table_schema, table_name, estimated_size from duckdb_tables()"
            " where table_schema in ('raw', 'staging', 'intermediate', 'marts', 'quality')"
            " order by 1, 2"
        ).fetchall()
        print(f"warehouse: {warehouse}")
        for schema, table, _ in rows:
            n = con.execute(f'select count(*) from "{schema}"."{table}"').fetchone()[0]
            print(f"  {schema}.{table}: {n} rows")
    site = settings.site_dir()
    for label, path in [("site", site / "index.html"), ("dbt docs", site / "docs" / "index.html"),
                        ("data quality", site / "quality" / "index.html")]:
        if path.exists():
            print(f"{label}: {path}")
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="apipulse", description=__doc__.split("\n\n")[0])
    sub = parser.add_subparsers(dest="command", required=True)

    gen = sub.add_parser("generate", help="write the deterministic sample world")
    gen.add_argument("--out", default=str(settings.sample_dir()))
    gen.add_argument("--seed", type=int, default=7)
    gen.add_argument("--consumers", type=int, default=240)
    gen.add_argument("--days", type=int, default=35)
    gen.add_argument("--requests-per-day", type=int, default=12000)
    gen.add_argument("--start", help="first day, YYYY-MM-DD (default 2026-09-01)")
    gen.add_argument("--quiet", action="store_true")
    gen.set_defaults(func=cmd_generate)

    load = sub.add_parser("load", help="load export files of one source into the raw layer")
    load.add_argument("source", choices=["github", "statuspage", "support", "gateway", "consumers"])
    load.add_argument("paths", nargs="+")
    load.add_argument("--warehouse", help="DuckDB file (default: WAREHOUSE_PATH or data/warehouse.duckdb)")
    load.add_argument("--format", choices=gateway.KINDS, help="gateway log format (default: detect)")
    load.add_argument("--max-reject-share", type=float, default=0.05,
                      help="fail when more than this share of records is rejected (default 0.05)")
    load.set_defaults(func=cmd_load)

    summ = sub.add_parser("summary", help="what the warehouse holds and where the site is")
    summ.add_argument("--warehouse")
    summ.set_defaults(func=cmd_summary)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return args.func(args)
    except LoadError as exc:
        print(f"apipulse: {exc}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())

"""`apipulse`: generate the sample world, load export files, and say what the warehouse holds.

    apipulse generate [--out DIR] [--consumers N] [--days N] [--requests-per-day N] [--seed N]
    apipulse load <github|statuspage|support|gateway|consumers> PATH... [--warehouse FILE]
    apipulse pull <github|statuspage|support|consumers> [--warehouse FILE] [--config FILE]
    apipulse summary [--warehouse FILE]

`load` and `pull` go through the same code as the Dagster assets: `load` reads export
files (directories are searched for the source's files); `pull` calls the source's API as
configured in apipulse.yml (or APIPULSE_CONFIG), with secrets from the environment. The whole pipeline runs in Dagster: `make demo` or
`dagster asset materialize -m orchestration.definitions --select '*'`.
"""

from __future__ import annotations

import argparse
import sys
from datetime import date
from pathlib import Path

from orchestration import settings
from orchestration.calibration import register as add_calibrate
from orchestration.ingestion import consumers, gateway, github, statuspage, support
from orchestration.ingestion.common import (
    LoadError,
    check_reject_share,
    expand_paths,
    log_load,
    utc_now,
)
from orchestration.ingestion.targets import add_copy_raw

LOADERS = {
    "github": (github.load_files, ("*.json",)),
    "statuspage": (statuspage.load_files, ("*.json",)),
    "support": (support.load_files, ("*.json",)),
    "consumers": (consumers.load_files, ("*.json", "*.csv")),
}


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
    with settings.connect_warehouse(warehouse) as con:
        if args.source == "gateway":
            result = gateway.load_files(con, [Path(p) for p in args.paths], args.format)
        else:
            load_fn, patterns = LOADERS[args.source]
            result = load_fn(con, expand_paths([Path(p) for p in args.paths], patterns))
        log_load(con, result, started)
    _report(result, args.source, warehouse)
    check_reject_share(result, args.max_reject_share)
    return 0


PULLERS = {
    "github": github.pull,
    "statuspage": statuspage.pull,
    "support": support.pull,
    "consumers": consumers.pull,
}


def _report(result, source: str, warehouse: Path) -> None:
    print(result.summary())
    for table, n in sorted(result.loaded.items()):
        print(f"  raw.{table}: {n} rows inserted or changed")
    if result.rejected:
        print(f"  rejects: raw.{source}_rejects ({result.rejected} this load)")
    print(f"warehouse: {warehouse}")


def cmd_pull(args: argparse.Namespace) -> int:
    import logging

    from orchestration.config import load_config

    config = load_config(args.config)
    options = config.source(args.source)
    if not options.enabled or options.mode != "api":
        state = "disabled" if not options.enabled else "in file mode"
        raise LoadError(
            f"sources.{args.source} is {state} in {config.origin}; set `mode: api` with its "
            f"base_url (see apipulse.example.yml), or load files with "
            f"`apipulse load {args.source} PATH`"
        )
    logging.basicConfig(level=logging.INFO, format="%(levelname)s %(name)s: %(message)s")
    warehouse = Path(args.warehouse).resolve() if args.warehouse else settings.warehouse_path()
    warehouse.parent.mkdir(parents=True, exist_ok=True)
    started = utc_now()
    with settings.connect_warehouse(warehouse) as con:
        result = PULLERS[args.source](con, options, config.http_for(args.source))
        log_load(con, result, started)
    _report(result, args.source, warehouse)
    share = options.max_reject_share
    check_reject_share(result, args.max_reject_share if share is None else share)
    return 0


def cmd_summary(args: argparse.Namespace) -> int:
    warehouse = Path(args.warehouse).resolve() if args.warehouse else settings.warehouse_path()
    with settings.connect_warehouse(warehouse, read_only=True) as con:
        rows = con.execute(
            "select table_schema, table_name, table_type from information_schema.tables"
            " where table_schema in ('raw', 'staging', 'intermediate', 'marts', 'quality')"
            " order by 1, 2"
        ).fetchall()
        print(f"warehouse: {warehouse}")
        for schema, table, kind in rows:
            n = con.execute(f'select count(*) from "{schema}"."{table}"').fetchone()[0]
            what = "view" if kind == "VIEW" else "table"
            print(f"  {schema}.{table}: {n} rows ({what})")
    site = settings.site_dir()
    for label, path in [("site", site / "index.html"),
                        ("scorecard", site / "scorecard" / "index.html"),
                        ("dbt docs", site / "docs" / "index.html"),
                        ("data quality", site / "quality" / "index.html")]:
        if path.exists():
            print(f"{label}: {path}")
    return 0


def build_parser() -> argparse.ArgumentParser:
    """One `add_*` function per subcommand: a new command adds its own and a line below."""
    parser = argparse.ArgumentParser(prog="apipulse", description=__doc__.split("\n\n")[0])
    sub = parser.add_subparsers(dest="command", required=True)
    add_generate(sub)
    add_load(sub)
    add_pull(sub)
    add_summary(sub)
    add_gateway_days(sub)
    add_calibrate(sub)
    add_copy_raw(sub)
    return parser


def add_generate(sub) -> None:
    gen = sub.add_parser("generate", help="write the deterministic sample world")
    gen.add_argument("--out", default=str(settings.sample_dir()))
    gen.add_argument("--seed", type=int, default=7)
    gen.add_argument("--consumers", type=int, default=240)
    gen.add_argument("--days", type=int, default=35)
    gen.add_argument("--requests-per-day", type=int, default=12000)
    gen.add_argument("--start", help="first day, YYYY-MM-DD (default 2026-09-01)")
    gen.add_argument("--quiet", action="store_true")
    gen.set_defaults(func=cmd_generate)


def add_load(sub) -> None:
    load = sub.add_parser("load", help="load export files of one source into the raw layer")
    load.add_argument("source", choices=["github", "statuspage", "support", "gateway", "consumers"])
    load.add_argument("paths", nargs="+")
    load.add_argument("--warehouse", help="DuckDB file (default: WAREHOUSE_PATH or data/warehouse.duckdb)")
    load.add_argument("--format", choices=gateway.KINDS, help="gateway log format (default: detect)")
    load.add_argument("--max-reject-share", type=float, default=0.05,
                      help="fail when more than this share of records is rejected (default 0.05)")
    load.set_defaults(func=cmd_load)


def add_pull(sub) -> None:
    pull = sub.add_parser("pull", help="pull one source from its API (apipulse.yml, mode: api)")
    pull.add_argument("source", choices=sorted(PULLERS))
    pull.add_argument("--warehouse", help="DuckDB file (default: WAREHOUSE_PATH or data/warehouse.duckdb)")
    pull.add_argument("--config", help="sources config (default: APIPULSE_CONFIG or ./apipulse.yml)")
    pull.add_argument("--max-reject-share", type=float, default=0.05,
                      help="fail when more than this share of records is rejected (default 0.05)")
    pull.set_defaults(func=cmd_pull)


def add_summary(sub) -> None:
    summ = sub.add_parser("summary", help="what the warehouse holds and where the site is")
    summ.add_argument("--warehouse")
    summ.set_defaults(func=cmd_summary)


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return args.func(args)
    except LoadError as exc:
        print(f"apipulse: {exc}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())


def cmd_gateway_days(args: argparse.Namespace) -> int:
    """Print the partition range the gateway files cover, as `FIRST...LAST` (Dagster's form)."""
    folder = Path(args.source_dir) if args.source_dir else settings.sample_dir() / "gateway"
    days = sorted({d for p in gateway.log_files([folder]) if (d := gateway.file_day(p))})
    if not days:
        print(f"apipulse: no gateway files with a YYYY-MM-DD in their name under {folder}",
              file=sys.stderr)
        return 2
    print(f"{days[0]:%Y-%m-%d}...{days[-1]:%Y-%m-%d}")
    return 0


def add_gateway_days(sub) -> None:
    days = sub.add_parser("gateway-days",
                          help="the day range of the gateway log files (for a partition backfill)")
    days.add_argument("--source-dir", help="gateway folder (default: the sample world's)")
    days.set_defaults(func=cmd_gateway_days)

"""One measured step, run in its own child process by bench/run.py:

    python -m bench.step {product,incremental,dbt_floor,limit,pandas,polars} --size N --workdir DIR --out JSON

Each step writes a small JSON (its own timing breakdown and where its outputs are) to --out.
The parent measures wall time and the peak RSS of this process and its children (dbt).
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import time
from datetime import timedelta
from pathlib import Path

from bench.generate import World, ensure_world
from orchestration.settings import DBT_PRODUCTION_BUILD_ARGS, connect_warehouse, gateway_window_env

REPO_ROOT = Path(__file__).resolve().parent.parent
DBT_PROJECT_DIR = REPO_ROOT / "dbt_project"
DBT = str(Path(sys.executable).parent / "dbt")

# The product step times what the gateway logs cost: their ingestion, then `dbt build` of
# every model that depends on them (source:gateway.gateway_requests+, the access logs'
# table) and its tests. What those models also read from the other sources and the seeds
# (help desk, GitHub, status pages, the consumer registry, reference data) is loaded and
# built first, untimed: `@source:gateway.gateway_requests` minus the timed selection are the
# parents that never read a gateway log line. Models of the consumer registry alone (it is
# a gateway source too, but no log file) are not in the timed selection: a new day of logs
# leaves them unchanged. Day 31 rebuilds the same selection.
GATEWAY_SELECT = "source:gateway.gateway_requests+"
PARENTS_SELECT = "@source:gateway.gateway_requests"  # built with --exclude GATEWAY_SELECT


def dbt_build(warehouse: Path, select: str, run_dir: Path, window: dict | None = None,
              indirect: str | None = None, target_name: str = "dbt_target",
              exclude: str | None = None, empty: bool = False) -> dict:
    """`dbt build` the way Dagster runs it (from dbt_project/, --profiles-dir .., the
    production arguments, dbt's structured JSON log on stdout), with a target and log folder
    of the benchmark's own (other engineers share dbt_project/target)."""
    # One target folder per size, shared by the product's and day 31's runs: dbt's partial
    # parsing state survives between runs, as in a long-lived deployment.
    target = run_dir.parent.parent / target_name
    cmd = [DBT, "build", "--select", select, *DBT_PRODUCTION_BUILD_ARGS,
           "--profiles-dir", str(REPO_ROOT),
           "--target-path", str(target), "--log-path", str(run_dir / "logs"),
           "--log-format", "json", "--no-use-colors"]
    if indirect:
        cmd += ["--indirect-selection", indirect]
    if exclude:
        cmd += ["--exclude", exclude]
    if empty:
        cmd.append("--empty")
    env = {**os.environ, "WAREHOUSE_PATH": str(warehouse), **(window or {})}
    started = time.perf_counter()
    proc = subprocess.run(cmd, cwd=DBT_PROJECT_DIR, env=env, capture_output=True, text=True)
    elapsed = time.perf_counter() - started
    events = _log_events(proc.stdout)
    results = _node_results(events)
    if results.get("dbt_elapsed_s") is not None:
        # dbt's own start-up and parsing: process time minus the run's elapsed time.
        results["dbt_startup_parse_s"] = round(elapsed - results["dbt_elapsed_s"], 2)
    tail = "\n".join(e["info"].get("msg", "") for e in events) + proc.stderr
    return {"dbt_s": elapsed, "dbt_rc": proc.returncode, "dbt_cmd": " ".join(cmd),
            "dbt_output_tail": tail[-3000:] if proc.returncode else "", **results}


def _log_events(stdout: str) -> list[dict]:
    """dbt's structured log lines (--log-format json); anything else printed is skipped."""
    events = []
    for line in stdout.splitlines():
        try:
            event = json.loads(line)
        except ValueError:
            continue
        if isinstance(event, dict) and "info" in event:
            events.append(event)
    return events


def _node_results(events: list[dict]) -> dict:
    """Per-node status and execution time from the result events of dbt's structured log
    (what Dagster reads: production builds write no run_results.json)."""
    nodes = []  # (execution_time, unique_id, status)
    elapsed = None
    for event in events:
        data = event.get("data", {})
        node = data.get("node_info") or {}
        if event["info"].get("name") == "FinishedRunningStats":
            elapsed = data.get("execution_time")
        elif node.get("node_finished_at") and "execution_time" in data:
            nodes.append((data["execution_time"] or 0.0, node["unique_id"], node["node_status"]))
    if not nodes:
        return {"dbt_nodes": 0}
    statuses: dict[str, int] = {}
    # Per-type sums of node times: with more than one dbt thread (profiles.yml) nodes run
    # side by side, so these add up to more than dbt_elapsed_s.
    by_type: dict[str, list] = {}
    for seconds, unique_id, status in nodes:
        statuses[status] = statuses.get(status, 0) + 1
        entry = by_type.setdefault(unique_id.split(".")[0], [0, 0.0])
        entry[0] += 1
        entry[1] += seconds
    slowest = sorted(nodes, reverse=True)[:8]
    failed = [u for _, u, status in nodes if status in ("error", "fail", "skipped")]
    return {"dbt_nodes": len(nodes), "dbt_statuses": statuses, "dbt_elapsed_s": elapsed,
            "dbt_by_type": {k: {"nodes": n, "s": round(t, 2)} for k, (n, t) in by_type.items()},
            "dbt_slowest": [{"node": u, "s": round(s, 3)} for s, u, _ in slowest],
            "dbt_not_ok": failed[:20]}


def load_other_sources(con, world: World) -> float:
    """The product's loaders for every source but the gateway, as `apipulse load` and the
    Dagster assets call them; returns the seconds taken."""
    from orchestration.ingestion import consumers, github, statuspage, support
    from orchestration.ingestion.common import expand_paths, log_load, utc_now

    others = {
        "consumers": (consumers.load_files, ("*.json", "*.csv")),
        "statuspage": (statuspage.load_files, ("*.json",)),
        "support": (support.load_files, ("*.json",)),
        "github": (github.load_files, ("*.json",)),
    }
    started = time.perf_counter()
    for name, (fn, patterns) in others.items():
        began = utc_now()
        result = fn(con, expand_paths([world.world_dir / name], patterns))
        log_load(con, result, began)
    return time.perf_counter() - started


def load_gateway(con, gateway_files: list[Path]) -> dict:
    """The gateway loader, as `apipulse load` and the Dagster gateway asset call it."""
    from orchestration.ingestion import gateway
    from orchestration.ingestion.common import log_load, utc_now

    started = time.perf_counter()
    began = utc_now()
    result = gateway.load_files(con, gateway_files)
    log_load(con, result, began)
    return {"ingest_gateway_s": time.perf_counter() - started,
            "gateway_rows_loaded": sum(result.loaded.values()),
            "gateway_rejected": result.rejected}


def live_warehouse(run_dir: Path) -> Path:
    """Where every run of a size builds: a deployment's warehouse path never changes, and
    dbt re-parses the whole project when it does (the path is part of its profile hash).
    Each run's result is moved to its own run folder afterwards (not timed)."""
    live = run_dir.parent.parent / "live"
    shutil.rmtree(live, ignore_errors=True)
    live.mkdir(parents=True)
    return live / "warehouse.duckdb"


def keep(live: Path, run_dir: Path) -> Path:
    kept = run_dir / "warehouse.duckdb"
    kept.unlink(missing_ok=True)
    shutil.move(live, kept)
    return kept


def step_product(world: World, run_dir: Path) -> dict:
    warehouse = live_warehouse(run_dir)
    out = {}
    # Set-up, untimed: the other sources and the models that never read a gateway line.
    with connect_warehouse(warehouse) as con:
        out["setup_ingest_other_s"] = load_other_sources(con, world)
    parents = dbt_build(warehouse, PARENTS_SELECT, run_dir, indirect="buildable",
                        exclude=GATEWAY_SELECT)
    if parents["dbt_rc"]:
        raise RuntimeError("building the non-gateway parents failed:\n"
                           + parents["dbt_output_tail"])
    out["setup_dbt_s"] = parents["dbt_s"]
    out["setup_dbt_nodes"] = parents["dbt_nodes"]
    # Timed: the gateway logs' ingestion and every model (and test) that depends on them.
    with connect_warehouse(warehouse) as con:
        out.update(load_gateway(con, world.gateway_files))
    out.update(dbt_build(warehouse, GATEWAY_SELECT, run_dir))
    out["warehouse"] = str(keep(warehouse, run_dir))
    out["product_s"] = out["ingest_gateway_s"] + out["dbt_s"]
    return out


def step_incremental(world: World, run_dir: Path, base: Path) -> dict:
    """Day 31 on top of a finished 30-day build: load only day 31's file with the gateway
    loader, then `dbt build --select source:gateway.gateway_requests+` with the day's window
    in the environment (the daily partition path: incremental models rebuild only that
    window)."""
    warehouse = from_the_build(run_dir, base, "dbt_target_day31")
    with connect_warehouse(warehouse) as con:
        out = load_gateway(con, [world.day31_file])
    day = world.day31
    # The day's window as the Dagster partition run passes it (environment, not --vars).
    window = gateway_window_env(day, day + timedelta(days=1))
    out["window"] = window
    out.update(dbt_build(warehouse, GATEWAY_SELECT, run_dir, window,
                         target_name="dbt_target_day31"))
    out["warehouse"] = str(keep(warehouse, run_dir))
    out["incremental_s"] = out["ingest_gateway_s"] + out["dbt_s"]
    return out


def from_the_build(run_dir: Path, base: Path, target_name: str) -> Path:
    """Set-up of a step that runs on the finished 30-day build, not measured by the step's
    own clock (the parent's wall clock includes it): a copy of its warehouse at the live
    path, and dbt's state (its partial-parse file) as the build left it, in the target
    folder `target_name`, as a next run finds it. Every repeat starts from that state."""
    warehouse = live_warehouse(run_dir)
    shutil.copyfile(base, warehouse)
    size_dir = run_dir.parent.parent
    shutil.rmtree(size_dir / target_name, ignore_errors=True)
    if (size_dir / "dbt_target").exists():
        shutil.copytree(size_dir / "dbt_target", size_dir / target_name)
    return warehouse


def step_dbt_floor(world: World, run_dir: Path, base: Path) -> dict:
    """dbt's own cost of the timed selection, whatever the data: on a copy of the finished
    30-day warehouse, `dbt build --select source:gateway.gateway_requests+ --empty`, which
    runs every model and test of the product's build with each source and ref read as zero
    rows. No data is loaded. The product's and day 31's runs cannot take less than their
    ingestion plus this (bench/run.py, floors)."""
    warehouse = from_the_build(run_dir, base, "dbt_target_floor")
    out = dbt_build(warehouse, GATEWAY_SELECT, run_dir, target_name="dbt_target_floor",
                    empty=True)
    warehouse.unlink()  # its tables are empty now; nothing to keep
    return out


def step_limit(world: World, run_dir: Path, with_day31: bool = False) -> dict:
    """The hand-written script; with_day31 adds day 31's file (checks the incremental build)."""
    import duckdb

    db = run_dir / "limit.duckdb"
    db.unlink(missing_ok=True)
    sql = (Path(__file__).parent / "limit.sql").read_text()
    files = [str(world.gateway_dir / "*.log.gz")] + ([str(world.day31_file)] if with_day31 else [])
    sql = (sql.replace("'${GATEWAY_GLOB}'", "[" + ", ".join(f"'{f}'" for f in files) + "]")
              .replace("${CONSUMERS_GLOB}", str(world.world_dir / "consumers" / "*.json"))
              .replace("${SEEDS_DIR}", str(REPO_ROOT / "seeds")))
    started = time.perf_counter()
    con = duckdb.connect(str(db))
    con.execute(sql)
    con.close()
    return {"limit_db": str(db), "limit_sql_s": time.perf_counter() - started}


def step_frames(world: World, run_dir: Path, engine: str) -> dict:
    from bench import alternatives

    started = time.perf_counter()
    facts = alternatives.run(engine, world.gateway_files,
                             sorted((world.world_dir / "consumers").glob("*.json")),
                             REPO_ROOT / "seeds")
    elapsed = time.perf_counter() - started
    out_dir = run_dir / f"{engine}_facts"
    out_dir.mkdir(parents=True, exist_ok=True)
    for name, frame in facts.items():  # written after the clock stops
        alternatives.to_parquet(engine, frame, out_dir / f"{name}.parquet")
    return {f"{engine}_s": elapsed, "facts_dir": str(out_dir)}


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(prog="python -m bench.step")
    ap.add_argument("name", choices=["product", "incremental", "dbt_floor", "limit", "pandas",
                                     "polars"])
    ap.add_argument("--size", type=int, required=True)
    ap.add_argument("--workdir", type=Path, required=True)
    ap.add_argument("--run-dir", type=Path, required=True)
    ap.add_argument("--base", type=Path,
                    help="incremental, dbt_floor: the finished 30-day warehouse")
    ap.add_argument("--out", type=Path, required=True)
    ap.add_argument("--with-day31", action="store_true", help="limit: include day 31's file")
    args = ap.parse_args(argv)
    world = ensure_world(args.workdir, args.size, log=lambda *_: None)
    args.run_dir = args.run_dir.resolve()
    args.run_dir.mkdir(parents=True, exist_ok=True)
    if args.name == "product":
        out = step_product(world, args.run_dir)
    elif args.name == "incremental":
        out = step_incremental(world, args.run_dir, args.base)
    elif args.name == "dbt_floor":
        out = step_dbt_floor(world, args.run_dir, args.base)
    elif args.name == "limit":
        out = step_limit(world, args.run_dir, args.with_day31)
    else:
        out = step_frames(world, args.run_dir, args.name)
    args.out.write_text(json.dumps(out, indent=2, default=str))
    return 0


if __name__ == "__main__":
    sys.exit(main())

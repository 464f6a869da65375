"""`python -m bench.run`: the API Pulse benchmark (see bench/README.md).

For each size: generate (or reuse) the world, then measure in child processes, in
`--repeats` rounds of one run each: the product (loaders + dbt build), the limit
(bench/limit.sql), pandas and polars (bench/alternatives.py), and day 31 on top of the
round's 30-day build. Prints a table and writes bench/results/latest.json.
"""

from __future__ import annotations

import argparse
import json
import operator
import os
import platform
import resource
import signal
import statistics
import subprocess
import sys
import threading
import time
from datetime import UTC, datetime
from pathlib import Path

from bench.compare import compare
from bench.generate import ensure_world, parse_size, size_label
from bench.step import GATEWAY_SELECT

REPO_ROOT = Path(__file__).resolve().parent.parent
RESULTS = Path(__file__).resolve().parent / "results" / "latest.json"
SMALL_SIZES = "200k,1M"

try:
    import psutil
except ImportError:  # the fallback reads the children's high-water mark from the kernel
    psutil = None


def _tree(proc) -> list:
    """The process and its descendants (empty once it is gone)."""
    try:
        return [proc] + proc.children(recursive=True)
    except psutil.Error:
        return []


def _tree_rss(proc) -> int:
    total = 0
    for p in _tree(proc):
        try:
            total += p.memory_info().rss
        except psutil.Error:
            pass
    return total


def _kill_tree(proc) -> None:
    # The whole list is taken before the first kill: a killed parent's children are orphans.
    for p in _tree(proc):
        try:
            p.kill()
        except psutil.Error:
            pass


def run_child(args: list[str], log_path: Path,
              memory_budget: float | None = None) -> tuple[float, float, int, bool]:
    """Run `python -m bench.step ...` (see run_measured)."""
    return run_measured([sys.executable, "-m", "bench.step", *args], log_path, memory_budget)


def run_measured(cmd: list[str], log_path: Path,
                 memory_budget: float | None = None) -> tuple[float, float, int, bool]:
    """Run a command; returns (wall seconds, peak RSS MB of its process tree, exit code,
    whether it was stopped at `memory_budget`). With psutil the tree's summed RSS is sampled
    every 20 ms, and a tree whose RSS passes `memory_budget` (bytes) is killed; without
    psutil the peak is the largest single child's high-water mark (getrusage
    RUSAGE_CHILDREN) and there is no budget."""
    started = time.perf_counter()
    over_budget = False
    with open(log_path, "w") as log:
        proc = subprocess.Popen(cmd, cwd=REPO_ROOT, stdout=log, stderr=subprocess.STDOUT)
        peak = 0
        if psutil is not None:
            stop = threading.Event()
            ps = psutil.Process(proc.pid)

            def sample():
                nonlocal peak, over_budget
                while not stop.is_set():
                    rss = _tree_rss(ps)
                    peak = max(peak, rss)
                    if memory_budget and rss > memory_budget and not over_budget:
                        over_budget = True
                        _kill_tree(ps)
                    stop.wait(0.02)

            sampler = threading.Thread(target=sample, daemon=True)
            sampler.start()
            rc = proc.wait()
            stop.set()
            sampler.join()
        else:
            rc = proc.wait()
            peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss * 1024
    return time.perf_counter() - started, peak / 2**20, rc, over_budget


class Step:
    """Repeated runs of one step at one size."""

    def __init__(self, name: str):
        self.name = name
        self.seconds: list[float] = []
        self.process_seconds: list[float] = []
        self.peaks: list[float] = []
        self.details: list[dict] = []
        self.unfinished: dict | None = None  # a DataFrame peer stopped before its result

    @property
    def median(self) -> float | None:
        return statistics.median(self.seconds) if self.seconds else None

    @property
    def peak(self) -> float | None:
        return max(self.peaks) if self.peaks else None

    def last(self) -> dict:
        return self.details[-1] if self.details else {}


# What each step's child reports as its own time (set-up it does first is left out).
STEP_KEYS = {"product": "product_s", "limit": "limit_sql_s", "pandas": "pandas_s",
             "polars": "polars_s", "incremental": "incremental_s", "dbt_floor": "dbt_s"}


def dbt_ok(detail: dict) -> bool:
    """A step's dbt build exited 0 and reported its nodes, none failed or skipped."""
    return (detail.get("dbt_rc") == 0 and detail.get("dbt_nodes", 0) > 0
            and not detail.get("dbt_not_ok"))


# Steps that run on a copy of the same round's finished 30-day warehouse (--base); they
# read day 31's lines or none, so they have no rate over the 30 days' lines.
ON_THE_BUILD = ("incremental", "dbt_floor")

# The DataFrame peers hold the requests in memory, so a size can need more than the machine
# has (polars' straightforward code passed 22 GB at 50M on a 23 GB machine). They run under
# a memory budget: a peer past it, or killed by the system for memory, is recorded as not
# finished (time and peak at the stop) and not run again at that size; the benchmark goes on.
PEERS = ("pandas", "polars")


def default_peer_budget_gb() -> float | None:
    """85% of the machine's memory, leaving the rest to the system."""
    return round(0.85 * psutil.virtual_memory().total / 2**30, 1) if psutil else None


def run_once(step: Step, size: int, workdir: Path, log, run: int, repeats: int,
             extra=(), run_name: str | None = None, memory_budget_gb: float | None = None) -> None:
    """One run of a step in its own child process; appends its figures to `step`."""
    name = step.name
    key = STEP_KEYS[name]
    run_dir = workdir / size_label(size) / "runs" / (run_name or name)
    run_dir.mkdir(parents=True, exist_ok=True)
    out = run_dir / "step.json"
    out.unlink(missing_ok=True)
    budget = memory_budget_gb * 2**30 if name in PEERS and memory_budget_gb else None
    wall, peak, rc, over_budget = run_child(
        [name, "--size", str(size), "--workdir", str(workdir), "--run-dir", str(run_dir),
         "--out", str(out), *extra], run_dir / "step.log", budget)
    if name in PEERS and (over_budget or rc == -signal.SIGKILL):
        reason = (f"stopped at the memory budget of {memory_budget_gb:g} GB" if over_budget
                  else "killed by the system (SIGKILL), most likely out of memory")
        step.unfinished = {"reason": reason, "after_s": round(wall, 1),
                           "peak_rss_mb": round(peak, 1)}
        step.peaks.append(peak)
        log(f"  {name} run {run}/{repeats}: did not finish: {reason} after {wall:.1f} s, "
            f"peak RSS {peak:.0f} MB; not run again at {size_label(size)}")
        return
    if rc != 0 or not out.exists():
        tail = (run_dir / "step.log").read_text()[-2000:]
        raise RuntimeError(f"step {name} at {size_label(size)} failed (rc {rc}):\n{tail}")
    detail = json.loads(out.read_text())
    if "dbt_rc" in detail and not dbt_ok(detail):
        log(f"  ! {name}: dbt build exited {detail['dbt_rc']} with {detail.get('dbt_nodes', 0)} "
            f"nodes reported (not ok: {', '.join(detail.get('dbt_not_ok', [])[:5])})")
    seconds = detail[key] if key in detail else wall
    step.seconds.append(seconds)
    step.process_seconds.append(wall)
    step.peaks.append(peak)
    step.details.append(detail)
    log(f"  {name} run {run}/{repeats}: {seconds:.2f} s (process {wall:.2f} s), "
        f"peak RSS {peak:.0f} MB")


def ratio(a: float | None, b: float | None) -> float | None:
    """a ÷ b to three decimals; None when either is missing (a step not run)."""
    return round(a / b, 3) if a is not None and b else None


def bench_size(size: int, args, log) -> dict:
    label = size_label(size)
    world = ensure_world(args.workdir, size, log=log)
    lines = world.gateway_lines
    log(f"[{label}] {lines} gateway lines in {len(world.gateway_files)} daily files")
    names = ["product", "limit"]
    if args.skip_pandas_above is None or size <= args.skip_pandas_above:
        names.append("pandas")
    if args.skip_polars_above is None or size <= args.skip_polars_above:
        names.append("polars")
    if not args.skip_incremental:
        names.append("incremental")  # day 31 on top of the same round's 30-day build
    if not args.skip_dbt_floor:
        names.append("dbt_floor")  # the same dbt build on empty inputs (floors, below)
    steps = {name: Step(name) for name in names}
    product = steps["product"]
    # Rounds, not blocks: each round runs every step once. A machine whose speed drifts
    # during the benchmark (three product runs in a row here: 96, 109, 115 s) then shifts
    # every step alike, and the ratios compare steps measured side by side.
    # product_s = gateway ingestion + dbt build of GATEWAY_SELECT (set-up left out).
    for run in range(1, args.repeats + 1):
        for name in names:
            if steps[name].unfinished:
                continue
            extra = ("--base", product.last()["warehouse"]) if name in ON_THE_BUILD else ()
            run_once(steps[name], size, args.workdir, log, run, args.repeats, extra=extra,
                     memory_budget_gb=args.peer_memory_budget)
    comparisons = {"limit": compare(Path(product.last()["warehouse"]),
                                    Path(steps["limit"].last()["limit_db"]))}
    for peer in PEERS:
        if peer in steps and not steps[peer].unfinished:
            comparisons[peer] = compare(Path(product.last()["warehouse"]),
                                        steps[peer].last()["facts_dir"], "parquet")
    if "incremental" in steps:
        # Correctness of the day-31 path: the limit over days 1-31 vs the product after day 31.
        limit31 = Step("limit")
        run_once(limit31, size, args.workdir, lambda *_: None, 1, 1,
                 extra=("--with-day31",), run_name="limit_31d")
        comparisons["incremental_vs_limit_31d"] = compare(
            Path(steps["incremental"].last()["warehouse"]), Path(limit31.last()["limit_db"]))

    for name, c in comparisons.items():
        bad = {f: v for f, v in c["facts"].items() if not v["equal"]}
        log(f"[{label}] equality product vs {name}: {'equal' if c['equal'] else 'DIFFERENT'}"
            + (f" ({', '.join(bad)})" if bad else ""))

    def med(name):
        return steps[name].median if name in steps else None

    pd_detail = product.last()
    row = {
        "size": size,
        "label": label,
        "gateway_lines": lines,
        "product_s": med("product"),
        "limit_s": med("limit"),
        "pandas_s": med("pandas"),
        "polars_s": med("polars"),
        "incremental_s": med("incremental"),
        "full_s": med("product"),
        "product_over_limit": ratio(med("product"), med("limit")),
        "pandas_over_product": ratio(med("pandas"), med("product")),
        "polars_over_product": ratio(med("polars"), med("product")),
        "incremental_over_full": ratio(med("incremental"), med("product")),
        "dbt_floor_s": med("dbt_floor"),
        "dbt_floor_ok": (all(dbt_ok(d) for d in steps["dbt_floor"].details)
                         if "dbt_floor" in steps else None),
        "peak_rss_mb": round(product.peak, 1) if product.peak else None,
        "peak_rss_mb_by_step": {n: round(s.peak, 1) for n, s in steps.items()},
        "not_finished": {n: s.unfinished for n, s in steps.items() if s.unfinished},
        "rows_per_s": {n: round(lines / s.median) for n, s in steps.items()
                       if n not in ON_THE_BUILD and s.median},
        "product_breakdown_s": {
            "ingest_gateway_s": statistics.median(d["ingest_gateway_s"] for d in product.details),
            "untimed_setup_s": {
                "ingest_other_sources_s": statistics.median(
                    d["setup_ingest_other_s"] for d in product.details),
                "dbt_non_gateway_parents_s": statistics.median(
                    d["setup_dbt_s"] for d in product.details),
                "dbt_non_gateway_parents_nodes": pd_detail.get("setup_dbt_nodes"),
            },
            "dbt_s": statistics.median(d["dbt_s"] for d in product.details),
            "dbt_nodes": pd_detail.get("dbt_nodes"),
            "dbt_startup_parse_s": pd_detail.get("dbt_startup_parse_s"),
            "dbt_by_type": pd_detail.get("dbt_by_type"),
            "dbt_statuses": pd_detail.get("dbt_statuses"),
            "dbt_slowest": pd_detail.get("dbt_slowest"),
        },
        "product_dbt_ok": all(dbt_ok(d) for d in product.details),
        "results_equal": all(c["equal"] for c in comparisons.values()),
        "comparisons": comparisons,
        "seconds": {n: s.seconds for n, s in steps.items()},
        "process_seconds": {n: s.process_seconds for n, s in steps.items()},
    }
    if "incremental" in steps:
        inc = steps["incremental"].details
        row["incremental_breakdown_s"] = {
            "ingest_gateway_s": statistics.median(d["ingest_gateway_s"] for d in inc),
            "dbt_s": statistics.median(d["dbt_s"] for d in inc),
            "dbt_nodes": inc[-1].get("dbt_nodes"),
            "dbt_startup_parse_s": inc[-1].get("dbt_startup_parse_s"),
            "dbt_by_type": inc[-1].get("dbt_by_type"),
            "dbt_slowest": inc[-1].get("dbt_slowest"),
            "dbt_ok": all(dbt_ok(d) for d in inc),
            "window": inc[-1].get("window"),
        }
    row["floors"] = floors(row)
    row["table"] = [
        {"step": n, "s": s.median, "rows_per_s": (lines / s.median) if s.median else None,
         "peak_rss_mb": s.peak, "not_finished": s.unfinished}
        for n, s in steps.items()
    ]
    return row


def floors(row: dict) -> dict:
    """The least the product and day 31 can take while dbt builds the same nodes: their
    gateway ingestion (median) plus the dbt_floor step (the same `dbt build` on empty
    inputs: dbt's own work per model and test, no data), and the ratios that leaves. A
    target its floor misses is out of reach for a loader this fast and this dbt project on
    this machine, whatever the models' SQL costs. An empty build that failed sets no floor."""
    dbt_s = row.get("dbt_floor_s") if row.get("dbt_floor_ok") else None
    product = row["product_breakdown_s"]["ingest_gateway_s"]
    day31 = (row.get("incremental_breakdown_s") or {}).get("ingest_gateway_s")
    product_s = round(product + dbt_s, 2) if dbt_s is not None else None
    day31_s = round(day31 + dbt_s, 2) if dbt_s is not None and day31 is not None else None
    return {"dbt_floor_s": dbt_s, "product_s": product_s, "incremental_s": day31_s,
            "product_over_limit": ratio(product_s, row.get("limit_s")),
            "incremental_over_full": ratio(day31_s, row.get("full_s"))}


# The targets on a 2-core machine (bench/README.md, "Reading the output"): a row's
# value, the comparison it must pass and the sizes the target is set for. Peaks are the
# product's against a peer's; a peer stopped at its memory budget had at least the recorded
# peak, so a memory verdict against it stays sound, while its speed is not measured.
M10, M50 = 10_000_000, 50_000_000
TARGETS = (
    ("product_over_limit", "product ÷ limit", "≤", 1.5, (M10, M50)),
    ("pandas_over_product", "pandas ÷ product", "≥", 3.0, (M10,)),
    ("product_peak_over_pandas_peak", "product's peak RSS ÷ pandas'", "≤", 0.5, (M10,)),
    ("incremental_over_full", "day 31 ÷ full", "≤", 0.10, (M10, M50)),
    ("polars_over_product", "polars ÷ product (faster than polars)", ">", 1.0, (M10, M50)),
    ("product_peak_over_polars_peak", "product's peak RSS ÷ polars'", "<", 1.0, (M10, M50)),
    ("product_peak_gib", "product's peak RSS, GiB", "≤", 4.0, (M50,)),
    ("peak_over_10m_peak", "product's peak RSS ÷ its peak at 10M", "≤", 2.0, (M50,)),
)
_PASSES = {"≤": operator.le, "≥": operator.ge, "<": operator.lt, ">": operator.gt}
TARGET_SIZES = sorted({size for *_, sizes in TARGETS for size in sizes})


def target_values(row: dict, peak_10m: float | None = None) -> dict[str, float | None]:
    """The values TARGETS checks, from a row (peak_10m: the product's peak at 10M in the
    same benchmark, for the 50M memory bound)."""
    peaks = row.get("peak_rss_mb_by_step") or {}
    product = row.get("peak_rss_mb")
    return {
        "product_over_limit": row.get("product_over_limit"),
        "pandas_over_product": row.get("pandas_over_product"),
        "product_peak_over_pandas_peak": ratio(product, peaks.get("pandas")),
        "incremental_over_full": row.get("incremental_over_full"),
        "polars_over_product": row.get("polars_over_product"),
        "product_peak_over_polars_peak": ratio(product, peaks.get("polars")),
        "product_peak_gib": round(product / 1024, 2) if product is not None else None,
        "peak_over_10m_peak": ratio(product, peak_10m),
    }


def check_targets(row: dict, peak_10m: float | None = None) -> list[dict]:
    """The targets set for the row's size: value, bound and verdict (`met` is None when the
    benchmark did not measure the value: a step skipped or not finished, or no 10M row)."""
    values = target_values(row, peak_10m)
    floor = row.get("floors") or {}
    checks = []
    for key, label, op, bound, sizes in TARGETS:
        if row["size"] not in sizes:
            continue
        value = values[key]
        check = {"key": key, "target": f"{label} {op} {bound:g}", "value": value,
                 "met": None if value is None else _PASSES[op](value, bound)}
        if floor.get(key) is not None:
            check["floor"] = floor[key]
            check["floor_met"] = _PASSES[op](floor[key], bound)
        checks.append(check)
    return checks


def format_targets(checks: list[dict]) -> list[str]:
    if not checks:
        sizes = " and ".join(size_label(s) for s in TARGET_SIZES)
        return [f"{'':>6}  targets: none at this size (they are set at {sizes})"]
    out = []
    for c in checks:
        verdict = ("not measured" if c["met"] is None else "met" if c["met"] else "MISSED")
        value = "" if c["value"] is None else f" ({c['value']:g})"
        out.append(f"{'':>6}  target {c['target']}: {verdict}{value}")
        if "floor" in c:
            reach = ("within reach" if c["floor_met"] else
                     "out of reach: the ingestion plus dbt on empty inputs miss it")
            out.append(f"{'':>6}    floor (ingestion + dbt_floor): {c['floor']:g}, {reach}")
    return out


def format_table(rows: list[dict]) -> str:
    out = [f"{'size':>6}  {'step':<12} {'wall s (median)':>15} {'rows/s':>12} {'peak RSS MB':>12}"]
    for r in rows:
        for t in r["table"]:
            if t.get("not_finished"):
                u = t["not_finished"]
                out.append(f"{r['label']:>6}  {t['step']:<12} did not finish: {u['reason']} "
                           f"after {u['after_s']:.0f} s (peak RSS {u['peak_rss_mb']:.0f} MB)")
                continue
            rps = {"incremental": "(day 31)", "dbt_floor": "(no data)"}.get(
                t["step"], f"{t['rows_per_s']:,.0f}")
            out.append(f"{r['label']:>6}  {t['step']:<12} {t['s']:>15.2f} {rps:>12} "
                       f"{t['peak_rss_mb']:>12.0f}")
        b = r["product_breakdown_s"]
        out.append(f"{'':>6}  product = ingest gateway {b['ingest_gateway_s']:.2f} s + dbt build "
                   f"{b['dbt_s']:.2f} s ({b['dbt_nodes']} nodes of {GATEWAY_SELECT})")

        def fmt(v):
            return "n/a" if v is None else f"{v:.2f}"

        out.append(f"{'':>6}  product/limit {fmt(r['product_over_limit'])}   "
                   f"pandas/product {fmt(r['pandas_over_product'])}   "
                   f"polars/product {fmt(r['polars_over_product'])}   "
                   f"day31/full {fmt(r['incremental_over_full'])}   "
                   f"results_equal {r['results_equal']}")
        f = r.get("floors") or {}
        if f.get("dbt_floor_s") is not None:
            out.append(f"{'':>6}  floors, each step's ingestion + dbt on empty inputs "
                       f"{f['dbt_floor_s']:.2f} s: product/limit {fmt(f['product_over_limit'])}"
                       f"   day31/full {fmt(f['incremental_over_full'])}")
        out.extend(format_targets(r.get("targets", [])))
    return "\n".join(out)


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(prog="python -m bench.run", description=__doc__.split("\n")[0])
    ap.add_argument("--sizes", default="1M,10M,50M",
                    help="requests over the 30 days, comma separated (k/M suffixes)")
    ap.add_argument("--repeats", type=int, default=3, help="runs per step; the median is reported")
    ap.add_argument("--workdir", type=Path, default=REPO_ROOT / "data" / "bench")
    ap.add_argument("--skip-pandas-above", type=parse_size, default=parse_size("10M"),
                    help="largest size pandas runs at (default 10M)")
    ap.add_argument("--skip-polars-above", type=parse_size, default=None,
                    help="largest size polars runs at (default: every size)")
    ap.add_argument("--peer-memory-budget", type=float, default=default_peer_budget_gb(),
                    metavar="GB", help="stop pandas or polars when its RSS passes this many GB "
                    "(default: 85%% of this machine's memory; 0 = no budget)")
    ap.add_argument("--skip-incremental", action="store_true")
    ap.add_argument("--skip-dbt-floor", action="store_true",
                    help="skip the product's dbt build on empty inputs (the floors)")
    ap.add_argument("--small", action="store_true",
                    help=f"CI sizes: --sizes {SMALL_SIZES} --repeats 1")
    ap.add_argument("--out", type=Path, default=RESULTS)
    args = ap.parse_args(argv)
    if args.small:
        args.sizes, args.repeats = SMALL_SIZES, 1
    args.workdir = args.workdir.resolve()
    sizes = [parse_size(s) for s in args.sizes.split(",") if s.strip()]

    def log(msg):
        print(msg, flush=True)

    started = datetime.now(UTC)
    rows = []
    for size in sizes:
        rows.append(bench_size(size, args, log))
    peak_10m = next((r["peak_rss_mb"] for r in rows if r["size"] == M10), None)
    for row in rows:
        row["targets"] = check_targets(row, peak_10m)
    text = format_table(rows)
    print()
    print(text)
    result = {
        "started_at": started.isoformat(timespec="seconds"),
        "finished_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "command": " ".join([Path(sys.executable).name, "-m", "bench.run", *(argv or sys.argv[1:])]),
        "machine": {"cpus": os.cpu_count(), "python": platform.python_version(),
                    "platform": platform.platform()},
        "repeats": args.repeats,
        "rss_method": "psutil: summed RSS of the step's process tree, sampled every 20 ms"
        if psutil else "getrusage(RUSAGE_CHILDREN).ru_maxrss: largest single child",
        "targets": [{"key": key, "measure": label, "must_be": f"{op} {bound:g}",
                     "sizes": [size_label(s) for s in target_sizes]}
                    for key, label, op, bound, target_sizes in TARGETS],
        "rows": rows,
        "table": text,
    }
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(result, indent=2, default=str))
    print(f"\nwrote {args.out}")
    return 0 if all(r["results_equal"] for r in rows) else 1


if __name__ == "__main__":
    sys.exit(main())

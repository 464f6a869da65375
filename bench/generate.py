"""Benchmark data: one deterministic world per size, generated once and reused.

Size N (requests over the 30 measured days) -> WorldParams(days=31, requests_per_day=N//30,
consumers=max(200, N//5000)). The world is drawn over 31 days so that day 31 is the real next
day of the same world (same consumers, same traffic process); its gateway file is moved to
`day31/` and is only used by the incremental step. The 30 daily files in `world/gateway/kong/`
are what every full-build step reads. A manifest records the params: a world is reused only
when the manifest matches.
"""

from __future__ import annotations

import json
import shutil
import time
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

DAYS = 30
START = date(2026, 9, 1)
MANIFEST_VERSION = 1


def parse_size(text: str) -> int:
    text = text.strip().lower().replace("_", "")
    mult = 1
    if text.endswith("m"):
        mult, text = 1_000_000, text[:-1]
    elif text.endswith("k"):
        mult, text = 1_000, text[:-1]
    return int(float(text) * mult)


def size_label(n: int) -> str:
    if n >= 1_000_000 and n % 1_000_000 == 0:
        return f"{n // 1_000_000}M"
    if n >= 1_000 and n % 1_000 == 0:
        return f"{n // 1_000}k"
    return str(n)


def params_for(n: int) -> dict:
    return {
        "seed": 7,
        "start": START.isoformat(),
        "days": DAYS + 1,
        "consumers": max(200, n // 5000),
        "requests_per_day": max(1, n // DAYS),
    }


@dataclass
class World:
    size: int
    root: Path  # workdir/<label>

    @property
    def world_dir(self) -> Path:  # the 30-day sources (what `make demo` would read)
        return self.root / "world"

    @property
    def gateway_dir(self) -> Path:
        return self.world_dir / "gateway" / "kong"

    @property
    def gateway_files(self) -> list[Path]:
        return sorted(self.gateway_dir.glob("*.log.gz"))

    @property
    def day31_file(self) -> Path:
        return self.root / "day31" / f"{self.day31.isoformat()}.log.gz"

    @property
    def day31(self) -> date:
        return START + timedelta(days=DAYS)

    @property
    def manifest(self) -> dict:
        return json.loads((self.root / "manifest.json").read_text())

    @property
    def gateway_lines(self) -> int:
        return int(self.manifest["gateway_lines_30d"])


def ensure_world(workdir: Path, n: int, log=print) -> World:
    """Generate (or reuse) the world of size n under workdir/<label>."""
    from orchestration.sample_data import WorldParams, generate_world

    world = World(n, Path(workdir).resolve() / size_label(n))
    params = params_for(n)
    manifest_path = world.root / "manifest.json"
    if manifest_path.exists():
        manifest = json.loads(manifest_path.read_text())
        if (manifest.get("params") == params and manifest.get("version") == MANIFEST_VERSION
                and world.day31_file.exists() and len(world.gateway_files) == DAYS):
            log(f"[{size_label(n)}] reusing generated world in {world.root}")
            return world
    log(f"[{size_label(n)}] generating world {params} into {world.root}")
    if world.root.exists():
        shutil.rmtree(world.root)
    started = time.perf_counter()
    wp = WorldParams(
        seed=params["seed"], start=START, days=params["days"], consumers=params["consumers"],
        requests_per_day=params["requests_per_day"],
    )
    generate_world(world.world_dir, wp, progress=n >= 1_000_000)
    world.day31_file.parent.mkdir(parents=True, exist_ok=True)
    shutil.move(str(world.gateway_dir / world.day31_file.name), world.day31_file)
    lines_30d = _count_lines(world.gateway_files)
    lines_31 = _count_lines([world.day31_file])
    manifest = {
        "version": MANIFEST_VERSION,
        "size": n,
        "label": size_label(n),
        "params": params,
        "note": "world drawn over 31 days; world/gateway/kong holds days 1-30, day31/ day 31",
        "gateway_files_30d": len(world.gateway_files),
        "gateway_lines_30d": lines_30d,
        "gateway_lines_day31": lines_31,
        "generate_s": round(time.perf_counter() - started, 2),
    }
    manifest_path.write_text(json.dumps(manifest, indent=2))
    log(f"[{size_label(n)}] generated {lines_30d} lines (30 days) in {manifest['generate_s']} s")
    return world


def _count_lines(paths: list[Path]) -> int:
    import duckdb

    con = duckdb.connect()
    total = 0
    for p in paths:
        total += con.execute(
            "select count(*) from read_csv(?, columns={'l': 'VARCHAR'}, header=false, "
            "delim='\\x1e', quote='', escape='', auto_detect=false)", [str(p)]
        ).fetchone()[0]
    return total

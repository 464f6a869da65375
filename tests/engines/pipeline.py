"""Steps the engine tests share: a small sample world, loaded by the product's own loaders
into DuckDB. Usable by hand as well:

    python -m tests.engines.pipeline WORKDIR    # world + DuckDB raw layer in WORKDIR
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import duckdb

from orchestration.ingestion import consumers, gateway, github, statuspage, support
from orchestration.ingestion.common import expand_paths, log_load, utc_now
from orchestration.sample_data import WorldParams, generate_world

REPO_ROOT = Path(__file__).resolve().parents[2]
DBT_PROJECT = REPO_ROOT / "dbt_project"
BIN = Path(sys.executable).parent

SMALL_WORLD = WorldParams(consumers=40, days=14, requests_per_day=1500)

# The same loaders and file patterns as `apipulse load` (orchestration/cli.py).
FILE_LOADERS = [
    ("consumers", consumers.load_files, ("*.json", "*.csv")),
    ("github", github.load_files, ("*.json",)),
    ("statuspage", statuspage.load_files, ("*.json",)),
    ("support", support.load_files, ("*.json",)),
]


def load_world(source_dir: Path, warehouse: Path) -> dict[str, int]:
    """Load every source folder of a sample world into `warehouse` with the file-mode loaders."""
    loaded: dict[str, int] = {}
    with duckdb.connect(str(warehouse)) as con:
        for source, load_fn, patterns in FILE_LOADERS:
            started = utc_now()
            result = load_fn(con, expand_paths([source_dir / source], patterns))
            log_load(con, result, started)
            loaded[source] = result.records_loaded
        started = utc_now()
        result = gateway.load_files(con, [source_dir / "gateway"])
        log_load(con, result, started)
        loaded["gateway"] = result.records_loaded
    return loaded


def small_world(workdir: Path) -> tuple[Path, Path]:
    """Generate the small world into workdir/world and load it into workdir/warehouse.duckdb."""
    source_dir = workdir / "world"
    generate_world(source_dir, SMALL_WORLD)
    warehouse = workdir / "warehouse.duckdb"
    load_world(source_dir, warehouse)
    return source_dir, warehouse


def dbt_build(target: str, env: dict[str, str], workdir: Path,
              extra: list[str] | None = None) -> subprocess.Popen:
    """`dbt build --target <target>` in the background; output in workdir/dbt-<target>/."""
    out = workdir / f"dbt-{target}"
    out.mkdir(parents=True, exist_ok=True)
    return subprocess.Popen(
        [str(BIN / "dbt"), "build", "--profiles-dir", "..", "--target", target,
         "--target-path", str(out / "target"), "--log-path", str(out / "logs"), *(extra or [])],
        cwd=DBT_PROJECT, env={**os.environ, **env}, stdout=(out / "stdout.txt").open("w"),
        stderr=subprocess.STDOUT, text=True,
    )


def dbt_tail(workdir: Path, target: str) -> str:
    """The error lines and the end of a dbt build's output, for an assertion message."""
    text = (workdir / f"dbt-{target}" / "stdout.txt").read_text()
    errors = [line for line in text.splitlines() if "ERROR" in line or "Error" in line]
    return "\n".join(errors[-40:]) + "\n...\n" + text[-3000:]


if __name__ == "__main__":
    out = Path(sys.argv[1]).resolve()
    out.mkdir(parents=True, exist_ok=True)
    print(small_world(out))

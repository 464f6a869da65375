"""Steps the engine tests share: a small sample world, loaded by the product's own loaders
into DuckDB. Usable by hand as well:

    python -m tests.engines.pipeline WORKDIR    # world + DuckDB raw layer in WORKDIR
"""

from __future__ import annotations

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


if __name__ == "__main__":
    out = Path(sys.argv[1]).resolve()
    out.mkdir(parents=True, exist_ok=True)
    print(small_world(out))

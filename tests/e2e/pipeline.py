"""Run the pipeline the way `make demo` does, against a temporary data folder."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent


def run_pipeline(data_dir: Path, source_dir: Path) -> subprocess.CompletedProcess:
    """`make pipeline`: manifest, seeds, the gateway days as one backfill run, then the rest."""
    env = {**os.environ, "PATH": f"{BIN}{os.pathsep}{os.environ.get('PATH', '')}",
           "APIPULSE_DATA_DIR": str(data_dir)}
    return subprocess.run(
        ["make", "--no-print-directory", "pipeline", f"DATA_DIR={data_dir}",
         f"APIPULSE_SOURCE_DIR={source_dir}", f"WAREHOUSE_PATH={data_dir / 'warehouse.duckdb'}",
         f"DAGSTER_HOME={data_dir / 'dagster_home'}"],
        cwd=REPO_ROOT, env=env, capture_output=True, text=True, timeout=900,
    )

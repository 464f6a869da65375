"""Where things live. Every path is resolved to an absolute path once, here: dbt and Dagster
run from different folders, and a relative warehouse path would silently make two files."""

from __future__ import annotations

import os
import sys
from datetime import date
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent
DBT_PROJECT_DIR = REPO_ROOT / "dbt_project"
PROFILES_DIR = REPO_ROOT
EXPECTATIONS_DIR = REPO_ROOT / "expectations"
# The dbt installed next to this Python (the project's .venv), whether or not it is on PATH.
DBT_EXECUTABLE = str(Path(sys.executable).parent / "dbt")


def data_dir() -> Path:
    return Path(os.environ.get("APIPULSE_DATA_DIR", REPO_ROOT / "data")).resolve()


def warehouse_path() -> Path:
    """The DuckDB file: `WAREHOUSE_PATH`, else data/warehouse.duckdb."""
    return Path(os.environ.get("WAREHOUSE_PATH", data_dir() / "warehouse.duckdb")).resolve()


def sample_dir() -> Path:
    """Where file-mode sources are read from: `APIPULSE_SOURCE_DIR`, else data/sample."""
    return Path(os.environ.get("APIPULSE_SOURCE_DIR", data_dir() / "sample")).resolve()


def site_dir() -> Path:
    return data_dir() / "site"


def partitions_start() -> str:
    """First day of the gateway's daily partitions: `APIPULSE_PARTITIONS_START`."""
    return os.environ.get("APIPULSE_PARTITIONS_START", "2026-09-01")


# Unit tests check the models' logic on fixed inputs, so they belong to CI (`make test` runs
# them), not to every production run: dbt's own advice, and a third of a run's nodes.
# --no-write-json: a build writes no manifest.json (twice) or run_results.json. Dagster gives
# every invocation a fresh target folder that nothing reads afterwards (3.3 MB a run here),
# and records each node's result from dbt's structured log; skipping the writes saves about
# 1 s a run (bench/README.md). The manifest Dagster and the docs site read come from
# `dbt parse` and `dbt docs generate`. Set dbt's own DBT_WRITE_JSON=true to keep them.
DBT_PRODUCTION_BUILD_ARGS = ("--exclude-resource-type", "unit_test",
                             *(() if os.environ.get("DBT_WRITE_JSON") else ("--no-write-json",)))


def gateway_window_env(start: date, end: date) -> dict[str, str]:
    """The days [start, end) an incremental gateway run rebuilds, as the environment dbt
    reads them from (dbt_project/macros/incremental.sql): not --vars, which make dbt
    re-parse the whole project whenever they change."""
    return {"APIPULSE_GATEWAY_START_DATE": start.isoformat(),
            "APIPULSE_GATEWAY_END_DATE": end.isoformat()}


# DuckDB's memory ceiling for the loaders and for dbt (profiles.yml reads the same variable).
# DuckDB's own default is 80% of the machine's memory, and its buffer cache fills that with
# table blocks as tables grow; beyond the ceiling it spills to a temporary folder next to
# the warehouse instead. `APIPULSE_DUCKDB_MEMORY_LIMIT` takes any DuckDB size ("8GB").
# 2GB carries 50M requests a month on 2 cores (the largest need is the daily latency
# percentiles, which hold each day's latencies in memory); raise it for larger days.
DUCKDB_MEMORY_LIMIT_DEFAULT = "2GB"


def duckdb_memory_limit() -> str:
    return os.environ.get("APIPULSE_DUCKDB_MEMORY_LIMIT", DUCKDB_MEMORY_LIMIT_DEFAULT)


def connect_warehouse(path: Path | str, read_only: bool = False):
    """A connection to the warehouse file with the project's DuckDB settings."""
    import duckdb

    return duckdb.connect(str(path), read_only=read_only,
                          config={"memory_limit": duckdb_memory_limit()})

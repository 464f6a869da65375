"""Daily partitions: a partition run loads exactly its day, and a backfill run twice is identical.

Runs the real Dagster assets in process (gateway ingestion + the incremental dbt models)
on a small sample world in a temporary DuckDB file.
"""

from __future__ import annotations

from datetime import date

import dagster as dg
import duckdb
import pytest
from dagster_dbt import DbtCliResource

from orchestration import settings
from orchestration.config import load_config
from orchestration.resources import SourceFilesResource, SourcesConfigResource, WarehouseResource
from orchestration.sample_data import WorldParams, generate_world

START, END = "2026-09-01", "2026-09-07"  # a 7-day backfill


@pytest.fixture(scope="module")
def world(tmp_path_factory):
    root = tmp_path_factory.mktemp("partitions")
    generate_world(root / "sample", WorldParams(consumers=30, days=7, requests_per_day=1500))
    return root


def resources(root, monkeypatch) -> dict:
    warehouse = str(root / "warehouse.duckdb")
    monkeypatch.setenv("WAREHOUSE_PATH", warehouse)  # dbt reads it through profiles.yml
    monkeypatch.setenv("DBT_INDIRECT_SELECTION", "buildable")
    from orchestration.transform import dbt_project

    assert load_config().origin  # the default: file mode on the configured folder
    return {
        "warehouse": WarehouseResource(path=warehouse),
        "source_files": SourceFilesResource(root=str(root / "sample")),
        "sources_config": SourcesConfigResource(),
        "dbt": DbtCliResource(project_dir=dbt_project, dbt_executable=settings.DBT_EXECUTABLE),
    }


def run(res, *, partition: str | None = None, start: str | None = None, end: str | None = None):
    from orchestration.ingestion.gateway import gateway_raw
    from orchestration.transform import apipulse_dbt_models, gateway_daily_models

    seeds = dg.materialize([apipulse_dbt_models], resources=res,
                           selection=dg.AssetSelection.groups("reference_seeds"))
    assert seeds.success
    tags = {}
    if start:
        tags = {"dagster/asset_partition_range_start": start,
                "dagster/asset_partition_range_end": end}
    result = dg.materialize([gateway_raw, gateway_daily_models], resources=res,
                            partition_key=partition, tags=tags)
    assert result.success


def snapshot(path: str) -> dict[str, list]:
    with duckdb.connect(path, read_only=True) as con:
        tables = con.execute(
            "select table_schema, table_name from information_schema.tables"
            " where table_schema in ('staging', 'intermediate', 'marts')"
            " and table_type = 'BASE TABLE' order by 1, 2").fetchall()
        return {f"{s}.{t}": con.execute(f'select * from "{s}"."{t}" order by all').fetchall()
                for s, t in tables}


def test_a_partition_run_loads_exactly_its_day(world, monkeypatch, tmp_path):
    root = tmp_path / "one-day"
    root.mkdir()
    (root / "sample").symlink_to(world / "sample")
    res = resources(root, monkeypatch)
    run(res, partition="2026-09-03")
    with duckdb.connect(str(root / "warehouse.duckdb"), read_only=True) as con:
        days = con.execute("select distinct log_date from raw.gateway_requests").fetchall()
        built = con.execute("select distinct requested_on from marts.fct_latency_daily").fetchall()
    assert days == [(date(2026, 9, 3),)]
    assert built == [(date(2026, 9, 3),)]


def test_backfill_twice_and_rerunning_a_day_leave_identical_tables(world, monkeypatch):
    res = resources(world, monkeypatch)
    run(res, start=START, end=END)
    first = snapshot(res["warehouse"].path)
    assert len(first["marts.fct_latency_daily"]) > 0
    with duckdb.connect(res["warehouse"].path, read_only=True) as con:
        assert con.execute("select count(distinct log_date) from raw.gateway_requests"
                           ).fetchone()[0] == 7
    run(res, start=START, end=END)  # the same backfill again
    assert snapshot(res["warehouse"].path) == first
    run(res, partition="2026-09-04")  # one day again: incremental delete+insert of that day
    assert snapshot(res["warehouse"].path) == first

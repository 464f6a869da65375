"""The dbt project as Dagster assets (dagster-dbt), and the docs site built from it."""


import os
import shutil
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from typing import Any

import dagster as dg
from dagster_dbt import DagsterDbtTranslator, DbtCliResource, DbtProject, dbt_assets

from orchestration import settings
from orchestration.ingestion.gateway import gateway_daily_partitions
from orchestration.reports import write_site_index
from orchestration.resources import WarehouseResource

dbt_project = DbtProject(project_dir=settings.DBT_PROJECT_DIR, profiles_dir=settings.PROFILES_DIR)
if not dbt_project.manifest_path.exists():
    # A fresh checkout has no manifest yet: parse once (deployments ship one prepared).
    dbt_project.preparer.prepare(dbt_project)
dbt_project.prepare_if_dev()


class ApiPulseTranslator(DagsterDbtTranslator):
    """Models are grouped by layer and domain (staging_github, marts_reliability, ...)."""

    def get_group_name(self, dbt_resource_props: Mapping[str, Any]) -> str | None:
        if dbt_resource_props["resource_type"] == "source":
            return None
        fqn = dbt_resource_props.get("fqn", [])
        if dbt_resource_props["resource_type"] == "seed":
            return "reference_seeds"
        parts = [p for p in fqn[1:-1]][:2]
        return "_".join(parts) if parts else "dbt"


@contextmanager
def _environment(values: dict[str, str]) -> Iterator[None]:
    saved = {k: os.environ.get(k) for k in values}
    os.environ.update(values)
    try:
        yield
    finally:
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value


# Models built from gateway logs are incremental by day (dbt tag `gateway_daily`): they run
# as a daily-partitioned asset; a range of partitions (a backfill) is one dbt invocation.
GATEWAY_DAILY = "tag:gateway_daily"


@dbt_assets(
    manifest=dbt_project.manifest_path,
    project=dbt_project,
    select=GATEWAY_DAILY,
    dagster_dbt_translator=ApiPulseTranslator(),
    partitions_def=gateway_daily_partitions,
    backfill_policy=dg.BackfillPolicy.single_run(),
    name="gateway_daily_models",
    pool="warehouse",
)
def gateway_daily_models(context: dg.AssetExecutionContext, dbt: DbtCliResource):
    """`dbt build` of the gateway-derived incremental models for the run's days only."""
    window = context.partition_time_window
    # dagster-dbt hands the process environment to the dbt subprocess it starts in cli().
    days = settings.gateway_window_env(window.start.date(), window.end.date())
    with _environment(days):
        invocation = dbt.cli(["build", *settings.DBT_PRODUCTION_BUILD_ARGS], context=context)
    yield from invocation.stream()


@dbt_assets(
    manifest=dbt_project.manifest_path,
    project=dbt_project,
    exclude=GATEWAY_DAILY,
    dagster_dbt_translator=ApiPulseTranslator(),
    pool="warehouse",
)
def apipulse_dbt_models(context: dg.AssetExecutionContext, dbt: DbtCliResource):
    """`dbt build` of everything else: seeds, staging, marts with their data tests."""
    yield from dbt.cli(["build", *settings.DBT_PRODUCTION_BUILD_ARGS], context=context).stream()


@dg.asset(
    deps=[dg.AssetKey(["raw", t]) for t in (
        "github_issues", "github_comments", "statuspage_incidents", "support_tickets",
        "gateway_requests", "gateway_consumers")],
    group_name="stakeholder_site",
    kinds={"great_expectations", "html"},
    owners=["team:analytics"],
    pool="warehouse",
)
def quality_data_docs(context: dg.AssetExecutionContext,
                      warehouse: WarehouseResource) -> dg.MaterializeResult:
    """Great Expectations Data Docs for every suite, under data/site/quality/ (opens offline)."""
    from orchestration.quality import build_data_docs

    index = build_data_docs(settings.site_dir() / "quality", warehouse.path)
    write_site_index(settings.site_dir())
    context.log.info(f"data quality site written to {index}")
    return dg.MaterializeResult(metadata={"path": dg.MetadataValue.path(str(index))})


@dg.asset(
    deps=[apipulse_dbt_models, quality_data_docs],
    group_name="stakeholder_site",
    kinds={"dbt", "html"},
    owners=["team:analytics"],
    pool="warehouse",
)
def dbt_docs_site(context: dg.AssetExecutionContext, dbt: DbtCliResource,
                  warehouse: WarehouseResource) -> dg.MaterializeResult:
    """The dbt docs site, written with `--static` so it opens from disk without a server."""
    invocation = dbt.cli(["docs", "generate", "--static"], manifest=dbt_project.manifest_path,
                         raise_on_error=True).wait()
    target = invocation.target_path  # dagster-dbt gives each invocation its own target folder
    site = settings.site_dir() / "docs"
    site.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(target / "static_index.html", site / "index.html")
    for name in ("manifest.json", "catalog.json"):
        shutil.copyfile(target / name, site / name)
    write_site_index(settings.site_dir())
    context.log.info(f"dbt docs site written to {site / 'index.html'}")
    return dg.MaterializeResult(metadata={"path": dg.MetadataValue.path(str(site / "index.html"))})


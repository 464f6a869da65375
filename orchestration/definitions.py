"""The one Dagster `Definitions` of API Pulse: ingestion, dbt, quality checks, docs, schedule."""

from __future__ import annotations

import dagster as dg
from dagster_dbt import DbtCliResource

from orchestration import settings
from orchestration.ingestion.consumers import consumers_raw
from orchestration.ingestion.gateway import gateway_raw
from orchestration.ingestion.github import github_raw
from orchestration.ingestion.statuspage import statuspage_raw
from orchestration.ingestion.support import support_raw
from orchestration.quality import build_quality_checks
from orchestration.resources import default_resources
from orchestration.transform import (
    apipulse_dbt_models,
    dbt_docs_site,
    dbt_project,
    quality_data_docs,
)

ingestion_assets = [github_raw, statuspage_raw, support_raw, gateway_raw, consumers_raw]

daily_refresh = dg.define_asset_job(
    "daily_refresh",
    selection=dg.AssetSelection.all(),
    description="Everything: ingest every source, build the mart with its tests, run the "
    "quality checks and rebuild the docs site.",
)

defs = dg.Definitions(
    assets=[*ingestion_assets, apipulse_dbt_models, dbt_docs_site, quality_data_docs],
    asset_checks=build_quality_checks(),
    jobs=[daily_refresh],
    schedules=[
        dg.ScheduleDefinition(job=daily_refresh, cron_schedule="0 6 * * *",
                              execution_timezone="UTC"),
    ],
    resources={**default_resources(), "dbt": DbtCliResource(project_dir=dbt_project,
                                                             dbt_executable=settings.DBT_EXECUTABLE)},
    # DuckDB allows one writing process per file: steps run one after another in-process.
    executor=dg.in_process_executor,
)

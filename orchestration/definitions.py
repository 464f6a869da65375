"""The one Dagster `Definitions` of API Pulse: ingestion, dbt, quality checks, sites, automation."""

import dagster as dg
from dagster_dbt import DbtCliResource

from orchestration import automation, settings
from orchestration.experiments import experiment_results_asset
from orchestration.ingestion.consumers import consumers_raw
from orchestration.ingestion.gateway import gateway_raw
from orchestration.ingestion.github import github_raw
from orchestration.ingestion.statuspage import statuspage_raw
from orchestration.ingestion.support import support_raw
from orchestration.quality import build_quality_checks
from orchestration.reports.assets import stakeholder_scorecard
from orchestration.resources import default_resources
from orchestration.transform import (
    apipulse_dbt_models,
    dbt_docs_site,
    dbt_project,
    gateway_daily_models,
    quality_data_docs,
)

ingestion_assets = [github_raw, statuspage_raw, support_raw, gateway_raw, consumers_raw]

defs = dg.Definitions(
    assets=[*ingestion_assets, gateway_daily_models, apipulse_dbt_models, experiment_results_asset, quality_data_docs,
            dbt_docs_site, stakeholder_scorecard, automation.alert_deliveries],
    # Team-owned GX suites on raw tables and marts.
    asset_checks=build_quality_checks(schemas=None),
    jobs=[automation.daily_refresh, automation.gateway_hourly, automation.reliability_refresh],
    schedules=automation.schedules,
    sensors=[automation.gateway_files_sensor, automation.reliability_after_gateway_sensor,
             automation.run_failure_alert_sensor],
    resources={**default_resources(),
               "dbt": DbtCliResource(project_dir=dbt_project,
                                     dbt_executable=settings.DBT_EXECUTABLE)},
    # DuckDB allows one writing process per file: steps run one after another in-process.
    executor=dg.in_process_executor,
).map_asset_specs(func=automation.with_source_freshness)

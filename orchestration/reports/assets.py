"""The scorecard page as a Dagster asset, downstream of the dbt models it reads."""

import dagster as dg

from orchestration import settings
from orchestration.reports.scorecard import build_scorecard
from orchestration.reports.site_index import write_site_index
from orchestration.resources import WarehouseResource

# dagster-dbt keys models and seeds by schema and name.
SCORECARD_INPUTS = (
    ("marts", "metric_scorecard"), ("marts", "metrics_daily"), ("marts", "metric_anomalies"),
    ("marts", "metric_alerts"), ("seeds", "metric_definitions"),
    ("marts", "fct_availability_daily"), ("marts", "fct_latency_daily"),
    ("marts", "fct_onboarding"), ("marts", "fct_cohort_retention"),
)


@dg.asset(
    deps=[dg.AssetKey(list(key)) for key in SCORECARD_INPUTS],
    group_name="stakeholder_site",
    kinds={"html", "duckdb"},
    owners=["team:analytics"],
    # Reads only, but DuckDB refuses a reader while another process writes the file.
    pool="warehouse",
    description="The stakeholder scorecard page, data/site/scorecard/index.html (static, offline).",
)
def stakeholder_scorecard(context: dg.AssetExecutionContext,
                          warehouse: WarehouseResource) -> dg.MaterializeResult:
    site = settings.site_dir()
    page = build_scorecard(warehouse.path, site)  # opens the warehouse read-only
    write_site_index(site)
    context.log.info(f"scorecard written to {page}")
    return dg.MaterializeResult(metadata={"path": dg.MetadataValue.path(str(page))})

"""Help desk: Zendesk API v2 shapes (the export most help desks can produce), file mode.

Accepts incremental cursor export pages (`tickets[]` with `metric_sets[]` when
`include=metric_sets`), list pages (`tickets.json`, `ticket_metrics.json`,
`satisfaction_ratings.json`) and single objects (`{"ticket": {...}}`). Everything is
upserted by `id`; the newest `updated_at` wins.
"""


import json
from pathlib import Path

from orchestration.ingestion.common import LoadResult, RecordLoad, display_path, excerpt

SOURCE = "support"

# response key -> raw table
COLLECTIONS = {
    "tickets": "support_tickets",
    "ticket": "support_tickets",
    "metric_sets": "support_ticket_metrics",
    "ticket_metrics": "support_ticket_metrics",
    "ticket_metric": "support_ticket_metrics",
    "satisfaction_ratings": "support_satisfaction_ratings",
    "satisfaction_rating": "support_satisfaction_ratings",
}


def read_files(paths: list[Path], load: RecordLoad | None = None) -> RecordLoad:
    load = load or RecordLoad(SOURCE)
    for path in paths:
        source_file = display_path(path)
        load.files.add(source_file)
        try:
            document = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
            load.reject(source_file, None, f"unreadable JSON: {exc}", None)
            continue
        keys = [k for k in COLLECTIONS if isinstance(document, dict) and k in document]
        if not keys:
            load.reject(source_file, None,
                        "expected a help-desk response with tickets, metric_sets, "
                        "ticket_metrics or satisfaction_ratings", excerpt(document))
            continue
        for key in keys:
            items = document[key]
            items = items if isinstance(items, list) else [items]
            for index, item in enumerate(items):
                if isinstance(item, dict):
                    load.add(COLLECTIONS[key], item, source_file, index)
                else:
                    load.reject(source_file, index, f"{key} item is not an object", excerpt(item))
    return load


def load_files(con, paths: list[Path]) -> LoadResult:
    return read_files(paths).write(con, LoadResult(SOURCE))


# --- Dagster assets -------------------------------------------------------------------------
import dagster as dg  # noqa: E402

from orchestration.ingestion.common import materialize_load, raw_asset_specs  # noqa: E402
from orchestration.resources import SourceFilesResource, WarehouseResource  # noqa: E402

TABLES = ("support_tickets", "support_ticket_metrics", "support_satisfaction_ratings")


class SupportLoadConfig(dg.Config):
    max_reject_share: float = 0.05


@dg.multi_asset(
    specs=raw_asset_specs(TABLES, "support", "support",
                          "Help-desk tickets, ticket metric sets and satisfaction ratings."),
    name="support_raw",
    pool="warehouse",
)
def support_raw(context: dg.AssetExecutionContext, config: SupportLoadConfig,
                warehouse: WarehouseResource, source_files: SourceFilesResource):
    paths = source_files.files(SOURCE)
    yield from materialize_load(context, warehouse, SOURCE, TABLES,
                                lambda con: load_files(con, paths), config.max_reject_share)

"""Atlassian Statuspage v2 (public API), file mode.

Accepts what the API returns: `incidents.json` snapshots (`{"page", "incidents"}`, the 50
newest), single incidents (`incidents/<id>.json`: `{"page", "incident"}`), `summary.json`
(`{"page", "components", "incidents", ...}`) and `components.json`. Snapshots overlap:
incidents are upserted by `id` and the newest `updated_at` wins, which keeps history
longer than any single 50-incident poll. Updates become `statuspage_incident_updates`.
"""


import json
from pathlib import Path

from orchestration.ingestion.common import LoadResult, RecordLoad, display_path, excerpt

SOURCE = "statuspage"


def add_incident(load: RecordLoad, incident: dict, page: dict, source_file: str, index: int) -> None:
    extra = {"_page_name": page.get("name"), "page_id": incident.get("page_id") or page.get("id")}
    if not load.add("statuspage_incidents", incident, source_file, index, extra):
        return
    for update in incident.get("incident_updates") or []:
        if not isinstance(update, dict):
            load.reject(source_file, index, "incident update is not an object", excerpt(update))
            continue
        update_extra = {"incident_id": update.get("incident_id") or incident.get("id")}
        load.add("statuspage_incident_updates", update, source_file, index, update_extra)


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
        if not isinstance(document, dict) or not (
            {"incidents", "incident", "components"} & document.keys()
        ):
            load.reject(source_file, None,
                        "expected a Statuspage v2 response (incidents, incident or components)",
                        excerpt(document))
            continue
        page = document.get("page") or {}
        incidents = list(document.get("incidents") or [])
        if isinstance(document.get("incident"), dict):
            incidents.append(document["incident"])
        for index, incident in enumerate(incidents):
            if isinstance(incident, dict):
                add_incident(load, incident, page, source_file, index)
            else:
                load.reject(source_file, index, "incident is not an object", excerpt(incident))
        for index, component in enumerate(document.get("components") or []):
            extra = {"page_id": component.get("page_id") or page.get("id")}
            load.add("statuspage_components", component, source_file, index, extra)
    return load


def load_files(con, paths: list[Path]) -> LoadResult:
    return read_files(paths).write(con, LoadResult(SOURCE))


# --- Dagster assets -------------------------------------------------------------------------
import dagster as dg  # noqa: E402

from orchestration.ingestion.common import materialize_load, raw_asset_specs  # noqa: E402
from orchestration.resources import SourceFilesResource, WarehouseResource  # noqa: E402

TABLES = ("statuspage_incidents", "statuspage_incident_updates", "statuspage_components")


class StatuspageLoadConfig(dg.Config):
    max_reject_share: float = 0.05


@dg.multi_asset(
    specs=raw_asset_specs(TABLES, "statuspage", "sre",
                          "Status-page incidents, their updates and components (Statuspage v2)."),
    name="statuspage_raw",
    pool="warehouse",
)
def statuspage_raw(context: dg.AssetExecutionContext, config: StatuspageLoadConfig,
                   warehouse: WarehouseResource, source_files: SourceFilesResource):
    paths = source_files.files(SOURCE)
    yield from materialize_load(context, warehouse, SOURCE, TABLES,
                                lambda con: load_files(con, paths), config.max_reject_share)

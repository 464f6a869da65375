"""Atlassian Statuspage v2 (public API), API mode and file mode.

API mode (`pull`) fetches `<page>/api/v2/incidents.json` (and `components.json`) of each
configured page and feeds the responses through the same code as saved files.

Accepts what the API returns: `incidents.json` snapshots (`{"page", "incidents"}`, the 50
newest), single incidents (`incidents/<id>.json`: `{"page", "incident"}`), `summary.json`
(`{"page", "components", "incidents", ...}`) and `components.json`. Snapshots overlap:
incidents are upserted by `id` and the newest `updated_at` wins, which keeps history
longer than any single 50-incident poll. Updates become `statuspage_incident_updates`.
"""


import json
import logging
from pathlib import Path

from orchestration.config import StatuspageSource
from orchestration.ingestion.common import LoadResult, RecordLoad, display_path, excerpt
from orchestration.ingestion.http import ApiClient, HttpSettings, response_json

SOURCE = "statuspage"
LOG = logging.getLogger("apipulse.statuspage")


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


def add_document(load: RecordLoad, document, source_file: str,
                 page_name: str | None = None) -> None:
    """One Statuspage v2 response (a file or an API answer) into `load`."""
    if not isinstance(document, dict) or not (
        {"incidents", "incident", "components"} & document.keys()
    ):
        load.reject(source_file, None,
                    "expected a Statuspage v2 response (incidents, incident or components)",
                    excerpt(document))
        return
    page = dict(document.get("page") or {})
    if page_name:
        page["name"] = page_name
    incidents = list(document.get("incidents") or [])
    if isinstance(document.get("incident"), dict):
        incidents.append(document["incident"])
    for index, incident in enumerate(incidents):
        if isinstance(incident, dict):
            add_incident(load, incident, page, source_file, index)
        else:
            load.reject(source_file, index, "incident is not an object", excerpt(incident))
    for index, component in enumerate(document.get("components") or []):
        if not isinstance(component, dict):
            load.reject(source_file, index, "component is not an object", excerpt(component))
            continue
        extra = {"page_id": component.get("page_id") or page.get("id")}
        load.add("statuspage_components", component, source_file, index, extra)


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
        add_document(load, document, source_file)
    return load


def load_files(con, paths: list[Path]) -> LoadResult:
    return read_files(paths).write(con, LoadResult(SOURCE))


# --- API mode -------------------------------------------------------------------------------

def pull(con, cfg: StatuspageSource, http: HttpSettings, log=None) -> LoadResult:
    """API mode: each page's 50 newest incidents (and components), upserted by `id`.

    The API has no paging and no `since`: history beyond the 50-incident window is what
    earlier polls stored, which the upsert keeps.
    """
    log = log or LOG
    load = RecordLoad(SOURCE)
    for page in cfg.pages:
        client = ApiClient(page.base_url, settings=http, log=log)
        documents = ["incidents.json"] + (["components.json"] if cfg.components else [])
        for name in documents:
            response = client.get(f"/api/v2/{name}", ok=(200,))
            source_file = client.redact(response.url)
            load.files.add(source_file)
            document = response_json(response)
            add_document(load, document, source_file, page.name)
        log.info(f"{page.base_url}: polled {', '.join(documents)}")
    return load.write(con, LoadResult(SOURCE))


# --- Dagster assets -------------------------------------------------------------------------
import dagster as dg  # noqa: E402

from orchestration.ingestion.common import (  # noqa: E402
    configured_load,
    materialize_load,
    raw_asset_specs,
    reject_share,
)
from orchestration.resources import (  # noqa: E402
    SourceFilesResource,
    SourcesConfigResource,
    WarehouseResource,
)

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
                   warehouse: WarehouseResource, source_files: SourceFilesResource,
                   sources_config: SourcesConfigResource):
    settings = sources_config.load()
    load_fn = configured_load(context, settings, SOURCE, source_files, ("*.json",),
                              load_files, pull)
    if load_fn is not None:
        yield from materialize_load(context, warehouse, SOURCE, TABLES, load_fn,
                                    reject_share(settings, SOURCE, config.max_reject_share))

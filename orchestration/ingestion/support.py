"""Help desk: Zendesk API v2 shapes (the export most help desks can produce), API and file mode.

API mode (`pull`) runs the incremental cursor export
(`/api/v2/incremental/tickets/cursor.json?start_time=…&include=metric_sets`, then
`?cursor=<after_cursor>` until `end_of_stream`) and lists satisfaction ratings (paged by
`next_page`). The export cursor and the newest ticket `updated_at` (the restart point when
Zendesk refuses an expired cursor) are stored in `raw._load_state` with the rows.

Accepts incremental cursor export pages (`tickets[]` with `metric_sets[]` when
`include=metric_sets`), list pages (`tickets.json`, `ticket_metrics.json`,
`satisfaction_ratings.json`) and single objects (`{"ticket": {...}}`). Everything is
upserted by `id`; the newest `updated_at` wins.
"""


import json
import logging
from datetime import UTC
from pathlib import Path

from orchestration.config import SupportSource, secret_from_env
from orchestration.ingestion.common import (
    LoadError,
    LoadResult,
    RecordLoad,
    display_path,
    excerpt,
    parse_timestamp,
    read_state,
)
from orchestration.ingestion.http import (
    ApiClient,
    ApiError,
    HttpSettings,
    json_next_pages,
    response_json,
)

SOURCE = "support"
LOG = logging.getLogger("apipulse.support")

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


def add_document(load: RecordLoad, document, source_file: str) -> None:
    """One help-desk response (a file or an API answer) into `load`."""
    keys = [k for k in COLLECTIONS if isinstance(document, dict) and k in document]
    if not keys:
        load.reject(source_file, None,
                    "expected a help-desk response with tickets, metric_sets, "
                    "ticket_metrics or satisfaction_ratings", excerpt(document))
        return
    for key in keys:
        items = document[key]
        items = items if isinstance(items, list) else [items]
        for index, item in enumerate(items):
            if isinstance(item, dict):
                load.add(COLLECTIONS[key], item, source_file, index)
            else:
                load.reject(source_file, index, f"{key} item is not an object", excerpt(item))


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

EXPORT_PATH = "/api/v2/incremental/tickets/cursor.json"
RATINGS_PATH = "/api/v2/satisfaction_ratings.json"
STREAM = "tickets"
CURSOR_REFUSED = (400, 422)  # Zendesk's answer to an expired or invalid export cursor


def client_for(cfg: SupportSource, http: HttpSettings, log=None) -> ApiClient:
    """Basic auth `email/token:api_token`, or a bearer OAuth token; never from the config."""
    email, token = secret_from_env(cfg.email_env), secret_from_env(cfg.api_token_env)
    oauth = secret_from_env(cfg.oauth_token_env)
    if email and token:
        return ApiClient(cfg.base_url, auth=(f"{email}/token", token), settings=http,
                         secrets=(token,), log=log)
    if oauth:
        return ApiClient(cfg.base_url, headers={"Authorization": f"Bearer {oauth}"},
                         settings=http, secrets=(oauth,), log=log)
    raise LoadError(
        f"support: api mode needs credentials in the environment: {cfg.email_env} and "
        f"{cfg.api_token_env}, or {cfg.oauth_token_env}"
    )


def unix_seconds(value: str | int | None) -> int:
    if value is None or value == "":
        return 0
    if isinstance(value, int) or str(value).isdigit():
        return int(value)
    parsed = parse_timestamp(value)
    return int(parsed.replace(tzinfo=UTC).timestamp())


def _export(client: ApiClient, load: RecordLoad, params: dict, log) -> tuple[str | None, int]:
    """Follow the export cursor until end_of_stream; returns (last after_cursor, newest ts)."""
    cursor, newest, pages = None, 0, 0
    while True:
        response = client.get(EXPORT_PATH, params=params, ok=(200,))
        pages += 1
        source_file = client.redact(response.url)
        load.files.add(source_file)
        body = response_json(response)
        if not isinstance(body, dict):
            raise ApiError(f"GET {EXPORT_PATH}: expected an export page (a JSON object)")
        add_document(load, body, source_file)
        for ticket in body.get("tickets") or []:
            try:
                newest = max(newest, unix_seconds(ticket.get("updated_at")))
            except (AttributeError, TypeError, ValueError):
                pass  # rejected by the loader; the restart point ignores it
        cursor = body.get("after_cursor") or cursor
        if body.get("end_of_stream") or not body.get("after_cursor"):
            log.info(f"support: export read {pages} page(s) to the end of the stream")
            return cursor, newest
        params = {"cursor": body["after_cursor"], "include": params.get("include"),
                  "per_page": params.get("per_page")}


def pull_tickets(con, client: ApiClient, load: RecordLoad, cfg: SupportSource, log) -> None:
    stored_cursor = read_state(con, SOURCE, STREAM, "cursor")
    stored_start = read_state(con, SOURCE, STREAM, "start_time")
    start_time = int(stored_start) if stored_start else unix_seconds(cfg.start_time)
    common = {"include": "metric_sets", "per_page": cfg.per_page}
    params = {"cursor": stored_cursor, **common} if stored_cursor else {"start_time": start_time,
                                                                         **common}
    try:
        cursor, newest = _export(client, load, params, log)
    except ApiError as exc:
        if not (stored_cursor and exc.status in CURSOR_REFUSED):
            raise
        log.warning(
            f"support: Zendesk refused the stored export cursor (HTTP {exc.status}): it has "
            f"expired or is invalid; restarting the export from start_time={start_time} "
            f"(the newest ticket update already loaded); repeated tickets are upserted"
        )
        cursor, newest = _export(client, load, {"start_time": start_time, **common}, log)
    load.set_state(STREAM, "cursor", cursor)
    # Never back: the restart point only moves forward.
    load.set_state(STREAM, "start_time", str(max(start_time, newest)))


def pull_ratings(client: ApiClient, load: RecordLoad, cfg: SupportSource, log) -> None:
    pages = 0
    for page in json_next_pages(client, RATINGS_PATH, "next_page", {"sort_order": "asc"}):
        pages += 1
        source_file = client.redact(page.url)
        load.files.add(source_file)
        add_document(load, page.body, source_file)
    log.info(f"support: satisfaction ratings read in {pages} page(s)")


def pull(con, cfg: SupportSource, http: HttpSettings, log=None) -> LoadResult:
    """API mode: the incremental ticket export (with metric sets) and satisfaction ratings."""
    log = log or LOG
    client = client_for(cfg, http, log)
    load = RecordLoad(SOURCE)
    pull_tickets(con, client, load, cfg, log)
    if cfg.satisfaction_ratings:
        pull_ratings(client, load, cfg, log)
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
                warehouse: WarehouseResource, source_files: SourceFilesResource,
                sources_config: SourcesConfigResource):
    settings = sources_config.load()
    load_fn = configured_load(context, settings, SOURCE, source_files, ("*.json",),
                              load_files, pull)
    if load_fn is not None:
        yield from materialize_load(context, warehouse, SOURCE, TABLES, load_fn,
                                    reject_share(settings, SOURCE, config.max_reject_share))

"""Consumer registry: Kong Admin API `GET /consumers` pages or a CSV export, API and file mode.

API mode (`pull`) lists the Admin API's `/consumers`, following `next` until it is null,
with the optional `Kong-Admin-Token` header from the environment (KONG_ADMIN_TOKEN).

A Kong page is `{"data": [...], "next": ...}`. A CSV export has the columns
`id, username, custom_id, created_at, tags` (tags separated by `;` or `,` inside the
cell). `created_at` is epoch seconds in Kong and ISO 8601 or epoch in CSV.
"""


import csv
import io
import json
import logging
from pathlib import Path

from orchestration.config import ConsumersSource, secret_from_env
from orchestration.ingestion.common import LoadResult, RecordLoad, display_path, excerpt
from orchestration.ingestion.http import ApiClient, HttpSettings, json_next_pages

SOURCE = "consumers"
LOG = logging.getLogger("apipulse.consumers")
CSV_COLUMNS = {"id", "created_at"}


def add_consumer(load: RecordLoad, consumer: dict, source_file: str, position: int) -> None:
    tags = consumer.get("tags") or []
    if not isinstance(tags, list) or not all(isinstance(t, str) for t in tags):
        load.reject(source_file, position, "gateway_consumers.tags: expected a list of strings",
                    excerpt(consumer))
        return
    if load.add("gateway_consumers", {**consumer, "tags": tags}, source_file, position):
        for tag in tags:
            load.add("gateway_consumer_tags", {"consumer_id": consumer.get("id"), "tag": tag},
                     source_file, position)


def _csv_records(text: str, source_file: str, load: RecordLoad) -> None:
    reader = csv.DictReader(io.StringIO(text))
    missing = CSV_COLUMNS - set(reader.fieldnames or [])
    if missing:
        load.reject(source_file, 1, f"CSV header lacks {', '.join(sorted(missing))}", text[:200])
        return
    for line, row in enumerate(reader, start=2):
        tags_cell = (row.get("tags") or "").strip()
        separator = ";" if ";" in tags_cell else ","
        tags = [t.strip() for t in tags_cell.split(separator) if t.strip()]
        created = row.get("created_at") or None
        if created and created.isdigit():
            created = int(created)
        record = {
            "id": row.get("id") or None,
            "username": row.get("username") or None,
            "custom_id": row.get("custom_id") or None,
            "created_at": created,
            "tags": tags,
        }
        add_consumer(load, record, source_file, line)


def read_files(paths: list[Path], load: RecordLoad | None = None) -> RecordLoad:
    load = load or RecordLoad(SOURCE)
    for path in paths:
        source_file = display_path(path)
        load.files.add(source_file)
        try:
            text = path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            load.reject(source_file, None, f"unreadable file: {exc}", None)
            continue
        if path.suffix.lower() == ".csv":
            _csv_records(text, source_file, load)
            continue
        try:
            document = json.loads(text)
        except json.JSONDecodeError as exc:
            load.reject(source_file, None, f"unreadable JSON: {exc}", text[:200])
            continue
        add_document(load, document, source_file)
    return load


def add_document(load: RecordLoad, document, source_file: str) -> None:
    """One Kong `/consumers` page (a file or an API answer) into `load`."""
    items = document.get("data") if isinstance(document, dict) else document
    if not isinstance(items, list):
        load.reject(source_file, None, 'expected a Kong page {"data": [...]} or a list',
                    excerpt(document))
        return
    for index, consumer in enumerate(items):
        if isinstance(consumer, dict):
            add_consumer(load, consumer, source_file, index)
        else:
            load.reject(source_file, index, "consumer is not an object", excerpt(consumer))


def load_files(con, paths: list[Path]) -> LoadResult:
    return read_files(paths).write(con, LoadResult(SOURCE))


# --- API mode -------------------------------------------------------------------------------

def pull(con, cfg: ConsumersSource, http: HttpSettings, log=None) -> LoadResult:
    """API mode: every consumer the Admin API lists, upserted by `id`."""
    log = log or LOG
    token = secret_from_env(cfg.admin_token_env)
    client = ApiClient(cfg.base_url, headers={"Kong-Admin-Token": token} if token else {},
                       settings=http, secrets=(token,) if token else (), log=log)
    pages = 0
    load = RecordLoad(SOURCE)
    for page in json_next_pages(client, "/consumers", "next", {"size": cfg.page_size}):
        pages += 1
        source_file = client.redact(page.url)
        load.files.add(source_file)
        add_document(load, page.body, source_file)
    log.info(f"consumers: {pages} page(s) from {client.base_url}")
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

TABLES = ("gateway_consumers", "gateway_consumer_tags")


class ConsumersLoadConfig(dg.Config):
    max_reject_share: float = 0.05


@dg.multi_asset(
    specs=raw_asset_specs(TABLES, "gateway", "platform",
                          "The consumer registry (Kong consumers or a CSV export) and its tags."),
    name="consumers_raw",
    pool="warehouse",
)
def consumers_raw(context: dg.AssetExecutionContext, config: ConsumersLoadConfig,
                  warehouse: WarehouseResource, source_files: SourceFilesResource,
                  sources_config: SourcesConfigResource):
    settings = sources_config.load()
    load_fn = configured_load(context, settings, SOURCE, source_files, ("*.json", "*.csv"),
                              load_files, pull)
    if load_fn is not None:
        yield from materialize_load(context, warehouse, SOURCE, TABLES, load_fn,
                                    reject_share(settings, SOURCE, config.max_reject_share))

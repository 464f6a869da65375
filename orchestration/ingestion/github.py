"""GitHub issues, pull requests and issue comments (REST v3 shapes), API mode and file mode.

API mode (`pull`) lists `/repos/{o}/{r}/issues` (pull requests included) and
`/repos/{o}/{r}/issues/comments` for each configured repository, sorted by `updated_at`
ascending from the stored `since` cursor, following the `Link` header. Each stream's cursor
(the newest `updated_at` loaded) and ETag live in `raw._load_state` and are saved in the
same transaction as the rows. GitHub's `since` is inclusive, so the newest items come back
once more; the upsert leaves them unchanged.

A file holds one response page: a JSON array of issues (pull requests included, told apart
by their `pull_request` key) or of issue comments, as `gh api --paginate` or a saved
response writes them. Recordings that wrap responses (nock format: a JSON array of
`{method, path, status, response}` objects, as in octokit/fixtures) are unwrapped by
`unwrap_recording`: every successful GET response whose body is a list is one page.
"""


import json
import logging
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from typing import Any

from orchestration.config import GithubSource, secret_from_env
from orchestration.ingestion.common import (
    LoadResult,
    RecordLoad,
    display_path,
    excerpt,
    parse_timestamp,
    read_state,
)
from orchestration.ingestion.http import ApiClient, HttpSettings, link_pages

SOURCE = "github"
LOG = logging.getLogger("apipulse.github")


def is_recording(document: Any) -> bool:
    return (
        isinstance(document, list)
        and bool(document)
        and all(isinstance(x, dict) and {"method", "path", "response"} <= x.keys() for x in document)
    )


def unwrap_recording(document: list[dict]) -> Iterator[list]:
    """Pages of a recorded session: successful GET responses holding a JSON array."""
    for exchange in document:
        if (
            str(exchange.get("method", "")).lower() == "get"
            and 200 <= int(exchange.get("status", 0)) < 300
            and isinstance(exchange.get("response"), list)
        ):
            yield exchange["response"]


def repository_of(url: str | None) -> str | None:
    """`owner/name` from an API url such as https://api.github.com/repos/owner/name/issues/3."""
    if not url or "/repos/" not in url:
        return None
    parts = url.split("/repos/", 1)[1].split("/")
    return "/".join(parts[:2]) if len(parts) >= 2 else None


def add_page(load: RecordLoad, page: list, source_file: str, offset: int = 0) -> None:
    for index, item in enumerate(page, start=offset):
        if not isinstance(item, dict):
            load.reject(source_file, index, "not a JSON object", excerpt(item))
        elif "issue_url" in item and "number" not in item:
            load.add("github_comments", item, source_file, index,
                     {"_repository": repository_of(item.get("issue_url"))})
        elif "number" in item:
            repo = repository_of(item.get("repository_url") or item.get("url"))
            load.add("github_issues", item, source_file, index, {"_repository": repo})
        else:
            load.reject(source_file, index, "neither an issue nor an issue comment", excerpt(item))


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
        if is_recording(document):
            offset = 0
            for page in unwrap_recording(document):
                add_page(load, page, source_file, offset)
                offset += len(page)
        elif isinstance(document, list):
            add_page(load, document, source_file)
        elif isinstance(document, dict) and ("number" in document or "issue_url" in document):
            add_page(load, [document], source_file)
        else:
            load.reject(source_file, None,
                        "expected a JSON array of issues or comments (one API page)",
                        excerpt(document))
    return load


def load_files(con, paths: list[Path]) -> LoadResult:
    return read_files(paths).write(con, LoadResult(SOURCE))


# --- API mode -------------------------------------------------------------------------------

STREAM_PATHS = {"issues": "/repos/{repo}/issues", "comments": "/repos/{repo}/issues/comments"}


def client_for(cfg: GithubSource, http: HttpSettings, log=None) -> ApiClient:
    token = secret_from_env(cfg.token_env)
    headers = {"Accept": "application/vnd.github+json", "X-GitHub-Api-Version": "2022-11-28"}
    if token:
        headers["Authorization"] = f"Bearer {token}"
    return ApiClient(cfg.base_url, headers=headers, settings=http,
                     secrets=(token,) if token else (), log=log)


def _iso(value: datetime) -> str:
    return value.strftime("%Y-%m-%dT%H:%M:%SZ")


def pull_stream(con, client: ApiClient, load: RecordLoad, repo: str, stream: str,
                cfg: GithubSource, log) -> int:
    """Add one repository stream's new pages to `load`; returns the number of pages read."""
    state_stream = f"{repo}:{stream}"
    stored_since = read_state(con, SOURCE, state_stream, "since")
    since = stored_since or cfg.since
    etag = read_state(con, SOURCE, state_stream, "etag")
    params: dict[str, Any] = {"sort": "updated", "direction": "asc", "per_page": cfg.per_page}
    if stream == "issues":
        params["state"] = "all"
    if since:
        params["since"] = since
    headers = {"If-None-Match": etag} if etag else None
    newest = parse_timestamp(since) if since else None
    pages = 0
    offset = 0
    for page in link_pages(client, STREAM_PATHS[stream].format(repo=repo), params, headers):
        if page.response.status_code == 304:
            log.info(f"{repo} {stream}: not modified since the last pull (ETag)")
            return 0
        pages += 1
        body = page.body
        source_file = client.redact(page.url)
        if not isinstance(body, list):
            load.reject(source_file, None, "expected a JSON array (one API page)", excerpt(body))
            continue
        load.files.add(source_file)
        add_page(load, body, source_file, 0)
        offset += len(body)
        for item in body:
            try:
                updated = parse_timestamp(item.get("updated_at")) if isinstance(item, dict) else None
            except ValueError:
                updated = None  # the record is rejected; the cursor ignores it
            if updated and (newest is None or updated > newest):
                newest = updated
        # An ETag is kept only for a one-page answer: a 304 then means nothing at all changed.
        if pages == 1 and "next" not in page.response.links:
            load.set_state(state_stream, "etag", page.response.headers.get("ETag"))
    if newest is not None:
        load.set_state(state_stream, "since", _iso(newest))
    log.info(f"{repo} {stream}: {offset} records in {pages} page(s) since {since or 'the start'}")
    return pages


def pull(con, cfg: GithubSource, http: HttpSettings, log=None) -> LoadResult:
    """API mode: every configured repository's issues and comments, written atomically."""
    log = log or LOG
    client = client_for(cfg, http, log)
    load = RecordLoad(SOURCE)
    for repo in cfg.repositories:
        for stream in cfg.streams:
            pull_stream(con, client, load, repo, stream, cfg, log)
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

TABLES = ("github_issues", "github_comments")


class GithubLoadConfig(dg.Config):
    max_reject_share: float = 0.05


@dg.multi_asset(
    specs=raw_asset_specs(TABLES, "github", "devrel",
                          "GitHub issues and pull requests (issues API) and issue comments."),
    name="github_raw",
    pool="warehouse",
)
def github_raw(context: dg.AssetExecutionContext, config: GithubLoadConfig,
               warehouse: WarehouseResource, source_files: SourceFilesResource,
               sources_config: SourcesConfigResource):
    settings = sources_config.load()
    load_fn = configured_load(context, settings, SOURCE, source_files, ("*.json",),
                              load_files, pull)
    if load_fn is not None:
        yield from materialize_load(context, warehouse, SOURCE, TABLES, load_fn,
                                    reject_share(settings, SOURCE, config.max_reject_share))

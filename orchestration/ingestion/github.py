"""GitHub issues, pull requests and issue comments (REST v3 shapes), file mode.

A file holds one response page: a JSON array of issues (pull requests included, told apart
by their `pull_request` key) or of issue comments, as `gh api --paginate` or a saved
response writes them. Recordings that wrap responses (nock format: a JSON array of
`{method, path, status, response}` objects, as in octokit/fixtures) are unwrapped by
`unwrap_recording`: every successful GET response whose body is a list is one page.
"""


import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from orchestration.ingestion.common import LoadResult, RecordLoad, display_path, excerpt

SOURCE = "github"


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


# --- Dagster assets -------------------------------------------------------------------------
import dagster as dg  # noqa: E402

from orchestration.ingestion.common import materialize_load, raw_asset_specs  # noqa: E402
from orchestration.resources import SourceFilesResource, WarehouseResource  # noqa: E402

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
               warehouse: WarehouseResource, source_files: SourceFilesResource):
    paths = source_files.files(SOURCE)
    yield from materialize_load(context, warehouse, SOURCE, TABLES,
                                lambda con: load_files(con, paths), config.max_reject_share)

"""API mode against a real local HTTP server (pytest-httpserver): pagination, retries, rate
limits, ETags, cursors kept in the warehouse, and secrets that never leave the environment.

The server's handlers play GitHub, Statuspage, Zendesk and Kong with the APIs' own shapes;
none of our code is replaced. Waits are kept to about a second (Retry-After: 1).
"""

from __future__ import annotations

import base64
import json
import logging
import time
from pathlib import Path

import dagster as dg
import duckdb
import pytest
from werkzeug import Request, Response

from orchestration import cli
from orchestration.config import (
    ConsumersSource,
    GithubSource,
    StatuspagePage,
    StatuspageSource,
    SupportSource,
)
from orchestration.ingestion import consumers, github, statuspage, support
from orchestration.ingestion.common import read_state
from orchestration.ingestion.http import ApiError, HttpSettings, retry_after_seconds
from orchestration.resources import SourceFilesResource, SourcesConfigResource, WarehouseResource

FAST = HttpSettings(timeout_seconds=5, max_retries=3, backoff_factor=0.01, max_wait_seconds=5)
TOKEN = "ghp_TESTTOKEN0123456789abcdefSECRET"
REPO = "acme/widgets"


def issue(n: int, updated: str, **extra) -> dict:
    api = "http://api.test/repos/acme/widgets"  # what GitHub puts in the payload
    item = {"id": 1000 + n, "node_id": f"I_{n}", "number": n, "title": f"issue {n}",
            "state": "open", "locked": False, "user": {"login": "octocat", "id": 1, "type": "User"},
            "labels": [{"id": 7, "name": "bug"}], "comments": 0,
            "created_at": "2026-09-01T00:00:00Z", "updated_at": updated,
            "url": f"{api}/issues/{n}", "repository_url": api,
            "html_url": f"https://github.test/acme/widgets/issues/{n}"}
    return {**item, **extra}


def comment(n: int, issue_number: int, updated: str) -> dict:
    return {"id": 5000 + n, "node_id": f"IC_{n}", "body": f"comment {n}",
            "issue_url": f"http://api.test/repos/acme/widgets/issues/{issue_number}",
            "user": {"login": "hubot", "type": "Bot"}, "author_association": "NONE",
            "created_at": "2026-09-01T00:00:00Z", "updated_at": updated}


def json_response(body, status: int = 200, headers: dict | None = None) -> Response:
    return Response(json.dumps(body), status=status, headers=headers or {},
                    content_type="application/json")


def count(con, table: str) -> int:
    return con.execute(f"select count(*) from raw.{table}").fetchone()[0]


def requests_to(httpserver, path: str) -> list[Request]:
    return [r for r, _ in httpserver.log if r.path == path]


def github_cfg(httpserver, **extra) -> GithubSource:
    return GithubSource(mode="api", base_url=httpserver.url_for("/"), repositories=[REPO],
                        **extra)


# --- GitHub -------------------------------------------------------------------------------

def serve_issue_pages(httpserver, pages: list[list[dict]], etag: str | None = None) -> None:
    """Issues as pages linked by rel="next" (page numbers are the server's business)."""
    path = f"/repos/{REPO}/issues"

    def handler(request: Request) -> Response:
        index = int(request.args.get("page", "1")) - 1
        headers = {"ETag": etag} if etag else {}
        if etag and request.headers.get("If-None-Match") == etag:
            return Response(status=304, headers=headers)
        if index + 1 < len(pages):
            following = httpserver.url_for(path) + f"?page={index + 2}&per_page=100"
            headers["Link"] = f'<{following}>; rel="next", <{following}>; rel="last"'
        return json_response(pages[index], headers=headers)

    httpserver.expect_request(path).respond_with_handler(handler)


def serve_no_comments(httpserver) -> None:
    httpserver.expect_request(f"/repos/{REPO}/issues/comments").respond_with_json([])


def test_github_follows_link_pages_and_sends_the_stored_since(httpserver, warehouse):
    pages = [[issue(1, "2026-09-01T10:00:00Z"), issue(2, "2026-09-02T10:00:00Z")],
             [issue(3, "2026-09-03T10:00:00Z", pull_request={"url": "x", "merged_at": None})],
             [issue(4, "2026-09-04T10:00:00Z")]]
    serve_issue_pages(httpserver, pages)
    httpserver.expect_request(f"/repos/{REPO}/issues/comments").respond_with_json(
        [comment(1, 1, "2026-09-02T12:00:00Z")])
    cfg = github_cfg(httpserver, since="2026-08-01T00:00:00Z")

    result = github.pull(warehouse, cfg, FAST)

    assert result.rejected == 0
    assert count(warehouse, "github_issues") == 4 and count(warehouse, "github_comments") == 1
    first = requests_to(httpserver, f"/repos/{REPO}/issues")[0]
    assert dict(first.args) == {"state": "all", "sort": "updated", "direction": "asc",
                                "per_page": "100", "since": "2026-08-01T00:00:00Z"}
    # Pages 2 and 3 were reached only through the Link header's URLs.
    assert [r.args.get("page") for r in requests_to(httpserver, f"/repos/{REPO}/issues")] == [
        None, "2", "3"]
    assert warehouse.execute(
        "select _repository, pull_request is not null from raw.github_issues where number = 3"
    ).fetchone() == (REPO, True)
    assert read_state(warehouse, "github", f"{REPO}:issues", "since") == "2026-09-04T10:00:00Z"
    assert read_state(warehouse, "github", f"{REPO}:comments", "since") == "2026-09-02T12:00:00Z"

    # Second run: `since` comes from the stored cursor; nothing is duplicated.
    httpserver.clear_log()
    github.pull(warehouse, cfg, FAST)
    assert requests_to(httpserver, f"/repos/{REPO}/issues")[0].args["since"] == "2026-09-04T10:00:00Z"
    assert requests_to(httpserver, f"/repos/{REPO}/issues/comments")[0].args["since"] == (
        "2026-09-02T12:00:00Z")
    assert count(warehouse, "github_issues") == 4


def test_github_429_with_retry_after_is_waited_out(httpserver, warehouse):
    path = f"/repos/{REPO}/issues"
    httpserver.expect_oneshot_request(path).respond_with_json(
        {"message": "slow down"}, status=429, headers={"Retry-After": "1"})
    httpserver.expect_request(path).respond_with_json([issue(1, "2026-09-01T10:00:00Z")])
    serve_no_comments(httpserver)
    started = time.monotonic()
    github.pull(warehouse, github_cfg(httpserver), FAST)
    assert time.monotonic() - started >= 0.9
    assert len(requests_to(httpserver, path)) == 2
    assert count(warehouse, "github_issues") == 1


def test_github_502_succeeds_on_retry(httpserver, warehouse):
    path = f"/repos/{REPO}/issues"
    httpserver.expect_oneshot_request(path).respond_with_data("bad gateway", status=502)
    httpserver.expect_request(path).respond_with_json([issue(1, "2026-09-01T10:00:00Z")])
    serve_no_comments(httpserver)
    github.pull(warehouse, github_cfg(httpserver), FAST)
    assert len(requests_to(httpserver, path)) == 2
    assert count(warehouse, "github_issues") == 1


def test_github_secondary_limit_403_with_retry_after_is_waited_out(httpserver, warehouse):
    path = f"/repos/{REPO}/issues"
    httpserver.expect_oneshot_request(path).respond_with_json(
        {"message": "You have exceeded a secondary rate limit."}, status=403,
        headers={"retry-after": "1", "x-ratelimit-remaining": "4000"})
    httpserver.expect_request(path).respond_with_json([issue(1, "2026-09-01T10:00:00Z")])
    serve_no_comments(httpserver)
    started = time.monotonic()
    github.pull(warehouse, github_cfg(httpserver), FAST)
    assert time.monotonic() - started >= 0.9
    assert count(warehouse, "github_issues") == 1


def test_github_primary_limit_waits_for_the_reset(httpserver, warehouse):
    """x-ratelimit-remaining: 0 on an answer: the next request waits until x-ratelimit-reset."""
    reset = int(time.time()) + 2
    httpserver.expect_request(f"/repos/{REPO}/issues").respond_with_json(
        [issue(1, "2026-09-01T10:00:00Z")],
        headers={"x-ratelimit-remaining": "0", "x-ratelimit-reset": str(reset)})
    serve_no_comments(httpserver)
    github.pull(warehouse, github_cfg(httpserver), FAST)
    comments_request = requests_to(httpserver, f"/repos/{REPO}/issues/comments")
    assert comments_request and time.time() >= reset
    assert count(warehouse, "github_issues") == 1


def test_github_etag_gives_304_on_the_second_run(httpserver, warehouse):
    serve_issue_pages(httpserver, [[issue(1, "2026-09-01T10:00:00Z")]], etag='W/"abc123"')
    serve_no_comments(httpserver)
    cfg = github_cfg(httpserver)
    github.pull(warehouse, cfg, FAST)
    loaded_at = warehouse.execute("select _loaded_at from raw.github_issues").fetchone()
    assert read_state(warehouse, "github", f"{REPO}:issues", "etag") == 'W/"abc123"'

    httpserver.clear_log()
    result = github.pull(warehouse, cfg, FAST)
    second = requests_to(httpserver, f"/repos/{REPO}/issues")
    assert [r.headers.get("If-None-Match") for r in second] == ['W/"abc123"']
    assert second[0].args["since"] == "2026-09-01T10:00:00Z"
    assert [resp.status_code for r, resp in httpserver.log if r.path.endswith("/issues")] == [304]
    assert result.received.get("github_issues", 0) == 0
    assert warehouse.execute("select _loaded_at from raw.github_issues").fetchone() == loaded_at
    assert read_state(warehouse, "github", f"{REPO}:issues", "since") == "2026-09-01T10:00:00Z"


def test_failed_pull_keeps_previous_data_and_cursor(httpserver, warehouse):
    path = f"/repos/{REPO}/issues"
    serve_no_comments(httpserver)
    httpserver.expect_oneshot_request(path).respond_with_json([issue(1, "2026-09-01T10:00:00Z")])
    cfg = github_cfg(httpserver)
    github.pull(warehouse, cfg, FAST)
    before = warehouse.execute("select * from raw.github_issues").fetchall()

    # Next run: page 1 has news, page 2 keeps failing with 500 beyond every retry.
    following = httpserver.url_for(path) + "?page=2"
    httpserver.expect_oneshot_request(path, query_string={
        "state": "all", "sort": "updated", "direction": "asc", "per_page": "100",
        "since": "2026-09-01T10:00:00Z"}).respond_with_json(
        [issue(1, "2026-09-05T10:00:00Z", title="changed")],
        headers={"Link": f'<{following}>; rel="next"'})
    httpserver.expect_request(path, query_string="page=2").respond_with_json(
        {"message": "Server Error"}, status=500)
    with pytest.raises(ApiError) as failure:
        github.pull(warehouse, cfg, FAST)
    assert str(failure.value).startswith(f"GET /repos/{REPO}/issues: HTTP 500")
    assert failure.value.status == 500
    assert warehouse.execute("select * from raw.github_issues").fetchall() == before
    assert read_state(warehouse, "github", f"{REPO}:issues", "since") == "2026-09-01T10:00:00Z"


def test_links_to_another_server_are_not_followed(httpserver, warehouse, monkeypatch):
    monkeypatch.setenv("GITHUB_TOKEN", TOKEN)
    httpserver.expect_request(f"/repos/{REPO}/issues").respond_with_json(
        [issue(1, "2026-09-01T10:00:00Z")],
        headers={"Link": '<http://elsewhere.test/steal?page=2>; rel="next"'})
    with pytest.raises(ApiError, match="refusing to follow http://elsewhere.test/steal"):
        github.pull(warehouse, github_cfg(httpserver), FAST)
    assert count(warehouse, "github_issues") == 0


def test_retry_after_as_an_http_date():
    assert retry_after_seconds("120") == 120
    assert retry_after_seconds("Wed, 21 Oct 2015 07:28:00 GMT") == 0  # in the past: no wait
    assert retry_after_seconds("soon") is None


def test_github_token_never_in_logs_errors_or_warehouse(httpserver, warehouse, monkeypatch,
                                                        caplog):
    monkeypatch.setenv("GITHUB_TOKEN", TOKEN)
    path = f"/repos/{REPO}/issues"
    httpserver.expect_request(path).respond_with_json([issue(1, "2026-09-01T10:00:00Z")])
    # An error body that echoes the credentials back, the worst case for a careless client.
    httpserver.expect_oneshot_request(f"/repos/{REPO}/issues/comments").respond_with_handler(
        lambda request: json_response(
            {"message": f"Bad credentials: {request.headers.get('Authorization')}"}, status=401))
    caplog.set_level(logging.DEBUG)
    with pytest.raises(ApiError) as failure:
        github.pull(warehouse, github_cfg(httpserver), FAST)
    # The token was sent ...
    assert requests_to(httpserver, path)[0].headers["Authorization"] == f"Bearer {TOKEN}"
    # ... and appears nowhere else: not in the error, the logs or any raw table.
    message = str(failure.value)
    assert message.startswith(f"GET /repos/{REPO}/issues/comments: HTTP 401: Bad credentials")
    assert TOKEN not in message and "***" in message
    assert TOKEN not in caplog.text
    serve_no_comments(httpserver)
    github.pull(warehouse, github_cfg(httpserver), FAST)
    assert count(warehouse, "github_issues") == 1
    for (table,) in warehouse.execute(
            "select table_name from duckdb_tables() where schema_name = 'raw'").fetchall():
        assert TOKEN not in str(warehouse.execute(f'select * from raw."{table}"').fetchall()), table


def test_api_and_file_mode_give_identical_raw_tables(httpserver, tmp_path):
    pages = [[issue(1, "2026-09-01T10:00:00Z"), issue(2, "2026-09-02T10:00:00Z")],
             [issue(3, "2026-09-03T10:00:00Z")]]
    serve_issue_pages(httpserver, pages)
    httpserver.expect_request(f"/repos/{REPO}/issues/comments").respond_with_json(
        [comment(1, 1, "2026-09-02T12:00:00Z")])
    files = []
    for i, page in enumerate([*pages, [comment(1, 1, "2026-09-02T12:00:00Z")]], start=1):
        files.append(tmp_path / f"page-{i}.json")
        files[-1].write_text(json.dumps(page))
    with duckdb.connect(str(tmp_path / "api.duckdb")) as api, \
            duckdb.connect(str(tmp_path / "file.duckdb")) as file:
        github.pull(api, github_cfg(httpserver), FAST)
        github.load_files(file, files)
        for table in ("github_issues", "github_comments"):
            query = f"select * exclude (_source_file, _loaded_at) from raw.{table} order by id"
            assert api.execute(query).fetchall() == file.execute(query).fetchall()


# --- Statuspage -----------------------------------------------------------------------------

def incident(n: int, updated: str, status: str = "resolved") -> dict:
    return {"id": f"inc{n:03d}", "name": f"Incident {n}", "status": status, "impact": "minor",
            "created_at": "2026-09-01T00:00:00.000Z", "updated_at": updated,
            "started_at": "2026-09-01T00:00:00.000Z", "monitoring_at": None,
            "resolved_at": updated if status == "resolved" else None,
            "shortlink": f"https://stspg.io/{n}", "page_id": "page1",
            "incident_updates": [{"id": f"upd{n:03d}", "incident_id": f"inc{n:03d}",
                                  "status": status, "body": "Looking into it.",
                                  "created_at": updated, "updated_at": updated,
                                  "display_at": updated, "affected_components": []}],
            "components": []}


def test_statuspage_polls_overlap_and_history_is_kept(httpserver, warehouse):
    page = {"id": "page1", "name": "Acme API", "url": "https://status.acme.test",
            "time_zone": "Etc/UTC", "updated_at": "2026-09-03T00:00:00Z"}
    polls = [
        [incident(1, "2026-09-01T01:00:00Z"), incident(2, "2026-09-02T01:00:00Z", "monitoring")],
        # The window moved on: incident 1 fell out, 2 was resolved, 3 is new.
        [incident(2, "2026-09-02T05:00:00Z"), incident(3, "2026-09-03T01:00:00Z")],
    ]
    for incidents in polls:
        httpserver.expect_oneshot_request("/api/v2/incidents.json").respond_with_json(
            {"page": page, "incidents": incidents})
    httpserver.expect_request("/api/v2/components.json").respond_with_json(
        {"page": page, "components": [{"id": "cmp1", "name": "API", "status": "operational",
                                       "created_at": "2026-01-01T00:00:00Z",
                                       "updated_at": "2026-09-01T00:00:00Z", "position": 1,
                                       "group": False, "only_show_if_degraded": False}]})
    cfg = StatuspageSource(mode="api", pages=[StatuspagePage(base_url=httpserver.url_for("/"))])
    statuspage.pull(warehouse, cfg, FAST)
    statuspage.pull(warehouse, cfg, FAST)
    rows = warehouse.execute(
        "select id, status, _page_name from raw.statuspage_incidents order by id").fetchall()
    assert rows == [("inc001", "resolved", "Acme API"), ("inc002", "resolved", "Acme API"),
                    ("inc003", "resolved", "Acme API")]
    assert count(warehouse, "statuspage_incident_updates") == 3
    assert count(warehouse, "statuspage_components") == 1


# --- Zendesk --------------------------------------------------------------------------------

def ticket(n: int, updated_unix: int) -> dict:
    iso = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(updated_unix))
    return {"id": n, "url": f"https://acme.zendesk.test/api/v2/tickets/{n}.json",
            "via": {"channel": "web"}, "created_at": "2026-09-01T00:00:00Z", "updated_at": iso,
            "type": "question", "subject": f"ticket {n}", "description": "help",
            "priority": "normal", "status": "open", "requester_id": 11, "submitter_id": 11,
            "assignee_id": None, "organization_id": 21, "group_id": 31, "tags": ["api"],
            "custom_fields": [{"id": 360000000001, "value": "org_0001"}],
            "satisfaction_rating": {"score": "unoffered"}}


def metric_set(n: int) -> dict:
    return {"id": 9000 + n, "ticket_id": n, "created_at": "2026-09-01T00:00:00Z",
            "updated_at": "2026-09-01T01:00:00Z", "reopens": 0, "replies": 1,
            "reply_time_in_minutes": {"calendar": 5, "business": 5}}


def export_page(tickets: list[dict], after: str, end: bool) -> dict:
    return {"tickets": tickets, "metric_sets": [metric_set(t["id"]) for t in tickets],
            "after_cursor": after, "after_url": f"https://x/cursor.json?cursor={after}",
            "before_cursor": None, "before_url": None, "end_of_stream": end}


EXPORT = "/api/v2/incremental/tickets/cursor.json"
RATINGS = "/api/v2/satisfaction_ratings.json"


def support_cfg(httpserver, **extra) -> SupportSource:
    return SupportSource(mode="api", base_url=httpserver.url_for("/"), start_time=1788220800,
                         **extra)


def test_zendesk_cursor_export_until_end_of_stream(httpserver, warehouse, monkeypatch, caplog):
    monkeypatch.setenv("ZENDESK_EMAIL", "ops@acme.test")
    monkeypatch.setenv("ZENDESK_API_TOKEN", "zd-SECRET-token")
    base = 1788220800  # 2026-09-01T00:00:00Z
    httpserver.expect_request(EXPORT, query_string={
        "start_time": str(base), "include": "metric_sets", "per_page": "1000"}).respond_with_json(
        export_page([ticket(1, base + 60), ticket(2, base + 120)], "c1", False))
    # Zendesk's 10-requests-a-minute limit: one 429 with Retry-After, then the page.
    c1 = {"cursor": "c1", "include": "metric_sets", "per_page": "1000"}
    httpserver.expect_oneshot_request(EXPORT, query_string=c1).respond_with_json(
        {"error": "APIRateLimitExceeded"}, status=429, headers={"Retry-After": "1"})
    httpserver.expect_request(EXPORT, query_string=c1).respond_with_json(
        export_page([ticket(3, base + 180)], "c2", True))
    following = httpserver.url_for(RATINGS) + "?page=2"
    httpserver.expect_request(RATINGS, query_string="sort_order=asc").respond_with_json(
        {"satisfaction_ratings": [{"id": 1, "ticket_id": 1, "score": "good",
                                   "created_at": "2026-09-02T00:00:00Z",
                                   "updated_at": "2026-09-02T00:00:00Z"}],
         "next_page": following})
    httpserver.expect_request(RATINGS, query_string="page=2").respond_with_json(
        {"satisfaction_ratings": [{"id": 2, "ticket_id": 2, "score": "bad", "reason": "slow",
                                   "created_at": "2026-09-03T00:00:00Z",
                                   "updated_at": "2026-09-03T00:00:00Z"}],
         "next_page": None})
    caplog.set_level(logging.DEBUG)

    result = support.pull(warehouse, support_cfg(httpserver), FAST)

    assert result.rejected == 0
    assert count(warehouse, "support_tickets") == 3
    assert count(warehouse, "support_ticket_metrics") == 3
    assert count(warehouse, "support_satisfaction_ratings") == 2
    assert read_state(warehouse, "support", "tickets", "cursor") == "c2"
    assert read_state(warehouse, "support", "tickets", "start_time") == str(base + 180)
    auth = requests_to(httpserver, EXPORT)[0].headers["Authorization"]
    assert base64.b64decode(auth.split()[1]).decode() == "ops@acme.test/token:zd-SECRET-token"
    assert "zd-SECRET-token" not in caplog.text

    # Next run starts from the stored cursor, not from start_time again.
    httpserver.clear_log()
    httpserver.expect_request(EXPORT, query_string={
        "cursor": "c2", "include": "metric_sets", "per_page": "1000"}).respond_with_json(
        export_page([ticket(2, base + 600)], "c3", True))
    support.pull(warehouse, support_cfg(httpserver, satisfaction_ratings=False), FAST)
    assert [r.args.get("cursor") for r in requests_to(httpserver, EXPORT)] == ["c2"]
    assert read_state(warehouse, "support", "tickets", "cursor") == "c3"
    assert count(warehouse, "support_tickets") == 3


def test_zendesk_expired_cursor_restarts_from_the_stored_start_time(httpserver, warehouse,
                                                                     monkeypatch, caplog):
    monkeypatch.setenv("ZENDESK_OAUTH_TOKEN", "oauth-SECRET")
    base = 1788220800
    httpserver.expect_request(EXPORT, query_string={
        "start_time": str(base), "include": "metric_sets", "per_page": "1000"}).respond_with_json(
        export_page([ticket(1, base + 60)], "c1", True))
    cfg = support_cfg(httpserver, satisfaction_ratings=False)
    support.pull(warehouse, cfg, FAST)
    assert read_state(warehouse, "support", "tickets", "start_time") == str(base + 60)

    httpserver.expect_request(EXPORT, query_string={
        "cursor": "c1", "include": "metric_sets", "per_page": "1000"}).respond_with_json(
        {"error": "InvalidPaginationParameter", "description": "cursor expired"}, status=422)
    httpserver.expect_request(EXPORT, query_string={
        "start_time": str(base + 60), "include": "metric_sets", "per_page": "1000"}
    ).respond_with_json(export_page([ticket(1, base + 60), ticket(2, base + 90)], "c9", True))
    caplog.set_level(logging.WARNING)
    support.pull(warehouse, cfg, FAST)
    assert "refused the stored export cursor (HTTP 422)" in caplog.text
    assert f"start_time={base + 60}" in caplog.text
    assert count(warehouse, "support_tickets") == 2
    assert read_state(warehouse, "support", "tickets", "cursor") == "c9"
    assert read_state(warehouse, "support", "tickets", "start_time") == str(base + 90)
    assert requests_to(httpserver, EXPORT)[-1].headers["Authorization"] == "Bearer oauth-SECRET"


def test_zendesk_without_credentials_says_which_variables(httpserver, warehouse, monkeypatch):
    for name in ("ZENDESK_EMAIL", "ZENDESK_API_TOKEN", "ZENDESK_OAUTH_TOKEN"):
        monkeypatch.delenv(name, raising=False)
    with pytest.raises(support.LoadError, match="ZENDESK_EMAIL and ZENDESK_API_TOKEN"):
        support.pull(warehouse, support_cfg(httpserver), FAST)


# --- Kong consumers -------------------------------------------------------------------------

def kong_consumer(n: int, tags: list[str]) -> dict:
    return {"id": f"c-{n}", "username": f"user{n}", "custom_id": f"org_{n:04d}",
            "created_at": 1788220800 + n, "tags": tags}


def serve_kong(httpserver) -> None:
    httpserver.expect_request("/consumers", query_string="size=1000").respond_with_json(
        {"data": [kong_consumer(1, ["plan:pro"]), kong_consumer(2, ["plan:free", "partner"])],
         "next": "/consumers?offset=abc"})
    httpserver.expect_request("/consumers", query_string="offset=abc").respond_with_json(
        {"data": [kong_consumer(3, [])], "next": None})


def test_kong_consumers_follow_next(httpserver, warehouse, monkeypatch):
    monkeypatch.setenv("KONG_ADMIN_TOKEN", "kong-SECRET")
    serve_kong(httpserver)
    cfg = ConsumersSource(mode="api", base_url=httpserver.url_for("/"))
    consumers.pull(warehouse, cfg, FAST)
    consumers.pull(warehouse, cfg, FAST)  # a re-run never duplicates
    assert count(warehouse, "gateway_consumers") == 3
    assert count(warehouse, "gateway_consumer_tags") == 3
    assert [r.headers.get("Kong-Admin-Token") for r in requests_to(httpserver, "/consumers")] == [
        "kong-SECRET"] * 4
    assert "kong-SECRET" not in str(warehouse.execute("select * from raw.gateway_consumers").fetchall())


# --- The CLI and the Dagster assets read the config -----------------------------------------

def write_config(path: Path, text: str) -> Path:
    path.write_text(text)
    return path


def test_cli_pull_prints_records_loaded_and_rejected(httpserver, tmp_path, capsys):
    serve_kong(httpserver)
    config = write_config(tmp_path / "apipulse.yml", f"""
http: {{max_retries: 2, backoff_factor: 0.01, max_wait_seconds: 5}}
sources:
  consumers: {{mode: api, base_url: "{httpserver.url_for('/')}"}}
""")
    warehouse = tmp_path / "w.duckdb"
    code = cli.main(["pull", "consumers", "--warehouse", str(warehouse), "--config", str(config)])
    out = capsys.readouterr().out
    assert code == 0
    assert "gateway_consumers: 3 records" in out and "0 rejected" in out
    with duckdb.connect(str(warehouse), read_only=True) as con:
        assert con.execute("select records_loaded from raw._loads").fetchone() == (6,)


def test_cli_pull_refuses_a_source_in_file_mode(tmp_path, capsys):
    config = write_config(tmp_path / "apipulse.yml", "sources:\n  github: {mode: file}\n")
    code = cli.main(["pull", "github", "--warehouse", str(tmp_path / "w.duckdb"),
                     "--config", str(config)])
    assert code == 2
    assert "sources.github is in file mode" in capsys.readouterr().err


def test_cli_pull_failure_names_path_and_status(httpserver, tmp_path, capsys):
    httpserver.expect_request("/consumers").respond_with_json({"message": "nope"}, status=404)
    config = write_config(tmp_path / "apipulse.yml", f"""
sources:
  consumers: {{mode: api, base_url: "{httpserver.url_for('/')}"}}
""")
    code = cli.main(["pull", "consumers", "--warehouse", str(tmp_path / "w.duckdb"),
                     "--config", str(config)])
    assert code == 2
    assert "GET /consumers: HTTP 404: nope" in capsys.readouterr().err


def resources(tmp_path: Path, config: Path, root: Path | None = None) -> dict:
    return {"warehouse": WarehouseResource(path=str(tmp_path / "w.duckdb")),
            "source_files": SourceFilesResource(root=str(root or tmp_path / "nowhere")),
            "sources_config": SourcesConfigResource(path=str(config))}


def test_dagster_asset_runs_api_mode_from_the_config(httpserver, tmp_path):
    serve_issue_pages(httpserver, [[issue(1, "2026-09-01T10:00:00Z")],
                                   [issue(2, "2026-09-02T10:00:00Z")]])
    serve_no_comments(httpserver)
    config = write_config(tmp_path / "apipulse.yml", f"""
http: {{max_retries: 2, backoff_factor: 0.01, max_wait_seconds: 5}}
sources:
  github:
    mode: api
    base_url: "{httpserver.url_for('/')}"
    repositories: [{REPO}]
""")
    result = dg.materialize([github.github_raw], resources=resources(tmp_path, config))
    assert result.success
    counts = {
        m.asset_key.path[-1]: m.metadata["dagster/row_count"].value
        for m in result.asset_materializations_for_node("github_raw")
    }
    assert counts == {"github_issues": 2, "github_comments": 0}


def test_file_mode_from_the_config_loads_the_shared_fixtures(tmp_path, shared_fixtures):
    config = write_config(tmp_path / "apipulse.yml", f"""
sources:
  github: {{mode: file, paths: ["{shared_fixtures / 'github'}"]}}
  statuspage: {{mode: file, paths: ["{shared_fixtures / 'statuspage'}"]}}
  support: {{mode: file, paths: ["{shared_fixtures / 'support' / 'zendesk-api-v2'}"]}}
""")
    result = dg.materialize([github.github_raw, statuspage.statuspage_raw, support.support_raw],
                            resources=resources(tmp_path, config))
    assert result.success
    with duckdb.connect(str(tmp_path / "w.duckdb"), read_only=True) as con:
        # The same exact counts as tests/integration/test_ingestion_fixtures.py.
        assert count(con, "github_issues") == 26
        assert count(con, "statuspage_incidents") == 101
        assert count(con, "statuspage_components") == 11
        assert count(con, "support_tickets") == 100
        assert count(con, "support_satisfaction_ratings") == 65


def test_disabled_source_materializes_nothing(tmp_path):
    config = write_config(tmp_path / "apipulse.yml", "sources:\n  github: {enabled: false}\n")
    result = dg.materialize([github.github_raw], resources=resources(tmp_path, config))
    assert result.success
    assert result.asset_materializations_for_node("github_raw") == []

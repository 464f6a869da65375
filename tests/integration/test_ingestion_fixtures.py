"""Every real fixture under ../shared/fixtures loads in file mode, unchanged, with exact counts."""

from __future__ import annotations

import json
from datetime import datetime

from orchestration.ingestion import gateway, github, statuspage, support


def count(con, table: str) -> int:
    return con.execute(f"select count(*) from raw.{table}").fetchone()[0]


def test_github_recordings_load_with_pull_requests_told_apart(warehouse, shared_fixtures):
    folder = shared_fixtures / "github" / "octokit-paginate-issues"
    result = github.load_files(warehouse, sorted(folder.glob("*.json")))
    # Two recordings of the same scenario (two temporary repositories): each lists 13
    # issues over 5 pages (3+3+3+3+1); the creates (POST) are not list pages.
    assert result.rejected == 0
    assert count(warehouse, "github_issues") == 26
    repos = warehouse.execute(
        "select _repository, count(*) from raw.github_issues group by 1 order by 1"
    ).fetchall()
    assert [n for _, n in repos] == [13, 13]
    assert repos[0][0] == "octokit-fixture-org/paginate-issues"
    # The recorded token is a placeholder and must not have been stored anywhere.
    assert warehouse.execute(
        "select count(*) from raw.github_issues where cast(user as varchar) like '%token%'"
    ).fetchone()[0] == 0


def test_statuspage_incident_files_and_summary(warehouse, shared_fixtures):
    folder = shared_fixtures / "statuspage"
    paths = sorted(folder.rglob("*.json"))
    result = statuspage.load_files(warehouse, paths)
    assert result.rejected == 0
    # 100 incident files + 1 open incident in summary.json.
    assert count(warehouse, "statuspage_incidents") == 101
    summary = json.loads((folder / "githubstatus-summary" / "example.json").read_text())
    updates_in_files = sum(
        len(json.loads(p.read_text())["incident"]["incident_updates"])
        for p in (folder / "githubstatus-incidents").glob("*.json")
    ) + len(summary["incidents"][0]["incident_updates"])
    assert count(warehouse, "statuspage_incident_updates") == updates_in_files
    assert count(warehouse, "statuspage_components") == 11
    impacts = dict(warehouse.execute(
        "select impact, count(*) from raw.statuspage_incidents group by 1").fetchall())
    assert impacts == {"minor": 91, "major": 10}
    created = warehouse.execute(
        "select created_at from raw.statuspage_incidents where id = '02gsdsw3twdc'").fetchone()[0]
    assert created == datetime(2021, 11, 12, 23, 57, 42, 389000)


def test_zendesk_pages(warehouse, shared_fixtures):
    folder = shared_fixtures / "support" / "zendesk-api-v2"
    result = support.load_files(warehouse, sorted(folder.glob("*.json")))
    assert result.rejected == 0
    assert count(warehouse, "support_tickets") == 100
    assert count(warehouse, "support_ticket_metrics") == 100
    assert count(warehouse, "support_satisfaction_ratings") == 65
    reply = warehouse.execute(
        "select reply_time_in_minutes->>'calendar' from raw.support_ticket_metrics"
        " where id = 26211102").fetchone()[0]
    assert reply == "0"


def test_nasa_common_log_format_converted_to_utc(warehouse, shared_fixtures):
    path = shared_fixtures / "gateway" / "nasa-http-clf" / "access.log"
    result = gateway.load_files(warehouse, [path])
    assert result.rejected == 0
    assert count(warehouse, "gateway_requests") == 4000
    first = warehouse.execute(
        "select ts, method, path, status, bytes_out, gateway_kind from raw.gateway_requests"
        " order by ts, request_id limit 1").fetchone()
    # 01/Jul/1995:00:00:01 -0400 is 04:00:01 UTC; "GET /history/apollo/ HTTP/1.0" 200 6245
    assert first == (datetime(1995, 7, 1, 4, 0, 1), "GET", "/history/apollo/", 200, 6245, "nginx")
    # Hostnames and IPs are hashed, never stored raw.
    raw_hosts = warehouse.execute(
        "select count(*) from raw.gateway_requests where client_ip_hash like '%.%'").fetchone()[0]
    assert raw_hosts == 0


def test_reloading_every_fixture_changes_nothing(warehouse, shared_fixtures):
    loads = [
        (github.load_files, sorted((shared_fixtures / "github").rglob("*.json"))),
        (statuspage.load_files, sorted((shared_fixtures / "statuspage").rglob("*.json"))),
        (support.load_files, sorted((shared_fixtures / "support").rglob("*.json"))),
        (gateway.load_files, [shared_fixtures / "gateway" / "nasa-http-clf" / "access.log"]),
    ]
    tables = ["github_issues", "statuspage_incidents", "statuspage_incident_updates",
              "support_tickets", "support_ticket_metrics", "gateway_requests"]
    for load, paths in loads:
        load(warehouse, paths)
    snapshot = {t: warehouse.execute(f"select * from raw.{t} order by all").fetchall() for t in tables}
    for load, paths in loads:
        load(warehouse, paths)
    for t in tables:
        rows = warehouse.execute(f"select * from raw.{t} order by all").fetchall()
        if t == "gateway_requests":  # a re-loaded file is replaced as a whole, _loaded_at moves
            rows = [r[:-1] for r in rows]
            snapshot[t] = [r[:-1] for r in snapshot[t]]
        assert rows == snapshot[t], t

"""A world small enough to work out every metric by hand, written in each source's real format.

Consumers (Kong registry), all signing up in the ISO week starting Monday 2026-08-31:
  A  signed up 2026-09-01 10:00  first call 10:05 (401), first success 10:30  -> 30 min
  B  signed up 2026-09-01 12:00  first success 12:10                          -> 10 min
  C  signed up 2026-09-02 09:00  never calls
  time_to_first_success, cohort 2026-08-31: median(10, 30) = 20 min;
      p90 (continuous) = 10 + 0.9 * (30 - 10) = 28 min
  onboarding_success_rate, cohort 2026-08-31: 2 succeeded within 7 days / 3 signed up = 0.6667

Gateway, 2026-09-01, product payments (routes get_payment, create_payment):
  A 401, A 200, B 200, B 200, B 429 (not valid), B 500 (bad); health checks (not valid) x2
  availability payments 2026-09-01: valid = 5 (401, 200, 200, 200, 500), good = 4 -> 0.8
  latency_p95 get_payment v2 2026-09-01 over successes only: latencies 100, 200, 300
      -> 200 + 0.9 * (300 - 200) = 290 ms  (positions: p95 at 0.95 * 2 = 1.9)

Status page: one incident created 2026-09-01 11:00:00Z, resolved 12:30:00Z -> 90 min.

Help desk (created 2026-09-01):
  T1 first reply after 120 min (2.0 h), rated good; T2 after 30 min (0.5 h), rated bad;
  T3 unanswered (still waiting, kept), unrated.
  ticket_first_response_time 2026-09-01: median(2.0, 0.5) = 1.25 h; csat = 1 / 2 = 0.5

GitHub (acme/widgets):
  issue #1 by alice at 00:00; alice (author) comments 01:00, dependabot[bot] (Bot) 02:00,
      maintainer bob (MEMBER) 04:00 -> issue_first_response_time 4.0 h
  issue #2 by carol at 00:00, no maintainer answer -> still waiting
  PR #3 (pull_request key) is not an issue.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

DAY = "2026-09-01"


def _epoch(ts: str) -> int:
    return int(datetime.fromisoformat(ts).replace(tzinfo=UTC).timestamp())


CONSUMERS = [
    {"id": "c-a", "username": "alpha", "custom_id": "org_a", "created_at": _epoch("2026-09-01T10:00:00"),
     "tags": ["plan:free", "experiment:onboarding_quickstart:treatment", "region:eu"]},
    {"id": "c-b", "username": "beta", "custom_id": "org_b", "created_at": _epoch("2026-09-01T12:00:00"),
     "tags": ["plan:pro", "partner", "experiment:onboarding_quickstart:control", "region:us"]},
    {"id": "c-c", "username": "gamma", "custom_id": "org_c", "created_at": _epoch("2026-09-02T09:00:00"),
     "tags": ["plan:free", "experiment:onboarding_quickstart:control", "region:us"]},
]

# (request id, time, consumer, method, route, uri, status, latency ms)
REQUESTS = [
    ("r1", "2026-09-01T10:05:00", "c-a", "GET", "get_payment", "/v2/payments/p1", 401, 20),
    ("r2", "2026-09-01T10:30:00", "c-a", "GET", "get_payment", "/v2/payments/p1", 200, 100),
    ("r3", "2026-09-01T12:10:00", "c-b", "GET", "get_payment", "/v2/payments/p2", 200, 200),
    ("r4", "2026-09-01T12:20:00", "c-b", "GET", "get_payment", "/v2/payments/p3", 200, 300),
    ("r5", "2026-09-01T12:21:00", "c-b", "POST", "create_payment", "/v2/payments", 429, 5),
    ("r6", "2026-09-01T12:22:00", "c-b", "POST", "create_payment", "/v2/payments", 500, 900),
    ("h1", "2026-09-01T12:00:00", None, "GET", "health", "/health", 200, 1),
    ("h2", "2026-09-01T12:01:00", None, "GET", "health", "/health", 503, 1),
]


def _kong_line(rid, ts, consumer, method, route, uri, status, latency) -> str:
    line = {
        "request": {"id": rid, "method": method, "uri": uri, "url": "https://api.acme.test" + uri,
                    "size": 100, "querystring": {},
                    "headers": {"host": "api.acme.test", "user-agent": "acme-python/2.4.1",
                                "apikey": f"key_{consumer}"}},
        "response": {"status": status, "size": 200, "headers": {}},
        "latencies": {"request": latency, "proxy": max(latency - 2, 0), "kong": 2},
        "started_at": _epoch(ts) * 1000,
        "client_ip": "203.0.113.7",
        "route": {"id": route, "name": route, "paths": [uri]},
        "service": {"id": "s", "name": "payments" if route != "health" else "platform"},
    }
    if consumer:
        line["consumer"] = {"id": consumer, "username": consumer, "custom_id": consumer}
        line["authenticated_entity"] = {"id": "cred", "consumer_id": {"id": consumer}}
    return json.dumps(line)


def _ticket(tid: int, reply_minutes, score: str, status: str) -> tuple[dict, dict]:
    created = "2026-09-01T09:00:00Z"
    ticket = {
        "id": tid, "url": f"https://acme.zendesk.com/api/v2/tickets/{tid}.json", "external_id": None,
        "via": {"channel": "web"}, "created_at": created, "updated_at": "2026-09-02T09:00:00Z",
        "type": "question", "subject": f"ticket {tid}", "description": "private text",
        "priority": "normal", "status": status, "requester_id": 100 + tid, "submitter_id": 100 + tid,
        "assignee_id": 7, "organization_id": 9, "group_id": 3, "tags": ["auth"],
        "custom_fields": [{"id": 360000000001, "value": "org_a"},
                          {"id": 360000000002, "value": None}],
        "satisfaction_rating": {"score": score, "comment": None, "reason": None},
    }
    metric = {
        "id": 1000 + tid, "ticket_id": tid, "created_at": created,
        "updated_at": "2026-09-02T09:00:00Z", "assigned_at": created,
        "solved_at": "2026-09-02T09:00:00Z" if status == "solved" else None,
        "latest_comment_added_at": created, "reopens": 0, "replies": 1 if reply_minutes else 0,
        "reply_time_in_minutes": {"calendar": reply_minutes, "business": reply_minutes},
        "first_resolution_time_in_minutes": {"calendar": None, "business": None},
        "full_resolution_time_in_minutes": {"calendar": None, "business": None},
        "agent_wait_time_in_minutes": {"calendar": None, "business": None},
        "requester_wait_time_in_minutes": {"calendar": None, "business": None},
        "on_hold_time_in_minutes": {"calendar": 0, "business": 0},
    }
    return ticket, metric


def _user(login: str, uid: int, kind: str = "User") -> dict:
    return {"login": login, "id": uid, "type": kind}


def _issue(number: int, author: dict, association: str, pr: bool = False) -> dict:
    base = "https://api.github.com/repos/acme/widgets"
    issue = {
        "id": 5000 + number, "node_id": f"I_{number}", "url": f"{base}/issues/{number}",
        "repository_url": base, "html_url": f"https://github.com/acme/widgets/issues/{number}",
        "number": number, "title": f"issue {number}", "body": "", "state": "open",
        "state_reason": None, "locked": False, "user": author, "author_association": association,
        "labels": [{"id": 1, "name": "bug"}], "assignee": None, "assignees": [], "milestone": None,
        "comments": 0, "reactions": {"total_count": 0}, "created_at": "2026-09-01T00:00:00Z",
        "updated_at": "2026-09-01T05:00:00Z", "closed_at": None, "closed_by": None,
        "performed_via_github_app": None,
    }
    if pr:
        issue["pull_request"] = {"url": f"{base}/pulls/{number}", "merged_at": None}
    return issue


def _comment(cid: int, number: int, user: dict, association: str, at: str) -> dict:
    base = "https://api.github.com/repos/acme/widgets"
    return {"id": cid, "node_id": f"C_{cid}", "url": f"{base}/issues/comments/{cid}",
            "html_url": f"https://github.com/acme/widgets/issues/{number}#c{cid}",
            "issue_url": f"{base}/issues/{number}", "user": user,
            "author_association": association, "created_at": at, "updated_at": at, "body": "…"}


def write_tiny_world(root: Path) -> Path:
    """Write the world described above under `root` in the sample world's layout."""
    (root / "consumers").mkdir(parents=True)
    (root / "consumers" / "consumers-0001.json").write_text(
        json.dumps({"data": CONSUMERS, "next": None}))

    (root / "gateway" / "kong").mkdir(parents=True)
    (root / "gateway" / "kong" / f"{DAY}.log").write_text(
        "\n".join(_kong_line(*r) for r in REQUESTS) + "\n")

    page = {"id": "acmepage", "name": "Acme API", "url": "https://status.acme.test",
            "time_zone": "Etc/UTC", "updated_at": "2026-09-01T23:00:00.000Z"}
    incident = {
        "id": "inc1", "name": "Elevated errors on Payments API", "status": "resolved",
        "impact": "major", "created_at": "2026-09-01T11:00:00.000Z",
        "updated_at": "2026-09-01T12:30:00.000Z", "started_at": "2026-09-01T11:00:00.000Z",
        "monitoring_at": None, "resolved_at": "2026-09-01T12:30:00.000Z",
        "shortlink": "https://stspg.io/x", "page_id": "acmepage", "components": [],
        "incident_updates": [
            {"id": "u1", "incident_id": "inc1", "status": "investigating", "body": "Looking.",
             "created_at": "2026-09-01T11:00:00.000Z", "updated_at": "2026-09-01T11:00:00.000Z",
             "display_at": "2026-09-01T11:00:00.000Z", "affected_components": None},
            {"id": "u2", "incident_id": "inc1", "status": "resolved", "body": "Fixed.",
             "created_at": "2026-09-01T12:30:00.000Z", "updated_at": "2026-09-01T12:30:00.000Z",
             "display_at": "2026-09-01T12:30:00.000Z", "affected_components": None},
        ],
    }
    (root / "statuspage" / "acme-api" / "incidents").mkdir(parents=True)
    (root / "statuspage" / "acme-api" / "incidents" / "20260901T230000Z.json").write_text(
        json.dumps({"page": page, "incidents": [incident]}))

    tickets, metrics = zip(_ticket(1, 120, "good", "solved"), _ticket(2, 30, "bad", "solved"),
                           _ticket(3, None, "unoffered", "new"), strict=True)
    (root / "support" / "tickets").mkdir(parents=True)
    (root / "support" / "tickets" / "export-0001.json").write_text(json.dumps({
        "tickets": list(tickets), "metric_sets": list(metrics), "after_url": None,
        "after_cursor": None, "before_url": None, "before_cursor": None, "end_of_stream": True}))

    alice, bob, carol = _user("alice", 1), _user("bob", 2), _user("carol", 3)
    bot = _user("dependabot[bot]", 4, "Bot")
    issues = [_issue(1, alice, "NONE"), _issue(2, carol, "NONE"),
              _issue(3, carol, "CONTRIBUTOR", pr=True)]
    comments = [
        _comment(11, 1, alice, "NONE", "2026-09-01T01:00:00Z"),
        _comment(12, 1, bot, "MEMBER", "2026-09-01T02:00:00Z"),
        _comment(13, 1, bob, "MEMBER", "2026-09-01T04:00:00Z"),
        _comment(14, 2, carol, "NONE", "2026-09-01T03:00:00Z"),
    ]
    for kind, items in (("issues", issues), ("comments", comments)):
        folder = root / "github" / kind / "acme__widgets"
        folder.mkdir(parents=True)
        (folder / "page-0001.json").write_text(json.dumps(items))
    return root

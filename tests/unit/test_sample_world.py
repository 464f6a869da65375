"""The sample world generator: deterministic, in the sources' real shapes, and coherent
(the facts planted in world.json are visible, or deliberately invisible, in the files)."""

from __future__ import annotations

import csv
import gzip
import json
import re
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from statistics import median
from typing import NamedTuple

import duckdb
import pytest

from orchestration.sample_data import WorldParams, WorldSummary, generate_world
from orchestration.sample_data.__main__ import main as cli_main
from orchestration.sample_data.params import ROUTES, USER_AGENTS, VERSIONS

REPO_ROOT = Path(__file__).resolve().parents[2]
SEEDS = REPO_ROOT / "seeds"
TINY = WorldParams(consumers=12, days=10, requests_per_day=300)

SECONDS_Z = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$")
MILLIS_Z = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$")
TAG = re.compile(
    r"^(plan:(free|pro|enterprise)|partner|experiment:onboarding_quickstart:"
    r"(control|treatment)|region:(eu|us))$"
)


# --- helpers ----------------------------------------------------------------------------------


def load(path: Path):
    return json.loads(path.read_text(encoding="utf-8"))


def ts(text: str) -> datetime:
    return datetime.fromisoformat(text.replace("Z", "+00:00"))


def gateway_lines(root: Path) -> list[tuple[str, str]]:
    """(file name, raw line) for every line of every gateway log."""
    out = []
    for path in sorted((root / "gateway" / "kong").glob("*.log.gz")):
        with gzip.open(path, "rt", encoding="utf-8") as handle:
            out += [(path.name, line.rstrip("\n")) for line in handle]
    return out


def consumers_of(root: Path) -> list[dict]:
    return [
        c for p in sorted((root / "consumers").glob("consumers-*.json")) for c in load(p)["data"]
    ]


def tickets_of(root: Path) -> tuple[list[dict], list[dict]]:
    pages = [load(p) for p in sorted((root / "support" / "tickets").glob("export-*.json"))]
    return [t for p in pages for t in p["tickets"]], [m for p in pages for m in p["metric_sets"]]


def github_items(root: Path, kind: str) -> list[dict]:
    return [x for p in sorted((root / "github" / kind).glob("*/page-*.json")) for x in load(p)]


def snapshots(root: Path, page: str = "acme-api") -> list[tuple[str, dict]]:
    folder = root / "statuspage" / page / "incidents"
    return [(p.name, load(p)) for p in sorted(folder.glob("*.json"))]


def all_bytes(root: Path) -> dict[str, bytes]:
    return {
        str(p.relative_to(root)): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()
    }


@pytest.fixture(scope="module")
def tiny(tmp_path_factory) -> tuple[Path, WorldSummary]:
    out = tmp_path_factory.mktemp("tiny")
    return out, generate_world(out, TINY)


class Request(NamedTuple):
    consumer_id: str | None
    status: int
    started_at: int
    route: str
    product: str
    uri: str


@pytest.fixture(scope="module")
def default_world(tmp_path_factory) -> tuple[Path, list[Request]]:
    """The default-size world (a few seconds) and the gateway fields the tests need
    (read with DuckDB: half a million lines are too slow for json.loads in a unit test)."""
    out = tmp_path_factory.mktemp("default")
    generate_world(out, WorldParams())
    columns = (
        "{consumer: 'STRUCT(id VARCHAR)', response: 'STRUCT(status INTEGER)', "
        "started_at: 'BIGINT', route: 'STRUCT(name VARCHAR)', "
        "service: 'STRUCT(name VARCHAR)', request: 'STRUCT(uri VARCHAR)'}"
    )
    rows = duckdb.sql(
        "select consumer.id, response.status, started_at, route.name, service.name, request.uri"
        f" from read_json('{out}/gateway/kong/*.log.gz', format='newline_delimited',"
        f" columns={columns})"
    ).fetchall()
    return out, [Request(*row) for row in rows]


# --- determinism and the public API -----------------------------------------------------------


def test_same_params_give_identical_bytes(tmp_path: Path) -> None:
    a = generate_world(tmp_path / "a", TINY)
    b = generate_world(tmp_path / "b", TINY)
    assert all_bytes(tmp_path / "a") == all_bytes(tmp_path / "b")
    assert [p.relative_to(a.out_dir) for p in a.files] == [
        p.relative_to(b.out_dir) for p in b.files
    ]
    other = generate_world(
        tmp_path / "c", WorldParams(seed=8, consumers=12, days=10, requests_per_day=300)
    )
    assert all_bytes(tmp_path / "a") != all_bytes(other.out_dir)


def test_block_sizes_do_not_change_the_world(tmp_path: Path, monkeypatch) -> None:
    # Large worlds draw their (rows x choices) matrices and write each day's log a block at
    # a time to bound memory; tiny blocks must give the same bytes as one block for all.
    from orchestration.sample_data import gateway, traffic

    params = WorldParams(consumers=12, days=4, requests_per_day=400)
    generate_world(tmp_path / "whole", params)
    monkeypatch.setattr(traffic, "BLOCK_ROWS", 37)
    monkeypatch.setattr(gateway, "LINES_PER_BLOCK", 29)
    monkeypatch.setattr(gateway, "PENDING_BLOCKS", 1)
    generate_world(tmp_path / "blocks", params)
    whole = all_bytes(tmp_path / "whole")
    assert all_bytes(tmp_path / "blocks") == whole
    days = [gzip.decompress(whole[f"gateway/kong/{params.day(d).isoformat()}.log.gz"])
            for d in range(params.days)]
    assert min(d.count(b"\n") for d in days) > 3 * 29  # every day spans several blocks


def test_rewriting_a_smaller_world_leaves_nothing_stale(tmp_path: Path) -> None:
    generate_world(tmp_path, WorldParams(consumers=12, days=12, requests_per_day=100))
    summary = generate_world(tmp_path, WorldParams(consumers=12, days=4, requests_per_day=100))
    assert len(list((tmp_path / "gateway" / "kong").glob("*.log.gz"))) == 4
    assert {p for p in tmp_path.rglob("*") if p.is_file()} == set(summary.files)


def test_summary_counts_match_the_files(tiny) -> None:
    root, summary = tiny
    assert summary.out_dir == root
    assert all(p.exists() for p in summary.files)
    assert (root / "world.json") in summary.files
    lines = gateway_lines(root)
    assert summary.gateway_lines == len(lines)
    assert summary.requests == len({json.loads(line)["request"]["id"] for _, line in lines})
    assert summary.consumers == len(consumers_of(root)) == TINY.consumers
    tickets, _ = tickets_of(root)
    assert summary.tickets == len(tickets)
    items = github_items(root, "issues")
    assert summary.pull_requests == sum("pull_request" in i for i in items) > 0
    assert summary.issues == sum("pull_request" not in i for i in items) > 0
    assert summary.comments == len(github_items(root, "comments"))
    ids = {
        i["id"]
        for page in ("acme-api", "cloudhost")
        for _, s in snapshots(root, page)
        for i in s["incidents"]
    }
    assert summary.incidents == len(ids)
    assert "consumers" in str(summary)


def test_params_are_validated() -> None:
    with pytest.raises(ValueError, match="consumers"):
        WorldParams(consumers=3)
    with pytest.raises(ValueError, match="days"):
        WorldParams(days=1)


def test_module_cli_writes_the_world(tmp_path: Path, capsys) -> None:
    code = cli_main(
        [
            str(tmp_path),
            "--consumers",
            "10",
            "--days",
            "3",
            "--requests-per-day",
            "50",
            "--seed",
            "3",
            "--quiet",
        ]
    )
    assert code == 0
    out = capsys.readouterr().out
    assert "gateway/kong/: 3 file(s)" in out
    assert load(tmp_path / "world.json")["params"]["seed"] == 3


# --- the catalogue agrees with the seeds --------------------------------------------------------


def test_catalogue_matches_the_seeds() -> None:
    with open(SEEDS / "api_routes.csv", newline="") as handle:
        seeded = {r["route_name"]: r for r in csv.DictReader(handle)}
    ours = {r.name: r for r in ROUTES}
    assert set(ours) | {"health"} == set(seeded)
    for name, route in ours.items():
        row = seeded[name]
        assert (route.template, route.method, route.product, route.released_on.isoformat()) == (
            row["route_template"],
            row["http_method"],
            row["product_id"],
            row["released_on"],
        )
    with open(SEEDS / "api_versions.csv", newline="") as handle:
        assert {r["api_version"]: r["released_on"] for r in csv.DictReader(handle)} == {
            v: d.isoformat() for v, d in VERSIONS.items()
        }
    with open(SEEDS / "sdks.csv", newline="") as handle:
        sdks = {r["sdk_name"] for r in csv.DictReader(handle)}
    assert {ua.split("/")[0] for ua, _ in USER_AGENTS} == sdks


# --- shapes -------------------------------------------------------------------------------------


def test_consumer_pages_are_kong_consumer_lists(tiny) -> None:
    root, _ = tiny
    pages = sorted((root / "consumers").glob("consumers-*.json"))
    assert pages[0].name == "consumers-0001.json"
    for k, page in enumerate(pages):
        document = load(page)
        assert set(document) == {"data", "next"}
        assert len(document["data"]) <= 100
        assert (document["next"] is None) == (k == len(pages) - 1)
        for c in document["data"]:
            assert {"id", "username", "custom_id", "created_at", "tags"} <= set(c)
            assert isinstance(c["created_at"], int)
            assert re.fullmatch(r"org_\d{4}", c["custom_id"])
            assert all(TAG.match(t) for t in c["tags"]), c["tags"]
            assert sum(t.startswith("plan:") for t in c["tags"]) == 1


def test_consumer_registry_mixes_established_and_new_signups(tiny) -> None:
    root, _ = tiny
    consumers = consumers_of(root)
    start = datetime(2026, 9, 1, tzinfo=UTC).timestamp()
    end = start + TINY.days * 86400
    before = [c for c in consumers if c["created_at"] < start]
    inside = [c for c in consumers if start <= c["created_at"] < end]
    assert len(before) + len(inside) == len(consumers)
    assert 0.2 <= len(before) / len(consumers) <= 0.4
    variants = [t.split(":")[-1] for c in inside for t in c["tags"] if t.startswith("experiment:")]
    assert len(variants) == len(inside)
    assert abs(variants.count("control") - variants.count("treatment")) <= 1
    assert not any(t.startswith("experiment:") for c in before for t in c["tags"])
    assert any("partner" in c["tags"] for c in consumers)
    assert any(c["created_at"] >= end - 3 * 86400 for c in inside)  # incomplete cohorts


def test_gateway_lines_are_kong_file_log_records(tiny) -> None:
    root, _ = tiny
    routes = {r.name: r for r in ROUTES}
    lines = gateway_lines(root)
    assert lines
    seen_statuses = set()
    for name, line in lines:
        record = json.loads(line)  # no malformed lines in the sample world
        request, response = record["request"], record["response"]
        assert {"id", "method", "uri", "url", "size", "querystring", "headers"} <= set(request)
        assert request["url"] == "https://api.acme.test" + request["uri"]
        assert {"host", "user-agent"} <= set(request["headers"])
        assert {"status", "size", "headers"} <= set(response)
        assert set(record["latencies"]) == {"request", "proxy", "kong"}
        assert isinstance(record["started_at"], int)
        day = datetime.fromtimestamp(record["started_at"] / 1000, UTC).date()
        assert name == f"{day.isoformat()}.log.gz"
        assert re.fullmatch(r"(203\.0\.113|198\.51\.100)\.\d{1,3}", record["client_ip"])
        assert record["upstream_uri"] == request["uri"]
        route = record["route"]["name"]
        assert {"id", "name", "paths"} <= set(record["route"])
        assert {"id", "name"} <= set(record["service"])
        seen_statuses.add(response["status"])
        if route == "health":
            assert request["uri"] == "/health" and "consumer" not in record
            continue
        assert record["service"]["name"] == routes[route].product
        assert re.match(r"^/v[123]/", request["uri"])
        if routes[route].product == "webhooks":
            assert day >= routes[route].released_on
        if "consumer" in record:
            assert set(record["consumer"]) == {"id", "username", "custom_id", "created_at"}
            assert record["authenticated_entity"]["consumer_id"]["id"] == record["consumer"]["id"]
            assert request["headers"]["apikey"].startswith("key_")
        else:
            assert response["status"] == 401 and "authenticated_entity" not in record
    assert {200, 201, 401} <= seen_statuses


def test_gateway_repeats_a_few_lines_exactly(tiny) -> None:
    root, _ = tiny
    lines = [line for _, line in gateway_lines(root)]
    duplicates = len(lines) - len(set(lines))
    assert 1 <= duplicates <= 0.005 * len(lines)
    ids = [json.loads(line)["request"]["id"] for line in set(lines)]
    assert len(ids) == len(set(ids))  # a repeated request is always the exact same line


def test_statuspage_files_have_the_v2_shapes(tiny) -> None:
    root, _ = tiny
    for page in ("acme-api", "cloudhost"):
        components = load(root / "statuspage" / page / "components.json")
        assert {"id", "name", "url", "time_zone", "updated_at"} <= set(components["page"])
        for c in components["components"]:
            assert {
                "id",
                "name",
                "status",
                "created_at",
                "updated_at",
                "position",
                "description",
                "group_id",
                "page_id",
                "group",
                "only_show_if_degraded",
            } <= set(c)
        taken = snapshots(root, page)
        assert len(taken) >= TINY.days
        for name, snap in taken:
            assert re.fullmatch(r"\d{8}T\d{6}Z\.json", name)
            assert set(snap) == {"page", "incidents"}
            created = [i["created_at"] for i in snap["incidents"]]
            assert created == sorted(created, reverse=True)  # newest first
            for inc in snap["incidents"]:
                assert {
                    "id",
                    "name",
                    "status",
                    "impact",
                    "created_at",
                    "updated_at",
                    "started_at",
                    "monitoring_at",
                    "resolved_at",
                    "shortlink",
                    "page_id",
                    "incident_updates",
                    "components",
                } <= set(inc)
                assert MILLIS_Z.match(inc["created_at"]) and MILLIS_Z.match(inc["updated_at"])
                for u in inc["incident_updates"]:
                    assert {
                        "id",
                        "incident_id",
                        "status",
                        "body",
                        "created_at",
                        "updated_at",
                        "display_at",
                        "affected_components",
                    } <= set(u)
                    for a in u["affected_components"] or []:
                        assert set(a) == {"code", "name", "old_status", "new_status"}
                assert (inc["resolved_at"] is None) == (
                    inc["status"] in ("investigating", "identified", "monitoring")
                )


def test_statuspage_snapshots_hold_at_most_50_incidents(tiny) -> None:
    root, _ = tiny
    taken = snapshots(root)
    assert all(len(s["incidents"]) <= 50 for _, s in taken)
    assert len(taken[0][1]["incidents"]) == 50  # history is long enough to fill the first one
    first_ids = {i["id"] for i in taken[0][1]["incidents"]}
    last_ids = {i["id"] for i in taken[-1][1]["incidents"]}
    assert first_ids - last_ids  # old incidents drop out as new ones arrive


def test_support_export_pages_are_zendesk_cursor_exports(tiny) -> None:
    root, _ = tiny
    pages = sorted((root / "support" / "tickets").glob("export-*.json"))
    docs = [load(p) for p in pages]
    assert [d["end_of_stream"] for d in docs] == [False] * (len(docs) - 1) + [True]
    tickets, metrics = tickets_of(root)
    assert tickets
    for d in docs:
        assert {
            "tickets",
            "metric_sets",
            "after_url",
            "after_cursor",
            "before_url",
            "before_cursor",
            "end_of_stream",
        } <= set(d)
        assert len(d["tickets"]) <= 1000
    assert [t["updated_at"] for t in tickets] == sorted(t["updated_at"] for t in tickets)
    for t in tickets:
        assert {
            "id",
            "url",
            "external_id",
            "via",
            "created_at",
            "updated_at",
            "type",
            "subject",
            "description",
            "priority",
            "status",
            "requester_id",
            "submitter_id",
            "assignee_id",
            "organization_id",
            "group_id",
            "tags",
            "custom_fields",
            "satisfaction_rating",
        } <= set(t)
        assert SECONDS_Z.match(t["created_at"]) and SECONDS_Z.match(t["updated_at"])
        assert t["type"] in ("problem", "incident", "question", "task")
        assert t["priority"] in ("urgent", "high", "normal", "low")
        assert t["status"] in ("new", "open", "pending", "hold", "solved", "closed")
        assert t["satisfaction_rating"]["score"] in ("good", "bad", "offered", "unoffered")
    assert sorted(m["ticket_id"] for m in metrics) == sorted(t["id"] for t in tickets)
    by_ticket = {m["ticket_id"]: m for m in metrics}
    for t in tickets:
        m = by_ticket[t["id"]]
        for key in (
            "reply_time_in_minutes",
            "first_resolution_time_in_minutes",
            "full_resolution_time_in_minutes",
            "agent_wait_time_in_minutes",
            "requester_wait_time_in_minutes",
            "on_hold_time_in_minutes",
        ):
            assert set(m[key]) == {"calendar", "business"}
        assert {
            "id",
            "created_at",
            "updated_at",
            "assigned_at",
            "solved_at",
            "latest_comment_added_at",
            "reopens",
            "replies",
        } <= set(m)
        assert (m["reply_time_in_minutes"]["calendar"] is None) == (t["status"] == "new")
        if t["status"] in ("solved", "closed"):
            assert m["solved_at"] is not None
    assert any(t["status"] == "new" for t in tickets)  # a few still wait for a first reply


def test_github_pages_are_issues_api_pages(tiny) -> None:
    root, _ = tiny
    for repo in TINY.repos:
        slug = repo.replace("/", "__")
        pages = sorted((root / "github" / "issues" / slug).glob("page-*.json"))
        items = [x for p in pages for x in load(p)]
        assert items and all(len(load(p)) <= 100 for p in pages)
        assert [i["updated_at"] for i in items] == sorted(i["updated_at"] for i in items)
        for i in items:
            assert {
                "id",
                "node_id",
                "number",
                "title",
                "body",
                "state",
                "state_reason",
                "locked",
                "user",
                "author_association",
                "labels",
                "assignee",
                "assignees",
                "milestone",
                "comments",
                "reactions",
                "created_at",
                "updated_at",
                "closed_at",
                "closed_by",
                "html_url",
                "url",
                "performed_via_github_app",
            } <= set(i)
            assert i["repository_url"] == f"https://api.github.com/repos/{repo}"
            assert SECONDS_Z.match(i["created_at"])
            assert (i["state"] == "closed") == (i["closed_at"] is not None)
            if i["state"] == "open":
                assert i["state_reason"] in (None, "reopened")
            assert {"login", "id", "type"} <= set(i["user"])
        comments = github_items(root, "comments")
        mine = [
            c
            for c in comments
            if c["issue_url"].startswith(f"https://api.github.com/repos/{repo}/issues/")
        ]
        numbers = {i["number"]: i for i in items}
        for c in mine:
            assert {
                "id",
                "node_id",
                "url",
                "html_url",
                "issue_url",
                "user",
                "author_association",
                "created_at",
                "updated_at",
                "body",
            } <= set(c)
            issue = numbers[int(c["issue_url"].rsplit("/", 1)[1])]
            assert c["created_at"] >= issue["created_at"]
        for number, issue in numbers.items():
            url = f"https://api.github.com/repos/{repo}/issues/{number}"
            assert issue["comments"] == sum(c["issue_url"] == url for c in mine)


def test_pull_requests_carry_the_pull_request_key_and_bots_are_bots(tiny) -> None:
    root, _ = tiny
    items = github_items(root, "issues")
    prs = [i for i in items if "pull_request" in i]
    assert prs
    for pr in prs:
        assert set(pr["pull_request"]) == {"url", "html_url", "diff_url", "patch_url", "merged_at"}
        assert "/pull/" in pr["html_url"]
        if pr["pull_request"]["merged_at"]:
            assert pr["state"] == "closed"
    assert any(pr["pull_request"]["merged_at"] for pr in prs)
    users = [i["user"] for i in items] + [c["user"] for c in github_items(root, "comments")]
    bots = {u["login"] for u in users if u["login"].endswith("[bot]")}
    assert bots == {"dependabot[bot]", "github-actions[bot]"}
    assert all(u["type"] == ("Bot" if u["login"].endswith("[bot]") else "User") for u in users)


def test_issue_conversations_look_like_real_maintainer_responses(tiny) -> None:
    root, _ = tiny
    issues = [i for i in github_items(root, "issues") if "pull_request" not in i]
    comments = github_items(root, "comments")
    maintainers = ("OWNER", "MEMBER", "COLLABORATOR")
    first = {}
    for c in sorted(comments, key=lambda c: c["created_at"]):
        first.setdefault(c["issue_url"], c)
    answered = [
        i
        for i in issues
        if any(
            c["issue_url"] == i["url"]
            and c["author_association"] in maintainers
            and c["user"]["type"] == "User"
            and c["user"]["login"] != i["user"]["login"]
            for c in comments
        )
    ]
    assert 0 < len(answered) < len(issues)  # most, not all, get a maintainer answer
    assert any(
        first[i["url"]]["author_association"] not in maintainers
        for i in issues
        if i["url"] in first
    )  # bots or authors speak first sometimes
    assert any(i["state"] == "open" for i in issues)


# --- coherence ----------------------------------------------------------------------------------


def test_consumers_call_only_after_signing_up(tiny) -> None:
    root, _ = tiny
    signed_up = {c["id"]: c["created_at"] for c in consumers_of(root)}
    calls = 0
    for _, line in gateway_lines(root):
        record = json.loads(line)
        consumer = record.get("consumer")
        if consumer:
            calls += 1
            assert consumer["created_at"] == signed_up[consumer["id"]]
            assert record["started_at"] / 1000 >= signed_up[consumer["id"]]
    assert calls > 0


def test_silent_outage_is_planted_but_never_announced(tiny) -> None:
    root, _ = tiny
    world = load(root / "world.json")
    silent = world["silent_outage"]
    assert silent["announced"] is False and silent["kind"] == "error_burst"
    assert silent["statuspage_created_at"] is None
    start, end = ts(silent["impact_start"]), ts(silent["impact_end"])
    texts = [p.read_text() for p in (root / "statuspage").rglob("*.json")]
    assert not any(silent["id"] in text for text in texts)
    for _, snap in snapshots(root):
        for inc in snap["incidents"]:
            created = ts(inc["created_at"])
            near = start - timedelta(hours=2) <= created <= end + timedelta(hours=2)
            assert not (near and any(c["name"] == silent["component"] for c in inc["components"]))


def test_announced_incidents_match_the_status_page(tiny) -> None:
    root, _ = tiny
    world = load(root / "world.json")
    kinds = [i["kind"] for i in world["incidents"]]
    assert kinds.count("error_burst") >= 3 and "latency_spike" in kinds and "no_impact" in kinds
    latest = {}
    for _, snap in snapshots(root):
        for inc in snap["incidents"]:
            latest[inc["id"]] = inc  # snapshots are in time order: the last one wins
    announced = [i for i in world["incidents"] if i["announced"]]
    assert len(announced) == 4
    for fact in announced:
        inc = latest[fact["id"]]
        assert inc["created_at"] == fact["statuspage_created_at"]
        assert inc["resolved_at"] == fact["statuspage_resolved_at"]
        assert inc["impact"] == fact["impact"]
        if fact["kind"] != "no_impact":
            assert ts(fact["impact_start"]) < ts(inc["created_at"])  # detected after impact
    major = next(i for i in announced if i["impact"] == "major")
    assert latest[major["id"]]["status"] == "postmortem"
    assert latest[major["id"]]["incident_updates"][0]["status"] == "postmortem"
    open_snapshot = any(
        i["status"] in ("investigating", "identified")
        for _, s in snapshots(root)
        for i in s["incidents"]
        if i["id"] in {f["id"] for f in announced}
    )
    assert open_snapshot


def test_every_ticket_names_a_real_consumer(tiny) -> None:
    root, _ = tiny
    signed_up = {c["custom_id"]: c["created_at"] for c in consumers_of(root)}
    custom_ids = set(signed_up)
    issue_urls = {i["html_url"] for i in github_items(root, "issues")}
    tickets, _ = tickets_of(root)
    linked = 0
    for t in tickets:
        fields = {f["id"]: f["value"] for f in t["custom_fields"]}
        assert fields[360000000001] in custom_ids
        assert ts(t["created_at"]).timestamp() >= signed_up[fields[360000000001]]
        if fields.get(360000000002):
            linked += 1
            assert fields[360000000002] in issue_urls
    assert linked >= 1


def test_world_json_records_the_planted_facts(tiny) -> None:
    root, _ = tiny
    world = load(root / "world.json")
    assert world["params"]["consumers"] == TINY.consumers
    assert world["experiment"]["id"] == "onboarding_quickstart"
    assert world["experiment"]["variants"] == ["control", "treatment"]
    partner_ids = {p["id"] for p in world["partners"]}
    tagged = {c["id"] for c in consumers_of(root) if "partner" in c["tags"]}
    assert partner_ids == tagged and partner_ids
    for inc in world["incidents"]:
        assert MILLIS_Z.match(inc["impact_start"]) and inc["impact_start"] < inc["impact_end"]
        assert inc["kind"] in ("error_burst", "latency_spike", "no_impact")


# --- the default-size world ------------------------------------------------------------------------


def test_treatment_reaches_first_success_faster(default_world) -> None:
    root, records = default_world
    consumers = {c["id"]: c for c in consumers_of(root)}
    first_success: dict[str, int] = {}
    for r in records:
        if r.consumer_id and 200 <= r.status < 400:
            first_success[r.consumer_id] = min(
                first_success.get(r.consumer_id, r.started_at), r.started_at
            )
    minutes = {"control": [], "treatment": []}
    signed_up = {"control": 0, "treatment": 0}
    within_7d = {"control": 0, "treatment": 0}
    for cid, c in consumers.items():
        arm = next((t.split(":")[-1] for t in c["tags"] if t.startswith("experiment:")), None)
        if arm is None:
            continue
        signed_up[arm] += 1
        if cid in first_success:
            m = (first_success[cid] / 1000 - c["created_at"]) / 60
            minutes[arm].append(m)
            within_7d[arm] += m <= 7 * 1440
    assert median(minutes["treatment"]) < 0.75 * median(minutes["control"])
    assert (
        within_7d["treatment"] / signed_up["treatment"]
        > within_7d["control"] / signed_up["control"]
    )


def test_error_bursts_are_visible_as_error_windows(default_world) -> None:
    """An error window: a minute where the product's 5xx share is > 5% with >= 20 requests."""
    root, records = default_world
    product_of = {r.name: r.product for r in ROUTES}
    per_minute: dict[tuple[str, int], list[int]] = {}
    for r in records:
        product = product_of.get(r.route)
        if product:
            key = (product, r.started_at // 60000)
            counts = per_minute.setdefault(key, [0, 0])
            counts[0] += 1
            counts[1] += r.status >= 500
    windows = {key for key, (n, errors) in per_minute.items() if n >= 20 and errors / n > 0.05}
    world = load(root / "world.json")
    for inc in world["incidents"]:
        start = int(ts(inc["impact_start"]).timestamp() // 60)
        end = int(ts(inc["impact_end"]).timestamp() // 60)
        hit = {m for (p, m) in windows if p == inc["product"] and start <= m <= end}
        if inc["kind"] == "error_burst":
            assert len(hit) >= (end - start) * 0.9, inc["key"]
        else:
            assert not hit, inc["key"]
    planted = {
        (i["product"], m)
        for i in world["incidents"]
        if i["kind"] == "error_burst"
        for m in range(
            int(ts(i["impact_start"]).timestamp() // 60),
            int(ts(i["impact_end"]).timestamp() // 60) + 1,
        )
    }
    assert windows <= planted  # no error window outside the planted bursts


def test_default_world_traffic_shape(default_world) -> None:
    _, records = default_world
    api = [r for r in records if r.route != "health"]
    health_minutes = {r.started_at // 60000 for r in records if r.route == "health"}
    assert len(health_minutes) == WorldParams().days * 1440  # the monitor calls every minute
    days = WorldParams().days
    assert 0.8 * 12000 <= len(api) / days <= 1.3 * 12000
    server = sum(r.status >= 500 for r in api) / len(api)
    assert 0.001 <= server <= 0.01  # baseline ~0.2% plus the planted bursts
    by_version = {v: sum(r.uri.startswith(f"/{v}/") for r in api) for v in VERSIONS}
    assert by_version["v2"] > by_version["v3"] > 0 and by_version["v1"] > 0
    webhooks_day = date(2026, 9, 14)
    first_webhook = min(r.started_at for r in api if r.product == "webhooks")
    assert datetime.fromtimestamp(first_webhook / 1000, UTC).date() >= webhooks_day


def test_sources_paginate_like_their_apis(tmp_path: Path, monkeypatch) -> None:
    from orchestration.sample_data import consumers, github, support

    monkeypatch.setattr(consumers, "PAGE_SIZE", 5)
    monkeypatch.setattr(support, "PAGE_SIZE", 3)
    monkeypatch.setattr(github, "PAGE_SIZE", 10)
    generate_world(tmp_path, TINY)
    pages = [load(p) for p in sorted((tmp_path / "consumers").glob("*.json"))]
    assert len(pages) == 3 and [len(p["data"]) for p in pages] == [5, 5, 2]
    assert all(p["next"].startswith("/consumers?offset=") for p in pages[:-1])
    exports = [load(p) for p in sorted((tmp_path / "support" / "tickets").glob("*.json"))]
    assert len(exports) > 1 and all(len(e["tickets"]) <= 3 for e in exports)
    assert [e["end_of_stream"] for e in exports][-2:] == [False, True]
    cursors = [
        (a["after_cursor"], b["before_cursor"]) for a, b in zip(exports, exports[1:], strict=False)
    ]
    assert all(after == before for after, before in cursors)
    updated = [t["updated_at"] for e in exports for t in e["tickets"]]
    assert updated == sorted(updated)
    issue_pages = sorted((tmp_path / "github" / "issues" / "acme__acme-python").glob("*.json"))
    assert len(issue_pages) > 1
    rows = [x for p in issue_pages for x in load(p)]
    assert [x["updated_at"] for x in rows] == sorted(x["updated_at"] for x in rows)

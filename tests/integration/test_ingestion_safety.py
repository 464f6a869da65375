"""Bad input is quarantined with file, line and reason; failed loads keep the last good data."""

from __future__ import annotations

import gzip
import json

import duckdb
import pytest

from orchestration.ingestion import consumers, gateway, github
from orchestration.ingestion.common import LoadError, check_reject_share


def kong_line(i: int, status: int = 200, day: int = 1) -> str:
    return json.dumps({
        "request": {"id": f"req-{day}-{i}", "method": "GET", "uri": f"/v2/payments/p{i}?expand=1",
                    "size": 120, "headers": {"user-agent": "acme-python/2.4.1 (python 3.11)",
                                             "apikey": "key_SECRET123"}},
        "response": {"status": status, "size": 512},
        "latencies": {"request": 100 + i, "proxy": 90 + i, "kong": 2},
        "started_at": 1788220800000 + (day - 1) * 86_400_000 + i * 1000,  # 2026-09-01T00:00Z
        "client_ip": "203.0.113.9",
        "route": {"name": "get_payment"}, "service": {"name": "payments"},
        "consumer": {"id": "c-1", "custom_id": "org_0001"},
    })


def test_kong_file_with_malformed_duplicate_and_truncated_lines(warehouse, tmp_path):
    good = [kong_line(i) for i in range(1, 11)]
    lines = good[:3] + ['{"request": {"id": "broken"'] + good[3:] + [good[0]] + ["not json at all"]
    plain = tmp_path / "2026-09-01.log"
    plain.write_text("\n".join(lines) + "\n")
    result = gateway.load_files(warehouse, [plain])
    assert warehouse.execute("select count(*) from raw.gateway_requests").fetchone()[0] == 10
    rejects = warehouse.execute(
        "select line, reason from raw.gateway_rejects order by line").fetchall()
    # Line 4 is cut JSON, line 13 is text; line 12 repeats line 1 (at-least-once shipping).
    assert [r[0] for r in rejects] == [4, 13]
    assert all("not a kong access log record" in r[1] for r in rejects)
    assert result.rejected == 2
    assert result.received == {"gateway_requests": 11}  # 10 requests + the repeated line

    # A truncated gzip keeps every complete line before the damage and says so.
    data = gzip.compress(("\n".join(good) + "\n").encode())
    damaged = tmp_path / "2026-09-02.log.gz"
    damaged.write_bytes(data[: len(data) - 40])
    result = gateway.load_files(warehouse, [damaged])
    reasons = [r[0] for r in warehouse.execute(
        "select reason from raw.gateway_rejects where source_file like '%09-02%'").fetchall()]
    assert any(r.startswith("file: damaged gzip") for r in reasons)
    assert result.rejected >= 1


def test_request_parsing_hashes_secrets_and_parses_versions(warehouse, tmp_path):
    path = tmp_path / "day.log"
    path.write_text(kong_line(1, status=503) + "\n")
    gateway.load_files(warehouse, [path])
    row = warehouse.execute(
        "select route, path, api_version, status, latency_ms, upstream_latency_ms, sdk_name,"
        " sdk_version, consumer_id, length(api_key_hash), log_date from raw.gateway_requests"
    ).fetchone()
    assert row[:9] == ("get_payment", "/v2/payments/p1", "v2", 503, 101.0, 91.0, "acme-python",
                       "2.4.1", "c-1")
    assert row[9] == 64
    dump = str(warehouse.execute("select * from raw.gateway_requests").fetchall())
    assert "key_SECRET123" not in dump and "203.0.113.9" not in dump


def test_reloading_a_day_replaces_exactly_that_day(warehouse, tmp_path):
    day1, day2 = tmp_path / "d1.log", tmp_path / "d2.log"
    day1.write_text("\n".join(kong_line(i, day=1) for i in range(5)) + "\n")
    day2.write_text("\n".join(kong_line(i, day=2) for i in range(7)) + "\n")
    gateway.load_files(warehouse, [day1, day2])
    day1.write_text("\n".join(kong_line(i, day=1, status=500) for i in range(3)) + "\n")
    gateway.load_files(warehouse, [day1])
    rows = dict(warehouse.execute(
        "select cast(log_date as varchar), count(*) from raw.gateway_requests group by 1").fetchall())
    assert rows == {"2026-09-01": 3, "2026-09-02": 7}


def test_reject_share_above_threshold_fails_with_a_clear_message(warehouse, tmp_path):
    path = tmp_path / "mostly-bad.log"
    path.write_text(kong_line(1) + "\ngarbage\ngarbage\n")
    result = gateway.load_files(warehouse, [path])
    with pytest.raises(LoadError, match=r"gateway: 2 of 3 records rejected .*raw\.gateway_rejects"):
        check_reject_share(result, 0.05)


def test_failed_load_leaves_previous_data_intact(warehouse, tmp_path):
    good = tmp_path / "page-1.json"
    good.write_text(json.dumps([{"id": 1, "number": 1, "title": "ok", "state": "open",
                                 "created_at": "2026-09-01T00:00:00Z",
                                 "updated_at": "2026-09-01T00:00:00Z",
                                 "repository_url": "https://api.github.com/repos/acme/x"}]))
    github.load_files(warehouse, [good])
    # An id beyond BIGINT makes the warehouse refuse the batch half-way through the write.
    bad = tmp_path / "page-2.json"
    bad.write_text(json.dumps([
        {"id": 2, "number": 2, "title": "new", "state": "open",
         "created_at": "2026-09-02T00:00:00Z", "updated_at": "2026-09-02T00:00:00Z"},
        {"id": 2**70, "number": 3, "title": "too big", "state": "open",
         "created_at": "2026-09-02T00:00:00Z", "updated_at": "2026-09-02T00:00:00Z"},
    ]))
    with pytest.raises(duckdb.Error):
        github.load_files(warehouse, [bad])
    assert warehouse.execute("select id, title from raw.github_issues").fetchall() == [(1, "ok")]


def test_bad_timestamp_is_rejected_with_the_field_named(warehouse, tmp_path):
    page = tmp_path / "page.json"
    page.write_text(json.dumps([
        {"id": 5, "number": 5, "state": "open", "created_at": "yesterday",
         "updated_at": "2026-09-02T00:00:00Z"},
    ]))
    result = github.load_files(warehouse, [page])
    assert result.rejected == 1
    line, reason = warehouse.execute("select line, reason from raw.github_rejects").fetchone()
    assert line == 0 and reason.startswith("github_issues.created_at:")


def test_consumer_csv_export(warehouse, tmp_path):
    path = tmp_path / "consumers.csv"
    path.write_text("id,username,custom_id,created_at,tags\n"
                    "c-1,alice,org_0001,2026-09-01T10:00:00Z,plan:pro;partner\n"
                    "c-2,bob,org_0002,1788220800,plan:free\n"
                    ",nobody,org_0003,2026-09-01T10:00:00Z,\n")
    result = consumers.load_files(warehouse, [path])
    assert result.rejected == 1  # the row without an id
    assert warehouse.execute(
        "select id, cast(created_at as varchar) from raw.gateway_consumers order by id").fetchall() == [
        ("c-1", "2026-09-01 10:00:00"), ("c-2", "2026-09-01 00:00:00")]
    assert warehouse.execute("select count(*) from raw.gateway_consumer_tags").fetchone()[0] == 3


def test_a_tag_removed_in_the_registry_disappears_and_a_reload_changes_nothing(warehouse, tmp_path):
    page = tmp_path / "consumers.json"
    page.write_text(json.dumps({"data": [
        {"id": "c-1", "username": "a", "custom_id": "org_1", "created_at": 1788220800,
         "tags": ["plan:free", "region:eu"]}], "next": None}))
    consumers.load_files(warehouse, [page])
    page.write_text(json.dumps({"data": [
        {"id": "c-1", "username": "a", "custom_id": "org_1", "created_at": 1788220800,
         "tags": ["plan:pro", "region:eu"]}], "next": None}))
    consumers.load_files(warehouse, [page])
    tags = warehouse.execute(
        "select tag from raw.gateway_consumer_tags order by tag").fetchall()
    assert tags == [("plan:pro",), ("region:eu",)]  # plan:free is gone, not doubled
    before = warehouse.execute("select * from raw.gateway_consumer_tags order by all").fetchall()
    consumers.load_files(warehouse, [page])
    assert warehouse.execute(
        "select * from raw.gateway_consumer_tags order by all").fetchall() == before

"""Pure parsing helpers of the loaders."""

from __future__ import annotations

from datetime import datetime

import pytest

from orchestration.ingestion.common import parse_timestamp
from orchestration.ingestion.gateway import detect_kind
from orchestration.ingestion.github import is_recording, repository_of


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("2021-11-12T23:57:42.389Z", datetime(2021, 11, 12, 23, 57, 42, 389000)),
        ("2026-09-01T10:00:00+02:00", datetime(2026, 9, 1, 8, 0, 0)),
        (1788220800, datetime(2026, 9, 1)),
        (1788220800123, datetime(2026, 9, 1, 0, 0, 0, 123000)),
        (None, None),
        ("", None),
    ],
)
def test_parse_timestamp(value, expected):
    assert parse_timestamp(value) == expected


def test_parse_timestamp_refuses_text():
    with pytest.raises(ValueError):
        parse_timestamp("yesterday")


@pytest.mark.parametrize(
    ("line", "kind"),
    [
        ('{"request": {"id": "x"}, "latencies": {"request": 1}}', "kong"),
        ('{"requestId": "x", "httpMethod": "GET"}', "aws"),
        ('[2026-09-01T00:00:00.000Z] "GET / HTTP/1.1" 200 - 0 10 3 2 "-" "curl/8" "id" "h" "u"', "envoy"),
        ('1.2.3.4 - - [01/Jul/1995:00:00:01 -0400] "GET / HTTP/1.0" 200 6245', "nginx"),
    ],
)
def test_detect_kind(line, kind):
    assert detect_kind(line) == kind


def test_repository_of():
    assert repository_of("https://api.github.com/repos/acme/acme-python/issues/3") == "acme/acme-python"
    assert repository_of("https://ghe.example.com/api/v3/repos/o/r") == "o/r"
    assert repository_of(None) is None


def test_is_recording():
    assert is_recording([{"method": "get", "path": "/x", "response": []}])
    assert not is_recording([{"id": 1, "number": 2}])

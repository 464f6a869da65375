"""Each gateway log format normalises to the same canonical columns."""

from __future__ import annotations

import json
from datetime import datetime

import pytest

from orchestration.ingestion import gateway

COLUMNS = ("ts", "method", "route", "path", "api_version", "status", "latency_ms",
           "upstream_latency_ms", "bytes_out", "sdk_name", "gateway_kind")


def load_one(warehouse, tmp_path, name: str, text: str, kind: str | None = None):
    path = tmp_path / name
    path.write_text(text)
    result = gateway.load_files(warehouse, [path], kind)
    rows = warehouse.execute(
        f"select {', '.join(COLUMNS)} from raw.gateway_requests order by ts").fetchall()
    return result, rows


def test_aws_api_gateway_json(warehouse, tmp_path):
    line = {"requestId": "abc-1", "requestTimeEpoch": 1788264000000,  # 2026-09-01T12:00:00Z
            "requestTime": "01/Sep/2026:12:00:00 +0000", "httpMethod": "GET",
            "resourcePath": "/v2/payments/{payment_id}", "path": "/v2/payments/p9", "stage": "prod",
            "status": "200", "responseLength": "512", "responseLatency": "87",
            "integrationLatency": "80", "identity": {"sourceIp": "198.51.100.4",
            "userAgent": "acme-node/3.1.0", "apiKeyId": "k-123"}}
    result, rows = load_one(warehouse, tmp_path, "aws.log", json.dumps(line) + "\n")
    assert result.rejected == 0
    assert rows == [(datetime(2026, 9, 1, 12), "GET", "/v2/payments/{payment_id}", "/v2/payments/p9",
                     "v2", 200, 87.0, 80.0, 512, "acme-node", "aws")]
    assert warehouse.execute("select consumer_id from raw.gateway_requests").fetchone() == ("k-123",)


def test_envoy_default_text_format(warehouse, tmp_path):
    line = ('[2026-09-01T12:00:00.123Z] "POST /v3/customers?x=1 HTTP/1.1" 201 - 120 340 45 40 '
            '"198.51.100.7" "acme-go/1.2.0" "req-77" "api.acme.test" "10.0.0.5:8080"\n')
    result, rows = load_one(warehouse, tmp_path, "envoy.log", line)
    assert result.rejected == 0
    assert rows == [(datetime(2026, 9, 1, 12, 0, 0, 123000), "POST", "/v3/customers",
                     "/v3/customers", "v3", 201, 45.0, 40.0, 340, "acme-go", "envoy")]


def test_envoy_json_format(warehouse, tmp_path):
    line = {"start_time": "2026-09-01T12:00:00.000Z", "method": "GET", "path": "/v1/payments",
            "protocol": "HTTP/1.1", "response_code": 503, "response_flags": "UF",
            "bytes_received": 0, "bytes_sent": 91, "duration": 3, "upstream_service_time": "-",
            "x_forwarded_for": "203.0.113.8", "user_agent": "curl/8.4.0", "request_id": "r-1",
            "authority": "api.acme.test", "upstream_host": "10.0.0.9:80"}
    result, rows = load_one(warehouse, tmp_path, "envoy.json", json.dumps(line) + "\n")
    assert result.rejected == 0
    assert rows == [(datetime(2026, 9, 1, 12), "GET", "/v1/payments", "/v1/payments", "v1", 503,
                     3.0, None, 91, "curl", "envoy_json")]


def test_nginx_combined_with_request_time_extra_fields_and_escaped_quotes(warehouse, tmp_path):
    lines = [
        # combined + $request_time
        '203.0.113.1 - org_7 [01/Sep/2026:14:00:00 +0200] "GET /v2/payments/p1 HTTP/1.1" 200 12 '
        '"-" "python-requests/2.31.0" 0.245',
        # combined + x-forwarded-for + request_time; a user agent with an escaped quote
        '203.0.113.2 - - [01/Sep/2026:14:00:01 +0200] "GET /health HTTP/1.1" 200 2 "-" '
        '"Mozilla/5.0 \\"probe\\"" "198.51.100.1" 0.001',
        # a bare CLF line
        '203.0.113.3 - - [01/Sep/2026:14:00:02 +0200] "GET /v1/customers HTTP/1.0" 404 -',
        # not a log line at all
        'garbage',
    ]
    result, rows = load_one(warehouse, tmp_path, "access.log", "\n".join(lines) + "\n")
    assert result.rejected == 1
    assert [r[0] for r in rows] == [datetime(2026, 9, 1, 12, 0, 0), datetime(2026, 9, 1, 12, 0, 1),
                                    datetime(2026, 9, 1, 12, 0, 2)]
    assert [r[6] for r in rows] == [pytest.approx(245.0), pytest.approx(1.0), None]
    assert [r[5] for r in rows] == [200, 200, 404]
    assert warehouse.execute("select consumer_id from raw.gateway_requests"
                             " where status = 200 and path like '/v2%'").fetchone() == ("org_7",)
    line, reason = warehouse.execute("select line, reason from raw.gateway_rejects").fetchone()
    assert line == 4 and "not a nginx access log record" in reason


@pytest.mark.parametrize("kind", ["kong", "aws", "envoy", "envoy_json", "nginx"])
def test_every_format_is_selectable(kind):
    assert kind in gateway.KINDS

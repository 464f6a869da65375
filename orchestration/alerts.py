"""Deliver alerts to each owner team's channel: Slack-compatible webhooks, retried, never twice.

A team's webhook URL comes from the environment (`APIPULSE_ALERT_WEBHOOK_<TEAM>`, else
`APIPULSE_ALERT_WEBHOOK_DEFAULT`): webhook URLs are secrets, so they never sit in files,
logs or error messages. Every alert has a stable key; a ledger table in the warehouse
(`alerts.deliveries`) records what was delivered, so re-running delivery after a crash or
on the next schedule tick posts only what has not reached its channel yet.
"""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime

import duckdb
import requests
from requests.adapters import HTTPAdapter
from urllib3.util.retry import Retry

LEDGER_DDL = (
    "create table if not exists alerts.deliveries (alert_key VARCHAR, team VARCHAR,"
    " kind VARCHAR, title VARCHAR, delivered_at TIMESTAMP, http_status INTEGER)"
)


@dataclass(frozen=True)
class Alert:
    """One thing a team must hear about. `identity` fields decide whether two are the same."""

    kind: str  # metric_alert | blocking_check | run_failure
    team: str
    severity: str  # page | ticket | review | error
    title: str
    text: str
    identity: tuple = field(default_factory=tuple)

    @property
    def key(self) -> str:
        raw = json.dumps([self.kind, self.team, *map(str, self.identity)], sort_keys=True)
        return hashlib.sha256(raw.encode()).hexdigest()[:32]

    def payload(self) -> dict:
        """Slack-compatible JSON: `text` for any receiver, blocks for Slack's layout."""
        return {
            "text": f"[{self.severity.upper()}] {self.title}",
            "blocks": [
                {"type": "header", "text": {"type": "plain_text", "text": self.title[:150]}},
                {"type": "section", "text": {"type": "mrkdwn", "text": self.text[:2900]}},
                {"type": "context", "elements": [{"type": "mrkdwn", "text":
                    f"team *{self.team}* · severity *{self.severity}* · {self.kind} · API Pulse"}]},
            ],
        }


@dataclass
class DeliveryReport:
    delivered: list[Alert] = field(default_factory=list)
    already_delivered: int = 0
    no_channel: dict[str, int] = field(default_factory=dict)
    failed: list[tuple[Alert, str]] = field(default_factory=list)


def webhook_for(team: str, environ: dict | None = None) -> str | None:
    env = os.environ if environ is None else environ
    name = "APIPULSE_ALERT_WEBHOOK_" + "".join(c if c.isalnum() else "_" for c in team).upper()
    return env.get(name) or env.get("APIPULSE_ALERT_WEBHOOK_DEFAULT")


def _session(retries: int, backoff: float) -> requests.Session:
    # POSTs are retried on connection errors and 429/5xx; urllib3 honours Retry-After.
    retry = Retry(total=retries, backoff_factor=backoff, status_forcelist=(429, 500, 502, 503, 504),
                  allowed_methods=frozenset({"POST"}), respect_retry_after_header=True,
                  raise_on_status=False)
    session = requests.Session()
    session.mount("http://", HTTPAdapter(max_retries=retry))
    session.mount("https://", HTTPAdapter(max_retries=retry))
    return session


def ensure_ledger(con: duckdb.DuckDBPyConnection) -> None:
    con.execute("create schema if not exists alerts")
    con.execute(LEDGER_DDL)


def deliver(con: duckdb.DuckDBPyConnection, alerts: Iterable[Alert], *,
            environ: dict | None = None, retries: int = 3, backoff: float = 0.5,
            timeout: float = 10.0) -> DeliveryReport:
    """Post every alert not yet delivered to its team's webhook; record each success at once."""
    ensure_ledger(con)
    done = {k for (k,) in con.execute("select alert_key from alerts.deliveries").fetchall()}
    report = DeliveryReport()
    session = _session(retries, backoff)
    seen: set[str] = set()
    for alert in alerts:
        if alert.key in done or alert.key in seen:
            report.already_delivered += 1
            continue
        seen.add(alert.key)
        url = webhook_for(alert.team, environ)
        if not url:
            report.no_channel[alert.team] = report.no_channel.get(alert.team, 0) + 1
            continue
        try:
            response = session.post(url, json=alert.payload(), timeout=timeout)
        except requests.RequestException as exc:
            # The URL is a secret: name the team, never the address.
            report.failed.append((alert, f"{alert.team} webhook unreachable ({type(exc).__name__})"))
            continue
        if response.status_code >= 300:
            report.failed.append((alert, f"{alert.team} webhook answered HTTP {response.status_code}"))
            continue
        con.execute(
            "insert into alerts.deliveries values (?, ?, ?, ?, ?, ?)",
            [alert.key, alert.team, alert.kind, alert.title,
             datetime.now(UTC).replace(tzinfo=None), response.status_code],
        )
        report.delivered.append(alert)
    return report


def _table_exists(con: duckdb.DuckDBPyConnection, schema: str, table: str) -> bool:
    return bool(con.execute(
        "select count(*) from information_schema.tables where table_schema = ? and table_name = ?",
        [schema, table],
    ).fetchone()[0])


def blocking_check_alerts(con: duckdb.DuckDBPyConnection, since: datetime | None = None) -> list[Alert]:
    """Failed `error` expectations recorded by the quality checks, one alert per team × asset × run."""
    if not _table_exists(con, "quality", "validation_results"):
        return []
    rows = con.execute(
        """
        select team, asset, cast(run_at as varchar) as run_at,
               string_agg(expectation, ', ' order by expectation) as failed
        from quality.validation_results
        where not success and severity = 'error' and (? is null or run_at >= ?)
        group by team, asset, run_at
        order by run_at, team, asset
        """,
        [since, since],
    ).fetchall()
    return [
        Alert(kind="blocking_check", team=team, severity="error",
              title=f"Data quality check failed: {asset}",
              text=f"Blocking expectations failed on `{asset}` at {run_at} UTC: {failed}. "
                   "Downstream assets were stopped; see the Data Docs (data/site/quality/).",
              identity=(asset, run_at))
        for team, asset, run_at, failed in rows
    ]


def metric_alerts(con: duckdb.DuckDBPyConnection,
                  severities: Sequence[str] = ("page", "ticket")) -> list[Alert]:
    """Rows of `marts.metric_alerts` (breaches, burn-rate episodes, anomalies) as alerts.

    Only `page` and `ticket` severities are pushed to channels by default; `review` alerts
    (most anomalies) stay on the scorecard, where someone reads them on their own schedule.
    """
    if not _table_exists(con, "marts", "metric_alerts"):
        return []
    rows = con.execute(
        "select alert_id, alert_kind, alert_tier, severity, owner_team, metric_id, segment,"
        " cast(coalesce(started_at, observed_on) as varchar), value, threshold, next_step"
        " from marts.metric_alerts where severity in (select unnest(?)) order by alert_id",
        [list(severities)],
    ).fetchall()
    alerts = []
    for (alert_id, kind, tier, severity, team, metric, segment, at, value, threshold,
         step) in rows:
        text = (f"*{metric}* ({segment}) — {kind} at {at} UTC: value {value}, "
                f"threshold {threshold}. Next step: {step or 'see the metric in the docs site'}.")
        alerts.append(Alert(kind="metric_alert", team=team or "analytics", severity=severity,
                            title=f"{tier} {kind}: {metric}", text=text, identity=(alert_id,)))
    return alerts

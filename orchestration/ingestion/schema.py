"""DDL of the raw layer (see docs/raw-layer.md): one place that says what each raw table holds."""

from __future__ import annotations

from dataclasses import dataclass

import duckdb

LOAD_COLUMNS = '"_source_file" VARCHAR, "_loaded_at" TIMESTAMP'


@dataclass(frozen=True)
class RawTable:
    name: str
    columns: tuple[tuple[str, str], ...]
    key: tuple[str, ...]
    # A child list (a consumer's tags): a load holding a parent replaces that parent's
    # whole list, so an entry removed at the source disappears here too.
    replaces_per: str | None = None

    @property
    def column_names(self) -> list[str]:
        return [c for c, _ in self.columns]

    def ddl(self, schema: str = "raw") -> str:
        cols = ", ".join(f'"{c}" {t}' for c, t in self.columns)
        return f'create table if not exists {schema}."{self.name}" ({cols}, {LOAD_COLUMNS})'


def _t(name: str, key: tuple[str, ...], spec: str, replaces_per: str | None = None) -> RawTable:
    cols = []
    for part in spec.split(","):
        col, typ = part.split()
        cols.append((col, typ))
    return RawTable(name, tuple(cols), key, replaces_per)


TS = "TIMESTAMP"

RAW_TABLES: dict[str, RawTable] = {
    t.name: t
    for t in [
        _t(
            "github_issues",
            ("id",),
            "id BIGINT, node_id VARCHAR, url VARCHAR, repository_url VARCHAR, html_url VARCHAR,"
            " number INTEGER, title VARCHAR, body VARCHAR, state VARCHAR, state_reason VARCHAR,"
            " locked BOOLEAN, user JSON, author_association VARCHAR, labels JSON, assignee JSON,"
            " assignees JSON, milestone JSON, comments INTEGER, reactions JSON, pull_request JSON,"
            f" created_at {TS}, updated_at {TS}, closed_at {TS}, closed_by JSON,"
            " performed_via_github_app JSON, _repository VARCHAR",
        ),
        _t(
            "github_comments",
            ("id",),
            "id BIGINT, node_id VARCHAR, url VARCHAR, html_url VARCHAR, issue_url VARCHAR,"
            f" user JSON, author_association VARCHAR, body VARCHAR, created_at {TS},"
            f" updated_at {TS}, _repository VARCHAR",
        ),
        _t(
            "statuspage_incidents",
            ("id",),
            "id VARCHAR, page_id VARCHAR, name VARCHAR, status VARCHAR, impact VARCHAR,"
            f" created_at {TS}, updated_at {TS}, started_at {TS}, monitoring_at {TS},"
            f" resolved_at {TS}, shortlink VARCHAR, components JSON, postmortem_body VARCHAR,"
            f" postmortem_published_at {TS}, backfilled BOOLEAN, _page_name VARCHAR",
        ),
        _t(
            "statuspage_incident_updates",
            ("id",),
            "id VARCHAR, incident_id VARCHAR, status VARCHAR, body VARCHAR,"
            f" created_at {TS}, updated_at {TS}, display_at {TS}, affected_components JSON",
        ),
        _t(
            "statuspage_components",
            ("id",),
            "id VARCHAR, page_id VARCHAR, name VARCHAR, status VARCHAR,"
            f" created_at {TS}, updated_at {TS}, position INTEGER, description VARCHAR,"
            " group_id VARCHAR, group BOOLEAN, only_show_if_degraded BOOLEAN",
        ),
        _t(
            "support_tickets",
            ("id",),
            f"id BIGINT, url VARCHAR, external_id VARCHAR, via JSON, created_at {TS},"
            f" updated_at {TS}, type VARCHAR, subject VARCHAR, description VARCHAR,"
            " priority VARCHAR, status VARCHAR, requester_id BIGINT, submitter_id BIGINT,"
            " assignee_id BIGINT, organization_id BIGINT, group_id BIGINT, tags JSON,"
            " custom_fields JSON, satisfaction_rating JSON",
        ),
        _t(
            "support_ticket_metrics",
            ("id",),
            f"id BIGINT, ticket_id BIGINT, created_at {TS}, updated_at {TS}, assigned_at {TS},"
            f" solved_at {TS}, latest_comment_added_at {TS}, reopens INTEGER, replies INTEGER,"
            " reply_time_in_minutes JSON, first_resolution_time_in_minutes JSON,"
            " full_resolution_time_in_minutes JSON, agent_wait_time_in_minutes JSON,"
            " requester_wait_time_in_minutes JSON, on_hold_time_in_minutes JSON",
        ),
        _t(
            "support_satisfaction_ratings",
            ("id",),
            "id BIGINT, ticket_id BIGINT, score VARCHAR, comment VARCHAR, reason VARCHAR,"
            " requester_id BIGINT, assignee_id BIGINT, group_id BIGINT,"
            f" created_at {TS}, updated_at {TS}",
        ),
        _t(
            "gateway_requests",
            ("log_date", "request_id"),
            f"request_id VARCHAR, ts {TS}, consumer_id VARCHAR, api_key_hash VARCHAR,"
            " method VARCHAR, route VARCHAR, path VARCHAR, api_version VARCHAR, status INTEGER,"
            " latency_ms DOUBLE, upstream_latency_ms DOUBLE, bytes_in BIGINT, bytes_out BIGINT,"
            " user_agent VARCHAR, sdk_name VARCHAR, sdk_version VARCHAR, client_ip_hash VARCHAR,"
            " region VARCHAR, gateway_kind VARCHAR, log_date DATE",
        ),
        _t(
            "gateway_consumers",
            ("id",),
            f"id VARCHAR, username VARCHAR, custom_id VARCHAR, created_at {TS}, tags JSON",
        ),
        _t("gateway_consumer_tags", ("consumer_id", "tag"), "consumer_id VARCHAR, tag VARCHAR",
           replaces_per="consumer_id"),
    ]
}

REJECTS_DDL = (
    'create table if not exists raw."{source}_rejects" (source_file VARCHAR, line BIGINT,'
    " reason VARCHAR, excerpt VARCHAR, _loaded_at TIMESTAMP)"
)
SOURCES = ("github", "statuspage", "support", "gateway", "consumers")

LOADS_DDL = (
    "create table if not exists raw._loads (load_id VARCHAR, source VARCHAR, files INTEGER,"
    " records_loaded BIGINT, records_rejected BIGINT, started_at TIMESTAMP,"
    " finished_at TIMESTAMP)"
)

# API-mode cursors and ETags, one row per (source, stream, key); written in the same
# transaction as the data they describe, so a failed pull never advances a cursor.
LOAD_STATE_DDL = (
    "create table if not exists raw._load_state (source VARCHAR, stream VARCHAR, key VARCHAR,"
    " value VARCHAR, updated_at TIMESTAMP, primary key (source, stream, key))"
)


def ensure_raw_schema(con: duckdb.DuckDBPyConnection) -> None:
    """Create schema `raw` and every raw, rejects and bookkeeping table if missing."""
    con.execute("create schema if not exists raw")
    for table in RAW_TABLES.values():
        con.execute(table.ddl())
    for source in SOURCES:
        con.execute(REJECTS_DDL.format(source=source))
    con.execute(LOADS_DDL)
    con.execute(LOAD_STATE_DDL)


if __name__ == "__main__":  # python -m orchestration.ingestion.schema WAREHOUSE
    import sys

    with duckdb.connect(sys.argv[1]) as connection:
        ensure_raw_schema(connection)
    print(f"raw schema ready in {sys.argv[1]}")

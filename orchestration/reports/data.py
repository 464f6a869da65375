"""What the scorecard page reads from the warehouse: plain rows, read-only, one connection.

Every query reads a mart (never raw or staging) and nothing is recomputed here: the
page shows what metric_scorecard, metrics_daily, metric_anomalies and metric_alerts hold.
"""

from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path

import duckdb

FAMILIES = ("onboarding", "adoption", "reliability", "developer_happiness", "ecosystem",
            "outcomes")
# A tile shows one series per metric: the whole population when there is one, else the
# segment in the worst state. Statistics and grains in order of preference.
STATISTIC_ORDER = ("value", "median", "mean", "rolling_28d", "max", "p90")
GRAIN_ORDER = ("day", "week", "month")
STATUS_ORDER = {"breach": 0, "warn": 1, "ok": 2, None: 3}
SEVERITY_ORDER = {"page": 0, "ticket": 1, "review": 2}
# Alerts observed in the last OPEN_DAYS days of data (or burn-rate episodes still firing)
# are the open ones; every current breach is open by construction.
OPEN_DAYS = 14
SPARK_POINTS = 60


@dataclass
class MetricTile:
    metric_id: str
    metric_name: str
    family: str
    unit: str
    direction: str
    owner_team: str
    description: str
    target: float | None = None
    grain: str | None = None
    segment: str | None = None
    statistic: str | None = None
    latest_on: date | None = None
    latest_value: float | None = None
    previous_value: float | None = None
    trend: str | None = None
    status: str | None = None
    is_good_move: bool | None = None
    is_complete: bool | None = None
    series: list[tuple[date, float]] = field(default_factory=list)
    anomalies: list[date] = field(default_factory=list)


@dataclass
class Alert:
    alert_id: str
    alert_kind: str
    metric_id: str
    segment: str | None
    observed_on: date
    value: float | None
    threshold: float | None
    alert_tier: str
    severity: str
    owner_team: str | None
    next_step: str


@dataclass
class ScorecardData:
    tiles: list[MetricTile]
    alerts: list[Alert]
    availability: dict[tuple[str, date], float]
    latency_p95: dict[tuple[str, date], float]
    heat_anomalies: set[tuple[str, date]]
    products: list[str]
    days: list[date]
    funnel: list[tuple[str, int]]
    retention: dict[tuple[date, int], tuple[float, bool]]
    as_of: date | None


def _rows(con: duckdb.DuckDBPyConnection, sql: str, params: list | None = None) -> list[dict]:
    cur = con.execute(sql, params or [])
    names = [d[0] for d in cur.description]
    return [dict(zip(names, r, strict=True)) for r in cur.fetchall()]


def pick_headline(rows: list[dict]) -> dict | None:
    """The series a tile shows: segment `all` first, else the worst status; then the
    preferred statistic and grain."""
    if not rows:
        return None

    def key(r: dict) -> tuple:
        return (
            r["segment"] != "all",
            STATISTIC_ORDER.index(r["statistic"]) if r["statistic"] in STATISTIC_ORDER else 99,
            GRAIN_ORDER.index(r["grain"]) if r["grain"] in GRAIN_ORDER else 99,
            STATUS_ORDER.get(r["status"], 3),
            r["segment"],
        )

    return min(rows, key=key)


def load(warehouse_path: str | Path) -> ScorecardData:
    con = duckdb.connect(str(warehouse_path), read_only=True)
    try:
        return _load(con)
    finally:
        con.close()


def _load(con: duckdb.DuckDBPyConnection) -> ScorecardData:
    definitions = _rows(con, "select metric_id, metric_name, family, unit, direction, owner_team,"
                             " target, description from seeds.metric_definitions order by metric_id")
    scorecard = _rows(con, "select * from marts.metric_scorecard")
    by_metric: dict[str, list[dict]] = {}
    for r in scorecard:
        by_metric.setdefault(r["metric_id"], []).append(r)

    tiles: list[MetricTile] = []
    for d in definitions:
        tile = MetricTile(
            metric_id=d["metric_id"], metric_name=d["metric_name"], family=d["family"],
            unit=d["unit"], direction=d["direction"], owner_team=d["owner_team"],
            description=d["description"] or "",
            target=float(d["target"]) if d["target"] not in (None, "") else None,
        )
        head = pick_headline(by_metric.get(d["metric_id"], []))
        if head:
            tile.grain, tile.segment, tile.statistic = head["grain"], head["segment"], head["statistic"]
            tile.latest_on, tile.latest_value = head["latest_on"], head["latest_value"]
            tile.previous_value, tile.trend = head["previous_value"], head["trend"]
            tile.status, tile.is_good_move = head["status"], head["is_good_move"]
            tile.is_complete = head["is_complete"]
            if head["target"] is not None:
                tile.target = head["target"]
            key = [d["metric_id"], head["grain"], head["segment"], head["statistic"]]
            tile.series = [
                (r["date"], r["value"]) for r in _rows(
                    con, "select date, value from (select date, value from marts.metrics_daily"
                         " where metric_id = ? and grain = ? and segment = ? and statistic = ?"
                         " order by date desc limit ?) order by date", [*key, SPARK_POINTS])
            ]
            tile.anomalies = [
                r["date"] for r in _rows(
                    con, "select date from marts.metric_anomalies where metric_id = ?"
                         " and grain = ? and segment = ? and statistic = ?", key)
            ]
        tiles.append(tile)

    as_of_row = con.execute("select max(date) from marts.metrics_daily").fetchone()
    as_of = as_of_row[0] if as_of_row else None

    alerts: list[Alert] = []
    if as_of is not None:
        since = as_of - timedelta(days=OPEN_DAYS - 1)
        for r in _rows(con, "select * from marts.metric_alerts where alert_kind = 'breach'"
                            " or observed_on >= ? or (alert_kind = 'burn_rate' and ended_at is null)",
                       [since]):
            alerts.append(Alert(
                alert_id=r["alert_id"], alert_kind=r["alert_kind"], metric_id=r["metric_id"],
                segment=r["segment"], observed_on=r["observed_on"], value=r["value"],
                threshold=r["threshold"], alert_tier=r["alert_tier"] or "adoption",
                severity=r["severity"], owner_team=r["owner_team"], next_step=r["next_step"]))
    alerts.sort(key=lambda a: (SEVERITY_ORDER.get(a.severity, 9),
                               -a.observed_on.toordinal(), a.metric_id))

    availability = {
        (r["product_id"], r["requested_on"]): r["availability"]
        for r in _rows(con, "select product_id, requested_on, availability"
                            " from marts.fct_availability_daily where availability is not null")
    }
    # fct_latency_daily is per route and version: a product's cell is its slowest route's p95.
    latency_p95 = {
        (r["product_id"], r["requested_on"]): r["p95"]
        for r in _rows(con, "select product_id, requested_on, max(latency_p95_ms) as p95"
                            " from marts.fct_latency_daily where latency_p95_ms is not null"
                            " group by 1, 2")
    }
    heat_anomalies = {
        (r["segment"].removeprefix("product:"), r["date"])
        for r in _rows(con, "select segment, date from marts.metric_anomalies"
                            " where metric_id = 'availability' and segment like 'product:%'")
    }
    products = sorted({p for p, _ in availability} | {p for p, _ in latency_p95})
    all_days = {d for _, d in availability} | {d for _, d in latency_p95}
    days = []
    if all_days:
        first, last = min(all_days), max(all_days)
        days = [first + timedelta(days=i) for i in range((last - first).days + 1)]

    f = con.execute("select count(*), count(first_call_at), count(first_success_at),"
                    " count(meaningful_use_at) from marts.fct_onboarding").fetchone()
    funnel = list(zip(("Signed up", "First call", "First success", "Meaningful use"), f,
                      strict=True))
    retention = {
        (r["cohort_week_start_on"], r["week_offset"]): (r["cohort_retention"], r["is_complete"])
        for r in _rows(con, "select cohort_week_start_on, week_offset, cohort_retention,"
                            " is_complete from marts.fct_cohort_retention"
                            " where cohort_retention is not null")
    }
    return ScorecardData(
        tiles=tiles, alerts=alerts, availability=availability, latency_p95=latency_p95,
        heat_anomalies=heat_anomalies, products=products, days=days, funnel=funnel,
        retention=retention, as_of=as_of,
    )

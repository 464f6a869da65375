"""The stakeholder scorecard: one static page, inline SVG charts, no script, no network.

`build_scorecard(warehouse_path, site_dir)` writes `<site_dir>/scorecard/index.html`.
"""

from datetime import date
from html import escape
from pathlib import Path

from orchestration import settings
from orchestration.reports import svg
from orchestration.reports.data import FAMILIES, Alert, MetricTile, ScorecardData, load
from orchestration.reports.links import definition_href, load_manifest

FAMILY_TITLES = {
    "onboarding": "Onboarding",
    "adoption": "Adoption and engagement",
    "reliability": "Reliability and performance",
    "developer_happiness": "Developer happiness",
    "ecosystem": "Ecosystem health",
    "outcomes": "Customer outcomes",
}
STATUS_COLOURS = {"ok": svg.GOOD, "warn": svg.WARN, "breach": svg.BAD, None: svg.NEUTRAL}
TREND_ARROWS = {"up": "▲", "down": "▼", "flat": "▶", None: ""}
TIER_TITLES = (
    ("reliability", "Reliability alerts", "SRE: availability, latency, burn rates, incidents."),
    ("developer_happiness", "Developer-happiness alerts",
     "Support and devrel: response times, CSAT, friction."),
    ("adoption", "Adoption alerts", "Product and devrel: onboarding, usage, versions."),
)
MAX_ALERTS_PER_TIER = 25
# Units shortened so a tile's value fits on one line.
SHORT_UNITS = {
    "consumers": "", "incidents": "", "issues": "", "routes": "routes",
    "requests_per_consumer": "calls each", "tickets_per_1k_consumers": "per 1k",
    "tickets_per_million_calls": "per 1M calls", "client_families": "families",
}
# Ratios that are multiples, not shares.
NOT_PERCENT = ("burn_rate_1h", "burn_rate_6h", "burn_rate_3d", "peak_latency_ratio")


def format_value(value: float | None, unit: str, metric_id: str = "") -> str:
    """A value in words people read: 99.95%, 42 min, 5.1 h, 320 ms, 1,204 consumers."""
    if value is None:
        return "–"
    if unit == "ratio" and metric_id not in NOT_PERCENT:
        digits = 2 if 0.99 <= abs(value) < 1 else 1
        return f"{value * 100:.{digits}f}%"
    if unit == "ratio":
        return f"{value:.2f}×"
    if unit == "minutes":
        return f"{value / 60:.1f} h" if abs(value) >= 120 else f"{value:.0f} min"
    if unit == "hours":
        return f"{value / 24:.1f} d" if abs(value) >= 72 else f"{value:.1f} h"
    if unit == "milliseconds":
        return f"{value:.0f} ms"
    if unit == "days":
        return f"{value:.0f} d"
    number = f"{value:,.0f}" if abs(value) >= 100 or float(value).is_integer() else f"{value:,.2f}"
    short = SHORT_UNITS.get(unit, unit.replace("_", " "))
    return f"{number} {short}".strip()


def _tile(t: MetricTile, href: str) -> str:
    colour = STATUS_COLOURS.get(t.status, svg.NEUTRAL)
    arrow = TREND_ARROWS.get(t.trend, "")
    move = ("good move" if t.is_good_move else "bad move") if t.is_good_move is not None else ""
    arrow_colour = {True: svg.GOOD, False: svg.BAD}.get(t.is_good_move, svg.NEUTRAL)
    series = ""
    if t.grain:
        series = (f"{t.statistic} per {t.grain}" + ("" if t.segment == "all" else f", {t.segment}")
                  + (f", latest {t.latest_on.isoformat()}" if t.latest_on else "")
                  + ("" if t.is_complete in (None, True) else " (still filling in)"))
    target = ("no target" if t.target is None
              else f"target {'≥' if t.direction == 'higher_is_better' else '≤'} "
                   f"{format_value(t.target, t.unit, t.metric_id)}")
    spark = svg.sparkline(t.series, t.anomalies, t.target,
                          label=f"{t.metric_name}: last {len(t.series)} values")
    anomalies = (f'<span class="anom">{len(t.anomalies)} anomal{"y" if len(t.anomalies) == 1 else "ies"}'
                 f" (red dots)</span>" if t.anomalies else "")
    return f"""
<article class="tile" id="tile-{t.metric_id}" data-metric-id="{t.metric_id}" data-status="{t.status or 'none'}" style="border-top-color:{colour}">
  <h3><a class="definition" href="{escape(href)}" title="Definition in the metric docs">{escape(t.metric_name)}</a></h3>
  <div class="value"><span class="status" style="background:{colour}">{escape(t.status or 'no status')}</span>
    <strong>{escape(format_value(t.latest_value, t.unit, t.metric_id))}</strong>
    <span class="trend" style="color:{arrow_colour}" title="{escape((t.trend or 'no trend') + (', ' + move if move else ''))}">{arrow}</span></div>
  <div class="meta">{escape(target)} · owner {escape(t.owner_team)}</div>
  {spark}
  <div class="meta">{escape(series)} {anomalies}</div>
</article>"""


def _alert_row(a: Alert) -> str:
    what = {"breach": "misses its target", "burn_rate": "burns error budget too fast",
            "anomaly": "moved unusually"}.get(a.alert_kind, a.alert_kind)
    return (f'<tr class="alert" data-alert-id="{escape(a.alert_id)}" data-severity="{a.severity}">'
            f'<td><span class="sev sev-{a.severity}">{a.severity}</span></td>'
            f'<td class="date">{a.observed_on.isoformat()}</td>'
            f"<td><b>{escape(a.metric_id)}</b> {escape(what)}"
            f'{"" if not a.segment or a.segment == "all" else " · " + escape(a.segment)}</td>'
            f"<td>{escape(a.owner_team or '–')}</td><td>{escape(a.next_step)}</td></tr>")


def _alerts(alerts: list[Alert]) -> str:
    out = []
    for tier, title, who in TIER_TITLES:
        mine = [a for a in alerts if a.alert_tier == tier]
        counts = {k: sum(a.alert_kind == k for a in mine) for k in ("breach", "burn_rate", "anomaly")}
        shown = mine[:MAX_ALERTS_PER_TIER]
        rows = "\n".join(_alert_row(a) for a in shown) or (
            '<tr><td colspan="5">No open alerts.</td></tr>')
        more = (f'<p class="note">…and {len(mine) - len(shown)} more (lower severity or older); '
                f"all of them are in table marts.metric_alerts.</p>" if len(mine) > len(shown) else "")
        out.append(f"""
<section class="alerts" id="alerts-{tier}" data-tier="{tier}">
  <h3>{title} <small>({len(mine)} open: {counts['breach']} breaches, {counts['burn_rate']} burn-rate episodes, {counts['anomaly']} anomalies)</small></h3>
  <p class="note">{who}</p>
  <table><thead><tr><th>severity</th><th>observed</th><th>what</th><th>owner</th><th>next step</th></tr></thead>
  <tbody>
{rows}
  </tbody></table>{more}
</section>""")
    return "\n".join(out)


def _availability_colour(v: float) -> str:
    if v >= 0.999:
        return svg.GOOD
    if v >= 0.99:
        return "#7fc97f" if v >= 0.995 else svg.WARN
    return svg.BAD


def _latency_colour(v: float) -> str:
    if v <= 250:
        return "#c6e48b"
    if v <= 400:
        return "#7bc96f"
    if v <= 800:
        return svg.WARN
    return svg.BAD


def _rows_with_data(cells: dict[tuple[str, date], float]) -> list[str]:
    return sorted({row for row, _ in cells})


def render(data: ScorecardData, hrefs: dict[str, str]) -> str:
    families = []
    for family in FAMILIES:
        tiles = [t for t in data.tiles if t.family == family]
        if tiles:
            families.append(
                f'<section class="family" id="family-{family}"><h2>{FAMILY_TITLES[family]}</h2>'
                f'<div class="tiles">{"".join(_tile(t, hrefs[t.metric_id]) for t in tiles)}</div>'
                "</section>")
    others = [t for t in data.tiles if t.family not in FAMILIES]
    if others:
        families.append('<section class="family" id="family-other"><h2>Other</h2><div class="tiles">'
                        + "".join(_tile(t, hrefs[t.metric_id]) for t in others) + "</div></section>")
    status_counts = {s: sum(t.status == s for t in data.tiles) for s in ("breach", "warn", "ok")}
    cohorts = sorted({c for c, _ in data.retention})[-16:]
    max_offset = max((k for _, k in data.retention), default=0)
    retention_cells = {k: v for k, v in data.retention.items() if k[0] in cohorts}
    as_of = data.as_of.isoformat() if isinstance(data.as_of, date) else "no data yet"
    return f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>API Pulse scorecard</title>
<style>
body {{ font-family: system-ui, -apple-system, "Segoe UI", sans-serif; margin: 0 24px 40px; color: #24292f; }}
header {{ display: flex; align-items: baseline; gap: 24px; flex-wrap: wrap; }}
nav a {{ margin-right: 12px; }}
h2 {{ border-bottom: 1px solid #d0d7de; padding-bottom: 4px; margin-top: 32px; }}
.tiles {{ display: grid; grid-template-columns: repeat(auto-fill, minmax(250px, 1fr)); gap: 12px; }}
.tile {{ border: 1px solid #d0d7de; border-top: 5px solid; border-radius: 6px; padding: 8px 12px; }}
.tile h3 {{ font-size: 14px; margin: 2px 0 6px; }}
.tile h3 a {{ color: inherit; }}
.value strong {{ font-size: 22px; margin: 0 6px; }}
.status {{ color: #fff; font-size: 11px; padding: 1px 6px; border-radius: 8px; }}
.trend {{ font-size: 14px; }}
.meta, .note {{ color: #57606a; font-size: 12px; }}
.anom {{ color: {svg.BAD}; }}
.chart {{ overflow-x: auto; }}
table {{ border-collapse: collapse; font-size: 13px; width: 100%; }}
th, td {{ text-align: left; border-bottom: 1px solid #eaeef2; padding: 3px 6px; vertical-align: top; }}
.sev {{ color: #fff; padding: 1px 6px; border-radius: 8px; font-size: 11px; }}
.sev-page {{ background: {svg.BAD}; }} .sev-ticket {{ background: {svg.WARN}; }} .sev-review {{ background: {svg.NEUTRAL}; }}
td.date {{ white-space: nowrap; }}
.summary span {{ margin-right: 14px; }}
</style></head>
<body>
<header><h1>API Pulse scorecard</h1>
<nav><a href="../index.html">Site index</a><a href="../docs/index.html">Metric definitions (dbt docs)</a><a href="../quality/index.html">Data quality</a></nav></header>
<p class="summary">Data up to <b>{as_of}</b>.
<span style="color:{svg.BAD}">{status_counts['breach']} metrics breach their target</span>
<span style="color:{svg.WARN}">{status_counts['warn']} close to it</span>
<span style="color:{svg.GOOD}">{status_counts['ok']} on target</span>
<span>{len(data.alerts)} open alerts</span></p>
<p class="note">Each tile shows a metric's latest value, its target, its status (green on target, amber within 2% of
it, red missing it, grey without a target) and its trend against the previous period (▲ up, ▼ down, ▶ flat; the arrow is
green when the move is good for that metric and red when it is bad). The line is the last values of the series, the dashed
line the target and red dots are anomalies. Click a metric's name for its definition.</p>
{"".join(families)}
<h2 id="reliability-heatmaps">Availability and latency by product and day</h2>
<div class="chart" id="heatmap-availability">{svg.heatmap(_rows_with_data(data.availability), data.days, data.availability, _availability_colour, lambda v: f"{v * 100:.2f}%", data.heat_anomalies, label="availability by product and day")}</div>
<p class="note">Availability: the share of valid requests (all but rate-limited requests and health checks) that did not
fail with a server error, per API product and day. Dark green is at or above 99.9%, light green above 99.5%, amber above
99%, red below. A black outline marks a day flagged as an anomaly.</p>
<div class="chart" id="heatmap-latency">{svg.heatmap(_rows_with_data(data.latency_p95), data.days, data.latency_p95, _latency_colour, lambda v: f"{v:.0f} ms", label="p95 latency by product and day")}</div>
<p class="note">p95 latency: for each product and day, the 95th-percentile response time of successful requests on the
product's slowest route. Light green is up to 250 ms, green up to 400 ms (the target), amber up to 800 ms, red above.</p>
<h2 id="onboarding-funnel">Onboarding funnel</h2>
<div class="chart" id="funnel">{svg.funnel(data.funnel)}</div>
<p class="note">Of all consumers that signed up, how many made a first call, had a first successful call and reached
meaningful use (10 successful calls on at least 3 routes), at any time so far.</p>
<h2 id="cohort-retention">Cohort retention</h2>
<div class="chart" id="retention">{svg.retention_grid(cohorts, max_offset, retention_cells)}</div>
<p class="note">Each row is the consumers who signed up in one week; each column a week after sign-up (w0 is the sign-up
week). A cell is the percentage of that cohort with at least one successful call in that week; darker is higher.
Dashed cells are weeks that have not ended yet.</p>
<h2 id="alerts">Open alerts</h2>
<p class="note">Target breaches of the latest period, burn-rate episodes and anomalies of the last 14 days of data,
most severe first, with the team that owns them and what to do next.</p>
{_alerts(data.alerts)}
</body></html>
"""


def build_scorecard(warehouse_path: str | Path, site_dir: str | Path) -> Path:
    """Write `<site_dir>/scorecard/index.html` from the warehouse (opened read-only)."""
    site_dir = Path(site_dir)
    data = load(warehouse_path)
    manifest = load_manifest(site_dir / "docs" / "manifest.json",
                             settings.DBT_PROJECT_DIR / "target" / "manifest.json")
    hrefs = {t.metric_id: definition_href(t.metric_id, manifest) for t in data.tiles}
    out = site_dir / "scorecard" / "index.html"
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = out.with_suffix(".html.tmp")
    tmp.write_text(render(data, hrefs), encoding="utf-8")
    tmp.replace(out)
    return out

"""The scorecard's pure parts: headline choice, value formatting, links, charts, rendering."""

from datetime import date, timedelta

from orchestration.reports import svg
from orchestration.reports.data import MetricTile, ScorecardData, pick_headline
from orchestration.reports.links import definition_href
from orchestration.reports.scorecard import format_value, render
from orchestration.reports.site_index import write_site_index


def _row(segment, statistic="value", grain="day", status=None):
    return {"segment": segment, "statistic": statistic, "grain": grain, "status": status}


def test_headline_prefers_all_then_statistic_then_grain():
    rows = [_row("all", "p90", "day"), _row("all", "median", "week"), _row("all", "median", "day")]
    assert pick_headline(rows) == _row("all", "median", "day")
    # No population-wide series: the segment in the worst state (breach before ok).
    rows = [_row("product:a", status="ok"), _row("product:b", status="breach")]
    assert pick_headline(rows)["segment"] == "product:b"
    assert pick_headline([]) is None


def test_format_value_by_unit():
    assert format_value(0.99953, "ratio", "availability") == "99.95%"
    assert format_value(0.4, "ratio") == "40.0%"
    assert format_value(2.36, "ratio", "burn_rate_3d") == "2.36×"  # a multiple, not a share
    assert format_value(58.2, "minutes") == "58 min"
    assert format_value(342.0, "minutes") == "5.7 h"  # 342 / 60
    assert format_value(2.17, "hours") == "2.2 h"
    assert format_value(183.0, "consumers") == "183"
    assert format_value(None, "ratio") == "–"


def test_definition_href_prefers_the_semantic_layer_metric():
    manifest = {
        "metadata": {"project_name": "apipulse"},
        "metrics": {"metric.apipulse.csat": {}},
        "nodes": {"model.apipulse.fct_onboarding": {
            "resource_type": "model",
            "columns": {"minutes_to_first_call": {
                "doc_blocks": ["doc.apipulse.metric_time_to_first_call"]}}}},
    }
    assert definition_href("csat", manifest) == "../docs/index.html#!/metric/metric.apipulse.csat"
    assert (definition_href("time_to_first_call", manifest)
            == "../docs/index.html#!/model/model.apipulse.fct_onboarding")
    assert (definition_href("unknown", manifest)
            == "../docs/index.html#!/seed/seed.apipulse.metric_definitions")


def test_sparkline_marks_anomalies_and_target():
    start = date(2026, 9, 1)
    points = [(start + timedelta(days=i), v) for i, v in enumerate([1.0, 2.0, 9.0, 2.0])]
    out = svg.sparkline(points, anomalies=[start + timedelta(days=2)], target=3.0)
    assert out.count('<circle class="anomaly"') == 1
    assert 'class="target"' in out and "<path d=\"M" in out
    assert "no data yet" in svg.sparkline([])


def test_render_has_a_tile_per_metric_and_escapes_text():
    tiles = [
        MetricTile("csat", "CSAT <good>", "developer_happiness", "ratio", "higher_is_better",
                   "support", "", target=0.9, grain="day", segment="all", statistic="value",
                   latest_on=date(2026, 9, 2), latest_value=0.95, trend="up", status="ok",
                   is_good_move=True, series=[(date(2026, 9, 1), 0.9), (date(2026, 9, 2), 0.95)]),
        MetricTile("route_adoption_days", "Route adoption days", "adoption", "days",
                   "lower_is_better", "product", "", target=90.0),
    ]
    data = ScorecardData(tiles=tiles, alerts=[], availability={}, latency_p95={},
                         heat_anomalies=set(), products=[], days=[], funnel=[("Signed up", 0)],
                         retention={}, as_of=date(2026, 9, 2))
    html = render(data, {t.metric_id: f"../docs/index.html#!/metric/metric.apipulse.{t.metric_id}"
                         for t in tiles})
    assert 'id="tile-csat"' in html and 'id="tile-route_adoption_days"' in html
    assert "CSAT &lt;good&gt;" in html and "95.0%" in html
    assert "No open alerts." in html
    assert "http://" not in html and "https://" not in html and "<script" not in html


def test_site_index_links_only_what_exists(tmp_path):
    (tmp_path / "scorecard").mkdir()
    (tmp_path / "scorecard" / "index.html").write_text("x")
    page = write_site_index(tmp_path).read_text()
    assert 'href="scorecard/index.html"' in page
    assert 'href="docs/index.html"' not in page and "not built yet" in page

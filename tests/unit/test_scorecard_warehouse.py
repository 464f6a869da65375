"""build_scorecard on a hand-made warehouse: what it reads, what it shows, read-only."""

from datetime import date, timedelta

import duckdb

from orchestration.reports import build_scorecard
from orchestration.reports.data import load

DDL = """
create schema seeds; create schema marts;
create table seeds.metric_definitions (metric_id varchar, metric_name varchar, family varchar,
  unit varchar, direction varchar, owner_team varchar, target double, description varchar);
create table marts.metric_scorecard (metric_id varchar, grain varchar, segment varchar,
  statistic varchar, latest_on date, latest_value double, previous_value double, trend varchar,
  target double, status varchar, is_good_move boolean, is_complete boolean);
create table marts.metrics_daily (metric_id varchar, date date, grain varchar, segment varchar,
  statistic varchar, value double, is_complete boolean);
create table marts.metric_anomalies (metric_id varchar, grain varchar, segment varchar,
  statistic varchar, date date);
create table marts.metric_alerts (alert_id varchar, alert_kind varchar, metric_id varchar,
  segment varchar, observed_on date, ended_at timestamp, value double, threshold double,
  alert_tier varchar, severity varchar, owner_team varchar, next_step varchar);
create table marts.fct_availability_daily (product_id varchar, requested_on date, availability double);
create table marts.fct_latency_daily (product_id varchar, requested_on date, latency_p95_ms double);
create table marts.fct_onboarding (consumer_id varchar, first_call_at timestamp,
  first_success_at timestamp, meaningful_use_at timestamp);
create table marts.fct_cohort_retention (cohort_week_start_on date, week_offset int,
  cohort_retention double, is_complete boolean);
"""
DAY0 = date(2026, 9, 1)


def _warehouse(path):
    con = duckdb.connect(str(path))
    con.execute(DDL)
    con.execute("insert into seeds.metric_definitions values"
                " ('availability', 'Availability', 'reliability', 'ratio', 'higher_is_better', 'platform', 0.999, ''),"
                " ('csat', 'CSAT', 'developer_happiness', 'ratio', 'higher_is_better', 'support', 0.9, '')")
    # availability of payments: 20 days at 0.9995, the 21st at 0.95 (the anomaly, a breach).
    for i in range(21):
        con.execute("insert into marts.metrics_daily values ('availability', ?, 'day',"
                    " 'product:payments', 'value', ?, true)",
                    [DAY0 + timedelta(days=i), 0.95 if i == 20 else 0.9995])
        con.execute("insert into marts.fct_availability_daily values ('payments', ?, ?)",
                    [DAY0 + timedelta(days=i), 0.95 if i == 20 else 0.9995])
    last = DAY0 + timedelta(days=20)
    con.execute("insert into marts.metric_scorecard values ('availability', 'day', 'product:payments',"
                " 'value', ?, 0.95, 0.9995, 'down', 0.999, 'breach', false, true)", [last])
    con.execute("insert into marts.metric_anomalies values ('availability', 'day',"
                " 'product:payments', 'value', ?)", [last])
    con.execute("insert into marts.metric_alerts values"
                " ('breach|availability|x', 'breach', 'availability', 'product:payments', ?, null,"
                "  0.95, 0.999, 'reliability', 'ticket', 'platform', 'Open a reliability ticket'),"
                # 30 days before the data's last day: not open any more (edge).
                " ('anomaly|csat|old', 'anomaly', 'csat', 'all', ?, null, 0.5, 3.5,"
                "  'developer_happiness', 'review', 'support', 'Read the bad ratings')",
                [last, last - timedelta(days=30)])
    con.execute("insert into marts.fct_onboarding values ('a', now(), now(), null),"
                " ('b', now(), null, null), ('c', null, null, null), ('d', now(), now(), now())")
    con.execute("insert into marts.fct_cohort_retention values (?, 0, 0.5, true), (?, 1, 0.25, false)",
                [DAY0, DAY0])
    con.close()


def test_scorecard_from_a_hand_made_warehouse(tmp_path):
    warehouse = tmp_path / "w.duckdb"
    _warehouse(warehouse)
    data = load(warehouse)
    availability, csat = sorted(data.tiles, key=lambda t: t.metric_id)
    assert availability.segment == "product:payments" and availability.status == "breach"
    assert len(availability.series) == 21 and availability.anomalies == [DAY0 + timedelta(days=20)]
    assert csat.series == [] and csat.status is None  # no data yet: a tile all the same
    # Signed up 4, first call 3 (a, b, d), first success 2 (a, d), meaningful use 1 (d).
    assert data.funnel == [("Signed up", 4), ("First call", 3), ("First success", 2),
                           ("Meaningful use", 1)]
    assert [a.alert_id for a in data.alerts] == ["breach|availability|x"]

    page = build_scorecard(warehouse, tmp_path / "site").read_text()
    assert page.count('<article class="tile"') == 2
    assert "95.0%" in page and "target ≥ 99.90%" in page
    assert page.count('<circle class="anomaly"') == 1
    assert 'data-alert-id="breach|availability|x"' in page
    assert "Open a reliability ticket" in page
    # The connection was closed: the file opens for writing again.
    duckdb.connect(str(warehouse)).close()

"""The site stakeholders open, rendered in a real browser (Debian's headless Chromium).

Builds a small sample world, runs the whole pipeline once as `make pipeline` does (the
gateway-daily partitions over the days the logs cover, then everything else), writes the scorecard and the site index, then opens
the pages from disk: screenshots, every metric tile, charts drawn, alert lists, a
definition link landing on the right dbt docs page, and no request to the network.

Needs `/usr/bin/chromium` (`apt-get install -y chromium`; see the Makefile).
"""

import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
from html import unescape
from pathlib import Path
from urllib.parse import urljoin

import duckdb
import pytest

from orchestration.reports import build_scorecard, write_site_index
from orchestration.reports.data import load
from orchestration.sample_data import WorldParams, generate_world
from tests.e2e.pipeline import run_pipeline

REPO_ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
# Small enough for a quick run, long enough (3 weeks) for the weekly volume check, weekly
# cohorts and the planted incidents (the payments error burst pages on day 9).
WORLD = WorldParams(days=21, requests_per_day=4000)

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.skipif(not Path(CHROMIUM).exists(),
                       reason="needs Chromium: apt-get install -y chromium (make browser)"),
]


@pytest.fixture(scope="module")
def site(tmp_path_factory) -> Path:
    # APIPULSE_TEST_BUILT_DATA_DIR: a data folder a pipeline already built (warehouse.duckdb
    # and site/ with docs/ and quality/, e.g. `make demo`'s data/): check that site instead
    # of building a world, to iterate on the page quickly.
    prebuilt = os.environ.get("APIPULSE_TEST_BUILT_DATA_DIR")
    if prebuilt:
        data_dir = Path(prebuilt).resolve()
    else:
        data_dir = tmp_path_factory.mktemp("site_world")
        source_dir = data_dir / "world"
        generate_world(source_dir, WORLD)
        proc = run_pipeline(data_dir, source_dir)
        assert proc.returncode == 0, proc.stdout[-4000:] + proc.stderr[-4000:]
    site_dir = data_dir / "site"
    # What the stakeholder_scorecard asset does (also when definitions.py does not list it).
    build_scorecard(data_dir / "warehouse.duckdb", site_dir)
    write_site_index(site_dir)
    return site_dir


def chromium(url: str, *args: str, timeout: int = 60) -> subprocess.CompletedProcess:
    """One headless Chromium run with a fresh profile and no background networking."""
    with tempfile.TemporaryDirectory() as profile:
        cmd = [CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu",
               "--disable-background-networking", "--no-first-run",
               f"--user-data-dir={profile}", "--hide-scrollbars", *args, url]
        proc = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout)
    assert proc.returncode == 0, proc.stderr[-2000:]
    return proc


def dump_dom(url: str, budget_ms: int = 3000) -> str:
    """The DOM after scripts ran (the dbt docs are an Angular app)."""
    return chromium(url, f"--virtual-time-budget={budget_ms}", "--dump-dom").stdout


def screenshot(url: str, path: Path, size: str) -> Path:
    chromium(url, f"--window-size={size}", f"--screenshot={path}")
    return path


def page_text(html: str) -> str:
    text = re.sub(r"<(script|style)\b.*?</\1>", " ", html, flags=re.S)
    return re.sub(r"\s+", " ", unescape(re.sub(r"<[^>]+>", " ", text)))


@pytest.fixture(scope="module")
def scorecard_dom(site) -> str:
    return dump_dom((site / "scorecard" / "index.html").as_uri())


def test_screenshots_of_index_and_scorecard(site):
    shots = site.parent / "screenshots"
    shots.mkdir(exist_ok=True)
    index = screenshot((site / "index.html").as_uri(), shots / "index.png", "1000,600")
    card = screenshot((site / "scorecard" / "index.html").as_uri(), shots / "scorecard.png",
                      "1400,4200")
    print(f"screenshots: {index} {card}")
    # A blank page of that size compresses to a few kB; a drawn one is far larger.
    assert index.stat().st_size > 10_000
    assert card.stat().st_size > 200_000


def test_index_links_everything(site):
    dom = dump_dom((site / "index.html").as_uri())
    hrefs = re.findall(r'href="([^"]+)"', dom)
    assert hrefs == ["scorecard/index.html", "docs/index.html", "quality/index.html"]
    assert all((site / h).exists() for h in hrefs)


def test_every_metric_has_a_tile(site, scorecard_dom):
    with duckdb.connect(str(site.parent / "warehouse.duckdb"), read_only=True) as con:
        metric_ids = {r[0] for r in con.execute(
            "select metric_id from seeds.metric_definitions").fetchall()}
    tiles = set(re.findall(r'<article class="tile" id="tile-([a-z0-9_]+)"', scorecard_dom))
    assert tiles == metric_ids
    # Each tile: a value, a status, a sparkline and a definition link.
    for metric_id in metric_ids:
        tile = re.search(rf'id="tile-{metric_id}".*?</article>', scorecard_dom, re.S).group(0)
        assert 'class="definition" href="../docs/index.html#!/' in tile, metric_id
        assert '<svg class="spark' in tile, metric_id
    families = re.findall(r'<section class="family" id="family-([a-z_]+)"', scorecard_dom)
    assert families == ["onboarding", "adoption", "reliability", "developer_happiness",
                        "ecosystem", "outcomes"]


def test_charts_drew(scorecard_dom):
    drawn = re.findall(r'<svg class="spark"[^>]*>.*?</svg>', scorecard_dom, re.S)
    assert len(drawn) >= 40, "most tiles have a series"
    assert all(re.search(r'<path d="M[\d.]+,[\d.]+( L[\d.]+,[\d.]+| ?L[\d.]+,[\d.]+)*"', s)
               for s in drawn)
    for chart in ("heatmap-availability", "heatmap-latency"):
        block = re.search(rf'id="{chart}".*?</svg>', scorecard_dom, re.S).group(0)
        coloured = re.findall(r'<rect class="cell"[^>]*fill="(#[0-9a-f]{6})"', block)
        # At least two products with a value every day (webhooks only launches mid-world).
        assert len([c for c in coloured if c != "#eaeef2"]) >= 2 * WORLD.days, chart
    funnel = re.search(r'id="funnel".*?</svg>', scorecard_dom, re.S).group(0)
    assert len(re.findall(r'<rect class="bar"', funnel)) == 4
    for step in ("Signed up", "First call", "First success", "Meaningful use"):
        assert step in funnel
    retention = re.search(r'id="retention".*?</svg>', scorecard_dom, re.S).group(0)
    assert len(re.findall(r'<rect class="cell"', retention)) >= 3
    # Plain words under each chart.
    assert scorecard_dom.count('<p class="note">') >= 6


def test_anomalies_are_marked(site, scorecard_dom):
    data = load(site.parent / "warehouse.duckdb")
    marked = [t for t in data.tiles if any(on in dict(t.series) for on in t.anomalies)]
    for tile in marked:
        block = re.search(rf'id="tile-{tile.metric_id}".*?</article>', scorecard_dom, re.S).group(0)
        assert block.count('<circle class="anomaly"') >= 1, tile.metric_id


def test_alert_lists_show_the_planted_alerts(site, scorecard_dom):
    data = load(site.parent / "warehouse.duckdb")
    for tier in ("reliability", "developer_happiness", "adoption"):
        section = re.search(rf'<section class="alerts" id="alerts-{tier}".*?</section>',
                            scorecard_dom, re.S).group(0)
        shown = set(re.findall(r'data-alert-id="([^"]+)"', section))
        expected = [a for a in data.alerts if a.alert_tier == tier][:25]
        assert shown == {a.alert_id for a in expected}, tier
        for a in expected:  # owner and next step are on the row
            row = re.search(rf'data-alert-id="{re.escape(a.alert_id)}".*?</tr>', section, re.S)
            assert (a.owner_team or "–") in row.group(0) and a.next_step[:30] in unescape(row.group(0))
    # The sample world's planted payments error burst pages the SRE on-call.
    reliability = re.search(r'id="alerts-reliability".*?</section>', scorecard_dom, re.S).group(0)
    assert re.search(r'data-alert-id="burn_rate\|burn_rate_1h\|[^"]*slo:payments_availability[^"]*"'
                     r' data-severity="page"', reliability)


def test_definition_link_opens_the_metric_docs(site, scorecard_dom):
    tile = re.search(r'id="tile-availability".*?</article>', scorecard_dom, re.S).group(0)
    href = unescape(re.search(r'class="definition" href="([^"]+)"', tile).group(1))
    assert href == "../docs/index.html#!/metric/metric.apipulse.availability"
    url = urljoin((site / "scorecard" / "index.html").as_uri(), href)
    text = page_text(dump_dom(url, budget_ms=8000))
    # The dbt docs page of the metric renders its docs block (dbt_project/docs/metrics.md).
    assert "Availability metric" in text
    assert "the share of valid requests that were served without a server error" in text


def requested_urls(url: str, log: Path) -> list[str]:
    """http(s)/ws URLs the page itself asked for, from Chromium's network log.

    Chromium's own background requests (time sync, spell-check dictionaries, accounts) are
    started by the browser ("initiator": "not an origin"); a page on disk starts its
    requests with initiator "null" (a file:// origin is opaque)."""
    chromium(url, "--virtual-time-budget=5000", f"--log-net-log={log}", "--dump-dom")
    text = log.read_text(encoding="utf-8", errors="replace").rstrip()
    try:
        netlog = json.loads(text)
    except json.JSONDecodeError:  # the browser may exit before closing the event list
        netlog = json.loads(text.rstrip(",") + "]}")
    start_job = netlog["constants"]["logEventTypes"]["URL_REQUEST_START_JOB"]
    return sorted({
        e["params"]["url"] for e in netlog["events"]
        if e["type"] == start_job
        and e["params"].get("initiator") != "not an origin"
        and e["params"].get("url", "").startswith(("http:", "https:", "ws:", "wss:"))
    })


def test_nothing_requests_the_network(site, tmp_path):
    # 1. What the pages load: no script, stylesheet, image or frame from http(s).
    remote = re.compile(r'<(script|link|img|iframe|source)\b[^>]*\b(src|href)="(https?:)?//', re.I)
    for page in [site / "index.html", site / "scorecard" / "index.html", site / "docs" / "index.html"]:
        html = page.read_text(encoding="utf-8")
        assert not remote.search(html), page
    scorecard = (site / "scorecard" / "index.html").read_text(encoding="utf-8")
    assert "http://" not in scorecard and "https://" not in scorecard
    assert "<script" not in scorecard
    # 2. What the browser actually fetched. First prove the log catches a remote image.
    probe = tmp_path / "probe.html"
    probe.write_text('<img src="https://example.invalid/pixel.png">')
    assert requested_urls(probe.as_uri(), tmp_path / "probe.json") == [
        "https://example.invalid/pixel.png"]
    for name, url in [("index", (site / "index.html").as_uri()),
                      ("scorecard", (site / "scorecard" / "index.html").as_uri()),
                      ("docs", (site / "docs" / "index.html").as_uri()
                       + "#!/metric/metric.apipulse.availability"),
                      ("quality", (site / "quality" / "index.html").as_uri())]:
        assert requested_urls(url, tmp_path / f"{name}.json") == [], name

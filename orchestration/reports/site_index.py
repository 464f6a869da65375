"""The page a person opens first: `<site>/index.html`, linking everything stakeholders read."""

from pathlib import Path

PAGES = (
    ("scorecard/index.html", "Scorecard",
     "Every metric's latest value, target, trend and status; open alerts; onboarding funnel, "
     "retention and reliability heatmaps."),
    ("docs/index.html", "Metric and model documentation (dbt docs)",
     "What each metric means, how it is computed, who owns it; every model and column."),
    ("quality/index.html", "Data quality (Great Expectations Data Docs)",
     "The checks each team owns on the raw data, and their latest results."),
)


def write_site_index(site_dir: str | Path) -> Path:
    """Write `<site_dir>/index.html`; pages not built yet are listed as such, not linked."""
    site_dir = Path(site_dir)
    site_dir.mkdir(parents=True, exist_ok=True)
    items = []
    for href, label, blurb in PAGES:
        if (site_dir / href).exists():
            items.append(f'  <li><a href="{href}">{label}</a><br><span>{blurb}</span></li>')
        else:
            items.append(f"  <li>{label} <em>(not built yet)</em><br><span>{blurb}</span></li>")
    out = site_dir / "index.html"
    out.write_text(
        '<!doctype html>\n<html lang="en"><head><meta charset="utf-8">\n'
        "<title>API Pulse</title>\n<style>body{font-family:system-ui,sans-serif;margin:24px;"
        "max-width:760px;color:#24292f} li{margin:12px 0} span{color:#57606a;font-size:14px}"
        "</style></head>\n<body>\n<h1>API Pulse</h1>\n"
        "<p>How the API program is doing: metrics, their definitions and data quality. "
        "Everything here opens from disk, offline.</p>\n<ul>\n" + "\n".join(items)
        + "\n</ul>\n</body></html>\n",
        encoding="utf-8",
    )
    return out

"""Small inline-SVG charts for the scorecard page: no JavaScript, no files to fetch.

Every function returns an `<svg>` element as a string; colours and sizes are attributes so
the page needs no external stylesheet. Values arrive already in display order.
"""

from collections.abc import Callable, Sequence
from datetime import date
from html import escape

GOOD = "#1a7f37"
WARN = "#bf8700"
BAD = "#cf222e"
NEUTRAL = "#57606a"
LINE = "#0969da"


def sparkline(
    points: Sequence[tuple[date, float]],
    anomalies: Sequence[date] = (),
    target: float | None = None,
    width: int = 220,
    height: int = 48,
    label: str = "",
) -> str:
    """A line of the series, a dashed target line and a red dot on each anomalous period."""
    if not points:
        return (f'<svg class="spark empty" width="{width}" height="{height}" role="img" '
                f'aria-label="no data yet"><text x="4" y="{height // 2 + 4}" font-size="11" '
                f'fill="{NEUTRAL}">no data yet</text></svg>')
    pad = 4
    values = [v for _, v in points]
    lo, hi = min(values), max(values)
    if target is not None:
        lo, hi = min(lo, target), max(hi, target)
    span = (hi - lo) or (abs(hi) or 1.0)
    n = len(points)

    def x(i: int) -> float:
        return pad + (width - 2 * pad) * (i / (n - 1) if n > 1 else 0.5)

    def y(v: float) -> float:
        return height - pad - (height - 2 * pad) * ((v - lo) / span)

    path = " ".join(f"{'M' if i == 0 else 'L'}{x(i):.1f},{y(v):.1f}" for i, v in enumerate(values))
    parts = [f'<svg class="spark" width="{width}" height="{height}" viewBox="0 0 {width} {height}"'
             f' role="img" aria-label="{escape(label or "trend")}">']
    if target is not None:
        parts.append(f'<line class="target" x1="{pad}" x2="{width - pad}" y1="{y(target):.1f}" '
                     f'y2="{y(target):.1f}" stroke="{NEUTRAL}" stroke-dasharray="3,3" '
                     f'stroke-width="1"><title>target {target:g}</title></line>')
    parts.append(f'<path d="{path}" fill="none" stroke="{LINE}" stroke-width="1.6"/>')
    marked = set(anomalies)
    for i, (on, v) in enumerate(points):
        if on in marked:
            parts.append(f'<circle class="anomaly" cx="{x(i):.1f}" cy="{y(v):.1f}" r="3.5" '
                         f'fill="{BAD}"><title>anomaly on {on.isoformat()}: {v:g}</title></circle>')
    last_x, last_y = x(n - 1), y(values[-1])
    parts.append(f'<circle cx="{last_x:.1f}" cy="{last_y:.1f}" r="2.5" fill="{LINE}"/>')
    parts.append("</svg>")
    return "".join(parts)


def heatmap(
    rows: Sequence[str],
    days: Sequence[date],
    cells: dict[tuple[str, date], float],
    colour: Callable[[float], str],
    fmt: Callable[[float], str],
    anomalies: set[tuple[str, date]] = frozenset(),
    label: str = "",
    cell: int = 22,
) -> str:
    """Rows × days grid; `colour(value)` gives a cell's fill, `fmt(value)` its tooltip text.
    Anomalous cells get a black outline."""
    left, top = 110, 30
    width = left + cell * len(days) + 4
    height = top + cell * len(rows) + 4
    parts = [f'<svg class="heatmap" width="{width}" height="{height}" '
             f'viewBox="0 0 {width} {height}" role="img" aria-label="{escape(label)}">']
    for j, day in enumerate(days):
        if day.day == 1 or j == 0 or day.weekday() == 0:
            parts.append(f'<text x="{left + j * cell + 2}" y="{top - 8}" font-size="9" '
                         f'fill="{NEUTRAL}">{day.strftime("%d %b")}</text>')
    for i, row in enumerate(rows):
        yy = top + i * cell
        parts.append(f'<text x="{left - 6}" y="{yy + cell - 4}" font-size="11" '
                     f'text-anchor="end">{escape(row)}</text>')
        for j, day in enumerate(days):
            value = cells.get((row, day))
            fill = "#eaeef2" if value is None else colour(value)
            tip = f"{row} {day.isoformat()}: " + ("no data" if value is None else fmt(value))
            stroke = ' stroke="#000" stroke-width="2"' if (row, day) in anomalies else ""
            parts.append(f'<rect class="cell" x="{left + j * cell}" y="{yy}" width="{cell - 1}" '
                         f'height="{cell - 1}" fill="{fill}"{stroke}><title>{escape(tip)}'
                         f'{" (anomaly)" if stroke else ""}</title></rect>')
    parts.append("</svg>")
    return "".join(parts)


def funnel(steps: Sequence[tuple[str, int]], width: int = 560, bar_height: int = 30) -> str:
    """Horizontal bars, each step's share of the first step written next to it."""
    if not steps:
        return ""
    first = steps[0][1] or 1
    label_w = 150
    height = len(steps) * (bar_height + 8) + 4
    parts = [f'<svg class="funnel" width="{width}" height="{height}" '
             f'viewBox="0 0 {width} {height}" role="img" aria-label="onboarding funnel">']
    for i, (name, count) in enumerate(steps):
        yy = i * (bar_height + 8) + 2
        w = max(1.0, (width - label_w - 110) * count / first)
        parts.append(f'<text x="{label_w - 8}" y="{yy + bar_height * 0.65:.0f}" font-size="12" '
                     f'text-anchor="end">{escape(name)}</text>')
        parts.append(f'<rect class="bar" x="{label_w}" y="{yy}" width="{w:.1f}" '
                     f'height="{bar_height}" fill="{LINE}" opacity="{1 - i * 0.15:.2f}">'
                     f'<title>{escape(name)}: {count}</title></rect>')
        parts.append(f'<text x="{label_w + w + 6:.1f}" y="{yy + bar_height * 0.65:.0f}" '
                     f'font-size="12">{count:,} ({count / first:.0%})</text>')
    parts.append("</svg>")
    return "".join(parts)


def retention_grid(
    cohorts: Sequence[date],
    max_offset: int,
    cells: dict[tuple[date, int], tuple[float, bool]],
    cell: int = 34,
) -> str:
    """Cohort × week-offset grid of retention shares; incomplete cells are hatched lighter."""
    left, top = 90, 24
    width = left + cell * (max_offset + 1) + 4
    height = top + (cell // 2 + 2) * len(cohorts) + 4
    row_h = cell // 2 + 2
    parts = [f'<svg class="retention" width="{width}" height="{height}" '
             f'viewBox="0 0 {width} {height}" role="img" aria-label="cohort retention">']
    for k in range(max_offset + 1):
        parts.append(f'<text x="{left + k * cell + cell / 2:.0f}" y="{top - 8}" font-size="10" '
                     f'text-anchor="middle" fill="{NEUTRAL}">w{k}</text>')
    for i, cohort in enumerate(cohorts):
        yy = top + i * row_h
        parts.append(f'<text x="{left - 6}" y="{yy + row_h - 5}" font-size="10" '
                     f'text-anchor="end">{cohort.isoformat()}</text>')
        for k in range(max_offset + 1):
            if (cohort, k) not in cells:
                continue
            share, complete = cells[(cohort, k)]
            fill = f"rgba(9,105,218,{0.08 + 0.92 * max(0.0, min(1.0, share)):.2f})"
            dashed = "" if complete else ' stroke-dasharray="2,2" stroke="#999"'
            parts.append(f'<rect class="cell" x="{left + k * cell}" y="{yy}" width="{cell - 1}" '
                         f'height="{row_h - 1}" fill="{fill}"{dashed}>'
                         f'<title>cohort {cohort.isoformat()} week {k}: {share:.0%}'
                         f'{"" if complete else " (still open)"}</title></rect>')
            text_fill = "#fff" if share > 0.55 else "#24292f"
            parts.append(f'<text x="{left + k * cell + cell / 2:.0f}" y="{yy + row_h - 5}" '
                         f'font-size="9" text-anchor="middle" fill="{text_fill}">'
                         f'{share * 100:.0f}</text>')
    parts.append("</svg>")
    return "".join(parts)

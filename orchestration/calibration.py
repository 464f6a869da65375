"""`apipulse calibrate`: propose thresholds from the trailing history of each asset.

Every suite may declare `metrics:` - named daily series in SQL over `{batch}` (columns `day`
and `value`) - and, per metric, what to calibrate:

    metrics:
      rows_vs_last_week:
        sql: ...
        calibrate: {bounds: [min, max], quantiles: [0.1, 0.9], margin: 0.1, min_days: 7}

For each such metric this module reads the series of the last `--days` days (as SQL inside
DuckDB, through a read-only connection), and proposes:

- `min` = the low quantile x (1 - margin), rounded down;
- `max` = the high quantile x (1 + margin), rounded up;
- `mostly` = the low quantile of a daily share x (1 - margin), rounded down (for GX `mostly`).

The quantiles leave the odd bad day of the history out of the band (with the defaults, one
bad day in ten or more does not move it). Proposals go to the team's thresholds file
`expectations/thresholds/<team>.yml`, with who calibrated them and when and what was observed.
The command prints the proposal as a unified diff and writes nothing unless `--write` is
given. Thresholds without a `calibrate` block (set by hand) are kept as they are.
"""

from __future__ import annotations

import argparse
import difflib
import getpass
import math
import os
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

import yaml

if TYPE_CHECKING:
    from orchestration.quality import MetricSpec, SuiteSpec

# The same folders as orchestration.quality; repeated here so that building the `apipulse`
# parser does not import Great Expectations (several seconds): the work imports it lazily.
_REPO_ROOT = Path(__file__).resolve().parents[1]
SUITES_DIR = _REPO_ROOT / "expectations" / "suites"
THRESHOLDS_DIR = _REPO_ROOT / "expectations" / "thresholds"

DEFAULT_DAYS = 28
DEFAULT_QUANTILES = (0.1, 0.9)
DEFAULT_MARGIN = 0.1
DEFAULT_MIN_DAYS = 7
DEFAULT_K = 4.0
SIGNIFICANT = 3


# --------------------------------------------------------------------------- the numbers


def quantile(values: Sequence[float], q: float) -> float:
    """Linear interpolation between closest ranks (numpy's default, `quantile_cont`)."""
    if not values:
        raise ValueError("quantile of an empty series")
    ordered = sorted(values)
    position = q * (len(ordered) - 1)
    low = math.floor(position)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (position - low)


def _round(value: float, direction: str) -> float:
    """Round to SIGNIFICANT digits, down (for lower bounds) or up (for upper bounds)."""
    if value == 0 or not math.isfinite(value):
        return float(value)
    digits = SIGNIFICANT - 1 - math.floor(math.log10(abs(value)))
    scaled = value * 10.0**digits
    whole = math.floor(scaled + 1e-9) if direction == "down" else math.ceil(scaled - 1e-9)
    return float(round(whole / 10.0**digits, max(digits, 0)))


def mad(values: Sequence[float]) -> float:
    """Median absolute deviation from the median, scaled to a normal sigma (x 1.4826)."""
    middle = quantile(values, 0.5)
    return 1.4826 * quantile([abs(v - middle) for v in values], 0.5)


def _low_high(values: Sequence[float], calibrate: dict[str, Any]) -> tuple[float, float]:
    """The band before rounding: `quantile` (default) or `mad` method."""
    if calibrate.get("method", "quantile") == "mad":
        middle, spread = quantile(values, 0.5), mad(values) * float(calibrate.get("k", DEFAULT_K))
        return middle - spread, middle + spread
    q_low, q_high = calibrate.get("quantiles") or DEFAULT_QUANTILES
    margin = float(calibrate.get("margin", DEFAULT_MARGIN))
    low, high = quantile(values, q_low), quantile(values, q_high)
    return (
        low * (1 - margin) if low >= 0 else low * (1 + margin),
        high * (1 + margin) if high >= 0 else high * (1 - margin),
    )


def propose_bounds(values: Sequence[float], calibrate: dict[str, Any]) -> dict[str, float]:
    """Bounds (min, max, mostly) from a series, as configured in a metric's `calibrate`:

    - `method: quantile` (default): min = q_low x (1 - margin), max = q_high x (1 + margin),
      mostly = q_low x (1 - margin) of a daily share;
    - `method: mad`: median -/+ k x MAD (robust: a bad day in the history barely moves it).
    """
    low, high = _low_high(values, calibrate)
    proposed: dict[str, float] = {}
    for bound in calibrate["bounds"]:
        if bound == "min":
            proposed["min"] = _round(low, "down")
        elif bound == "max":
            proposed["max"] = _round(high, "up")
        elif bound == "mostly":
            proposed["mostly"] = max(0.0, min(1.0, math.floor(low * 1000) / 1000))
    return proposed


# --------------------------------------------------------------------------- profiling


@dataclass
class MetricProposal:
    table: str
    metric: str
    series: list[tuple[date, float]]
    proposed: dict[str, float] = field(default_factory=dict)
    skipped: str | None = None  # why nothing was proposed

    @property
    def values(self) -> list[float]:
        return [v for _, v in self.series]


@dataclass
class TeamProposal:
    team: str
    path: Path
    current_text: str
    proposed_text: str
    metrics: list[MetricProposal]

    @property
    def changed(self) -> bool:
        return self.current_text != self.proposed_text

    def diff(self) -> str:
        return "".join(
            difflib.unified_diff(
                self.current_text.splitlines(keepends=True),
                self.proposed_text.splitlines(keepends=True),
                fromfile=f"{self.path} (saved)",
                tofile=f"{self.path} (proposed)",
            )
        )


def _as_day(value: Any) -> date:
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    return date.fromisoformat(str(value)[:10])


def read_series(
    con: Any, spec: SuiteSpec, metric: MetricSpec, days: int
) -> list[tuple[date, float]]:
    """The metric's (day, value) rows of the trailing `days` days (ending at its newest day)."""
    relation = f'"{spec.schema}"."{spec.table}"'
    cursor = con.execute(metric.query(relation))
    columns = [d[0] for d in cursor.description]
    if "day" not in columns or "value" not in columns:
        raise ValueError(f"{spec.path}: metric {metric.name} must return columns day and value")
    i_day, i_value = columns.index("day"), columns.index("value")
    rows = [
        (_as_day(row[i_day]), float(row[i_value]))
        for row in cursor.fetchall()
        if row[i_day] is not None and row[i_value] is not None
    ]
    if not rows:
        return []
    newest = max(day for day, _ in rows)
    first = newest - timedelta(days=days - 1)
    return sorted((day, value) for day, value in rows if day >= first)


def profile_suite(con: Any, spec: SuiteSpec, days: int) -> list[MetricProposal]:
    proposals = []
    for metric in spec.metrics:
        if not metric.calibrate:
            continue
        proposal = MetricProposal(spec.table, metric.name, [])
        try:
            proposal.series = read_series(con, spec, metric, days)
        except Exception as exc:  # a missing table on a fresh warehouse, say
            proposal.skipped = f"cannot read the series: {str(exc).splitlines()[0]}"
            proposals.append(proposal)
            continue
        min_days = int(metric.calibrate.get("min_days", DEFAULT_MIN_DAYS))
        if len(proposal.series) < min_days:
            proposal.skipped = f"{len(proposal.series)} days of history, {min_days} needed"
        else:
            proposal.proposed = propose_bounds(proposal.values, metric.calibrate)
        proposals.append(proposal)
    return proposals


# --------------------------------------------------------------------------- the file


def _observed(proposal: MetricProposal, calibrate: dict[str, Any]) -> dict[str, Any]:
    values = proposal.values
    observed: dict[str, Any] = {
        "days": len(values),
        "first_day": proposal.series[0][0].isoformat(),
        "last_day": proposal.series[-1][0].isoformat(),
        "lowest": _round(min(values), "down"),
        "highest": _round(max(values), "up"),
    }
    if calibrate.get("method", "quantile") == "mad":
        observed["median"] = _round(quantile(values, 0.5), "down")
        observed["mad"] = _round(mad(values), "up")
        observed["k"] = float(calibrate.get("k", DEFAULT_K))
    else:
        q_low, q_high = calibrate.get("quantiles") or DEFAULT_QUANTILES
        observed[f"q{round(q_low * 100):02d}"] = _round(quantile(values, q_low), "down")
        observed[f"q{round(q_high * 100):02d}"] = _round(quantile(values, q_high), "up")
        observed["margin"] = float(calibrate.get("margin", DEFAULT_MARGIN))
    return observed


def render_thresholds(team: str, doc: dict[str, Any]) -> str:
    from orchestration.quality import load_teams

    teams = load_teams()
    name = teams[team].team_name if team in teams else team
    header = (
        f"# Thresholds of team {team} ({name}), read by its suites in expectations/suites/{team}/\n"
        "# as ${<metric>.<key>}. Proposed by `apipulse calibrate` from the trailing history\n"
        "# (`observed` says what it saw); review the diff, then save with --write. Entries\n"
        "# without `observed` are set by hand and kept by calibration.\n"
    )
    body = yaml.safe_dump(doc, sort_keys=False, default_flow_style=None, width=100)
    return header + body


def merge_proposals(
    current: dict[str, Any],
    specs: Iterable[SuiteSpec],
    proposals: Iterable[MetricProposal],
    *,
    by: str,
    at: str,
) -> dict[str, Any]:
    """The thresholds document with the proposals in; untouched entries are kept as they are."""
    doc = {table: dict(metrics) for table, metrics in current.items()}
    calibrations = {(s.table, m.name): m.calibrate for s in specs for m in s.metrics}
    for p in proposals:
        if not p.proposed:
            continue
        entry = dict(doc.get(p.table, {}).get(p.metric) or {})
        for key in ("min", "max", "mostly"):
            entry.pop(key, None)
        entry = {
            **p.proposed,
            **{
                k: v
                for k, v in entry.items()
                if k not in {"calibrated_by", "calibrated_at", "observed"}
            },
            "calibrated_by": by,
            "calibrated_at": at,
            "observed": _observed(p, calibrations[(p.table, p.metric)]),
        }
        previous = doc.get(p.table, {}).get(p.metric) or {}
        if all(previous.get(k) == v for k, v in entry.items() if k != "calibrated_at"):
            continue  # same numbers: keep who calibrated them and when
        doc.setdefault(p.table, {})[p.metric] = entry
    return doc


def calibrate(
    warehouse_path: Path | str,
    *,
    days: int = DEFAULT_DAYS,
    by: str | None = None,
    now: datetime | None = None,
    teams: Iterable[str] | None = None,
    suites_dir: Path | str = SUITES_DIR,
    thresholds_dir: Path | str = THRESHOLDS_DIR,
) -> list[TeamProposal]:
    """One proposal per team that has calibrated metrics; nothing is written."""
    from orchestration.gx_duckdb import connect_waiting_for_lock
    from orchestration.quality import load_suites, load_thresholds, thresholds_file

    by = by or os.environ.get("USER") or getpass.getuser() or "unknown"
    at = (now or datetime.now(UTC)).strftime("%Y-%m-%dT%H:%M:%SZ")
    wanted = set(teams) if teams else None
    specs = [
        s
        for s in load_suites(
            suites_dir, thresholds_dir=thresholds_dir, schemas=None, resolve_thresholds=False
        )
        if any(m.calibrate for m in s.metrics) and (wanted is None or s.team in wanted)
    ]
    by_team: dict[str, list[SuiteSpec]] = {}
    for spec in specs:
        by_team.setdefault(spec.team, []).append(spec)
    results = []
    with connect_waiting_for_lock(Path(warehouse_path).resolve(), read_only=True) as con:
        for team, team_specs in sorted(by_team.items()):
            metrics = [p for spec in team_specs for p in profile_suite(con, spec, days)]
            path = thresholds_file(team, thresholds_dir)
            current_text = path.read_text() if path.is_file() else ""
            current = load_thresholds(team, thresholds_dir)
            doc = merge_proposals(current, team_specs, metrics, by=by, at=at)
            proposed_text = render_thresholds(team, doc) if doc != current else current_text
            results.append(TeamProposal(team, path, current_text, proposed_text, metrics))
    return results


# --------------------------------------------------------------------------- command line


def _summary_line(p: MetricProposal) -> str:
    if p.skipped:
        return f"  {p.table}.{p.metric}: not calibrated ({p.skipped})"
    bounds = ", ".join(f"{k}={v:g}" for k, v in p.proposed.items())
    values = p.values
    return (
        f"  {p.table}.{p.metric}: {bounds}  (observed {len(values)} days "
        f"{p.series[0][0]}..{p.series[-1][0]}, range {min(values):.4g}..{max(values):.4g})"
    )


def cmd_calibrate(args: argparse.Namespace) -> int:
    from orchestration import settings

    warehouse = Path(args.warehouse).resolve() if args.warehouse else settings.warehouse_path()
    if not warehouse.is_file():
        print(f"apipulse calibrate: warehouse not found: {warehouse}")
        return 2
    proposals = calibrate(
        warehouse,
        days=args.days,
        by=args.by,
        teams=args.team or None,
        suites_dir=args.suites_dir,
        thresholds_dir=args.thresholds_dir,
    )
    for proposal in proposals:
        print(f"team {proposal.team}: {proposal.path}")
        for metric in proposal.metrics:
            print(_summary_line(metric))
        if not proposal.changed:
            print("  no change\n")
            continue
        print(proposal.diff())
        if args.write:
            proposal.path.parent.mkdir(parents=True, exist_ok=True)
            proposal.path.write_text(proposal.proposed_text)
            print(f"  written: {proposal.path}\n")
    if not args.write and any(p.changed for p in proposals):
        print("Nothing written. Review the diff, then run again with --write to save it.")
    return 0


def register(subparsers: Any) -> argparse.ArgumentParser:
    """Add `calibrate` to an argparse subparsers object (orchestration/cli.py)."""
    parser = subparsers.add_parser(
        "calibrate",
        help="propose data quality thresholds from the trailing history (prints a diff)",
        description=__doc__.split("\n\n")[0],
    )
    parser.add_argument(
        "--days",
        type=int,
        default=DEFAULT_DAYS,
        help=f"trailing days of history to profile (default {DEFAULT_DAYS})",
    )
    parser.add_argument(
        "--warehouse", help="DuckDB file (default: WAREHOUSE_PATH or data/warehouse.duckdb)"
    )
    parser.add_argument("--by", help="who calibrates (default: $USER)")
    parser.add_argument(
        "--team",
        action="append",
        help="only this team's thresholds (repeatable; default: every team)",
    )
    parser.add_argument(
        "--write",
        action="store_true",
        help="save the proposal to expectations/thresholds/<team>.yml",
    )
    parser.add_argument("--suites-dir", default=str(SUITES_DIR), help=argparse.SUPPRESS)
    parser.add_argument("--thresholds-dir", default=str(THRESHOLDS_DIR), help=argparse.SUPPRESS)
    parser.set_defaults(func=cmd_calibrate)
    return parser

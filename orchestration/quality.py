"""Great Expectations suites, owned by teams, run as SQL inside the warehouse and as Dagster checks.

A suite is a YAML file `expectations/suites/<team>/<table>.yml` (see expectations/README.md):

    asset: raw.gateway_requests       # the table it guards (schema.table)
    team: platform                    # a team_id of seeds/teams.csv (and the folder name)
    dagster_asset_key: [raw, gateway_requests]   # optional; default [schema, table]
    description: ...                  # optional
    metrics:                          # optional: named daily series, in SQL over {batch}
      rows_vs_last_week:
        sql: select day, value from ... {batch} ...
        calibrate: {bounds: [min, max]}          # `apipulse calibrate` proposes these
    expectations:
      - expectation: ExpectColumnValuesToBeUnique   # a GX 1.x Expectation class name
        kwargs: {column: id}
        severity: error               # error: blocks downstream assets; warn: reported only
        notes: why this threshold     # optional, shown in Data Docs
      - metric: rows_vs_last_week     # days whose value is outside the thresholds fail
        name: volume_vs_last_week     # optional display name
        severity: error

Thresholds live in `expectations/thresholds/<team>.yml` (`<table>: {<metric>: {min, max,
mostly, calibrated_by, calibrated_at, ...}}`); a suite uses them as `${<metric>.<key>}`
placeholders. A `metric:` entry becomes a GX `UnexpectedRowsExpectation` that returns the
days outside the bounds.

`validate_table()` runs one suite (the Dagster checks and the CLI both use it) and appends
one row per expectation to `quality.validation_results`; `build_quality_checks()` makes one
`@asset_check` per suite; `build_data_docs()` writes the GX Data Docs site.
"""

import csv
import html
import json
import math
import re
import shutil
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from functools import lru_cache
from pathlib import Path
from typing import Any

import dagster as dg
import great_expectations as gx
import great_expectations.expectations as gxe
import yaml
from great_expectations.core import ExpectationValidationResult
from great_expectations.datasource.fluent.interfaces import TestConnectionError
from great_expectations.expectations.metadata_types import FailureSeverity

from orchestration.gx_duckdb import (
    add_duckdb_datasource,
    connect_waiting_for_lock,
    duckdb_datasource,
    ephemeral_context,
    release_datasource,
)

REPO_ROOT = Path(__file__).resolve().parents[1]
SUITES_DIR = REPO_ROOT / "expectations" / "suites"
THRESHOLDS_DIR = REPO_ROOT / "expectations" / "thresholds"
TEAMS_CSV = REPO_ROOT / "seeds" / "teams.csv"
RESULTS_SCHEMA = "quality"
RESULTS_TABLE = f"{RESULTS_SCHEMA}.validation_results"
RESULTS_DDL = (
    f"create table if not exists {RESULTS_TABLE} (run_at TIMESTAMP, team VARCHAR,"
    " asset VARCHAR, suite VARCHAR, expectation VARCHAR, severity VARCHAR, success BOOLEAN,"
    " unexpected_count BIGINT, unexpected_percent DOUBLE)"
)

ERROR = "error"
WARN = "warn"
SEVERITIES = {ERROR: FailureSeverity.CRITICAL, WARN: FailureSeverity.WARNING}
_SUITE_KEYS = {"asset", "team", "description", "expectations", "dagster_asset_key", "metrics"}
_EXPECTATION_KEYS = {"expectation", "kwargs", "severity", "notes", "name", "metric"}
_METRIC_KEYS = {"sql", "description", "calibrate"}
_CALIBRATE_KEYS = {"bounds", "method", "quantiles", "margin", "k", "min_days"}
BOUNDS = ("min", "max", "mostly")
_META_KEY = "apipulse"
_PLACEHOLDER = re.compile(r"\$\{([A-Za-z0-9_]+)\.([A-Za-z0-9_]+)\}")


#: The schemas whose suites run by default (Dagster checks, Data Docs). Suites on dbt models
#: (schema marts) run when the caller passes `schemas=None` (all) or includes "marts".
DEFAULT_SCHEMAS: tuple[str, ...] = ("raw",)


class SuiteError(ValueError):
    """A suite file that cannot be used; the message names the file and the entry."""


def ensure_quality_schema(con: Any) -> None:
    """Create schema `quality` and `quality.validation_results` if missing (DuckDB connection).

    dbt runs the same DDL in its on-run-start hook (macro `create_quality_schema`), so the
    scorecard model reads an empty table on a fresh warehouse instead of failing.
    """
    con.execute(f"create schema if not exists {RESULTS_SCHEMA}")
    con.execute(RESULTS_DDL)


# --------------------------------------------------------------------------- teams


@dataclass(frozen=True)
class Team:
    team_id: str
    team_name: str
    owns: str = ""
    alert_channel: str = ""


@lru_cache(maxsize=4)
def _teams_cached(path: str, mtime: float) -> dict[str, Team]:
    with open(path, newline="", encoding="utf-8") as f:
        return {
            row["team_id"]: Team(
                row["team_id"], row["team_name"], row.get("owns", ""), row.get("alert_channel", "")
            )
            for row in csv.DictReader(f)
        }


def load_teams(path: Path | str = TEAMS_CSV) -> dict[str, Team]:
    """Teams by team_id, from the `teams` seed (seeds/teams.csv)."""
    path = Path(path)
    return dict(_teams_cached(str(path), path.stat().st_mtime))


# --------------------------------------------------------------------------- thresholds


def thresholds_file(team: str, thresholds_dir: Path | str = THRESHOLDS_DIR) -> Path:
    return Path(thresholds_dir) / f"{team}.yml"


def load_thresholds(team: str, thresholds_dir: Path | str = THRESHOLDS_DIR) -> dict[str, Any]:
    """`{table: {metric: {min|max|mostly|...: value}}}` of one team; {} when it has no file."""
    path = thresholds_file(team, thresholds_dir)
    if not path.is_file():
        return {}
    try:
        doc = yaml.safe_load(path.read_text()) or {}
    except yaml.YAMLError as exc:
        raise SuiteError(f"{path}: cannot read thresholds: {exc}") from exc
    if not isinstance(doc, dict) or not all(isinstance(v, dict) for v in doc.values()):
        raise SuiteError(f"{path}: thresholds are a mapping table -> metric -> values")
    return doc


def _resolve(value: Any, values: dict[str, Any], where: str) -> Any:
    """Replace `${metric.key}` placeholders with threshold values (typed when alone)."""

    def lookup(metric: str, key: str) -> Any:
        try:
            found = values[metric][key]
        except (KeyError, TypeError):
            raise SuiteError(
                f"{where}: placeholder ${{{metric}.{key}}} has no value in the team's "
                "thresholds file (run `apipulse calibrate --write` or add it by hand)"
            ) from None
        if found is None:
            raise SuiteError(f"{where}: threshold {metric}.{key} is empty")
        return found

    if isinstance(value, str):
        whole = _PLACEHOLDER.fullmatch(value.strip())
        if whole:
            return lookup(*whole.groups())
        return _PLACEHOLDER.sub(lambda m: str(lookup(*m.groups())), value)
    if isinstance(value, list):
        return [_resolve(v, values, where) for v in value]
    if isinstance(value, dict):
        return {k: _resolve(v, values, where) for k, v in value.items()}
    return value


# --------------------------------------------------------------------------- suites


@dataclass(frozen=True)
class ExpectationSpec:
    expectation: str  # GX class name, e.g. ExpectColumnValuesToBeUnique
    kwargs: dict[str, Any]  # thresholds resolved
    severity: str  # "error" | "warn"
    notes: str | None = None
    label: str | None = None  # `name:` in the suite, or the metric the entry checks
    shown_kwargs: dict[str, Any] | None = None  # as written (placeholders kept): stable names

    @property
    def name(self) -> str:
        """A readable, stable name: the `name:` given, else the class and what is checked.

        Placeholders are shown as written, so a recalibration does not rename a result.
        """
        if self.label:
            return self.label
        shown = []
        for key, value in (self.shown_kwargs or self.kwargs).items():
            if isinstance(value, list | tuple) and len(value) > 4:
                value = f"[{len(value)} values]"
            shown.append(f"{key}={value}")
        return f"{self.expectation}({', '.join(shown)})"

    def to_gx(self, index: int) -> gxe.Expectation:
        cls = getattr(gxe, self.expectation)
        return cls(
            **self.kwargs,
            severity=SEVERITIES[self.severity],
            notes=self.notes,
            meta={_META_KEY: {"index": index, "name": self.name, "severity": self.severity}},
        )


@dataclass(frozen=True)
class MetricSpec:
    """A named series in SQL over `{batch}`: one row per day, columns `day` and `value`."""

    name: str
    sql: str
    description: str | None = None
    calibrate: dict[str, Any] | None = None  # bounds, quantiles, margin, min_days

    def query(self, relation: str) -> str:
        """The SQL over a given relation (calibration reads the table directly)."""
        return self.sql.replace("{batch}", relation)


@dataclass(frozen=True)
class SuiteSpec:
    path: Path
    asset: str  # schema.table
    team: str
    expectations: tuple[ExpectationSpec, ...]
    description: str | None = None
    dagster_key: tuple[str, ...] | None = None
    metrics: tuple[MetricSpec, ...] = ()

    @property
    def schema(self) -> str:
        return self.asset.split(".", 1)[0]

    @property
    def table(self) -> str:
        return self.asset.split(".", 1)[1]

    @property
    def name(self) -> str:
        return f"{self.team}.{self.table}"

    @property
    def check_name(self) -> str:
        return f"gx_{self.table}"

    @property
    def asset_key(self) -> dg.AssetKey:
        """`dagster_asset_key` of the suite; by default `[schema, table]`: the ingestion assets
        are `[raw, <table>]`, and this project's dagster-dbt translator keys a model by its
        custom schema and name (`[marts, fct_onboarding]`)."""
        if self.dagster_key:
            return dg.AssetKey(list(self.dagster_key))
        return dg.AssetKey([self.schema, self.table])

    @property
    def blocking(self) -> bool:
        return any(e.severity == ERROR for e in self.expectations)

    def metric(self, name: str) -> MetricSpec:
        return next(m for m in self.metrics if m.name == name)

    def to_gx(self) -> gx.ExpectationSuite:
        suite = gx.ExpectationSuite(name=self.name, meta={_META_KEY: {"team": self.team}})
        for index, spec in enumerate(self.expectations):
            suite.add_expectation(spec.to_gx(index))
        return suite


def _load_metrics(path: Path, doc: dict[str, Any]) -> tuple[MetricSpec, ...]:
    raw = doc.get("metrics") or {}
    if not isinstance(raw, dict):
        raise SuiteError(f"{path}: 'metrics' must be a mapping name -> {{sql, calibrate}}")
    metrics = []
    for name, body in raw.items():
        where = f"{path}: metrics.{name}"
        if not isinstance(body, dict) or not isinstance(body.get("sql"), str):
            raise SuiteError(f"{where}: needs 'sql' (a query over {{batch}} giving day, value)")
        unknown = set(body) - _METRIC_KEYS
        if unknown:
            raise SuiteError(f"{where}: unknown keys {sorted(unknown)}")
        if "{batch}" not in body["sql"]:
            raise SuiteError(f"{where}: the sql must read the table as {{batch}}")
        calibrate = body.get("calibrate")
        if calibrate is not None:
            if not isinstance(calibrate, dict) or set(calibrate) - _CALIBRATE_KEYS:
                raise SuiteError(f"{where}.calibrate: keys are {sorted(_CALIBRATE_KEYS)}")
            bounds = calibrate.get("bounds")
            if not bounds or not set(bounds) <= set(BOUNDS):
                raise SuiteError(f"{where}.calibrate.bounds: a list of {list(BOUNDS)}")
        metrics.append(MetricSpec(name, body["sql"].strip(), body.get("description"), calibrate))
    return tuple(metrics)


def _metric_expectation(
    metric: MetricSpec, values: dict[str, Any], where: str
) -> tuple[dict[str, Any], dict[str, Any]]:
    """kwargs (resolved, shown) of the UnexpectedRowsExpectation: days outside the bounds."""
    bounds = values.get(metric.name) or {}
    conditions = []
    if bounds.get("min") is not None:
        conditions.append(f"value < {float(bounds['min'])!r}")
    if bounds.get("max") is not None:
        conditions.append(f"value > {float(bounds['max'])!r}")
    if not conditions:
        raise SuiteError(
            f"{where}: metric {metric.name!r} has no min or max in the team's thresholds file"
        )
    query = (
        f"select * from ({metric.sql}) as metric_series\n"
        f"where value is not null and ({' or '.join(conditions)})"
    )
    shown = {"metric": metric.name}
    for key in ("min", "max"):
        if bounds.get(key) is not None:
            shown[key] = f"${{{metric.name}.{key}}}"
    return {"unexpected_rows_query": query}, shown


def load_suite(
    path: Path | str,
    *,
    thresholds_dir: Path | str = THRESHOLDS_DIR,
    teams: dict[str, Team] | None = None,
    resolve_thresholds: bool = True,
) -> SuiteSpec:
    """Read and check one suite file; every GX expectation is built once to check its kwargs.

    With `resolve_thresholds=False` (calibration, before any threshold exists) placeholders
    are left as written and the entries that need thresholds are not built.
    """
    path = Path(path).resolve()
    try:
        doc = yaml.safe_load(path.read_text())
    except (OSError, yaml.YAMLError) as exc:
        raise SuiteError(f"{path}: cannot read suite: {exc}") from exc
    if not isinstance(doc, dict):
        raise SuiteError(f"{path}: a suite is a mapping with keys {sorted(_SUITE_KEYS)}")
    unknown = set(doc) - _SUITE_KEYS
    if unknown:
        raise SuiteError(f"{path}: unknown keys {sorted(unknown)}; allowed: {sorted(_SUITE_KEYS)}")
    asset, team = doc.get("asset"), doc.get("team")
    if not isinstance(asset, str) or asset.count(".") != 1:
        raise SuiteError(f"{path}: 'asset' must be '<schema>.<table>', got {asset!r}")
    if not isinstance(team, str) or not team:
        raise SuiteError(f"{path}: 'team' is required (a team_id of seeds/teams.csv)")
    known = teams if teams is not None else load_teams()
    if team not in known:
        raise SuiteError(f"{path}: team {team!r} is not a team_id of seeds/teams.csv")
    dagster_key = doc.get("dagster_asset_key")
    if dagster_key is not None and (
        not isinstance(dagster_key, list)
        or not dagster_key
        or not all(isinstance(p, str) and p for p in dagster_key)
    ):
        raise SuiteError(f"{path}: 'dagster_asset_key' must be a list of strings")
    metrics = _load_metrics(path, doc)
    table = asset.split(".", 1)[1]
    values = load_thresholds(team, thresholds_dir).get(table) or {}
    entries = doc.get("expectations")
    if not isinstance(entries, list) or not entries:
        raise SuiteError(f"{path}: 'expectations' must be a non-empty list")
    specs = []
    for index, entry in enumerate(entries):
        where = f"{path}: expectations[{index}]"
        if not isinstance(entry, dict):
            raise SuiteError(f"{where}: must be a mapping with keys {sorted(_EXPECTATION_KEYS)}")
        unknown = set(entry) - _EXPECTATION_KEYS
        if unknown:
            raise SuiteError(f"{where}: unknown keys {sorted(unknown)}")
        severity = entry.get("severity")
        if severity not in SEVERITIES:
            raise SuiteError(f"{where}: 'severity' must be one of {sorted(SEVERITIES)}")
        if "metric" in entry:
            if "expectation" in entry or "kwargs" in entry:
                raise SuiteError(f"{where}: a 'metric' entry has no 'expectation' or 'kwargs'")
            metric = next((m for m in metrics if m.name == entry["metric"]), None)
            if metric is None:
                raise SuiteError(f"{where}: metric {entry['metric']!r} is not in 'metrics'")
            name = "UnexpectedRowsExpectation"
            if resolve_thresholds:
                kwargs, shown = _metric_expectation(metric, values, where)
            else:
                kwargs, shown = {"unexpected_rows_query": metric.sql}, {"metric": metric.name}
            label = entry.get("name") or f"{metric.name} within thresholds"
            notes = entry.get("notes") or metric.description
        else:
            name = entry.get("expectation")
            kwargs = entry.get("kwargs") or {}
            if not isinstance(kwargs, dict):
                raise SuiteError(f"{where}: 'kwargs' must be a mapping")
            shown = kwargs
            if resolve_thresholds:
                kwargs = _resolve(kwargs, values, where)
            label = entry.get("name")
            notes = entry.get("notes")
        cls = getattr(gxe, name, None) if isinstance(name, str) else None
        if not (isinstance(cls, type) and issubclass(cls, gxe.Expectation)):
            raise SuiteError(f"{where}: {name!r} is not a Great Expectations expectation class")
        if name == "UnexpectedRowsExpectation" and not label:
            raise SuiteError(f"{where}: an UnexpectedRowsExpectation needs a 'name'")
        spec = ExpectationSpec(name, kwargs, severity, notes, label, shown)
        try:
            if resolve_thresholds or not _PLACEHOLDER.search(json.dumps(kwargs, default=str)):
                spec.to_gx(index)
        except Exception as exc:  # pydantic says which kwarg is wrong
            raise SuiteError(f"{where} ({name}): invalid kwargs: {exc}") from exc
        specs.append(spec)
    names = [s.name for s in specs]
    duplicates = sorted({n for n in names if names.count(n) > 1})
    if duplicates:
        raise SuiteError(f"{path}: expectation names must be unique, repeated: {duplicates}")
    return SuiteSpec(
        path,
        asset,
        team,
        tuple(specs),
        doc.get("description"),
        tuple(dagster_key) if dagster_key else None,
        metrics,
    )


def suite_files(suites_dir: Path | str = SUITES_DIR) -> list[Path]:
    return sorted(Path(suites_dir).glob("*/*.yml")) + sorted(Path(suites_dir).glob("*/*.yaml"))


def load_suites(
    suites_dir: Path | str = SUITES_DIR,
    *,
    thresholds_dir: Path | str = THRESHOLDS_DIR,
    schemas: Iterable[str] | None = None,
    resolve_thresholds: bool = True,
) -> list[SuiteSpec]:
    """Every suite (or those guarding tables in `schemas`), checked for folder and duplicates."""
    teams = load_teams()
    specs = [
        load_suite(
            p, thresholds_dir=thresholds_dir, teams=teams, resolve_thresholds=resolve_thresholds
        )
        for p in suite_files(suites_dir)
    ]
    seen: dict[str, Path] = {}
    for spec in specs:
        if spec.path.parent.name != spec.team:
            raise SuiteError(f"{spec.path}: team {spec.team!r} must match its folder")
        if spec.asset in seen:
            raise SuiteError(f"{spec.path}: {spec.asset} already has a suite in {seen[spec.asset]}")
        seen[spec.asset] = spec.path
    if schemas is not None:
        wanted = set(schemas)
        specs = [s for s in specs if s.schema in wanted]
    return specs


# --------------------------------------------------------------------------- results


@dataclass(frozen=True)
class ExpectationOutcome:
    expectation: str  # ExpectationSpec.name
    expectation_type: str  # GX snake-case type
    severity: str
    success: bool
    unexpected_count: int | None = None
    unexpected_percent: float | None = None
    element_count: int | None = None
    observed_value: Any = None
    partial_unexpected: tuple[Any, ...] = ()
    exception: str | None = None

    def as_dict(self) -> dict[str, Any]:
        return {
            "expectation": self.expectation,
            "severity": self.severity,
            "success": self.success,
            "unexpected_count": self.unexpected_count,
            "unexpected_percent": self.unexpected_percent,
            "element_count": self.element_count,
            "observed_value": _jsonable(self.observed_value),
            "partial_unexpected": [_jsonable(v) for v in self.partial_unexpected],
            "exception": self.exception,
        }


@dataclass(frozen=True)
class ValidationReport:
    suite: str
    suite_file: Path
    asset: str
    team: str
    run_at: datetime  # UTC, naive
    results: tuple[ExpectationOutcome, ...]
    duration_seconds: float = 0.0
    row_count: int | None = field(default=None)

    @property
    def success(self) -> bool:
        return all(r.success for r in self.results)

    @property
    def failed(self) -> list[ExpectationOutcome]:
        return [r for r in self.results if not r.success]

    @property
    def severity(self) -> str | None:
        """`error` if an error expectation failed, `warn` if only warn ones did, else None."""
        failed = self.failed
        if any(r.severity == ERROR for r in failed):
            return ERROR
        return WARN if failed else None

    def failed_names(self, severity: str | None = None) -> list[str]:
        return [r.expectation for r in self.failed if severity in (None, r.severity)]


def _jsonable(value: Any) -> Any:
    try:
        json.dumps(value)
        return value
    except (TypeError, ValueError):
        return str(value)


def _number(value: Any) -> float | None:
    if value is None:
        return None
    try:
        number = float(value)
    except (TypeError, ValueError):
        return None
    return None if math.isnan(number) else number


def _exception_message(info: Any) -> str | None:
    """GX puts one exception dict at top level, or one per failed metric."""
    if not isinstance(info, dict):
        return None
    if info.get("raised_exception") or info.get("exception_message"):
        return info.get("exception_message") or "exception raised"
    for value in info.values():
        if isinstance(value, dict) and (
            value.get("raised_exception") or value.get("exception_message")
        ):
            return value.get("exception_message") or "exception raised"
    return None


def _outcome(
    result: ExpectationValidationResult, specs: Sequence[ExpectationSpec]
) -> tuple[int, ExpectationOutcome]:
    config = result.expectation_config
    index = config.meta[_META_KEY]["index"]
    spec = specs[index]
    detail = result.result or {}
    count = detail.get("unexpected_count")
    if count is None and config.type == "unexpected_rows_expectation":
        count = detail.get("observed_value")  # the number of rows the query returned
    return index, ExpectationOutcome(
        expectation=spec.name,
        expectation_type=config.type,
        severity=spec.severity,
        success=bool(result.success),
        unexpected_count=None if count is None else int(count),
        unexpected_percent=_number(detail.get("unexpected_percent")),
        element_count=detail.get("element_count"),
        observed_value=detail.get("observed_value"),
        partial_unexpected=tuple(detail.get("partial_unexpected_list") or ())[:5],
        exception=_exception_message(result.exception_info),
    )


def _run_suite(context: Any, datasource: Any, spec: SuiteSpec) -> ValidationReport:
    started = time.perf_counter()
    run_at = datetime.now(UTC).replace(tzinfo=None)
    try:
        asset = datasource.add_table_asset(name=spec.asset, table_name=spec.table)
    except TestConnectionError as exc:  # the table is missing or unreadable
        missing = ExpectationOutcome(
            expectation=f"table {spec.asset} is readable",
            expectation_type="table_is_readable",
            severity=ERROR,
            success=False,
            exception=str(exc),
        )
        return ValidationReport(spec.name, spec.path, spec.asset, spec.team, run_at, (missing,))
    batch = asset.add_batch_definition_whole_table(name="whole table")
    suite = context.suites.add(spec.to_gx())
    definition = context.validation_definitions.add(
        gx.ValidationDefinition(name=spec.name, data=batch, suite=suite)
    )
    validation = definition.run(result_format="BASIC")
    outcomes = sorted(
        (_outcome(r, spec.expectations) for r in validation.results), key=lambda pair: pair[0]
    )
    if [i for i, _ in outcomes] != list(range(len(spec.expectations))):
        raise RuntimeError(
            f"{spec.path}: GX returned {len(outcomes)} results for "
            f"{len(spec.expectations)} expectations"
        )
    return ValidationReport(
        suite=spec.name,
        suite_file=spec.path,
        asset=spec.asset,
        team=spec.team,
        run_at=run_at,
        results=tuple(o for _, o in outcomes),
        duration_seconds=time.perf_counter() - started,
        row_count=next((o.element_count for _, o in outcomes if o.element_count is not None), None),
    )


def persist_reports(warehouse_path: Path | str, reports: Iterable[ValidationReport]) -> int:
    """Append one row per expectation to quality.validation_results (a short write connection)."""
    rows = [
        (
            report.run_at,
            report.team,
            report.asset,
            report.suite,
            outcome.expectation,
            outcome.severity,
            outcome.success,
            outcome.unexpected_count,
            outcome.unexpected_percent,
        )
        for report in reports
        for outcome in report.results
    ]
    if not rows:
        return 0
    with connect_waiting_for_lock(Path(warehouse_path).resolve(), read_only=False) as con:
        ensure_quality_schema(con)
        con.executemany(f"insert into {RESULTS_TABLE} values (?, ?, ?, ?, ?, ?, ?, ?, ?)", rows)
    return len(rows)


def validate_table(
    warehouse_path: str | Path,
    suite_file: Path | str,
    *,
    persist: bool = True,
    thresholds_dir: Path | str = THRESHOLDS_DIR,
) -> ValidationReport:
    """Run one suite against its table in the DuckDB file, as SQL inside DuckDB.

    GX reads through a read-only connection that is closed before `persist` appends the
    outcome to quality.validation_results through a short read-write one. Thresholds come
    from `thresholds_dir` (expectations/thresholds/ by default).
    """
    spec = load_suite(suite_file, thresholds_dir=thresholds_dir)
    with duckdb_datasource(warehouse_path, schema=spec.schema) as (context, datasource):
        report = _run_suite(context, datasource, spec)
    if persist:
        persist_reports(warehouse_path, [report])
    return report


def build_data_docs(
    site_dir: Path | str,
    warehouse_path: Path | str,
    suites_dir: Path | str = SUITES_DIR,
    *,
    schemas: Iterable[str] | None = DEFAULT_SCHEMAS,
) -> Path:
    """Validate every suite once more and write the GX Data Docs site; returns its index.html.

    GX writes one static page per suite and per validation; they open from disk (offline
    they are unstyled: GX links its CSS from public CDNs). GX's own index draws its table with
    jQuery from a CDN, so it is blank offline: it is kept as `gx-index.html` and replaced by a
    plain `index.html` that links every page. Nothing is written to the warehouse.
    """
    specs = load_suites(suites_dir, schemas=schemas)
    site_dir = Path(site_dir).resolve()
    site_dir.mkdir(parents=True, exist_ok=True)
    if (site_dir / "validations").is_dir():  # pages of earlier builds; history is in the table
        shutil.rmtree(site_dir / "validations")
    context = ephemeral_context(data_docs_dir=site_dir)
    datasources = {}
    reports = []
    try:
        for spec in specs:
            if spec.schema not in datasources:
                datasources[spec.schema] = add_duckdb_datasource(
                    context, warehouse_path, name=f"warehouse_{spec.schema}", schema=spec.schema
                )
            reports.append(_run_suite(context, datasources[spec.schema], spec))
    finally:
        for datasource in datasources.values():
            release_datasource(datasource)
    context.build_data_docs()
    index = site_dir / "index.html"
    index.replace(site_dir / "gx-index.html")
    index.write_text(_offline_index(site_dir, reports))
    return index


def _offline_index(site_dir: Path, reports: Sequence[ValidationReport]) -> str:
    def link(path: Path | None, text: str) -> str:
        if path is None or not path.is_file():
            return html.escape(text)
        href = html.escape(path.relative_to(site_dir).as_posix())
        return f'<a href="{href}">{html.escape(text)}</a>'

    rows = []
    for r in reports:
        team, table = r.suite.split(".", 1)
        pages = sorted((site_dir / "validations" / team / table).rglob("*.html"))
        status = {None: "passed", WARN: "warnings", ERROR: "FAILED"}[r.severity]
        failed = "<br>".join(f"{html.escape(o.expectation)} ({o.severity})" for o in r.failed)
        rows.append(
            f'<tr class="{status.lower()}"><td>{link(pages[-1] if pages else None, r.asset)}</td>'
            f"<td>{html.escape(team)}</td><td>{status}</td>"
            f"<td>{'' if r.row_count is None else r.row_count}</td><td>{failed}</td>"
            f"<td>{link(site_dir / 'expectations' / team / f'{table}.html', r.suite)}</td></tr>"
        )
    built = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    return f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>API Pulse - data quality</title>
<style>
body {{ font-family: system-ui, sans-serif; margin: 2rem; color: #222; }}
table {{ border-collapse: collapse; }}
th, td {{ padding: .4rem .8rem; border-bottom: 1px solid #ddd; text-align: left;
vertical-align: top; }}
tr.failed td:nth-child(3) {{ color: #b00020; font-weight: bold; }}
tr.warnings td:nth-child(3) {{ color: #a15c00; }}
tr.passed td:nth-child(3) {{ color: #1b7f3b; }}
</style></head><body>
<h1>Data quality: Great Expectations suites, by owning team</h1>
<p>Validated {built}. <em>FAILED</em> means an <code>error</code> expectation failed and blocks
downstream assets; <em>warnings</em> are reported only. Suites live in
<code>expectations/suites/&lt;team&gt;/</code>; every run is recorded in
<code>{RESULTS_TABLE}</code>. <a href="gx-index.html">Great Expectations index</a> (needs a
network connection).</p>
<table><thead><tr><th>asset</th><th>team</th><th>status</th><th>rows</th>
<th>failed expectations</th><th>suite</th></tr></thead>
<tbody>
{chr(10).join(rows)}
</tbody></table></body></html>
"""


# --------------------------------------------------------------------------- Dagster


def _summary_markdown(report: ValidationReport) -> str:
    lines = ["| expectation | severity | ok | unexpected | % |", "|---|---|---|---|---|"]
    for r in report.results:
        percent = "" if r.unexpected_percent is None else f"{r.unexpected_percent:.3g}"
        count = "" if r.unexpected_count is None else str(r.unexpected_count)
        name = r.expectation.replace("|", "\\|")
        lines.append(
            f"| {name} | {r.severity} | {'yes' if r.success else '**no**'} | {count} | {percent} |"
        )
    return "\n".join(lines)


def check_result(report: ValidationReport) -> dg.AssetCheckResult:
    """The Dagster result of one validation: ERROR only when an `error` expectation failed."""
    severity = (
        dg.AssetCheckSeverity.ERROR if report.severity == ERROR else dg.AssetCheckSeverity.WARN
    )
    percents = [r.unexpected_percent for r in report.results if r.unexpected_percent is not None]
    failed_error, failed_warn = report.failed_names(ERROR), report.failed_names(WARN)
    if report.success:
        description = f"{len(report.results)} expectations passed"
    else:
        description = "failed: " + "; ".join(failed_error + failed_warn)
    team = load_teams().get(report.team)
    if not report.success:
        description = f"[{team.team_name if team else report.team}] {description}"
    metadata: dict[str, Any] = {
        "team": report.team,
        "team_name": team.team_name if team else report.team,
        "alert_channel": team.alert_channel if team else "",
        "suite": report.suite,
        "suite_file": str(report.suite_file),
        "expectations": len(report.results),
        "failed_error": len(failed_error),
        "failed_warn": len(failed_warn),
        "failed_expectations": dg.MetadataValue.json(failed_error + failed_warn),
        "max_unexpected_percent": max(percents, default=0.0),
        "duration_seconds": round(report.duration_seconds, 3),
        "results": dg.MetadataValue.json([r.as_dict() for r in report.results]),
        "summary": dg.MetadataValue.md(_summary_markdown(report)),
    }
    if report.row_count is not None:
        metadata["row_count"] = report.row_count
    return dg.AssetCheckResult(
        passed=report.success,
        severity=severity,
        description=description[:2000],
        metadata=metadata,
    )


def _build_check(
    spec: SuiteSpec, warehouse_resource_key: str, pool: str | None
) -> dg.AssetChecksDefinition:
    suite_file = spec.path
    team = load_teams().get(spec.team)

    @dg.asset_check(
        asset=spec.asset_key,
        name=spec.check_name,
        description=spec.description or f"Great Expectations suite {spec.name} ({suite_file.name})",
        blocking=spec.blocking,
        required_resource_keys={warehouse_resource_key},
        metadata={
            "team": spec.team,
            "team_name": team.team_name if team else spec.team,
            "alert_channel": team.alert_channel if team else "",
            "suite_file": str(suite_file),
        },
        pool=pool,
    )
    def _check(context: dg.AssetCheckExecutionContext) -> dg.AssetCheckResult:
        warehouse = getattr(context.resources, warehouse_resource_key)
        report = validate_table(warehouse.path, suite_file)
        return check_result(report)

    return _check


def build_quality_checks(
    warehouse_resource_key: str = "warehouse",
    *,
    suites_dir: Path | str = SUITES_DIR,
    pool: str | None = "warehouse",
    schemas: Iterable[str] | None = DEFAULT_SCHEMAS,
) -> list[dg.AssetChecksDefinition]:
    """One Dagster asset check per suite: `gx_<table>` on the suite's asset key
    (`dagster_asset_key`, by default `[schema, table]`: `[raw, t]`, `[marts, model]`).

    `schemas` picks the suites by the schema of the table they guard: raw only by default;
    `schemas=None` adds the mart suites (checks on the dbt model assets, run after dbt).

    A check is blocking when its suite has an `error` expectation. It reads
    `context.resources.<warehouse_resource_key>.path` and writes quality.validation_results,
    so it runs in the same Dagster `pool` as the other warehouse writers ("warehouse", as the
    ingestion assets use; give that pool a limit of 1).
    """
    return [
        _build_check(spec, warehouse_resource_key, pool)
        for spec in load_suites(suites_dir, schemas=schemas)
    ]

"""What every loader shares: typed staging of records, atomic upserts, rejects, the load log.

Loaders parse a source's files into plain records (dicts with the source's field names);
`RecordLoad` turns them into typed rows of a raw table, sends records that cannot be typed
to the source's rejects table, and upserts the rest in one transaction, so a failed load
leaves the previous data in place and a re-load of the same file changes nothing.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import duckdb
import pandas as pd

from orchestration.ingestion.schema import RAW_TABLES, RawTable, ensure_raw_schema

EXCERPT_CHARS = 200


class LoadError(RuntimeError):
    """A load that must stop: the message names the file and what to do."""


@dataclass
class Reject:
    source_file: str
    line: int | None
    reason: str
    excerpt: str | None = None


@dataclass
class LoadResult:
    source: str
    files: int = 0
    loaded: dict[str, int] = field(default_factory=dict)  # table -> rows inserted or changed
    received: dict[str, int] = field(default_factory=dict)  # table -> records parsed
    rejected: int = 0
    reject_reasons: dict[str, int] = field(default_factory=dict)

    @property
    def records_loaded(self) -> int:
        return sum(self.received.values())

    def summary(self) -> str:
        parts = [f"{t}: {n} records" for t, n in sorted(self.received.items())]
        text = f"{self.source}: {self.files} file(s); " + ", ".join(parts or ["no records"])
        text += f"; {self.rejected} rejected"
        if self.reject_reasons:
            top = sorted(self.reject_reasons.items(), key=lambda kv: -kv[1])[:3]
            text += " (" + "; ".join(f"{n}× {r}" for r, n in top) + ")"
        return text


def utc_now() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None)


def parse_timestamp(value: Any) -> datetime | None:
    """ISO 8601 (with Z or offset) or epoch seconds/milliseconds -> naive UTC datetime."""
    if value is None or value == "":
        return None
    if isinstance(value, int | float) and not isinstance(value, bool):
        seconds = value / 1000 if value > 1e11 else value
        return datetime.fromtimestamp(seconds, UTC).replace(tzinfo=None)
    if isinstance(value, str):
        text = value.strip()
        if text.endswith("Z"):
            text = text[:-1] + "+00:00"
        parsed = datetime.fromisoformat(text)
        if parsed.tzinfo is not None:
            parsed = parsed.astimezone(UTC).replace(tzinfo=None)
        return parsed
    raise ValueError(f"not a timestamp: {value!r}")


def _coerce(value: Any, sql_type: str) -> Any:
    if value is None:
        return None
    if sql_type == "JSON":
        return json.dumps(value, sort_keys=True, ensure_ascii=False)
    if sql_type == "TIMESTAMP":
        return parse_timestamp(value)
    if sql_type in ("BIGINT", "INTEGER"):
        if isinstance(value, bool):
            raise ValueError(f"expected an integer, got {value!r}")
        return int(value)
    if sql_type == "DOUBLE":
        return float(value)
    if sql_type == "BOOLEAN":
        if isinstance(value, bool):
            return value
        raise ValueError(f"expected true/false, got {value!r}")
    if isinstance(value, dict | list):
        return json.dumps(value, sort_keys=True, ensure_ascii=False)
    return str(value)


def excerpt(record: Any) -> str:
    text = record if isinstance(record, str) else json.dumps(record, default=str)
    return text[:EXCERPT_CHARS]


class RecordLoad:
    """Collects typed rows for several raw tables of one source, then writes them atomically."""

    def __init__(self, source: str) -> None:
        self.source = source
        self.rows: dict[str, list[tuple]] = {}
        self.rejects: list[Reject] = []
        self.files: set[str] = set()
        # API mode: (stream, key) -> value, saved to raw._load_state with the rows.
        self.state: dict[tuple[str, str], str] = {}

    def set_state(self, stream: str, key: str, value: str | None) -> None:
        if value is not None:
            self.state[(stream, key)] = str(value)

    def add(
        self,
        table: str,
        record: dict[str, Any],
        source_file: str,
        position: int | None,
        extra: dict[str, Any] | None = None,
    ) -> bool:
        """Type one record for `table`; on failure quarantine it with the field that failed."""
        spec = RAW_TABLES[table]
        values = {**record, **(extra or {})}
        row = []
        for column, sql_type in spec.columns:
            try:
                row.append(_coerce(values.get(column), sql_type))
            except (TypeError, ValueError) as exc:
                self.reject(source_file, position, f"{table}.{column}: {exc}", excerpt(record))
                return False
        missing = [k for k in spec.key if values.get(k) is None]
        if missing:
            self.reject(source_file, position, f"{table}: missing key {', '.join(missing)}",
                        excerpt(record))
            return False
        row.append(source_file)  # the row's `_source_file`
        self.files.add(source_file)
        self.rows.setdefault(table, []).append(tuple(row))
        return True

    def reject(self, source_file: str, line: int | None, reason: str, text: str | None) -> None:
        self.rejects.append(Reject(source_file, line, reason, text))

    def write(self, con: duckdb.DuckDBPyConnection, result: LoadResult) -> LoadResult:
        loaded_at = utc_now()
        ensure_raw_schema(con)
        con.execute("begin transaction")
        try:
            for table, rows in self.rows.items():
                result.received[table] = result.received.get(table, 0) + len(rows)
                result.loaded[table] = upsert(con, RAW_TABLES[table], rows, loaded_at)
            write_rejects(con, self.source, self.rejects, loaded_at)
            write_state(con, self.source, self.state, loaded_at)
            con.execute("commit")
        except Exception:
            con.execute("rollback")
            raise
        result.files += len(self.files)
        count_rejects(result, self.rejects)
        return result


def count_rejects(result: LoadResult, rejects: Sequence[Reject]) -> None:
    result.rejected += len(rejects)
    for r in rejects:
        reason = r.reason.split(":")[0] if ": " in r.reason else r.reason
        result.reject_reasons[reason] = result.reject_reasons.get(reason, 0) + 1


def upsert(con: duckdb.DuckDBPyConnection, table: RawTable, rows: list[tuple],
           loaded_at: datetime) -> int:
    """Insert new keys; replace a row only when the incoming one differs and is not older.

    Unchanged rows keep their `_loaded_at`, so re-loading the same file changes nothing.
    Returns the number of rows inserted or replaced.
    """
    if not rows:
        return 0
    cols = table.column_names
    frame = pd.DataFrame.from_records(rows, columns=cols + ["_source_file"])
    frame["_loaded_at"] = loaded_at
    stage = f"stage_{table.name}"
    select_typed = ", ".join(
        f'cast("{c}" as {t}) as "{c}"' for c, t in table.columns
    )
    con.register("incoming_frame", frame)
    con.execute(
        f'create or replace temp table {stage} as select {select_typed}, '
        f'"_source_file", cast("_loaded_at" as timestamp) as "_loaded_at" from incoming_frame'
    )
    con.unregister("incoming_frame")
    key = ", ".join(f'"{k}"' for k in table.key)
    has_updated = "updated_at" in cols
    # Within one load the newest version of a key wins (several snapshots overlap).
    order = '"updated_at" desc nulls last, "_source_file" desc' if has_updated else '"_source_file" desc'
    con.execute(
        f"create or replace temp table {stage}_latest as select * from ("
        f"select *, row_number() over (partition by {key} order by {order}) as _rn from {stage}"
        f") where _rn = 1"
    )
    join = " and ".join(f't."{k}" = s."{k}"' for k in table.key)
    differs = "(" + ", ".join(f't."{c}"' for c in cols) + ") is distinct from (" + ", ".join(
        f's."{c}"' for c in cols) + ")"
    not_older = ' and (s."updated_at" >= t."updated_at" or t."updated_at" is null)' if has_updated else ""
    target = f'raw."{table.name}"'
    con.execute(
        f"create or replace temp table {stage}_apply as select s.* from {stage}_latest s "
        f"left join {target} t on {join} "
        f"where t.\"{table.key[0]}\" is null or ({differs}{not_older})"
    )
    changed = con.execute(f"select count(*) from {stage}_apply").fetchone()[0]
    con.execute(
        f"delete from {target} t where exists (select 1 from {stage}_apply s where {join})"
    )
    all_cols = ", ".join(f'"{c}"' for c in cols + ["_source_file", "_loaded_at"])
    con.execute(f"insert into {target} ({all_cols}) select {all_cols} from {stage}_apply")
    if table.replaces_per:
        parent = f'"{table.replaces_per}"'
        removed = con.execute(
            f"delete from {target} t where t.{parent} in (select {parent} from {stage}_latest)"
            f" and not exists (select 1 from {stage}_latest s where {join})"
        ).fetchone()[0]
        changed += int(removed)
    for suffix in ("", "_latest", "_apply"):
        con.execute(f"drop table if exists {stage}{suffix}")
    return int(changed)


def write_rejects(con: duckdb.DuckDBPyConnection, source: str, rejects: Sequence[Reject],
                  loaded_at: datetime) -> None:
    if not rejects:
        return
    con.executemany(
        f'insert into raw."{source}_rejects" values (?, ?, ?, ?, ?)',
        [(r.source_file, r.line, r.reason, r.excerpt, loaded_at) for r in rejects],
    )


def read_state(con: duckdb.DuckDBPyConnection, source: str, stream: str, key: str) -> str | None:
    """A stored cursor or ETag from raw._load_state, or None."""
    ensure_raw_schema(con)
    row = con.execute(
        "select value from raw._load_state where source = ? and stream = ? and key = ?",
        [source, stream, key],
    ).fetchone()
    return row[0] if row else None


def write_state(con: duckdb.DuckDBPyConnection, source: str,
                state: dict[tuple[str, str], str], loaded_at: datetime) -> None:
    for (stream, key), value in sorted(state.items()):
        con.execute(
            "insert or replace into raw._load_state values (?, ?, ?, ?, ?)",
            [source, stream, key, value, loaded_at],
        )


def log_load(con: duckdb.DuckDBPyConnection, result: LoadResult, started_at: datetime) -> None:
    ensure_raw_schema(con)
    con.execute(
        "insert into raw._loads values (?, ?, ?, ?, ?, ?, ?)",
        [str(uuid.uuid4()), result.source, result.files, result.records_loaded,
         result.rejected, started_at, utc_now()],
    )


def check_reject_share(result: LoadResult, max_share: float) -> None:
    """Fail the load (after quarantining) when too large a share of records was rejected."""
    total = result.records_loaded + result.rejected
    if total and result.rejected / total > max_share:
        raise LoadError(
            f"{result.source}: {result.rejected} of {total} records rejected "
            f"({result.rejected / total:.1%} > allowed {max_share:.1%}); see raw.{result.source}"
            f"_rejects for file, line and reason, fix the input or raise max_reject_share"
        )


def display_path(path: Path) -> str:
    return str(path.resolve())


def expand_paths(paths: Sequence[Path], patterns: tuple[str, ...]) -> list[Path]:
    """Files as given; folders searched (recursively) for the source's file patterns."""
    files: list[Path] = []
    for path in paths:
        if not path.exists():
            raise LoadError(f"{path}: no such file or directory")
        if path.is_dir():
            files.extend(sorted({p for pat in patterns for p in path.rglob(pat) if p.is_file()}))
        else:
            files.append(path)
    return files


# --- Dagster glue shared by the source modules -------------------------------------------

def raw_asset_specs(tables: Sequence[str], group: str, owner_team: str,
                    description: str) -> list:
    import dagster as dg

    return [
        dg.AssetSpec(
            key=dg.AssetKey(["raw", table]),
            group_name=group,
            description=f"{description} Raw table `raw.{table}` (see docs/raw-layer.md).",
            owners=[f"team:{owner_team}"],
            kinds={"duckdb", "python"},
            tags={"layer": "raw", "source": group},
            skippable=True,
        )
        for table in tables
    ]


def configured_load(context, config, source: str, source_files, patterns: tuple[str, ...],
                    load_files_fn, pull_fn):
    """The load a source's asset runs as configured: `pull` in api mode, files otherwise.

    File mode reads the configured `paths`, or the `SourceFilesResource` folder when none
    are given (the embedded default: the sample world). Returns None when the source is off.
    """
    options = config.source(source)
    if not options.enabled:
        context.log.info(f"{source}: disabled in {config.origin}")
        return None
    if options.mode == "api":
        http = config.http_for(source)
        context.log.info(f"{source}: api mode ({config.origin})")
        return lambda con: pull_fn(con, options, http, context.log)
    configured = config.file_paths(source)
    paths = expand_paths(configured, patterns) if configured else source_files.files(source, patterns)
    context.log.info(f"{source}: file mode, {len(paths)} file(s)")
    return lambda con: load_files_fn(con, paths)


def reject_share(config, source: str, default: float) -> float:
    configured = config.source(source).max_reject_share
    return default if configured is None else configured


def materialize_load(context, warehouse, source: str, tables: Sequence[str], load_fn,
                     max_reject_share: float):
    """Run one file-mode load in a short warehouse connection and report it per table."""
    import dagster as dg

    started = utc_now()
    with warehouse.connect() as con:
        result = load_fn(con)
        log_load(con, result, started)
        counts = {
            t: con.execute(f'select count(*) from raw."{t}"').fetchone()[0] for t in tables
        }
    context.log.info(result.summary())
    check_reject_share(result, max_reject_share)
    for table in tables:
        yield dg.MaterializeResult(
            asset_key=dg.AssetKey(["raw", table]),
            metadata={
                "dagster/row_count": dg.MetadataValue.int(int(counts[table])),
                "records_in_this_load": dg.MetadataValue.int(result.received.get(table, 0)),
                "rows_inserted_or_changed": dg.MetadataValue.int(result.loaded.get(table, 0)),
                "records_rejected": dg.MetadataValue.int(result.rejected),
                "files": dg.MetadataValue.int(result.files),
            },
        )

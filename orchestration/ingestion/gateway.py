"""API gateway access logs, file mode: Kong JSON, AWS API Gateway JSON, Envoy and NGINX/CLF text.

The heavy path, and all of it runs in DuckDB: there is no Python loop per line. JSON logs go
in batches of files through one `read_json` call (load_json_batch), which DuckDB parallelises
across files. When a batch holds anything that is not a clean request (a malformed line, a
damaged gzip, a missing request id), its files go through load_file instead: each file is
read as lines and parsed in SQL, and every line becomes either one canonical request row
(`raw.gateway_requests`, columns in docs/raw-layer.md) or one reject with its line number
and reason. Both paths store exactly the same rows. Raw API keys and client IPs are hashed
(SHA-256) before anything is stored.

Idempotency: rows remember their `_source_file`; loading a file replaces every row that
file loaded before, and a request id already stored within a day of the new rows' days (a
line shipped twice, possibly into the next day's file) is not inserted again, so a request
id is stored once. A file (or a batch of files) is one transaction; in a batch, the rare
repeated lines are then removed in a second, small one (see _drop_repeats).
"""


import gzip
import tempfile
import zlib
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

import duckdb

from orchestration.ingestion.common import (
    LoadResult,
    Reject,
    count_rejects,
    display_path,
    utc_now,
    write_rejects,
)
from orchestration.ingestion.schema import RAW_TABLES, ensure_raw_schema

SOURCE = "gateway"
KINDS = ("kong", "aws", "envoy", "envoy_json", "nginx")

# First `product/version` token of a user agent: "acme-python/2.4.1 (python 3.11)".
UA_PATTERN = r"^([A-Za-z][A-Za-z0-9._-]*)/([0-9][0-9A-Za-z._-]*)"
VERSION_PATTERN = r"^/(v[0-9]+)(/|$)"
# NGINX combined (+ optional $request_time) and Common Log Format.
# Quoted fields may hold escaped quotes; extra fields after the user agent are allowed and a
# trailing decimal number there is $request_time (seconds).
NGINX_PATTERN = (
    r'^(\S+) \S+ (\S+) \[([^\]]+)\] "((?:[^"\\]|\\.)*)" ([0-9]{3}) (\S+)'
    r'(?: "((?:[^"\\]|\\.)*)" "((?:[^"\\]|\\.)*)")?(.*)$'
)
REQUEST_TIME_PATTERN = r'(?:^|\s)([0-9]+\.[0-9]+)\s*$'

# Envoy's default access log format.
ENVOY_PATTERN = (
    r'^\[([^\]]+)\] "(\S+) (\S+) ([^"]*)" ([0-9]{3}) (\S+) ([0-9]+) ([0-9]+) ([0-9]+) (\S+) '
    r'"([^"]*)" "([^"]*)" "([^"]*)" "([^"]*)" "([^"]*)"'
)


@dataclass
class FileLoad:
    path: str
    kind: str
    lines: int
    parsed: int  # lines that became a request row (repeated lines included)
    loaded: int
    rejected: int
    duplicates: int


def _sha(expr: str) -> str:
    return f"case when {expr} is null or {expr} in ('', '-') then null else sha256({expr}) end"


def _clean_path(expr: str) -> str:
    return f"nullif(split_part({expr}, '?', 1), '')"


_ISO_TS = "cast(cast(f['started_at'] as timestamptz) at time zone 'UTC' as timestamp)"
_CLF_TS = "cast(strptime(f['started_text'], '%d/%b/%Y:%H:%M:%S %z') at time zone 'UTC' as timestamp)"

# JSON log formats: JSON paths of each canonical input, the timestamp and upstream latency SQL.
JSON_FORMATS = {
    "kong": (
        {
            "request_id": "$.request.id", "started_at": "$.started_at",
            "consumer_id": "$.consumer.id", "consumer_id2": "$.authenticated_entity.consumer_id.id",
            "apikey": "$.request.headers.apikey", "apikey2": "$.request.headers.x-api-key",
            "method": "$.request.method", "route": "$.route.name", "uri": "$.request.uri",
            "status": "$.response.status", "latency": "$.latencies.request",
            "upstream": "$.latencies.proxy", "bytes_in": "$.request.size",
            "bytes_out": "$.response.size", "user_agent": "$.request.headers.user-agent",
            "client_ip": "$.client_ip", "region": "$.request.headers.x-region",
        },
        "epoch_ms(cast(f['started_at'] as bigint))",
        # Kong logs -1 for a proxy latency it did not measure (its own 401/429 answers).
        "case when try_cast(f['upstream'] as double) >= 0 then try_cast(f['upstream'] as double) end",
    ),
    "aws": (
        {
            "request_id": "$.requestId", "started_at": "$.requestTimeEpoch",
            "started_text": "$.requestTime",
            "consumer_id": "$.identity.apiKeyId", "consumer_id2": "$.apiKeyId",
            "apikey": "$.identity.apiKey", "apikey2": "$.apiKey",
            "method": "$.httpMethod", "route": "$.resourcePath", "uri": "$.path",
            "status": "$.status", "latency": "$.responseLatency",
            "upstream": "$.integrationLatency", "bytes_in": "$.requestLength",
            "bytes_out": "$.responseLength", "user_agent": "$.identity.userAgent",
            "client_ip": "$.identity.sourceIp", "region": "$.region",
            "route_key": "$.routeKey", "ip": "$.ip", "ua": "$.userAgent",
        },
        f"coalesce(try(epoch_ms(cast(f['started_at'] as bigint))), try({_CLF_TS}))",
        "try_cast(nullif(f['upstream'], '-') as double)",
    ),
    # Envoy's JSON access log with its default field names (json_format of the defaults).
    "envoy_json": (
        {
            "request_id": "$.request_id", "started_at": "$.start_time",
            "consumer_id": "$.consumer_id", "consumer_id2": "$.x_consumer_id",
            "apikey": "$.api_key", "apikey2": "$.x_api_key",
            "method": "$.method", "route": "$.route_name", "uri": "$.path",
            "status": "$.response_code", "latency": "$.duration",
            "upstream": "$.upstream_service_time", "bytes_in": "$.bytes_received",
            "bytes_out": "$.bytes_sent", "user_agent": "$.user_agent",
            "client_ip": "$.x_forwarded_for", "region": "$.region",
            "ip": "$.downstream_remote_address",
        },
        _ISO_TS,
        "try_cast(nullif(f['upstream'], '-') as double)",
    ),
}


def _canonical(kind: str) -> str:
    """SQL producing canonical columns (plus `reject_reason`) from CTE `lines(line, ln)`."""
    if kind in JSON_FORMATS:
        paths, ts, upstream = JSON_FORMATS[kind]
        names = list(paths)
        extract = "json_extract_string(line, [" + ", ".join(f"'{p}'" for p in paths.values()) + "])"
        fields = ",\n".join(f"            list[{i + 1}] as \"{n}\"" for i, n in enumerate(names))
        return f"""
        parsed as (
          select ln, line, case when json_valid(line) and left(ltrim(line), 1) = '{{'
                 then {extract} end as list
          from lines
        ),
        f as (
          select ln, line, list is not null as is_json,
{fields}
          from parsed
        ),
        {_json_typed(kind)}"""
    if kind == "nginx":
        return rf"""
        m as (
          select ln, regexp_extract(line, '{NGINX_PATTERN}',
            ['host', 'user', 'time', 'request', 'status', 'bytes', 'referer', 'ua', 'rest']) as r
          from lines
        ),
        typed as (
          select
            ln, r['status'] <> '' as is_json,
            md5($file_key || ':' || ln) as request_id,
            try(cast(strptime(r['time'], '%d/%b/%Y:%H:%M:%S %z') at time zone 'UTC' as timestamp)) as ts,
            nullif(nullif(r['user'], '-'), '') as consumer_id,
            cast(null as varchar) as api_key_hash,
            upper(nullif(split_part(r['request'], ' ', 1), '')) as method,
            {_clean_path("split_part(r['request'], ' ', 2)")} as route,
            {_clean_path("split_part(r['request'], ' ', 2)")} as path,
            try_cast(r['status'] as integer) as status,
            try_cast(nullif(regexp_extract(r['rest'], '{REQUEST_TIME_PATTERN}', 1), '') as double) * 1000
              as latency_ms,
            cast(null as double) as upstream_latency_ms,
            cast(null as bigint) as bytes_in,
            try_cast(nullif(r['bytes'], '-') as bigint) as bytes_out,
            nullif(nullif(r['ua'], '-'), '') as user_agent,
            {_sha("r['host']")} as client_ip_hash,
            cast(null as varchar) as region
          from m
        )"""
    if kind == "envoy":
        return rf"""
        m as (
          select ln, regexp_extract(line, '{ENVOY_PATTERN}',
            ['time', 'method', 'path', 'protocol', 'status', 'flags', 'bytes_in', 'bytes_out',
             'duration', 'upstream', 'xff', 'ua', 'request_id', 'authority', 'upstream_host']) as r
          from lines
        ),
        typed as (
          select
            ln, r['status'] <> '' as is_json,
            coalesce(nullif(nullif(r['request_id'], '-'), ''), md5($file_key || ':' || ln)) as request_id,
            try(cast(cast(r['time'] as timestamptz) at time zone 'UTC' as timestamp)) as ts,
            cast(null as varchar) as consumer_id,
            cast(null as varchar) as api_key_hash,
            upper(r['method']) as method,
            {_clean_path("r['path']")} as route,
            {_clean_path("r['path']")} as path,
            try_cast(r['status'] as integer) as status,
            try_cast(r['duration'] as double) as latency_ms,
            try_cast(nullif(r['upstream'], '-') as double) as upstream_latency_ms,
            try_cast(r['bytes_in'] as bigint) as bytes_in,
            try_cast(r['bytes_out'] as bigint) as bytes_out,
            nullif(nullif(r['ua'], '-'), '') as user_agent,
            {_sha("split_part(r['xff'], ',', 1)")} as client_ip_hash,
            cast(null as varchar) as region
          from m
        )"""
    raise ValueError(f"unknown gateway log format {kind!r}; expected one of {', '.join(KINDS)}")


def _json_typed(kind: str, carry: str = "") -> str:
    """The `typed` CTE of a JSON log format, over CTE `f(ln, is_json, <one text column per
    path of JSON_FORMATS[kind]>)`; `carry` adds columns passed through (e.g. "f._file, ")."""
    paths, ts, upstream = JSON_FORMATS[kind]
    route = "coalesce(f['route'], f['route_key'])" if "route_key" in paths else "f['route']"
    ip = "coalesce(f['client_ip'], f['ip'])" if "ip" in paths else "f['client_ip']"
    ua = "coalesce(f['user_agent'], f['ua'])" if "ua" in paths else "f['user_agent']"
    return f"""typed as (
          select
            {carry}ln, f.is_json,
            coalesce(f['request_id'], md5($file_key || ':' || ln)) as request_id,
            try({ts}) as ts,
            coalesce(f['consumer_id'], f['consumer_id2']) as consumer_id,
            {_sha("coalesce(f['apikey'], f['apikey2'])")} as api_key_hash,
            upper(f['method']) as method,
            coalesce({route}, {_clean_path("f['uri']")}) as route,
            {_clean_path("f['uri']")} as path,
            try_cast(f['status'] as integer) as status,
            try_cast(nullif(f['latency'], '-') as double) as latency_ms,
            {upstream} as upstream_latency_ms,
            try_cast(f['bytes_in'] as bigint) as bytes_in,
            try_cast(f['bytes_out'] as bigint) as bytes_out,
            {ua} as user_agent,
            {_sha(ip)} as client_ip_hash,
            f['region'] as region
          from f
        )"""


def _json_read_spec(kind: str) -> tuple[str, dict[str, str]]:
    """read_json's `columns` for the paths of a JSON log format (every leaf VARCHAR, which
    keeps a value's JSON text exactly as json_extract_string returns it) and the SQL reading
    each path from those columns."""
    tree: dict = {}
    access: dict[str, str] = {}
    for name, path in JSON_FORMATS[kind][0].items():
        keys = path.removeprefix("$.").split(".")
        node = tree
        for key in keys[:-1]:
            node = node.setdefault(key, {})
            if not isinstance(node, dict):
                raise ValueError(f"{kind}: {path} is both a value and an object")
        node[keys[-1]] = "VARCHAR"
        expr = '"' + keys[0] + '"'
        for key in keys[1:]:
            expr = f"struct_extract({expr}, '{key}')"
        access[name] = expr

    def struct(node: dict) -> str:
        return ", ".join(f'"{k}" ' + (struct(v) if isinstance(v, dict) else v)
                         for k, v in node.items()).join(("STRUCT(", ")"))

    columns = ", ".join(
        f"'{k}': '" + (struct(v) if isinstance(v, dict) else v).replace("'", "''") + "'"
        for k, v in tree.items())
    return "{" + columns + "}", access


def detect_kind(first_line: str) -> str:
    text = first_line.lstrip()
    if text.startswith("{"):
        if '"latencies"' in text or '"started_at"' in text:
            return "kong"
        if '"requestId"' in text or '"requestTime' in text or '"httpMethod"' in text:
            return "aws"
        if '"response_code"' in text or '"start_time"' in text:
            return "envoy_json"
        return "kong"
    if text.startswith("["):
        return "envoy"
    return "nginx"


def _first_line(path: Path) -> str:
    opener = gzip.open if _is_gzip(path) else open
    try:
        with opener(path, "rt", encoding="utf-8", errors="replace") as handle:
            for line in handle:
                if line.strip():
                    return line
    except (EOFError, OSError, zlib.error):
        pass
    return ""


def _is_gzip(path: Path) -> bool:
    with open(path, "rb") as handle:
        return handle.read(2) == b"\x1f\x8b"


def _salvage_gzip(path: Path, workdir: Path) -> tuple[Path, str | None]:
    """Decompress what can be read of a (possibly truncated) gzip file to a plain file.

    Returns the plain file and, when the file was damaged, the reason. The last partial
    line of a truncated file is dropped by the caller's line count (it is rejected).
    """
    target = workdir / (path.name + ".txt")
    problem = None
    with open(target, "wb") as out:
        try:
            with gzip.open(path, "rb") as handle:
                while chunk := handle.read(1 << 20):
                    out.write(chunk)
        except (EOFError, OSError, zlib.error) as exc:
            problem = f"damaged gzip ({exc.__class__.__name__}: {exc}); kept the lines before it"
    return target, problem


def _read_lines_sql(plain_path: Path) -> str:
    escaped = str(plain_path).replace("'", "''")
    return (
        f"select line, row_number() over () as ln from read_csv('{escaped}', "
        "columns={'line': 'VARCHAR'}, header=false, delim='\\x1e', quote='', escape='', "
        "auto_detect=false, compression='none', strict_mode=false, null_padding=false)"
    )


def _reject_reason(kind: str) -> str:
    """Why a parsed line is not a request (NULL when it is one), over CTE `typed`."""
    return f"""case
            when not is_json then 'unparseable line: not a {kind} access log record'
            when ts is null then 'ts: missing or invalid timestamp'
            when status is null or status < 100 or status > 599 then 'status: missing or not an HTTP status'
            when method is null then 'method: missing'
          end"""


# Both SDK columns read the same regexp_extract call: DuckDB evaluates an identical
# expression once per row, so the user agent is matched once instead of twice.
_UA_PARTS = f"regexp_extract(user_agent, '{UA_PATTERN}', ['name', 'version'])"


def _raw_select(kind: str) -> str:
    """The columns of raw.gateway_requests (without the bookkeeping ones) from typed rows."""
    return ", ".join(
        {
            "api_version": f"nullif(regexp_extract(path, '{VERSION_PATTERN}', 1), '') as api_version",
            "sdk_name": f"nullif({_UA_PARTS}.name, '') as sdk_name",
            "sdk_version": f"nullif({_UA_PARTS}.version, '') as sdk_version",
            "gateway_kind": f"'{kind}' as gateway_kind",
            "log_date": "cast(ts as date) as log_date",
        }.get(c, f'"{c}"')
        for c in RAW_TABLES["gateway_requests"].column_names
    )


def load_file(con: duckdb.DuckDBPyConnection, path: Path, kind: str | None = None,
              workdir: Path | None = None) -> tuple[FileLoad, list[Reject]]:
    """Parse and store one log file atomically; returns what happened and the rejects."""
    source_file = display_path(path)
    kind = kind or detect_kind(_first_line(path))
    rejects: list[Reject] = []
    with tempfile.TemporaryDirectory(dir=workdir) as tmp:
        plain = path
        truncated = False
        if _is_gzip(path):
            plain, problem = _salvage_gzip(path, Path(tmp))
            if problem:
                truncated = True
                rejects.append(Reject(source_file, None, f"file: {problem}", None))
        file_key = path.name
        con.execute(
            f"create or replace temp table gateway_lines as {_read_lines_sql(plain)}"
        )
    if truncated:
        # The line cut by the truncation is incomplete: never trust it.
        last = con.execute("select max(ln) from gateway_lines").fetchone()[0]
        if last:
            con.execute("delete from gateway_lines where ln = ?", [last])
            rejects.append(Reject(source_file, int(last), "truncated: last line cut by damaged gzip",
                                  None))
    sql = f"""
        create or replace temp table gateway_parsed as
        with lines as (select line, ln from gateway_lines where trim(line) <> ''),
        {_canonical(kind).replace("$file_key", "$1")}
        select *, {_reject_reason(kind)} as reject_reason
        from typed
    """
    con.execute(sql, [file_key])
    bad = con.execute(
        "select ln, reject_reason from gateway_parsed where reject_reason is not null order by ln"
    ).fetchall()
    rejects.extend(Reject(source_file, int(ln), reason, None) for ln, reason in bad)
    line_count = con.execute("select count(*) from gateway_lines").fetchone()[0]
    columns = RAW_TABLES["gateway_requests"].column_names
    select_cols = _raw_select(kind)
    loaded_at = utc_now()
    ensure_raw_schema(con)
    con.execute("begin transaction")
    try:
        con.execute('delete from raw.gateway_requests where "_source_file" = ?', [source_file])
        # One row per request id and day: repeated lines (at-least-once shipping) keep the first.
        con.execute(
            f"""
            create or replace temp table gateway_new as
            select * exclude (_rn) from (
              select {select_cols}, row_number() over (partition by request_id order by ln) as _rn
              from gateway_parsed where reject_reason is null
            ) where _rn = 1
            """
        )
        parsed = con.execute(
            "select count(*) from gateway_parsed where reject_reason is null").fetchone()[0]
        duplicates = parsed - con.execute("select count(*) from gateway_new").fetchone()[0]
        col_list = ", ".join(f'"{c}"' for c in columns)
        inserted = con.execute(
            f"""
            insert into raw.gateway_requests ({col_list}, "_source_file", "_loaded_at")
            select {col_list}, ?, ? from gateway_new n
            where n.request_id not in (
              select request_id from raw.gateway_requests
              where log_date between ? and ?
            )
            """,
            [source_file, loaded_at, *_stored_window(con, "gateway_new")],
        ).fetchone()[0]
        con.execute("delete from raw.gateway_rejects where source_file = ?", [source_file])
        write_rejects(con, SOURCE, rejects, loaded_at)
        con.execute("commit")
    except Exception:
        con.execute("rollback")
        raise
    finally:
        for t in ("gateway_lines", "gateway_parsed", "gateway_new"):
            con.execute(f"drop table if exists {t}")
    return (
        FileLoad(source_file, kind, int(line_count), int(parsed), int(inserted), len(rejects),
                 int(duplicates)),
        rejects,
    )


def log_files(paths: list[Path]) -> list[Path]:
    """Expand directories into their log files (plain or gzip), in name order."""
    files: list[Path] = []
    for path in paths:
        if path.is_dir():
            files.extend(sorted(p for p in path.rglob("*") if p.is_file() and not p.name.startswith(".")))
        else:
            files.append(path)
    return files


# The fast path reads a batch of JSON log files with one read_json call (DuckDB reads the
# files in parallel and never builds a line string). It only ever commits batches in which
# every line is a valid request; any problem (a malformed line, a damaged gzip, a missing
# request id) sends those files through load_file, which quarantines line by line.
FAST_BATCH_MIN_FILES = 2       # two files at a time keep both cores reading
FAST_BATCH_BYTES = 256 << 20   # then close a batch at this many bytes on disk (bounds what a bad line makes it redo)
FAST_BATCH_MAX_FILES = 32


def _fast_batches(files: list[Path], kind: str | None) -> list[tuple[str | None, list[Path]]]:
    """Consecutive files grouped into fast-path batches of one JSON format and compression;
    other files come alone with kind None (line path)."""
    batches: list[tuple[str | None, list[Path]]] = []
    current: list[Path] = []
    current_key: tuple[str, bool] | None = None
    size = 0
    for path in files:
        file_kind = kind or detect_kind(_first_line(path))
        key = (file_kind, _is_gzip(path))
        full = (len(current) >= FAST_BATCH_MAX_FILES
                or (len(current) >= FAST_BATCH_MIN_FILES and size >= FAST_BATCH_BYTES))
        if current and (key != current_key or full):
            batches.append((current_key[0], current))
            current, size = [], 0
        if file_kind not in JSON_FORMATS:
            batches.append((None, [path]))
            current_key = None
            continue
        current.append(path)
        current_key = key
        size += path.stat().st_size
    if current:
        batches.append((current_key[0], current))
    return batches


# A request id is stored once: a line shipped twice (at-least-once shippers; the copy may
# land in the next day's file) is skipped when its id is already stored within this many
# days of the new rows' days. Staging relies on it (one row per request id, tested).
REPEAT_WINDOW = timedelta(days=1)


def _stored_window(con: duckdb.DuckDBPyConnection, table: str, where: str = "true",
                   params: list | None = None) -> tuple[date, date]:
    """The days of stored rows a new row's request id is checked against: REPEAT_WINDOW
    around the log_date of the new rows (table's rows matching `where`)."""
    lo, hi = con.execute(f"select min(log_date), max(log_date) from {table} where {where}",
                         params or []).fetchone()
    if lo is None:
        return date.max, date.min  # nothing new: an empty range
    return lo - REPEAT_WINDOW, hi + REPEAT_WINDOW


def load_json_batch(con: duckdb.DuckDBPyConnection, paths: list[Path],
                    kind: str) -> list[FileLoad] | None:
    """Load JSON log files through one read_json call that streams every line straight into
    raw.gateway_requests, then resolve the few repeated request ids. Returns None, with
    nothing changed, when any line would be rejected or needs its line number: load_file
    decides those files line by line."""
    columns, access = _json_read_spec(kind)
    names = [str(p) for p in paths]
    sources = [display_path(p) for p in paths]
    compression = "gzip" if _is_gzip(paths[0]) else "none"
    fields = ",\n".join(f'            {expr} as "{name}"' for name, expr in access.items())
    col_list = ", ".join(f'"{c}"' for c in RAW_TABLES["gateway_requests"].column_names)
    loaded_at = utc_now()
    ensure_raw_schema(con)
    # Raw rows have no order to keep: without it DuckDB writes from both cores at once
    # (restored afterwards, the caller's connection may want order).
    keep_order = con.execute("select current_setting('preserve_insertion_order')").fetchone()[0]
    con.execute("set preserve_insertion_order = false")
    con.execute("begin transaction")
    try:
        con.execute('delete from raw.gateway_requests where "_source_file" in (select unnest($1))',
                    [sources])
        con.execute(
            f"""
            insert into raw.gateway_requests ({col_list}, "_source_file", "_loaded_at")
            with src as (
              select * from read_json($1, format = 'newline_delimited', compression = '{compression}',
                                      columns = {columns}, filename = true)
            ),
            f as (
              select $2[list_position($1, filename)] as _source_file, null as ln, true as is_json,
{fields}
              from src
            ),
            {_json_typed(kind, carry="_source_file, ").replace("$file_key", "cast(null as varchar)")}
            select {_raw_select(kind)}, _source_file, $3 from typed
            """,
            [names, sources, loaded_at],
        )
        per_file = _check_new_rows(con, loaded_at)
        window = _find_repeats(con, loaded_at) if per_file is not None else None
        if window is None:
            con.execute("rollback")
            return None
        con.execute("delete from raw.gateway_rejects where source_file in (select unnest($1))",
                    [sources])
        con.execute("commit")
    except (duckdb.InvalidInputException, duckdb.ConversionException, duckdb.IOException):
        con.execute("rollback")
        return None
    except Exception:
        con.execute("rollback")
        raise
    finally:
        con.execute(f"set preserve_insertion_order = {str(bool(keep_order)).lower()}")
    try:
        dropped = _drop_repeats(con, sources, loaded_at, window)
    finally:
        con.execute("drop table if exists gateway_repeats")
    loads = []
    for source in sources:
        lines = per_file.get(source, 0)
        in_file, other = dropped.get(source, (0, 0))
        loads.append(FileLoad(source, kind, lines, lines, lines - in_file - other, 0, in_file))
    return loads


def _check_new_rows(con: duckdb.DuckDBPyConnection, loaded_at) -> dict[str, int] | None:
    """Lines stored per file by this load, or None when a stored line is not a clean request
    (what load_file would reject, or a missing request id: only load_file can name it)."""
    rows = con.execute(
        """
        select _source_file, count(*),
               count(*) filter (where request_id is null or ts is null or method is null
                                or status is null or status not between 100 and 599)
        from raw.gateway_requests where _loaded_at = $1
        group by all
        """,
        [loaded_at],
    ).fetchall()
    if any(bad or source is None for source, _, bad in rows):
        return None
    return {source: lines for source, lines, _ in rows}


def _find_repeats(con: duckdb.DuckDBPyConnection, loaded_at) -> tuple[date, date] | None:
    """Temp table gateway_repeats: the request ids this load repeats (within the load, or
    rows stored within REPEAT_WINDOW of its days); returns those days. None when an id
    repeats within one file with different content: only load_file knows which line came
    first (read_json has no line numbers)."""
    window = _stored_window(con, "raw.gateway_requests", "_loaded_at = $1", [loaded_at])
    con.execute(
        """
        create or replace temp table gateway_repeats as
        select request_id
        from raw.gateway_requests
        where log_date between $1 and $2
        group by all
        having count(*) > 1 and count(*) filter (where _loaded_at = $3) > 0
        """,
        [*window, loaded_at],
    )
    columns = ", ".join(f'"{c}"' for c in RAW_TABLES["gateway_requests"].column_names)
    differing = con.execute(
        f"""
        select count(*) from (
          select _source_file, request_id
          from raw.gateway_requests semi join gateway_repeats using (request_id)
          where log_date between $1 and $2 and _loaded_at = $3
          group by all having count(distinct ({columns})) > 1
        )
        """,
        [*window, loaded_at],
    ).fetchone()[0]
    return None if differing else window


def _drop_repeats(con: duckdb.DuckDBPyConnection, sources: list[str], loaded_at,
                  window: tuple[date, date]) -> dict[str, tuple[int, int]]:
    """Delete this load's rows whose request id (temp table gateway_repeats) is already
    stored, keeping one row per id as file-by-file loading would: a row stored by an earlier
    load wins, then the batch's earliest file. Its own transaction, after the load's commit:
    DuckDB rewrites a whole transaction's new rows when some of them are deleted before
    commit, so deleting first would cost as much as loading again. Returns the rows dropped
    per file: (repeats within the file, repeats of another file's row)."""
    con.execute("begin transaction")
    try:
        rows = con.execute(
            """
            with ranked as (
              select r.rowid as _row, r._source_file, r._loaded_at = $2 as _new,
                     row_number() over (
                       partition by r.request_id
                       order by r._loaded_at, list_position($1, r._source_file), r.rowid) > 1
                       as _drop,
                     row_number() over (
                       partition by r.request_id, r._source_file order by r.rowid) > 1 as _in_file
              -- Only the window's days are read (the table is stored in day order).
              from raw.gateway_requests r semi join gateway_repeats w using (request_id)
              where r.log_date between $3 and $4
            )
            select _row, _source_file, _in_file from ranked where _drop and _new
            """,
            [sources, loaded_at, *window],
        ).fetchall()
        if rows:
            con.execute("delete from raw.gateway_requests where rowid in (select unnest($1))",
                        [[row for row, _, _ in rows]])
        con.execute("commit")
    except Exception:
        con.execute("rollback")
        raise
    dropped: dict[str, tuple[int, int]] = {}
    for _, source, in_file in rows:
        a, b = dropped.get(source, (0, 0))
        dropped[source] = (a + 1, b) if in_file else (a, b + 1)
    return dropped


def load_files(con: duckdb.DuckDBPyConnection, paths: list[Path], kind: str | None = None,
               progress=None) -> LoadResult:
    result = LoadResult(SOURCE)

    def record(file_load: FileLoad, rejects: list[Reject]) -> None:
        result.files += 1
        result.received["gateway_requests"] = (
            result.received.get("gateway_requests", 0) + file_load.parsed
        )
        result.loaded["gateway_requests"] = (
            result.loaded.get("gateway_requests", 0) + file_load.loaded
        )
        count_rejects(result, rejects)
        if progress:
            progress(file_load)

    for batch_kind, batch in _fast_batches(log_files(paths), kind):
        loads = load_json_batch(con, batch, batch_kind) if batch_kind else None
        if loads is None and batch_kind and len(batch) > 1:
            # Find the files that need the line path; the others still go fast.
            for path in batch:
                one = load_json_batch(con, [path], batch_kind)
                if one is None:
                    record(*load_file(con, path, kind))
                else:
                    record(one[0], [])
            continue
        if loads is None:
            record(*load_file(con, batch[0], kind))
            continue
        for file_load in loads:
            record(file_load, [])
    return result


# --- Dagster assets -------------------------------------------------------------------------
import re  # noqa: E402

import dagster as dg  # noqa: E402

from orchestration import settings as app_settings  # noqa: E402
from orchestration.ingestion.common import materialize_load, raw_asset_specs  # noqa: E402
from orchestration.resources import (  # noqa: E402
    SourceFilesResource,
    SourcesConfigResource,
    WarehouseResource,
)

TABLES = ("gateway_requests",)


class GatewayLoadConfig(dg.Config):
    max_reject_share: float = 0.01
    log_format: str | None = None  # kong | aws | envoy | nginx; detected per file when unset


DAY_IN_NAME = re.compile(r"(\d{4}-\d{2}-\d{2})")


def file_day(path: Path) -> date | None:
    """The day a log file holds, from a YYYY-MM-DD in its name (None when it has none)."""
    match = DAY_IN_NAME.search(path.name)
    return date.fromisoformat(match.group(1)) if match else None


def files_for_window(paths: list[Path], start: date, end: date) -> list[Path]:
    """Files of the days in [start, end); files without a day in their name always belong."""
    return [p for p in paths if (d := file_day(p)) is None or start <= d < end]


# One partition per UTC day. A partition run (or a single run over a range, as a backfill
# does) loads that day's files and rebuilds the incremental models for those days only.
gateway_daily_partitions = dg.DailyPartitionsDefinition(
    start_date=app_settings.partitions_start(), timezone="UTC", end_offset=1)


@dg.multi_asset(
    specs=[spec.merge_attributes(tags={"gateway_daily": ""}) for spec in
           raw_asset_specs(TABLES, "gateway", "platform",
                           "Gateway access log requests normalised to canonical columns.")],
    name="gateway_raw",
    pool="warehouse",
    partitions_def=gateway_daily_partitions,
    backfill_policy=dg.BackfillPolicy.single_run(),
)
def gateway_raw(context: dg.AssetExecutionContext, config: GatewayLoadConfig,
                warehouse: WarehouseResource, source_files: SourceFilesResource,
                sources_config: SourcesConfigResource):
    # Access logs are files in both modes: the config may name other files or folders.
    settings = sources_config.load()
    options = settings.sources.gateway
    if not options.enabled:
        context.log.info(f"gateway: disabled in {settings.origin}")
        return
    configured = settings.file_paths(SOURCE)
    paths = log_files(configured or [source_files.folder(SOURCE)])
    window = context.partition_time_window
    paths = files_for_window(paths, window.start.date(), window.end.date())
    context.log.info(f"gateway: {len(paths)} file(s) for {window.start:%Y-%m-%d} .. "
                     f"{window.end:%Y-%m-%d} (end exclusive)")
    log_format = config.log_format or options.format
    max_share = (config.max_reject_share if options.max_reject_share is None
                 else options.max_reject_share)

    def progress(file_load: FileLoad) -> None:
        context.log.info(
            f"{Path(file_load.path).name}: {file_load.loaded} rows ({file_load.kind}), "
            f"{file_load.rejected} rejected, {file_load.duplicates} repeated lines skipped"
        )

    yield from materialize_load(
        context, warehouse, SOURCE, TABLES,
        lambda con: load_files(con, paths, log_format, progress), max_share,
    )

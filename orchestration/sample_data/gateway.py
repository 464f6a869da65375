"""Kong file-log output: one JSON object per line, one gzip file per UTC day.

Lines are rendered through a fixed template from pre-rendered pieces (route, service,
consumer), which is several times faster than json.dumps per line and byte-stable. A few
lines are written twice, as at-least-once log shipping does; none is malformed.
"""

from __future__ import annotations

import gzip
import json
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import numpy as np

from orchestration.sample_data.common import hex_token, stable_uuid, stream
from orchestration.sample_data.consumers import Population
from orchestration.sample_data.params import ALL_ROUTES, API_HOST, DAY, VERSIONS, WorldParams
from orchestration.sample_data.traffic import IP_STRINGS, IS_LIST, QUERIES, UA_STRINGS, Traffic

DUPLICATE_SHARE = 0.001  # lines shipped twice (at-least-once delivery)
GZIP_LEVEL = 6


def _fragments(pop: Population) -> tuple[list[str], list[str], list[str]]:
    """Pre-rendered JSON pieces: per route (route + service) and per consumer."""
    route_frag = []
    for r in ALL_ROUTES:
        base = r.template.split("/{")[0]
        paths = [base] if r.name == "health" else [f"/{v}{base}" for v in VERSIONS]
        route = {"id": stable_uuid(f"routes/{r.name}"), "name": r.name, "paths": paths}
        service = {"id": stable_uuid(f"services/{r.product}"), "name": r.product}
        route_frag.append(
            ',"route":'
            + json.dumps(route, separators=(",", ":"))
            + ',"service":'
            + json.dumps(service, separators=(",", ":"))
        )
    consumer_frag, key_frag = [], []
    for i in range(pop.n):
        consumer = {
            "id": pop.ids[i],
            "username": pop.usernames[i],
            "custom_id": pop.custom_ids[i],
            "created_at": int(pop.created_at[i]),
        }
        entity = {"id": pop.credential_ids[i], "consumer_id": {"id": pop.ids[i]}}
        consumer_frag.append(
            ',"consumer":'
            + json.dumps(consumer, separators=(",", ":"))
            + ',"authenticated_entity":'
            + json.dumps(entity, separators=(",", ":"))
        )
        key_frag.append(f',"apikey":"{pop.apikeys[i]}"')
    return route_frag, consumer_frag, key_frag


_PATH_PATTERNS = [
    r.template.replace("{payment_id}", "pay_%s").replace("{customer_id}", "cus_%s")
    for r in ALL_ROUTES
]
_LINE = (
    '{"request":{"id":"%s","method":"%s","uri":"%s","url":"https://' + API_HOST + '%s",'
    '"size":%d,"querystring":%s,"headers":{"host":"' + API_HOST + '","user-agent":"%s"%s}},'
    '"response":{"status":%d,"size":%d,"headers":{"content-type":"application/json"}},'
    '"latencies":{"request":%d,"proxy":%d,"kong":%d},"started_at":%d,"client_ip":"%s",'
    '"upstream_uri":"%s"%s%s}\n'
)


def _lines(
    t: Traffic,
    lo: int,
    hi: int,
    request_ids: list[str],  # ids of requests lo..hi-1
    frags,
    invalid_keys: list[str],
    duplicate: np.ndarray,
) -> str:
    route_frag, consumer_frag, key_frag = frags
    methods = [r.method for r in ALL_ROUTES]
    out: list[str] = []
    cols = zip(
        range(lo, hi),
        t.ts_ms[lo:hi].tolist(),
        t.consumer[lo:hi].tolist(),
        t.key_of[lo:hi].tolist(),
        t.route[lo:hi].tolist(),
        t.version[lo:hi].tolist(),
        t.status[lo:hi].tolist(),
        t.latency[lo:hi].tolist(),
        t.proxy[lo:hi].tolist(),
        t.kong[lo:hi].tolist(),
        t.req_size[lo:hi].tolist(),
        t.resp_size[lo:hi].tolist(),
        t.ua[lo:hi].tolist(),
        t.ip[lo:hi].tolist(),
        t.key[lo:hi].tolist(),
        t.rid[lo:hi].tolist(),
        duplicate[lo:hi].tolist(),
        strict=True,
    )
    for i, ts, c, k_of, r, v, status, lat, proxy, kong, req, resp, ua, ip, key, rid, dup in cols:
        pattern = _PATH_PATTERNS[r]
        path = pattern % f"{rid >> 4:012x}" if "%s" in pattern else pattern
        uri = path if v == 0 else f"/v{v}{path}"
        query = QUERIES[rid & 3] if IS_LIST[r] else QUERIES[0]
        uri += query[0]
        if key == 0:
            key_part = key_frag[k_of]
        elif key == 2:
            key_part = f',"apikey":"{invalid_keys[i % len(invalid_keys)]}"'
        else:
            key_part = ""
        line = _LINE % (
            request_ids[i - lo],
            methods[r],
            uri,
            uri,
            req,
            query[1],
            UA_STRINGS[ua],
            key_part,
            status,
            resp,
            lat,
            proxy,
            kong,
            ts,
            IP_STRINGS[ip],
            uri,
            route_frag[r],
            consumer_frag[c] if c >= 0 else "",
        )
        out.append(line)
        if dup:
            out.append(line)
    return "".join(out)


def write_logs(
    t: Traffic,
    pop: Population,
    params: WorldParams,
    out_dir: Path,
    written: list[Path],
    progress: bool = False,
) -> int:
    """Write one gzip file per UTC day; returns the number of duplicated lines."""
    rng = stream(params.seed, "gateway-lines")
    n = len(t)
    # 16 random bytes per request, turned into hex ids one day at a time (a list of every
    # id would hold ~80 bytes per request in memory: gigabytes at benchmark sizes).
    id_bytes = rng.bytes(16 * n)
    invalid_keys = [f"key_{hex_token(rng, 16)}" for _ in range(64)]
    duplicate = np.zeros(n, dtype=bool)
    n_dup = max(1, round(DUPLICATE_SHARE * n)) if n else 0
    duplicate[rng.choice(n, size=n_dup, replace=False)] = True
    frags = _fragments(pop)
    folder = out_dir / "gateway" / "kong"
    folder.mkdir(parents=True, exist_ok=True)
    bounds = np.searchsorted(t.ts_ms, (params.start_s + np.arange(params.days + 1) * DAY) * 1000)

    days = range(params.days)
    if progress:
        from tqdm import tqdm

        days = tqdm(days, desc="gateway logs", unit="day")
    # A day is rendered a block of lines at a time and compressed by its own thread (zlib
    # releases the GIL) while the next block, or the next day, is rendered. A benchmark day
    # of 1.7M lines is 1.7 GB of text: whole days in memory took ~10 GB at 50M requests.
    open_days: list[_DayFile] = []
    try:
        for d in days:
            lo, hi = int(bounds[d]), int(bounds[d + 1])
            path = folder / f"{params.day(d).isoformat()}.log.gz"
            day_file = _DayFile(path)
            open_days.append(day_file)
            for start in range(lo, hi, LINES_PER_BLOCK):
                end = min(hi, start + LINES_PER_BLOCK)
                text = _lines(t, start, end, _hex_ids(id_bytes, start, end), frags, invalid_keys,
                              duplicate)
                day_file.write(text.encode("utf-8"))
            day_file.close()
            written.append(path)
            while len(open_days) > 2:  # two days compress at once, beside the rendering
                open_days.pop(0).wait()
    finally:
        for day_file in open_days:
            day_file.close()  # no-op for a finished day; ends one cut short by an error
            day_file.wait()
    return int(duplicate.sum())


LINES_PER_BLOCK = 50_000  # about 50 MB of text
PENDING_BLOCKS = 4  # per day: how far rendering may run ahead of that day's compression


class _DayFile:
    """One day's gzip file, compressed in order by a thread of its own. The header is the
    same on every machine: no file name, mtime 0 and OS byte 255 ("unknown")."""

    def __init__(self, path: Path) -> None:
        self._raw = open(path, "wb")  # noqa: SIM115 (closed by the writer thread)
        self._gzip = gzip.GzipFile(filename="", mode="wb", fileobj=self._raw,
                                   compresslevel=GZIP_LEVEL, mtime=0)
        self._thread = ThreadPoolExecutor(max_workers=1)
        self._jobs: list = []
        self._closing = False

    def write(self, data: bytes) -> None:
        self._jobs.append(self._thread.submit(self._gzip.write, data))
        _drain(self._jobs, keep=PENDING_BLOCKS)

    def close(self) -> None:
        if not self._closing:
            self._closing = True
            self._jobs.append(self._thread.submit(self._close))

    def _close(self) -> None:
        self._gzip.close()
        self._raw.close()

    def wait(self) -> None:
        """Wait for every block to be written (re-raises a writer's error)."""
        try:
            _drain(self._jobs, keep=0)
        finally:
            self._thread.shutdown()


def _hex_ids(id_bytes: bytes, lo: int, hi: int) -> list[str]:
    """Request ids lo..hi-1: 32 hex digits from 16 bytes each."""
    text = id_bytes[16 * lo : 16 * hi].hex()
    return [text[32 * i : 32 * i + 32] for i in range(hi - lo)]


def _drain(jobs: list, keep: int) -> None:
    """Wait for all but the newest `keep` jobs (bounds memory, re-raises errors)."""
    while len(jobs) > keep:
        jobs.pop(0).result()

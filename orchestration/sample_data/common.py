"""Small helpers every part of the generator shares: random streams, ids, time formats, files.

Determinism rules: every random draw comes from `stream(seed, name)`; ids are drawn from
those streams (never `uuid.uuid4()`); no wall clock; JSON keeps insertion order; gzip files
carry mtime 0.
"""

from __future__ import annotations

import json
import string
import uuid
import zlib
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np

_ALNUM = np.array(list(string.ascii_lowercase + string.digits))


def stream(seed: int, name: str) -> np.random.Generator:
    """An independent random stream per part of the world, so that changing how one part
    draws numbers does not reshuffle the others. crc32 is stable (str hashes are not)."""
    return np.random.default_rng([seed, zlib.crc32(name.encode())])


def uuid_from(rng: np.random.Generator) -> str:
    return str(uuid.UUID(bytes=rng.bytes(16), version=4))


def uuids(rng: np.random.Generator, n: int) -> list[str]:
    return [uuid_from(rng) for _ in range(n)]


def stable_uuid(name: str) -> str:
    """Ids of fixed catalogue objects (Kong routes, services): same name, same id."""
    return str(uuid.uuid5(uuid.NAMESPACE_URL, f"https://api.acme.test/{name}"))


def token(rng: np.random.Generator, length: int = 12) -> str:
    """Statuspage-style id: 12 lowercase letters and digits."""
    return "".join(rng.choice(_ALNUM, size=length))


def hex_token(rng: np.random.Generator, n_bytes: int = 16) -> str:
    return rng.bytes(n_bytes).hex()


def iso_s(ts: float | None) -> str | None:
    """GitHub / Zendesk style: 2026-09-03T14:05:00Z (seconds)."""
    if ts is None:
        return None
    return datetime.fromtimestamp(int(ts), UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def iso_ms(ts: float | None) -> str | None:
    """Statuspage style: 2026-09-03T14:05:00.000Z (milliseconds)."""
    if ts is None:
        return None
    ms = int(round(ts * 1000))
    dt = datetime.fromtimestamp(ms // 1000, UTC)
    return dt.strftime("%Y-%m-%dT%H:%M:%S") + f".{ms % 1000:03d}Z"


def write_json(path: Path, document: Any, written: list[Path]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(document, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    written.append(path)


def lognormal(rng: np.random.Generator, median: float, sigma: float, size: int | None = None):
    """Lognormal by its median, which is how the durations here are easiest to reason about."""
    return rng.lognormal(np.log(median), sigma, size)


def business_minutes(start: float, end: float, open_hour: int, close_hour: int) -> int:
    """Minutes between two epoch-second instants that fall Mon-Fri within [open, close) UTC
    (the help desk's schedule, for the `business` variants of ticket metrics)."""
    if end <= start:
        return 0
    total = 0.0
    day = int(start // 86_400) * 86_400
    while day < end:
        weekday = datetime.fromtimestamp(day, UTC).weekday()
        if weekday < 5:
            lo = max(start, day + open_hour * 3600)
            hi = min(end, day + close_hour * 3600)
            if hi > lo:
                total += hi - lo
        day += 86_400
    return int(total // 60)

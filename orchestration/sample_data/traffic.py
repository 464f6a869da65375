"""Gateway traffic: who calls which route when, with which result. `gateway.py` writes it.

Everything is drawn as numpy columns (one entry per request); `gateway.py` turns them into
Kong log lines. Traffic is the sum of:
  * regular use: Poisson counts per consumer and day (weight x activity x weekday), placed
    in the day by the consumer region's working hours;
  * onboarding: each new consumer's failed attempts, first success and first exploration;
  * unauthenticated calls (401, no consumer) and the monitoring agent's /health checks;
  * retries during error bursts: clients retry failing calls, which is also what makes a
    burst visible as an "error window" (>= 20 requests a minute on the product).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from orchestration.sample_data.common import lognormal, stream
from orchestration.sample_data.consumers import Population
from orchestration.sample_data.incidents import Incident
from orchestration.sample_data.params import (
    ALL_ROUTES,
    CLIENT_IPS,
    CURL_UA,
    DAY,
    HEALTH_INDEX,
    MONITOR_IP,
    MONITOR_UA,
    POSTMAN_UA,
    ROUTES,
    USER_AGENTS,
    VERSIONS,
    WorldParams,
)

UNAUTH_SHARE = 0.012  # of API traffic: missing or invalid keys
BURST_MIN_PER_MINUTE = 30  # retries push a failing product to about this many requests/min

# Origin of a request row (what decided it), used while drawing; not written out.
REGULAR, ONBOARDING, FIRST_SUCCESS, UNAUTH, HEALTH_CHECK, RETRY = range(6)

N_ROUTES = len(ROUTES)
PRODUCT_OF = np.array([r.product for r in ALL_ROUTES])
IS_POST = np.array([r.method == "POST" for r in ALL_ROUTES])
BY_ID = np.array(["{" in r.template for r in ALL_ROUTES])
IS_LIST = np.array(
    [r.method == "GET" and "{" not in r.template and r.name != "health" for r in ALL_ROUTES]
)
WEBHOOK_ROUTES = np.array([r.product == "webhooks" for r in ROUTES])
UA_STRINGS = [ua for ua, _ in USER_AGENTS] + [MONITOR_UA]
MONITOR_UA_INDEX = len(USER_AGENTS)
# Client IPs travel as indexes into IP_STRINGS, like user agents: a column of Python strings
# would take about 70 bytes per request (GBs at benchmark sizes).
IP_STRINGS = [*CLIENT_IPS, MONITOR_IP]
_IP_INDEX = {ip: i for i, ip in enumerate(IP_STRINGS)}

# Query strings of list routes: (suffix of the uri, Kong's querystring object as JSON).
QUERIES = (
    ("", "{}"),
    ("?limit=10", '{"limit":"10"}'),
    ("?limit=100", '{"limit":"100"}'),
    ("?limit=25&status=succeeded", '{"limit":"25","status":"succeeded"}'),
)


# Integer type each Traffic column is stored in (drawn as int64): 51 bytes a request
# instead of about 200 (int64 columns and a string per IP), which lets the 50M benchmark
# world be drawn in a few GB.
COLUMN_TYPES = {
    "ts_ms": np.int64, "consumer": np.int32, "key_of": np.int32, "route": np.int8,
    "version": np.int8, "status": np.int16, "latency": np.int32, "proxy": np.int32,
    "kong": np.int16, "req_size": np.int32, "resp_size": np.int32, "ua": np.int8,
    "ip": np.int16, "key": np.int8, "rid": np.int64, "origin": np.int8,
}


def _stored(name: str, values: np.ndarray) -> np.ndarray:
    return values.astype(COLUMN_TYPES[name], copy=False)


@dataclass
class Traffic:
    """One entry per distinct request, sorted by time."""

    ts_ms: np.ndarray
    consumer: np.ndarray  # index into Population, -1 when unauthenticated / health check
    key_of: np.ndarray  # consumer whose key/UA/IP was used (401s of a consumer), else -1
    route: np.ndarray
    version: np.ndarray  # 1..3, 0 for /health
    status: np.ndarray
    latency: np.ndarray
    proxy: np.ndarray
    kong: np.ndarray
    req_size: np.ndarray
    resp_size: np.ndarray
    ua: np.ndarray
    ip: np.ndarray  # index into IP_STRINGS
    key: np.ndarray  # 0 the consumer's key, 1 no key, 2 an invalid key
    rid: np.ndarray  # resource id in the path / query variant
    origin: np.ndarray

    def __len__(self) -> int:
        return len(self.ts_ms)


# --- time shapes --------------------------------------------------------------------------


def diurnal(region: str) -> np.ndarray:
    """Per-minute share of a region's daily calls (UTC): quiet nights, busy working hours."""
    hours = np.arange(1440) / 60
    centre, width = (12.5, 3.2) if region == "eu" else (18.5, 3.6)
    dist = np.minimum(np.abs(hours - centre), 24 - np.abs(hours - centre))
    shape = 0.12 + np.exp(-0.5 * (dist / width) ** 2)
    return shape / shape.sum()


def _weekly(params: WorldParams) -> np.ndarray:
    return np.array([0.5 if params.day(d).weekday() >= 5 else 1.0 for d in range(params.days)])


def _activity(pop: Population, params: WorldParams) -> np.ndarray:
    """(consumers x days) activity level in [0, 1]: zero before the first success, ramping up
    over a week for new consumers, decaying for those that churn."""
    day_start = params.start_s + np.arange(params.days) * DAY
    fs = np.nan_to_num(pop.first_success, nan=np.inf)[:, None]
    mid = day_start[None, :] + DAY / 2
    available = np.clip((day_start[None, :] + DAY - fs) / DAY, 0, 1)
    ramp = np.where(
        pop.established[:, None],
        1.0,
        np.minimum(1.0, 0.25 + 0.75 * np.maximum(0, mid - fs) / (7 * DAY)),
    )
    since = np.maximum(0.0, mid - pop.churn_at[:, None]) / (pop.half_life_days[:, None] * DAY)
    decay = np.where(pop.churn[:, None], 0.5**since, 1.0)
    return np.nan_to_num(available * ramp * decay)


# --- per-row attributes -------------------------------------------------------------------


def _possible_version(
    version: np.ndarray, ts_s: np.ndarray, route: np.ndarray, params: WorldParams
) -> np.ndarray:
    """No v3 before its release; webhooks only exist from v2 on."""
    v3_release = params.start_s + (VERSIONS["v3"] - params.start).days * DAY
    version = np.where((version == 3) & (ts_s < v3_release), 2, version)
    webhook = (route < N_ROUTES) & WEBHOOK_ROUTES[np.minimum(route, N_ROUTES - 1)]
    return np.where(webhook, np.maximum(version, 2), version)


def _versions(
    rng,
    pop: Population,
    c: np.ndarray,
    key_of: np.ndarray,
    ts_s: np.ndarray,
    route: np.ndarray,
    params: WorldParams,
) -> np.ndarray:
    """A consumer calls its version until it migrates; unauthenticated callers any version;
    /health has none (0)."""
    mine = np.where(ts_s >= pop.migrate_at[c], pop.version_new[c], pop.version_init[c])
    anyone = rng.choice([1, 2, 3], size=len(c), p=[0.2, 0.5, 0.3])
    version = _possible_version(np.where(key_of >= 0, mine, anyone), ts_s, route, params)
    return np.where(route == HEALTH_INDEX, 0, version)


# Rows per block when a draw needs a (rows x choices) matrix: whole, such a matrix of 50M
# requests would take ~10 GB; in blocks it takes a few hundred MB and draws the same values.
BLOCK_ROWS = 1 << 20


def _blocks(n: int):
    return ((lo, min(n, lo + BLOCK_ROWS)) for lo in range(0, n, BLOCK_ROWS))


def _pick_columns(rng: np.random.Generator, weights, n: int | None = None) -> np.ndarray:
    """One column index per row, drawn from row-wise weights (all-zero rows get column 0).
    `weights` is the matrix, or a function (lo, hi) -> its rows lo..hi-1 for n rows."""
    if not callable(weights):
        matrix, n = weights, len(weights)
        weights = lambda lo, hi: matrix[lo:hi]  # noqa: E731
    u = rng.random((n, 1))
    picked = np.empty(n, dtype=np.int64)
    for lo, hi in _blocks(n):
        w = weights(lo, hi)
        total = w.sum(axis=1, keepdims=True)
        cum = np.cumsum(w, axis=1) / np.where(total > 0, total, 1)
        idx = np.minimum((cum < u[lo:hi]).sum(axis=1), w.shape[1] - 1)
        picked[lo:hi] = np.where(total[:, 0] > 0, idx, 0)
    return picked


def _usable_weights(
    pop: Population, consumer: np.ndarray, ts_s: np.ndarray, params: WorldParams
) -> np.ndarray:
    """Route weights a consumer can use at a time: webhooks only once released and adopted."""
    w = pop.route_w[consumer].copy()
    release = params.start_s + (ROUTES[7].released_on - params.start).days * DAY
    no_webhooks = ts_s < np.maximum(pop.webhook_adopt[consumer], release)
    w[np.ix_(no_webhooks, WEBHOOK_ROUTES)] = 0.0
    return w


# --- the parts of the traffic -------------------------------------------------------------


def _regular(rng, pop: Population, params: WorldParams, expected_other: float) -> dict:
    activity = _activity(pop, params)
    rate = pop.weight[:, None] * activity * _weekly(params)[None, :]
    target = max(params.requests_per_day * params.days - expected_other, 0.0)
    scale = target / rate.sum() if rate.sum() > 0 else 0.0
    counts = rng.poisson(rate * scale)
    cell = np.repeat(np.arange(counts.size), counts.ravel())
    consumer, day = np.divmod(cell, params.days)
    seconds = np.empty(len(cell))
    for region in ("eu", "us"):
        mask = (pop.region == region)[consumer]
        minutes = rng.choice(1440, size=int(mask.sum()), p=diurnal(region))
        seconds[mask] = minutes * 60 + rng.random(int(mask.sum())) * 60
    ts = params.start_s + day * DAY + seconds
    keep = (ts >= pop.first_success[consumer]) & (ts < params.end_s)
    consumer, ts = consumer[keep], ts[keep]
    route = _pick_columns(
        rng, lambda lo, hi: _usable_weights(pop, consumer[lo:hi], ts[lo:hi], params), len(ts))
    return {
        "consumer": consumer,
        "ts": ts,
        "route": route,
        "status": np.zeros(len(ts), dtype=np.int64),
        "origin": np.full(len(ts), REGULAR),
    }


def _top_routes(pop: Population, c: int, k: int) -> np.ndarray:
    """The consumer's k favourite routes outside webhooks (what it integrates first)."""
    w = np.where(WEBHOOK_ROUTES, -1.0, pop.route_w[c])
    order = np.argsort(-w, kind="stable")
    return order[: max(1, min(k, int((w > 0).sum())))]


def _onboarding(rng, pop: Population, params: WorldParams) -> dict:
    """Failed attempts, the first success and the first exploration of new consumers."""
    rows: dict[str, list] = {k: [] for k in ("consumer", "ts", "route", "status", "origin")}

    def add(c: int, ts: float, route: int, status: int, origin: int) -> None:
        if ts < params.end_s:
            rows["consumer"].append(c)
            rows["ts"].append(ts)
            rows["route"].append(route)
            rows["status"].append(status)
            rows["origin"].append(origin)

    for c in np.flatnonzero(~pop.established & pop.calls):
        fc, fs = pop.first_call[c], pop.first_success[c]
        top = _top_routes(pop, c, 5)
        k = int(pop.pre_errors[c])
        if k:
            offsets = np.sort(rng.random(k))
            offsets[0] = 0.0
            for off in offsets:
                route = int(rng.choice(top[:3]))
                status = int(rng.choice([401, 400, 404, 403, 422], p=[0.3, 0.3, 0.17, 0.1, 0.13]))
                if status == 422 and not IS_POST[route]:
                    status = 400
                add(c, fc + off * (fs - fc), route, status, ONBOARDING)
        add(c, fs, int(top[0]), 0, FIRST_SUCCESS)
        if pop.meaningful[c]:
            n = int(rng.integers(10, 26))
            first = list(top[:3]) if len(top) >= 3 else list(top)
            routes = first + list(rng.choice(top, size=n - len(first)))
        else:
            routes = list(rng.choice(top[:2], size=int(rng.integers(1, 6))))
        span = lognormal(rng, 5 * 3600, 0.9)
        times = fs + 30 + np.sort(rng.random(len(routes))) * span
        for ts, route in zip(times, routes, strict=True):
            add(c, float(ts), int(route), 0, ONBOARDING)  # status drawn, with friction
    return {k: np.array(v) for k, v in rows.items()}


def _unauthenticated(rng, params: WorldParams) -> dict:
    n = int(rng.poisson(UNAUTH_SHARE * params.requests_per_day * params.days))
    profile = 0.5 * diurnal("eu") + 0.5 * diurnal("us")
    ts = (
        params.start_s
        + rng.integers(0, params.days, n) * DAY
        + rng.choice(1440, size=n, p=profile) * 60
        + rng.random(n) * 60
    )
    base = np.array([r.base_share for r in ROUTES])
    release = params.start_s + (ROUTES[7].released_on - params.start).days * DAY
    weights = np.tile(base, (n, 1))
    weights[np.ix_(ts < release, WEBHOOK_ROUTES)] = 0.0
    return {
        "consumer": np.full(n, -1),
        "ts": ts,
        "route": _pick_columns(rng, weights),
        "status": np.full(n, 401),
        "origin": np.full(n, UNAUTH),
    }


def _health(rng, params: WorldParams) -> dict:
    minutes = np.arange(params.days * 1440)
    ts = params.start_s + minutes * 60 + rng.random(len(minutes)) * 2
    n = len(ts)
    return {
        "consumer": np.full(n, -1),
        "ts": ts,
        "route": np.full(n, HEALTH_INDEX),
        "status": np.full(n, 200),
        "origin": np.full(n, HEALTH_CHECK),
    }


def _retries(
    rng, pop: Population, params: WorldParams, incidents: list[Incident], parts: list[dict]
) -> dict:
    """Extra calls during error bursts (clients retrying), up to ~30 a minute on the product."""
    ts_all = np.concatenate([p["ts"] for p in parts])
    product_all = PRODUCT_OF[np.concatenate([p["route"] for p in parts])]
    rows: dict[str, list] = {k: [] for k in ("consumer", "ts", "route")}
    product_routes = {p: np.flatnonzero(PRODUCT_OF[:N_ROUTES] == p) for p in set(PRODUCT_OF)}
    for inc in incidents:
        if inc.kind != "error_burst":
            continue
        in_burst = (product_all == inc.product) & (ts_all >= inc.start) & (ts_all < inc.end)
        minute_of = ((ts_all[in_burst] - inc.start) // 60).astype(int)
        n_minutes = int(np.ceil((inc.end - inc.start) / 60))
        have = np.bincount(minute_of, minlength=n_minutes)[:n_minutes]
        routes = product_routes[inc.product]
        # Consumers that already succeeded, are still around, and use the product.
        day = int((inc.start - params.start_s) // DAY)
        alive = (pop.first_success < inc.start) & (_activity(pop, params)[:, day] > 0.05)
        uses = pop.route_w[:, routes].sum(axis=1)
        if inc.product == "webhooks":
            uses = uses * (pop.webhook_adopt <= inc.start)
        share = np.where(alive, pop.weight * uses, 0.0)
        if share.sum() == 0:
            share = np.where(alive, pop.weight, 0.0)
        if share.sum() == 0:
            continue
        for m in range(n_minutes):
            want = BURST_MIN_PER_MINUTE + int(rng.poisson(6)) - int(have[m])
            if want <= 0:
                continue
            who = rng.choice(len(share), size=want, p=share / share.sum())
            w = pop.route_w[who][:, routes]
            w[w.sum(axis=1) == 0] = 1.0
            pick = routes[_pick_columns(rng, w)]
            rows["consumer"].extend(who.tolist())
            rows["ts"].extend((inc.start + m * 60 + rng.random(want) * 60).tolist())
            rows["route"].extend(pick.tolist())
    n = len(rows["ts"])
    return {
        "consumer": np.array(rows["consumer"], dtype=np.int64),
        "ts": np.array(rows["ts"]),
        "route": np.array(rows["route"], dtype=np.int64),
        "status": np.zeros(n, dtype=np.int64),
        "origin": np.full(n, RETRY),
    }


# --- statuses, latencies, sizes -------------------------------------------------------------


def _baseline_status(rng, route: np.ndarray, friction: np.ndarray, p429: np.ndarray) -> np.ndarray:
    """Mostly 2xx; realistic client errors; ~0.2% server errors."""
    n = len(route)
    codes = np.array([429, 400, 404, 422, 403, 500])
    u = rng.random((n, 1))
    status = np.empty(n, dtype=np.int64)
    for lo, hi in _blocks(n):
        r = route[lo:hi]
        p = np.stack(
            [
                p429[lo:hi],  # 429 rate limited
                0.007 + friction[lo:hi] * 0.5,  # 400
                np.where(BY_ID[r], 0.012, 0.002) + friction[lo:hi] * 0.2,  # 404
                np.where(IS_POST[r], 0.012, 0.0) + friction[lo:hi] * 0.3,  # 422
                np.full(hi - lo, 0.002),  # 403
                np.full(hi - lo, 0.0018),  # 5xx
            ],
            axis=1,
        )
        idx = (np.cumsum(p, axis=1) < u[lo:hi]).sum(axis=1)
        ok = np.where(IS_POST[r], 201, 200)
        status[lo:hi] = np.where(idx < len(codes), codes[np.minimum(idx, len(codes) - 1)], ok)
    fives = status == 500
    status[fives] = rng.choice([500, 502, 503, 504], size=int(fives.sum()), p=[0.5, 0.2, 0.2, 0.1])
    return status


def _latencies(rng, t: dict, incidents: list[Incident]) -> tuple[np.ndarray, ...]:
    route, status, ts = t["route"], t["status"], t["ts"]
    n = len(route)
    median = np.array([r.median_ms for r in ALL_ROUTES])[route]
    sigma = np.array([r.sigma for r in ALL_ROUTES])[route]
    profile = 0.5 * diurnal("eu") + 0.5 * diurnal("us")
    load = (profile / profile.max())[((ts % DAY) // 60).astype(int)]
    upstream = median * np.exp(rng.normal(0, 1, n) * sigma) * (1 + 0.3 * load**2)
    upstream = np.where((status >= 400) & (status < 500), upstream * 0.4, upstream)
    for inc in incidents:
        if inc.kind == "latency_spike":
            hit = (PRODUCT_OF[route] == inc.product) & (ts >= inc.start) & (ts < inc.end)
            upstream[hit] *= np.exp(rng.normal(np.log(inc.latency_factor), 0.15, int(hit.sum())))
    upstream = np.where(status == 502, rng.uniform(5, 40, n), upstream)
    upstream = np.where(status == 503, rng.uniform(1, 12, n), upstream)
    upstream = np.where(status == 504, 60000 + rng.uniform(0, 15, n), upstream)
    proxy = np.maximum(1, np.rint(upstream)).astype(np.int64)
    # Kong answered itself (bad key, rate limit): no upstream call, proxy latency is -1.
    short_circuit = (status == 401) | (status == 429)
    proxy[short_circuit] = -1
    kong = rng.integers(0, 4, n)
    latency = np.where(short_circuit, kong + 1, proxy + kong + rng.integers(0, 3, n))
    return latency, proxy, kong


def _sizes(rng, route: np.ndarray, status: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    n = len(route)
    req = np.where(IS_POST[route], rng.integers(700, 2600, n), rng.integers(280, 700, n))
    lo = np.array([r.response_bytes[0] for r in ALL_ROUTES])[route]
    hi = np.array([r.response_bytes[1] for r in ALL_ROUTES])[route]
    resp = np.where(
        status < 400,
        lo + (rng.random(n) * (hi - lo + 1)).astype(np.int64),
        rng.integers(90, 260, n),
    )
    return req, resp


def _statuses(
    rng,
    pop: Population,
    t: dict,
    c: np.ndarray,
    has_consumer: np.ndarray,
    incidents: list[Incident],
) -> np.ndarray:
    """Drawn for regular, exploration and retry calls (0 = to draw), fixed for the others;
    then the error bursts: upstream calls of the product fail (Kong's own 401/429 do not)."""
    route, origin, ts = t["route"], t["origin"], t["ts"]
    heavy_free = (pop.plan == "free") & (pop.weight > np.quantile(pop.weight, 0.85))
    p429 = np.where(has_consumer & heavy_free[c], 0.03, 0.002)
    # First-day friction: fewer client errors with the new quickstart.
    friction = np.where(
        origin == ONBOARDING, np.where(pop.variant[c] == "treatment", 0.06, 0.10), 0.0
    )
    status = np.where(t["status"] == 0, _baseline_status(rng, route, friction, p429), t["status"])
    status = np.where(origin == FIRST_SUCCESS, np.where(IS_POST[route], 201, 200), status)
    for inc in incidents:
        if inc.kind != "error_burst":
            continue
        hit = (
            (PRODUCT_OF[route] == inc.product)
            & (ts >= inc.start)
            & (ts < inc.end)
            & (status != 401)
            & (status != 429)
            & (rng.random(len(route)) < inc.error_share)
        )
        codes, shares = zip(*inc.error_codes, strict=True)
        status[hit] = rng.choice(codes, size=int(hit.sum()), p=shares)
    return status


def _ua_index(product: str) -> int:
    return next(i for i, (ua, _) in enumerate(USER_AGENTS) if ua.startswith(product + "/"))


def _clients(rng, pop: Population, key_of: np.ndarray, origin: np.ndarray):
    """User agent and client IP per request. A consumer sticks to its client and IPs, and
    sometimes tries curl or Postman (more often while onboarding); unauthenticated callers
    use generic tools from scattered addresses; the monitor has its own."""
    n = len(key_of)
    mine = np.maximum(key_of, 0)
    ua = pop.ua[mine]
    tool = rng.random(n) < np.where(origin == ONBOARDING, 0.3, 0.03)
    ua = np.where(tool, np.where(rng.random(n) < 0.6, CURL_UA, POSTMAN_UA), ua)
    generic = [
        _ua_index(p)
        for p in ("curl", "python-requests", "PostmanRuntime", "axios", "Go-http-client")
    ]
    ua = np.where(key_of < 0, rng.choice(generic, size=n, p=[0.35, 0.3, 0.15, 0.1, 0.1]), ua)
    ua = np.where(origin == HEALTH_CHECK, MONITOR_UA_INDEX, ua)

    own_ips = np.vectorize(_IP_INDEX.__getitem__, otypes=[np.int16])(pop.ips)
    ip = own_ips[mine, rng.choice(3, size=n, p=[0.8, 0.15, 0.05])]
    # Scanners come from 203.0.113.200-254 or 198.51.100.200-254.
    first_range = rng.random(n) < 0.5
    last_octet = rng.integers(200, 255, n)
    in_range = {prefix: np.array([_IP_INDEX.get(f"{prefix}{k}", -1) for k in range(256)],
                                 dtype=np.int16)
                for prefix in ("203.0.113.", "198.51.100.")}
    scanner = np.where(first_range, in_range["203.0.113."][last_octet],
                       in_range["198.51.100."][last_octet])
    ip = np.where(key_of < 0, scanner, ip)
    ip = np.where(origin == HEALTH_CHECK, _IP_INDEX[MONITOR_IP], ip).astype(np.int16)
    return ua, ip


# --- putting it together --------------------------------------------------------------------


def simulate(params: WorldParams, pop: Population, incidents: list[Incident]) -> Traffic:
    rng = stream(params.seed, "gateway")
    onboarding = _onboarding(rng, pop, params)
    unauth = _unauthenticated(rng, params)
    regular = _regular(rng, pop, params, expected_other=len(onboarding["ts"]) + len(unauth["ts"]))
    health = _health(rng, params)
    parts = [regular, onboarding, unauth, health]
    parts.append(_retries(rng, pop, params, incidents, parts))
    t = {
        k: np.concatenate([p[k] for p in parts])
        for k in ("consumer", "ts", "route", "status", "origin")
    }
    del parts, regular, onboarding, unauth, health
    t["consumer"] = t["consumer"].astype(np.int64)
    t["route"] = t["route"].astype(np.int64)
    n = len(t["ts"])
    consumer, route, origin = t["consumer"], t["route"], t["origin"]
    has_consumer = consumer >= 0
    c = np.where(has_consumer, consumer, 0)

    # A consumer's 401 while onboarding: its own client and IP, a wrong key, no consumer.
    own_401 = (origin == ONBOARDING) & (t["status"] == 401)
    key_of = np.where(has_consumer, consumer, -1)
    consumer = np.where(own_401, -1, consumer)
    del t["consumer"]
    key = np.where(consumer >= 0, 0, np.where(rng.random(n) < 0.55, 1, 2))
    key[own_401] = 2
    key[origin == HEALTH_CHECK] = 1
    key = _stored("key", key)

    t["status"] = _statuses(rng, pop, t, c, has_consumer, incidents)
    status, ts = t["status"], t["ts"]

    # Columns no later draw reads are stored compact at once (see COLUMN_TYPES).
    latency, proxy, kong = _latencies(rng, t, incidents)
    latency, proxy, kong = _stored("latency", latency), _stored("proxy", proxy), _stored("kong", kong)
    req_size, resp_size = _sizes(rng, route, status)
    req_size, resp_size = _stored("req_size", req_size), _stored("resp_size", resp_size)
    version = _stored("version", _versions(rng, pop, c, key_of, ts, route, params))

    ua, ip = _clients(rng, pop, key_of, origin)
    ua = _stored("ua", ua)
    rid = rng.integers(0, 2**47, n)
    ts_ms = np.floor(ts * 1000).astype(np.int64)
    del t, ts
    order = np.argsort(ts_ms, kind="stable")
    columns = {
        "ts_ms": ts_ms, "consumer": consumer, "key_of": key_of, "route": route,
        "version": version, "status": status, "latency": latency, "proxy": proxy, "kong": kong,
        "req_size": req_size, "resp_size": resp_size, "ua": ua, "ip": ip, "key": key,
        "rid": rid, "origin": origin,
    }
    # Sort one column at a time and let go of the unsorted one: at 50M requests a second
    # full set of columns would need GBs more.
    del (ts_ms, consumer, key_of, route, version, status, latency, proxy, kong, req_size,
         resp_size, ua, ip, key, rid, origin, c, has_consumer, own_401)
    for name in columns:
        columns[name] = _stored(name, columns[name][order])
    return Traffic(**columns)


# --- facts other parts need -----------------------------------------------------------------


@dataclass
class UsageFacts:
    """What support and world.json need to know about the traffic that was drawn."""

    first_call: np.ndarray  # per consumer, epoch s of first attributed request (nan: none)
    first_success: np.ndarray
    active_days: np.ndarray  # (consumers x days) successful requests
    affected: dict[str, np.ndarray]  # incident key -> consumers that got 5xx from it
    requests: int
    webhook_users: np.ndarray  # bool per consumer


def usage_facts(
    t: Traffic, pop: Population, params: WorldParams, incidents: list[Incident]
) -> UsageFacts:
    ts = t.ts_ms / 1000
    has = t.consumer >= 0
    c = t.consumer[has]
    first_call = np.full(pop.n, np.inf)
    np.minimum.at(first_call, c, ts[has])
    success = has & (t.status < 400)
    first_success = np.full(pop.n, np.inf)
    np.minimum.at(first_success, t.consumer[success], ts[success])
    day = ((ts[success] - params.start_s) // DAY).astype(int)
    active = np.zeros((pop.n, params.days), dtype=np.int64)
    np.add.at(active, (t.consumer[success], day), 1)
    affected = {}
    for inc in incidents:
        hit = has & (PRODUCT_OF[t.route] == inc.product) & (ts >= inc.start) & (ts < inc.end)
        if inc.kind == "error_burst":
            hit &= t.status >= 500
        affected[inc.key] = np.unique(t.consumer[hit])
    webhook = has & (PRODUCT_OF[t.route] == "webhooks")
    webhook_users = np.zeros(pop.n, dtype=bool)
    webhook_users[np.unique(t.consumer[webhook])] = True
    return UsageFacts(
        first_call=np.where(np.isinf(first_call), np.nan, first_call),
        first_success=np.where(np.isinf(first_success), np.nan, first_success),
        active_days=active,
        affected=affected,
        requests=len(t),
        webhook_users=webhook_users,
    )

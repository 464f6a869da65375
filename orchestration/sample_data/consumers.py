"""The consumer registry (Kong consumers) and how each consumer behaves.

Who signs up when, with which plan, region, client and experiment arm; when each one first
calls and first succeeds; how much it uses the API afterwards and which routes. The gateway,
support and GitHub parts all read this plan, which is what keeps the world coherent.
"""

from __future__ import annotations

import base64
import json
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from orchestration.sample_data.common import hex_token, lognormal, stream, uuid_from, write_json
from orchestration.sample_data.params import (
    CLIENT_IPS,
    DAY,
    EXPERIMENT_ID,
    ROUTES,
    USER_AGENTS,
    VERSIONS,
    WorldParams,
)

PAGE_SIZE = 100
ESTABLISHED_SHARE = 0.30
NEVER_CALL_SHARE = 0.15

# The onboarding experiment's real effect: the quickstart (treatment) gets people to their
# first call sooner, with fewer failed attempts and fewer that give up for a week or more.
ARMS = {
    #             first call median (min), sigma, P(errors first), error phase median (min), P(stall)
    "control": (75.0, 1.5, 0.50, 150.0, 0.14),
    "treatment": (55.0, 1.4, 0.32, 80.0, 0.06),
}

_WORDS_A = (
    "blue",
    "north",
    "bright",
    "quiet",
    "swift",
    "red",
    "silver",
    "green",
    "paper",
    "iron",
    "cloud",
    "river",
    "stone",
    "sun",
    "harbor",
    "maple",
    "pixel",
    "lumen",
    "atlas",
    "copper",
    "nova",
    "orbit",
    "kite",
    "cedar",
    "delta",
    "ember",
    "fable",
)
_WORDS_B = (
    "labs",
    "pay",
    "shop",
    "works",
    "apps",
    "cart",
    "ledger",
    "market",
    "goods",
    "tickets",
    "books",
    "travel",
    "health",
    "energy",
    "games",
    "finance",
    "logistics",
    "studio",
    "cloud",
    "foods",
    "motors",
    "media",
    "learning",
    "rentals",
    "tools",
)


@dataclass
class Population:
    """Column arrays, one entry per consumer, in sign-up order (index i is `org_{i+1:04d}`)."""

    ids: list[str]
    usernames: list[str]
    custom_ids: list[str]
    created_at: np.ndarray  # epoch seconds (int64)
    plan: np.ndarray  # free | pro | enterprise
    partner: np.ndarray  # bool
    region: np.ndarray  # eu | us
    variant: np.ndarray  # "" (signed up before the window) | control | treatment
    established: np.ndarray  # bool: signed up before the window, already integrated
    apikeys: list[str]  # raw fake keys; the loader hashes them
    credential_ids: list[str]  # Kong key-auth credential ids (authenticated_entity.id)
    ua: np.ndarray  # index into USER_AGENTS: the client each consumer mostly sticks to
    ips: np.ndarray  # (n, 3) client IPs, used with shares 80/15/5 %
    # behaviour (epoch seconds; nan = never inside the window)
    calls: np.ndarray  # bool: makes at least one call
    first_call: np.ndarray
    first_success: np.ndarray
    pre_errors: np.ndarray  # failed attempts between first call and first success
    meaningful: np.ndarray  # bool: explores >= 3 routes with >= 10 calls right after success
    churn: np.ndarray  # bool: activity decays
    half_life_days: np.ndarray
    churn_at: np.ndarray  # when decay starts (first success for new consumers)
    weight: np.ndarray  # relative request volume
    route_w: np.ndarray  # (n, len(ROUTES)) route preference
    webhook_adopt: np.ndarray  # when the consumer starts calling webhook routes (inf = never)
    version_init: np.ndarray  # 1..3
    version_new: np.ndarray
    migrate_at: np.ndarray  # when it switches to version_new (inf = never)

    @property
    def n(self) -> int:
        return len(self.ids)

    def tags(self, i: int) -> list[str]:
        tags = [f"plan:{self.plan[i]}"]
        if self.partner[i]:
            tags.append("partner")
        if self.variant[i]:
            tags.append(f"experiment:{EXPERIMENT_ID}:{self.variant[i]}")
        tags.append(f"region:{self.region[i]}")
        return tags

    def kong_object(self, i: int) -> dict:
        return {
            "id": self.ids[i],
            "created_at": int(self.created_at[i]),
            "updated_at": int(self.created_at[i]),
            "username": self.usernames[i],
            "custom_id": self.custom_ids[i],
            "tags": self.tags(i),
        }


def _signup_offsets(rng: np.random.Generator, n: int, days: int) -> np.ndarray:
    """Sign-up days spread over the window with density rising 1 -> 2.5 (growth), stratified
    so that even a dozen consumers cover the whole window, including its last days."""
    u = (np.arange(n) + rng.random(n)) / max(n, 1)
    x = (-1 + np.sqrt(1 + 5.25 * u)) / 1.5  # inverse CDF of density ∝ 1 + 1.5x on [0, 1]
    return x * days


def _time_of_day(rng: np.random.Generator, region: np.ndarray) -> np.ndarray:
    """Seconds into the (UTC) day people sign up: working hours of their region."""
    centre = np.where(region == "eu", 11.5, 17.5)
    hours = np.clip(rng.normal(centre, 3.0), 0, 23.99)
    return hours * 3600


def _usernames(rng: np.random.Generator, n: int) -> list[str]:
    names: list[str] = []
    seen: set[str] = set()
    for _ in range(n):
        name = f"{rng.choice(_WORDS_A)}{rng.choice(_WORDS_B)}"
        while name in seen:
            name = f"{rng.choice(_WORDS_A)}{rng.choice(_WORDS_B)}-{int(rng.integers(2, 99))}"
        seen.add(name)
        names.append(name)
    return names


def build_population(params: WorldParams) -> Population:
    rng = stream(params.seed, "consumers")
    n = params.consumers
    start, end = params.start_s, params.end_s
    n_est = max(2, round(ESTABLISHED_SHARE * n))
    n_new = n - n_est

    region = np.where(rng.random(n) < 0.4, "eu", "us")
    est_created = start - (lognormal(rng, 120, 0.8, n_est) + 5) * DAY
    new_days = _signup_offsets(rng, n_new, params.days)
    new_created = start + np.floor(new_days) * DAY + _time_of_day(rng, region[n_est:])
    new_created = np.minimum(new_created, end - 600)
    created = np.concatenate([np.sort(est_created), new_created]).astype(np.int64)
    order = np.argsort(created, kind="stable")
    created = created[order]
    region = region[order]
    established = np.zeros(n, dtype=bool)
    established[:n_est] = True  # established ones all precede the window

    # Experiment: exact 50/50 among window sign-ups (balanced even for a handful).
    variant = np.array([""] * n, dtype=object)
    arms = np.array(["control", "treatment"] * (n_new // 2 + 1))[:n_new]
    variant[n_est:] = rng.permutation(arms)

    # Partners (~5%): some long-standing, some integrating now (partner time to first success).
    n_partner = max(1, round(0.05 * n))
    partner = np.zeros(n, dtype=bool)
    new_partners = rng.choice(np.arange(n_est, n), size=max(1, n_partner // 2), replace=False)
    est_partners = rng.choice(np.arange(n_est), size=n_partner - len(new_partners), replace=False)
    partner[new_partners] = True
    partner[est_partners] = True

    plan = rng.choice(["free", "pro", "enterprise"], size=n, p=[0.68, 0.24, 0.08]).astype(object)
    plan[partner] = rng.choice(["pro", "enterprise"], size=int(partner.sum()), p=[0.4, 0.6])

    ids = [uuid_from(rng) for _ in range(n)]
    credential_ids = [uuid_from(rng) for _ in range(n)]
    apikeys = [f"key_{hex_token(rng, 16)}" for _ in range(n)]
    usernames = _usernames(rng, n)
    custom_ids = [f"org_{i + 1:04d}" for i in range(n)]

    ua_share = np.array([s for _, s in USER_AGENTS])
    ua = rng.choice(len(USER_AGENTS), size=n, p=ua_share / ua_share.sum())
    ips = rng.choice(np.array(CLIENT_IPS), size=(n, 3))

    # --- onboarding -------------------------------------------------------------------------
    first_call = np.full(n, np.nan)
    first_success = np.full(n, np.nan)
    pre_errors = np.zeros(n, dtype=np.int64)
    calls = np.ones(n, dtype=bool)
    first_call[:n_est] = start - DAY  # already integrated: active from the first minute
    first_success[:n_est] = start - DAY
    for arm, (call_med, call_sigma, p_err, err_med, p_stall) in ARMS.items():
        idx = np.flatnonzero(variant == arm)
        never = rng.random(len(idx)).argsort()[: round(NEVER_CALL_SHARE * len(idx))]
        never_idx = idx[never]
        never_idx = never_idx[~partner[never_idx]]  # partners always integrate
        calls[never_idx] = False
        delay = lognormal(rng, call_med, call_sigma, len(idx)) * 60
        has_err = rng.random(len(idx)) < p_err
        stall = rng.random(len(idx)) < p_stall
        has_err |= stall  # giving up for a week starts with failing
        err_phase = np.where(has_err, lognormal(rng, err_med, 1.2, len(idx)) * 60, 0.0)
        stall_s = np.where(stall, rng.uniform(7.5, 20, len(idx)) * DAY, 0.0)
        first_call[idx] = created[idx] + 60 + delay
        first_success[idx] = first_call[idx] + err_phase + stall_s
        pre_errors[idx] = np.where(has_err, rng.integers(1, 6, len(idx)), 0)
    first_call[~calls] = np.nan
    first_success[~calls] = np.nan
    pre_errors[~calls] = 0
    meaningful = rng.random(n) < 0.7
    meaningful[:n_est] = True

    # --- usage after the first success --------------------------------------------------------
    plan_mult = np.select([plan == "free", plan == "pro"], [0.5, 1.4], 3.0)
    weight = lognormal(rng, 1.0, 1.0, n) * plan_mult * np.where(partner, 1.8, 1.0)
    weight[:n_est] *= 1.5
    churn = rng.random(n) < np.where(established, 0.12, 0.38)
    half_life_days = np.where(established, 4.0, lognormal(rng, 3.0, 0.8, n))
    churn_at = np.where(established, rng.uniform(start, end, n), first_success)

    route_w = _route_preferences(rng, n)
    webhook_release = params.start_s + (ROUTES[7].released_on - params.start).days * DAY
    adopter = rng.random(n) < 0.45
    webhook_adopt = np.where(
        adopter, np.maximum(webhook_release, created) + lognormal(rng, 4.0, 0.8, n) * DAY, np.inf
    )
    webhook_adopt[adopter & (partner | (rng.random(n) < 0.2))] = webhook_release  # early birds

    version_init, version_new, migrate_at = _versions(rng, params, established)

    return Population(
        ids=ids,
        usernames=usernames,
        custom_ids=custom_ids,
        created_at=created,
        plan=plan,
        partner=partner,
        region=region,
        variant=variant,
        established=established,
        apikeys=apikeys,
        credential_ids=credential_ids,
        ua=ua,
        ips=ips,
        calls=calls,
        first_call=first_call,
        first_success=first_success,
        pre_errors=pre_errors,
        meaningful=meaningful,
        churn=churn,
        half_life_days=half_life_days,
        churn_at=churn_at,
        weight=weight,
        route_w=route_w,
        webhook_adopt=webhook_adopt,
        version_init=version_init,
        version_new=version_new,
        migrate_at=migrate_at,
    )


def _route_preferences(rng: np.random.Generator, n: int) -> np.ndarray:
    """Each consumer integrates a subset of routes, weighted toward its main product."""
    base = np.array([r.base_share for r in ROUTES])
    product = np.array([r.product for r in ROUTES])
    main_payments = rng.random(n) < 0.62
    boost = np.where(
        main_payments[:, None],
        np.where(product == "payments", 2.2, 1.0),
        np.where(product == "customers", 2.5, 1.0),
    )
    w = rng.gamma(2.0, 1.0, size=(n, len(ROUTES))) * base * boost
    w[rng.random((n, len(ROUTES))) < 0.3] = 0.0
    core = product != "webhooks"
    # Keep the three strongest non-webhook routes (anyone integrated uses at least three).
    noise = np.where(core, rng.random((n, len(ROUTES))) * base * boost, -1.0)
    top3 = np.argsort(-noise, axis=1)[:, :3]
    rows = np.arange(n)[:, None]
    w[rows, top3] = np.maximum(w[rows, top3], base[top3] * boost[rows, top3])
    return w


def _versions(rng: np.random.Generator, params: WorldParams, established: np.ndarray):
    """v1 (deprecated) is left behind over time, v3 (new) gains users."""
    n = len(established)
    start, end = params.start_s, params.end_s
    v3_release = params.start_s + (VERSIONS["v3"] - params.start).days * DAY
    init = np.where(
        established,
        rng.choice([1, 2], size=n, p=[0.35, 0.65]),
        rng.choice([3, 2, 1], size=n, p=[0.62, 0.35, 0.03]),
    )
    new = init.copy()
    migrate_at = np.full(n, np.inf)
    when = rng.uniform(max(start, v3_release), end, n)
    from_v1 = established & (init == 1) & (rng.random(n) < 0.45)
    new[from_v1] = rng.choice([2, 3], size=int(from_v1.sum()), p=[0.6, 0.4])
    from_v2 = established & (init == 2) & (rng.random(n) < 0.25)
    new[from_v2] = 3
    moving = from_v1 | from_v2
    migrate_at[moving] = when[moving]
    return init, new, migrate_at


def write_pages(pop: Population, out_dir: Path, written: list[Path]) -> None:
    """Kong Admin API `GET /consumers` pages: {"data": [...], "next": "/consumers?offset=..."}."""
    folder = out_dir / "consumers"
    n_pages = max(1, -(-pop.n // PAGE_SIZE))
    for page in range(n_pages):
        rows = range(page * PAGE_SIZE, min(pop.n, (page + 1) * PAGE_SIZE))
        nxt = None
        if page + 1 < n_pages:
            # Kong's offset is an opaque base64 token of where the next page starts.
            raw = json.dumps([pop.ids[(page + 1) * PAGE_SIZE]]).encode()
            nxt = "/consumers?offset=" + base64.urlsafe_b64encode(raw).decode().rstrip("=")
        document = {"data": [pop.kong_object(i) for i in rows], "next": nxt}
        write_json(folder / f"consumers-{page + 1:04d}.json", document, written)

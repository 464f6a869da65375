"""Status pages (Atlassian Statuspage public API v2): our own page and a provider's.

The public API only ever returns the 50 newest incidents, so the world is saved the way a
poller would see it: an `incidents.json` snapshot every day at 23:00 UTC, plus one taken
while each announced incident was still open. Each snapshot shows every incident as it was
at that moment (updates so far, status, component statuses), newest first, capped at 50.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import numpy as np

from orchestration.sample_data.common import iso_ms, lognormal, stream, token, write_json
from orchestration.sample_data.incidents import Incident, webhook_release_day
from orchestration.sample_data.params import DAY, WorldParams

SNAPSHOT_LIMIT = 50
HISTORY_DAYS = 330
STATUS_FOR_IMPACT = {
    "none": "operational",
    "minor": "degraded_performance",
    "major": "partial_outage",
    "critical": "major_outage",
}


@dataclass
class Update:
    status: str  # investigating | identified | monitoring | resolved | postmortem
    at: float
    body: str
    component_status: str | None  # new status of the incident's components, None: unchanged
    id: str = ""


@dataclass
class PageIncident:
    id: str
    name: str
    impact: str
    components: list[str]
    updates: list[Update]
    shortlink: str

    @property
    def created_at(self) -> float:
        return self.updates[0].at


@dataclass
class Component:
    id: str
    name: str
    description: str
    position: int
    created_at: float


@dataclass
class Page:
    slug: str  # folder name under statuspage/
    id: str
    name: str
    url: str
    components: list[Component]
    incidents: list[PageIncident] = field(default_factory=list)

    def component(self, name: str) -> Component:
        return next(c for c in self.components if c.name == name)


# --- building the pages ---------------------------------------------------------------------


def _make_page(
    rng, slug: str, name: str, url: str, components: list[tuple[str, str, float]]
) -> Page:
    """`components`: (name, description, created_at)."""
    return Page(
        slug,
        token(rng),
        name,
        url,
        [
            Component(token(rng), cname, desc, i + 1, created)
            for i, (cname, desc, created) in enumerate(components)
        ],
    )


def _incident(
    rng, name: str, impact: str, components: list[str], steps: list[tuple[str, float, str]]
) -> PageIncident:
    """`steps`: (status, time, body). Components take the impact's status while the incident
    is open and go back to operational when it is resolved."""
    updates = []
    open_status = STATUS_FOR_IMPACT.get(impact, "operational")
    for k, (status, at, body) in enumerate(steps):
        if k == 0:
            comp = open_status
        elif status == "resolved":
            comp = "operational"
        else:
            comp = None
        updates.append(Update(status, at, body, comp, token(rng)))
    return PageIncident(
        token(rng), name, impact, components, updates, f"https://stspg.io/{token(rng, 10)}"
    )


_HISTORY_NAMES = (
    "Elevated error rates on the {c}",
    "Degraded performance of the {c}",
    "Increased latency on the {c}",
    "Intermittent timeouts on the {c}",
    "Partial outage of the {c}",
    "Delayed processing on the {c}",
)
_PROVIDER_NAMES = (
    "Degraded performance for {c} in eu-west",
    "Elevated API errors for {c}",
    "Increased provisioning times for {c}",
    "Connectivity issues affecting {c} in us-east",
)


def _history(rng, page: Page, count: int, before: float, names: tuple[str, ...]) -> None:
    """Older, resolved incidents so that the page's 50-incident window is realistically full."""
    times = np.sort(before - rng.uniform(1, HISTORY_DAYS, count) * DAY)
    for created in times:
        impact = str(rng.choice(["none", "minor", "major", "critical"], p=[0.1, 0.6, 0.25, 0.05]))
        comps = [c.name for c in page.components if c.created_at < created]
        chosen = [str(c) for c in rng.choice(comps, size=int(rng.integers(1, 3)), replace=False)]
        name = str(rng.choice(names)).format(c=chosen[0])
        duration = lognormal(rng, 75, 0.8) * 60
        steps = [
            (
                "investigating",
                created,
                f"We are investigating reports of issues with {', '.join(chosen)}.",
            )
        ]
        if rng.random() < 0.6:
            steps.append(
                (
                    "identified",
                    created + duration * 0.4,
                    "The issue has been identified and a fix is being implemented.",
                )
            )
        if rng.random() < 0.6:
            steps.append(
                (
                    "monitoring",
                    created + duration * 0.8,
                    "A fix has been implemented and we are monitoring the results.",
                )
            )
        steps.append(("resolved", created + duration, "This incident has been resolved."))
        if impact in ("major", "critical") and rng.random() < 0.5:
            steps.append(
                (
                    "postmortem",
                    created + duration + lognormal(rng, 2, 0.5) * DAY,
                    "Postmortem: we have published a summary of the root cause and the "
                    "follow-up actions for this incident.",
                )
            )
        page.incidents.append(_incident(rng, name, impact, chosen, steps))


def build_pages(params: WorldParams, incidents: list[Incident]) -> list[Page]:
    rng = stream(params.seed, "statuspage")
    start = params.start_s
    launched = start - 900 * DAY
    webhooks = start + (webhook_release_day(params) - 7) * DAY  # listed a week before release
    ours = _make_page(
        rng,
        "acme-api",
        "Acme API",
        "https://status.acme.test",
        [
            ("Payments API", "Create, read and refund payments", launched),
            ("Customers API", "Customer records and search", launched + 40 * DAY),
            ("Webhooks API", "Webhook endpoints and event delivery", webhooks),
            ("Dashboard", "The web dashboard at dashboard.acme.test", launched),
        ],
    )
    _history(rng, ours, 60, start, _HISTORY_NAMES)
    for inc in incidents:
        if not inc.announced:
            continue  # the silent outage: nobody told the status page
        steps = [
            ("investigating", inc.created_at, inc.bodies["investigating"]),
            ("identified", inc.identified_at, inc.bodies["identified"]),
            ("monitoring", inc.monitoring_at, inc.bodies["monitoring"]),
            ("resolved", inc.resolved_at, inc.bodies["resolved"]),
        ]
        if inc.postmortem_at is not None:
            steps.append(("postmortem", inc.postmortem_at, inc.bodies["postmortem"]))
        page_inc = _incident(rng, inc.name, inc.impact, [inc.component], steps)
        page_inc.id = inc.statuspage_id or page_inc.id
        page_inc.updates[0].component_status = inc.component_status
        ours.incidents.append(page_inc)

    since = start - 2000 * DAY
    provider = _make_page(
        rng,
        "cloudhost",
        "CloudHost",
        "https://status.cloudhost.test",
        [
            ("Compute", "Virtual machines and containers", since),
            ("Object Storage", "S3-compatible object storage", since),
            ("Managed Databases", "Managed PostgreSQL and Redis", since),
            ("Networking", "Load balancers, VPC and DNS", since),
        ],
    )
    _history(rng, provider, 12, start, _PROVIDER_NAMES)
    critical = next((i for i in incidents if i.impact == "critical"), None)
    if critical is not None:
        # The provider outage behind our critical incident: it starts a little earlier.
        t0 = critical.start - 25 * 60
        provider.incidents.append(
            _incident(
                rng,
                "Network connectivity issues in us-east",
                "major",
                ["Networking"],
                [
                    ("investigating", t0 + 4 * 60, "We are investigating packet loss in us-east."),
                    ("identified", t0 + 30 * 60, "A faulty router update has been identified."),
                    (
                        "monitoring",
                        critical.end + 60,
                        "The update has been rolled back. Monitoring.",
                    ),
                    ("resolved", critical.end + 20 * 60, "This incident has been resolved."),
                ],
            )
        )
    t1 = start + int(0.45 * params.days) * DAY + 9 * 3600
    provider.incidents.append(
        _incident(
            rng,
            "Slow uploads to Object Storage",
            "minor",
            ["Object Storage"],
            [
                ("investigating", t1, "Some uploads to Object Storage are slower than usual."),
                ("resolved", t1 + 95 * 60, "This incident has been resolved."),
            ],
        )
    )
    for page in (ours, provider):
        page.incidents.sort(key=lambda i: i.created_at)
    return [ours, provider]


# --- rendering snapshots --------------------------------------------------------------------


def _component_states(page: Page, at: float) -> dict[str, tuple[str, float]]:
    """Status and last change of every component at a moment."""
    state = {c.name: ("operational", c.created_at) for c in page.components}
    changes = sorted(
        (u.at, comp, u.component_status)
        for inc in page.incidents
        for u in inc.updates
        if u.at <= at and u.component_status is not None
        for comp in inc.components
    )
    for when, comp, status in changes:
        state[comp] = (status, when)
    return state


def _component_json(page: Page, comp: Component, state: dict) -> dict:
    status, changed = state[comp.name]
    return {
        "id": comp.id,
        "name": comp.name,
        "status": status,
        "created_at": iso_ms(comp.created_at),
        "updated_at": iso_ms(changed),
        "position": comp.position,
        "description": comp.description,
        "showcase": True,
        "start_date": datetime.fromtimestamp(comp.created_at, UTC).date().isoformat(),
        "group_id": None,
        "page_id": page.id,
        "group": False,
        "only_show_if_degraded": False,
    }


def _incident_json(page: Page, inc: PageIncident, at: float, state: dict) -> dict | None:
    shown = [u for u in inc.updates if u.at <= at]
    if not shown:
        return None
    first: dict[str, float] = {}
    for u in shown:
        first.setdefault(u.status, u.at)
    before: dict[str, str] = {c: "operational" for c in inc.components}
    rendered = []
    for u in shown:
        affected = None
        if u.component_status is not None:
            affected = []
            for name in inc.components:
                comp = page.component(name)
                affected.append(
                    {
                        "code": comp.id,
                        "name": name,
                        "old_status": before[name],
                        "new_status": u.component_status,
                    }
                )
                before[name] = u.component_status
        rendered.append(
            {
                "id": u.id,
                "status": u.status,
                "body": u.body,
                "incident_id": inc.id,
                "created_at": iso_ms(u.at),
                "updated_at": iso_ms(u.at),
                "display_at": iso_ms(u.at),
                "affected_components": affected,
                "deliver_notifications": True,
                "custom_tweet": None,
                "tweet_id": None,
            }
        )
    updates = rendered[::-1]  # the API lists updates newest first
    resolved = first.get("resolved")
    return {
        "id": inc.id,
        "name": inc.name,
        "status": shown[-1].status,
        "created_at": iso_ms(inc.created_at),
        "updated_at": iso_ms(shown[-1].at),
        "monitoring_at": iso_ms(first.get("monitoring")),
        "resolved_at": iso_ms(resolved),
        "impact": inc.impact,
        "shortlink": inc.shortlink,
        "started_at": iso_ms(inc.created_at),
        "page_id": page.id,
        "incident_updates": updates,
        "components": [_component_json(page, page.component(c), state) for c in inc.components],
    }


def _page_json(page: Page, at: float) -> dict:
    times = [u.at for i in page.incidents for u in i.updates if u.at <= at]
    return {
        "id": page.id,
        "name": page.name,
        "url": page.url,
        "time_zone": "Etc/UTC",
        "updated_at": iso_ms(max(times) if times else at),
    }


def snapshot(page: Page, at: float) -> dict:
    """`GET /api/v2/incidents.json` as it would have answered at `at`."""
    state = _component_states(page, at)
    rendered = [_incident_json(page, inc, at, state) for inc in reversed(page.incidents)]
    shown = [r for r in rendered if r is not None][:SNAPSHOT_LIMIT]
    return {"page": _page_json(page, at), "incidents": shown}


def snapshot_times(params: WorldParams, page: Page, incidents: list[Incident]) -> list[float]:
    times = [params.start_s + d * DAY + 23 * 3600 for d in range(params.days)]
    if page.slug == "acme-api":
        # One poll while each announced incident was still open.
        times += [i.identified_at + 5 * 60 for i in incidents if i.announced and i.identified_at]
    return sorted(t for t in set(times) if t < params.end_s)


def write_pages(
    pages: list[Page],
    params: WorldParams,
    incidents: list[Incident],
    out_dir: Path,
    written: list[Path],
) -> int:
    """Write components.json and the snapshots; returns how many distinct incidents the
    snapshots show (the oldest history falls outside every 50-incident window)."""
    seen: set[str] = set()
    for page in pages:
        folder = out_dir / "statuspage" / page.slug
        state = _component_states(page, params.end_s)
        write_json(
            folder / "components.json",
            {
                "page": _page_json(page, params.end_s),
                "components": [_component_json(page, c, state) for c in page.components],
            },
            written,
        )
        for at in snapshot_times(params, page, incidents):
            stamp = datetime.fromtimestamp(int(at), UTC).strftime("%Y%m%dT%H%M%SZ")
            document = snapshot(page, at)
            seen.update(i["id"] for i in document["incidents"])
            write_json(folder / "incidents" / f"{stamp}.json", document, written)
    return len(seen)

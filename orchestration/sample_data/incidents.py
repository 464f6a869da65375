"""The planted incidents: what really happened to the API (impact in traffic) and what the
status page said about it. The gateway draws the impact, the status page the announcement,
support the tickets that follow; world.json records all of it for tests and checks.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from orchestration.sample_data.common import iso_ms, stream, token
from orchestration.sample_data.params import DAY, PRODUCTS, ROUTES, WorldParams

COMPONENT_OF = {
    "payments": "Payments API",
    "customers": "Customers API",
    "webhooks": "Webhooks API",
    "dashboard": "Dashboard",
}


@dataclass
class Incident:
    key: str
    kind: str  # error_burst | latency_spike | no_impact
    product: str  # api product id (or "dashboard")
    impact: str  # status-page impact: none | minor | major | critical
    name: str
    start: float  # impact start, epoch s
    end: float  # impact end
    announced: bool
    error_share: float = 0.0  # share of upstream calls answered 5xx during the burst
    error_codes: tuple[tuple[int, float], ...] = ()
    latency_factor: float = 1.0
    component_status: str = "operational"  # what the status page shows while it is open
    created_at: float | None = None  # status page times
    identified_at: float | None = None
    monitoring_at: float | None = None
    resolved_at: float | None = None
    postmortem_at: float | None = None
    statuspage_id: str | None = None
    bodies: dict[str, str] = field(default_factory=dict)

    @property
    def component(self) -> str:
        return COMPONENT_OF[self.product]

    def fact(self) -> dict:
        """The planted fact as world.json records it."""
        return {
            "id": self.statuspage_id or f"silent-{self.key}",
            "key": self.key,
            "kind": self.kind,
            "product": self.product,
            "product_name": PRODUCTS.get(self.product, self.component),
            "component": self.component,
            "impact": self.impact,
            "name": self.name,
            "impact_start": iso_ms(self.start),
            "impact_end": iso_ms(self.end),
            "error_share": self.error_share,
            "latency_factor": self.latency_factor,
            "announced": self.announced,
            "statuspage_created_at": iso_ms(self.created_at),
            "statuspage_resolved_at": iso_ms(self.resolved_at),
            "postmortem_at": iso_ms(self.postmortem_at),
        }


def _weekday_near(
    params: WorldParams, fraction: float, earliest: int = 0, avoid: frozenset[int] = frozenset()
) -> int:
    """A weekday (busy traffic) near `fraction` of the window, at or after day `earliest`,
    not on a day in `avoid` (days another incident of the same product already uses)."""
    last = params.days - 1
    target = min(max(int(fraction * params.days), earliest), last)
    steps = sorted(range(-params.days, params.days), key=lambda s: (abs(s), -s))
    candidates = [target + s for s in steps if earliest <= target + s <= last]
    for ok in (
        lambda d: params.day(d).weekday() < 5 and d not in avoid,
        lambda d: d not in avoid,
        lambda d: True,
    ):
        for d in candidates:
            if ok(d):
                return d
    return target


def _at(params: WorldParams, day: int, hh: int, mm: int, jitter_s: float) -> float:
    return params.start_s + day * DAY + hh * 3600 + mm * 60 + jitter_s


def webhook_release_day(params: WorldParams) -> int:
    return (ROUTES[7].released_on - params.start).days


def plan_incidents(params: WorldParams) -> list[Incident]:
    """Five incidents on distinct, non-overlapping slots in busy hours of weekdays."""
    rng = stream(params.seed, "incidents")
    j = lambda: float(rng.integers(0, 60_000)) / 1000  # noqa: E731 - jitter, so times look real
    incidents: list[Incident] = []

    d = _weekday_near(params, 0.25)
    start = _at(params, d, 14, 10, j())
    inc = Incident(
        "payments_error_burst",
        "error_burst",
        "payments",
        "major",
        "Elevated error rates on the Payments API",
        start,
        start + 45 * 60,
        True,
        error_share=0.4,
        error_codes=((503, 0.6), (500, 0.25), (504, 0.15)),
        component_status="partial_outage",
    )
    inc.created_at = start + 12 * 60 + j()
    inc.identified_at = inc.created_at + 14 * 60 + j()
    inc.monitoring_at = inc.end + 3 * 60 + j()
    inc.resolved_at = inc.end + 15 * 60 + j()
    inc.postmortem_at = inc.resolved_at + 1.5 * DAY + j()
    inc.bodies = {
        "investigating": "We are investigating elevated error rates on the Payments API. "
        "Some payment requests are failing with 5xx errors.",
        "identified": "The issue has been identified as a failed database failover in the "
        "payments cluster and a fix is being implemented.",
        "monitoring": "A fix has been implemented and we are monitoring the results.",
        "resolved": "This incident has been resolved. Error rates on the Payments API are "
        "back to normal.",
        "postmortem": "Postmortem: a configuration change to the payments database proxy "
        "caused connections to be dropped during a routine failover. Roughly "
        "40% of Payments API requests failed for 45 minutes. We have reverted "
        "the change and added a canary stage for proxy configuration.",
    }
    incidents.append(inc)

    d = _weekday_near(params, 0.4)
    start = _at(params, d, 15, 40, j())
    inc = Incident(
        "customers_latency_spike",
        "latency_spike",
        "customers",
        "minor",
        "Increased latency on the Customers API",
        start,
        start + 30 * 60,
        True,
        latency_factor=5.0,
        component_status="degraded_performance",
    )
    inc.created_at = start + 20 * 60 + j()
    inc.identified_at = inc.created_at + 6 * 60 + j()
    inc.monitoring_at = inc.end + 2 * 60 + j()
    inc.resolved_at = inc.end + 10 * 60 + j()
    inc.bodies = {
        "investigating": "We are investigating increased response times on the Customers API.",
        "identified": "A slow query on customer search is saturating the read replicas. "
        "We are rolling out an index.",
        "monitoring": "Response times have recovered. We are monitoring.",
        "resolved": "This incident has been resolved.",
    }
    incidents.append(inc)

    # The silent outage: on webhooks once they are live (and adopted) inside the window,
    # otherwise (short windows before the release) on customers.
    release = webhook_release_day(params)
    on_webhooks = release + 2 <= params.days - 1
    product = "webhooks" if on_webhooks else "customers"
    taken = frozenset(
        int((i.start - params.start_s) // DAY) for i in incidents if i.product == product
    )
    d = _weekday_near(params, 0.55, earliest=release + 2 if on_webhooks else 0, avoid=taken)
    start = _at(params, d, 17, 5, j())
    incidents.append(
        Incident(
            f"{product}_silent_outage",
            "error_burst",
            product,
            "major",
            f"Unannounced errors on the {PRODUCTS[product]}",
            start,
            start + 20 * 60,
            False,
            error_share=0.3,
            error_codes=((500, 0.7), (502, 0.3)),
        )
    )

    taken = frozenset(
        int((i.start - params.start_s) // DAY) for i in incidents if i.product == "customers"
    )
    d = _weekday_near(params, 0.7, avoid=taken)
    created = _at(params, d, 10, 30, j())
    inc = Incident(
        "customers_no_impact",
        "no_impact",
        "customers",
        "minor",
        "Delayed updates to customer search results",
        created,
        created + 55 * 60,
        True,
        component_status="degraded_performance",
    )
    inc.created_at = created
    inc.identified_at = created + 18 * 60 + j()
    inc.monitoring_at = created + 40 * 60 + j()
    inc.resolved_at = created + 55 * 60
    inc.bodies = {
        "investigating": "Newly created customers may take several minutes to appear in "
        "search results. API requests are not affected.",
        "identified": "A backlog in the search indexer has been identified and is draining.",
        "monitoring": "The backlog has cleared. We are monitoring.",
        "resolved": "This incident has been resolved.",
    }
    incidents.append(inc)

    taken = frozenset(
        int((i.start - params.start_s) // DAY) for i in incidents if i.product == "payments"
    )
    d = _weekday_near(params, 0.85, avoid=taken)
    start = _at(params, d, 12, 20, j())
    inc = Incident(
        "payments_critical_outage",
        "error_burst",
        "payments",
        "critical",
        "Payments API unavailable",
        start,
        start + 35 * 60,
        True,
        error_share=0.65,
        error_codes=((503, 0.5), (502, 0.4), (504, 0.1)),
        component_status="major_outage",
    )
    inc.created_at = start + 6 * 60 + j()
    inc.identified_at = inc.created_at + 9 * 60 + j()
    inc.monitoring_at = inc.end + 2 * 60 + j()
    inc.resolved_at = inc.end + 10 * 60 + j()
    inc.bodies = {
        "investigating": "The Payments API is returning errors for most requests. We are "
        "investigating with urgency.",
        "identified": "Our cloud provider is experiencing a network outage in us-east. We are "
        "failing over payments traffic to another region.",
        "monitoring": "Traffic has been failed over and payments are succeeding again. We "
        "are monitoring.",
        "resolved": "This incident has been resolved.",
    }
    incidents.append(inc)

    for inc in incidents:
        if inc.announced:
            inc.statuspage_id = token(rng)
    return incidents


def silent(incidents: list[Incident]) -> Incident:
    return next(i for i in incidents if not i.announced)

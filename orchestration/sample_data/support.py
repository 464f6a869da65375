"""Help desk: Zendesk incremental cursor export pages (tickets with their metric sets).

Tickets come from the consumers in the registry: right after sign-up (onboarding friction,
less of it in the experiment's treatment arm), from consumers hit by an incident (the silent
outage included: customers notice what the status page does not say), and a steady trickle
from active consumers about integration, billing and account matters.
"""

from __future__ import annotations

import base64
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import numpy as np

from orchestration.sample_data.common import business_minutes, iso_s, lognormal, stream, write_json
from orchestration.sample_data.consumers import Population
from orchestration.sample_data.incidents import Incident
from orchestration.sample_data.params import (
    CONSUMER_FIELD_ID,
    DAY,
    GITHUB_ISSUE_FIELD_ID,
    ROUTES,
    USER_AGENTS,
    WorldParams,
)
from orchestration.sample_data.traffic import UsageFacts

BASE_URL = "https://acme.zendesk.com/api/v2"
PAGE_SIZE = 1000
FIRST_TICKET_ID = 4201
SUPPORT_GROUP, BILLING_GROUP = 360001000001, 360001000002
AGENTS = (361000000011, 361000000012, 361000000013, 361000000014, 361000000015)
PRIORITIES = ("low", "normal", "high", "urgent")
# The support team's schedule (Zendesk business hours): Mon-Fri 07:00-21:00 UTC, which
# covers Europe and the US east coast. `business` minutes in the metric sets use it too.
OPEN_HOUR, CLOSE_HOUR = 7, 21
REPLY_MEDIAN_MIN = {"urgent": 25, "high": 70, "normal": 100, "low": 360}

TOPICS = {  # topic tag -> (share of everyday tickets, type, priority, subjects)
    "rate-limit": (
        0.05,
        "question",
        "normal",
        ("Getting 429 Too Many Requests on {route}", "Can we get a higher rate limit?"),
    ),
    "sdk": (
        0.08,
        "problem",
        "normal",
        (
            "{sdk}: error when calling {route}",
            "{sdk} retries do not honour Retry-After",
            "Type error in {sdk} response objects",
        ),
    ),
    "errors": (
        0.05,
        "problem",
        "normal",
        ("Intermittent 5xx errors on {route}", "Unexpected 422 from {route}"),
    ),
    "webhooks": (
        0.04,
        "problem",
        "normal",
        ("Webhook events arrive late", "How do we verify webhook signatures?"),
    ),
    "auth": (
        0.03,
        "question",
        "normal",
        ("API key rejected after rotating it", "Separate keys for test and live?"),
    ),
    "billing": (
        0.30,
        "task",
        "low",
        ("Invoice question for {month}", "Upgrade to the pro plan", "Add a VAT number to invoices"),
    ),
    "account": (
        0.22,
        "task",
        "low",
        ("Add a teammate to our account", "Change the account owner's email"),
    ),
    "feature-request": (
        0.23,
        "task",
        "low",
        (
            "Support idempotency keys on refunds",
            "Filter payments by metadata",
            "Please add a sandbox for webhooks",
        ),
    ),
}
ONBOARDING_SUBJECTS = (
    "Can't get the first request to work",
    "401 Unauthorized with a brand-new API key",
    "Which base URL and API version should we use?",
    "Quickstart example fails with 400",
)
_GOOD_COMMENTS = ("Quick and helpful, thanks!", "Solved our problem.", "Great support.", None)
_BAD_COMMENTS = ("Took too long to get an answer.", "The issue is not really fixed.", None)
_BAD_REASONS = ("Issue took too long to resolve", "Issue is not resolved", "Agent didn't respond")


@dataclass
class TicketPlan:
    consumer: int
    created: float
    topic: str
    tags: list[str]
    type: str
    priority: str
    subject: str
    channel: str
    incident: Incident | None = None
    unanswered: bool = False  # planted: still waiting for a first reply at export time
    wants_issue: bool = False  # support files a GitHub issue for it
    issue_url: str | None = None
    issue_closed_at: float | None = None
    id: int = 0
    extra: dict = field(default_factory=dict)


# --- planning -------------------------------------------------------------------------------


def _work_time(rng, day_start: float, region: str) -> float:
    centre = 11.5 if region == "eu" else 17.0
    return day_start + float(np.clip(rng.normal(centre, 2.5), 0.5, 23.5)) * 3600


def _awake(rng, t: float, region: str) -> float:
    """People write tickets in their day: a night-time moment moves to the next morning."""
    hour = (t % DAY) / 3600
    local = (hour + (1 if region == "eu" else -5)) % 24
    if 7 <= local < 22:
        return t
    next_day = t - t % DAY + (DAY if local >= 22 or hour >= 12 else 0)
    return max(t, _work_time(rng, next_day, region))


def _route_name(pop: Population, c: int) -> str:
    r = ROUTES[int(np.argmax(pop.route_w[c]))]
    return f"{r.method} {r.template}"


def _subject(rng, topic: str, pop: Population, c: int, created: float) -> str:
    subjects = ONBOARDING_SUBJECTS if topic == "onboarding" else TOPICS[topic][3]
    sdk = USER_AGENTS[int(pop.ua[c])][0].split(" ")[0]
    month = datetime.fromtimestamp(created, UTC).strftime("%B")
    return str(rng.choice(subjects)).format(route=_route_name(pop, c), sdk=sdk, month=month)


def _bump(priority: str, steps: int) -> str:
    return PRIORITIES[min(len(PRIORITIES) - 1, PRIORITIES.index(priority) + steps)]


def plan_tickets(
    params: WorldParams, pop: Population, usage: UsageFacts, incidents: list[Incident]
) -> list[TicketPlan]:
    rng = stream(params.seed, "support")
    start, end = params.start_s, params.end_s
    plans: list[TicketPlan] = []
    channel = lambda: str(rng.choice(["web", "email", "api"], p=[0.55, 0.35, 0.1]))  # noqa: E731

    def add(c: int, created: float, topic: str, **kw) -> None:
        # Nobody writes in before having an account (a sign-up late on an active day).
        created = max(created, pop.created_at[c] + 15 * 60)
        if not (start <= created < end):
            return
        extra_tags = kw.pop("extra_tags", [])
        kind, priority = ("question", "normal") if topic == "onboarding" else TOPICS[topic][1:3]
        priority = kw.pop("priority", priority)
        if pop.plan[c] == "enterprise" and priority in ("low", "normal"):
            priority = _bump(priority, 1)
        plans.append(
            TicketPlan(
                consumer=c,
                created=created,
                topic=topic,
                tags=[topic, *extra_tags],
                type=kw.pop("type", kind),
                priority=priority,
                subject=kw.pop("subject", None) or _subject(rng, topic, pop, c, created),
                channel=channel(),
                **kw,
            )
        )

    # 1. Onboarding: new consumers stuck early on (fewer in the treatment arm).
    for c in np.flatnonzero(~pop.established):
        called = not np.isnan(usage.first_call[c])
        p = {"control": 0.16, "treatment": 0.09}[pop.variant[c]] if called else 0.08
        if pop.partner[c]:
            p = 0.35
        if rng.random() < p:
            anchor = usage.first_call[c] if called else pop.created_at[c]
            created = _awake(rng, anchor + lognormal(rng, 3 * 3600, 1.3), pop.region[c])
            second = str(rng.choice(["auth", "sdk", "errors"], p=[0.5, 0.3, 0.2]))
            add(int(c), created, "onboarding", extra_tags=[second])

    # 2. Incidents: consumers that got errors (or slowness) write in while it happens.
    p_incident = {"major": 0.06, "critical": 0.12, "minor": 0.03}
    for inc in incidents:
        affected = usage.affected.get(inc.key, np.array([], dtype=int))
        p = 0.1 if not inc.announced else p_incident.get(inc.impact, 0.03)
        for c in affected:
            if rng.random() < p:
                created = inc.start + rng.uniform(5, 80) * 60
                extra = ["webhooks"] if inc.product == "webhooks" else []
                priority = "urgent" if inc.impact == "critical" else "high"
                add(
                    int(c),
                    created,
                    "errors",
                    extra_tags=extra,
                    incident=inc,
                    type="incident",
                    priority=priority,
                    subject=f"{'Timeouts' if inc.kind == 'latency_spike' else '5xx errors'} on "
                    f"the {inc.component} right now",
                )

    # 3. Everyday tickets from active consumers, about one per 100 active days.
    topics = list(TOPICS)
    shares = np.array([TOPICS[t][0] for t in topics])
    weekday = np.array([0.3 if params.day(d).weekday() >= 5 else 1.0 for d in range(params.days)])
    for c in range(pop.n):
        active_days = np.flatnonzero(usage.active_days[c] > 0)
        if len(active_days) == 0:
            continue
        for _ in range(int(rng.poisson(0.01 * len(active_days)))):
            w = weekday[active_days]
            day = int(rng.choice(active_days, p=w / w.sum()))  # people write on workdays
            created = _work_time(rng, start + day * DAY, pop.region[c])
            p = shares.copy()
            if not usage.webhook_users[c]:
                p[topics.index("webhooks")] = 0
            add(c, created, str(rng.choice(topics, p=p / p.sum())))

    # 4. Planted: a few tickets written in the last hours that nobody answered yet.
    recent = np.flatnonzero(usage.active_days[:, -1] > 0)
    pool = recent if len(recent) else np.flatnonzero(usage.active_days.sum(axis=1) > 0)
    if len(pool) == 0:
        pool = np.arange(pop.n)
    for k in range(2):
        c = int(rng.choice(pool))
        add(
            c,
            end - (1 + 2.5 * k + rng.random()) * 3600,
            str(rng.choice(["sdk", "billing"])),
            unanswered=True,
        )

    plans.sort(key=lambda t: (t.created, t.consumer))
    for k, t in enumerate(plans):
        t.id = FIRST_TICKET_ID + k

    # ~5% of tickets turn into a GitHub issue (an SDK bug, a docs gap): at least one.
    answered = [t for t in plans if not t.unanswered and t.created < end - 2 * DAY]
    eligible = [t for t in answered if t.topic in ("sdk", "errors", "webhooks", "onboarding")]
    eligible = eligible or answered or [t for t in plans if not t.unanswered][:1]
    n_links = min(len(eligible), max(1, round(0.05 * len(plans))))
    for k in sorted(rng.choice(len(eligible), size=n_links, replace=False).tolist()):
        eligible[k].wants_issue = True
    return plans


# --- rendering ------------------------------------------------------------------------------


def _next_business_open(ts: float) -> float:
    """Normal and low priority tickets wait for the team's hours (the business schedule)."""
    t = ts
    for _ in range(8):
        dt = datetime.fromtimestamp(t, UTC)
        midnight = t - (dt.hour * 3600 + dt.minute * 60 + dt.second)
        if dt.weekday() < 5 and OPEN_HOUR <= dt.hour < CLOSE_HOUR:
            return t
        if dt.weekday() < 5 and dt.hour < OPEN_HOUR:
            return midnight + OPEN_HOUR * 3600
        t = midnight + DAY + OPEN_HOUR * 3600
    return t


def _minutes(a: float | None, b: float | None) -> dict:
    if a is None or b is None:
        return {"calendar": None, "business": None}
    return {
        "calendar": int((b - a) // 60),
        "business": business_minutes(a, b, OPEN_HOUR, CLOSE_HOUR),
    }


def _cursor(ts: float, ticket_id: int) -> str:
    return base64.urlsafe_b64encode(f"{int(ts)}.0||{ticket_id}|".encode()).decode().rstrip("=")


def _render(rng, t: TicketPlan, pop: Population, end: float) -> tuple[dict, dict]:
    c = t.consumer
    created = t.created
    reply = None
    if not t.unanswered:
        wait_from = created if t.priority in ("urgent", "high") else _next_business_open(created)
        reply = wait_from + lognormal(rng, REPLY_MEDIAN_MIN[t.priority], 0.7) * 60
        if reply >= end:
            reply = None
    group = BILLING_GROUP if t.topic in ("billing", "account") else SUPPORT_GROUP
    assignee = None if reply is None else int(rng.choice(AGENTS))
    assigned_at = None if reply is None else max(created + 30, reply - rng.uniform(1, 15) * 60)

    first_solve = solved = None
    on_hold = 0.0
    if reply is not None:
        if t.incident is not None and t.incident.resolved_at:
            first_solve = max(reply, t.incident.resolved_at) + rng.uniform(0.5, 3) * 3600
        elif t.issue_url is not None:
            if t.issue_closed_at is not None:
                first_solve = max(reply, t.issue_closed_at) + rng.uniform(1, 6) * 3600
                on_hold = first_solve - reply
        else:
            median_h = {"question": 5, "problem": 30, "incident": 6, "task": 20}[t.type]
            first_solve = reply + lognormal(rng, median_h * 3600, 1.0)
        solved = first_solve
    reopens = 0
    if solved is not None and rng.random() < 0.08:
        reopens = 1
        solved = first_solve + lognormal(rng, 30 * 3600, 0.8)
    if solved is not None and solved >= end:
        solved = None
    if first_solve is not None and first_solve >= end:
        first_solve, reopens = None, 0

    # Status at export time.
    closed_at = None
    if reply is None:
        status = "new"
    elif solved is None:
        status = "hold" if t.issue_url else str(rng.choice(["open", "pending"], p=[0.6, 0.4]))
    elif solved + 4 * DAY <= end:
        status, closed_at = "closed", solved + 4 * DAY  # Zendesk closes solved tickets after 4 days
    else:
        status = "solved"

    # Satisfaction survey, sent when solved.
    rating = {"score": "unoffered", "comment": None, "reason": None}
    rated_at = None
    if solved is not None:
        slow = reply - created > 2 * REPLY_MEDIAN_MIN[t.priority] * 60
        answer_at = solved + lognormal(rng, 6 * 3600, 1.0)
        if rng.random() < 0.4 and answer_at < end:
            good = rng.random() < (0.65 if slow or t.incident else 0.88)
            rated_at = answer_at
            rating = {
                "id": 380000000000 + t.id,
                "score": "good" if good else "bad",
                "comment": rng.choice(_GOOD_COMMENTS if good else _BAD_COMMENTS),
                "reason": None if good else str(rng.choice(_BAD_REASONS)),
            }
        elif rng.random() < 0.35:
            rating = {"score": "offered", "comment": None, "reason": None}
    replies = 0 if reply is None else 1 + int(rng.poisson(1.2))
    events = [
        x for x in (created, reply, first_solve, solved, closed_at, rated_at) if x is not None
    ]
    updated = max(e for e in events if e < end)
    latest_comment = max(x for x in (created, reply, solved) if x is not None)

    org = 370000000000 + c + 1
    requester = 400000000000 + 10 * (c + 1)
    custom_fields = [
        {"id": CONSUMER_FIELD_ID, "value": pop.custom_ids[c]},
        {"id": GITHUB_ISSUE_FIELD_ID, "value": t.issue_url},
    ]
    description = _description(t, pop)
    ticket = {
        "url": f"{BASE_URL}/tickets/{t.id}.json",
        "id": t.id,
        "external_id": None,
        "via": {"channel": t.channel, "source": {"from": {}, "to": {}, "rel": None}},
        "created_at": iso_s(created),
        "updated_at": iso_s(updated),
        "type": t.type,
        "subject": t.subject,
        "raw_subject": t.subject,
        "description": description,
        "priority": t.priority,
        "status": status,
        "recipient": "support@acme.test" if t.channel == "email" else None,
        "requester_id": requester,
        "submitter_id": requester,
        "assignee_id": assignee,
        "organization_id": org,
        "group_id": group,
        "collaborator_ids": [],
        "follower_ids": [],
        "problem_id": None,
        "has_incidents": False,
        "is_public": True,
        "due_at": None,
        "tags": t.tags,
        "custom_fields": custom_fields,
        "satisfaction_rating": rating,
        "fields": custom_fields,
        "brand_id": 360000100001,
        "ticket_form_id": None,
        "allow_channelback": False,
        "generated_timestamp": int(updated),
    }
    first_resolution = _minutes(created, first_solve)
    full_resolution = _minutes(created, solved)
    if solved is not None:
        agent_wait = (solved - reply) * rng.uniform(0.05, 0.3) if reply else 0.0
        requester_wait = max(0.0, (solved - created) - agent_wait - on_hold)
        waits = {
            "agent": {"calendar": int(agent_wait // 60), "business": int(agent_wait // 60 * 0.4)},
            "requester": {
                "calendar": int(requester_wait // 60),
                "business": business_minutes(
                    created, created + requester_wait, OPEN_HOUR, CLOSE_HOUR
                ),
            },
            "hold": _minutes(reply, reply + on_hold) if on_hold else {"calendar": 0, "business": 0},
        }
    else:
        waits = {
            "agent": {"calendar": None, "business": None},
            "requester": {"calendar": None, "business": None},
            "hold": {"calendar": 0, "business": 0},
        }
    metric_set = {
        "url": f"{BASE_URL}/ticket_metrics/{390000000000 + t.id}.json",
        "id": 390000000000 + t.id,
        "ticket_id": t.id,
        "created_at": iso_s(created),
        "updated_at": iso_s(updated),
        "group_stations": 1,
        "assignee_stations": 0 if assignee is None else 1,
        "reopens": reopens,
        "replies": replies,
        "assignee_updated_at": iso_s(reply),
        "requester_updated_at": iso_s(max(created, rated_at or created)),
        "status_updated_at": iso_s(
            max(e for e in (created, reply, solved, closed_at) if e is not None and e < end)
        ),
        "initially_assigned_at": iso_s(assigned_at),
        "assigned_at": iso_s(assigned_at),
        "solved_at": iso_s(solved),
        "latest_comment_added_at": iso_s(latest_comment),
        "reply_time_in_minutes": _minutes(created, reply),
        "first_resolution_time_in_minutes": first_resolution,
        "full_resolution_time_in_minutes": full_resolution,
        "agent_wait_time_in_minutes": waits["agent"],
        "requester_wait_time_in_minutes": waits["requester"],
        "on_hold_time_in_minutes": waits["hold"],
    }
    return ticket, metric_set


def _description(t: TicketPlan, pop: Population) -> str:
    who = pop.usernames[t.consumer]
    ua = USER_AGENTS[int(pop.ua[t.consumer])][0]
    if t.incident is not None:
        return (
            f"Since about {datetime.fromtimestamp(t.incident.start, UTC):%H:%M} UTC a large "
            f"share of our calls to the {t.incident.component} fail or time out. Our "
            f"integration ({who}, client {ua}) has not changed. Is something going on?"
        )
    if t.topic == "onboarding":
        return (
            f"Hi, we signed up ({who}) and are following the quickstart with {ua}. "
            f"The first requests fail and we cannot tell why. What are we missing?"
        )
    return f"Hello from {who}. {t.subject}. We are using {ua}. Could you take a look? Thanks."


def _export_url(cursor: str) -> str:
    return f"{BASE_URL}/incremental/tickets/cursor.json?cursor={cursor}&include=metric_sets"


def write_exports(
    plans: list[TicketPlan],
    pop: Population,
    params: WorldParams,
    out_dir: Path,
    written: list[Path],
) -> int:
    """Cursor export pages ordered by updated_at, up to 1000 tickets each; the last page has
    end_of_stream true (and, as in Zendesk, still an after_cursor to resume from)."""
    rng = stream(params.seed, "support-render")
    rendered = [_render(rng, t, pop, params.end_s) for t in plans]
    rendered.sort(key=lambda pair: (pair[0]["updated_at"], pair[0]["id"]))
    folder = out_dir / "support" / "tickets"
    pages = [rendered[i : i + PAGE_SIZE] for i in range(0, len(rendered), PAGE_SIZE)] or [[]]
    before = None
    for k, chunk in enumerate(pages):
        last = chunk[-1][0] if chunk else {"generated_timestamp": params.end_s, "id": 0}
        after = _cursor(last["generated_timestamp"], last["id"])
        document = {
            "tickets": [ticket for ticket, _ in chunk],
            "metric_sets": [metrics for _, metrics in chunk],
            "after_url": _export_url(after),
            "after_cursor": after,
            "before_url": None if before is None else _export_url(before),
            "before_cursor": before,
            "end_of_stream": k == len(pages) - 1,
        }
        write_json(folder / f"export-{k + 1:04d}.json", document, written)
        before = after
    return len(rendered)

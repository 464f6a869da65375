"""`generate_world`: draws the whole world in dependency order and writes every file.

consumers -> incidents -> gateway traffic -> status pages -> tickets -> GitHub (issues support
files for tickets) -> ticket export -> world.json (the planted facts).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from orchestration.sample_data import consumers, gateway, github, statuspage, support, traffic
from orchestration.sample_data.common import iso_ms, iso_s, write_json
from orchestration.sample_data.consumers import ARMS, Population
from orchestration.sample_data.incidents import plan_incidents, silent, webhook_release_day
from orchestration.sample_data.params import (
    CONSUMER_FIELD_ID,
    EXPERIMENT_ID,
    GITHUB_ISSUE_FIELD_ID,
    INTEGRATION_TAGS,
    USER_AGENTS,
    VERSIONS,
    WorldParams,
    WorldSummary,
)
from orchestration.sample_data.traffic import UsageFacts

# Files this generator owns: removed before writing so that a smaller world written over a
# bigger one leaves nothing stale behind. Nothing else in out_dir is touched.
OWNED = (
    "world.json",
    "consumers/consumers-*.json",
    "gateway/kong/*.log.gz",
    "statuspage/*/components.json",
    "statuspage/*/incidents/*.json",
    "support/tickets/export-*.json",
    "github/issues/*/page-*.json",
    "github/comments/*/page-*.json",
)


def _clean(out_dir: Path) -> None:
    for pattern in OWNED:
        for path in out_dir.glob(pattern):
            if path.is_file():
                path.unlink()


def _experiment(pop: Population, usage: UsageFacts) -> dict:
    observed = {}
    for arm in ARMS:
        idx = np.flatnonzero(pop.variant == arm)
        minutes = (usage.first_success[idx] - pop.created_at[idx]) / 60
        ok = minutes[~np.isnan(minutes)]
        observed[arm] = {
            "consumers": int(len(idx)),
            "with_first_success": int(len(ok)),
            "median_minutes_to_first_success": round(float(np.median(ok)), 1) if len(ok) else None,
            "first_success_within_7d_share": round(float((ok <= 7 * 1440).sum() / len(idx)), 3)
            if len(idx)
            else None,
        }
    return {
        "id": EXPERIMENT_ID,
        "variants": list(ARMS),
        "assignment": "50/50 (exactly balanced) among consumers signing up inside the window; "
        f"tag experiment:{EXPERIMENT_ID}:<variant>",
        "intended_effect": "treatment (a new quickstart) reaches first success faster (median "
        "about half of control) and more often within 7 days, with fewer "
        "client errors on the first day and fewer onboarding tickets",
        "planned": {
            arm: {
                "first_call_median_minutes": v[0],
                "p_failed_attempts_first": v[2],
                "failed_phase_median_minutes": v[3],
                "p_stall_over_a_week": v[4],
            }
            for arm, v in ARMS.items()
        },
        "observed": observed,
    }


DEFAULT_PARAMS = WorldParams()  # frozen, so one shared default is safe


def generate_world(
    out_dir: Path, params: WorldParams = DEFAULT_PARAMS, progress: bool = False
) -> WorldSummary:
    """Write the deterministic sample world into `out_dir` (see docs/raw-layer.md)."""
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    _clean(out_dir)
    written: list[Path] = []

    pop = consumers.build_population(params)
    incidents = plan_incidents(params)
    consumers.write_pages(pop, out_dir, written)

    calls = traffic.simulate(params, pop, incidents)
    duplicates = gateway.write_logs(calls, pop, params, out_dir, written, progress)
    usage = traffic.usage_facts(calls, pop, params, incidents)

    pages = statuspage.build_pages(params, incidents)
    n_incidents = statuspage.write_pages(pages, params, incidents, out_dir, written)

    plans = support.plan_tickets(params, pop, usage, incidents)
    requests = [
        github.IssueRequest(t.id, t.created, t.subject, _repo_hint(pop, t))
        for t in plans
        if t.wants_issue
    ]
    gh = github.generate(params, requests, out_dir, written)
    for t in plans:
        if t.id in gh.links:
            t.issue_url, t.issue_closed_at = gh.links[t.id]
    n_tickets = support.write_exports(plans, pop, params, out_dir, written)

    counts = {
        "consumers": pop.n,
        "requests": len(calls),
        "gateway_lines": len(calls) + duplicates,
        "duplicate_lines": duplicates,
        "unauthenticated_requests": int(
            (calls.consumer < 0).sum() - (calls.route == traffic.HEALTH_INDEX).sum()
        ),
        "health_checks": int((calls.route == traffic.HEALTH_INDEX).sum()),
        "statuspage_incidents": n_incidents,
        "tickets": n_tickets,
        "linked_tickets": len(gh.links),
        "issues": gh.issues,
        "pull_requests": gh.pull_requests,
        "comments": gh.comments,
    }
    world = {
        "generator": "orchestration.sample_data",
        "params": params.as_dict(),
        "window": {"start": iso_s(params.start_s), "end": iso_s(params.end_s)},
        "incidents": [i.fact() for i in incidents],
        "silent_outage": silent(incidents).fact(),
        "provider_incidents": [
            {
                "page": p.slug,
                "id": i.id,
                "name": i.name,
                "impact": i.impact,
                "created_at": iso_ms(i.created_at),
                "resolved_at": iso_ms(next(u.at for u in i.updates if u.status == "resolved")),
            }
            for p in pages
            if p.slug != "acme-api"
            for i in p.incidents
            if i.created_at >= params.start_s
        ],
        "statuspage_pages": {p.slug: {"id": p.id, "name": p.name, "url": p.url} for p in pages},
        "experiment": _experiment(pop, usage),
        "partners": [
            {
                "id": pop.ids[i],
                "custom_id": pop.custom_ids[i],
                "username": pop.usernames[i],
                "signed_up_in_window": bool(not pop.established[i]),
            }
            for i in np.flatnonzero(pop.partner)
        ],
        "releases": {
            "webhooks_routes": params.day(webhook_release_day(params)).isoformat(),
            "api_versions": {v: d.isoformat() for v, d in VERSIONS.items()},
        },
        "conventions": {
            "support_consumer_field_id": CONSUMER_FIELD_ID,
            "support_github_issue_field_id": GITHUB_ISSUE_FIELD_ID,
            "consumer_tags": [
                "plan:<free|pro|enterprise>",
                "partner",
                f"experiment:{EXPERIMENT_ID}:<control|treatment>",
                "region:<eu|us>",
            ],
            "integration_ticket_tags": list(INTEGRATION_TAGS),
            "health_route": "health",
            "unauthenticated": "status 401, no consumer / authenticated_entity, apikey header "
            "missing or not a registered key, latencies.proxy = -1",
            "user_agents": [ua for ua, _ in USER_AGENTS],
        },
        "counts": counts,
    }
    write_json(out_dir / "world.json", world, written)

    return WorldSummary(
        out_dir=out_dir,
        consumers=pop.n,
        requests=len(calls),
        gateway_lines=counts["gateway_lines"],
        incidents=n_incidents,
        tickets=n_tickets,
        issues=gh.issues,
        pull_requests=gh.pull_requests,
        comments=gh.comments,
        files=written,
    )


def _repo_hint(pop: Population, ticket: support.TicketPlan) -> str:
    """Where support files the issue: the SDK the customer uses, else the docs."""
    client = USER_AGENTS[int(pop.ua[ticket.consumer])][0]
    if client.startswith("acme-python"):
        return "python"
    if client.startswith("acme-node"):
        return "node"
    return "docs"

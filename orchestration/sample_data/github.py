"""GitHub: issues, pull requests and issue comments of the SDK and docs repositories, as the
REST API pages them (`/issues?state=all&sort=updated&direction=asc`, `/issues/comments`).

Each item is simulated as a small story (opened, maybe a bot greets, maybe the author adds
detail, a maintainer answers within hours to days or never, closed / merged / left open) and
then shown as it stands at the end of the window.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import numpy as np

from orchestration.sample_data.common import iso_s, lognormal, stream, write_json
from orchestration.sample_data.params import DAY, WorldParams

API = "https://api.github.com"
WEB = "https://github.com"
PAGE_SIZE = 100
PRE_WINDOW_DAYS = 21  # the repositories were busy before the window too
MAINTAINER_ASSOCIATIONS = ("OWNER", "MEMBER", "COLLABORATOR")

LABELS = {  # name -> (color, description)
    "bug": ("d73a4a", "Something isn't working"),
    "enhancement": ("a2eeef", "New feature or request"),
    "question": ("d876e3", "Further information is requested"),
    "documentation": ("0075ca", "Improvements or additions to documentation"),
    "dependencies": ("0366d6", "Pull requests that update a dependency file"),
}


@dataclass(frozen=True)
class User:
    login: str
    id: int
    type: str = "User"

    def json(self) -> dict:
        quoted = self.login.replace("[", "%5B").replace("]", "%5D")
        is_bot = self.type == "Bot"
        return {
            "login": self.login,
            "id": self.id,
            "node_id": ("BOT_kgDO" if is_bot else "U_kgDO") + f"{self.id:010d}",
            "avatar_url": f"https://avatars.githubusercontent.com/{'in' if is_bot else 'u'}/"
            f"{self.id}?v=4",
            "gravatar_id": "",
            "url": f"{API}/users/{quoted}",
            "html_url": f"{WEB}/apps/{self.login.removesuffix('[bot]')}"
            if is_bot
            else f"{WEB}/{self.login}",
            "type": self.type,
            "site_admin": False,
        }


MAINTAINERS = (
    (User("mara-okafor", 5012345), "OWNER"),
    (User("devin-chu", 6123456), "MEMBER"),
    (User("sam-ito", 7234567), "MEMBER"),
    (User("priya-raman", 8345678), "MEMBER"),
    (User("lukas-becker", 9456789), "COLLABORATOR"),
)
DEPENDABOT = User("dependabot[bot]", 49699333, "Bot")
ACTIONS = User("github-actions[bot]", 41898282, "Bot")

_FIRST = (
    "alex",
    "bea",
    "carlos",
    "dana",
    "emeka",
    "fatima",
    "gus",
    "hana",
    "ivan",
    "jules",
    "kofi",
    "lena",
    "mo",
    "nadia",
    "omar",
    "pia",
    "quinn",
    "rosa",
    "sven",
    "tara",
    "uma",
    "vik",
    "wen",
    "yusuf",
    "zoe",
)
_LAST = ("dev", "codes", "builds", "hq", "io", "labs", "m", "k", "r", "x", "js", "py")


@dataclass
class Comment:
    at: float
    user: User
    association: str
    body: str
    edited: float | None = None
    id: int = 0


@dataclass
class Item:
    repo: str
    kind: str  # issue | pr
    created: float
    user: User
    association: str
    title: str
    body: str
    labels: list[str]
    comments: list[Comment] = field(default_factory=list)
    closed_at: float | None = None
    closed_by: User | None = None
    state_reason: str | None = None  # completed | not_planned | duplicate (when closed)
    merged_at: float | None = None
    reopened_at: float | None = None
    number: int = 0
    id: int = 0
    ticket_id: int | None = None  # filed by support for this help-desk ticket


@dataclass
class IssueRequest:
    """Support asks engineering to fix something: becomes an issue in a repository."""

    ticket_id: int
    at: float
    subject: str
    repo_hint: str  # "python" | "node" | "docs" | ""


@dataclass
class GithubResult:
    issues: int
    pull_requests: int
    comments: int
    links: dict[int, tuple[str, float | None]]  # ticket id -> (issue html_url, closed_at)


class _Repo:
    """Simulates one repository's items in created order."""

    def __init__(self, rng, name: str, params: WorldParams, community: list[User]) -> None:
        self.rng = rng
        self.name = name
        self.params = params
        self.community = community
        self.is_docs = name.endswith("docs")
        # Who had contributed before the window (CONTRIBUTOR), who is new to GitHub.
        self.contributors = {u.login for u in community if rng.random() < 0.35}
        self.new_to_github = {u.login for u in community if rng.random() < 0.05}
        self.items: list[Item] = []

    # -- helpers --
    def maintainer(self, exclude: User | None = None) -> tuple[User, str]:
        choices = [m for m in MAINTAINERS if m[0] != exclude]
        user, assoc = choices[int(self.rng.integers(len(choices)))]
        return user, assoc

    def community_user(self) -> User:
        return self.community[int(self.rng.integers(len(self.community)))]

    def when(self, lo: float, hi: float) -> float:
        """A time in [lo, hi), in someone's working day."""
        day = lo + self.rng.random() * (hi - lo)
        base = day - day % DAY
        t = base + float(np.clip(self.rng.normal(14, 4), 0, 23.9)) * 3600
        return min(max(t, lo), hi - 60)

    # -- stories --
    def issue(self, created: float) -> None:
        rng = self.rng
        if rng.random() < 0.2:
            author, assoc = self.maintainer()
        else:
            author = self.community_user()
            assoc = "CONTRIBUTOR" if author.login in self.contributors else "NONE"
        p = [0.1, 0.2, 0.2, 0.5] if self.is_docs else [0.4, 0.25, 0.25, 0.1]
        label = str(rng.choice(["bug", "question", "enhancement", "documentation"], p=p))
        title = str(rng.choice(_TITLES[label]))
        item = Item(
            self.name,
            "issue",
            created,
            author,
            assoc,
            title,
            f"{title}.\n\nSteps, versions and logs are below.",
            [label],
        )
        maintainer_authored = assoc in MAINTAINER_ASSOCIATIONS
        t = created
        if not maintainer_authored and assoc == "NONE" and rng.random() < 0.5:
            item.comments.append(
                Comment(
                    t + rng.uniform(20, 90),
                    ACTIONS,
                    "NONE",
                    "Thanks for opening your first issue here! A maintainer will take a look soon.",
                )
            )
        if not maintainer_authored and rng.random() < 0.2:
            t = t + lognormal(rng, 40 * 60, 1.0)
            item.comments.append(
                Comment(
                    t, author, assoc, "Some more detail: this also happens with the latest release."
                )
            )
        answered = maintainer_authored or rng.random() > 0.08
        first_answer = None
        if answered and not maintainer_authored:
            who, who_assoc = self.maintainer()
            first_answer = max(t, created) + lognormal(rng, 6 * 3600, 1.2)
            item.comments.append(
                Comment(
                    first_answer, who, who_assoc, "Thanks for the report, we are looking into it."
                )
            )
            t = first_answer
            for k in range(int(rng.poisson(1.2))):
                t += lognormal(rng, 8 * 3600, 1.0)
                speaker = (author, assoc) if k % 2 == 0 else (who, who_assoc)
                item.comments.append(
                    Comment(
                        t,
                        speaker[0],
                        speaker[1],
                        "Following up on this." if k % 2 == 0 else "A fix is in progress.",
                    )
                )
        # Closing.
        closer, _ = self.maintainer()
        if answered and rng.random() < 0.04:
            item.closed_at = (first_answer or created) + rng.uniform(2, 30) * 60
            item.state_reason = "duplicate"
        elif answered:
            p_close, median_days, reason = {
                "bug": (0.65, 3.0, "completed"),
                "question": (0.8, 1.0, "completed"),
                "enhancement": (0.45, 5.0, None),
                "documentation": (0.7, 2.0, "completed"),
            }[label]
            if rng.random() < p_close:
                item.closed_at = t + lognormal(rng, median_days * DAY, 0.9)
                item.state_reason = reason or str(
                    rng.choice(["not_planned", "completed"], p=[0.6, 0.4])
                )
                if label == "question" and rng.random() < 0.4:
                    closer = author
        if item.closed_at is not None:
            item.closed_by = closer
            if rng.random() < 0.04:
                item.reopened_at = item.closed_at + lognormal(rng, 2 * DAY, 0.7)
        self.items.append(item)

    def support_issue(self, request: IssueRequest) -> Item:
        rng = self.rng
        author, assoc = self.maintainer()
        created = request.at + lognormal(rng, 3 * 3600, 0.7)
        item = Item(
            self.name,
            "issue",
            created,
            author,
            assoc,
            f"Bug: {request.subject}",
            f"Reported via support ticket #{request.ticket_id}. A customer hit this in "
            "production; details are in the ticket.",
            ["bug"],
            ticket_id=request.ticket_id,
        )
        who, who_assoc = self.maintainer(exclude=author)
        t = created + lognormal(rng, 4 * 3600, 1.0)
        item.comments.append(Comment(t, who, who_assoc, "Reproduced. Working on a fix."))
        if rng.random() < 0.75:
            item.closed_at = t + lognormal(rng, 3 * DAY, 0.7)
            item.closed_by, item.state_reason = who, "completed"
            item.comments.append(
                Comment(item.closed_at - 120, who, who_assoc, "Fixed in the latest release.")
            )
        self.items.append(item)
        return item

    def pull_request(self, created: float) -> None:
        rng = self.rng
        if rng.random() < 0.55:
            author, assoc = self.maintainer()
            community = False
        else:
            author = self.community_user()
            community = True
            if author.login in self.contributors:
                assoc = "CONTRIBUTOR"
            elif author.login in self.new_to_github:
                assoc = "FIRST_TIMER"
            else:
                assoc = "FIRST_TIME_CONTRIBUTOR"
        title = str(rng.choice(_PR_TITLES))
        label = (
            [] if rng.random() < 0.5 else [str(rng.choice(["bug", "enhancement", "documentation"]))]
        )
        item = Item(
            self.name,
            "pr",
            created,
            author,
            assoc,
            title,
            f"{title}.\n\nCloses an open issue. Tests added.",
            label,
        )
        if assoc in ("FIRST_TIMER", "FIRST_TIME_CONTRIBUTOR"):
            item.comments.append(
                Comment(
                    created + rng.uniform(30, 120),
                    ACTIONS,
                    "NONE",
                    "Thanks for your first pull request! Please make sure the CLA is signed.",
                )
            )
        reviewer, reviewer_assoc = self.maintainer(exclude=author)
        t = created
        if community or rng.random() < 0.4:
            t = created + lognormal(rng, 20 * 3600, 1.0)
            item.comments.append(
                Comment(t, reviewer, reviewer_assoc, "Thanks! Left a couple of suggestions.")
            )
        p_merge, median = (0.6, 2.5 * DAY) if community else (0.88, 18 * 3600)
        u = rng.random()
        if u < p_merge:
            item.merged_at = item.closed_at = t + lognormal(rng, median, 1.0)
            item.closed_by = reviewer
            if community:
                self.contributors.add(author.login)  # next time they are a CONTRIBUTOR
        elif u < p_merge + 0.15:
            item.closed_at = t + lognormal(rng, 3 * DAY, 0.8)
            item.closed_by = reviewer
        self.items.append(item)

    def dependabot(self, created: float) -> None:
        rng = self.rng
        dep = str(
            rng.choice(
                [
                    "urllib3",
                    "pytest",
                    "typescript",
                    "eslint",
                    "mkdocs-material",
                    "actions/checkout",
                    "jest",
                    "pydantic",
                ]
            )
        )
        major = int(rng.integers(1, 9))
        title = f"Bump {dep} from {major}.{int(rng.integers(0, 9))}.0 to {major}.{int(rng.integers(10, 20))}.0"
        item = Item(
            self.name,
            "pr",
            created,
            DEPENDABOT,
            "CONTRIBUTOR",
            title,
            f"Bumps {dep}. Release notes and commits are linked below.",
            ["dependencies"],
        )
        u = rng.random()
        reviewer, _ = self.maintainer()
        if u < 0.75:
            item.merged_at = item.closed_at = created + lognormal(rng, 20 * 3600, 0.9)
            item.closed_by = reviewer
        elif u < 0.9:
            item.closed_at = created + lognormal(rng, 5 * DAY, 0.5)
            item.closed_by = DEPENDABOT
            item.comments.append(
                Comment(
                    item.closed_at - 5,
                    DEPENDABOT,
                    "CONTRIBUTOR",
                    "Superseded by a newer version bump.",
                )
            )
        self.items.append(item)


_TITLES = {
    "bug": (
        "Client raises on empty list response",
        "Retry loop ignores Retry-After header",
        "Timeout setting is not applied to refunds",
        "Webhook signature check fails on non-ASCII payloads",
        "Pagination skips the last page",
    ),
    "question": (
        "How do I set an idempotency key?",
        "Is v1 still supported after October?",
        "What is the recommended timeout?",
        "How to list webhook events by type?",
    ),
    "enhancement": (
        "Add async client",
        "Support v3 customer search",
        "Expose rate-limit headers",
        "Typed errors for 4xx responses",
    ),
    "documentation": (
        "Quickstart misses the apikey header",
        "Document v1 to v3 migration",
        "Fix typo in webhooks guide",
        "Add curl examples for refunds",
    ),
}
_PR_TITLES = (
    "Fix retry on 503",
    "Add v3 endpoints",
    "Improve error messages",
    "Document webhook verification",
    "Support Python 3.12",
    "Add refund helper",
    "Update quickstart",
    "Handle 429 with backoff",
)


def _community(rng, size: int = 70) -> list[User]:
    users, seen = [], set()
    while len(users) < size:
        login = f"{rng.choice(_FIRST)}-{rng.choice(_LAST)}{int(rng.integers(0, 99))}"
        if login in seen:
            continue
        seen.add(login)
        users.append(User(login, int(rng.integers(1_000_000, 160_000_000))))
    return users


def _label_json(repo: str, name: str) -> dict:
    color, description = LABELS[name]
    ident = 4_000_000_000 + sum(map(ord, repo + name)) * 1013
    return {
        "id": ident,
        "node_id": f"LA_kwDO{ident:012d}",
        "url": f"{API}/repos/{repo}/labels/{name}",
        "name": name,
        "color": color,
        "default": name != "dependencies",
        "description": description,
    }


def _reactions(url: str, rng) -> dict:
    plus = int(rng.poisson(0.6))
    return {
        "url": url,
        "total_count": plus,
        "+1": plus,
        "-1": 0,
        "laugh": 0,
        "hooray": 0,
        "confused": 0,
        "heart": 0,
        "rocket": 0,
        "eyes": 0,
    }


def _render_issue(item: Item, end: float, rng) -> tuple[dict, list[dict]]:
    repo, n = item.repo, item.number
    api = f"{API}/repos/{repo}/issues/{n}"
    web_kind = "pull" if item.kind == "pr" else "issues"
    html = f"{WEB}/{repo}/{web_kind}/{n}"
    comments = [c for c in item.comments if c.at < end]
    closed = item.closed_at is not None and item.closed_at < end
    reopened = closed and item.reopened_at is not None and item.reopened_at < end
    merged = item.merged_at is not None and item.merged_at < end
    rendered_comments = []
    for c in comments:
        updated = c.edited if c.edited is not None and c.edited < end else c.at
        rendered_comments.append(
            {
                "url": f"{API}/repos/{repo}/issues/comments/{c.id}",
                "html_url": f"{html}#issuecomment-{c.id}",
                "issue_url": api,
                "id": c.id,
                "node_id": f"IC_kwDO{c.id:012d}",
                "user": c.user.json(),
                "created_at": iso_s(c.at),
                "updated_at": iso_s(updated),
                "author_association": c.association,
                "body": c.body,
                "reactions": _reactions(
                    f"{API}/repos/{repo}/issues/comments/{c.id}/reactions", rng
                ),
                "performed_via_github_app": None,
            }
        )
    events = [item.created] + [c.at for c in comments]
    events += [item.closed_at] if closed else []
    events += [item.reopened_at] if reopened else []
    events += [c.edited for c in comments if c.edited is not None and c.edited < end]
    is_open = not closed or reopened
    state_reason = None
    if reopened:
        state_reason = "reopened"
    elif closed and item.kind == "issue":
        state_reason = item.state_reason
    issue = {
        "url": api,
        "repository_url": f"{API}/repos/{repo}",
        "labels_url": f"{api}/labels{{/name}}",
        "comments_url": f"{api}/comments",
        "events_url": f"{api}/events",
        "html_url": html,
        "id": item.id,
        "node_id": f"{'PR' if item.kind == 'pr' else 'I'}_kwDO{item.id:012d}",
        "number": n,
        "title": item.title,
        "user": item.user.json(),
        "labels": [_label_json(repo, name) for name in item.labels],
        "state": "open" if is_open else "closed",
        "locked": False,
        "assignee": None,
        "assignees": [],
        "milestone": None,
        "comments": len(comments),
        "created_at": iso_s(item.created),
        "updated_at": iso_s(max(events)),
        "closed_at": None if is_open else iso_s(item.closed_at),
        "author_association": item.association,
        "active_lock_reason": None,
        "body": item.body,
        "closed_by": None if is_open or item.closed_by is None else item.closed_by.json(),
        "reactions": _reactions(f"{api}/reactions", rng),
        "timeline_url": f"{api}/timeline",
        "performed_via_github_app": None,
        "state_reason": state_reason,
    }
    if item.kind == "pr":
        pulls = f"{API}/repos/{repo}/pulls/{n}"
        issue["draft"] = False
        issue["pull_request"] = {
            "url": pulls,
            "html_url": html,
            "diff_url": f"{html}.diff",
            "patch_url": f"{html}.patch",
            "merged_at": iso_s(item.merged_at) if merged else None,
        }
    return issue, rendered_comments


def _pick_repo(repos: list[_Repo], hint: str) -> _Repo:
    for r in repos:
        if hint and r.name.endswith(hint):
            return r
    return repos[0]


def _number(repos: list[_Repo], rng, hi: float) -> None:
    """Issue numbers per repository and ids across repositories follow creation order, as on
    GitHub; items created after the window are dropped; some comments get edited."""
    everything: list[Item] = []
    for repo in repos:
        repo.items = [i for i in repo.items if i.created < hi]
        repo.items.sort(key=lambda i: (i.created, i.title))
        base = 100 + int(rng.integers(0, 400))
        for k, item in enumerate(repo.items):
            item.number = base + k
            for c in item.comments:
                if rng.random() < 0.1:
                    c.edited = c.at + lognormal(rng, 30 * 60, 1.0)
        everything += repo.items
    everything.sort(key=lambda i: (i.created, i.repo, i.number))
    next_id = 3_400_000_000
    for item in everything:
        next_id += int(rng.integers(1_000, 40_000))
        item.id = next_id
    comments = sorted(
        (c.at, item.repo, item.number, k, c)
        for item in everything
        for k, c in enumerate(item.comments)
    )
    next_id = 2_300_000_000
    for *_, c in comments:
        next_id += int(rng.integers(100, 9_000))
        c.id = next_id


def generate(
    params: WorldParams, requests: list[IssueRequest], out_dir: Path, written: list[Path]
) -> GithubResult:
    rng = stream(params.seed, "github")
    community = _community(rng)
    lo = params.start_s - PRE_WINDOW_DAYS * DAY
    hi = params.end_s
    span_days = (hi - lo) / DAY
    repos = [
        _Repo(stream(params.seed, f"github:{name}"), name, params, community)
        for name in params.repos
    ]
    links: dict[int, Item] = {}
    for repo in repos:
        r = repo.rng
        # (time, kind) events of this repository, drawn then played in time order so that
        # contributor status evolves (a first-time contributor's next PR is a CONTRIBUTOR's).
        n_issues = max(3, int(r.poisson((0.5 if repo.is_docs else 0.9) * span_days)))
        n_prs = max(2, int(r.poisson((0.4 if repo.is_docs else 0.5) * span_days)))
        plan = [(repo.when(lo, hi), "issue") for _ in range(n_issues)]
        plan += [(repo.when(lo, hi), "pr") for _ in range(n_prs)]
        # Dependabot opens its weekly bumps on Monday mornings.
        mondays = [
            d
            for d in range(int(lo - lo % DAY), int(hi), DAY)
            if datetime.fromtimestamp(d, UTC).weekday() == 0 and lo <= d + 6 * 3600 < hi
        ]
        plan += [(d + 6 * 3600 + r.uniform(0, 600), "dependabot") for d in mondays] or [
            (lo + 6 * 3600, "dependabot")
        ]
        plan.sort()
        for t, kind in plan:
            {"issue": repo.issue, "pr": repo.pull_request, "dependabot": repo.dependabot}[kind](t)
    for req in requests:
        repo = _pick_repo(repos, req.repo_hint)
        links[req.ticket_id] = repo.support_issue(req)

    _number(repos, rng, hi)
    n_issues = n_prs = n_comments = 0
    render_rng = stream(params.seed, "github-render")
    for repo in repos:
        issues, comments = [], []
        for item in repo.items:
            issue, item_comments = _render_issue(item, hi, render_rng)
            issues.append(issue)
            comments += item_comments
        issues.sort(key=lambda x: (x["updated_at"], x["id"]))
        comments.sort(key=lambda x: (x["updated_at"], x["id"]))
        n_prs += sum("pull_request" in i for i in issues)
        n_issues += sum("pull_request" not in i for i in issues)
        n_comments += len(comments)
        slug = repo.name.replace("/", "__")
        for kind, rows in (("issues", issues), ("comments", comments)):
            pages = [rows[i : i + PAGE_SIZE] for i in range(0, len(rows), PAGE_SIZE)] or [[]]
            for p, rows_page in enumerate(pages):
                write_json(
                    out_dir / "github" / kind / slug / f"page-{p + 1:04d}.json", rows_page, written
                )
    link_urls = {
        ticket: (
            f"{WEB}/{item.repo}/issues/{item.number}",
            item.closed_at if item.closed_at is not None and item.closed_at < hi else None,
        )
        for ticket, item in links.items()
        if item.created < hi
    }
    return GithubResult(n_issues, n_prs, n_comments, link_urls)

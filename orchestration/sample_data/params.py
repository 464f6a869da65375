"""What a sample world is made of: its parameters, its summary and the fixed catalogue
(routes, products, clients) that mirrors the seeds in `seeds/`."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

DAY = 86_400  # seconds


@dataclass(frozen=True)
class WorldParams:
    """Knobs of the sample world. The same params always give byte-identical files."""

    seed: int = 7
    start: date = date(2026, 9, 1)
    days: int = 35
    consumers: int = 240
    requests_per_day: int = 12000  # API traffic; the health check adds 1,440 lines a day
    repos: tuple[str, ...] = ("acme/acme-python", "acme/acme-node", "acme/api-docs")

    def __post_init__(self) -> None:
        # Fewer than this cannot hold every planted fact (both experiment arms, a partner,
        # five incidents on distinct slots).
        if self.days < 3:
            raise ValueError(f"days must be at least 3, got {self.days}")
        if self.consumers < 8:
            raise ValueError(f"consumers must be at least 8, got {self.consumers}")
        if self.requests_per_day < 0:
            raise ValueError(f"requests_per_day must be >= 0, got {self.requests_per_day}")
        if not self.repos or any(r.count("/") != 1 for r in self.repos):
            raise ValueError(f"repos must be 'owner/name' strings, got {self.repos!r}")

    @property
    def start_s(self) -> int:
        """Window start, epoch seconds (00:00 UTC of `start`)."""
        return int(
            datetime(self.start.year, self.start.month, self.start.day, tzinfo=UTC).timestamp()
        )

    @property
    def end_s(self) -> int:
        """Window end (exclusive), epoch seconds."""
        return self.start_s + self.days * DAY

    def day(self, index: int) -> date:
        return self.start + timedelta(days=index)

    def as_dict(self) -> dict:
        return {
            "seed": self.seed,
            "start": self.start.isoformat(),
            "days": self.days,
            "consumers": self.consumers,
            "requests_per_day": self.requests_per_day,
            "repos": list(self.repos),
        }


@dataclass
class WorldSummary:
    """What `generate_world` wrote."""

    out_dir: Path
    consumers: int = 0
    requests: int = 0  # distinct gateway requests (health checks included)
    gateway_lines: int = 0  # requests plus the duplicated lines
    incidents: int = 0  # status-page incidents across pages (history included)
    tickets: int = 0
    issues: int = 0
    pull_requests: int = 0
    comments: int = 0
    files: list[Path] = field(default_factory=list)

    def __str__(self) -> str:
        return (
            f"{len(self.files)} files in {self.out_dir}: {self.consumers} consumers, "
            f"{self.requests} requests ({self.gateway_lines} log lines), {self.incidents} "
            f"status-page incidents, {self.tickets} tickets, {self.issues} issues, "
            f"{self.pull_requests} pull requests, {self.comments} comments"
        )


# --- The catalogue. Must match seeds/api_routes.csv, api_products.csv, api_versions.csv and
# sdks.csv (tests/unit/test_sample_world.py checks it).


@dataclass(frozen=True)
class Route:
    name: str  # Kong route.name = seeds/api_routes.csv route_name
    template: str  # path without the version prefix
    method: str
    product: str
    released_on: date
    base_share: float  # popularity among consumers that use the API
    median_ms: float  # lognormal latency median of a successful call
    sigma: float  # lognormal shape: p95 = median * exp(1.645 * sigma)
    response_bytes: tuple[int, int]  # size range of a successful response


# name, template, method, product, released_on (all as in seeds/api_routes.csv), share of
# calls, latency median (ms) and lognormal sigma, response size range (bytes) of a success.
_ROUTE_TABLE = """
create_payment       /payments                       POST  payments   2024-01-15  0.16  120  0.45   700   1500
get_payment          /payments/{payment_id}          GET   payments   2024-01-15  0.21   55  0.55   800   2200
list_payments        /payments                       GET   payments   2024-01-15  0.13  105  0.50  3000  16000
refund_payment       /payments/{payment_id}/refunds  POST  payments   2025-06-02  0.04  140  0.45   600   1200
create_customer      /customers                      POST  customers  2024-03-01  0.08   85  0.45   600   1300
get_customer         /customers/{customer_id}        GET   customers  2024-03-01  0.15   45  0.55   500   1600
list_customers       /customers                      GET   customers  2024-03-01  0.08   80  0.50  2500  12000
create_webhook       /webhooks                       POST  webhooks   2026-09-14  0.03   95  0.40   400    800
list_webhook_events  /webhooks/events                GET   webhooks   2026-09-14  0.12   70  0.50  1500   9000
"""  # noqa: E501


def _routes(table: str) -> tuple[Route, ...]:
    routes = []
    for line in table.strip().splitlines():
        name, template, method, product, released, share, median, sigma, lo, hi = line.split()
        routes.append(
            Route(
                name,
                template,
                method,
                product,
                date.fromisoformat(released),
                float(share),
                float(median),
                float(sigma),
                (int(lo), int(hi)),
            )
        )
    return tuple(routes)


ROUTES: tuple[Route, ...] = _routes(_ROUTE_TABLE)
HEALTH = Route("health", "/health", "GET", "platform", date(2024, 1, 15), 0.0, 3, 0.3, (15, 15))
ALL_ROUTES: tuple[Route, ...] = ROUTES + (HEALTH,)
HEALTH_INDEX = len(ROUTES)

PRODUCTS: dict[str, str] = {  # product_id -> product_name (seeds/api_products.csv)
    "payments": "Payments API",
    "customers": "Customers API",
    "webhooks": "Webhooks API",
    "platform": "Platform endpoints",
}

VERSIONS: dict[str, date] = {
    "v1": date(2024, 1, 15),
    "v2": date(2025, 2, 1),
    "v3": date(2026, 9, 1),
}

# User agents: the exact strings clients send, and the share of consumers using each.
# Product names match seeds/sdks.csv; official SDKs come in a few versions.
USER_AGENTS: tuple[tuple[str, float], ...] = (
    ("acme-python/2.4.1 (python 3.11)", 0.17),
    ("acme-python/2.3.0 (python 3.10)", 0.05),
    ("acme-python/1.9.2 (python 3.9)", 0.03),
    ("acme-node/3.1.0", 0.13),
    ("acme-node/3.0.2", 0.05),
    ("acme-node/2.8.0", 0.02),
    ("acme-go/1.2.0", 0.05),
    ("acme-go/1.1.4", 0.02),
    ("acme-java/1.0.3", 0.05),
    ("python-requests/2.31.0", 0.13),
    ("axios/1.6.2", 0.10),
    ("okhttp/4.12.0", 0.05),
    ("Go-http-client/1.1", 0.05),
    ("curl/8.4.0", 0.06),
    ("PostmanRuntime/7.36.0", 0.04),
)
CURL_UA = 13  # index of curl in USER_AGENTS: what people try a new key with
POSTMAN_UA = 14
MONITOR_UA = "UptimeRobot/2.0 (http://www.uptimerobot.com/)"
MONITOR_IP = "198.51.100.10"
# Consumers' client addresses (documentation ranges; the monitor's is not among them).
CLIENT_IPS = tuple(
    [f"203.0.113.{k}" for k in range(1, 255)]
    + [f"198.51.100.{k}" for k in range(1, 255) if k != 10]
)

API_HOST = "api.acme.test"

# Help desk custom fields (dbt vars support_consumer_field_id / support_github_issue_field_id).
CONSUMER_FIELD_ID = 360000000001
GITHUB_ISSUE_FIELD_ID = 360000000002

EXPERIMENT_ID = "onboarding_quickstart"
INTEGRATION_TAGS = ("auth", "sdk", "onboarding", "errors", "rate-limit", "webhooks")

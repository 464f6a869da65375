"""The HTTP layer API-mode connectors share: retries, rate limits, pagination, redaction.

`requests` with `urllib3.util.Retry` retries connection errors and 5xx (honouring
`Retry-After` on 503, capped by `max_wait_seconds`). `ApiClient.get` handles rate limits,
which urllib3 cannot tell from refusals: 429 and GitHub's secondary limits (403 with
`retry-after`) and primary limits (`x-ratelimit-remaining: 0` -> wait until
`x-ratelimit-reset`), by waiting, not failing.
Secrets live only in the session's headers or auth; every message that leaves this module
names the URL path and the status, never a header, and passes through `redact`.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from typing import Any
from urllib.parse import urlsplit

import requests
from requests.adapters import HTTPAdapter
from urllib3.util.retry import Retry

from orchestration.ingestion.common import LoadError

LOG = logging.getLogger("apipulse.http")
RETRY_STATUSES = (500, 502, 503, 504)  # 403/429 rate limits: see ApiClient.get


@dataclass(frozen=True)
class HttpSettings:
    """How patient the connectors are. Tests shorten every wait."""

    timeout_seconds: float = 30.0
    max_retries: int = 5  # per request, for connection errors, 5xx and rate limits
    backoff_factor: float = 1.0  # exponential backoff: factor * 2**(attempt - 1) seconds
    # Longest single wait (Retry-After, rate-limit reset): GitHub's primary limit resets hourly.
    max_wait_seconds: float = 3600.0


class ApiError(LoadError):
    """An API call that failed for good: names the method, URL path and status, no secrets."""

    def __init__(self, message: str, status: int | None = None) -> None:
        super().__init__(message)
        self.status = status


def url_path(url: str) -> str:
    """`https://host/a/b?x=1` -> `/a/b`: what error messages name (queries may hold cursors)."""
    return urlsplit(url).path or "/"


@dataclass
class ApiClient:
    """One API's base URL, credentials and patience; `get` returns responses, 304 included."""

    base_url: str
    headers: dict[str, str] = field(default_factory=dict)
    auth: tuple[str, str] | None = None
    settings: HttpSettings = field(default_factory=HttpSettings)
    secrets: tuple[str, ...] = ()
    log: Any = None
    sleep: Callable[[float], None] = time.sleep

    def __post_init__(self) -> None:
        self.base_url = self.base_url.rstrip("/")
        self.log = self.log or LOG
        self.secrets = tuple(s for s in self.secrets if s)
        retry = Retry(
            total=self.settings.max_retries,
            status_forcelist=RETRY_STATUSES,
            allowed_methods=frozenset({"GET"}),
            backoff_factor=self.settings.backoff_factor,
            backoff_max=self.settings.max_wait_seconds,
            retry_after_max=int(max(1, self.settings.max_wait_seconds)),
            respect_retry_after_header=True,
            raise_on_status=False,  # the last response comes back; `get` turns it into ApiError
        )
        self.session = requests.Session()
        self.session.mount("http://", HTTPAdapter(max_retries=retry))
        self.session.mount("https://", HTTPAdapter(max_retries=retry))
        self.session.headers.update({"User-Agent": "apipulse", **self.headers})
        if self.auth:
            self.session.auth = self.auth
        self._not_before = 0.0  # monotonic time before which no request is sent (primary limit)

    def redact(self, text: str) -> str:
        for secret in self.secrets:
            text = text.replace(secret, "***")
        return text

    def url(self, path_or_url: str) -> str:
        """Resolve a path against the base URL; refuse absolute URLs on another origin."""
        if "://" not in path_or_url:
            return self.base_url + "/" + path_or_url.lstrip("/")
        base, other = urlsplit(self.base_url), urlsplit(path_or_url)
        if (base.scheme, base.netloc) != (other.scheme, other.netloc):
            # Credentials go only to the configured server, whatever a response links to.
            raise ApiError(f"refusing to follow {other.scheme}://{other.netloc}"
                           f"{url_path(path_or_url)}: not on {base.scheme}://{base.netloc}")
        return path_or_url

    def get(self, path_or_url: str, params: dict[str, Any] | None = None,
            headers: dict[str, str] | None = None, ok: tuple[int, ...] = (200, 304)
            ) -> requests.Response:
        url = self.url(path_or_url)
        path = url_path(url)
        for attempt in range(1, self.settings.max_retries + 2):
            self._wait_for_primary_limit()
            try:
                response = self.session.get(url, params=params, headers=headers,
                                            timeout=self.settings.timeout_seconds)
            except requests.RequestException as exc:
                raise ApiError(self.redact(
                    f"GET {path}: no response after {self.settings.max_retries} retries "
                    f"({type(exc).__name__}); check base_url and the network")) from None
            self._note_primary_limit(response)
            if response.status_code in ok:
                return response
            wait = self._rate_limit_wait(response, attempt)
            if wait is None or attempt > self.settings.max_retries:
                break
            self.log.warning(f"GET {path}: rate limited (HTTP {response.status_code}); "
                             f"waiting {wait:.1f} s (attempt {attempt})")
            self.sleep(wait)
        raise ApiError(self.redact(self._failure(path, response)), response.status_code)

    def _failure(self, path: str, response: requests.Response) -> str:
        hint = {
            401: "check the credentials in the environment",
            403: "the credentials lack access, or a rate limit outlasted max_wait_seconds",
            404: "check base_url and the configured names",
            429: "rate limited beyond the retries; try again later or raise max_retries",
        }.get(response.status_code, "the server refused the request")
        detail = ""
        try:
            body = response.json()
            if isinstance(body, dict):
                message = body.get("message") or body.get("error") or body.get("description")
                detail = f": {str(message)[:200]}" if message else ""
        except ValueError:
            pass
        return f"GET {path}: HTTP {response.status_code}{detail} ({hint})"

    def _rate_limit_wait(self, response: requests.Response, attempt: int) -> float | None:
        """Seconds to wait before retrying a rate-limited response, or None: not a rate limit."""
        if response.status_code not in (403, 429):
            return None
        retry_after = response.headers.get("retry-after")
        remaining = response.headers.get("x-ratelimit-remaining")
        reset = response.headers.get("x-ratelimit-reset")
        if retry_after is not None:
            wait = retry_after_seconds(retry_after)
            if wait is None:
                wait = self.settings.backoff_factor * 2 ** (attempt - 1)
        elif remaining == "0" and reset:
            wait = max(0.0, float(reset) - time.time()) + 0.5
        elif response.status_code == 429 or "rate limit" in response.text.lower():
            wait = self.settings.backoff_factor * 2 ** (attempt - 1)
        else:
            return None  # an ordinary 403: permissions, not a limit
        if wait > self.settings.max_wait_seconds:
            self.log.warning(f"rate limit wait of {wait:.0f} s exceeds max_wait_seconds "
                             f"({self.settings.max_wait_seconds:.0f}); giving up")
            return None
        return wait

    def _note_primary_limit(self, response: requests.Response) -> None:
        if response.status_code in (403, 429):
            return  # handled by _rate_limit_wait
        if response.headers.get("x-ratelimit-remaining") == "0":
            reset = response.headers.get("x-ratelimit-reset")
            if reset:
                wait = max(0.0, float(reset) - time.time()) + 0.5
                self._not_before = time.monotonic() + min(wait, self.settings.max_wait_seconds)

    def _wait_for_primary_limit(self) -> None:
        wait = self._not_before - time.monotonic()
        if wait > 0:
            self.log.warning(f"primary rate limit used up; waiting {wait:.1f} s for the reset")
            self.sleep(wait)


def retry_after_seconds(value: str) -> float | None:
    """`Retry-After` as seconds: a number of seconds or an HTTP date; None when unreadable."""
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, (when - datetime.now(UTC)).total_seconds())


@dataclass
class Page:
    url: str
    response: requests.Response

    @property
    def body(self) -> Any:
        return response_json(self.response)


def response_json(response: requests.Response) -> Any:
    """The response's JSON body; a body that is not JSON is an ApiError naming the path."""
    try:
        return response.json()
    except ValueError:
        raise ApiError(f"GET {url_path(response.url)}: HTTP {response.status_code} but the body "
                       f"is not JSON (is base_url the API's address?)", response.status_code
                       ) from None


def link_pages(client: ApiClient, path: str, params: dict[str, Any] | None = None,
               headers: dict[str, str] | None = None) -> Iterator[Page]:
    """Follow the `Link` header's rel="next" (GitHub); the first response may be a 304."""
    url: str | None = client.url(path)
    seen: set[str] = set()
    while url and url not in seen:
        seen.add(url)
        response = client.get(url, params=params, headers=headers)
        yield Page(response.url, response)
        if response.status_code == 304:
            return
        url = response.links.get("next", {}).get("url")
        params, headers = None, None  # the next link carries every parameter


def json_next_pages(client: ApiClient, path: str, next_key: str,
                    params: dict[str, Any] | None = None) -> Iterator[Page]:
    """Follow a URL in the body (`next` in Kong, `next_page` in Zendesk) until it is null."""
    url: str | None = client.url(path)
    seen: set[str] = set()
    while url and url not in seen:
        seen.add(url)
        response = client.get(url, params=params, ok=(200,))
        page = Page(response.url, response)
        yield page
        body = page.body
        following = body.get(next_key) if isinstance(body, dict) else None
        url = client.url(following) if following else None
        params = None

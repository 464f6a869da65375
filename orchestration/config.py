"""Which sources are on and how they are read: `apipulse.yml` (or the file in APIPULSE_CONFIG).

    sources:
      github:     {mode: api, base_url: https://api.github.com, repositories: [o/r]}
      statuspage: {mode: api, pages: [{base_url: https://www.githubstatus.com}]}
      support:    {mode: file, paths: [exports/zendesk]}
      ...

See `apipulse.example.yml` for every option. A source left out, or no file at all, means
file mode on the sample world folder (`APIPULSE_SOURCE_DIR`, default `data/sample`), which
is what `make demo` runs. Secrets are never read from this file: a source names the
environment variable that holds each one (`token_env: GITHUB_TOKEN`), and a value that
looks like a secret is refused with an error that says where to put it instead.
"""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from orchestration import settings
from orchestration.ingestion.common import LoadError
from orchestration.ingestion.http import HttpSettings

CONFIG_ENV = "APIPULSE_CONFIG"
DEFAULT_CONFIG_FILE = settings.REPO_ROOT / "apipulse.yml"

# Keys that would hold a secret; their `*_env` form names the variable instead.
SECRET_KEY = re.compile(r"(token|password|passwd|secret|api_?key|credential|authorization)",
                        re.IGNORECASE)
# Values that are secrets whatever their key: GitHub tokens, user:password@ in a URL.
SECRET_VALUE = re.compile(r"^(gh[pousr]_[A-Za-z0-9]{20,}|github_pat_\w{20,})$|://[^/@\s]+:[^/@\s]+@")


class ConfigError(LoadError):
    """The configuration file is wrong: the message names the file, the key and the fix."""


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid")


class HttpOptions(_Model):
    timeout_seconds: float = 30.0
    max_retries: int = Field(5, ge=0)
    backoff_factor: float = Field(1.0, ge=0)
    max_wait_seconds: float = Field(3600.0, ge=0)


class SourceOptions(_Model):
    enabled: bool = True
    mode: Literal["file", "api"] = "file"
    # file mode: files or folders (relative to the config file); empty = the sample world
    paths: list[str] = Field(default_factory=list)
    max_reject_share: float | None = None
    http: HttpOptions | None = None  # options set here override the top-level `http`

    def require_api(self, *fields: str) -> None:
        missing = [f for f in fields if not getattr(self, f)]
        if self.mode == "api" and missing:
            raise ValueError(f"api mode needs {', '.join(missing)}")


class GithubSource(SourceOptions):
    base_url: str = "https://api.github.com"  # GitHub Enterprise: https://HOST/api/v3
    repositories: list[str] = Field(default_factory=list)  # owner/name
    streams: list[Literal["issues", "comments"]] = Field(default_factory=lambda: ["issues", "comments"])
    since: str | None = None  # ISO 8601: the first pull's lower bound on updated_at
    per_page: int = Field(100, ge=1, le=100)
    token_env: str = "GITHUB_TOKEN"

    @field_validator("repositories")
    @classmethod
    def _owner_name(cls, value: list[str]) -> list[str]:
        bad = [r for r in value if not re.fullmatch(r"[\w.-]+/[\w.-]+", r)]
        if bad:
            raise ValueError(f"repositories must be owner/name, got {bad}")
        return value


class StatuspagePage(_Model):
    base_url: str  # https://www.githubstatus.com (the API is under /api/v2/)
    name: str | None = None  # overrides the page name the API reports


class StatuspageSource(SourceOptions):
    pages: list[StatuspagePage] = Field(default_factory=list)
    components: bool = True


class SupportSource(SourceOptions):
    base_url: str | None = None  # https://SUBDOMAIN.zendesk.com
    start_time: str | int | None = None  # ISO 8601 or unix seconds: the first export's start
    per_page: int = Field(1000, ge=1, le=1000)
    satisfaction_ratings: bool = True
    email_env: str = "ZENDESK_EMAIL"
    api_token_env: str = "ZENDESK_API_TOKEN"
    oauth_token_env: str = "ZENDESK_OAUTH_TOKEN"


class ConsumersSource(SourceOptions):
    base_url: str | None = None  # Kong Admin API, e.g. http://kong:8001
    page_size: int = Field(1000, ge=1, le=1000)
    admin_token_env: str = "KONG_ADMIN_TOKEN"


class GatewaySource(SourceOptions):
    mode: Literal["file"] = "file"  # access logs are files in both modes
    format: Literal["kong", "aws", "envoy", "nginx"] | None = None  # detected when unset


class Sources(_Model):
    github: GithubSource = Field(default_factory=GithubSource)
    statuspage: StatuspageSource = Field(default_factory=StatuspageSource)
    support: SupportSource = Field(default_factory=SupportSource)
    gateway: GatewaySource = Field(default_factory=GatewaySource)
    consumers: ConsumersSource = Field(default_factory=ConsumersSource)


class ApiPulseConfig(_Model):
    http: HttpOptions = Field(default_factory=HttpOptions)
    sources: Sources = Field(default_factory=Sources)
    origin: str = "embedded default (file mode on the sample world)"
    base_dir: str = "."

    def source(self, name: str) -> SourceOptions:
        return getattr(self.sources, name)

    def http_for(self, name: str) -> HttpSettings:
        """The top-level `http`, with the options a source sets in its own `http` on top."""
        own = self.source(name).http
        overrides = own.model_dump(exclude_unset=True) if own else {}
        return HttpSettings(**{**self.http.model_dump(), **overrides})

    def file_paths(self, name: str) -> list[Path]:
        """File mode's configured paths, resolved against the config file's folder."""
        base = Path(self.base_dir)
        return [(base / os.path.expandvars(p)).resolve() for p in self.source(name).paths]


def _refuse_secrets(node: Any, where: str, origin: str) -> None:
    if isinstance(node, dict):
        for key, value in node.items():
            here = f"{where}.{key}" if where else str(key)
            if (isinstance(key, str) and SECRET_KEY.search(key) and not key.endswith("_env")
                    and value not in (None, "")):
                raise ConfigError(
                    f"{origin}: {here}: secrets are not read from the config file; put the "
                    f"value in an environment variable and name it with `{key}_env: VARIABLE`"
                )
            _refuse_secrets(value, here, origin)
    elif isinstance(node, list):
        for index, value in enumerate(node):
            _refuse_secrets(value, f"{where}[{index}]", origin)
    elif isinstance(node, str) and SECRET_VALUE.search(node):
        raise ConfigError(
            f"{origin}: {where}: looks like a secret (a token or a user:password URL); "
            f"secrets come only from environment variables (see the *_env options)"
        )


def _check_api_fields(config: ApiPulseConfig) -> None:
    required = {"github": ("base_url", "repositories"), "statuspage": ("pages",),
                "support": ("base_url",), "consumers": ("base_url",)}
    for name, fields in required.items():
        try:
            config.source(name).require_api(*fields)
        except ValueError as exc:
            raise ConfigError(f"{config.origin}: sources.{name}: {exc}") from None


def parse_config(document: Any, origin: str = "<config>", base_dir: Path | None = None
                 ) -> ApiPulseConfig:
    """Validate a parsed YAML document; errors name the file and the key."""
    document = document or {}
    if not isinstance(document, dict):
        raise ConfigError(f"{origin}: expected a mapping with `sources:` at the top")
    _refuse_secrets(document, "", origin)
    try:
        config = ApiPulseConfig.model_validate(
            {**document, "origin": origin, "base_dir": str(base_dir or Path.cwd())})
    except ValidationError as exc:
        problems = "; ".join(
            f"{'.'.join(str(p) for p in e['loc'])}: {e['msg']}" for e in exc.errors())
        raise ConfigError(f"{origin}: {problems}") from None
    _check_api_fields(config)
    return config


def config_path(explicit: str | Path | None = None) -> Path | None:
    """The config file in use: the explicit path, APIPULSE_CONFIG, or ./apipulse.yml at the root."""
    if explicit:
        return Path(explicit).resolve()
    if os.environ.get(CONFIG_ENV):
        return Path(os.environ[CONFIG_ENV]).resolve()
    return DEFAULT_CONFIG_FILE if DEFAULT_CONFIG_FILE.exists() else None


def load_config(path: str | Path | None = None) -> ApiPulseConfig:
    """Read and validate the config; with no file, the embedded default (file mode)."""
    found = config_path(path)
    if found is None:
        return ApiPulseConfig()
    if not found.exists():
        raise ConfigError(f"{found}: configuration file not found (set {CONFIG_ENV} or create it)")
    try:
        document = yaml.safe_load(found.read_text(encoding="utf-8"))
    except yaml.YAMLError as exc:
        raise ConfigError(f"{found}: not valid YAML: {exc}") from None
    return parse_config(document, str(found), found.parent)


def secret_from_env(variable: str) -> str | None:
    """A secret from the environment; empty counts as unset."""
    return os.environ.get(variable) or None

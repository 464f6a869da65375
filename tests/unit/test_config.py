"""The sources configuration: the example parses, secrets are refused, defaults keep the demo."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from orchestration import settings
from orchestration.config import ConfigError, load_config, parse_config

EXAMPLE = settings.REPO_ROOT / "apipulse.example.yml"


def test_the_example_file_parses_with_every_source():
    config = load_config(EXAMPLE)
    s = config.sources
    assert (s.github.mode, s.statuspage.mode, s.support.mode, s.consumers.mode, s.gateway.mode) == (
        "api", "api", "api", "api", "file")
    assert s.github.repositories == ["octo-org/octo-repo", "octo-org/octo-sdk-python"]
    assert s.github.token_env == "GITHUB_TOKEN"
    assert [p.base_url for p in s.statuspage.pages] == [
        "https://www.githubstatus.com", "https://status.example.com"]
    assert s.support.start_time == "2026-01-01T00:00:00Z"
    assert config.http_for("github").max_wait_seconds == 3600
    assert config.file_paths("gateway") == [Path("/var/log/kong")]
    assert config.origin == str(EXAMPLE)


def test_no_file_means_file_mode_on_the_sample_world(monkeypatch, tmp_path):
    monkeypatch.delenv("APIPULSE_CONFIG", raising=False)
    monkeypatch.setattr("orchestration.config.DEFAULT_CONFIG_FILE", tmp_path / "absent.yml")
    config = load_config()
    for name in ("github", "statuspage", "support", "gateway", "consumers"):
        assert config.source(name).mode == "file" and config.source(name).enabled
        assert config.file_paths(name) == []  # = the SourceFilesResource folder (sample world)


def test_apipulse_config_variable_names_the_file(monkeypatch, tmp_path):
    path = tmp_path / "elsewhere.yml"
    path.write_text("sources:\n  support: {mode: file, paths: [exports]}\n")
    monkeypatch.setenv("APIPULSE_CONFIG", str(path))
    config = load_config()
    assert config.file_paths("support") == [tmp_path / "exports"]  # relative to the file


@pytest.mark.parametrize(
    ("document", "where"),
    [
        ({"sources": {"github": {"mode": "api", "repositories": ["a/b"],
                                 "token": "ghp_abcdefghijklmnopqrstuvwxyz0123"}}},
         "sources.github.token"),
        ({"sources": {"support": {"mode": "api", "base_url": "https://x.zendesk.com",
                                  "api_token": "plain-text"}}}, "sources.support.api_token"),
        ({"sources": {"consumers": {"mode": "api", "base_url": "http://admin:hunter2@kong:8001"}}},
         "sources.consumers.base_url"),
        ({"sources": {"github": {"mode": "api", "repositories": ["a/b"],
                                 "token_env": "ghp_abcdefghijklmnopqrstuvwxyz0123"}}},
         "sources.github.token_env"),
    ],
)
def test_inline_secrets_are_refused(document, where):
    with pytest.raises(ConfigError, match="secret") as refused:
        parse_config(document, "apipulse.yml")
    message = str(refused.value)
    assert message.startswith(f"apipulse.yml: {where}:")
    assert "hunter2" not in message and "ghp_abcdefghij" not in message


def test_secret_refusal_names_the_environment_option():
    with pytest.raises(ConfigError, match="token_env: VARIABLE"):
        parse_config({"sources": {"github": {"token": "x"}}}, "apipulse.yml")


def test_typos_and_missing_api_options_are_errors():
    with pytest.raises(ConfigError, match=r"sources\.github\.repositores"):
        parse_config({"sources": {"github": {"repositores": ["a/b"]}}}, "c.yml")
    with pytest.raises(ConfigError, match=r"sources\.support: api mode needs base_url"):
        parse_config({"sources": {"support": {"mode": "api"}}}, "c.yml")
    with pytest.raises(ConfigError, match="owner/name"):
        parse_config({"sources": {"github": {"repositories": ["just-a-name"]}}}, "c.yml")
    with pytest.raises(ConfigError, match=r"sources\.gateway\.mode"):
        parse_config({"sources": {"gateway": {"mode": "api"}}}, "c.yml")


def test_bad_yaml_and_missing_file_name_the_file(tmp_path):
    bad = tmp_path / "bad.yml"
    bad.write_text("sources: [unclosed\n")
    with pytest.raises(ConfigError, match=f"{bad}: not valid YAML"):
        load_config(bad)
    with pytest.raises(ConfigError, match="configuration file not found"):
        load_config(tmp_path / "missing.yml")


def test_per_source_http_overrides_the_top_level():
    config = parse_config(yaml.safe_load("""
http: {max_retries: 7}
sources:
  support: {mode: api, base_url: "https://x.zendesk.com", http: {max_wait_seconds: 60}}
"""))
    assert config.http_for("github").max_retries == 7
    assert config.http_for("support").max_wait_seconds == 60
    assert config.http_for("support").max_retries == 7


def _duckdb_profile() -> dict:
    """The duckdb output of profiles.yml, unrendered (its env_var calls as written)."""
    profile = yaml.safe_load((settings.PROFILES_DIR / "profiles.yml").read_text())
    return profile["apipulse"]["outputs"]["duckdb"]


def test_warehouse_connections_and_dbt_share_one_memory_ceiling(monkeypatch, tmp_path):
    # DuckDB's own default (80% of RAM) would let the buffer cache grow with the warehouse.
    with settings.connect_warehouse(tmp_path / "a.duckdb") as con:
        default = con.execute("select current_setting('memory_limit')").fetchone()[0]
    monkeypatch.setenv("APIPULSE_DUCKDB_MEMORY_LIMIT", "1GB")
    with settings.connect_warehouse(tmp_path / "b.duckdb") as con:
        custom = con.execute("select current_setting('memory_limit')").fetchone()[0]
    assert settings.DUCKDB_MEMORY_LIMIT_DEFAULT == "2GB"
    assert (default, custom) == ("1.8 GiB", "953.6 MiB")  # 2 GB and 1 GB, as DuckDB shows them
    # dbt reads the same variable with the same default.
    memory = _duckdb_profile()["settings"]["memory_limit"]
    assert "APIPULSE_DUCKDB_MEMORY_LIMIT" in memory
    assert f"'{settings.DUCKDB_MEMORY_LIMIT_DEFAULT}'" in memory


def test_dbt_builds_two_nodes_at_once_unless_apipulse_dbt_threads_says_otherwise():
    # Two threads overlap dbt's per-node Python work with DuckDB running the other node
    # (bench/README.md); the variable is for machines with more cores.
    threads = _duckdb_profile()["threads"]
    assert "env_var('APIPULSE_DBT_THREADS', '2')" in threads and "as_number" in threads


def test_production_builds_write_no_json_artifacts_unless_dbt_write_json_is_set(monkeypatch):
    import importlib

    monkeypatch.delenv("DBT_WRITE_JSON", raising=False)
    try:
        args = importlib.reload(settings).DBT_PRODUCTION_BUILD_ARGS
        assert "--no-write-json" in args and "unit_test" in args
        monkeypatch.setenv("DBT_WRITE_JSON", "true")  # dbt's own variable then decides
        args = importlib.reload(settings).DBT_PRODUCTION_BUILD_ARGS
        assert "--no-write-json" not in args and "unit_test" in args
    finally:
        monkeypatch.delenv("DBT_WRITE_JSON", raising=False)
        importlib.reload(settings)

"""A daily partition run must not make dbt re-parse the project: the day window reaches the
models through the environment (read only while they run), never through --vars."""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import date
from pathlib import Path

from orchestration.settings import gateway_window_env

REPO_ROOT = Path(__file__).resolve().parents[2]
DBT = str(Path(sys.executable).parent / "dbt")


def parse(tmp_path: Path, run: str, extra_env: dict[str, str], *args: str) -> str:
    env = {**os.environ, "WAREHOUSE_PATH": str(tmp_path / "warehouse.duckdb"), **extra_env}
    logs = tmp_path / run
    proc = subprocess.run(
        [DBT, "parse", "--profiles-dir", "..", "--target-path", str(tmp_path / "target"),
         "--log-path", str(logs), *args],
        cwd=REPO_ROOT / "dbt_project", env=env, capture_output=True, text=True, timeout=300,
    )
    assert proc.returncode == 0, proc.stdout[-2000:]
    return (logs / "dbt.log").read_text()


def test_a_new_day_window_keeps_the_parse_and_new_vars_do_not(tmp_path):
    day1 = gateway_window_env(date(2026, 9, 1), date(2026, 9, 2))
    day2 = gateway_window_env(date(2026, 9, 2), date(2026, 9, 3))
    parse(tmp_path, "first", day1)
    log = parse(tmp_path, "next_day", day2)
    assert "Partial parsing enabled, no changes found, skipping parsing" in log
    assert "Unable to do partial parsing" not in log

    # The control: the same days as --vars make dbt start over.
    log = parse(tmp_path, "with_vars", {}, "--vars", '{"start_date": "2026-09-03"}')
    assert "Unable to do partial parsing because config vars" in log

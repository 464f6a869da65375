"""Shared test fixtures: the real public fixtures and temporary warehouses."""

from __future__ import annotations

import os
from pathlib import Path

import duckdb
import pytest

REPO_ROOT = Path(__file__).resolve().parent.parent
# The real public fixtures live beside the repository (../shared/fixtures) on development
# and CI machines; APIPULSE_SHARED_FIXTURES points elsewhere.
SHARED_FIXTURES = Path(
    os.environ.get("APIPULSE_SHARED_FIXTURES", REPO_ROOT.parent / "shared" / "fixtures")
).resolve()


@pytest.fixture
def shared_fixtures() -> Path:
    if not SHARED_FIXTURES.exists():
        pytest.skip(f"shared fixtures not found at {SHARED_FIXTURES}")
    return SHARED_FIXTURES


@pytest.fixture
def warehouse(tmp_path: Path):
    """A real DuckDB file in a temporary folder, with an open connection."""
    path = tmp_path / "warehouse.duckdb"
    con = duckdb.connect(str(path))
    yield con
    con.close()

"""Resources for the outside world: the warehouse file, the folders file-mode sources read,
and the sources configuration (`apipulse.yml`) that says which sources run in API mode."""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import dagster as dg
import duckdb

from orchestration import settings


class WarehouseResource(dg.ConfigurableResource):
    """The embedded DuckDB warehouse. One writer at a time: connections are short-lived."""

    path: str

    @contextmanager
    def connect(self, read_only: bool = False) -> Iterator[duckdb.DuckDBPyConnection]:
        Path(self.path).parent.mkdir(parents=True, exist_ok=True)
        con = settings.connect_warehouse(self.path, read_only=read_only)
        try:
            yield con
        finally:
            con.close()


class SourceFilesResource(dg.ConfigurableResource):
    """File mode: each source reads `<root>/<source>/` (the sample world's layout)."""

    root: str

    def folder(self, source: str) -> Path:
        return Path(self.root) / source

    def files(self, source: str, patterns: tuple[str, ...] = ("*.json",)) -> list[Path]:
        from orchestration.ingestion.common import expand_paths

        folder = self.folder(source)
        return expand_paths([folder], patterns) if folder.exists() else []


class SourcesConfigResource(dg.ConfigurableResource):
    """The sources configuration: `path`, else APIPULSE_CONFIG, else ./apipulse.yml at the
    repository root, else the embedded default (every source in file mode on the sample world).

    Read at run time, so an edited file takes effect on the next run without a reload.
    """

    path: str | None = None

    def load(self):
        from orchestration.config import load_config

        return load_config(self.path)


def default_resources() -> dict[str, object]:
    warehouse = str(settings.warehouse_path())
    # dbt reads the same file through profiles.yml.
    os.environ["WAREHOUSE_PATH"] = warehouse
    # A run of a subset (the seeds, one day of gateway models) runs the tests whose parents
    # are all built, not relationship tests that reach into models the run does not build.
    os.environ.setdefault("DBT_INDIRECT_SELECTION", "buildable")
    return {
        "warehouse": WarehouseResource(path=warehouse),
        "source_files": SourceFilesResource(root=str(settings.sample_dir())),
        "sources_config": SourcesConfigResource(),
    }

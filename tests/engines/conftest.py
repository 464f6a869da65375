"""A private PostgreSQL 15 server for the engine tests, started once per session.

initdb and pg_ctl run as the `postgres` OS user when the tests run as root (the server
refuses root); the cluster lives in a temporary folder, listens on 127.0.0.1 on a free port
with trust authentication, and is stopped (and removed) at the end of the session.
When no PostgreSQL binaries are found the engine tests skip, naming the install command.
"""

from __future__ import annotations

import os
import pwd
import shutil
import socket
import subprocess
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

PG_BIN_CANDIDATES = [
    os.environ.get("APIPULSE_PG_BIN", ""),
    "/usr/lib/postgresql/15/bin",
    "/usr/lib/postgresql/16/bin",
    "/usr/lib/postgresql/17/bin",
]


@dataclass(frozen=True)
class PostgresServer:
    host: str
    port: int
    user: str
    dbname: str

    @property
    def dsn(self) -> str:
        return f"host={self.host} port={self.port} user={self.user} dbname={self.dbname}"

    @property
    def sqlalchemy_url(self) -> str:
        return f"postgresql+psycopg2://{self.user}@{self.host}:{self.port}/{self.dbname}"

    def dbt_env(self) -> dict[str, str]:
        return {
            "APIPULSE_PG_HOST": self.host,
            "APIPULSE_PG_PORT": str(self.port),
            "APIPULSE_PG_USER": self.user,
            "APIPULSE_PG_PASSWORD": "",
            "APIPULSE_PG_DATABASE": self.dbname,
        }


def pg_bin() -> Path | None:
    for candidate in PG_BIN_CANDIDATES:
        if candidate and (Path(candidate) / "initdb").is_file():
            return Path(candidate)
    return None


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _as_server_user(cmd: list[str], **kwargs) -> subprocess.CompletedProcess:
    """Run a server command; as the `postgres` user when we are root."""
    if os.geteuid() == 0:
        user = pwd.getpwnam("postgres")

        def demote() -> None:
            os.setgid(user.pw_gid)
            os.setuid(user.pw_uid)

        kwargs["preexec_fn"] = demote
        kwargs.setdefault("env", {**os.environ, "HOME": user.pw_dir})
    return subprocess.run(cmd, capture_output=True, text=True, check=False, **kwargs)


@pytest.fixture(scope="session")
def postgres_server() -> Iterator[PostgresServer]:
    bindir = pg_bin()
    if bindir is None:
        pytest.skip("PostgreSQL binaries not found: apt-get install -y postgresql "
                    "(or set APIPULSE_PG_BIN)")
    if os.geteuid() == 0:
        try:
            pwd.getpwnam("postgres")
        except KeyError:
            pytest.skip("running as root and there is no `postgres` OS user to run the server")
    root = Path(tempfile.mkdtemp(prefix="apipulse-pg-"))
    data, sock = root / "data", root / "sock"
    sock.mkdir()
    if os.geteuid() == 0:
        user = pwd.getpwnam("postgres")
        for p in (root, sock):
            os.chown(p, user.pw_uid, user.pw_gid)
    port = free_port()
    init = _as_server_user([str(bindir / "initdb"), "-D", str(data), "-U", "postgres",
                            "--auth=trust", "--encoding=UTF8", "--locale=C.UTF-8", "--no-sync"])
    assert init.returncode == 0, init.stdout + init.stderr
    opts = (f"-c listen_addresses=127.0.0.1 -p {port} -k {sock} -c fsync=off"
            " -c synchronous_commit=off -c full_page_writes=off -c timezone=UTC")
    start = _as_server_user([str(bindir / "pg_ctl"), "-D", str(data), "-o", opts,
                             "-l", str(root / "server.log"), "-w", "-t", "60", "start"])
    assert start.returncode == 0, start.stdout + start.stderr + _log(root)
    try:
        server = PostgresServer("127.0.0.1", port, "postgres", "apipulse")
        create = subprocess.run(
            [str(bindir / "psql"), "-h", "127.0.0.1", "-p", str(port), "-U", "postgres",
             "-d", "postgres", "-v", "ON_ERROR_STOP=1", "-c", "create database apipulse"],
            capture_output=True, text=True, check=False,
        )
        assert create.returncode == 0, create.stderr
        yield server
    finally:
        _as_server_user([str(bindir / "pg_ctl"), "-D", str(data), "-m", "fast", "-w", "stop"])
        shutil.rmtree(root, ignore_errors=True)


def _log(root: Path) -> str:
    try:
        return (root / "server.log").read_text()[-2000:]
    except OSError:
        return ""


@pytest.fixture(scope="session")
def duckdb_reference(tmp_path_factory) -> dict:
    """The small world, loaded by the product's loaders and built by dbt on DuckDB once for
    every engine test: `raw` holds the raw layer only (what the copies read), `duckdb` is a
    copy with every model built (what each engine's marts are compared with)."""
    from tests.engines.pipeline import dbt_build, small_world

    workdir = tmp_path_factory.mktemp("engines-reference")
    started = time.monotonic()
    _, raw_file = small_world(workdir)
    reference = workdir / "reference.duckdb"
    shutil.copyfile(raw_file, reference)
    rc = dbt_build("duckdb", {"WAREHOUSE_PATH": str(reference)}, workdir).wait(timeout=900)
    print(f"\nDuckDB reference (world, load, dbt build): {time.monotonic() - started:.1f}s")
    return {"workdir": workdir, "raw": raw_file, "duckdb": reference, "rc": rc}

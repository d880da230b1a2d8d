"""A real PostgreSQL server for the tests: a throwaway cluster on loopback, started once per session.

Debian's binaries (``postgresql`` package, /usr/lib/postgresql/*/bin; `.ci/run` installs them) run
``initdb``/``pg_ctl`` into a temporary folder on a free port, as the ``postgres`` user when the tests
run as root (PostgreSQL refuses root). Logins need a password (scram-sha-256), made up for the
session and handed over in PGPASSWORD only. Each test gets a database of its own. Without the
binaries the tests that need the server are skipped, saying why.
"""

from __future__ import annotations

import glob
import os
import secrets
import shutil
import socket
import subprocess
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import pytest


def _binaries() -> Path | None:
    found = shutil.which("pg_ctl")
    if found:
        return Path(found).resolve().parent
    versions = sorted(glob.glob("/usr/lib/postgresql/*/bin/pg_ctl"))
    return Path(versions[-1]).parent if versions else None


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@dataclass(frozen=True)
class Cluster:
    port: int
    user: str
    password: str

    def url(self, database: str) -> str:
        """The URL the officer would write: no password in it."""
        return f"postgresql://{self.user}@127.0.0.1:{self.port}/{database}"

    def admin(self):
        import psycopg

        return psycopg.connect(host="127.0.0.1", port=self.port, user=self.user, password=self.password,
                               dbname="postgres", autocommit=True)


def _run(command: list[str]) -> None:
    done = subprocess.run(command, capture_output=True, text=True)
    if done.returncode:
        raise RuntimeError(f"{' '.join(command)} failed ({done.returncode}): {done.stderr or done.stdout}")


@pytest.fixture(scope="session")
def postgres() -> Cluster:
    bin_dir = _binaries()
    if bin_dir is None:
        if os.environ.get("SCS_REQUIRE_POSTGRES") == "1":  # CI installs them: a skip there would hide a failure
            pytest.fail("PostgreSQL's server binaries (initdb, pg_ctl) are not installed, and SCS_REQUIRE_POSTGRES=1")
        pytest.skip("PostgreSQL's server binaries (initdb, pg_ctl) are not installed: apt-get install postgresql")
    with cluster(bin_dir) as running:
        yield running


@contextmanager
def cluster(bin_dir: Path, max_connections: int = 60) -> Iterator[Cluster]:
    """A throwaway cluster on loopback, for the session's tests or a bench; removed when done."""
    root = Path(tempfile.mkdtemp(prefix="scs-postgres-"))  # not under pytest's root-only folder: postgres reads it
    data, sockets = root / "data", root / "run"
    sockets.mkdir()
    password = secrets.token_hex(16)
    (root / "pw").write_text(password)
    as_user: list[str] = []
    if os.geteuid() == 0:
        shutil.chown(root, "postgres")
        shutil.chown(sockets, "postgres")
        shutil.chown(root / "pw", "postgres")
        as_user = ["runuser", "-u", "postgres", "--"]
    port = _free_port()
    _run([*as_user, str(bin_dir / "initdb"), "-D", str(data), "-U", "scs", f"--pwfile={root / 'pw'}",
          "--auth=scram-sha-256", "-E", "UTF8", "--no-instructions"])
    (root / "pw").unlink()
    options = (f"-p {port} -k {sockets} -c listen_addresses=127.0.0.1 -c fsync=off "
               f"-c max_connections={max_connections}")
    _run([*as_user, str(bin_dir / "pg_ctl"), "-D", str(data), "-o", options, "-l", str(root / "log"),
          "-w", "-t", "120", "start"])
    try:
        yield Cluster(port, "scs", password)
    finally:
        subprocess.run([*as_user, str(bin_dir / "pg_ctl"), "-D", str(data), "-m", "immediate", "stop"],
                       capture_output=True)
        shutil.rmtree(root, ignore_errors=True)


@pytest.fixture
def pg_url(postgres: Cluster, monkeypatch) -> str:
    """A new, empty database for this test; its URL, the password in PGPASSWORD."""
    name = "t_" + secrets.token_hex(6)
    with postgres.admin() as conn:
        conn.execute(f"CREATE DATABASE {name}")
    monkeypatch.setenv("PGPASSWORD", postgres.password)
    return postgres.url(name)

"""A new Prefect home starts from a database already migrated for this Prefect version.

Prefect's temporary API creates its SQLite database on first use by running every migration
(~110 of them; several seconds, the bulk of a first `scs demo`). The same migrated database is
made once per Prefect version, into a cache (at `make venv`; or kept from the first new home's
database, once its API has migrated it and before any run is recorded), and copied into each new
home. Prefect still runs its migrations on start: on the copy they
find nothing to do, and a copy from an older Prefect would be brought up to date, never used as is
(the cache is keyed by Prefect's version and its migrations, so that does not happen either).

Run as ``python -m flows.prefect_home`` to make the cache now (the Makefile does).
"""

from __future__ import annotations

import hashlib
import os
import sqlite3
import subprocess
import sys
import tempfile
from pathlib import Path


def _cache_dir() -> Path:
    base = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(base) / "scs-refresh"


def template() -> Path:
    """Where this Prefect's migrated database is kept: named by its version and its SQLite migrations."""
    import prefect

    versions = Path(prefect.__file__).parent / "server" / "database" / "_migrations" / "versions" / "sqlite"
    names = sorted(p.name for p in versions.glob("*.py")) if versions.is_dir() else []
    digest = hashlib.sha256("\n".join(names).encode()).hexdigest()[:12]
    return _cache_dir() / f"prefect-{prefect.__version__}-{digest}.db"


def database_file() -> Path | None:
    """The SQLite file the temporary API will use, or None when it uses something else (PostgreSQL, memory)."""
    from prefect.settings import get_current_settings

    url = get_current_settings().server.database.connection_url
    url = url.get_secret_value() if url is not None else None
    prefix = "sqlite+aiosqlite:///"
    if not url or not url.startswith(prefix) or "memory" in url or "?" in url:
        return None
    return Path(url[len(prefix):])


def make_template() -> Path:
    """Migrate an empty database with Prefect's own command in a scratch home, and keep it (atomically)."""
    target = template()
    target.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="scs-prefect-home-") as home:
        env = {k: v for k, v in os.environ.items()
               if not k.startswith(("PREFECT_API_DATABASE", "PREFECT_SERVER_DATABASE", "PREFECT_HOME"))}
        env["PREFECT_HOME"] = home
        subprocess.run([sys.executable, "-m", "prefect", "server", "database", "upgrade", "-y"], env=env,
                       check=True, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        scratch = target.with_name(f"{target.name}.{os.getpid()}.tmp")
        _copy(Path(home) / "prefect.db", scratch)
        os.replace(scratch, target)  # two makers at once: the same content, either wins
    return target


def seed() -> Path | None:
    """Copy the migrated database into the Prefect home when it has none yet. Never overwrites: a database
    that exists, or appears meanwhile (another command), is left alone. Returns the home's database when
    it has none and no copy is cached yet, for ``keep`` once the API has migrated it."""
    db = database_file()
    if db is None or db.exists() or Path(f"{db}-wal").exists():
        return None
    source = template()
    if not source.exists():
        return db
    db.parent.mkdir(parents=True, exist_ok=True)
    scratch = db.with_name(f".{db.name}.{os.getpid()}.tmp")
    try:
        _copy(source, scratch)
        os.link(scratch, db)  # fails if the file appeared meanwhile: that database is kept
    except FileExistsError:
        pass
    finally:
        scratch.unlink(missing_ok=True)
    return None


def keep(db: Path) -> None:
    """Cache the home's newly migrated database (its API is up, nothing run yet) for the next new home.
    A copy holding anything but the schema and Prefect's block catalogue (another command was quicker
    and recorded a run) is not kept."""
    target = template()
    if target.exists():
        return
    target.parent.mkdir(parents=True, exist_ok=True)
    scratch = target.with_name(f"{target.name}.{os.getpid()}.tmp")
    try:
        _copy(db, scratch)
        con = sqlite3.connect(scratch)
        try:
            tables = [row[0] for row in con.execute("SELECT name FROM sqlite_master WHERE type = 'table'")]
            used = [t for t in tables if not t.startswith(("alembic_version", "block_"))
                    and con.execute(f'SELECT 1 FROM "{t}" LIMIT 1').fetchone()]
        finally:
            con.close()
        if not used and "alembic_version" in tables:
            os.replace(scratch, target)
    finally:
        scratch.unlink(missing_ok=True)


def _copy(source: Path, target: Path) -> None:
    """A consistent single-file copy, whatever journal the source was left with."""
    src, dst = sqlite3.connect(source), sqlite3.connect(target)
    try:
        src.backup(dst)
    finally:
        src.close()
        dst.close()


if __name__ == "__main__":
    print(make_template())

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
from dataclasses import dataclass
from pathlib import Path

#: Run in a scratch home after the migrations: the block catalogue an API registers on its first start.
_REGISTER_BLOCKS = """
import asyncio
from prefect.server.database import provide_database_interface
from prefect.server.models.block_registration import run_block_auto_registration

async def main():
    session = await provide_database_interface().session()
    async with session:
        await run_block_auto_registration(session=session)
        await session.commit()

asyncio.run(main())
"""


def _cache_dir() -> Path:
    base = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(base) / "scs-refresh"


def template() -> Path:
    """Where this Prefect's migrated database is kept: named by its version, its SQLite migrations and the
    Prefect collections installed (they add blocks to the catalogue)."""
    from importlib.metadata import entry_points

    import prefect

    versions = Path(prefect.__file__).parent / "server" / "database" / "_migrations" / "versions" / "sqlite"
    names = sorted(p.name for p in versions.glob("*.py")) if versions.is_dir() else []
    names += sorted(f"{e.name}={e.value}" for e in entry_points(group="prefect.collections"))
    digest = hashlib.sha256("\n".join(names).encode()).hexdigest()[:12]
    return _cache_dir() / f"prefect-{prefect.__version__}-{digest}-blocks.db"


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
        for command in (["-m", "prefect", "server", "database", "upgrade", "-y"], ["-c", _REGISTER_BLOCKS]):
            subprocess.run([sys.executable, *command], env=env, check=True, stdin=subprocess.DEVNULL,
                           stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        scratch = target.with_name(f"{target.name}.{os.getpid()}.tmp")
        _copy(Path(home) / "prefect.db", scratch)
        os.replace(scratch, target)  # two makers at once: the same content, either wins
    return target


@dataclass(frozen=True)
class Seeded:
    """What ``seed`` did for the temporary API about to start."""

    keep: Path | None = None  #: the home's new database, to ``keep`` once its API has migrated it (no cache yet)
    catalogue: bool = False  #: copied in with this Prefect's block catalogue: the API need not register it


def seed() -> Seeded:
    """Copy the migrated database into the Prefect home when it has none yet. Never overwrites: a database
    that exists, or appears meanwhile (another command), is left alone."""
    db = database_file()
    if db is None or db.exists() or Path(f"{db}-wal").exists():
        return Seeded()
    source = template()
    if not source.exists():
        return Seeded(keep=db)
    db.parent.mkdir(parents=True, exist_ok=True)
    scratch = db.with_name(f".{db.name}.{os.getpid()}.tmp")
    try:
        _copy(source, scratch)
        catalogue = _rows(scratch, "block_type") > 0
        os.link(scratch, db)  # fails if the file appeared meanwhile: that database is kept
    except FileExistsError:
        return Seeded()
    finally:
        scratch.unlink(missing_ok=True)
    return Seeded(catalogue=catalogue)


def _rows(db: Path, table: str) -> int:
    con = sqlite3.connect(db)
    try:
        return con.execute(f'SELECT count(*) FROM "{table}"').fetchone()[0]
    except sqlite3.Error:  # no such table: nothing to count
        return 0
    finally:
        con.close()


def keep(db: Path) -> None:
    """Cache the home's newly migrated database (its API is up, its block catalogue registered, nothing run
    yet) for the next new home. A copy holding anything but the schema and Prefect's block catalogue
    (another command was quicker and recorded a run), or without the catalogue, is not kept."""
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
        if not used and "alembic_version" in tables and _rows(scratch, "block_type"):
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

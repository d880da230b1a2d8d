"""A new Prefect home is seeded from a cached, already-migrated database: never over one that exists, and
only from a copy that holds no one's runs (flows.prefect_home)."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
from prefect.settings import PREFECT_API_DATABASE_CONNECTION_URL, temporary_settings

from flows import prefect_home


def _database(path: Path, runs: int = 0, blocks: int = 1) -> Path:
    """A stand-in for a migrated Prefect database: its revision, its block catalogue, ``runs`` flow runs."""
    con = sqlite3.connect(path)
    con.executescript("CREATE TABLE alembic_version (version_num TEXT); INSERT INTO alembic_version VALUES ('head');"
                      "CREATE TABLE block_type (id TEXT); CREATE TABLE flow_run (id TEXT);")
    con.executemany("INSERT INTO block_type VALUES (?)", [(f"block-{n}",) for n in range(blocks)])
    con.executemany("INSERT INTO flow_run VALUES (?)", [(str(n),) for n in range(runs)])
    con.commit()
    con.close()
    return path


def _rows(path: Path, table: str) -> int:
    con = sqlite3.connect(path)
    try:
        return con.execute(f"SELECT count(*) FROM {table}").fetchone()[0]
    finally:
        con.close()


@pytest.fixture
def home(tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    db = tmp_path / "home" / "prefect.db"
    with temporary_settings({PREFECT_API_DATABASE_CONNECTION_URL: f"sqlite+aiosqlite:///{db}"}):
        yield db


def test_a_new_home_gets_the_cached_database(home):
    prefect_home.template().parent.mkdir(parents=True)
    _database(prefect_home.template())
    assert prefect_home.seed() == prefect_home.Seeded(keep=None, catalogue=True)
    assert _rows(home, "alembic_version") == 1 and _rows(home, "block_type") == 1


def test_a_cached_database_without_the_block_catalogue_leaves_its_api_to_register_it(home):
    prefect_home.template().parent.mkdir(parents=True)
    _database(prefect_home.template(), blocks=0)
    assert prefect_home.seed() == prefect_home.Seeded(keep=None, catalogue=False)


def test_an_existing_database_is_never_replaced(home):
    prefect_home.template().parent.mkdir(parents=True)
    _database(prefect_home.template())
    home.parent.mkdir()
    _database(home, runs=3)
    assert prefect_home.seed() == prefect_home.Seeded()
    assert _rows(home, "flow_run") == 3


def test_without_a_cached_copy_the_home_is_named_for_keeping(home):
    assert prefect_home.seed() == prefect_home.Seeded(keep=home)
    assert not home.exists()  # Prefect creates and migrates it


def test_the_first_new_database_is_kept_only_while_it_holds_no_runs(home):
    home.parent.mkdir()
    _database(home, runs=1)
    prefect_home.keep(home)
    assert not prefect_home.template().exists()
    _database(home.with_name("empty.db"))
    _database(home.with_name("no-blocks.db"), blocks=0)
    prefect_home.keep(home.with_name("no-blocks.db"))
    assert not prefect_home.template().exists()
    prefect_home.keep(home.with_name("empty.db"))
    assert _rows(prefect_home.template(), "flow_run") == 0


def test_the_cache_is_per_prefect_version(monkeypatch):
    import prefect

    before = prefect_home.template()
    monkeypatch.setattr(prefect, "__version__", "99.0.0")
    assert prefect_home.template() != before and "99.0.0" in prefect_home.template().name


def test_a_database_elsewhere_than_a_sqlite_file_is_left_to_prefect(tmp_path):
    with temporary_settings({PREFECT_API_DATABASE_CONNECTION_URL: "postgresql+asyncpg://u@localhost/prefect"}):
        assert prefect_home.database_file() is None
        assert prefect_home.seed() == prefect_home.Seeded()


@pytest.mark.parametrize("catalogue", [True, False])
def test_the_api_registers_the_block_catalogue_only_when_its_database_came_without_it(catalogue):
    from flows import temporary_api

    env = temporary_api.environment(temporary_api.temporary_api_settings(prefect_home.Seeded(catalogue=catalogue)))
    assert env.get("PREFECT_SERVER_REGISTER_BLOCKS_ON_START", "true").lower() == str(not catalogue).lower()

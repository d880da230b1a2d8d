"""Shared fixtures. Flow tests opt in to one session-wide Prefect API with
``pytestmark = pytest.mark.usefixtures("prefect_harness")``; the rest never start it."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT / "tests" / "data"  # copies of the seed text and real public files the tests read
os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")
os.environ.setdefault("DO_NOT_TRACK", "1")
# Prefect's embedded API takes 5-11 s to start here, far longer on a busy machine; its default wait is 20 s.
os.environ.setdefault("PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS", "120")


def pytest_configure(config):
    """The tests run the domain in-process with the garbage collection `scs` itself runs with."""
    from scs_cli.main import collect_less

    collect_less()


@pytest.hookimpl(optionalhook=True)
def pytest_xdist_make_scheduler(config, log):
    """With `--dist loadfile` (the Makefile's): whole files, those using the Prefect API on one process, slow
    files first (tests/xdist_files.py)."""
    if config.getoption("dist") == "loadfile":
        from .xdist_files import FileScheduling

        return FileScheduling(config, log)
    return None


@pytest.fixture(scope="session")
def prefect_harness():
    """One temporary Prefect API for the whole session (~8 s to start), heartbeat off. It waits for the
    API as long as PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS says (the harness's own default is 30 s)."""
    from prefect.settings import PREFECT_FLOWS_HEARTBEAT_FREQUENCY, temporary_settings
    from prefect.testing.utilities import prefect_test_harness

    with prefect_test_harness(server_startup_timeout=None), temporary_settings({PREFECT_FLOWS_HEARTBEAT_FREQUENCY: None}):
        yield


@pytest.fixture(scope="session")
def real_data(tmp_path_factory) -> Path:
    """tests/data/real_data with every file as published: the gzipped copies are decompressed."""
    import gzip
    import shutil

    dest = tmp_path_factory.mktemp("real_data")
    for src in (DATA / "real_data").iterdir():
        if src.suffix == ".gz":
            with gzip.open(src, "rb") as packed, open(dest / src.stem, "wb") as out:
                shutil.copyfileobj(packed, out)
        else:
            shutil.copyfile(src, dest / src.name)
    return dest


@pytest.fixture
def config_dir(tmp_path: Path) -> Path:
    """A writable copy of the bundled config folder."""
    import shutil

    dest = tmp_path / "config"
    shutil.copytree(ROOT / "config", dest)
    return dest


from .postgres_cluster import pg_url, postgres  # noqa: E402,F401  (a real PostgreSQL server, for the state store)

"""Shared fixtures. Flow tests opt in to one session-wide Prefect API with
``pytestmark = pytest.mark.usefixtures("prefect_harness")``; the rest never start it."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared"
os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")
os.environ.setdefault("DO_NOT_TRACK", "1")


@pytest.fixture(scope="session")
def prefect_harness():
    """One temporary Prefect API for the whole session (~8 s to start), heartbeat off."""
    from prefect.settings import PREFECT_FLOWS_HEARTBEAT_FREQUENCY, temporary_settings
    from prefect.testing.utilities import prefect_test_harness

    with prefect_test_harness(), temporary_settings({PREFECT_FLOWS_HEARTBEAT_FREQUENCY: None}):
        yield


@pytest.fixture
def config_dir(tmp_path: Path) -> Path:
    """A writable copy of the bundled config folder."""
    import shutil

    dest = tmp_path / "config"
    shutil.copytree(ROOT / "config", dest)
    return dest

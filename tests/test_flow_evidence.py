"""The collate_evidence flow: a task per source; a failing source is reported, the rest collate."""

from __future__ import annotations

import shutil
from datetime import date

import pytest

from scs_refresh.core.folders import Dirs

from .conftest import ROOT
from flows.evidence import collate_evidence, read_source
from scs_refresh.core.errors import ConfigError
from scs_refresh.evidence.manifest import load_manifest

pytestmark = pytest.mark.usefixtures("prefect_harness")


def test_read_source_task_body_raises_a_located_error(tmp_path):
    shutil.copytree(ROOT / "config", tmp_path / "config")
    (tmp_path / "evidence").mkdir()
    m = load_manifest(tmp_path / "config" / "evidence.yaml")
    with pytest.raises(ConfigError, match="imd2019_file1_imd_norfolk.csv: file not found"):
        read_source.fn(m, m.sources[0])


def test_flow_marks_a_failed_source_and_collates_the_rest(tmp_path):
    from prefect.client.orchestration import get_client

    shutil.copytree(ROOT / "config", tmp_path / "config")
    shutil.copytree(ROOT / "evidence", tmp_path / "evidence")
    (tmp_path / "evidence" / "focus_groups_illustrative.csv").unlink()

    base = collate_evidence(Dirs(config=tmp_path / "config", out=tmp_path / "out"), date(2010, 12, 3))

    failed = {p.source_id: p.error for p in base.digest.provenance if not p.ok}
    assert list(failed) == ["focus-groups"] and "file not found" in failed["focus-groups"]
    # the releases published by 3 December 2010 (not IMD 2010 nor 2019, nor the mid-2020 estimates)
    assert len(base.digest.provenance) == 9 and all(p.published <= date(2010, 12, 3) for p in base.digest.provenance)
    assert 82.2 in base.table.loc[base.table["column"] == "Overall", "value"].tolist()
    digest = (tmp_path / "out" / "evidence" / "digest.md").read_text()
    assert "focus_groups_illustrative.csv: file not found |" in digest and "Breckland: 82.2% (2008)" in digest
    assert "focus-groups" in (tmp_path / "out" / "evidence" / "provenance.csv").read_text()
    with get_client(sync_client=True) as client:
        artifacts = [a for a in client.read_artifacts() if a.key == "evidence-base"]
    # this run's is the newest: the session's API also holds the artifacts of other tests' collations
    assert artifacts and "FAILED: focus-groups" in max(artifacts, key=lambda a: a.created).data

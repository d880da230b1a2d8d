"""Atomic writes: whole files or none, with ordinary permissions."""

import os
import stat

import pytest

from scs_refresh.core.atomic import write_bytes, write_text


def test_replaces_whole_file_with_ordinary_permissions(tmp_path):
    old = os.umask(0o022)
    try:
        path = write_text(tmp_path / "sub" / "a.md", "first")
        write_text(path, "second")
    finally:
        os.umask(old)
    assert path.read_text() == "second"
    assert stat.S_IMODE(path.stat().st_mode) == 0o644
    assert [p.name for p in path.parent.iterdir()] == ["a.md"]


def test_a_failed_write_leaves_the_old_file_and_no_temporary(tmp_path):
    path = write_text(tmp_path / "a.md", "kept")
    with pytest.raises(TypeError):
        write_bytes(path, object())  # not bytes: fails inside the write
    assert path.read_text() == "kept"
    assert [p.name for p in tmp_path.iterdir()] == ["a.md"]

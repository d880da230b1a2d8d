"""Atomic writes: whole files or none, with ordinary permissions."""

import os
import stat
from pathlib import Path

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


# -- what a killed run leaves behind ---------------------------------------------------------------

_KILLED_MIDWAY = r"""
import os, signal, sys
from pathlib import Path
from scs_refresh.core import atomic

out = Path(sys.argv[1])
staging = atomic.staging_folder(out, "evidence")      # a collation under way ...
atomic.write_text(staging / "evidence.csv", "a,b\n")
real_replace = os.replace

def die(src, dst):                                     # ... killed as a paper is half-written
    os.kill(os.getpid(), signal.SIGKILL)

os.replace = die
atomic.write_bytes(out / "cmt" / "01-report.docx", b"half a paper")
"""


def _killed_run(out: Path) -> None:
    import subprocess
    import sys

    done = subprocess.run([sys.executable, "-c", _KILLED_MIDWAY, str(out)], capture_output=True, timeout=60)
    assert done.returncode == -9, done.stderr  # it really was killed


def test_the_next_command_removes_what_a_killed_run_left(tmp_path):
    from typer.testing import CliRunner

    from scs_cli.main import app

    from .conftest import ROOT

    out = tmp_path / "out"
    write_text(out / "evidence" / "evidence.csv", "the last good evidence base\n")
    write_text(out / "cmt" / "00-agenda.docx", "an earlier paper")
    _killed_run(out)
    debris = sorted(p.name for p in out.rglob(".*"))
    assert len(debris) == 2 and debris[0].startswith(".01-report.docx.") and debris[1].startswith(".evidence.")
    mine = write_text(out / "cmt" / f".02-x.docx.{os.getpid()}.abcdefgh.tmp", "being written now")  # a live writer

    result = CliRunner().invoke(app, ["--config-dir", str(ROOT / "config"), "--out-dir", str(out), "timetable",
                                      "--json"])
    assert result.exit_code == 0, result.output
    assert sorted(str(p.relative_to(out)) for p in out.rglob("*")) == [
        "cmt", "cmt/.02-x.docx." + f"{os.getpid()}.abcdefgh.tmp", "cmt/00-agenda.docx", "evidence",
        "evidence/evidence.csv"]
    assert mine.exists() and (out / "evidence" / "evidence.csv").read_text() == "the last good evidence base\n"


def test_a_set_moved_aside_and_never_replaced_is_put_back(tmp_path):
    """Killed between the two renames of a swap: the last good set is back in its place, the new one goes."""
    from scs_refresh.core.atomic import sweep

    dead = _dead_pid()
    write_text(tmp_path / f".evidence.old..evidence.{dead}.abcdefgh" / "evidence.csv", "last good\n")
    write_text(tmp_path / f".evidence.{dead}.abcdefgh" / "evidence.csv", "complete but never swapped\n")
    sweep(tmp_path)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["evidence"]
    assert (tmp_path / "evidence" / "evidence.csv").read_text() == "last good\n"


def test_a_published_meeting_moved_aside_is_put_back_too(tmp_path):
    """Sets one folder down (``out/public/<meeting>``) are swept like those in ``out``; set names are meeting ids."""
    from scs_refresh.core.atomic import sweep

    dead, public = _dead_pid(), tmp_path / "public"
    old = public / f".lsp-board-2010-12-03.old..lsp-board-2010-12-03.{dead}.abcdefgh"
    write_text(old / "00-agenda.docx", "last good\n")
    write_text(public / f".lsp-board-2010-12-03.{dead}.abcdefgh" / "00-agenda.docx", "half written\n")
    sweep(tmp_path)
    assert sorted(p.name for p in public.iterdir()) == ["lsp-board-2010-12-03"]
    assert (public / "lsp-board-2010-12-03" / "00-agenda.docx").read_text() == "last good\n"


def test_a_failed_set_keeps_the_last_one_and_the_refused_paper(tmp_path):
    from scs_refresh.core.atomic import output_set
    from scs_refresh.core.errors import UserError

    final = tmp_path / "review"
    write_text(final / "report.docx", "last good\n")
    with pytest.raises(UserError) as failed:
        with output_set(final) as staging:
            write_text(staging / "report.docx", "new\n")
            write_text(staging / "report.rejected.docx", "refused by its checks\n")
            raise UserError(f"{staging / 'report.docx'}: not released, it fails the accessibility checks")
    assert str(failed.value) == f"{final / 'report.docx'}: not released, it fails the accessibility checks"
    assert (final / "report.docx").read_text() == "last good\n"
    assert (final / "report.rejected.docx").read_text() == "refused by its checks\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["review"]


def test_debris_without_an_owner_is_removed_only_once_it_is_old(tmp_path):
    """Written by an older version (no process id in the name): taken as abandoned after ten minutes."""
    from scs_refresh.core.atomic import ORPHAN_AGE_SECONDS, sweep

    old, new = write_text(tmp_path / ".a.docx.abcdefgh.tmp", "x"), write_text(tmp_path / ".b.docx.ijklmnop.tmp", "y")
    os.utime(old, (0, 0))
    assert sweep(tmp_path) == [old] and new.exists() and ORPHAN_AGE_SECONDS == 600


def _dead_pid() -> int:
    import subprocess
    import sys

    proc = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True)
    return int(proc.stdout)

"""Atomic file writes: a reader (or a crash) never sees a half-written file; and the sweep that
removes what a killed run left half-written."""

from __future__ import annotations

import dataclasses
import os
import re
import shutil
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from scs_refresh.core.errors import UserError


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def write_bytes(path: Path, data: bytes) -> Path:
    """Write ``data`` to ``path`` via a temporary file in the same folder and a rename.

    The temporary file's name carries this process's id, so :func:`sweep` can tell one a killed
    run left from one being written now.

    The file gets the usual permissions (0666 less the umask), not mkstemp's private 0600:
    papers are meant to be read by colleagues.
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.{os.getpid()}.", suffix=".tmp", dir=path.parent)
    try:
        os.fchmod(fd, 0o666 & ~_umask())
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return path


def version_of(path: Path) -> tuple[Path, int, int, int]:
    """The file at ``path`` as it is now (its full path, inode, modification time and size), to key what is
    read from it: an atomic write makes a new file, so this changes whenever the content may have."""
    st = Path(path).stat()
    return Path(path).resolve(), st.st_ino, st.st_mtime_ns, st.st_size


def write_text(path: Path, text: str, encoding: str = "utf-8") -> Path:
    """Atomically write ``text`` to ``path``."""
    return write_bytes(path, text.encode(encoding))


def slug(*parts: str, limit: int = 60) -> str:
    """A safe file name from ``parts``: lower-case letters and digits joined by hyphens."""
    return re.sub(r"[^a-z0-9]+", "-", "-".join(parts).lower()).strip("-")[:limit]


# --- debris a killed run leaves behind ------------------------------------------------------------

#: a temporary file of :func:`write_bytes`: ``.<name>.<pid>.<random>.tmp`` (no pid: an older version)
_TMP = re.compile(r"^\..+?(?:\.(?P<pid>\d+))?\.[a-z0-9_]{8}\.tmp$")
#: a staging folder of an output set (``.evidence.<pid>.<random>``) or the set it replaces (``.evidence.old...``)
_STAGING = re.compile(r"^\.(?P<set>[a-z0-9][a-z0-9-]*)\.(?:old\.\.(?P=set)\.)?(?:(?P<pid>\d+)\.)?[a-z0-9_]{8}$")
#: how old debris without an owner's pid must be before it is taken for a killed run's
ORPHAN_AGE_SECONDS = 600


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # someone else's process
        return True
    return True


def _abandoned(path: Path, pid: str | None) -> bool:
    """Left by a run that is over: its process is gone (or, without a pid, it is old)."""
    if pid is not None:
        return int(pid) != os.getpid() and not _alive(int(pid))
    try:
        return time.time() - path.lstat().st_mtime > ORPHAN_AGE_SECONDS
    except OSError:
        return False


def sweep(folder: Path) -> list[Path]:
    """Remove what killed runs left in ``folder`` (the out folder): half-written ``.*.tmp`` files and the
    staging folders of output sets. A set that was moved aside but never replaced (killed between
    the two renames) is put back, so the last good one is never lost. Returns what was removed."""
    folder = Path(folder)
    if not folder.is_dir():
        return []
    removed = []
    # Sets live in the out folder (a meeting's papers, the evidence base) or one below it (out/public/<meeting>).
    parents = [folder, *(d for d in sorted(folder.iterdir()) if d.is_dir() and not d.name.startswith("."))]
    for parent, entry in ((p, e) for p in parents for e in sorted(p.iterdir())):
        staged = _STAGING.match(entry.name)
        if staged and entry.is_dir() and _abandoned(entry, staged["pid"]):
            final = parent / staged["set"]
            if ".old." in entry.name and not final.exists():
                entry.rename(final)  # the last good set, moved aside by a run killed before its swap
                continue
            shutil.rmtree(entry, ignore_errors=True)
            removed.append(entry)
    for tmp in folder.rglob(".*.tmp"):
        found = _TMP.match(tmp.name)
        if found and tmp.is_file() and _abandoned(tmp, found["pid"]):
            tmp.unlink(missing_ok=True)
            removed.append(tmp)
    return removed


@contextmanager
def output_set(final: Path, *, carry: bool = False) -> Iterator[Path]:
    """Write a set of files (a meeting's papers, the evidence base, the scorecard) all or nothing.

    Yields a staging folder beside ``final`` to write the new set into; when the block ends
    normally the staging folder takes ``final``'s place (two renames; :func:`sweep` completes a swap
    a kill interrupted), and on any error it is removed, leaving the last good set as it was.
    ``carry`` starts the staging folder as a copy of the last set, for writers that keep what
    has not changed (a chart whose data is the same).
    """
    final = Path(final)
    final.parent.mkdir(parents=True, exist_ok=True)
    staging = staging_folder(final.parent, final.name)
    try:
        if carry and final.is_dir():
            shutil.copytree(final, staging, dirs_exist_ok=True)
        yield staging
        old = final.parent / f".{final.name}.old.{staging.name}"
        if final.exists():
            final.rename(old)
        staging.rename(final)
        shutil.rmtree(old, ignore_errors=True)
    except BaseException as exc:
        _keep_refused(staging, final)
        shutil.rmtree(staging, ignore_errors=True)
        said = exc.args[0] if len(exc.args) == 1 and isinstance(exc.args[0], str) else ""
        if isinstance(exc, UserError) and str(staging) in said:  # name the file where the officer will find it
            raise type(exc)(said.replace(str(staging), str(final))) from None
        raise


def _keep_refused(staging: Path, final: Path) -> None:
    """A paper refused by its checks (``*.rejected.*``) is kept beside the last good set for the officer
    to open; everything else of the failed set goes."""
    for refused in staging.rglob("*.rejected.*"):
        keep = final / refused.relative_to(staging)
        keep.parent.mkdir(parents=True, exist_ok=True)
        refused.replace(keep)


def rebased(value, staging: Path, final: Path):
    """``value`` (a path, or a dataclass or list holding paths) with paths under ``staging`` moved to
    ``final``: what a writer returned, once its set has been swapped into place."""
    if isinstance(value, Path):
        return final / value.relative_to(staging) if value.is_relative_to(staging) else value
    if isinstance(value, list):
        return [rebased(v, staging, final) for v in value]
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return dataclasses.replace(value, **{f.name: rebased(getattr(value, f.name), staging, final)
                                            for f in dataclasses.fields(value) if f.init})
    return value


def staging_folder(folder: Path, name: str) -> Path:
    """A new staging folder for the output set ``name`` in ``folder``, marked with this process's id so a
    later run can tell it from one being written now."""
    return Path(tempfile.mkdtemp(prefix=f".{name}.{os.getpid()}.", dir=folder))

"""Atomic file writes: a reader (or a crash) never sees a half-written file; and the sweep that
removes what a killed run left half-written."""

from __future__ import annotations

import os
import re
import shutil
import tempfile
import time
from pathlib import Path


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
_STAGING = re.compile(r"^\.(?P<set>[a-z]+)\.(?:old\.\.(?P=set)\.)?(?:(?P<pid>\d+)\.)?[a-z0-9_]{8}$")
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
    for entry in sorted(folder.iterdir()):
        staged = _STAGING.match(entry.name)
        if staged and entry.is_dir() and _abandoned(entry, staged["pid"]):
            final = folder / staged["set"]
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


def staging_folder(folder: Path, name: str) -> Path:
    """A new staging folder for the output set ``name`` in ``folder``, marked with this process's id so a
    later run can tell it from one being written now."""
    return Path(tempfile.mkdtemp(prefix=f".{name}.{os.getpid()}.", dir=folder))

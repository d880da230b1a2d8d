"""The longest silence of the officer's long commands, as the officer sees them in a terminal (issue 18).

Target: no silence over 5 s. Each command runs in a pseudo-terminal (so the live line is drawn, as
for the officer) in a fresh copy of the bundled cycle with a fresh Prefect home. A spinner turning
is not news: the longest time the words on the screen stay the same is reported, with the words
that ended it.

Run: .venv/bin/python bench/bench_silence.py
"""

from __future__ import annotations

import os
import pty
import re
import select
import shutil
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SCS = str(Path(sys.executable).parent / "scs")
_CONTROL = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]|[\r\n\u2800-\u28ff]+")  # escapes, line ends, spinner frames


def silences(args: list[str], cwd: Path, env: dict) -> tuple[float, float, str]:
    """(the longest gap between two chunks of output, the whole run, the words that ended the gap)."""
    pid, fd = pty.fork()
    if pid == 0:  # the command, in the terminal
        os.chdir(cwd)
        os.execve(SCS, [SCS, *args], env)
    start = last = time.perf_counter()
    longest, after, words = 0.0, "", ""
    while True:
        ready, _, _ = select.select([fd], [], [], 1.0)
        if not ready:
            continue
        try:
            chunk = os.read(fd, 65536)
        except OSError:  # the command ended
            break
        if not chunk:
            break
        now, said = time.perf_counter(), " ".join(_CONTROL.sub(" ", chunk.decode(errors="replace")).split())
        if not said or said == words:  # the spinner, or the same line drawn again
            continue
        if now - last > longest:
            longest, after = now - last, said[:80]
        last, words = now, said
    _, status = os.waitpid(pid, 0)
    if os.waitstatus_to_exitcode(status) != 0:
        raise SystemExit(f"scs {' '.join(args)} failed (exit {os.waitstatus_to_exitcode(status)})")
    return longest, time.perf_counter() - start, after


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        base = Path(tmp)
        for name in ("config", "evidence", "templates"):
            shutil.copytree(ROOT / name, base / name)
        env = {**os.environ, "PREFECT_HOME": str(base / "prefect-home"), "COLUMNS": "100", "TERM": "xterm"}
        print(f"longest silence in a terminal ({os.cpu_count()} cores; target <= 5 s):")
        for args in (["demo", "--fresh"], ["papers", "lsp-board-2011-04-07", "--on", "2011-03-24"],
                     ["evidence", "collate", "--on", "2011-04-01"]):
            gap, whole, after = silences(args, base, env)
            print(f"  scs {' '.join(args):45s} {gap:5.1f} s of {whole:5.1f} s  (then: {after!r})")


if __name__ == "__main__":
    main()

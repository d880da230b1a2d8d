"""Wall time of the officer's commands, each in a fresh process as the officer runs them (issue 18).

Targets: `scs timetable` <= 0.3 s (it must not import Prefect or pandas); a tick with nothing due
<= 2 s; `scs papers MEETING` with PDFs <= 4 s. The tick and the papers run in a copy of the
bundled cycle after `scs simulate` has brought it to the day before (so they do real work).

Run: .venv/bin/python bench/bench_cli.py [runs]
"""

from __future__ import annotations

import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SCS = str(Path(sys.executable).parent / "scs")
#: as on the officer's machine, Python keeps the compiled modules it reads (a shell may say otherwise)
USER_ENV = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}


def timed(args: list[str], runs: int, cwd: Path = ROOT, env: dict | None = None) -> list[float]:
    """Wall times of ``runs`` runs, after one untimed run (the first run of a new install compiles scs)."""
    env = USER_ENV if env is None else env
    subprocess.run([SCS, *args], cwd=cwd, check=True, capture_output=True, env=env)
    out = []
    for _ in range(runs):
        start = time.perf_counter()
        subprocess.run([SCS, *args], cwd=cwd, check=True, capture_output=True, env=env)
        out.append(time.perf_counter() - start)
    return out


def show(label: str, t: list[float], target: float | None = None) -> None:
    goal = f"  (target <= {target:.1f} s)" if target else ""
    print(f"{label:44s} median {statistics.median(t):6.2f} s  max {max(t):6.2f} s  ({len(t)} runs){goal}")


def main() -> None:
    runs = int(sys.argv[1]) if len(sys.argv) > 1 else 5
    show("scs timetable", timed(["timetable"], runs), 0.3)
    show("scs timetable --json", timed(["timetable", "--json"], runs))
    show("scs plan --on 2011-04-18", timed(["plan", "--on", "2011-04-18"], runs))
    show("scs check", timed(["check"], runs))
    with tempfile.TemporaryDirectory() as tmp:
        base = Path(tmp)
        for name in ("config", "evidence", "templates"):
            shutil.copytree(ROOT / name, base / name)
        env = {**USER_ENV, "PREFECT_HOME": str(base / "prefect-home")}
        # The cycle up to the 7 April 2011 Board's report deadline; the Prefect home is warm after it.
        subprocess.run([SCS, "simulate", "--from", "2010-10-07", "--to", "2011-03-24", "--no-pdf"], cwd=base,
                       env=env, check=True, capture_output=True)
        show("scs tick, nothing due (Sat 26 Mar 2011)", timed(["tick", "--on", "2011-03-26"], runs, base, env), 2.0)
        show("scs papers lsp-board-2011-04-07 (with PDFs)",
             timed(["papers", "lsp-board-2011-04-07", "--on", "2011-03-24"], runs, base, env), 4.0)


if __name__ == "__main__":
    main()

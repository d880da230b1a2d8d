"""The whole 2010/11 cycle: wall time through Prefect, and the orchestration overhead.

Run A is `scs demo --fresh` as `make demo` runs it, in a fresh folder with a fresh Prefect
home, so the embedded Prefect API's start-up (database migrations included) is counted.
Run B does the same cycle in-process with the same domain functions and no Prefect at all.
Targets (issue 6): A under 45 s on this 2-core machine; A/B under 2.

Run: .venv/bin/python bench/bench_cycle.py [--no-pdf]
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SCS = str(Path(sys.executable).parent / "scs")


def folder(base: Path) -> Path:
    for name in ("config", "evidence", "templates"):
        shutil.copytree(ROOT / name, base / name)
    return base


def with_prefect(base: Path, pdf: bool) -> float:
    env = {**os.environ, "PREFECT_HOME": str(base / "prefect-home")}
    start = time.perf_counter()
    subprocess.run([SCS, "demo", "--fresh"] + ([] if pdf else ["--no-pdf"]), cwd=base, env=env, check=True,
                   capture_output=True)
    return time.perf_counter() - start


def without_prefect(base: Path, pdf: bool) -> float:
    sys.path.insert(0, str(ROOT))
    from flows.cycle import simulate  # the loop; its ticks below call the domain directly
    from scs_refresh.automation import tick
    from scs_refresh.core.folders import Dirs

    dirs = Dirs(base / "config", base / "out", base / "state", base / "templates")

    def direct(day: date) -> list[tick.ActionResult]:
        ctx = tick.Context.load(dirs, pdf)
        return [tick.run(ctx, action, day) for action in tick.pending(ctx, day)]

    start = time.perf_counter()
    simulate(dirs, date(2010, 10, 7), date(2011, 5, 19), pdf=pdf, fresh=True, run_tick=direct)
    return time.perf_counter() - start


def main() -> None:
    pdf = "--no-pdf" not in sys.argv
    with tempfile.TemporaryDirectory() as a, tempfile.TemporaryDirectory() as b:
        prefect_s = with_prefect(folder(Path(a)), pdf)
        direct_s = without_prefect(folder(Path(b)), pdf)
    label = "with PDFs" if pdf else "without PDFs"
    print(f"whole cycle {label}, 7 Oct 2010 to 19 May 2011 (2 cores):")
    print(f"  through Prefect (scs demo --fresh, fresh Prefect home): {prefect_s:6.1f} s  (target < 45 s)")
    print(f"  same work without Prefect:                              {direct_s:6.1f} s")
    print(f"  orchestration overhead ratio:                           {prefect_s / direct_s:6.2f}x (target < 2x)")


if __name__ == "__main__":
    main()

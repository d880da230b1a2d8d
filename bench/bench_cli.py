"""Wall time of `scs timetable` and `scs plan` as the officer runs them (fresh process each).

Target (issue 2): `scs timetable` well under a second; it must not import Prefect or pandas.
Run: .venv/bin/python bench/bench_cli.py [runs]
"""

from __future__ import annotations

import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SCS = str(Path(sys.executable).parent / "scs")


def timed(args: list[str], runs: int) -> list[float]:
    out = []
    for _ in range(runs):
        start = time.perf_counter()
        subprocess.run([SCS, *args], cwd=ROOT, check=True, capture_output=True)
        out.append(time.perf_counter() - start)
    return out


def main() -> None:
    runs = int(sys.argv[1]) if len(sys.argv) > 1 else 10
    for args in (["timetable"], ["timetable", "--json"], ["plan", "--on", "2011-04-18"], ["check"]):
        t = timed(args, runs)
        print(f"scs {' '.join(args):28s} median {statistics.median(t) * 1000:6.0f} ms  "
              f"max {max(t) * 1000:6.0f} ms  ({runs} runs)")


if __name__ == "__main__":
    main()

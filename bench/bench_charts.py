"""Benchmark and comparison harness (prints figures; not a test): the evidence base and the scorecard
as the 2010/11 demo writes them, its CPU seconds, and whether another tree writes the same files (issue 18).

The demo collates a new evidence base on three days (18 Nov 2010, its first meeting papers; 19 Jan 2011,
the consultation releases of 30 Nov 2010 out; 13 Apr 2011, IMD 2010 out) and refreshes the scorecard on
every paper day. ``CALLS`` replays those calls in the demo's order (as main made them on 2 Dec 2026) in one
folder, then writes each release day (and a current cycle, 1 Jul 2021, for the trend and IMD-share charts
the demo never draws) in a fresh folder of its own, so every chart of each day is drawn.

  --save DIR     keep every file written (e.g. run with main's code: the reference)
  --against DIR  compare with a kept reference: each file byte-identical, or a PNG with the same pixels and
                 text chunks (reported), else DIFFERENT and exit code 1
  --runs N       CPU seconds (time.process_time) of N runs, each in a fresh process so matplotlib's import and
                 first-chart set-up count as in the cycle; the CPU is shared, so compare trees in the same sitting

Run with the tree under test first on the path:
  PYTHONPATH=<tree>/src:<tree> .venv/bin/python bench/bench_charts.py --save /tmp/ref   (on main)
  PYTHONPATH=<tree>/src:<tree> .venv/bin/python bench/bench_charts.py --against /tmp/ref --runs 5
"""

from __future__ import annotations

import argparse
import io
import json
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
RELEASE_DAYS = (date(2010, 11, 18), date(2011, 1, 19), date(2011, 4, 13))
NOW = date(2021, 7, 1)
#: the demo's days that collate the evidence base, each with how many times the scorecard is refreshed on it
CALLS = ((date(2010, 11, 18), 1), (date(2010, 12, 8), 2), (date(2011, 1, 19), 1), (date(2011, 1, 31), 0),
         (date(2011, 2, 3), 0), (date(2011, 2, 8), 2), (date(2011, 3, 23), 1), (date(2011, 4, 12), 2),
         (date(2011, 4, 13), 1), (date(2011, 4, 15), 1), (date(2011, 4, 18), 1), (date(2011, 4, 19), 1),
         (date(2011, 4, 20), 1), (date(2011, 4, 21), 1), (date(2011, 4, 27), 1), (date(2011, 4, 28), 1),
         (date(2011, 5, 4), 3), (date(2011, 5, 11), 3), (date(2011, 5, 12), 3), (date(2011, 5, 17), 2))
SETS = ("evidence", "performance")


def workspace(base: Path):
    from scs_refresh.core.folders import Dirs
    from scs_refresh.workspace import Workspace

    for name in ("config", "evidence", "templates"):
        shutil.copytree(ROOT / name, base / name)
    return Workspace.load(Dirs(base / "config", base / "out", base / "state", base / "templates"))


def keep(out: Path, to: Path | None) -> None:
    if to is not None:
        for name in SETS:
            if (out / name).is_dir():
                shutil.copytree(out / name, to / name, dirs_exist_ok=True)


def once(save: Path | None) -> dict:
    """The demo's calls in one folder, then each release day in a fresh folder: CPU seconds of each part."""
    from scs_refresh import as_at
    from scs_refresh.evidence import charts

    drawn = []
    render = charts.render
    charts.render = lambda headline: drawn.append(headline.chart.file) or render(headline)
    cpu = {"evidence": 0.0, "scorecard": 0.0}
    with tempfile.TemporaryDirectory() as tmp:
        ws = workspace(Path(tmp) / "cycle")
        for day, refreshes in CALLS:
            t = time.process_time()
            as_at.evidence_snapshot(ws, day)
            cpu["evidence"] += time.process_time() - t
            t = time.process_time()
            for _ in range(refreshes):
                as_at.scorecard_on(ws, day)
            cpu["scorecard"] += time.process_time() - t
            keep(ws.dirs.out, save and save / "cycle" / day.isoformat())
        cycle_draws = len(drawn)
        t = time.process_time()
        for day in (*RELEASE_DAYS, NOW):
            ws = workspace(Path(tmp) / day.isoformat())
            as_at.scorecard_on(ws, day)
            keep(ws.dirs.out, save and save / "fresh" / day.isoformat())
        cpu["fresh days"] = time.process_time() - t
    return {**cpu, "cycle charts drawn": cycle_draws, "all charts drawn": len(drawn)}


def same_picture(a: bytes, b: bytes) -> bool:
    from PIL import Image

    x, y = Image.open(io.BytesIO(a)), Image.open(io.BytesIO(b))
    return (x.mode, x.size, x.text) == (y.mode, y.size, y.text) and x.tobytes() == y.tobytes()


def compare(ref: Path, new: Path) -> int:
    """Each of the reference's files against the new one; the number that differ (or are missing either side)."""
    names = {p.relative_to(ref) for p in ref.rglob("*") if p.is_file()}
    names |= {p.relative_to(new) for p in new.rglob("*") if p.is_file()}
    counts = {"identical": 0, "same pixels": 0, "DIFFERENT": 0}
    for name in sorted(names):
        a, b = ref / name, new / name
        if not (a.is_file() and b.is_file()):
            verdict = "DIFFERENT"
            print(f"  only in {'reference' if a.is_file() else 'new'}: {name}")
        elif a.read_bytes() == b.read_bytes():
            verdict = "identical"
        elif name.suffix == ".png" and same_picture(a.read_bytes(), b.read_bytes()):
            verdict = "same pixels"
            print(f"  same pixels, other bytes: {name} ({a.stat().st_size} -> {b.stat().st_size} bytes)")
        else:
            verdict = "DIFFERENT"
            print(f"  DIFFERENT: {name}")
        counts[verdict] += 1
    pngs = sum(1 for n in names if n.suffix == ".png")
    print(f"{len(names)} files ({pngs} PNGs): " + ", ".join(f"{n} {k}" for k, n in counts.items()))
    return counts["DIFFERENT"]


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--save", type=Path)
    ap.add_argument("--against", type=Path)
    ap.add_argument("--runs", type=int, default=0)
    ap.add_argument("--once", action="store_true", help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.once:
        print(json.dumps(once(args.save)))
        return 0
    differ = 0
    if args.save or args.against:
        with tempfile.TemporaryDirectory() as tmp:
            save = args.save or Path(tmp)
            if save.exists():
                shutil.rmtree(save)
            print(json.dumps(once(save)))
            if args.against:
                differ = compare(args.against, save)
    runs = [json.loads(subprocess.run([sys.executable, __file__, "--once"], check=True, capture_output=True,
                                      text=True).stdout) for _ in range(args.runs)]
    for part in ("evidence", "scorecard", "fresh days"):
        if runs:
            times = sorted(r[part] for r in runs)
            print(f"{part:10s} CPU s over {len(runs)} runs: min {times[0]:.2f}, median {statistics.median(times):.2f}, "
                  f"max {times[-1]:.2f}  ({', '.join(f'{t:.2f}' for t in times)})")
    if runs:
        print(f"charts drawn: {runs[0]['cycle charts drawn']} in the cycle's calls, "
              f"{runs[0]['all charts drawn']} with the fresh days")
    return 1 if differ else 0


if __name__ == "__main__":
    sys.exit(main())

"""The whole 2010/11 cycle against the cost of its documents (issue 18).

The floor is LibreOffice converting the cycle's distinct papers (by content) to PDF in one
process with a warm profile: the work no cycle can avoid. Measured in the same run as:
  A. `scs demo --fresh` as `make demo` runs it, in a fresh folder with a fresh Prefect home,
     so the embedded Prefect API's start-up (database migrations included) is counted;
  B. the same cycle in-process with the same domain functions and no Prefect at all.
Targets: A <= 2.0x the floor, B <= 1.5x the floor, A/B <= 1.4x. A is also run a second time in
the same folder, as every run after a user's first one is: Prefect's database then exists.

Each figure is wall time; the CPU seconds of this process and the children it waited for are printed
too (the `scs` command and Prefect's API with it; not the kept-alive LibreOffice, which nobody waits
for, so they are the Python side's work): on a shared machine the wall time moves with everyone
else's load, the CPU seconds much less.

On a shared machine one run says little: --runs N makes N rounds, each measuring its own floor, A, A again
and B (B in a fresh process, as A is), and prints each round's ratios and their medians.

Run: .venv/bin/python bench/bench_cycle.py [--no-pdf] [--runs N]
"""

from __future__ import annotations

import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SCS = str(Path(sys.executable).parent / "scs")


def cpu_seconds() -> float:
    """CPU used so far by this process and by the children it has waited for (and theirs)."""
    own, children = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


def timed(run, *args) -> tuple[float, float]:
    """Wall seconds and CPU seconds of ``run(*args)``."""
    before = cpu_seconds()
    wall = run(*args)
    return wall, cpu_seconds() - before


def folder(base: Path) -> Path:
    for name in ("config", "evidence", "templates"):
        shutil.copytree(ROOT / name, base / name)
    return base


def with_prefect(base: Path, pdf: bool) -> float:
    # as on the officer's machine, Python keeps the compiled modules it reads (a shell may say otherwise)
    env = {**{k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"},
           "PREFECT_HOME": str(base / "prefect-home")}
    start = time.perf_counter()
    subprocess.run([SCS, "demo", "--fresh"] + ([] if pdf else ["--no-pdf"]), cwd=base, env=env, check=True,
                   capture_output=True)
    return time.perf_counter() - start


def without_prefect_apart(base: Path, pdf: bool) -> float:
    """B in a process of its own (a later round must not find this one's imports and LibreOffice ready)."""
    run = subprocess.run([sys.executable, __file__, "--b-only", str(base)] + ([] if pdf else ["--no-pdf"]),
                         check=True, capture_output=True, text=True)
    return float(run.stdout.split()[-1])


def without_prefect(base: Path, pdf: bool) -> float:
    sys.path.insert(0, str(ROOT))
    from scs_refresh.automation.replay import replay  # the loop; its ticks below call the domain directly
    from scs_cli.main import collect_less
    from scs_refresh.automation import tick
    from scs_refresh.core.folders import Dirs

    collect_less()  # as `scs` runs
    if pdf:  # as `scs demo` does, LibreOffice starts while the cycle loads
        from scs_refresh.documents.pdf import start_libreoffice

        start_libreoffice(2)

    dirs = Dirs(base / "config", base / "out", base / "state", base / "templates")

    def direct(day: date) -> list[tick.ActionResult]:
        ctx = tick.Context.load(dirs, pdf)
        return [tick.run(ctx, action, day) for action in tick.pending(ctx, day)]

    start = time.perf_counter()
    replay(dirs, date(2010, 10, 7), date(2011, 5, 19), direct, pdf=pdf, fresh=True)
    return time.perf_counter() - start


def floor(out: Path, scratch: Path) -> tuple[float, int]:
    """One `soffice --convert-to pdf` over the cycle's distinct .docx, with a warm profile."""
    from scs_refresh.documents.pdf import content_key, export_filter, soffice

    distinct = {}
    for f in sorted(out.rglob("*.docx")):
        distinct.setdefault(content_key(f), f)
    files = []
    for n, f in enumerate(distinct.values()):
        files.append(shutil.copy(f, scratch / f"{n:02d}-{f.name}"))
    profile = f"-env:UserInstallation={(scratch / 'profile').as_uri()}"
    # The product's own export settings (tagged PDF/UA): the floor does the same conversion, once.
    cmd = [soffice(), "--headless", "--norestore", profile, "--convert-to", export_filter(), "--outdir",
           str(scratch / "pdf")]
    subprocess.run(cmd + [str(files[0])], check=True, capture_output=True)  # warm the profile
    start = time.perf_counter()
    subprocess.run(cmd + [str(f) for f in files], check=True, capture_output=True)
    return time.perf_counter() - start, len(files)


def one_round(pdf: bool) -> dict[str, float]:
    """Wall and CPU seconds of A, A again, B and the floor, measured one after the other."""
    with tempfile.TemporaryDirectory() as a, tempfile.TemporaryDirectory() as b, \
            tempfile.TemporaryDirectory() as c:
        got = {}
        got["A"], got["A cpu"] = timed(with_prefect, folder(Path(a)), pdf)
        got["A again"], got["A again cpu"] = timed(with_prefect, Path(a), pdf)  # Prefect's database now exists
        got["B"], got["B cpu"] = timed(without_prefect_apart, folder(Path(b)), pdf)
        before = cpu_seconds()
        got["floor"], got["papers"] = floor(Path(a) / "out", Path(c)) if pdf else (None, 0)
        got["floor cpu"] = cpu_seconds() - before  # the warm-up conversion included
    return got


def report(got: dict[str, float], pdf: bool) -> None:
    label = "with PDFs" if pdf else "without PDFs"
    floor_s, prefect_s, direct_s, warm_s = got["floor"], got["A"], got["B"], got["A again"]
    print(f"whole cycle {label}, 7 Oct 2010 to 19 May 2011 ({os.cpu_count()} cores):")
    if floor_s:
        print(f"  floor: one LibreOffice converting the {got['papers']:.0f} distinct papers:  {floor_s:6.1f} s")
    for name, s, target in (("through Prefect (scs demo --fresh, fresh Prefect home)", prefect_s, 2.0),
                            ("same work without Prefect", direct_s, 1.5)):
        ratio = f"  = {s / floor_s:4.2f}x the floor (target <= {target}x)" if floor_s else ""
        print(f"  {name + ':':57s}{s:6.1f} s{ratio}")
    print(f"  Prefect's overhead (A/B):{'':33s}{prefect_s / direct_s:6.2f}x (target <= 1.4x)")
    ratio = f"  = {warm_s / floor_s:4.2f}x the floor" if floor_s else ""
    print(f"  A again, Prefect's home already made (every later run): {warm_s:6.1f} s{ratio}; "
          f"overhead {warm_s / direct_s:4.2f}x")
    print(f"  CPU seconds (all processes): A {got['A cpu']:.1f}, A again {got['A again cpu']:.1f}, B {got['B cpu']:.1f}"
          + (f", floor (with its warm-up) {got['floor cpu']:.1f}" if floor_s else "")
          + f"; A/B {got['A cpu'] / got['B cpu']:.2f}x, A again/B {got['A again cpu'] / got['B cpu']:.2f}x")


def main() -> None:
    pdf = "--no-pdf" not in sys.argv
    if "--b-only" in sys.argv:  # one B, in this process, for without_prefect_apart
        print(without_prefect(Path(sys.argv[sys.argv.index("--b-only") + 1]), pdf))
        return
    runs = int(sys.argv[sys.argv.index("--runs") + 1]) if "--runs" in sys.argv else 1
    rounds = []
    for n in range(runs):
        rounds.append(one_round(pdf))
        if runs > 1:
            print(f"round {n + 1} of {runs}:")
        report(rounds[-1], pdf)
    if runs > 1 and pdf:
        print(f"medians over {runs} rounds (each ratio against its own round's floor):")
        for name, ratio in (("A / floor (target <= 2.0x)", lambda g: g["A"] / g["floor"]),
                            ("B / floor (target <= 1.5x)", lambda g: g["B"] / g["floor"]),
                            ("A / B (target <= 1.4x)", lambda g: g["A"] / g["B"]),
                            ("A again / floor", lambda g: g["A again"] / g["floor"])):
            values = sorted(ratio(g) for g in rounds)
            print(f"  {name:28s} median {statistics.median(values):4.2f}x  "
                  f"(rounds: {' '.join(f'{v:.2f}' for v in values)})")


if __name__ == "__main__":
    main()

"""page_body over a demo cycle's papers: mammoth on its own (as before issue #18) against mammoth made
quick by scs_refresh.documents.mammoth_quick (parts read by lxml, a template's styles and numbering
read once, each style looked up once per conversion, no garbage collection during a conversion), in
the same process, rounds interleaved.

Target (issue #18, "Fast and steady"): 3x quicker, the HTML byte-identical: every paper's body is
compared, and any difference stops the bench.

The papers are every distinct .docx (by content) under the out folder of a demo cycle: made here first
with `scs demo --fresh --no-pdf` in a scratch folder (about a minute), or given with --out. Garbage is
collected as `scs` collects it, and by default the cycle's modules are imported first, so the process
holds the heap the cycle's own does (garbage collection costs with it); --bare leaves them out. Each
paper is converted before and after in turn, every round, and timed in CPU seconds of the thread: on a
shared machine the wall time moves with everyone else's load, CPU time less, and each paper's fastest
round least of all (the figure to compare).

Run: .venv/bin/python bench/bench_html.py [--out DEMO/out] [--rounds N] [--bare]
"""

from __future__ import annotations

import argparse
import gc
import hashlib
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT / "src"), str(ROOT)]


def demo_out(scratch: Path) -> Path:
    """A demo cycle's out folder, made in ``scratch`` with this tree's code."""
    for name in ("config", "evidence", "templates"):
        shutil.copytree(ROOT / name, scratch / name)
    env = {**os.environ, "PREFECT_HOME": str(scratch / "prefect-home"),
           "PYTHONPATH": os.pathsep.join([str(ROOT / "src"), str(ROOT)])}
    subprocess.run([sys.executable, "-m", "scs_cli.main", "demo", "--fresh", "--no-pdf"], cwd=scratch, env=env,
                   check=True, capture_output=True)
    return scratch / "out"


def papers(out: Path) -> list[Path]:
    """Each distinct .docx under ``out`` once (page_body converts each content once per process)."""
    distinct: dict[str, Path] = {}
    for path in sorted(out.rglob("*.docx")):
        distinct.setdefault(hashlib.sha256(path.read_bytes()).hexdigest(), path)
    return list(distinct.values())


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--out", type=Path, help="a demo cycle's out folder (default: make one)")
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--bare", action="store_true", help="without the cycle's modules imported")
    args = parser.parse_args()
    from scs_cli.main import collect_less

    collect_less()  # garbage collected as `scs` runs
    if not args.bare:  # as the cycle's process holds them (bench_cycle.py, "without Prefect")
        from flows.cycle import simulate  # noqa: F401
        from scs_refresh.automation import tick  # noqa: F401

    import mammoth

    from scs_refresh.documents import html, mammoth_quick

    def before(path: Path) -> str:
        """page_body as it was: its content key, then mammoth on its own."""
        html.content_key(path)
        with mammoth_quick.uninstalled(), open(path, "rb") as f:
            return html._tidy(mammoth.convert_to_html(f, style_map=html.STYLE_MAP).value)

    def after(path: Path) -> str:
        return html.page_body(path)

    with tempfile.TemporaryDirectory() as tmp:
        out = args.out or demo_out(Path(tmp))
        docs = papers(out)
        print(f"{len(docs)} distinct papers under {out}; {len(gc.get_objects())} objects in the process")
        times: dict[str, dict[Path, list[float]]] = {"before": {p: [] for p in docs}, "after": {p: [] for p in docs}}
        for _ in range(args.rounds):
            mammoth_quick._kept.clear()  # each round reads each template's parts anew
            mammoth_quick.reads.clear()
            for path in docs:  # before and after side by side, so that both meet the same load
                bodies = []
                for label, convert in (("before", before), ("after", after)):
                    html._BODIES.clear()
                    start = time.thread_time()
                    bodies.append(convert(path))
                    times[label][path].append(time.thread_time() - start)
                if bodies[0] != bodies[1]:
                    sys.exit(f"{path}: the page body differs from mammoth's own")
        reads = dict(mammoth_quick.reads)
    print(f"every page body byte-identical ({len(docs)} papers x {args.rounds} rounds); parts read in a round "
          f"after: {reads.get('lxml', 0)} by lxml, {reads.get('kept', 0)} kept from an earlier paper, "
          f"{reads.get('mammoth', 0)} left to minidom")
    total = {label: {how: sum(pick(runs) for runs in by_paper.values()) for how, pick in
                     (("fastest", min), ("median", statistics.median))} for label, by_paper in times.items()}
    for label, sums in total.items():
        print(f"{label:>6}: CPU of this thread over the papers, each paper's fastest round {sums['fastest']:.2f} s, "
              f"its median round {sums['median']:.2f} s")
    print(f"after is {total['before']['fastest'] / total['after']['fastest']:.1f}x quicker (fastest rounds), "
          f"{total['before']['median'] / total['after']['median']:.1f}x (median rounds); target 3x")


if __name__ == "__main__":
    main()

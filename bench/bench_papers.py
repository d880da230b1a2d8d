"""Time to render one LSP Board report, to build a 10-paper board pack, and to build the draft SCS.

Target (issue 5): a board report in under 1 second. Run: .venv/bin/python bench/bench_papers.py
"""

from __future__ import annotations

import statistics
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from scs_refresh.evidence.collate import collate_and_write  # noqa: E402
from scs_refresh.papers.wording import load_papers_config  # noqa: E402
from scs_refresh.papers.contexts import RefreshState, board_report_context  # noqa: E402
from scs_refresh.documents.release import compose_pack  # noqa: E402
from scs_refresh.strategy.draft import write_draft  # noqa: E402
from scs_refresh.workspace import Workspace  # noqa: E402
from scs_refresh.documents.render import render_docx  # noqa: E402
from scs_refresh.core.folders import Dirs  # noqa: E402
from scs_refresh.timetable.model import load_timetable  # noqa: E402


def bench_draft_scs(tmp: Path) -> None:
    """The draft SCS: evidence collation, then each version (content, render, checks, snapshot)."""
    on = date(2011, 1, 20)
    inputs = Workspace.load(Dirs(config=ROOT / "config", out=tmp, state=tmp)).draft_inputs()
    start = time.perf_counter()
    base, folder = collate_and_write(inputs.manifest, tmp, on)
    collated = time.perf_counter() - start
    times = []
    for i in range(5):
        start = time.perf_counter()
        result = write_draft(inputs, base.digest, {}, folder / "charts", tmp / f"scs{i}", ROOT / "templates", on)
        times.append(time.perf_counter() - start)
    start = time.perf_counter()
    write_draft(inputs, base.digest, {}, folder / "charts", tmp / "scs0", ROOT / "templates", on)
    unchanged = time.perf_counter() - start
    print(f"draft SCS ({len(inputs.scs.themes)} themes, {result.docx.stat().st_size // 1024} KB): evidence collation "
          f"{collated * 1000:.0f} ms; new version (content + render + checks + snapshot) median "
          f"{statistics.median(times) * 1000:.0f} ms, first {times[0] * 1000:.0f} ms; re-run with no changes "
          f"{unchanged * 1000:.0f} ms")


def main() -> None:
    tt = load_timetable(ROOT / "config" / "timetable.yaml")
    state = RefreshState(tt, load_papers_config(ROOT / "config" / "papers.yaml"), date(2010, 11, 18))
    event = tt.event["lsp-board-2010-12-03"]
    paper = next(p for p in event.papers if p.kind == "board_report")
    template = ROOT / "templates" / "board_report_tpl.docx"
    with tempfile.TemporaryDirectory() as tmp:
        times, outs = [], []
        for i in range(10):
            start = time.perf_counter()
            outs.append(render_docx(template, board_report_context(state, event, paper), Path(tmp) / f"r{i}.docx"))
            times.append(time.perf_counter() - start)
        print(f"board report (context + render + atomic save): median {statistics.median(times) * 1000:.0f} ms, "
              f"first {times[0] * 1000:.0f} ms (target < 1000 ms)")
        start = time.perf_counter()
        compose_pack(outs, Path(tmp) / "pack.docx", "Board pack")
        print(f"10-paper board pack (docxcompose): {(time.perf_counter() - start) * 1000:.0f} ms")
        bench_draft_scs(Path(tmp))


if __name__ == "__main__":
    main()

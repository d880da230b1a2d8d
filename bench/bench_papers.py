"""Time to render one LSP Board report, and to build a 10-paper board pack.

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

from scs_refresh.papers.config import load_papers_config  # noqa: E402
from scs_refresh.papers.contexts import RefreshState, board_report_context  # noqa: E402
from scs_refresh.papers.generate import compose_pack  # noqa: E402
from scs_refresh.papers.word import render_docx  # noqa: E402
from scs_refresh.timetable import load_timetable  # noqa: E402


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


if __name__ == "__main__":
    main()

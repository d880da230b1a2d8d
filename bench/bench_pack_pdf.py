"""A pack's PDF: LibreOffice converting the merged pack .docx (before issue #18) against joining its
papers' PDFs (pack_from_papers), on the same papers, alternately, with LibreOffice already running.

Run: .venv/bin/python bench/bench_pack_pdf.py [OUT/MEETING ...]
Without a folder it writes the LSP Board of 3 December 2010 (bundled config) with PDFs first; with
folders (``out/<meeting>`` of a demo run) it uses their papers, PDFs and pack. Timings on a shared
machine are noisy: the count of LibreOffice conversions is the figure that does not move.
"""

from __future__ import annotations

import json
import statistics
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from scs_refresh.documents import pdf as pdfmod  # noqa: E402
from scs_refresh.documents.pdf import pack_from_papers, soffice, to_pdf  # noqa: E402

ROUNDS = 3


def _meeting(tmp: Path) -> Path:
    """The LSP Board of 3 December 2010 written with PDFs, counting what LibreOffice is asked to convert."""
    from scs_refresh.papers.contexts import RefreshState
    from scs_refresh.papers.funding import load_funding
    from scs_refresh.papers.generate import generate_meeting_papers
    from scs_refresh.papers.wording import load_papers_config
    from scs_refresh.timetable.model import load_timetable

    tt = load_timetable(ROOT / "config" / "timetable.yaml")
    state = RefreshState(tt, load_papers_config(ROOT / "config" / "papers.yaml"), on=date(2010, 11, 18),
                         funding=load_funding(ROOT / "config" / "funding_allocations.yaml"))
    asked, real = [], pdfmod._convert

    def counting(exe, files, scratch, timeout):
        asked.extend(files)
        return real(exe, files, scratch, timeout)

    pdfmod._convert = counting
    try:
        start = time.perf_counter()
        result = generate_meeting_papers(state, "lsp-board-2010-12-03", tmp, ROOT / "templates", pdf=True)
        took = time.perf_counter() - start
    finally:
        pdfmod._convert = real
    print(f"lsp-board-2010-12-03 papers with PDFs: {took:.1f} s, LibreOffice conversions {len(asked)} "
          f"(the pack's: {sum(Path(f).name == result.pack.name for f in asked)})")
    return result.folder


def bench(folder: Path) -> None:
    manifest = json.loads((folder / "papers.json").read_text())
    pack = folder / manifest["pack"]
    files = [folder / f for f in manifest["files"]]
    parts = ([f for f in files if f.name == "00-agenda.docx"]
             + [f for f in files if f.suffix == ".docx" and f.parent == folder and f != pack
                and f.name != "00-agenda.docx" and "tracked-changes" not in f.name])
    part_pdfs = [folder / "pdf" / f"{p.stem}.pdf" for p in parts]
    title = f"Board pack of {folder.name}"
    office = pdfmod._shared_office(soffice())
    converted, joined = [], []
    with tempfile.TemporaryDirectory() as tmp:
        for i in range(ROUNDS):
            office.cache = pdfmod._Converted()  # each round really converts
            start = time.perf_counter()
            to_pdf([pack], Path(tmp) / f"lo{i}")
            converted.append(time.perf_counter() - start)
            start = time.perf_counter()
            pack_from_papers(pack, parts, part_pdfs, title)
            joined.append(time.perf_counter() - start)
    print(f"{folder.name} ({len(parts)} parts): LibreOffice converting the pack median "
          f"{statistics.median(converted) * 1000:.0f} ms; joined from the papers' PDFs median "
          f"{statistics.median(joined) * 1000:.0f} ms (rounds: {', '.join(f'{t:.2f}' for t in converted)} / "
          f"{', '.join(f'{t:.2f}' for t in joined)} s)")


def main() -> None:
    if soffice() is None:
        sys.exit("LibreOffice is not installed")
    pdfmod.start_libreoffice()
    with tempfile.TemporaryDirectory() as tmp:
        folders = [Path(a) for a in sys.argv[1:]] or [_meeting(Path(tmp))]
        to_pdf([next(folders[0].glob("*.docx"))], Path(tmp) / "warm-up")  # LibreOffice up before timing
        for folder in folders:
            bench(folder)


if __name__ == "__main__":
    main()

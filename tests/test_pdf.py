"""PDF conversion: one LibreOffice for the process, each distinct paper converted once, every PDF
tagged (PDF/UA, en-GB, its title shown, figures with their alternative text) or not released."""

import subprocess
import sys
import textwrap
import threading
import time

import docx
import pytest

from scs_refresh.documents import pdf
from scs_refresh.documents.contents import pdf_pages
from scs_refresh.documents.accessibility import check_pdf
from scs_refresh.documents.docxkit import set_alt_text, set_language
from scs_refresh.documents.pdf import content_key, pictures, soffice, to_pdf
from scs_refresh.documents.release import PaperCheckFailed

needs_office = pytest.mark.skipif(soffice() is None, reason="LibreOffice not installed (.ci/run installs it)")


def _paper(path, text, language="en-GB"):
    doc = set_language(docx.Document(), language)
    doc.core_properties.title = "A paper"
    doc.add_paragraph(text)
    doc.save(path)
    return path


def _chart(path):
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(3, 2))
    ax.bar(["Breckland", "Norfolk"], [82.2, 79.5])
    fig.savefig(path)
    plt.close(fig)
    return path


def _paper_with_chart(path, alt):
    from docx.shared import Mm

    doc = set_language(docx.Document(), "en-GB")
    doc.core_properties.title = "Evidence headlines"
    doc.add_heading("Evidence headlines", level=1)
    doc.add_paragraph("Satisfaction with the local area.")
    shape = doc.add_picture(str(_chart(path.with_suffix(".png"))), width=Mm(80))
    if alt:
        set_alt_text(shape, alt)
    doc.save(path)
    return path


def _structure(pdf_file):
    """Root entries and the structure types of a PDF, read with pikepdf (not the project's checker)."""
    import pikepdf

    with pikepdf.open(pdf_file) as p:
        kinds, alts, stack = [], [], [p.Root.StructTreeRoot.K]
        while stack:
            node = stack.pop()
            if isinstance(node, pikepdf.Array):
                stack.extend(node)
            elif isinstance(node, pikepdf.Dictionary) and "/S" in node:
                kinds.append(str(node.S))
                if node.S == "/Figure":
                    alts.append(str(node.get("/Alt", "")))
                if "/K" in node:
                    stack.append(node.K)
        return {"lang": str(p.Root.Lang), "marked": bool(p.Root.MarkInfo.Marked),
                "title": str(p.docinfo.Title), "shows_title": bool(p.Root.ViewerPreferences.DisplayDocTitle),
                "pdfua": "pdfuaid:part" in str(p.open_metadata()), "kinds": kinds, "alts": alts}


def _rewrapped(docx_file, dest, when=(2010, 10, 7, 9, 30, 0)):
    """The same parts in a new zip, each dated ``when``: what saving the paper again later gives, without waiting
    for the zip clock (it counts in 2 s steps) to move on."""
    import zipfile

    with zipfile.ZipFile(docx_file) as src, zipfile.ZipFile(dest, "w", zipfile.ZIP_DEFLATED) as out:
        for info in src.infolist():
            out.writestr(zipfile.ZipInfo(info.filename, date_time=when), src.read(info.filename))
    return dest


def test_content_key_ignores_the_zip_wrapper_but_not_the_words(tmp_path):
    a = _paper(tmp_path / "a.docx", "Breckland Partnership")
    b = _rewrapped(a, tmp_path / "b.docx")  # zip entries carry the time of writing
    c = _paper(tmp_path / "c.docx", "Breckland Partnership Board")
    assert a.read_bytes() != b.read_bytes()
    assert content_key(a) == content_key(b) != content_key(c)


def test_a_copied_paper_has_its_key_without_being_unzipped_again(tmp_path, monkeypatch):
    """A file with the same bytes as one keyed before (the Strategy copied into a meeting's set) takes that
    key; a file with other bytes is unzipped and keyed afresh."""
    import shutil

    a = _paper(tmp_path / "a.docx", "Breckland Partnership")
    key = content_key(a)
    copy = shutil.copy(a, tmp_path / "copy.docx")
    rewrapped = _rewrapped(a, tmp_path / "b.docx", when=(2011, 5, 19, 10, 0, 0))  # bytes not keyed before
    opened = []
    real = pdf.zipfile.ZipFile
    monkeypatch.setattr(pdf.zipfile, "ZipFile", lambda *args, **kw: opened.append(args) or real(*args, **kw))
    assert content_key(copy) == key and opened == []
    assert content_key(rewrapped) == key and len(opened) == 1


@needs_office
def test_the_same_paper_twice_is_converted_once(tmp_path, monkeypatch):
    calls = []
    real = pdf._convert
    monkeypatch.setattr(pdf, "_convert", lambda exe, files, *a: calls.append(files) or real(exe, files, *a))
    first = _paper(tmp_path / "report.docx", "Draft version 1 of the Strategy")
    copy = tmp_path / "copy" / "02-draft.docx"
    copy.parent.mkdir()
    copy.write_bytes(first.read_bytes())
    [p1] = to_pdf([first], tmp_path / "pdf")
    [p2] = to_pdf([copy], tmp_path / "pdf2")
    assert len(calls) == 1 and p2.name == "02-draft.pdf"
    assert p1.read_bytes() == p2.read_bytes() and p2.read_bytes().startswith(b"%PDF")


@needs_office
def test_libreoffice_stays_up_for_the_process_and_goes_with_it(tmp_path):
    """Two conversions share one LibreOffice; when the process ends, so does LibreOffice."""
    script = textwrap.dedent(f"""
        import os, sys
        from pathlib import Path
        import docx
        from scs_refresh.documents import pdf
        from scs_refresh.documents.docxkit import set_language
        for n in (1, 2):
            d = set_language(docx.Document(), "en-GB"); d.core_properties.title = f"Paper {{n}}"
            d.add_paragraph(f"paper {{n}}"); d.save(f"{tmp_path}/p{{n}}.docx")
            pdf.to_pdf([Path(f"{tmp_path}/p{{n}}.docx")], Path("{tmp_path}/pdf"))
            print(pdf._office.proc.pid, flush=True)
        print(pdf._office.dir, flush=True)
        {{"exit": lambda: None, "kill": lambda: os.kill(os.getpid(), 9)}}[sys.argv[1]]()
    """)
    for how in ("exit", "kill"):
        out = subprocess.run([sys.executable, "-c", script, how], capture_output=True, text=True, timeout=120)
        first, second, folder = out.stdout.split()
        assert first == second, "the second conversion started another LibreOffice"
        assert (tmp_path / "pdf" / "p2.pdf").read_bytes().startswith(b"%PDF")
        for _ in range(50):  # the watchdog looks every 2 s
            left = subprocess.run(["pgrep", "-f", folder], capture_output=True, text=True).stdout
            if not left:
                break
            time.sleep(0.2)
        assert left == "", f"LibreOffice outlived the process ({how})"


@needs_office
def test_libreoffice_started_early_is_ready_and_the_first_paper_uses_it(tmp_path):
    """``start_libreoffice`` (before a cycle loads) leaves LibreOffice running, its PDF export tried on a
    blank page; the first paper's conversion then goes to that LibreOffice, not a new one."""
    exe = soffice()
    assert pdf._warm_up(exe)
    running = pdf._shared_office(exe).proc.pid
    [out] = to_pdf([_paper(tmp_path / "first.docx", "the first paper after the warm-up")], tmp_path / "pdf")
    assert out.read_bytes().startswith(b"%PDF") and pdf._shared_office(exe).proc.pid == running


@needs_office
def test_with_a_second_libreoffice_a_batch_is_shared_and_each_paper_is_as_one_would_make_it(tmp_path, monkeypatch):
    """A replay's second LibreOffice (``start_libreoffice(2)``) takes a share of each batch; every paper is
    still converted once, and its PDF is the one a single LibreOffice makes of it."""
    exe = soffice()
    monkeypatch.setattr(pdf, "_second", None)
    second = pdf._shared_office(exe, second=True)
    try:
        assert pdf._warm_up(exe) and pdf._warm_up(exe, second)
        assert pdf._offices(exe) == [pdf._shared_office(exe), second]
        used = []
        real = pdf._convert
        monkeypatch.setattr(pdf, "_convert", lambda exe, files, scratch, timeout, office:
                            used.append((office, [f.name for f in files])) or real(exe, files, scratch, timeout, office))
        papers = [_paper(tmp_path / f"paper-{n}.docx", f"paper {n} of a batch shared by two LibreOffices " * (n + 1))
                  for n in range(3)]
        shared = to_pdf(papers, tmp_path / "two")
        assert {office for office, _ in used} == {pdf._shared_office(exe), second}
        assert sorted(name for _, names in used for name in names) == [p.name for p in papers]
        monkeypatch.setattr(pdf._shared_office(exe), "cache", pdf._Converted())  # convert them again, with one
        monkeypatch.setattr(pdf, "_second", None)
        alone = to_pdf(papers, tmp_path / "one")
        assert [pdf_pages(p) for p in shared] == [pdf_pages(p) for p in alone]
        assert all(check_pdf(p, figures=0) == [] for p in shared)
    finally:
        second.stop()


@needs_office
def test_a_paper_converted_ahead_is_not_converted_again_when_asked_for(tmp_path, monkeypatch):
    calls = []
    real = pdf._convert
    monkeypatch.setattr(pdf, "_convert", lambda exe, files, *a: calls.append(
        (threading.current_thread().name, [f.name for f in files])) or real(exe, files, *a))
    paper = _paper(tmp_path / "strategy.docx", "a Strategy converted while the other papers are written")
    pdf.convert_soon(paper)
    [out] = to_pdf([paper], tmp_path / "pdf")  # asked for while it converts: it waits for that conversion
    assert calls == [("scs-pdf-soon", ["strategy.docx"])]
    assert out.read_bytes().startswith(b"%PDF") and check_pdf(out, figures=0) == []


@needs_office
def test_a_paper_converted_ahead_is_still_checked_before_release(tmp_path):
    paper = _paper(tmp_path / "us-ahead.docx", "Color and organization", language="en-US")
    pdf.convert_soon(paper)
    with pytest.raises(PaperCheckFailed, match="the PDF's language is en-US, not en-GB"):
        to_pdf([paper], tmp_path / "pdf")
    assert [p.name for p in (tmp_path / "pdf").iterdir()] == ["us-ahead.rejected.pdf"]


@needs_office
def test_a_libreoffice_that_will_not_start_falls_back_to_one_per_call(tmp_path, monkeypatch):
    monkeypatch.setattr(pdf, "START_TIMEOUT", 0.0)
    monkeypatch.setattr(pdf, "_office", None)
    [out] = to_pdf([_paper(tmp_path / "late.docx", "a paper no other test converts")], tmp_path / "pdf")
    assert out.read_bytes().startswith(b"%PDF") and pdf._office.gave_up
    monkeypatch.setattr(pdf._office, "_start", lambda: pytest.fail("tried to start LibreOffice again"))
    [again] = to_pdf([_paper(tmp_path / "later.docx", "another paper")], tmp_path / "pdf")
    assert again.read_bytes().startswith(b"%PDF")
    pdf._office.stop()


@needs_office
def test_a_paper_becomes_a_tagged_pdf_in_en_gb_with_its_figure_described(tmp_path):
    alt = "Bar chart: 82.2% of Breckland residents are satisfied with their area, against 79.5% in Norfolk."
    paper = _paper_with_chart(tmp_path / "headlines.docx", alt)
    [out] = to_pdf([paper], tmp_path / "pdf")
    seen = _structure(out)
    assert seen["lang"] == "en-GB" and seen["marked"] and seen["pdfua"]
    assert seen["title"] == "Evidence headlines" and seen["shows_title"]
    assert "/H1" in seen["kinds"] and seen["alts"] == [alt]
    assert check_pdf(out, figures=pictures(paper)) == [] and pictures(paper) == 1


@needs_office
def test_a_pdf_whose_figure_has_no_alternative_text_is_not_released(tmp_path):
    paper = _paper_with_chart(tmp_path / "no-alt.docx", alt=None)
    with pytest.raises(PaperCheckFailed, match=r"no-alt\.pdf: not released.*figure 1 of the PDF has no alternative"):
        to_pdf([paper], tmp_path / "pdf")
    assert not (tmp_path / "pdf" / "no-alt.pdf").exists()
    assert (tmp_path / "pdf" / "no-alt.rejected.pdf").read_bytes().startswith(b"%PDF")


@needs_office
def test_a_paper_in_us_english_is_not_released_as_a_pdf(tmp_path):
    paper = _paper(tmp_path / "us.docx", "Colour and organisation", language="en-US")
    with pytest.raises(PaperCheckFailed, match="the PDF's language is en-US, not en-GB"):
        to_pdf([paper], tmp_path / "pdf")
    assert [p.name for p in (tmp_path / "pdf").iterdir()] == ["us.rejected.pdf"]


def test_an_untagged_pdf_fails_every_check(tmp_path):
    import pikepdf

    plain = pikepdf.new()
    plain.add_blank_page()
    plain.save(tmp_path / "plain.pdf")
    problems = check_pdf(tmp_path / "plain.pdf", figures=2)
    assert problems == ["the PDF is not tagged (no structure tree): a screen reader cannot follow it",
                        "the PDF is not marked as tagged (/MarkInfo /Marked true)",
                        "the PDF's language is not set, not en-GB", "the PDF has no title",
                        "the PDF shows its file name, not its title (/DisplayDocTitle)"]
    (tmp_path / "broken.pdf").write_bytes(b"%PDF-1.7 not really")
    assert check_pdf(tmp_path / "broken.pdf")[0].startswith("not a PDF that can be read")


def test_the_export_settings_are_given_on_every_conversion():
    import json

    kind, flt, options = pdf.export_filter().split(":", 2)
    assert (kind, flt) == ("pdf", "writer_pdf_Export")
    assert {k: v["value"] for k, v in json.loads(options).items() if v["value"] == "true"}.keys() >= {
        "UseTaggedPDF", "PDFUACompliance", "DisplayPDFDocumentTitle"}


def test_the_pdfs_kept_for_reuse_are_bounded_the_least_recently_used_going_first():
    from scs_refresh.documents.pdf import _Converted

    kept = _Converted(limit=10)
    kept["a"], kept["b"] = b"1234", b"5678"
    assert kept["a"] == b"1234"  # used: "b" is now the oldest
    kept["c"] = b"90ab"
    assert list(kept) == ["a", "c"] and kept.size == 8
    kept["d"] = b"x" * 20  # bigger than the limit on its own: kept, everything else dropped
    assert list(kept) == ["d"] and kept.size == 20


def test_papers_added_while_libreoffice_converts_go_in_its_next_call_each_to_its_own_pdf(tmp_path, monkeypatch):
    import threading

    started, busy, calls = threading.Event(), threading.Event(), []

    def slow_to_pdf(files, out_dir):
        calls.append([f"{f.parent.name}/{f.name}" for f in files])
        started.set()
        busy.wait(10)  # the first call is still converting while the others are added
        return [out_dir / f"{f.parent.name}-{f.stem}.pdf" for f in files]

    monkeypatch.setattr(pdf, "to_pdf", slow_to_pdf)
    first, *others = [tmp_path / "a" / "01-report.docx", tmp_path / "a" / "02-annex.docx",
                      tmp_path / "b" / "02-annex.docx", tmp_path / "a" / "03-minutes.docx"]
    with pdf.PdfQueue(tmp_path / "pdf") as queue:
        queue.add(first)
        assert started.wait(10)
        for paper in others:
            queue.add(paper)
        busy.set()
        made = queue.wait([first, *others])
    assert made == [tmp_path / "pdf" / f"{p.parent.name}-{p.stem}.pdf" for p in [first, *others]]
    # the next call took all that was added meanwhile, but the second paper of one name (one PDF name in
    # LibreOffice's folder) waited for the call after
    assert calls == [["a/01-report.docx"], ["a/02-annex.docx", "a/03-minutes.docx"], ["b/02-annex.docx"]]

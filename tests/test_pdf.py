"""PDF conversion: one LibreOffice for the process, each distinct paper converted once."""

import subprocess
import sys
import textwrap
import time

import docx
import pytest

from scs_refresh.documents import pdf
from scs_refresh.documents.pdf import content_key, soffice, to_pdf

needs_office = pytest.mark.skipif(soffice() is None, reason="LibreOffice not installed (.ci/run installs it)")


def _paper(path, text):
    doc = docx.Document()
    doc.core_properties.title = "A paper"
    doc.add_paragraph(text)
    doc.save(path)
    return path


def test_content_key_ignores_the_zip_wrapper_but_not_the_words(tmp_path):
    a = _paper(tmp_path / "a.docx", "Breckland Partnership")
    time.sleep(2.1)  # zip entries carry the time of writing, to 2 s
    b = _paper(tmp_path / "b.docx", "Breckland Partnership")
    c = _paper(tmp_path / "c.docx", "Breckland Partnership Board")
    assert a.read_bytes() != b.read_bytes()
    assert content_key(a) == content_key(b) != content_key(c)


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
        for n in (1, 2):
            d = docx.Document(); d.add_paragraph(f"paper {{n}}"); d.save(f"{tmp_path}/p{{n}}.docx")
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
def test_a_libreoffice_that_will_not_start_falls_back_to_one_per_call(tmp_path, monkeypatch):
    monkeypatch.setattr(pdf, "START_TIMEOUT", 0.0)
    monkeypatch.setattr(pdf, "_office", None)
    [out] = to_pdf([_paper(tmp_path / "late.docx", "a paper no other test converts")], tmp_path / "pdf")
    assert out.read_bytes().startswith(b"%PDF") and pdf._office.gave_up
    monkeypatch.setattr(pdf._office, "_start", lambda: pytest.fail("tried to start LibreOffice again"))
    [again] = to_pdf([_paper(tmp_path / "later.docx", "another paper")], tmp_path / "pdf")
    assert again.read_bytes().startswith(b"%PDF")
    pdf._office.stop()

"""A pack's PDF joined from its papers' PDFs (issue #18) reads as LibreOffice's conversion of the pack
.docx: the same pages with the same words (the pack's footer, page numbers running on), the same
headings and figures, tagged and accessible; and the pack is not converted by LibreOffice again."""

import re
import subprocess
from datetime import date
from pathlib import Path

import pikepdf
import pytest

from scs_refresh.documents import pdf as pdfmod
from scs_refresh.documents.accessibility import check_pdf
from scs_refresh.documents.pack_pdf import Footer, PackPdfError, pack_pdf
from scs_refresh.documents.pdf import pictures, soffice, to_pdf
from scs_refresh.documents.release import pack_footer
from scs_refresh.papers.contexts import RefreshState
from scs_refresh.papers.funding import load_funding
from scs_refresh.papers.generate import generate_meeting_papers
from scs_refresh.papers.wording import load_papers_config
from scs_refresh.timetable.model import load_timetable

from .conftest import ROOT

needs_office = pytest.mark.skipif(soffice() is None, reason="LibreOffice not installed (.ci/run installs it)")
MARKING = "NOT FOR PUBLICATION by virtue of paragraph 3 of Part 1 of Schedule 12A to the Local Government Act 1972"


@pytest.fixture(scope="module")
def packs(tmp_path_factory):
    """The LSP Board of 3 December 2010 (an agenda, a report, an exempt paper) with PDFs, the
    LibreOffice conversions asked for on the way, and LibreOffice's own conversion of the pack .docx."""
    tt = load_timetable(ROOT / "config" / "timetable.yaml")
    state = RefreshState(tt, load_papers_config(ROOT / "config" / "papers.yaml"), on=date(2010, 11, 18),
                         funding=load_funding(ROOT / "config" / "funding_allocations.yaml"))
    tmp = tmp_path_factory.mktemp("packs")
    converted = []
    real = pdfmod._convert

    def counting(exe, docx_files, *args):
        converted.extend(Path(f).name for f in docx_files)
        return real(exe, docx_files, *args)

    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(pdfmod, "_convert", counting)
        mp.setattr(pdfmod._shared_office(soffice()), "cache", pdfmod._Converted())  # nothing converted earlier in the session
        result = generate_meeting_papers(state, "lsp-board-2010-12-03", tmp, ROOT / "templates", pdf=True)
    joined = next(p for p in result.pdfs if p.stem == result.pack.stem)
    [office] = to_pdf([result.pack], tmp / "libreoffice")
    return result, joined, office, converted


def _title(pdf_file) -> str:
    with pikepdf.open(pdf_file) as p:
        return str(p.docinfo.Title)


def _page_count(pdf_file) -> int:
    with pikepdf.open(pdf_file) as p:
        return len(p.pages)


def _pages(pdf_file) -> list[str]:
    text = subprocess.run(["pdftotext", "-layout", str(pdf_file), "-"], capture_output=True, text=True,
                          check=True).stdout
    return [" ".join(page.split()) for page in text.split("\f")[:-1]]


def _elements(pdf_file) -> list[str]:
    """The headings, tables, lists and figures (with their /Alt) of the structure tree, in reading order."""
    found = []
    with pikepdf.open(pdf_file) as p:
        def walk(node):
            if isinstance(node, pikepdf.Array):
                for kid in node:
                    walk(kid)
            elif isinstance(node, pikepdf.Dictionary):
                kind = str(node.get("/S", ""))
                if re.fullmatch(r"/(H\d?|Title|Table|L|Figure)", kind):
                    found.append(kind + (f" {node.get('/Alt', '')}" if kind == "/Figure" else ""))
                if "/K" in node:
                    walk(node.K)
        walk(p.Root.StructTreeRoot.K)
    return found


@needs_office
@pytest.mark.slow
def test_the_pack_is_not_converted_again(packs):
    result, joined, _, converted = packs
    assert result.pack.name not in converted
    assert sorted(converted) == sorted(p.name for p in [result.agenda, *result.papers])
    assert joined.parent == result.folder / "pdf" and joined.name == result.pack.stem + ".pdf"


@needs_office
@pytest.mark.slow
def test_the_same_pages_with_the_same_words_as_libreoffices_pack(packs):
    result, joined, office, _ = packs
    ours, theirs = _pages(joined), _pages(office)
    assert len(ours) == len(theirs) == sum(_page_count(p) for p in result.pdfs[:-1])
    for n, (a, b) in enumerate(zip(ours, theirs), 1):
        # The exempt paper keeps its marking on every page (its own PDF's header); the merged .docx
        # loses the header, so LibreOffice's pack says it on the paper's first page only.
        assert a.replace(MARKING, "").strip() == b.replace(MARKING, "").strip(), f"page {n}"
    exempt_pages = [n for n, a in enumerate(ours) if "£" in a and "Amount" in a]
    assert exempt_pages and all(ours[n].startswith(MARKING) for n in exempt_pages)


@needs_office
@pytest.mark.slow
def test_page_numbers_run_on_under_the_packs_footer(packs):
    result, joined, _, _ = packs
    left, page = pack_footer(result.agenda)
    assert left == "Breckland Partnership (LSP) Board, 03 December 2010" and page == "Page "
    for n, text in enumerate(_pages(joined), 1):
        assert text.endswith(f"{left} Page {n}"), f"page {n}: {text[-80:]}"
        assert "Breckland Partnership, 03 December 2010" not in text  # a paper's own footer is gone


@needs_office
@pytest.mark.slow
def test_tagged_and_accessible_like_libreoffices(packs):
    result, joined, office, _ = packs
    assert check_pdf(joined, pictures(result.pack)) == []
    assert _elements(joined) == _elements(office)
    with pikepdf.open(joined) as p:
        assert str(p.docinfo.Title) == _title(office) == "Board pack: LSP Board, 03 December 2010"
        assert str(p.Root.Lang) == "en-GB" and p.Root.ViewerPreferences.DisplayDocTitle is True
        assert p.pdf_version == pikepdf.open(office).pdf_version
        meta = p.open_metadata()
        assert meta["dc:title"] == str(p.docinfo.Title) and meta["pdfuaid:part"] == "1"
        root = p.Root.StructTreeRoot
        assert [str(k.S) for k in root.K] == ["/Document"]
        # every page's marked content finds its structure elements through the rebuilt parent tree
        nums = dict(zip(map(int, root.ParentTree.Nums[::2]), root.ParentTree.Nums[1::2]))
        assert sorted(int(pg.StructParents) for pg in p.pages) == list(range(len(p.pages)))
        for pg in p.pages:
            elements = [e for e in nums[int(pg.StructParents)] if isinstance(e, pikepdf.Dictionary)]
            assert elements and all(e.Pg.objgen == pg.obj.objgen for e in elements if "/Pg" in e
                                    and not isinstance(e.K, pikepdf.Array))
        with p.open_outline() as outline:
            papers = [item.title for item in outline.root]
            assert papers == [_title(f) for f in result.pdfs[:-1]]
            assert all(item.children for item in outline.root[1:])  # each paper's headings beneath it


@needs_office
@pytest.mark.slow
def test_the_footer_is_set_where_libreoffice_sets_it(packs):
    """The pack footer's glyphs land on the same pixels, within a pixel's anti-aliasing."""
    _, joined, office, _ = packs
    from PIL import Image, ImageChops

    def footer(pdf_file, n, out):
        subprocess.run(["pdftoppm", "-r", "60", "-f", str(n), "-l", str(n), "-png", "-singlefile", str(pdf_file),
                        str(out)], check=True)
        img = Image.open(f"{out}.png").convert("L")
        return img.crop((0, img.height - 50, img.width, img.height))

    tmp = joined.parent
    for n in (1, 2, len(_pages(joined))):
        diff = ImageChops.difference(footer(joined, n, tmp / f"ours{n}"), footer(office, n, tmp / f"theirs{n}"))
        assert sum(diff.histogram()[65:]) < 5, f"page {n}"  # 0 when written; a digit apart is 12


def test_a_pdf_without_footers_is_refused_so_the_pack_is_converted_instead(tmp_path):
    plain = pikepdf.new()
    plain.add_blank_page()
    plain.Root.StructTreeRoot = pikepdf.Dictionary(Type=pikepdf.Name.StructTreeRoot, K=pikepdf.Array())
    plain.save(tmp_path / "plain.pdf")
    with pytest.raises(PackPdfError):
        pack_pdf([tmp_path / "plain.pdf"], tmp_path / "pack.pdf", footer=Footer("A footer"), title="A pack")
    assert not (tmp_path / "pack.pdf").exists()


def test_papers_without_libreoffices_footers_get_the_pack_converted_instead(tmp_path, monkeypatch):
    import docx

    part = tmp_path / "00-agenda.docx"
    doc = docx.Document()
    doc.sections[0].footer.paragraphs[0].text = "Breckland Partnership (LSP) Board, 03 December 2010\tPage "
    doc.save(part)
    asked = []

    def refuse(*args, **kwargs):
        raise PackPdfError("a page has no footer where LibreOffice writes one")

    monkeypatch.setattr(pdfmod, "pack_pdf", refuse)
    monkeypatch.setattr(pdfmod, "to_pdf", lambda files, out_dir: asked.append((files, out_dir)) or [out_dir / "x.pdf"])
    pack = tmp_path / "m-board-pack.docx"
    doc.save(pack)
    made = pdfmod.pack_from_papers(pack, [part], [tmp_path / "pdf" / "00-agenda.pdf"], "Board pack")
    assert asked == [([pack], tmp_path / "pdf")] and made == tmp_path / "pdf" / "x.pdf"
    assert pack_footer(part) == ("Breckland Partnership (LSP) Board, 03 December 2010", "Page ")


def _paper_pdf(path: Path, alt: str | None) -> Path:
    """A one-page tagged PDF with a footer as LibreOffice writes one and a figure (with ``alt``, if given)."""
    pdf = pikepdf.new()
    pdf.add_blank_page(page_size=(595, 842))
    page = pdf.pages[0]
    font = pdf.make_indirect(pikepdf.Dictionary(Type=pikepdf.Name.Font, Subtype=pikepdf.Name.TrueType,
                                                FirstChar=1, Widths=[500, 500]))
    page.obj.Resources = pikepdf.Dictionary(Font=pikepdf.Dictionary(F1=font))
    page.obj.Contents = pdf.make_stream(b"/Figure <</MCID 0>> BDC\nEMC\n"
                                        b"/Artifact BMC\nq 0 0 0 rg\nBT\n56.8 30 Td /F1 11 Tf <0102>Tj\nET\nQ\nEMC\n")
    page.obj.StructParents = 0
    root = pdf.make_indirect(pikepdf.Dictionary(Type=pikepdf.Name.StructTreeRoot))
    figure = pdf.make_indirect(pikepdf.Dictionary(Type=pikepdf.Name.StructElem, S=pikepdf.Name.Figure, P=root,
                                                  Pg=page.obj, K=0))
    if alt is not None:
        figure.Alt = pikepdf.String(alt)
    root.K = pikepdf.Array([figure])
    root.ParentTree = pdf.make_indirect(pikepdf.Dictionary(Nums=[0, pikepdf.Array([figure])]))
    pdf.Root.StructTreeRoot = root
    pdf.Root.MarkInfo = pikepdf.Dictionary(Marked=True)
    pdf.Root.Lang = pikepdf.String("en-GB")
    pdf.docinfo.Title = pikepdf.String(path.stem)
    pdf.save(path)
    return path


def test_a_joined_pack_is_checked_before_it_is_written_as_it_would_be_read_back(tmp_path):
    from scs_refresh.documents.release import PaperCheckFailed

    papers = [_paper_pdf(tmp_path / "a.pdf", "A chart"), _paper_pdf(tmp_path / "b.pdf", None)]
    made = pack_pdf(papers[:1], tmp_path / "good.pdf", footer=Footer("A footer"), title="A pack", figures=1)
    assert made == tmp_path / "good.pdf" and check_pdf(made, 1) == []
    with pytest.raises(PaperCheckFailed, match="figure 2 of the PDF has no alternative text"):
        pack_pdf(papers, tmp_path / "bad.pdf", footer=Footer("A footer"), title="A pack", figures=2)
    assert not (tmp_path / "bad.pdf").exists()
    assert check_pdf(tmp_path / "bad.rejected.pdf", 3) == [
        "figure 2 of the PDF has no alternative text",
        "the PDF tags 2 figure(s), but its Word file has 3 picture(s): a picture lost its alternative text"]
    with pikepdf.open(tmp_path / "bad.rejected.pdf") as written:  # an open PDF is checked as its file is
        assert check_pdf(written, 3) == check_pdf(tmp_path / "bad.rejected.pdf", 3)
    with pytest.raises(PaperCheckFailed, match="and 1 more"):
        pack_pdf(papers, tmp_path / "worse.pdf", footer=Footer("A footer"), title="A pack", figures=3)


def test_a_papers_bookmarks_go_under_its_title_pointing_at_its_pages_in_the_pack(tmp_path):
    first, second = _paper_pdf(tmp_path / "a.pdf", "A chart"), tmp_path / "b.pdf"
    with pikepdf.open(_paper_pdf(tmp_path / "plain-b.pdf", "A map")) as pdf:
        with pdf.open_outline() as outline:
            heading = pikepdf.OutlineItem("1 Purpose", destination=pikepdf.Array(
                [pdf.pages[0].obj, pikepdf.Name.XYZ, 0, 800, 0]))
            heading.children.append(pikepdf.OutlineItem("1.1 Named", destination=pikepdf.String("elsewhere")))
            outline.root.append(heading)
        pdf.save(second)
    pack_pdf([first, second], tmp_path / "pack.pdf", footer=Footer("A footer"), title="A pack", figures=2)
    with pikepdf.open(tmp_path / "pack.pdf") as pack, pack.open_outline() as outline:
        assert [item.title for item in outline.root] == ["a", "plain-b"]
        [heading] = outline.root[1].children
        assert heading.title == "1 Purpose" and [kid.title for kid in heading.children] == ["1.1 Named"]
        second_page = pack.pages[1].obj
        assert heading.destination[0].objgen == second_page.objgen and list(heading.destination)[1:] == [
            pikepdf.Name.XYZ, 0, 800, 0]
        named = heading.children[0].destination  # a destination it cannot follow: the paper's first page
        assert named[0].objgen == second_page.objgen and named[1] == pikepdf.Name.Fit

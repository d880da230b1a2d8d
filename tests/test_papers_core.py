"""The document machinery every paper goes through: strict, escaped, atomic render;
accessibility checks; PDF through a real LibreOffice."""

import struct
import zlib
from pathlib import Path

import docx
import pytest
from docx.oxml.ns import qn
from docx.shared import RGBColor

from scs_refresh.documents.accessibility import check_docx, literal_strings
from scs_refresh.documents.docxkit import keep_rows_whole, mark_header_row, set_a4, set_alt_text, set_language
from scs_refresh.documents.pdf import soffice, to_pdf
from scs_refresh.documents.render import TemplateError, render_docx

def _png() -> bytes:
    """A valid 1x1 white PNG, built by hand so the test needs no image library."""
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
    ihdr = struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0)
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", zlib.compress(b"\x00\xff\xff\xff"))
            + chunk(b"IEND", b""))


PNG_1PX = _png()


def make_template(path: Path, *, header_row: bool = True, title: str = "Board report") -> Path:
    doc = set_language(set_a4(docx.Document()), "en-GB")
    doc.core_properties.title = title
    for style in ("Heading 2", "Heading 2 Char"):  # python-docx's #4F81BD is 4.03:1 on white
        doc.styles[style].font.color.rgb = RGBColor(0x1F, 0x4E, 0x79)
    doc.add_heading("{{ partnership }}", level=1)
    doc.add_paragraph("Meeting on {{ meeting.date }}")
    doc.add_heading("1 Purpose of Report", level=2)
    table = doc.add_table(rows=2, cols=2)
    table.cell(0, 0).text, table.cell(0, 1).text = "Partner", "Answer"
    table.cell(1, 0).text, table.cell(1, 1).text = "{{ partner }}", "{{ answer }}"
    if header_row:
        mark_header_row(table)
    keep_rows_whole(table)
    doc.save(path)
    return path


CONTEXT = {"partnership": "Breckland Partnership", "meeting": {"date": "3 December 2010"},
           "partner": "Voluntary Norfolk", "answer": "More {{ 7*7 }} & <w:p> {% for x in y %} please"}


def test_render_escapes_untrusted_text_and_opens(tmp_path):
    out = render_docx(make_template(tmp_path / "t.docx"), CONTEXT, tmp_path / "out" / "paper.docx")
    doc = docx.Document(str(out))
    assert doc.paragraphs[0].text == "Breckland Partnership"
    assert doc.tables[0].cell(1, 1).text == CONTEXT["answer"]  # literally, not 49, nothing lost
    assert (round(doc.sections[0].page_width.mm), round(doc.sections[0].page_height.mm)) == (210, 297)
    assert check_docx(out, literal_strings(CONTEXT)) == []


def test_missing_top_level_field_names_template_and_field(tmp_path):
    tpl = make_template(tmp_path / "t.docx")
    ctx = {k: v for k, v in CONTEXT.items() if k != "partner"}
    with pytest.raises(TemplateError, match=r"t\.docx: no value for template field\(s\) partner$"):
        render_docx(tpl, ctx, tmp_path / "paper.docx")
    assert not (tmp_path / "paper.docx").exists()


def test_missing_nested_field_is_an_error_not_a_blank(tmp_path):
    tpl = make_template(tmp_path / "t.docx")
    with pytest.raises(TemplateError, match="no value for a template field: .*'date'"):
        render_docx(tpl, {**CONTEXT, "meeting": {}}, tmp_path / "paper.docx")


def test_failed_render_keeps_the_earlier_paper(tmp_path):
    tpl = make_template(tmp_path / "t.docx")
    out = render_docx(tpl, CONTEXT, tmp_path / "paper.docx")
    before = out.read_bytes()
    with pytest.raises(TemplateError):
        render_docx(tpl, {}, out)
    assert out.read_bytes() == before
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".")] == []


def test_not_a_template(tmp_path):
    bad = tmp_path / "bad.docx"
    bad.write_text("not a zip")
    with pytest.raises(TemplateError, match="bad.docx: not a Word template"):
        render_docx(bad, {}, tmp_path / "x.docx")
    with pytest.raises(TemplateError, match="template not found"):
        render_docx(tmp_path / "none.docx", {}, tmp_path / "x.docx")


def test_accessibility_finds_each_kind_of_problem(tmp_path):
    doc = docx.Document()
    doc.add_heading("Top", level=1)
    doc.add_heading("Skipped a level", level=3)
    table = doc.add_table(rows=2, cols=2)
    table.cell(0, 0).merge(table.cell(0, 1))
    (tmp_path / "p.png").write_bytes(PNG_1PX)
    doc.add_picture(str(tmp_path / "p.png"))
    doc.add_paragraph("Dear {{ name }}")
    doc.save(tmp_path / "bad.docx")
    problems = check_docx(tmp_path / "bad.docx")
    assert problems[0] == "the document has no title (File > Properties > Title)"
    assert "heading 'Skipped a level' jumps from level 1 to 3" in problems
    assert any(p.startswith("image 1") and "no alternative text" in p for p in problems)
    assert "table 1 has no header row marked (repeat as header row)" in problems
    assert "table 1 has merged cells in its header row" in problems
    assert "text still looks like a template tag: 'Dear {{ name }}'" in problems
    assert "the document's language (File > Properties) is not set, not en-GB" in problems
    assert "the text's default language is en-US, not en-GB" in problems  # python-docx's own template
    assert "table 1: 2 row(s) may split across pages (allow row to break across pages)" in problems
    assert ("text coloured #4F81BD in the style 'heading 3' has a contrast of 4.03:1 on #FFFFFF, below 4.5:1"
            in problems)  # the style used; the colours of the styles nobody uses are not the reader's concern
    assert not any("'Subtle Emphasis'" in p for p in problems)


def test_text_on_a_pale_fill_is_found_and_dark_text_passes(tmp_path):
    from docx.oxml import OxmlElement

    doc = set_language(docx.Document(), "en-GB")
    doc.core_properties.title = "Contrast"
    table = keep_rows_whole(mark_header_row(doc.add_table(rows=1, cols=2)))
    for cell, (text, colour, fill) in zip(table.rows[0].cells, (("White on pale blue", "FFFFFF", "9BB7CC"),
                                                                ("Black on pale blue", "000000", "9BB7CC"))):
        cell.paragraphs[0].add_run(text).font.color.rgb = RGBColor.from_string(colour)
        shd = OxmlElement("w:shd")
        shd.set(qn("w:val"), "clear")
        shd.set(qn("w:fill"), fill)
        cell._tc.get_or_add_tcPr().append(shd)
    doc.save(tmp_path / "fill.docx")
    assert check_docx(tmp_path / "fill.docx") == [
        "text coloured #FFFFFF in the text 'White on pale blue' has a contrast of 2.09:1 on #9BB7CC, below 4.5:1"]


def test_a_style_or_run_in_another_language_is_found(tmp_path):
    doc = set_language(docx.Document(), "en-GB")
    doc.core_properties.title = "Colour"
    run = doc.add_paragraph().add_run("Color")
    lang = run._r.get_or_add_rPr().makeelement(qn("w:lang"), {qn("w:val"): "en-US"})
    run._r.get_or_add_rPr().append(lang)
    doc.save(tmp_path / "us.docx")
    assert check_docx(tmp_path / "us.docx") == ["the text is marked as en-US, not en-GB"]


def test_alt_text_and_header_row_pass(tmp_path):
    doc = set_language(docx.Document(), "en-GB")
    doc.core_properties.title = "Chart"
    (tmp_path / "p.png").write_bytes(PNG_1PX)
    set_alt_text(doc.add_picture(str(tmp_path / "p.png")), "Bar chart of IMD deciles")
    keep_rows_whole(mark_header_row(doc.add_table(rows=1, cols=1)))
    doc.save(tmp_path / "ok.docx")
    assert check_docx(tmp_path / "ok.docx") == []


@pytest.mark.skipif(soffice() is None, reason="LibreOffice not installed (.ci/run installs it)")
def test_libreoffice_converts_a_rendered_paper(tmp_path):
    out = render_docx(make_template(tmp_path / "t.docx"), CONTEXT, tmp_path / "paper.docx")
    [pdf] = to_pdf([out], tmp_path / "pdf")
    assert pdf.read_bytes().startswith(b"%PDF") and pdf.stat().st_size > 1000


def test_picture_is_placed_with_its_alt_text(tmp_path):
    from scs_refresh.documents.render import Figure

    tpl = tmp_path / "t.docx"
    doc = set_language(docx.Document(), "en-GB")
    doc.core_properties.title = "Chart paper"
    doc.add_paragraph("{{ chart }}")
    doc.save(tpl)
    (tmp_path / "c.png").write_bytes(PNG_1PX)
    out = render_docx(tpl, {"chart": Figure(tmp_path / "c.png", "Grid of partnerships by risk and value", 40)},
                      tmp_path / "paper.docx")
    descr = [d.get("descr") for d in docx.Document(str(out)).element.body.iter(
        "{http://schemas.openxmlformats.org/drawingml/2006/wordprocessingDrawing}docPr")]
    assert descr == ["Grid of partnerships by risk and value"]
    assert check_docx(out) == []
    with pytest.raises(TemplateError, match="none.png: picture not found"):
        render_docx(tpl, {"chart": Figure(tmp_path / "none.png", "x")}, tmp_path / "p2.docx")


def test_a_pack_is_what_docxcompose_makes_of_its_papers(tmp_path):
    """The pack lists styles its own quicker way; the merged document must not change for it."""
    import zipfile

    from docxcompose.composer import Composer

    from scs_refresh.documents.release import compose_pack

    parts = []
    for n, style in enumerate(("Heading 1", "Title", "List Bullet")):
        doc = docx.Document()
        doc.add_paragraph(f"Paper {n}", style=style)
        doc.styles.add_style(f"Local {n}", 1).font.bold = True  # a style only this paper has
        doc.add_paragraph("Body text", style=f"Local {n}")
        doc.save(tmp_path / f"{n}.docx")
        parts.append(tmp_path / f"{n}.docx")
    master = docx.Document(str(parts[0]))
    master.core_properties.title = "Pack"
    composer = Composer(master)
    for part in parts[1:]:
        master.add_page_break()
        composer.append(docx.Document(str(part)))
    composer.save(str(tmp_path / "plain.docx"))
    ours = zipfile.ZipFile(compose_pack(parts, tmp_path / "pack.docx", "Pack"))
    plain = zipfile.ZipFile(tmp_path / "plain.docx")
    assert {n: plain.read(n) for n in plain.namelist()} == {n: ours.read(n) for n in ours.namelist()}
    assert b"Local 2" in ours.read("word/styles.xml")


def test_the_pack_compiles_docxcompose_s_queries_only_while_merging_and_they_find_the_same(tmp_path, monkeypatch):
    """compose_pack swaps docxcompose's own query function for one compiling each query once: a new
    docxcompose must be checked (does the composer still query through ``composer.xpath``?) before it is used."""
    import importlib.metadata

    import docxcompose.composer
    import docxcompose.utils
    from lxml import etree

    from scs_refresh.documents import release

    assert importlib.metadata.version("docxcompose") == "2.2.0", \
        "docxcompose changed: check release._compiled_queries against its composer, then pin the new version here"
    assert docxcompose.composer.xpath is docxcompose.utils.xpath
    doc = docx.Document()
    doc.add_paragraph("One", style="Heading 1")
    doc.add_paragraph("Two", style="List Bullet")
    plain = etree.fromstring(etree.tostring(doc.element))  # an element that is not python-docx's
    for element in (doc.element, plain):
        for query in (".//w:pStyle/@w:val", ".//w:tblStyle|.//w:pStyle|.//w:rStyle", './/w:pStyle[@w:val="Heading1"]'):
            assert release._xpath(element, query) == docxcompose.utils.xpath(element, query)
        assert release._xpath(element, ".//w:pStyle/@w:val") == ["Heading1", "ListBullet"]

    used = []
    monkeypatch.setattr(release, "_xpath", lambda element, query: used.append(query) or release._compiled(
        query, isinstance(element, release.BaseOxmlElement))(element))
    doc.save(tmp_path / "a.docx")
    release.compose_pack([tmp_path / "a.docx", tmp_path / "a.docx"], tmp_path / "pack.docx", "Pack")
    assert ".//w:tblStyle|.//w:pStyle|.//w:rStyle" in used
    assert docxcompose.composer.xpath is docxcompose.utils.xpath


def test_a_merged_pack_is_checked_in_memory_as_its_file_would_be(tmp_path):
    """checked_pack checks the pack it merged without reading the file back: the same problems either way."""
    from scs_refresh.documents import release

    parts = []
    for n in range(2):
        doc = set_language(docx.Document(), "en-GB")
        doc.core_properties.title = f"Part {n}"
        doc.add_paragraph(f"Paper {n}", style="Heading 1")
        doc.add_paragraph("Detail", style="Heading 3")  # a heading jump
        doc.add_paragraph("Left as {{ a_tag }} in the paper")
        doc.add_table(rows=2, cols=2)  # no header row
        doc.save(tmp_path / f"{n}.docx")
        parts.append(tmp_path / f"{n}.docx")
    merged, data = release._composed(parts, "Pack")
    (tmp_path / "pack.docx").write_bytes(data)
    problems = check_docx(merged, {"quoted"})
    assert len(problems) >= 5 and any("a_tag" in p for p in problems)
    assert problems == check_docx(tmp_path / "pack.docx", {"quoted"})
    with pytest.raises(release.PaperCheckFailed, match="the merged pack fails the checks"):
        release.checked_pack(parts, tmp_path / "checked.docx", "Pack", {"quoted"})


def test_a_tag_left_in_a_table_cell_or_split_across_runs_is_found_and_a_quoted_one_is_not(tmp_path):
    doc = set_language(docx.Document(), "en-GB")
    doc.core_properties.title = "Tags"
    table = keep_rows_whole(mark_header_row(doc.add_table(rows=1, cols=1)))
    table.cell(0, 0).paragraphs[0].add_run("Answer: {{ 7*7 }}")
    split = doc.add_paragraph("Dear {")
    split.add_run("{ name }}")
    doc.save(tmp_path / "tags.docx")
    problems = [p for p in check_docx(tmp_path / "tags.docx") if "template tag" in p]
    assert problems == ["text still looks like a template tag: 'Dear {{ name }}'"]
    quoted = [p for p in check_docx(tmp_path / "tags.docx", ["Dear {{ name }}"]) if "template tag" in p]
    assert quoted == ["text still looks like a template tag: 'Answer: {{ 7*7 }}'"]
    assert not [p for p in check_docx(tmp_path / "tags.docx", ["Dear {{ name }}", "{{ 7*7 }}"])
                if "template tag" in p]


def test_docx_bytes_deflates_a_part_seen_before_once_and_writes_what_save_writes(tmp_path, monkeypatch):
    """docx_bytes gives a part deflated before what it deflated to then: every member of the zip must be
    what python-docx's own save writes, compressed bytes and all; and the remembering must be in use (it
    hooks zipfile's ``_get_compressor``: a Python whose zipfile stops asking it must fail here)."""
    import io
    import zipfile

    from scs_refresh.documents import docxkit

    def raw_members(data: bytes) -> list[tuple[str, int, int, bytes]]:
        with zipfile.ZipFile(io.BytesIO(data)) as z:
            out = []
            for info in z.infolist():
                with z.open(info) as member:
                    member.read()
                start = info.header_offset + 30 + len(info.filename.encode()) + len(info.extra)
                out.append((info.filename, info.compress_type, info.CRC, data[start:start + info.compress_size]))
            return out

    monkeypatch.setattr(docxkit, "_deflated", docxkit.OrderedDict())
    monkeypatch.setattr(docxkit, "_deflated_bytes", 0)
    doc = set_language(docx.Document(), "en-GB")
    doc.add_paragraph("Some text " * 500)
    doc.add_picture(io.BytesIO(PNG_1PX))
    plain = io.BytesIO()
    doc.save(plain)
    first, again = docxkit.docx_bytes(doc), docxkit.docx_bytes(doc)
    assert len(docxkit._deflated) == len(zipfile.ZipFile(io.BytesIO(first)).namelist())  # each part remembered
    assert raw_members(first) == raw_members(plain.getvalue()) == raw_members(again)
    assert zipfile._get_compressor is not None and docx.Document(io.BytesIO(again)).paragraphs[0].text.startswith("Some")
    # what it remembers is dropped past its limit, oldest first
    monkeypatch.setattr(docxkit, "_deflated", docxkit.OrderedDict())
    monkeypatch.setattr(docxkit, "_deflated_bytes", 0)
    monkeypatch.setattr(docxkit, "_DEFLATED_LIMIT", 1)
    assert raw_members(docxkit.docx_bytes(doc)) == raw_members(plain.getvalue())
    assert len(docxkit._deflated) <= 1 and docxkit._deflated_bytes == sum(
        len(data) + len(deflated) for (_, data), deflated in docxkit._deflated.items())


def test_a_rendered_paper_is_released_as_rendered_with_the_problems_its_file_has(tmp_path):
    """release checks the document render_docx saved rather than reading its file back: the same problems
    either way; and once the file is no longer the one written from it, the file is read."""
    from scs_refresh.documents import release as releasing
    from scs_refresh.documents.render import just_written

    template = make_template(tmp_path / "t.docx", header_row=False, title="")
    out = render_docx(template, CONTEXT, tmp_path / "paper.docx")
    rendered = just_written(out)
    assert rendered is not None
    problems = check_docx(rendered)  # the answer's tag-like text is not declared quoted here
    assert "table 1 has no header row marked (repeat as header row)" in problems
    assert any("template tag" in p for p in problems) and any("no title" in p for p in problems)
    assert problems == check_docx(out)
    assert check_docx(rendered, literal_strings(CONTEXT)) == check_docx(out, literal_strings(CONTEXT))
    with pytest.raises(releasing.PaperCheckFailed, match="no title"):
        releasing.release(out, CONTEXT)
    good = render_docx(make_template(tmp_path / "good.docx"), CONTEXT, tmp_path / "good-paper.docx")
    assert releasing.release(good, CONTEXT) == good
    other = docx.Document()  # the same path written afresh, not by render_docx: read from the file
    other.save(good)
    assert just_written(good) is None
    with pytest.raises(releasing.PaperCheckFailed):
        releasing.release(good, CONTEXT)


def test_a_template_read_once_still_checks_each_context_and_tidies_its_tags_as_docxtpl_does(tmp_path):
    """Template lists its fields once and docxtpl's tag tidying is remembered per part (it is a function of
    the part's XML alone in docxtpl 0.20.2: a new docxtpl must be checked before this pin is moved)."""
    import importlib.metadata

    from docxtpl import DocxTemplate

    from scs_refresh.documents.render import Template, _docx_template_class

    assert importlib.metadata.version("docxtpl") == "0.20.2", \
        "docxtpl changed: check that DocxTemplate.patch_xml still depends on its argument alone, then pin it here"
    template = Template(make_template(tmp_path / "t.docx"))
    assert docx.Document(__import__("io").BytesIO(template.render(CONTEXT))).paragraphs[0].text == \
        "Breckland Partnership"
    with pytest.raises(TemplateError, match="no value for template field.*partner"):
        template.render({k: v for k, v in CONTEXT.items() if k != "partner"})
    with pytest.raises(TemplateError, match="no value for template field.*meeting"):
        template.render({k: v for k, v in CONTEXT.items() if k != "meeting"})
    xml = '<w:p><w:r><w:t>{{ a</w:t></w:r><w:r><w:t> }}</w:t></w:r>{%tr for x in y %}</w:p>'
    quick = _docx_template_class()(tmp_path / "t.docx")
    assert quick.patch_xml(xml) == quick.patch_xml(xml) == DocxTemplate(tmp_path / "t.docx").patch_xml(xml)


def test_python_docx_s_queries_are_compiled_once_and_find_what_they_found(monkeypatch):
    """docxkit has python-docx's ``BaseOxmlElement.xpath`` compile each query once (python-docx 1.2.0 compiles
    it at each call: a new python-docx must be checked before this pin is moved); the answers are lxml's own,
    and a prefix added to python-docx's namespace map later (as docxcompose does) is known to the queries."""
    import importlib.metadata

    from docx.oxml.ns import nsmap
    from docx.oxml.xmlchemy import BaseOxmlElement
    from lxml import etree

    from scs_refresh.documents import docxkit

    assert importlib.metadata.version("python-docx") == "1.2.0", \
        "python-docx changed: check docxkit._compiled_xpath against BaseOxmlElement.xpath, then pin it here"
    assert BaseOxmlElement.xpath is docxkit._compiled_xpath
    doc = docx.Document()
    doc.add_paragraph("One", style="Heading 1").add_run(" two")
    body = doc.element.body
    for query in ("./w:p", ".//w:t/text()", "count(.//w:r)", './/w:pStyle[@w:val="Heading1"]/@w:val', "w:p | w:tbl"):
        assert body.xpath(query) == etree._Element.xpath(body, query, namespaces=nsmap)
    assert [t.text for t in body.xpath(".//w:t")] == ["One", " two"]
    monkeypatch.setitem(nsmap, "scs", "urn:scs-test")
    assert body.xpath("./scs:nothing") == []

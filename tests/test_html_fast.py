"""mammoth is made quick by scs_refresh.documents.mammoth_quick (issue #18): its parts read by lxml, not
minidom, into the same tree node for node; each style looked up once per conversion; no garbage collection
during one. The page must stay the same byte for byte. These fail if a new mammoth stops going through the
hooks or reads XML, or matches styles, differently."""

import gc
import io
import threading
from collections import Counter
from datetime import date
from xml.parsers.expat import ExpatError

import mammoth
import pytest
from mammoth.conversion import _DocumentConverter
from mammoth.docx import office_xml
from mammoth.docx.xmlparser import XmlElement, XmlText

from scs_refresh.documents import html, mammoth_quick
from scs_refresh.documents.html import page_body
from scs_refresh.documents.render import render_docx

from .conftest import ROOT
from .test_html import _paper

W = 'xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"'
MC = 'xmlns:mc="http://schemas.openxmlformats.org/markup-compatibility/2006"'
W14 = 'xmlns:w14="http://schemas.microsoft.com/office/word/2010/wordml"'


def shape(node):
    """A node as plain data, attribute order and node types included, for an exact comparison."""
    if type(node) is XmlText:
        return ("text", node.value)
    assert type(node) is XmlElement, node
    return (node.name, list(node.attributes.items()), [shape(child) for child in node.children])


def minidom(xml: bytes):
    return mammoth_quick.mammoth_read()(io.BytesIO(xml))


QUICK = {
    "mixed content and whitespace": f"""<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<w:document {W}>
  <w:body>
    <w:p>lead <w:r><w:t xml:space="preserve"> two  spaces </w:t></w:r> tail &amp; more&#x263A;&#13;<w:r/>\t</w:p>
    <w:p/>
  </w:body>
</w:document>""",
    "attributes in foreign, unknown and no namespaces": f"""<w:p {W} {W14} xmlns:x="urn:unknown"
    w14:paraId="1A2B" x:flag="on" plain="a\tb\nc" w:rsidR="00AB"><x:thing x:y="1">in <x:deeper/></x:thing>
    <thing xmlns="urn:other" attr="v"/><none/></w:p>""",
    "a default namespace on the root": """<document xmlns="http://schemas.openxmlformats.org/wordprocessingml/2006/main"
    xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><body r:id="rId1"><none xmlns="">
    <still-none/></none></body></document>""",
    "strict format": """<w:document xmlns:w="http://purl.oclc.org/ooxml/wordprocessingml/main"><w:body><w:p/>
    </w:body></w:document>""",
    "comments and instructions part the text": f"""<!-- before --><w:t {W}>a<!-- c -->b<?pi data?>c<!-- x --></w:t>""",
    "line ends": "<r a='x\r\ny'>line1\r\nline2\rline3</r>",
    "non-ASCII text": "<w:t xmlns:w=\"urn:x\">Café – ‘quoted’ 😀</w:t>",
    "latin-1": b"<?xml version='1.0' encoding='ISO-8859-1'?><t>caf\xe9</t>",
    "alternate content": f"""<w:body {W} {MC} {W14}>
  <w:p><w:r><mc:AlternateContent><mc:Choice Requires="w14"><w14:new>choice</w14:new></mc:Choice>
      <mc:Fallback><w:t>fallback</w:t> text <mc:AlternateContent><mc:Fallback><w:t>kept as it is</w:t></mc:Fallback>
      </mc:AlternateContent></mc:Fallback><mc:Fallback><w:t>second fallback</w:t></mc:Fallback></mc:AlternateContent>
    after</w:r></w:p>
  <mc:AlternateContent><mc:Choice Requires="w14"><w:p/></mc:Choice></mc:AlternateContent>
  <w:tbl><w:tr><mc:AlternateContent><mc:Fallback><w:tc>cell</w:tc></mc:Fallback></mc:AlternateContent></w:tr></w:tbl>
</w:body>""",
    "a part that is one alternate content": f"""<mc:AlternateContent {MC} {W}><mc:Fallback><w:p>only</w:p>
    </mc:Fallback></mc:AlternateContent>""",
}

LEFT_TO_MINIDOM = {
    "CDATA, which minidom keeps apart and mammoth drops": "<w:t xmlns:w=\"urn:x\">a<![CDATA[<b>]]>c</w:t>",
    "a DTD with an entity": '<!DOCTYPE t [<!ENTITY e "entity">]><t>&e;</t>',
    "UTF-16": "<?xml version='1.0' encoding='UTF-16'?><t>wide</t>".encode("utf-16"),
}


def _bytes(xml) -> bytes:
    return xml if isinstance(xml, bytes) else xml.encode("utf-8")


@pytest.mark.parametrize("xml", QUICK.values(), ids=QUICK.keys())
def test_lxml_makes_mammoths_own_tree(xml):
    before = mammoth_quick.reads["lxml"]
    tree = mammoth_quick.read_part(io.BytesIO(_bytes(xml)))
    assert mammoth_quick.reads["lxml"] == before + 1  # read on the quick path, not left to minidom
    assert shape(tree) == shape(minidom(_bytes(xml)))


def test_alternate_content_is_collapsed_as_mammoth_does():
    tree = mammoth_quick.read_part(io.BytesIO(QUICK["alternate content"].encode()))
    texts = []

    def walk(node):
        if type(node) is XmlText:
            texts.append(node.value)
        else:
            assert node.name not in ("mc:Choice", "w14:new")
            for child in node.children:
                walk(child)

    walk(tree)
    flat = "".join(texts)
    assert "fallback" in flat and "kept as it is" in flat and "cell" in flat
    assert "choice" not in flat and "second fallback" not in flat


@pytest.mark.parametrize("xml", LEFT_TO_MINIDOM.values(), ids=LEFT_TO_MINIDOM.keys())
def test_what_lxml_would_read_otherwise_is_left_to_minidom(xml):
    before = mammoth_quick.reads["mammoth"]
    assert shape(mammoth_quick.read_part(io.BytesIO(_bytes(xml)))) == shape(minidom(_bytes(xml)))
    assert mammoth_quick.reads["mammoth"] == before + 1


def test_a_broken_part_fails_as_mammoth_fails():
    with pytest.raises(ExpatError):
        minidom(b"<w:p><unclosed></w:p>")
    with pytest.raises(ExpatError):
        mammoth_quick.read_part(io.BytesIO(b"<w:p><unclosed></w:p>"))


def _board_report(tmp_path, name="report.docx", on=date(2010, 11, 18)):
    from scs_refresh.papers.contexts import RefreshState, board_report_context
    from scs_refresh.papers.wording import load_papers_config
    from scs_refresh.timetable.model import load_timetable

    tt = load_timetable(ROOT / "config" / "timetable.yaml")
    state = RefreshState(tt, load_papers_config(ROOT / "config" / "papers.yaml"), on)
    event = tt.event["lsp-board-2010-12-03"]
    paper = next(p for p in event.papers if p.kind == "board_report")
    return render_docx(ROOT / "templates" / "board_report_tpl.docx", board_report_context(state, event, paper),
                       tmp_path / name)


def _convert(docx) -> str:
    with open(docx, "rb") as f:
        return html._tidy(mammoth.convert_to_html(f, style_map=html.STYLE_MAP).value)


def _mammoths_own(docx) -> str:
    """page_body as it was before issue #18: mammoth on its own."""
    with mammoth_quick.uninstalled():
        assert office_xml.read is not mammoth_quick.read_part
        return _convert(docx)


def test_page_body_is_byte_identical_and_reads_through_the_hook(tmp_path, monkeypatch):
    monkeypatch.setattr(html, "_BODIES", {})
    monkeypatch.setattr(mammoth_quick, "_kept", {})
    papers = [_board_report(tmp_path, "a.docx"), _board_report(tmp_path, "b.docx", date(2010, 11, 22)),
              _paper(tmp_path)]
    expected = [_mammoths_own(p) for p in papers]
    before = mammoth_quick.reads.copy()
    assert [page_body(p) for p in papers] == expected
    read = mammoth_quick.reads - before
    assert office_xml.read is mammoth_quick.read_part and _DocumentConverter._find_style is mammoth_quick.find_style
    # each paper's own parts by lxml, nothing left to minidom; the second board report's styles and
    # numbering are the first one's (the same template's bytes), read once (python-docx's numbering,
    # which the template and _paper's document share, may be kept a third time)
    assert read["lxml"] >= 3 and read["mammoth"] == 0 and read["kept"] >= 2
    assert "<h1>" in expected[0] and "<table>" in expected[0]


def test_each_style_is_looked_up_once_in_a_conversion(tmp_path, monkeypatch):
    paper = _board_report(tmp_path)
    expected = _mammoths_own(paper)
    mammoth_quick.install()
    real, asked = mammoth_quick._mammoth_find_style, Counter()

    def counted(self, element, element_type):
        if element_type in ("paragraph", "run", "table"):
            asked[element_type, element.style_id, element.style_name, getattr(element, "numbering", None)] += 1
        return real(self, element, element_type)

    monkeypatch.setattr(mammoth_quick, "_mammoth_find_style", counted)
    assert _convert(paper) == expected
    assert {kind for kind, *_ in asked} == {"paragraph", "run", "table"}
    assert set(asked.values()) == {1}  # mammoth asked once for each style, the rest answered from that


def test_a_style_looked_up_once_still_tells_apart_what_mammoth_matches_on():
    from mammoth import documents, options
    from mammoth.conversion import convert_document_element_to_html

    def paragraph(text, ordered=None, style=("ListParagraph", "List Paragraph"), run_style=(None, None)):
        numbering = None if ordered is None else documents.numbering_level(0, ordered)
        return documents.paragraph([documents.run([documents.text(text)], *run_style)], *style, numbering=numbering)

    doc = documents.document([
        paragraph("one", ordered=True), paragraph("two", ordered=False), paragraph("three", ordered=True),
        paragraph("plain"), paragraph("Title", style=("Title", "Title")), paragraph("h", style=("Heading1", "heading 1")),
        # runs mapped by style name (mammoth's r[style-name='Strong']) and by style id (r.Emph below)
        paragraph("strong", run_style=("Strong", "Strong")), paragraph("same id", run_style=("Strong", "Plain")),
        paragraph("em", run_style=("Emph", "Character")), paragraph("same name", run_style=("Other", "Character")),
        documents.table([documents.table_row([documents.table_cell([paragraph("cell")])])], "Grid", "Table Grid"),
    ])

    def convert():
        return convert_document_element_to_html(doc, **options.read_options({"style_map": html.STYLE_MAP + "r.Emph => em"}).value).value

    with mammoth_quick.uninstalled():
        expected = convert()
    mammoth_quick.install()
    assert convert() == expected
    assert "<ol><li>one</li></ol><ul><li>two</li></ul><ol><li>three</li></ol>" in expected and "<h1>Title</h1>" in expected
    assert "<strong>strong</strong>" in expected and "<p>same id</p>" in expected
    assert "<em>em</em>" in expected and "<p>same name</p>" in expected


def test_collection_pauses_once_for_nested_and_concurrent_callers():
    assert gc.isenabled()
    inside, release = threading.Event(), threading.Event()

    def other():
        with mammoth_quick.gc_paused():
            inside.set()
            release.wait(5)

    thread = threading.Thread(target=other)
    with mammoth_quick.gc_paused():
        thread.start()
        inside.wait(5)
        with mammoth_quick.gc_paused():
            assert not gc.isenabled()
    assert not gc.isenabled()  # the other caller is still inside
    release.set()
    thread.join(5)
    assert gc.isenabled()
    gc.disable()
    try:  # collection off before (someone else's choice) stays off after
        with mammoth_quick.gc_paused():
            pass
        assert not gc.isenabled()
    finally:
        gc.enable()

"""Every published paper as an accessible HTML page: real headings, scoped header cells, pictures
with their alternative text, en-GB, a skip link, print styles; a page that fails is not released."""

import re

import docx
import lxml.html
from docx.enum.style import WD_STYLE_TYPE
import pytest

from scs_refresh.core.colour import contrast
from scs_refresh.documents.accessibility import check_html
from scs_refresh.documents.docxkit import keep_rows_whole, mark_header_row, set_alt_text, set_language
from scs_refresh.documents.html import HtmlError, to_html
from scs_refresh.documents.release import PaperCheckFailed

from .conftest import ROOT
from .test_papers_core import PNG_1PX

PAGE = ROOT / "templates" / "paper_page.html"
ALT = "Bar chart of Breckland's 78 LSOAs by IMD 2019 decile: 7 in the most deprived 20%."


def _paper(tmp_path, alt=ALT):
    doc = set_language(docx.Document(), "en-GB")
    doc.core_properties.title = "Update report on SCS refresh"
    doc.add_paragraph("BRECKLAND PARTNERSHIP")
    doc.add_paragraph("Update report on SCS refresh", style="Title")
    doc.add_heading("1. Purpose of Report", level=1)
    doc.styles.add_style("Numbered Para", WD_STYLE_TYPE.PARAGRAPH)  # as the templates name it
    doc.add_paragraph("1.1\tTo update the Board on progress.", style="Numbered Para")
    doc.add_heading("4.1 STAGE PROGRESS", level=2)
    table = doc.add_table(rows=2, cols=2)
    table.cell(0, 0).text, table.cell(0, 1).text = "Stage", "Status"
    table.cell(1, 0).text, table.cell(1, 1).text = "Scoping stage", "In progress, sent 2010-10-15"
    keep_rows_whole(mark_header_row(table))
    (tmp_path / "c.png").write_bytes(PNG_1PX)
    shape = doc.add_picture(str(tmp_path / "c.png"))
    if alt:
        set_alt_text(shape, alt)
    doc.add_paragraph("Figure 1: LSOAs by IMD 2019 decile", style="Caption")
    doc.save(tmp_path / "01-update.docx")
    return tmp_path / "01-update.docx"


def test_a_paper_becomes_an_accessible_page(tmp_path):
    paper = _paper(tmp_path)
    (tmp_path / "pdf").mkdir()
    (tmp_path / "pdf" / "01-update.pdf").write_bytes(b"%PDF-1.7" + b" " * 3000)
    out = to_html(paper, PAGE, tmp_path / "html" / "01-update.html", [paper, tmp_path / "pdf" / "01-update.pdf"])
    assert check_html(out) == []
    page = lxml.html.fromstring(out.read_bytes())
    assert page.get("lang") == "en-GB" and page.findtext("head/title") == "Update report on SCS refresh"
    assert [(h.tag, h.text_content()) for h in page.iter("h1", "h2", "h3")] == [
        ("h1", "Update report on SCS refresh"), ("h2", "1. Purpose of Report"), ("h3", "4.1 STAGE PROGRESS")]
    assert [(th.text_content(), th.get("scope")) for th in page.iter("th")] == [("Stage", "col"), ("Status", "col")]
    assert "sent 2010-10-15" in page.text_content()  # a plain hyphen on the page (a non-breaking one in Word)
    [figure] = page.iter("figure")
    assert figure.find("img").get("alt") == ALT
    assert figure.findtext("figcaption") == "Figure 1: LSOAs by IMD 2019 decile"
    [numbered] = page.find_class("numbered")
    assert numbered.findtext("span") == "1.1" and numbered.text_content() == "1.1 To update the Board on progress."
    first_link = page.find(".//a")
    assert first_link.get("href") == "#main" and page.get_element_by_id("main").tag == "main"
    assert "@media print" in page.findtext("head/style")
    versions = [(a.get("href"), a.text_content()) for a in page.find_class("versions")[0].iter("a")]
    assert versions == [("../01-update.docx", "a Word document"), ("../pdf/01-update.pdf", "a PDF")]
    assert re.search(r"a PDF</a> \(3 KB\)", out.read_text())


def test_a_page_whose_picture_has_no_alternative_text_is_not_released(tmp_path):
    paper = _paper(tmp_path, alt=None)
    with pytest.raises(PaperCheckFailed, match=r"01-update\.html: not released.*image 1 has no alternative text"):
        to_html(paper, PAGE, tmp_path / "html" / "01-update.html")
    assert not (tmp_path / "html" / "01-update.html").exists()
    assert (tmp_path / "html" / "01-update.rejected.html").is_file()


def test_the_page_check_finds_each_kind_of_problem(tmp_path):
    bad = tmp_path / "bad.html"
    bad.write_text("<html><head><style>body { color: #000 }</style></head><body><main>"
                   "<h1>One</h1><h3>Skipped</h3><h1>Two</h1><h2> </h2><img src='x.png'>"
                   "<table><tr><td>Stage</td></tr></table><table><tr><th>Stage</th></tr></table></main></body></html>")
    assert check_html(bad) == [
        "the page's language (html lang) is not set, not en-GB", "the page has no title",
        "the page has no main element with an id to skip to", "the page has 2 h1 headings, not one",
        "a heading jumps from level 1 to 3", "an h2 heading is empty", "image 1 has no alternative text (alt)",
        "table 1 has no header row of th cells", "table 2 has header cells without a scope",
        "the page has no print styles (@media print)"]


def test_a_missing_page_template_is_named(tmp_path):
    with pytest.raises(HtmlError, match=r"nowhere\.html: page template not found"):
        to_html(_paper(tmp_path), tmp_path / "nowhere.html", tmp_path / "out.html")


@pytest.mark.parametrize("template", [PAGE, ROOT / "templates" / "site" / "base.html"], ids=lambda p: p.name)
def test_every_text_colour_of_the_pages_reads_at_4_5_to_1(template):
    """Each CSS rule's text colour against its own background, else its container's (the header's), else white
    (the house style both pages include read in its place)."""
    css = template.read_text().replace('{% include "house_style.css" %}',
                                       (ROOT / "templates" / "house_style.css").read_text())
    rules = re.findall(r"([^{}]+)\{([^{}]*)\}", css.split("<style>")[1].split("</style>")[0])
    backgrounds = {}
    pairs = []
    for selector, body in rules:
        selector = selector.strip().split("@media print {")[-1].strip()
        fg = re.search(r"(?<![-\w])color:\s*#([0-9a-fA-F]{6})", body)
        bg = re.search(r"background:\s*#([0-9a-fA-F]{6})", body)
        if bg:
            backgrounds[selector] = bg.group(1)
        if fg:
            container = next((b for sel, b in backgrounds.items() if selector.startswith(sel + " ")), "ffffff")
            pairs.append((selector, fg.group(1), bg.group(1) if bg else container))
    assert len(pairs) >= 5
    for selector, fg, bg in pairs:
        assert contrast(fg, bg) >= 4.5, (selector, fg, bg)

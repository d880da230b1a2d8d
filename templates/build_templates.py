"""Build the Word templates in this folder (``<paper>_tpl.docx``) with python-docx.

Nobody on the team has Word, so the templates are made by this script and the .docx files
it writes are committed: they are what the product renders, and an officer can open and
edit them in Word or LibreOffice (the ``{{ ... }}`` and ``{%p ... %}`` tags are docxtpl's).
Re-run it after changing it:  .venv/bin/python templates/build_templates.py

The board report follows the Breckland Partnership's own format (the report of
7 October 2010): partnership name, meeting date, "Report of ...", title, then numbered
sections 1 Purpose of Report ... 6 Reasons for Recommendation(s) with numbered paragraphs.
"""

from __future__ import annotations

import copy
import sys
from pathlib import Path

import docx
from docx.enum.style import WD_STYLE_TYPE
from docx.enum.text import WD_TAB_ALIGNMENT
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Mm, Pt, RGBColor

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent / "src"))

from scs_refresh.core.colour import darkened  # noqa: E402
from scs_refresh.documents.accessibility import LANGUAGE  # noqa: E402
from scs_refresh.documents.docxkit import keep_rows_whole, mark_header_row, set_a4, set_language  # noqa: E402

FONT = "Arial"
INDENT = Mm(15)
#: The house colour for coloured text (captions, the questionnaire's headings): 8.66:1 on white,
#: where the default caption blue (#4F81BD) is 4.03:1, below WCAG's 4.5:1.
HOUSE_BLUE = RGBColor(0x1F, 0x4E, 0x79)
#: The table styles the papers use; python-docx's template brings about a hundred more, many
#: with white or pale text on coloured fills, which nothing here uses.
TABLE_STYLES = ("Normal Table", "Table Grid")


def accessible_colours(doc) -> None:
    """Every text colour of every style readable (at least 4.5:1 on white, WCAG 2.1 AA).

    Captions take the house blue; any other style colour below 4.5:1 is darkened in its own
    hue; colours name their value, not a theme slot (Word would otherwise take the theme's
    colour, LibreOffice the value); unused table styles are dropped.
    """
    styles = doc.styles.element
    for style in list(styles.iterfind(qn("w:style"))):
        name = style.find(qn("w:name"))
        if style.get(qn("w:type")) == "table" and (name is None or name.get(qn("w:val")) not in TABLE_STYLES):
            styles.remove(style)
    doc.styles["Caption"].font.color.rgb = HOUSE_BLUE
    for colour in styles.iter(qn("w:color")):
        for attr in ("w:themeColor", "w:themeShade", "w:themeTint"):
            colour.attrib.pop(qn(attr), None)
        value = colour.get(qn("w:val"))
        if value and value.lower() != "auto":
            colour.set(qn("w:val"), darkened(value))


def _page_number_field(paragraph) -> None:
    """A PAGE field: Word and LibreOffice fill in the page number (continuous across a pack)."""
    run = paragraph.add_run()
    for kind, text in (("begin", None), (None, " PAGE "), ("end", None)):
        if kind:
            el = OxmlElement("w:fldChar")
            el.set(qn("w:fldCharType"), kind)
        else:
            el = OxmlElement("w:instrText")
            el.set(qn("xml:space"), "preserve")
            el.text = text
        run._r.append(el)


def base(title_tag: str, footer_tag: str) -> docx.document.Document:
    """An A4 document with council house styles, a title property and a page-numbered footer."""
    doc = set_a4(docx.Document())
    doc.core_properties.title = title_tag
    doc.core_properties.author = "{{ author }}"
    set_language(doc, LANGUAGE)  # every run en-GB, and the PDF's /Lang with it
    accessible_colours(doc)
    styles = doc.styles
    normal = styles["Normal"]
    normal.font.name, normal.font.size = FONT, Pt(11)
    normal.paragraph_format.space_after = Pt(6)
    for name, size in (("Title", 16), ("Heading 1", 13), ("Heading 2", 11.5), ("Heading 3", 11)):
        st = styles[name]
        rfonts = st.element.get_or_add_rPr().get_or_add_rFonts()
        for attr in ("w:asciiTheme", "w:hAnsiTheme", "w:eastAsiaTheme", "w:cstheme"):
            rfonts.attrib.pop(qn(attr), None)  # a theme font would override Arial
        st.font.name, st.font.size, st.font.bold = FONT, Pt(size), True
        st.font.color.rgb = RGBColor(0, 0, 0)
        st.paragraph_format.space_before, st.paragraph_format.space_after = Pt(12), Pt(6)
    # Drop the default Title style's coloured bottom border: council papers have none.
    ppr = styles["Title"].element.get_or_add_pPr()
    for border in ppr.findall(qn("w:pBdr")):
        ppr.remove(border)
    para = styles.add_style("Numbered Para", WD_STYLE_TYPE.PARAGRAPH)
    para.base_style = normal
    pf = para.paragraph_format
    pf.left_indent, pf.first_line_indent = INDENT, -INDENT
    pf.tab_stops.add_tab_stop(INDENT, WD_TAB_ALIGNMENT.LEFT)
    header_line = styles.add_style("Paper Header", WD_STYLE_TYPE.PARAGRAPH)
    header_line.base_style = normal
    header_line.font.bold = True
    # The default Footer style's tab stops are for US Letter (a centre stop at 82.5 mm): a short
    # footer would tab to it and print "Page" against the text. One right stop at the margin.
    styles["Footer"].paragraph_format.tab_stops.clear_all()
    footer = doc.sections[0].footer.paragraphs[0]
    footer.text = footer_tag + "\tPage "
    footer.paragraph_format.tab_stops.add_tab_stop(Mm(170), WD_TAB_ALIGNMENT.RIGHT)
    _page_number_field(footer)
    return doc


def tag(doc, text: str) -> None:
    """A paragraph holding only a docxtpl block tag ({%p ... %}); docxtpl removes it."""
    doc.add_paragraph(text)


def numbered_loop(doc, items: str, style: str = "Numbered Para") -> None:
    tag(doc, f"{{%p for para in {items} %}}")
    doc.add_paragraph("{{ para.number }}\t{{ para.text }}", style=style)
    tag(doc, "{%p endfor %}")


def subsections(doc, items: str) -> None:
    """Sub-headed blocks (4.1 STAGE PROGRESS ...) with paragraphs, an optional table and charts."""
    tag(doc, f"{{%p for sub in {items} %}}")
    doc.add_heading("{{ sub.number }} {{ sub.title }}", level=2)
    tag(doc, "{%p for para in sub.paragraphs %}")
    doc.add_paragraph("{{ para.number }}\t{{ para.text }}", style="Numbered Para")
    tag(doc, "{%p endfor %}")
    tag(doc, "{%p if sub.table %}")
    doc.add_paragraph("{{p sub.table }}")
    tag(doc, "{%p endif %}")
    tag(doc, "{%p for fig in sub.figures %}")
    doc.add_paragraph("{{ fig.image }}").paragraph_format.keep_with_next = True  # the caption stays with it
    doc.add_paragraph("{{ fig.caption }}", style="Caption")
    tag(doc, "{%p endfor %}")
    tag(doc, "{%p endfor %}")


def annexes(doc) -> None:
    tag(doc, "{%p for annex in annexes %}")
    doc.add_heading("{{ annex.title }}", level=1)
    doc.add_paragraph("{{ annex.intro }}")
    doc.add_paragraph("{{p annex.table }}")
    tag(doc, "{%p endfor %}")


def exempt_marking(doc) -> None:
    """An exempt paper (Schedule 12A) says so above its heading and at the head of every later page; a paper
    open to the public has no such line (its page header is left empty). The first page has the same footer."""
    section = doc.sections[0]
    section.header.paragraphs[0].text = "{{ marking }}"
    section.header.paragraphs[0].style = doc.styles["Paper Header"]
    section.different_first_page_header_footer = True
    first = section.first_page_footer.paragraphs[0]._p
    first.addnext(copy.deepcopy(section.footer.paragraphs[0]._p))
    first.getparent().remove(first)
    tag(doc, "{%p if marking %}")
    doc.add_paragraph("{{ marking }}", style="Paper Header")
    tag(doc, "{%p endif %}")


def report_header(doc, organisation: str, meeting: str, report_of: str) -> None:
    """The head of a report as seed 000 sets it out: organisation, meeting, "Report of ...", title."""
    doc.add_paragraph(organisation, style="Paper Header")
    doc.add_paragraph(meeting, style="Paper Header")
    doc.add_paragraph(f"Report of {report_of}")
    doc.add_paragraph("{{ title }}", style="Title")


def board_report() -> docx.document.Document:
    doc = base("{{ title }}", "{{ partnership }}, {{ meeting_date }}")
    exempt_marking(doc)
    report_header(doc, "{{ partnership_upper }}", "{{ meeting_date }}", "{{ officer_name }}, {{ officer_role }}")
    doc.add_heading("1. Purpose of Report", level=1)
    numbered_loop(doc, "purpose")
    doc.add_heading("2. Recommendations", level=1)
    doc.add_paragraph("It is recommended that the {{ body_short }}:")
    numbered_loop(doc, "recommendations")
    doc.add_heading("3. Background", level=1)
    numbered_loop(doc, "background")
    doc.add_heading("4. Issues", level=1)
    subsections(doc, "issues")
    doc.add_heading("5. Options", level=1)
    numbered_loop(doc, "options")
    doc.add_heading("6. Reasons for Recommendation(s)", level=1)
    numbered_loop(doc, "reasons")
    annexes(doc)
    return doc


def committee_report() -> docx.document.Document:
    doc = base("{{ title }}", "{{ committee }}, {{ meeting_date }}")
    exempt_marking(doc)
    report_header(doc, "{{ council_upper }}", "{{ committee }}: {{ meeting_date }}",
                  "{{ officer_name }}, {{ officer_role }}")
    table = doc.add_table(rows=2, cols=3)
    table.style = "Table Grid"
    for cell, text in zip(table.rows[0].cells, ("Key decision", "Exempt information", "Wards affected")):
        cell.text = text
    for cell, text in zip(table.rows[1].cells, ("{{ key_decision }}", "{{ exempt }}", "{{ wards }}")):
        cell.text = text
    mark_header_row(table)
    keep_rows_whole(table)
    doc.add_heading("1. Purpose of the Report", level=1)
    numbered_loop(doc, "purpose")
    doc.add_heading("2. Recommendation(s)", level=1)
    doc.add_paragraph("It is recommended that {{ committee }}:")
    numbered_loop(doc, "recommendations")
    doc.add_heading("3. Background", level=1)
    numbered_loop(doc, "background")
    subsections(doc, "issues")
    doc.add_heading("4. Options", level=1)
    numbered_loop(doc, "options")
    doc.add_heading("5. Reasons for Recommendation(s)", level=1)
    numbered_loop(doc, "reasons")
    doc.add_heading("6. Implications", level=1)
    tag(doc, "{%p for imp in implications %}")
    doc.add_heading("{{ imp.number }} {{ imp.title }}", level=2)
    doc.add_paragraph("{{ imp.text }}")
    tag(doc, "{%p endfor %}")
    doc.add_heading("7. Contact Officer", level=1)
    doc.add_paragraph("{{ officer_name }}, {{ officer_role }}")
    doc.add_paragraph("E-mail: {{ officer_email }}")
    doc.add_heading("8. Background Papers", level=1)
    tag(doc, "{%p for paper in background_papers %}")
    doc.add_paragraph("{{ paper }}", style="List Bullet")
    tag(doc, "{%p endfor %}")
    annexes(doc)
    return doc


def looped_table(doc, header: tuple[str, ...], loop: str, cells: tuple[str, ...], widths: tuple) -> None:
    """A table with a header row and one row per item of ``loop`` (docxtpl replaces a row holding a
    {%tr %} tag with the tag, so the loop needs rows of its own); widths in the grid and the cells."""
    table = doc.add_table(rows=4, cols=len(header))
    table.style = "Table Grid"
    blank = ("",) * (len(header) - 1)
    rows = (header, (f"{{%tr for {loop} %}}", *blank), cells, ("{%tr endfor %}", *blank))
    for row, texts in zip(table.rows, rows):
        for cell, text in zip(row.cells, texts):
            cell.text = text
    table.autofit = False
    for column, width in zip(table.columns, widths):
        column.width = width
    for row in table.rows:
        for cell, width in zip(row.cells, widths):
            cell.width = width
    mark_header_row(table)
    keep_rows_whole(table)


def agenda() -> docx.document.Document:
    doc = base("{{ title }}", "{{ body_name }}, {{ meeting_date }}")
    doc.add_paragraph("{{ organisation_upper }}", style="Paper Header")
    doc.add_paragraph("{{ title }}", style="Title")
    doc.add_paragraph("{{ body_name }}")
    doc.add_paragraph("Date: {{ meeting_date }}")
    doc.add_paragraph("Time: {{ meeting_time }}")
    doc.add_paragraph("Venue: {{ venue }}")
    doc.add_heading("Items of business", level=1)
    # Item and Minutes hold a number, Business the item's title; Paper: "Paper C (exempt)" with no word broken.
    looped_table(doc, ("Item", "Business", "Presented by", "Minutes", "Paper"), "item in items",
                 ("{{ item.number }}", "{{ item.title }}", "{{ item.presenter }}", "{{ item.minutes }}",
                  "{{ item.paper }}"), (Mm(14), Mm(70), Mm(44), Mm(18), Mm(24)))
    doc.add_paragraph("")
    doc.add_paragraph("Planned length of the meeting: {{ total_duration }}, finishing at {{ finish_time }}.")
    doc.add_paragraph("{{ contact_line }}")
    return doc


def equality_screening() -> docx.document.Document:
    """The equality impact assessment screening that goes with a committee report, as a paper of its own."""
    doc = base("{{ title }}", "{{ committee }}, {{ meeting_date }}")
    doc.add_paragraph("{{ council_upper }}", style="Paper Header")
    doc.add_paragraph("{{ committee }}: {{ meeting_date }}", style="Paper Header")
    doc.add_paragraph("{{ title }}", style="Title")
    doc.add_paragraph("Screened by {{ screened_by }} on {{ screened_on }}.")
    doc.add_heading("1. Summary", level=1)
    doc.add_paragraph("{{ summary }}")
    doc.add_heading("2. Likely impact on each group", level=1)
    doc.add_paragraph("{{p groups }}")
    doc.add_heading("3. Conclusion", level=1)
    doc.add_paragraph("{{ conclusion }}")
    return doc


def record() -> docx.document.Document:
    """What follows or announces a decision: the decision notice, the draft minutes, the forward plan entry.

    A heading block, a two-column table of the particulars (body, date, decision maker ...), then
    headed sections of paragraphs (each item of business, each decision)."""
    doc = base("{{ title }}", "{{ footer }}")
    doc.add_paragraph("{{ organisation_upper }}", style="Paper Header")
    doc.add_paragraph("{{ title }}", style="Title")
    tag(doc, "{%p for line in intro %}")
    doc.add_paragraph("{{ line }}")
    tag(doc, "{%p endfor %}")
    looped_table(doc, ("Particular", "Detail"), "row in particulars", ("{{ row.label }}", "{{ row.value }}"),
                 (Mm(50), Mm(120)))
    tag(doc, "{%p for section in sections %}")
    doc.add_heading("{{ section.heading }}", level=1)
    tag(doc, "{%p for para in section.paragraphs %}")
    doc.add_paragraph("{{ para }}")
    tag(doc, "{%p endfor %}")
    tag(doc, "{%p endfor %}")
    doc.add_paragraph("{{ contact_line }}")
    return doc


TEMPLATES = {"board_report": board_report, "committee_report": committee_report, "agenda": agenda,
             "equality_screening": equality_screening, "record": record}


def build(out_dir: Path = HERE) -> list[Path]:
    """Write every template into ``out_dir``; return the files written."""
    written = []
    for name, make in TEMPLATES.items():
        path = out_dir / f"{name}_tpl.docx"
        make().save(path)
        written.append(path)
    return written


if __name__ == "__main__":
    for path in build(Path(sys.argv[1]) if len(sys.argv) > 1 else HERE):
        print(f"wrote {path}")

"""Build templates/questionnaire_tpl.docx (docxtpl tags) with python-docx alone.

Run from the repository root: ``.venv/bin/python templates/build_questionnaire_tpl.py``.
The output is committed so an officer can open and restyle it in Word; keep the tags.

Each answer box is a single-cell table: it grows as a partner types or pastes, in Word and
LibreOffice alike, and the importer finds it as "the table after question Qn.m".
"""

from __future__ import annotations

import io
import sys
from pathlib import Path

from docx import Document
from docx.enum.table import WD_ROW_HEIGHT_RULE
from docx.shared import Mm, Pt

HERE = Path(__file__).resolve().parent
OUT = HERE / "questionnaire_tpl.docx"
sys.path.insert(0, str(HERE.parent / "src"))

sys.path.insert(0, str(HERE))

from build_templates import HOUSE_BLUE, accessible_colours  # noqa: E402  (the house colours every paper shares)
from scs_refresh.core.atomic import write_bytes  # noqa: E402
from scs_refresh.documents.accessibility import LANGUAGE  # noqa: E402
from scs_refresh.documents.docxkit import keep_rows_whole, set_language  # noqa: E402


def build() -> bytes:
    doc = Document()
    set_language(doc, LANGUAGE)
    accessible_colours(doc)
    for heading in ("Heading 1", "Heading 2"):  # the default blues: #365F91, and #4F81BD at 4.03:1
        doc.styles[heading].font.color.rgb = HOUSE_BLUE
    section = doc.sections[0]
    section.page_width, section.page_height = Mm(210), Mm(297)  # A4, not python-docx's US Letter
    for side in ("left_margin", "right_margin", "top_margin", "bottom_margin"):
        setattr(section, side, Mm(20))
    doc.styles["Normal"].font.name = "Arial"
    doc.styles["Normal"].font.size = Pt(12)
    section.footer.paragraphs[0].text = "{{ partner_name }} - {{ title }}"

    doc.add_heading("{{ title }}", level=1)
    doc.add_paragraph("For: {{ partner_name }} (for the attention of {{ contact_name }})")
    doc.add_paragraph("Please return this questionnaire by {{ deadline }} to {{ reply_to }}.")
    doc.add_paragraph(
        "The Breckland Partnership is refreshing the Sustainable Community Strategy. Your answers help "
        "set its priorities. Type or write your answer in the box under each question; the boxes grow "
        "as you type. Questions marked (required) need an answer.")
    doc.add_paragraph("{%p for area in areas %}")
    doc.add_heading("{{ area.number }}. {{ area.title }}", level=2)
    doc.add_paragraph("{%p for q in area.questions %}")
    question = doc.add_paragraph()
    question.add_run("{{ q.ref }}").bold = True
    question.add_run(" {{ q.text }} {{ q.hint }}")
    question.paragraph_format.keep_with_next = True  # the question never sits on a page without its box
    question.paragraph_format.space_before = Pt(12)  # clear of the box above it
    box = doc.add_table(rows=1, cols=1)
    box.style = doc.styles["Table Grid"]
    box.rows[0].height = Mm(30)
    box.rows[0].height_rule = WD_ROW_HEIGHT_RULE.AT_LEAST
    keep_rows_whole(box)
    doc.add_paragraph("{%p endfor %}")
    doc.add_paragraph("{%p endfor %}")
    doc.add_paragraph("Thank you. {{ officer_name }}, {{ officer_role }}, {{ reply_to }}")
    doc.add_paragraph("Reference: {{ reference }} (please leave this line in place)")
    buf = io.BytesIO()
    doc.save(buf)
    return buf.getvalue()


if __name__ == "__main__":
    out = Path(sys.argv[1]) if len(sys.argv) > 1 else OUT
    write_bytes(out, build())
    print(f"wrote {out}")

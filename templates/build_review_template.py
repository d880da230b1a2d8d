"""Build templates/partnership_review_tpl.docx, the Partnership review report for an LSP Board.

Run: ``.venv/bin/python templates/build_review_template.py`` (the .docx is committed; rebuild
it after changing this script). The layout is the Board report format of 7 October 2010
(shared/seeds/000): partnership, meeting date, "Report of ...", the title, then numbered
sections 1 Purpose of Report to 6 Reasons for Recommendation(s) with paragraphs 1.1, 1.2 ...
The docxtpl fields are filled by scs_refresh.review.paper.context().
"""

from __future__ import annotations

import sys
from pathlib import Path

from docx.shared import Mm, Pt

sys.path.insert(0, str(Path(__file__).resolve().parent))
from build_templates import base, numbered_loop, report_header  # noqa: E402  (the house style every paper shares)
from scs_refresh.documents.docxkit import keep_rows_whole, mark_header_row  # noqa: E402  (build_templates puts src/ on the path)

OUT = Path(__file__).with_name("partnership_review_tpl.docx")


def _table(doc, headings: list[str], loop: str, cells: list[str], widths_mm: list[float]) -> None:
    """A table whose first row is a marked header and whose body repeats with ``{%tr for %}``."""
    table = doc.add_table(rows=4, cols=len(headings))
    table.style = "Table Grid"
    for i, text in enumerate(headings):
        run = table.cell(0, i).paragraphs[0].add_run(text)
        run.bold = True
    table.cell(1, 0).text = f"{{%tr for {loop} %}}"
    for i, text in enumerate(cells):
        table.cell(2, i).text = text
    table.cell(3, 0).text = "{%tr endfor %}"
    table.autofit = False
    for column, width in zip(table.columns, widths_mm):
        column.width = Mm(width)  # the grid LibreOffice lays out by
    for row in table.rows:
        for cell, width in zip(row.cells, widths_mm):
            cell.width = Mm(width)
            for p in cell.paragraphs:
                for r in p.runs:
                    r.font.size = Pt(9)
    mark_header_row(table)
    keep_rows_whole(table)


def build(out: Path = OUT) -> Path:
    # The house style, page size, title property and page-numbered footer of every paper.
    doc = base("{{ title }}", "{{ partnership }}, {{ meeting_date }}")
    doc.core_properties.subject = "Review of the partnership and the Partnership Register (policy Appendix B)"
    report_header(doc, "{{ partnership_upper }}", "{{ meeting_date }}", "{{ report_of }}")
    doc.add_paragraph("{%p if illustrative %}")
    doc.add_paragraph().add_run("{{ illustrative_note }}").italic = True
    doc.add_paragraph("{%p endif %}")

    doc.add_heading("1. Purpose of Report", level=1)
    numbered_loop(doc, "purpose")
    doc.add_heading("2. Recommendations", level=1)
    doc.add_paragraph("It is recommended that the LSP Board:")
    numbered_loop(doc, "recommendations")
    doc.add_heading("3. Background", level=1)
    numbered_loop(doc, "background")

    doc.add_heading("4. Issues", level=1)
    doc.add_heading("4.1 Structure", level=2)
    numbered_loop(doc, "structure")
    doc.add_heading("4.2 Membership and attendance", level=2)
    numbered_loop(doc, "membership")
    _table(doc, ["Organisation", "Sector", "Meetings attended", "Attendance"],
           "m in members", ["{{ m.organisation }}", "{{ m.sector }}", "{{ m.attended }}", "{{ m.rate }}"],
           [70, 45, 30, 25])
    doc.add_heading("4.3 Achievements", level=2)
    numbered_loop(doc, "achievements")
    doc.add_heading("4.4 Strengths and weaknesses", level=2)
    numbered_loop(doc, "strengths_weaknesses")
    doc.add_paragraph("Strengths:")
    doc.add_paragraph("{%p for s in strengths %}")
    doc.add_paragraph("{{ s }}", style="List Bullet")
    doc.add_paragraph("{%p endfor %}")
    doc.add_paragraph("Weaknesses:")
    doc.add_paragraph("{%p for w in weaknesses %}")
    doc.add_paragraph("{{ w }}", style="List Bullet")
    doc.add_paragraph("{%p endfor %}")
    doc.add_heading("4.5 Partnership Register: risk and value", level=2)
    numbered_loop(doc, "register")
    label = doc.add_paragraph("Table 1: the Partnership Register with overall ratings")
    label.runs[0].bold = True
    label.paragraph_format.keep_with_next = True
    _table(doc, ["Partnership", "BC role", "Contribution", "Hours a month", "Risk", "Value", "Notes"],
           "r in register_rows",
           ["{{ r.name }}", "{{ r.role }}", "{{ r.contribution }}", "{{ r.hours }}", "{{ r.risk }}",
            "{{ r.value }}", "{{ r.notes }}"],
           [40, 20, 23, 14, 16, 17, 40])
    doc.add_paragraph("")
    label = doc.add_paragraph("Figure 1: partnerships by overall risk and value")
    label.runs[0].bold = True
    label.paragraph_format.keep_with_next = True
    doc.add_paragraph("{{ chart }}")

    doc.add_heading("5. Options", level=1)
    numbered_loop(doc, "options")
    doc.add_heading("6. Reasons for Recommendation(s)", level=1)
    numbered_loop(doc, "reasons")

    doc.add_page_break()
    doc.add_heading("Appendix: each partnership against the Appendix B criteria", level=1)
    doc.add_paragraph("{{ appendix_intro }}")
    doc.add_paragraph("{%p for a in assessments %}")
    doc.add_heading("{{ a.name }}", level=2)
    doc.add_paragraph("{{ a.summary }}")
    doc.add_paragraph("{%p for line in a.notes %}")
    doc.add_paragraph("{{ line }}", style="List Bullet")
    doc.add_paragraph("{%p endfor %}")
    _table(doc, ["Criterion", "Rating", "Reason (policy wording)"], "c in a.criteria",
           ["{{ c.topic }}", "{{ c.rating }}", "{{ c.reason }}"], [50, 20, 100])
    doc.add_paragraph("{%p endfor %}")

    doc.save(out)
    return out


if __name__ == "__main__":
    print(build(Path(sys.argv[1]) if len(sys.argv) > 1 else OUT))

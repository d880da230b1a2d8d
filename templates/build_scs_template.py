"""Build templates/scs_draft_tpl.docx, the draft Sustainable Community Strategy, with python-docx.

Run: ``.venv/bin/python templates/build_scs_template.py`` (the .docx is committed; rebuild it
after changing this script). It uses the house styles and section helpers of
build_templates.py. The fields are filled by scs_refresh.strategy.draft.context(): a
cover, the contents (a plain list that reads without updating any field, plus a Word TOC
field for page numbers), the vision, one section per theme (vision, evidence with charts,
what partners said, priorities, outcomes with owners) and the provenance annex.
"""

from __future__ import annotations

import sys
from pathlib import Path

from docx.oxml import OxmlElement
from docx.oxml.ns import qn

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from build_templates import annexes, base, numbered_loop, subsections, tag  # noqa: E402

OUT = HERE / "scs_draft_tpl.docx"


def _toc_field(paragraph, hint: str) -> None:
    """A TOC field over Heading 1: Word fills in page numbers on Update Field; ``hint`` shows until then."""
    def run_with(el):
        run = paragraph.add_run()
        run._r.append(el)
        return run

    for kind in ("begin", "instr", "separate", "hint", "end"):
        if kind == "instr":
            el = OxmlElement("w:instrText")
            el.set(qn("xml:space"), "preserve")
            el.text = ' TOC \\o "1-1" \\h \\z \\u '
            run_with(el)
        elif kind == "hint":
            paragraph.add_run(hint).italic = True
        else:
            el = OxmlElement("w:fldChar")
            el.set(qn("w:fldCharType"), kind)
            run_with(el)


def scs_draft():
    doc = base("{{ title }}", "{{ footer }}")
    doc.add_paragraph("{{ partnership_upper }}", style="Paper Header")
    doc.add_paragraph("{{ title }}", style="Title")
    doc.add_paragraph("{{ status_line }}", style="Paper Header")
    tag(doc, "{%p for line in notices %}")
    doc.add_paragraph("{{ line }}")
    tag(doc, "{%p endfor %}")
    doc.add_heading("Contents", level=1)
    numbered_loop(doc, "contents")
    _toc_field(doc.add_paragraph(), "Page numbers: in Word, right-click here and choose Update Field.")
    vision = doc.add_heading("{{ vision_heading }}", level=1)
    vision.paragraph_format.page_break_before = True
    numbered_loop(doc, "vision")
    tag(doc, "{%p for theme in themes %}")
    heading = doc.add_heading("{{ theme.heading }}", level=1)
    heading.paragraph_format.page_break_before = True
    subsections(doc, "theme.subsections")
    tag(doc, "{%p endfor %}")
    annexes(doc)
    return doc


def build(out: Path = OUT) -> Path:
    scs_draft().save(out)
    return out


if __name__ == "__main__":
    print(f"wrote {build(Path(sys.argv[1]) if len(sys.argv) > 1 else OUT)}")

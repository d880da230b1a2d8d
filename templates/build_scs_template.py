"""Build templates/scs_draft_tpl.docx (the Sustainable Community Strategy) and scs_paper_tpl.docx
(papers about it) with python-docx.

Run: ``.venv/bin/python templates/build_scs_template.py`` (the .docx is committed; rebuild it
after changing this script). It uses the house styles and section helpers of
build_templates.py. The fields are filled by scs_refresh.strategy.draft.context(): a
cover, the contents (each heading with the page it starts on, worked out from the rendered
PDF by scs_refresh.documents.contents: no field left for Word to update), the vision, one section per theme (vision, evidence with charts,
what partners said, priorities, outcomes with owners) and the provenance annex.
"""

from __future__ import annotations

import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from build_templates import annexes, base, numbered_loop, subsections, tag  # noqa: E402

OUT = HERE / "scs_draft_tpl.docx"
PAPER = "scs_paper_tpl.docx"


def _cover(doc, lines: str):
    """The Partnership's name, the title, the status line, then the paragraphs of ``lines``."""
    doc.add_paragraph("{{ partnership_upper }}", style="Paper Header")
    doc.add_paragraph("{{ title }}", style="Title")
    doc.add_paragraph("{{ status_line }}", style="Paper Header")
    tag(doc, f"{{%p for line in {lines} %}}")
    doc.add_paragraph("{{ line }}")
    tag(doc, "{%p endfor %}")
    return doc


def scs_draft():
    doc = base("{{ title }}", "{{ footer }}")
    _contents_style(doc)
    _cover(doc, "notices")
    doc.add_heading("Contents", level=1)
    tag(doc, "{%p for line in contents %}")
    doc.add_paragraph("{{ line.number }}\t{{ line.text }}\t{{ line.page }}", style="Contents Line")
    tag(doc, "{%p endfor %}")
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


def scs_paper():
    """A paper about the Strategy (the change summary of a version, the comments log, the launch and
    workshop packs): a cover line, the title, an intro, numbered sections with tables, annexes."""
    doc = _cover(base("{{ title }}", "{{ footer }}"), "intro")
    tag(doc, "{%p for section in sections %}")
    doc.add_heading("{{ section.heading }}", level=1)
    subsections(doc, "section.subsections")
    tag(doc, "{%p endfor %}")
    annexes(doc)
    return doc


def _contents_style(doc) -> None:
    """Contents lines: the heading, then its page number against the right margin after a dotted leader."""
    from docx.enum.style import WD_STYLE_TYPE
    from docx.enum.text import WD_TAB_ALIGNMENT, WD_TAB_LEADER
    from docx.shared import Mm

    style = doc.styles.add_style("Contents Line", WD_STYLE_TYPE.PARAGRAPH)
    style.base_style = doc.styles["Numbered Para"]
    style.paragraph_format.tab_stops.add_tab_stop(Mm(170), WD_TAB_ALIGNMENT.RIGHT, WD_TAB_LEADER.DOTS)


def build(out_dir: Path = HERE) -> list[Path]:
    draft = scs_draft()
    paper = scs_paper()
    out_dir.mkdir(parents=True, exist_ok=True)
    draft.save(out_dir / OUT.name)
    paper.save(out_dir / PAPER)
    return [out_dir / OUT.name, out_dir / PAPER]


if __name__ == "__main__":
    for path in build(Path(sys.argv[1]) if len(sys.argv) > 1 else HERE):
        print(f"wrote {path}")

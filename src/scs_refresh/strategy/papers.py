"""Papers about the Strategy that members receive: what changed in a version (section, what changed,
at whose request), and the log of partners' comments with the officer's response ("you said, we did").

Both are set in ``templates/scs_paper_tpl.docx`` and checked before release like every paper.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from pathlib import Path

from scs_refresh.core.dates import long_date
from scs_refresh.core.store import CommentRecord
from scs_refresh.documents.release import release
from scs_refresh.documents.render import TableData, render_docx
from scs_refresh.documents.structure import Subsection, numbered_subsections
from scs_refresh.strategy import versions
from scs_refresh.strategy.comments import RESPONSES, section_title

TEMPLATE = "scs_paper_tpl.docx"


def paper_context(title: str, status_line: str, intro: Sequence[str], sections: Sequence[tuple[str, Sequence[Subsection]]],
                  partnership: str, author: str, footer: str) -> dict:
    """The paper template's fields: numbered sections (1, 2 ...) each of numbered subsections."""
    return {"title": title, "author": author, "footer": footer, "partnership_upper": partnership.upper(),
            "status_line": status_line, "intro": list(intro), "annexes": [],
            "sections": [{"heading": f"{i}. {heading}", "subsections": numbered_subsections(subs, i)}
                         for i, (heading, subs) in enumerate(sections, 1)]}


def change_summary_context(version: int, on: date, previous: tuple[int, date, dict] | None, new: dict,
                           partnership: str, author: str) -> dict:
    """What changed in ``version`` since the version before it, for members."""
    title = f"Sustainable Community Strategy: what changed in draft version {version}"
    footer = f"Changes in draft SCS version {version}, {long_date(on)}"
    if previous is None:
        return paper_context(title, f"Draft version {version}, as at {long_date(on)}",
                             ["This is the first draft of the Strategy: there is no earlier version to compare it with."],
                             [], partnership, author, footer)
    number, was_on, old = previous
    rows = versions.change_rows(old, new)
    table = TableData(["Section", "What changed", "At whose request"], [list(r) for r in rows], [40, 90, 40])
    intro = [f"Draft version {version} of the Strategy, as at {long_date(on)}, differs from draft version {number} "
             f"of {long_date(was_on)} in {len(rows)} place{'s' if len(rows) != 1 else ''}, listed below by section. "
             f"A copy of version {version} with these changes shown as tracked changes against version {number} "
             "accompanies this paper."]
    return paper_context(title, f"Draft version {version} compared with draft version {number}", intro,
                         [("What changed", [Subsection("Changes by section", [
                             "Each change, the section it is in, and who asked for it.",
                         ], table)])], partnership, author, footer)


def write_change_summary(out: Path, templates: Path, ctx: dict) -> Path:
    return release(render_docx(templates / TEMPLATE, ctx, out), ctx)


def comments_log_context(comments: Sequence[CommentRecord], content: dict, partners, on: date,
                         partnership: str, author: str) -> dict:
    """Every comment received on the draft by ``on``, who made it, and what was done about it."""
    name = lambda pid: partners.partner[pid].name if pid in partners.partner else pid  # noqa: E731
    rows = []
    for c in comments:
        said = c.text or ""
        if c.new_text:
            said = (said + " " if said else "") + (f"Proposed wording: \u201c{c.new_text}\u201d" +
                                                   (f" in place of \u201c{c.old_text}\u201d" if c.old_text else ""))
        if c.response is None:
            answer = "Being considered"
        else:
            answer = RESPONSES[c.response] + (f": {c.reason}" if c.reason else "")
            if c.change_to and c.response != "not":
                answer += f" The Strategy now reads: \u201c{c.change_to}\u201d"
        rows.append([name(c.partner_id), f"{section_title(content, c.section)} (version {c.version})", said, answer])
    counts = {r: sum(1 for c in comments if c.response == r) for r in RESPONSES}
    waiting = sum(1 for c in comments if c.response is None)
    intro = [f"Partners returned {len(comments)} comment{'s' if len(comments) != 1 else ''} on the draft Strategy by "
             f"{long_date(on)}: {counts['accepted']} accepted, {counts['partly']} partly accepted, "
             f"{counts['not']} not accepted" + (f", {waiting} still being considered" if waiting else "") + "."]
    table = TableData(["Partner", "Section", "You said", "We did"], rows, [34, 34, 56, 46]) if rows else None
    return paper_context("Comments on the draft Strategy: you said, we did", f"As at {long_date(on)}", intro,
                         [("Comments and responses", [Subsection(
                             "What partners said and what we did",
                             ["Each comment is quoted as the partner made it, with the response to it."], table)])],
                         partnership, author, f"Comments on the draft SCS, {long_date(on)}")


def _owners(theme: dict) -> str:
    return ", ".join(dict.fromkeys(o["owner"] for o in theme["outcomes"]))


def launch_pack_context(content: dict, steps, partners, on: date, standing: str, partnership: str,
                        author: str) -> dict:
    """The launch pack: the Strategy in brief, and the launch and publicity plan (scs.yaml ``launch``).
    ``standing`` says where the Strategy stands on ``on`` (adopted, or when it goes for adoption)."""
    brief = [Subsection("Our vision", list(content["vision"])),
             Subsection("Priorities and who leads them", [
                 "Each theme of the Strategy, its priorities, and the partners who lead its outcomes."],
                 TableData(["Theme", "Priorities", "Lead partners"],
                           [[t["title"], " ".join(t["priorities"]), _owners(t)] for t in content["themes"]],
                           [40, 90, 40]))]
    name = lambda pid: partners.partner[pid].name if pid in partners.partner else pid  # noqa: E731
    plan = [Subsection("What, when and who", ["How the Strategy and the Partnership will be launched and publicised."],
                       TableData(["When", "What", "Lead"], [[s.when, s.action, name(s.lead)] for s in steps],
                                 [36, 94, 40]) if steps else None)]
    title = content["title"]
    return paper_context(f"Launch and publicity pack: {title}", standing,
                         [f"This pack sets out the {title} in brief and the plan for launching it. The Strategy "
                          "itself follows in the Board pack."],
                         [("The Strategy in brief", brief), ("Launch and publicity plan", plan)],
                         partnership, author, f"Launch and publicity pack, {long_date(on)}")


def workshop_pack_context(content: dict, questions: Sequence[str], on: date, meets: date, partnership: str,
                          author: str) -> dict:
    """The away day workshop pack: the questions for the day and the evidence headlines, with the draft."""
    rows = [[t["title"], f["indicator"], f["breckland"], f["norfolk"], f["england"]]
            for t in content["themes"] for f in t["figures"]]
    sections = [("Questions for the workshop", [Subsection("Questions", list(questions) or [
                    "The questions are set out on the day."])]),
                ("What the evidence tells us", [Subsection("Evidence headlines", [
                    "The headline figures for each theme of the draft, Breckland against Norfolk and England."],
                    TableData(["Theme", "Indicator", "Breckland", "Norfolk", "England"], rows, [34, 64, 24, 24, 24])
                    if rows else None)])]
    return paper_context("Away day workshop pack", f"For the workshop on {long_date(meets)}, as at {long_date(on)}",
                         ["The draft Strategy follows this pack: the workshop tests its priorities and outcomes."],
                         sections, partnership, author, f"Away day workshop pack, {long_date(on)}")


def open_points(content: dict) -> list[str]:
    """What the Strategy leaves open: each outcome with no indicator agreed or no baseline set yet, so the
    covering report can list them rather than a committee find "to be agreed" in the Strategy."""
    points = []
    for t in content["themes"]:
        for o in t["outcomes"]:
            missing = [what for what, gap in (("an indicator", o["indicator"] == "to be agreed"),
                                              ("a baseline", o["baseline"] == "to be set")) if gap]
            if missing:
                points.append(f"{t['title']}: the outcome \u201c{o['outcome']}\u201d (lead: {o['owner']}) has no "
                              f"{' and no '.join(m.removeprefix('an ').removeprefix('a ') for m in missing)} yet; "
                              f"{o['owner']} is to propose {' and '.join(missing)} for the delivery plan.")
    return points

"""Everything one meeting needs, written into ``out/<meeting-id>/``.

Each paper is rendered from its template, checked for accessibility before it is released
(a failing paper is an error, never a silent release), then the agenda and the papers are
merged into one board pack with continuous page numbers, tagged PDFs are made when
LibreOffice is present (the pack's joined from its papers' PDFs), and the agenda and each open
paper are written as accessible web pages (``html/``), each checked before release too.
"""

from __future__ import annotations

import logging
import json
import string
from dataclasses import dataclass, field, replace
from datetime import date
from pathlib import Path

from scs_refresh.core.atomic import output_set, rebased, slug, write_bytes, write_text
from scs_refresh.core.dates import long_date
from scs_refresh.core.errors import UserError
from scs_refresh.documents.accessibility import literal_strings
from scs_refresh.documents.html import page_body, to_html
from scs_refresh.documents.release import checked_pack, release
from scs_refresh.documents.structure import Subsection
from scs_refresh.papers import records
from scs_refresh.papers.contexts import (RefreshState, agenda_context, board_report_context,
                                         committee_report_context, equality_screening_context, strategy_version)
from scs_refresh.documents.pdf import PdfQueue, convert_soon, pack_from_papers, soffice
from scs_refresh.documents.render import render_docx
from scs_refresh.review.paper import write_review
from scs_refresh.strategy import versions
from scs_refresh.strategy.draft import write_draft
from scs_refresh.strategy.draft import ADOPTED
from scs_refresh.strategy.papers import (comments_log_context, launch_pack_context, open_points,
                                         workshop_pack_context)
from scs_refresh.approval.chain import adoption
from scs_refresh.papers.contexts import adopted
from scs_refresh.timetable.model import Paper

log = logging.getLogger(__name__)

#: paper kind -> (template name, context builder); the other kinds come from other parts.
RENDERED = {"board_report": ("board_report", board_report_context),
            "committee_report": ("committee_report", committee_report_context),
            # the submission to the council's committees (seed 000, 4.3.6: 20 April): its report
            "submission_pack": ("committee_report", committee_report_context)}


@dataclass
class MeetingPapers:
    meeting_id: str
    folder: Path
    papers: list[Path] = field(default_factory=list)
    agenda: Path | None = None
    pack: Path | None = None
    pack_parts: list[Path] = field(default_factory=list)  # the pack's papers in its order: its PDF is theirs joined
    pack_title: str = ""
    pdfs: list[Path] = field(default_factory=list)
    pages: list[Path] = field(default_factory=list)  # html/<paper>.html: the agenda and each open paper as a web page
    warnings: list[str] = field(default_factory=list)
    not_produced: list[str] = field(default_factory=list)
    exempt: list[Path] = field(default_factory=list)  # Schedule 12A: members only, never published
    agenda_minutes: int | None = None  # the agenda's planned length: the invitation ends when it does

    def files(self) -> list[Path]:
        return [p for p in [*self.papers, self.agenda, self.pack, *self.pdfs, *self.pages] if p is not None]


def _ref(paper, letter: str) -> str:
    """The agenda's reference for a paper; an exempt one says so (LGA 1972 Schedule 12A)."""
    return f"Paper {letter} (exempt)" if paper.exempt else f"Paper {letter}"


def _copy(src: Path, folder: Path, number: int, title: str) -> Path:
    """A paper written elsewhere (the draft SCS, checked when it was written) as this meeting's paper N."""
    return write_bytes(folder / f"{number:02d}-{slug(title)}.docx", Path(src).read_bytes())


def considers_strategy(tt, event) -> bool:
    """A meeting that considers the Strategy: the draft is among its papers, or it is a step of the
    approval chain with a report (CMT, Executive Board, Cabinet, Full Council): its pack holds it."""
    return any(p.kind in ("draft_scs", "final_scs", "submission_pack", "launch_pack", "workshop_pack")
               for p in event.papers) or (
        event.id in tt.approval_chain and any(p.kind == "committee_report" for p in event.papers))


def strategy_exemption(event) -> int | None:
    """The Schedule 12A paragraph the meeting's copy of the Strategy is exempt under, if it is: then
    what is drawn from it (its change summary, the comments log, its open points) is exempt too."""
    return next((p.exempt for p in event.papers if p.kind in ("draft_scs", "final_scs") and p.exempt), None)


def _current_draft(state: RefreshState, event, out_dir: Path, templates: Path):
    """The draft SCS version the meeting receives (written now if the content changed), or None."""
    if state.draft is None or state.evidence is None or not considers_strategy(state.timetable, event):
        return None

    return write_draft(state.draft.inputs, state.evidence.digest, state.draft.responses, state.evidence.charts,
                       out_dir / "scs", templates, state.on, state.draft.amendments, state.draft.edits)


@dataclass(frozen=True)
class BoardSaw:
    """The draft version the Partnership Board last received, at which meeting, and that version's content."""

    version: int
    met: date
    content: dict | None


def board_last_saw(state: RefreshState, event, out_dir: Path) -> BoardSaw | None:
    """The draft the Partnership Board received at its last meeting before ``event`` that had taken place
    by ``state.on``, as its papers (``papers.json``, written by ``state.on``) record; None if it has seen none."""
    tt = state.timetable
    before = sorted((s.event for s in tt.schedule if s.event.body and s.event.id != event.id and s.event.date
                     and tt.body[s.event.body].kind == "partnership_board" and s.event.date <= state.on
                     and (event.date is None or s.event.date < event.date)), key=lambda e: e.date, reverse=True)
    for e in before:
        try:
            written = json.loads((Path(out_dir) / e.id / "papers.json").read_text())
        except (OSError, ValueError):
            continue
        if written.get("draft_version") and date.fromisoformat(written["generated_for"]) <= state.on:
            version = written["draft_version"]
            return BoardSaw(version, e.date, versions.content(Path(out_dir) / "scs", version))
    return None


def draft_changes(draft, saw: BoardSaw | None, board: str = "the Board") -> Subsection:
    """The draft that accompanies the paper, and what changed since ``board`` last saw a draft."""
    as_at = f", as at {long_date(draft.written_on)}," if draft.written_on else ""
    if saw is None:
        if draft.version == 1:
            return Subsection("THE DRAFT STRATEGY", [
                f"This is the first draft of the Strategy (version {draft.version}); it accompanies this report."])
        return Subsection("THE DRAFT STRATEGY", [
            f"Draft version {draft.version} of the Strategy{as_at} accompanies this report. "
            f"It is the first draft {board} sees."])
    if saw.version == draft.version:
        return Subsection("THE DRAFT STRATEGY", [
            f"Draft version {draft.version} of the Strategy{as_at} accompanies this report. "
            f"It is unchanged since {board} last saw it, on {long_date(saw.met)}."])
    current = versions.content(draft.docx.parent, draft.version)
    changed = versions.changes(saw.content, current) if saw.content is not None and current is not None \
        else draft.changed
    paras = [f"Draft version {draft.version} of the Strategy{as_at} accompanies this report. Since version "
             f"{saw.version}, which {board} saw on {long_date(saw.met)}:"]
    paras += [f"{section}: {'; '.join(items).replace(' -> ', ' to ')}." for section, items in changed.items()]
    return Subsection("CHANGES SINCE THE LAST DRAFT", paras)


def _content_of(draft) -> dict:
    """What the version ``draft`` says (its snapshot)."""
    return versions.content(draft.docx.parent, draft.version) or {"themes": []}


def _pack_context(state: RefreshState, event, kind: str, draft) -> dict:
    """The launch pack or the away day workshop pack, from the Strategy as it stands on the day."""
    tt, scs = state.timetable, state.draft.inputs.scs
    content = _content_of(draft)
    if kind == "workshop_pack":
        return workshop_pack_context(content, scs.workshop, state.on, event.date, tt.cycle.partnership,
                                     tt.cycle.officer.name)
    decision, adopting = adopted(state), adoption(tt)
    standing = (f"The Strategy as adopted by {tt.cycle.council} on {long_date(decision.decided_on)}" if decision
                else f"The Strategy as it goes to {tt.body[adopting.body].name} for adoption on {long_date(adopting.date)}"
                if adopting is not None and adopting.date else "The Strategy as it stands")
    return launch_pack_context(content, scs.launch, state.draft.inputs.partners, state.on, standing,
                               tt.cycle.partnership, tt.cycle.officer.name)


def _write_papers(state: RefreshState, event, draft, templates: Path, result: MeetingPapers,
                  pdfs: PdfQueue | None) -> None:
    """Render the meeting's papers, agenda and pack into ``result``; hand each to ``pdfs`` once written."""
    tt, meeting_id, folder = state.timetable, event.id, result.folder
    convert = pdfs.add if pdfs is not None else (lambda path: None)

    def add(path: Path, paper=None) -> None:
        """One rule for every kind of paper: an exempt one (Schedule 12A) is members only."""
        result.papers.append(path)
        if paper is not None and paper.exempt:
            result.exempt.append(path)
        convert(path)

    refs = iter(string.ascii_uppercase)
    agenda_papers = []
    quoted: set[str] = set()  # every string the papers quote, so the pack check knows them
    minutes_ref = ""
    previous = records.minutes_for_approval(state, event, folder.parent)
    if previous is not None and any(p.kind == "agenda" for p in event.papers):  # to confirm as a correct record
        add(_copy(previous, folder, len(result.papers) + 1, previous.stem))
        minutes_ref = f"Paper {next(refs)}"
    if draft is not None:  # the draft SCS quotes partners' answers word for word
        quoted.update(a for r in state.draft.responses.values() for a in r.answers.values())
    for paper in event.papers:
        if paper.kind in RENDERED:
            template, build = RENDERED[paper.kind]
            log.info("writing %s for %s", paper.title, meeting_id)
            context = build(state, event, paper)
            quoted.update(literal_strings(context))
            path = render_docx(templates / f"{template}_tpl.docx", context,
                               folder / f"{len(result.papers) + 1:02d}-{slug(paper.title)}.docx")
            add(release(path, context), paper)
            agenda_papers.append((paper, _ref(paper, next(refs))))
            screening = equality_screening_context(state, event) if paper.kind == "committee_report" else None
            if screening is not None:  # the report's equality implication rests on it: it goes with the report,
                quoted.update(literal_strings(screening))  # and is exempt when the report is
                add(release(render_docx(templates / "equality_screening_tpl.docx", screening,
                                        folder / f"{len(result.papers) + 1:02d}-{slug(screening['title'])}.docx"),
                            screening), paper)
        elif paper.kind == "partnership_review" and state.review is not None:
            review = write_review(tt, state.review.register, state.review.content, state.on, folder, meeting_id)
            add(review.docx, paper)
            agenda_papers.append((paper, _ref(paper, next(refs))))
        elif paper.kind in ("launch_pack", "workshop_pack") and draft is not None:
            ctx = _pack_context(state, event, paper.kind, draft)
            quoted.update(literal_strings(ctx))
            path = folder / f"{len(result.papers) + 1:02d}-{slug(paper.title)}.docx"
            add(release(render_docx(templates / "scs_paper_tpl.docx", ctx, path), ctx), paper)
            agenda_papers.append((paper, _ref(paper, next(refs))))
        elif paper.kind in ("draft_scs", "final_scs") and draft is not None:
            add(_copy(draft.docx, folder, len(result.papers) + 1, paper.title), paper)
            agenda_papers.append((paper, _ref(paper, next(refs))))
        elif paper.kind not in ("agenda", "board_pack"):
            result.not_produced.append(f"{paper.title} ({paper.kind}): not written, nothing to write it from yet")
    if draft is not None and not any(p.kind in ("draft_scs", "final_scs", "submission_pack") for p in event.papers):
        # A committee of the approval chain considers the Strategy as it stands on the day: it goes in the pack
        # (after adoption, the adopted Strategy).
        adopted_file = draft.docx.parent / ADOPTED
        adopted_now = adopted(state) is not None and adopted_file.is_file()
        paper = Paper(kind="final_scs", title="Sustainable Community Strategy" + (" as adopted" if adopted_now else ""))
        add(_copy(adopted_file if adopted_now else draft.docx, folder, len(result.papers) + 1, paper.title), paper)
        agenda_papers.append((paper, _ref(paper, next(refs))))
    if draft is not None and draft.version > 1 and draft.changes.is_file():
        # What changed in the version, with the copy showing the changes as tracked changes beside it.
        add(_copy(draft.changes, folder, len(result.papers) + 1, f"changes in draft version {draft.version}"),
            Paper(kind="final_scs", title=f"Changes in draft version {draft.version}",
                  exempt=strategy_exemption(event)))
        if draft.tracked is not None and draft.tracked.is_file():
            write_bytes(folder / f"draft-v{draft.version}-tracked-changes.docx", draft.tracked.read_bytes())
    if draft is not None and state.draft.comments and state.timetable.body.get(event.body) is not None \
            and state.timetable.body[event.body].kind == "partnership_board":
        # The comments log goes to the Board: who said what, and what was done about it.
        log_ctx = comments_log_context(state.draft.comments, _content_of(draft),
                                       state.draft.inputs.partners, state.on, tt.cycle.partnership,
                                       tt.cycle.officer.name)
        paper = Paper(kind="final_scs", title="Comments on the draft Strategy", exempt=strategy_exemption(event))
        quoted.update(literal_strings(log_ctx))
        path = folder / f"{len(result.papers) + 1:02d}-{slug(paper.title)}.docx"
        add(release(render_docx(templates / "scs_paper_tpl.docx", log_ctx, path), log_ctx), paper)
        agenda_papers.append((paper, _ref(paper, next(refs))))

    if any(p.kind == "submission_pack" for p in event.papers) and result.papers:
        # The submission: its report with the Strategy as it stands, in one pack for committee services.
        if draft is not None:
            add(_copy(draft.docx, folder, len(result.papers) + 1, "Sustainable Community Strategy"))
        result.pack_title = f"Submission to {tt.cycle.council} committees, {long_date(event.date)}"
        result.pack_parts = list(result.papers)
        result.pack = checked_pack(result.pack_parts, folder / f"{meeting_id}-submission-pack.docx",
                                   result.pack_title, quoted)
    if any(p.kind == "agenda" for p in event.papers):
        plan = agenda_context(state, event, agenda_papers, minutes_ref)
        result.warnings.extend(plan.warnings)
        result.agenda_minutes = plan.minutes
        result.agenda = release(render_docx(templates / "agenda_tpl.docx", plan.context,
                                             folder / "00-agenda.docx"), plan.context)
        convert(result.agenda)
    if any(p.kind == "board_pack" for p in event.papers):
        if result.agenda is None:
            raise UserError(f"{meeting_id}: a board pack needs an agenda; add one to the meeting's papers")
        result.pack_title = f"Board pack: {event.title.split(' - ')[0]}, {long_date(event.date)}"
        result.pack_parts = [result.agenda, *result.papers]
        log.info("merging the board pack for %s and checking it", meeting_id)
        result.pack = checked_pack(result.pack_parts, folder / f"{meeting_id}-board-pack.docx", result.pack_title,
                                   quoted)


def generate_meeting_papers(state: RefreshState, meeting_id: str, out_dir: Path, templates: Path,
                            pdf: bool = True) -> MeetingPapers:
    """Render every paper the meeting expects, its agenda and board pack, into ``out_dir/<meeting_id>``."""
    tt = state.timetable
    if meeting_id not in tt.event:
        raise UserError(f"no meeting '{meeting_id}' in the timetable (meetings: {', '.join(tt.event)})")
    event = tt.event[meeting_id]
    if event.date is None:
        raise UserError(f"{meeting_id} has no date yet (to be arranged); set its date in the timetable first")
    if event.body is None and not any(p.kind == "submission_pack" for p in event.papers):
        raise UserError(f"{meeting_id} is a milestone, not a meeting: it has no agenda or board pack")
    draft = _current_draft(state, event, Path(out_dir), templates)
    if draft is not None and pdf:  # the longest of the papers: its PDF is made while the others are written
        convert_soon(draft.docx)
    if draft is not None:  # the report says what changed since the Board last saw a draft
        boards = [b for b in tt.bodies if b.kind == "partnership_board"]
        board = "the Board" if event.body and tt.body[event.body].kind == "partnership_board" or not boards \
            else f"the {boards[0].name}"
        saw = board_last_saw(state, event, Path(out_dir))
        issues = [draft_changes(draft, saw, board)]
        gaps = [] if strategy_exemption(event) else open_points(_content_of(draft))
        if gaps:  # nothing "to be agreed" goes to a meeting without being named as an open point
            issues.append(Subsection("OPEN POINTS IN THE STRATEGY", [
                "The Strategy leaves these points open; they are to be settled in the delivery plan:", *gaps]))
        state = replace(state, extra_issues=[*state.extra_issues, *issues],
                        strategy=strategy_version(draft.docx.parent, draft.version))  # the one it goes with

    final = Path(out_dir) / meeting_id
    with output_set(final) as folder:  # all the meeting's papers, or (on any failure) the last set as it was
        result = _write_set(state, event, draft, templates, MeetingPapers(meeting_id, folder), pdf)
    result = rebased(result, folder, final)
    log.info("wrote the papers for %s as at %s: %d file(s) in %s", meeting_id, state.on, len(result.files()), final)
    return result


def _write_set(state: RefreshState, event, draft, templates: Path, result: MeetingPapers, pdf: bool) -> MeetingPapers:
    """The papers, their PDFs and web pages and the manifest (``papers.json``) into ``result.folder``."""
    meeting_id, folder = event.id, result.folder
    making_pdfs = pdf and soffice() is not None
    if pdf and not making_pdfs:
        result.warnings.append("LibreOffice is not installed: no PDFs were made")
    with PdfQueue(folder / "pdf") as pdfs:  # each paper converts while the next is written
        _write_papers(state, event, draft, templates, result, pdfs if making_pdfs else None)
        public = [doc for doc in [result.agenda, *result.papers] if doc not in (None, *result.exempt)]
        for doc in public:  # the web pages' content, made while LibreOffice is still converting
            page_body(doc)
        if making_pdfs:
            result.pdfs = pdfs.wait([p for p in [result.agenda, *result.papers] if p])
    pdfs = {p.stem: p for p in result.pdfs}
    if making_pdfs and result.pack is not None:  # its papers' PDFs joined, not a second conversion (issue #18)
        result.pdfs.append(pack_from_papers(result.pack, result.pack_parts,
                                            [pdfs[p.stem] for p in result.pack_parts], result.pack_title))

    # Each paper the public may read, as an accessible web page linking its Word file and PDF.
    for doc in public:
        versions = [doc] + ([pdfs[doc.stem]] if doc.stem in pdfs else [])
        result.pages.append(to_html(doc, templates / "paper_page.html", folder / "html" / f"{doc.stem}.html",
                                    versions))

    rel = [str(p.relative_to(folder)) for p in result.files()]
    exempt_stems = {p.stem for p in result.exempt}
    manifest = {"meeting": meeting_id, "generated_for": state.on.isoformat(), "files": rel,
                "draft_version": draft.version if draft is not None else None,
                "pack": str(result.pack.relative_to(folder)) if result.pack else None,
                "exempt": [f for f in rel if Path(f).stem in exempt_stems],
                "warnings": result.warnings, "not_produced": result.not_produced,
                "agenda_minutes": result.agenda_minutes}
    write_text(folder / "papers.json", json.dumps(manifest, indent=2))
    return result

"""The content of each paper, built from the state of the refresh on a given day.

A context is plain data (dataclasses, strings, :class:`Figure`, :class:`TableData`) that a
template renders; nothing here touches Word. Section 4 (Issues) of a board report is made
of :class:`Subsection` blocks contributed by *providers*: functions of the refresh state
that each say one thing (stage progress, next steps, gaps; partner returns and evidence
headlines when those are available).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from pathlib import Path

from scs_refresh.core import schedule_12a
from scs_refresh.approval.chain import adoption, current_decisions, decision_chain
from scs_refresh.approval.outcomes import APPROVING
from scs_refresh.approval.decisions import Amendment
from scs_refresh.core.dates import long_date, short_date
from scs_refresh.core.errors import UserError
from scs_refresh.core.store import DecisionRecord, Response
from scs_refresh.documents.render import Figure, TableData
from scs_refresh.documents.structure import Annex, Subsection, numbered, numbered_subsections
from scs_refresh.evidence.digest import Digest
from scs_refresh.papers import funding as funding_table
from scs_refresh.papers.equality import EqualityScreening
from scs_refresh.papers.funding import FundingAllocations
from scs_refresh.papers.wording import PapersConfig
from scs_refresh.partners.status import PartnerStatus
from scs_refresh.performance.delivery_plan import Rag
from scs_refresh.performance import scorecard
from scs_refresh.performance.scorecard import ScorecardPaper
from scs_refresh.review.paper import ReviewContent
from scs_refresh.review.register import Register
from scs_refresh.strategy import versions
from scs_refresh.strategy.draft import DraftInputs
from scs_refresh.timetable.model import Event, Paper, Timetable


@dataclass(frozen=True)
class PartnerReturns:
    """Where the partner questionnaire stands on the day: one row per partner."""

    deadline: date
    rows: Sequence[PartnerStatus]


@dataclass(frozen=True)
class EvidenceSnapshot:
    """The evidence digest as at the day, and the folder its charts were drawn into."""

    digest: Digest
    charts: Path


@dataclass(frozen=True)
class ReviewInputs:
    """The Partnership Register and the officer's review text (policy 002), for the review paper."""

    register: Register
    content: ReviewContent


@dataclass(frozen=True)
class DraftSources:
    """What the draft SCS is written from: its config and the partners' answers received by the day."""

    inputs: DraftInputs
    responses: dict[str, Response]
    amendments: list[Amendment] = field(default_factory=list)  # agreed by the approval chain by the day
    comments: list = field(default_factory=list)  # partners' comments on the draft known by the day (CommentRecord)
    edits: list = field(default_factory=list)  # the changes agreed in response to them (strategy.comments.Edit)


@dataclass(frozen=True)
class StrategyVersion:
    """The version of the Strategy current on the day (``strategy.versions``): its number, the day it was
    written as at, and the amendments agreed by the approval chain that it includes."""

    number: int
    written_on: date
    amendments: Sequence[dict] = ()


def strategy_version(folder: Path, number: int) -> StrategyVersion:
    """Version ``number`` of the Strategy in ``folder`` (``strategy.versions``), with the amendments it holds."""
    return StrategyVersion(number, versions.written_on(folder, number),
                           tuple((versions.content(folder, number) or {}).get("amendments", ())))


@dataclass(frozen=True)
class RefreshState:
    """Everything a paper may report, as at ``on``: computed once at the edge, read by providers."""

    timetable: Timetable
    papers: PapersConfig
    on: date
    partners: PartnerReturns | None = None
    evidence: EvidenceSnapshot | None = None
    review: ReviewInputs | None = None
    draft: DraftSources | None = None
    extra_issues: Sequence[Subsection] = ()
    annexes: Sequence[Annex] = ()
    scorecard: ScorecardPaper | None = None  # the delivery plan scorecard as at ``on`` (scs_refresh.performance.scorecard)
    decisions: Sequence[DecisionRecord] = ()  # the approval chain's decisions recorded by ``on``
    strategy: StrategyVersion | None = None  # the Strategy's version current on ``on``
    funding: FundingAllocations | None = None  # the exempt allocations paper's figures (members only)
    equality: EqualityScreening | None = None  # the equality impact assessment screening, once recorded


Provider = Callable[[RefreshState, Event], "Subsection | None"]


def next_meeting_of(tt: Timetable, event: Event) -> Event | None:
    """The next dated meeting of the same body after ``event``."""
    later = [s.event for s in tt.schedule
             if s.event.body == event.body and s.event.date and event.date and s.event.date > event.date]
    return later[0] if later else None


def adopted(state: RefreshState) -> DecisionRecord | None:
    """The adopting meeting's decision to adopt the SCS, if it had been taken and recorded by ``state.on``."""
    event = adoption(state.timetable)
    d = current_decisions(state.decisions).get(event.id) if event else None
    return d if d is not None and d.outcome in APPROVING and d.decided_on <= state.on else None


def _adoption_date(state: RefreshState) -> str:
    """The day the SCS was adopted, or the day the adopting meeting is due to consider it."""
    decision, event = adopted(state), adoption(state.timetable)
    if decision is not None:
        return long_date(decision.decided_on)
    return long_date(event.date) if event is not None and event.date else "a date to be arranged"


def next_step_of(tt: Timetable, event: Event) -> Event | None:
    """The meeting of the approval chain that considers the Strategy after ``event``: the next in the chain,
    or for a meeting outside it, the first of the chain dated after it."""
    chain = [tt.event[e] for e in decision_chain(tt)]
    if event.id in decision_chain(tt):
        later = chain[[e.id for e in chain].index(event.id) + 1:]
    else:
        later = [e for e in chain if e.date and event.date and e.date > event.date]
    return next((e for e in later if e.body), None)


def fill(text: str, state: RefreshState, event: Event, **decision: str) -> str:
    """Fill the placeholders allowed in papers.yaml wording (checked when it was loaded); a sentence of
    the decision record also gets ``decision`` (decided_on, amendment, note)."""
    tt = state.timetable
    nxt, step = next_meeting_of(tt, event), next_step_of(tt, event)
    body = tt.body[event.body].name if event.body else tt.cycle.council
    return text.format(
        body=body, partnership=tt.cycle.partnership, council=tt.cycle.council,
        meeting_date=long_date(event.date) if event.date else "to be arranged",
        next_meeting=f"the {nxt.title.split(' - ')[0]} on {long_date(nxt.date)}" if nxt else "the next meeting",
        adoption_date=_adoption_date(state),
        next_body=tt.body[step.body].name if step else tt.cycle.council,
        next_step=f"the {tt.body[step.body].name} on {long_date(step.date)}" if step and step.date
        else f"the {tt.body[step.body].name}" if step else "the next meeting",
        **decision,
    )


def wording(state: RefreshState, paper: Paper):
    """The paper's wording in papers.yaml as it stands on ``state.on``: its ``until_adopted`` parts
    while the Strategy has not been adopted."""
    return state.papers.purposes[paper.purpose].as_written(adopted(state) is not None)


# --- providers for section 4 ------------------------------------------------------------

def stage_progress(state: RefreshState, event: Event) -> Subsection:
    """Where the refresh stands against the timetable on the day the papers are written."""
    tt, on = state.timetable, state.on
    rows, done, current = [], 0, None
    for st in tt.stages:
        if on > st.window.end:
            status, done = "Complete", done + 1
        elif on >= st.window.start:
            status, current = "In progress", st
        else:
            status = "Not started"
        rows.append([st.name, f"{short_date(st.window.start)} to {short_date(st.window.end)}", status])
    where = (f"The refresh is in the {current.name.lower()}, which runs to {long_date(current.window.end)}"
             if current else "The refresh is between stages")
    paras = [f"{where}; {done} of {len(tt.stages)} stages are complete as at {long_date(on)}."]
    if current and current.activities:
        paras.append(f"The {current.name.lower()} covers: " + "; ".join(a.title for a in current.activities) + ".")
    return Subsection("STAGE PROGRESS AGAINST THE TIMETABLE", paras,
                      TableData(["Stage", "Dates", f"Status at {long_date(on)}"], rows, [45, 75, 50]))


def next_steps(state: RefreshState, event: Event) -> Subsection | None:
    """The dates still to come after this meeting, with their paper deadlines."""
    tt = state.timetable
    after = [s for s in tt.schedule if event.date and (s.event.date or s.event.to_be_arranged.end) > event.date]
    if not after:
        return None
    rows = [[short_date(s.event.date) if s.event.date else
             f"To be arranged ({short_date(s.event.to_be_arranged.start)} to {short_date(s.event.to_be_arranged.end)})",
             s.event.title, short_date(s.report_deadline) if s.report_deadline else "-",
             short_date(s.publication_deadline) if s.publication_deadline else "-"] for s in after]
    return Subsection("NEXT STEPS AND DATES",
                      ["The remaining meetings and milestones, with the dates their reports must be final "
                       "and their papers published, are:"],
                      TableData(["Date", "Meeting or milestone", "Reports final", "Papers out"], rows,
                                [38, 72, 30, 30]))


def gaps_and_issues(state: RefreshState, event: Event) -> Subsection | None:
    """What needs the Board's attention: meetings still to be arranged, or whose window passed undated, in the
    Board's words (papers.yaml ``gaps``); what the officer must do about them is in the officer's plan."""
    words, on = state.papers.gaps, state.on
    paras = []
    for s in state.timetable.schedule:
        if s.event.tba:
            w = s.event.to_be_arranged
            text = words.to_be_arranged if on <= w.end else words.not_held
            paras.append(text.format(event=s.event.title.split(" - ")[0], title=s.event.title,
                                     start=long_date(w.start), end=long_date(w.end)))
    return Subsection("GAPS AND ISSUES", paras) if paras else None


def partner_returns(state: RefreshState, event: Event) -> Subsection | None:
    """Questionnaire returns, reminders and interviews: seed 000, 4.3.3 and 4.3.4."""
    if state.partners is None or not state.partners.rows:
        return None
    rows = list(state.partners.rows)
    answered = [r for r in rows if r.responded_on]
    overdue = [r for r in rows if r.overdue]
    interviews = [r for r in rows if r.interview not in ("-",)]
    held = [r for r in interviews if r.interview == "held"]
    paras = [f"The partner questionnaire (key priorities and focus; future commitment of time and resources; "
             f"evidence of need and consultation data; links to current strategies or projects) was due back by "
             f"{long_date(state.partners.deadline)}. As at {long_date(state.on)}, {len(answered)} of {len(rows)} "
             f"partners have responded."]
    if overdue:
        paras.append("Still awaited after the deadline: " + "; ".join(r.name for r in overdue)
                     + ". Reminders have been sent and the Board's help in securing these returns is welcome.")
    if interviews:
        paras.append(f"One to one interviews: {len(held)} of {len(interviews)} held.")
    table = TableData(["Partner", "Questionnaire", "Reminders", "Responded", "Interview"],
                      [[r.name, r.sent, ", ".join(f"{k} {d:%d %b}" for k, d in r.reminders) or "none",
                        long_date(r.responded_on) if r.responded_on else ("overdue" if r.overdue else "not yet"),
                        r.interview] for r in rows], [52, 32, 30, 28, 28])
    return Subsection("PARTNER QUESTIONNAIRE AND INTERVIEWS", paras, table)


def _labelled(text: str, illustrative: bool) -> str:
    """``text`` marked ILLUSTRATIVE when its source is, unless it already says so."""
    return f"{text} (ILLUSTRATIVE)" if illustrative and "ILLUSTRATIVE" not in text.upper() else text


def _headlines_for_board(headlines: Sequence) -> list:
    """A theme's first headline, and its first that compares Breckland with elsewhere (if another)."""
    if not headlines:
        return []
    compared = next((h for h in headlines if h.comparisons or h.rank), None)
    return [headlines[0]] + ([compared] if compared is not None and compared is not headlines[0] else [])


def evidence_headlines(state: RefreshState, event: Event) -> Subsection | None:
    """The evidence base in brief: one headline per theme and the charts (seed 000, 4.3.7)."""
    if state.evidence is None:
        return None
    digest = state.evidence.digest
    headlines = [(t, h) for t in digest.themes for h in _headlines_for_board(t.headlines)]
    if not headlines and not digest.awaited:
        return None
    read = [p for p in digest.provenance if p.ok]
    illustrative = sum(p.illustrative for p in read)
    paras = [f"The evidence base as at {long_date(state.on)} draws on {len(read)} sources published by then"
             + (f", {illustrative} of them illustrative (marked ILLUSTRATIVE: examples, "
                "not real data)" if illustrative else "")
             + ". Every figure below names its release and is traced to its file in the annex."]
    if digest.awaited:
        paras.append("Not yet published, so not quoted: " + "; ".join(a.text for a in digest.awaited) + ".")
    rows = [[f"{t.title}: {h.indicator}", _labelled(h.text, h.illustrative), h.source_title]
            for t, h in headlines]
    figures = [(Figure(state.evidence.charts / h.chart.file, h.chart.alt_text),
                f"Figure {n}: {_labelled(h.chart.title, h.illustrative)}. Source: {h.source_title}.")
               for n, (_, h) in enumerate([(t, h) for t, h in headlines if h.chart][:2], 1)]
    table = TableData(["Theme and indicator", "What the evidence shows", "Source"], rows, [38, 95, 37]) if rows else None
    return Subsection("EVIDENCE HEADLINES", paras, table, figures)


def evidence_annex(state: RefreshState) -> Annex | None:
    """Where every figure comes from: file, publisher, period and date of the data."""
    if state.evidence is None:
        return None
    rows = [[_labelled(p.title, p.illustrative), p.publisher, p.period, long_date(p.published), p.file,
             f"{p.rows} rows" if p.ok else f"not read: {p.error}"] for p in state.evidence.digest.provenance]
    return Annex("Annex A: Sources of evidence",
                 "Each figure in this report is taken from one of these files in the evidence folder: the releases "
                 f"published by {long_date(state.on)}, the day it was written.",
                 TableData(["Source", "Publisher", "Period", "Published", "File", "Read"], rows,
                           [40, 28, 18, 22, 40, 22]))




def scorecard_section(state: RefreshState, event: Event) -> Subsection | None:
    """Progress on the SCS delivery plan, in every Board report for a meeting after the SCS is adopted.

    Seed 003 found "very few reports or discussions about progress on community strategy
    priorities": once the Strategy is adopted, the Board sees its scorecard at every meeting.
    """
    tt, paper = state.timetable, state.scorecard
    adopting = adoption(tt)
    if (paper is None or adopting is None or event.body is None or tt.body[event.body].kind != "partnership_board"
            or not (event.date and adopting.date and event.date > adopting.date)):
        return None
    card = paper.card
    # papers are written before the meeting: adopted only once the adopting meeting's decision is recorded
    adopts = "adopted" if adopted(state) is not None else "is due to consider adopting"
    paras = [f"{tt.body[adopting.body].name} {adopts} the Sustainable Community Strategy on {_adoption_date(state)}. "
             f"The table shows progress on each indicator of its delivery plan as at {long_date(card.on)}: "
             f"{scorecard.counts_text(card)}."
             + (" The delivery plan is illustrative: its outcomes, owners and targets are examples, not the "
                "Partnership's agreed plan." if card.illustrative else ""),
             f"How each indicator is rated: {card.rule}"]
    for rag, ask in ((Rag.RED, "The Board may wish to ask the owners how they will bring these back on track"),
                     (Rag.GREY, "The owners are asked for a figure newer than the baseline for")):
        rows = [r for r in card.rows if r.rag is rag]
        if rows:
            paras.append(f"{ask}: " + "; ".join(f"{r.indicator.name} ({r.owner})" for r in rows) + ".")
    return Subsection("PROGRESS ON THE SCS DELIVERY PLAN", paras, scorecard.table(card),
                      [(paper.chart, f"Progress on the SCS delivery plan as at {long_date(card.on)}")])


def funding_allocations(state: RefreshState, event: Event) -> Subsection:
    """The exempt paper's business: the proposed allocations per theme, partner and project, with totals."""
    f = state.funding
    if f is None:
        raise UserError("funding_allocations.yaml: not found in the config folder; the exempt paper on the "
                        "Partnership's funding allocations is written from it (theme, partner, project, amount)")
    partners = {a.partner for a in f.allocations}
    paras = [f"The proposed allocations of Partnership funding for {f.year} total "
             f"{funding_table.pounds(f.total())}, to {len(f.allocations)} projects of {len(partners)} partners "
             f"under {len(f.themes())} themes of the Strategy, as the table sets out."]
    return Subsection("PROPOSED ALLOCATIONS", paras, funding_table.table(f))


DEFAULT_PROVIDERS: tuple[Provider, ...] = (stage_progress, partner_returns, evidence_headlines, scorecard_section,
                                           gaps_and_issues, next_steps)


def _issues(state: RefreshState, event: Event, providers: Sequence[Provider], section: int,
            start: int = 1) -> list[dict]:
    subs = [s for s in (p(state, event) for p in providers) if s is not None] + list(state.extra_issues)
    return numbered_subsections(subs, section, start)


def _common(state: RefreshState, event: Event, paper: Paper) -> dict:
    tt = state.timetable
    officer = tt.cycle.officer
    return {
        "title": paper.title, "author": officer.name, "officer_name": officer.name, "officer_role": officer.role,
        "officer_email": officer.email, "partnership": tt.cycle.partnership,
        "partnership_upper": tt.cycle.partnership.upper(), "council": tt.cycle.council,
        "council_upper": tt.cycle.council.upper(), "meeting_date": long_date(event.date),
        "annexes": [a for a in (evidence_annex(state), *state.annexes) if a is not None]
        if state.papers.purposes[paper.purpose].issues == "progress" else [],
        # Schedule 12A: an exempt paper says on its face (and on every page) that it is not for publication
        "marking": state.papers.exempt_marking.format(exemption=schedule_12a.citation(paper.exempt))
        if paper.exempt else "",
    }


def _background(state: RefreshState, event: Event, wording: Sequence[str],
                record: Sequence[str] | None = None) -> list[str]:
    """The report's background wording, the process the Board agreed, then the approval chain: ``record``
    (a chain report's decision record) or, by default, the chain in one sentence."""
    tt = state.timetable
    first = tt.schedule[0].event
    chain = [tt.event[e] for e in tt.approval_chain]
    stages = "; ".join(f"{s.name.lower()} ({s.window.start:%B %Y} to {s.window.end:%B %Y})" for s in tt.stages)
    generated = []
    if first.id != event.id and first.date:
        generated.append(f"At its meeting on {long_date(first.date)} the Board agreed the process and timescales "
                         f"for refreshing the Sustainable Community Strategy in {len(tt.stages)} stages: {stages}.")
    if record is not None:
        generated += record
    elif chain:
        generated.append(_approval_so_far(state, chain[1:]))
    return [fill(w, state, event) for w in wording] + generated


def _approval_so_far(state: RefreshState, chain: Sequence[Event]) -> str:
    """The approval chain as it stands on ``state.on``: the steps decided by then, and the dates to come."""
    council = state.timetable.cycle.council
    in_force = current_decisions(state.decisions)
    steps = []
    for e in chain:
        name, d = e.title.split(" - ")[0], in_force.get(e.id)
        if d is not None and d.decided_on <= state.on and d.outcome in APPROVING:
            steps.append(f"{name} approved it on {long_date(d.decided_on)}")
        elif d is not None and d.decided_on <= state.on:
            steps.append(f"{name} {d.outcome.replace('_', ' ')} it on {long_date(d.decided_on)}"
                         + (f" and meets again on {long_date(e.date)}" if e.date and e.date > d.decided_on else ""))
        else:
            steps.append(f"{name} on {long_date(e.date)}")
    if len(steps) == len([s for s in steps if " it on " in s]):
        return f"The Strategy was approved through {council}'s committees: " + "; ".join(steps) + "."
    if any(" it on " in s for s in steps):
        return f"The Strategy is being approved through {council}'s committees: " + "; ".join(steps) + "."
    return f"The Strategy is to be approved through {council}'s committees, " + ", ".join(steps) + "."


def board_report_context(state: RefreshState, event: Event, paper: Paper,
                         providers: Sequence[Provider] = DEFAULT_PROVIDERS) -> dict:
    """A report to the LSP Board in the Partnership's own six-section format; section 4 reports the refresh's
    progress or, when the wording says so, the proposed funding allocations (and nothing else)."""
    words = wording(state, paper)
    if words.issues == "funding_allocations":
        providers = (funding_allocations,)
    body = state.timetable.body[event.body]
    return {
        **_common(state, event, paper),
        "body_short": "LSP Board" if body.kind == "partnership_board" else body.name,
        "purpose": numbered("1", [fill(t, state, event) for t in words.purpose]),
        "recommendations": numbered("2", [fill(t, state, event) for t in words.recommendations]),
        "background": numbered("3", _background(state, event, words.background)),
        "issues": _issues(state, event, providers, 4),
        "options": numbered("5", state.papers.options),
        "reasons": numbered("6", [fill(t, state, event) for t in words.reasons]),
    }


def _decided(state: RefreshState, step: Event, d: DecisionRecord) -> str:
    """One decision of the record in the wording of papers.yaml: an approval as the step's own report
    asked it (its ``decided`` wording), with the amendment agreed and the note of the decision."""
    words = state.papers.decision_record
    said = {"decided_on": long_date(d.decided_on), "amendment": d.amendment or "", "note": d.note or ""}
    if d.outcome in APPROVING:
        asked = next((state.papers.purposes[p.purpose].decided for p in step.papers
                      if p.purpose in state.papers.purposes and state.papers.purposes[p.purpose].decided), None)
        text = asked or words.approved
    else:
        text = getattr(words, str(d.outcome))
    parts = [fill(text, state, step, **said)]
    if d.amendment:
        parts.append(fill(words.amendment, state, step, **said))
    if d.note:
        parts.append(fill(words.note, state, step, **said))
    return " ".join(parts)


def decision_record(state: RefreshState, event: Event) -> list[str]:
    """What each meeting of the approval chain before ``event`` decided, with its amendments and dates, as
    recorded by ``state.on`` (and ``event``'s own deferral when it meets again); a meeting not yet held is
    named with the day it is due to meet."""
    tt = state.timetable
    chain = decision_chain(tt)
    steps = chain[:chain.index(event.id) + 1] if event.id in chain else \
        [e for e in chain if tt.event[e].date and event.date and tt.event[e].date < event.date]
    out = []
    for eid in steps:
        step = tt.event[eid]
        if step.body is None:
            continue
        taken = sorted((d for d in state.decisions if d.meeting_id == eid and d.replaced_by is None
                        and d.decided_on <= state.on), key=lambda d: (d.decided_on, d.seq))
        out += [_decided(state, step, d) for d in taken]
        meets_again = not taken or (taken[-1].outcome == "deferred" and step.date and step.date > taken[-1].decided_on)
        if meets_again and eid != event.id:
            out.append(fill(state.papers.decision_record.pending, state, step))
    return out


def strategy_considered(state: RefreshState, event: Event) -> Subsection | None:
    """The version of the Strategy the meeting considers, and the amendments of the approval chain it holds."""
    v = state.strategy
    if v is None:
        return None
    body = state.timetable.body[event.body].name if event.body else f"{state.timetable.cycle.council} committees"
    paras = [f"The Strategy before the {body} is version {v.number} of the Sustainable Community Strategy, as at "
             f"{long_date(v.written_on)}."]
    if v.amendments:
        paras.append("It includes the amendments agreed so far: " + "; ".join(
            f"{a['meeting']}, {long_date(date.fromisoformat(a['decided_on']))}: {a['text'].rstrip('.')}"
            for a in v.amendments)  # each amendment's own full stop gives way to the list's
            + ".")
    return Subsection("THE STRATEGY BEFORE THE MEETING", paras)


def _screening_conclusion(state: RefreshState) -> str:
    eq, words = state.equality, state.papers.equality
    return (words.full_assessment if eq.full_assessment_needed else words.no_full_assessment).format(reason=eq.reason)


def _equality(state: RefreshState) -> dict | None:
    """The equality implication as it stands on the day: the screening carried out by then, or none."""
    words, eq = state.papers.equality, state.equality
    if words is None:
        return None
    if eq is None or not eq.done_by(state.on):
        return {"title": words.title, "text": words.not_screened}
    return {"title": words.title, "text": words.screened.format(
        screened_by=eq.screened_by, screened_on=long_date(eq.screened_on), summary=eq.summary, paper=eq.title)
        + " " + _screening_conclusion(state)}


def equality_screening_context(state: RefreshState, event: Event) -> dict | None:
    """The screening as a paper of its own beside a committee report, once it has been carried out."""
    eq, words, tt = state.equality, state.papers.equality, state.timetable
    if eq is None or words is None or not eq.done_by(state.on):
        return None
    return {"title": eq.title, "author": tt.cycle.officer.name, "council_upper": tt.cycle.council.upper(),
            "committee": tt.body[event.body].name if event.body else f"{tt.cycle.council} committees",
            "meeting_date": long_date(event.date), "screened_by": eq.screened_by,
            "screened_on": long_date(eq.screened_on), "summary": eq.summary, "groups": eq.table(),
            "conclusion": _screening_conclusion(state)}


def committee_report_context(state: RefreshState, event: Event, paper: Paper,
                             providers: Sequence[Provider] = (strategy_considered,)) -> dict:
    """A council committee report: purpose, recommendations, background (the decisions of the approval chain
    so far), options, reasons, implications (legal, financial, risk, equality as screened), contact officer
    and background papers."""
    tt = state.timetable
    words = wording(state, paper)
    board_papers = [f"{p.title}, report to the {tt.body[s.event.body].name}, {long_date(s.event.date)}"
                    for s in tt.schedule if s.event.body and tt.body[s.event.body].kind == "partnership_board"
                    and s.event.date and event.date
                    and s.event.date < event.date for p in s.event.papers if p.kind == "board_report"
                    and not p.exempt]  # an exempt report is no background paper to a public one
    background = _background(state, event, words.background, decision_record(state, event))
    implications = [{"title": imp.title, "text": imp.text} for imp in state.papers.implications]
    implications += [i for i in (_equality(state),) if i is not None]
    return {
        **_common(state, event, paper),
        # A submission (a milestone, no body) goes to all the council's committees in the chain.
        "committee": tt.body[event.body].name if event.body else f"{tt.cycle.council} committees",
        "key_decision": "No", "exempt": "No", "wards": "All",
        "purpose": numbered("1", [fill(t, state, event) for t in words.purpose]),
        "recommendations": numbered("2", [fill(t, state, event) for t in words.recommendations]),
        "background": numbered("3", background),
        "issues": _issues(state, event, providers, 3, start=len(background) + 1),
        "options": numbered("4", state.papers.committee_options),
        "reasons": numbered("5", [fill(t, state, event) for t in words.reasons]),
        "implications": [{"number": f"6.{i}", **imp} for i, imp in enumerate(implications, 1)],
        "background_papers": board_papers or ["None"],
    }


@dataclass(frozen=True)
class AgendaPlan:
    context: dict
    minutes: int
    warnings: list[str]


def previous_sitting(state: RefreshState, event: Event) -> tuple[str, date] | None:
    """The body's last sitting before ``event`` (meeting id, date): the one whose minutes it confirms.
    A meeting re-arranged after a deferral follows its own first sitting, known from the decision record."""
    tt = state.timetable
    sittings = [(s.event.id, s.event.date) for s in tt.schedule
                if s.event.body == event.body and s.event.type == "meeting" and s.event.date]
    sittings += [(d.meeting_id, d.decided_on) for d in state.decisions
                 if d.outcome == "deferred" and d.meeting_id in tt.event and tt.event[d.meeting_id].body == event.body]
    earlier = [x for x in sittings if event.date and x[1] < event.date]
    return max(earlier, key=lambda x: x[1]) if earlier else None


def paragraphs_text(numbers: Sequence[int]) -> str:
    """'paragraph 3' or 'paragraphs 1 and 3': how the exclusion resolution names Schedule 12A's paragraphs."""
    ns = [str(n) for n in sorted(set(numbers))]
    return f"paragraph {ns[0]}" if len(ns) == 1 else f"paragraphs {', '.join(ns[:-1])} and {ns[-1]}"


def agenda_context(state: RefreshState, event: Event, papers: Sequence[tuple[Paper, str]],
                   minutes_ref: str = "") -> AgendaPlan:
    """The agenda in the order of business of a council meeting.

    Apologies, declarations of interest, the minutes of the body's previous meeting (``minutes_ref``
    when its draft minutes go in the pack), the body's standing items, the open business, the closing
    items; then, if there is exempt business, the resolution to exclude the press and public
    (LGA 1972 s100A(4)) citing the paragraphs of Schedule 12A, and the exempt items last, so the
    public can stay for everything before it. ``papers`` pairs each paper with its reference.
    Warns when the meeting runs over the configured length: seed 003 found the best LSP meetings
    were well structured and no longer than two hours.
    """
    tt, cfg = state.timetable, state.papers.agenda
    body = tt.body[event.body]
    own = cfg.body(event.body)

    def standing(agenda_items) -> list[tuple]:
        return [(i.title, i.presenter, i.minutes, "") for i in agenda_items]

    def business(rows) -> list[tuple]:
        return [(title, tt.cycle.officer.name, cfg.paper_minutes.get(p.kind, 15), ref) for p, ref, title in rows]

    items = standing(cfg.opening)
    previous = previous_sitting(state, event)
    if cfg.minutes_item is not None and previous is not None:
        items.append((cfg.minutes_item.title.format(previous_meeting=long_date(previous[1])),
                      cfg.minutes_item.presenter, cfg.minutes_item.minutes, minutes_ref))
    items += standing(own.opening)
    items += business([(p, ref, p.title) for p, ref in papers if not p.exempt])
    items += standing(cfg.closing) + standing(own.closing)
    exempt = [(p, ref) for p, ref in papers if p.exempt]
    if exempt and cfg.exclusion is not None:
        items.append((cfg.exclusion.title.format(paragraphs=paragraphs_text([p.exempt for p, _ in exempt])),
                      cfg.exclusion.presenter, cfg.exclusion.minutes, ""))
    # The agenda is published: an exempt item shows the paragraph it is exempt under, never its title.
    items += business([(p, ref, cfg.exempt_item.format(exemption=schedule_12a.described(p.exempt)))
                       for p, ref in exempt])
    total = sum(m for _, _, m, _ in items)
    start = event.time or cfg.default_time
    finish = (datetime.strptime(start, "%H:%M") + timedelta(minutes=total)).strftime("%H:%M")
    warnings = []
    if total > cfg.max_minutes:
        warnings.append(f"the agenda for {event.id} runs {total} minutes, over the {cfg.max_minutes}-minute "
                        "limit (the best Board meetings are well structured and no longer than two hours)")
    context = {
        "title": f"Agenda: {event.title.split(' - ')[0]}, {long_date(event.date)}", "author": tt.cycle.officer.name,
        "organisation_upper": (cfg.organisation if body.kind == "partnership_board" else tt.cycle.council).upper(),
        "body_name": body.name, "meeting_date": long_date(event.date), "meeting_time": start,
        "venue": event.venue or cfg.venue,
        "items": [{"number": str(n), "title": t, "presenter": who, "minutes": str(m) if m else "", "paper": ref}
                  for n, (t, who, m, ref) in enumerate(items, 1)],
        "total_duration": f"{total // 60} h {total % 60:02d} min", "finish_time": finish,
        "contact_line": f"Contact: {tt.cycle.officer.name}, {tt.cycle.officer.role}, {tt.cycle.officer.email}",
    }
    return AgendaPlan(context, total, warnings)

"""The four stages of the refresh (seed 000, 4.3.3 to 4.3.6), each a flow the officer triggers
with ``scs run STAGE [--on DATE]``.

A stage flow does the timetable's actions that fall in the stage and are due by ``on`` (the
same tasks and ledger as the daily tick, so nothing is done twice whichever runs first), and
the work only that stage has. Every step is idempotent; the summary is a Prefect artifact.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import date
from pathlib import Path

from prefect import flow, task
from prefect.artifacts import create_markdown_artifact
from prefect.cache_policies import NO_CACHE
from prefect.utilities.annotations import quote

from flows.daily import do
from flows.evidence import collate_evidence
from flows.mail import mail_env
from flows.review import partnership_review
from flows.scs_draft import draft_scs
from scs_refresh.automation import tick
from scs_refresh.core.atomic import write_text
from scs_refresh.core.dates import today
from scs_refresh.core.folders import Dirs
from scs_refresh.approval.chain import decision_chain
from scs_refresh.approval.outcomes import APPROVING
from scs_refresh.approval.decisions import Approvals, chain_lines, confirmed_dates
from scs_refresh.partners.status import status
from scs_refresh.as_at import records_on
from scs_refresh.strategy.scoping import scoping_record
from scs_refresh.timetable.plan import plan


@dataclass
class StageReport:
    stage: str
    on: date
    outcomes: list[tick.ActionResult] = field(default_factory=list)
    files: list[Path] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    def markdown(self) -> str:
        lines = [f"# {self.stage.title()} stage, run for {self.on:%d %B %Y}", ""]
        lines += [f"- {o.action.text}: {o.summary}" for o in self.outcomes]
        lines += [f"- wrote {f}" for f in self.files] + [f"- {n}" for n in self.notes]
        return "\n".join(lines if len(lines) > 2 else lines + ["Nothing was due that had not been done."])


def _begin(stage: str, on: date | None, dirs: Dirs, pdf: bool) -> tuple[tick.Context, StageReport]:
    """The cycle's workspace, loaded once with the SMTP password, and an empty report for the stage."""
    ctx = tick.Context.load(dirs, pdf)
    return replace(ctx, env=mail_env(ctx.ws.need_delivery())), StageReport(stage, on or today())


def _stage_actions(ctx: tick.Context, stage: str, on: date, report: StageReport) -> None:
    # quoted: Prefect would otherwise walk the whole context for each task run (flows.daily.tick_steps)
    report.outcomes += [do(quote(ctx), action, on) for action in tick.stage_pending(ctx, stage, on)]


@task(cache_policy=NO_CACHE)
def write_scoping_record(ctx: tick.Context, on: date, digest) -> Path:
    answered = records_on(ctx.dirs.store, on).responses  # the returns received by ``on``, as the status counts them
    text = scoping_record(ctx.timetable, on, ctx.partners, answered, digest)
    return write_text(ctx.dirs.out / "scoping" / "scs-review.md", text)


@task(cache_policy=NO_CACHE)
def send_for_comment(ctx: tick.Context, docx: Path, version: int, on: date) -> tick.ActionResult:
    return tick.send_draft_for_comment(ctx, docx, version, on)


def _finish(report: StageReport) -> StageReport:
    create_markdown_artifact(report.markdown(), key=f"stage-{report.stage}", description=f"{report.stage} stage")
    return report


@flow(name="scoping")
def scoping(on: date | None = None, dirs: Dirs = Dirs(), pdf: bool = True) -> StageReport:
    ctx, report = _begin("scoping", on, dirs, pdf)
    on = report.on
    # 1. The evidence so far, for the review of the current SCS.
    base = collate_evidence(ctx.dirs, on)
    # 2. The review team and the review of the current SCS against the seed's five questions.
    report.files.append(write_scoping_record(quote(ctx), on, base.digest))
    # 3. The full review of the Breckland Partnership (policy 002 register and assessment).
    report.files.append(partnership_review(ctx.dirs, on, pdf=pdf).docx)
    # 4. The questionnaire out and interviews requested, as the timetable says (each once).
    _stage_actions(ctx, "scoping", on, report)
    # 5. The returns as at the day, counted as `scs questionnaire status --on` counts them.
    rows = status(records_on(ctx.dirs.store, on), ctx.partners, ctx.timetable.cycle, on)
    report.notes.append(f"questionnaire returns as at {on:%d %B %Y}: {sum(1 for r in rows if r.responded_on)} of "
                        f"{len(rows)} partners responded")
    return _finish(report)


@flow(name="testing")
def testing(on: date | None = None, dirs: Dirs = Dirs(), pdf: bool = True) -> StageReport:
    ctx, report = _begin("testing", on, dirs, pdf)
    on = report.on
    # 1. Chasing, reminders and the 3 December Board's papers, as the timetable says.
    _stage_actions(ctx, "testing", on, report)
    # 2. Interviews not yet held, for the officer to complete.

    waiting = [s.name for s in status(records_on(ctx.dirs.store, on), ctx.partners, ctx.timetable.cycle, on)
               if s.interview not in ("-", "held")]
    report.notes.append("interviews still to hold: " + (", ".join(waiting) if waiting else "none"))
    # 3. Draft sections from the evidence and partners' answers, tested with the partners who replied.
    draft = draft_scs(ctx.dirs, on)
    report.files.append(draft.docx)
    report.outcomes.append(send_for_comment(quote(ctx), draft.docx, draft.version, on))
    return _finish(report)


@flow(name="draft")
def draft(on: date | None = None, dirs: Dirs = Dirs(), pdf: bool = True) -> StageReport:
    ctx, report = _begin("draft", on, dirs, pdf)
    on = report.on
    # 1. The draft SCS as it now stands (a new version only when something changed).
    result = draft_scs(ctx.dirs, on)
    report.files += [result.docx, result.changes]
    # 2. The 3 February Board's papers and what else the stage's timetable says.
    _stage_actions(ctx, "draft", on, report)
    # 3. What still needs the officer: the away day's date, stakeholder testing.

    report.notes += plan(ctx.timetable, on, days=0).warnings
    return _finish(report)


@flow(name="approval")
def approval(on: date | None = None, dirs: Dirs = Dirs(), pdf: bool = True, wait_for_decisions: bool = False) -> StageReport:
    ctx, report = _begin("approval", on, dirs, pdf)
    on = report.on
    # 1. The final SCS with the 7 April Board's papers, the committee papers and their publication.
    _stage_actions(ctx, "approval", on, report)
    # 2. With wait_for_decisions, each meeting that has met waits (paused, up to four weeks) for
    #    its decision, in chain order; `scs decision` or the Prefect UI gives it.

    if wait_for_decisions:
        from flows.approval import committee_decision

        for meeting in decision_chain(ctx.timetable):
            s = ctx.scheduled(meeting)
            if s.event.type == "meeting" and s.event.date <= on:
                decided = committee_decision(meeting, s.event.date, ctx.dirs)
                if decided.outcome not in APPROVING:
                    break  # a deferral or rejection stops the chain: later steps re-plan
    # 3. Where the approval chain stands: decisions, re-arranged dates, steps at risk.

    known = records_on(ctx.dirs.store, on)  # the chain as it stood on the day the stage is run for
    report.notes += chain_lines(ctx.timetable, Approvals(known.decisions, confirmed_dates(known.replans)))
    return _finish(report)


STAGES = {"scoping": scoping, "testing": testing, "draft": draft, "approval": approval}

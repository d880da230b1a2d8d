"""Replaying a refresh cycle in virtual time: `scs simulate --from --to` and `scs demo`.

Each simulated working day, the outside world's doings for that day (partners' replies from
config/simulation.yaml) arrive first, then the steps of the real ``daily_tick`` flow run as the
schedule would run them at 07:00. The replay is one flow run on the Prefect API ("cycle-replay"),
with each day's actions as its task runs: a flow run per simulated day would cost more than
most days' work. Days on which nothing is due are skipped. Everything is recorded in the state
store, so a re-run (after a crash, or a kill -9) finishes the cycle without doing or sending
anything twice; ``fresh`` starts the cycle over.
"""

from __future__ import annotations

import shutil
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path

from prefect import flow
from prefect.artifacts import create_markdown_artifact
from prefect.settings import PREFECT_FLOWS_HEARTBEAT_FREQUENCY, temporary_settings

from flows.daily import daily_tick, report, tick_steps
from scs_refresh.timetable import deadlines as cal
from scs_refresh.automation import tick
from scs_refresh.automation.actions import next_due
from scs_refresh.automation.index import build_index
from scs_refresh.papers.site import build_site
from scs_refresh.core.dates import recorded_at
from scs_refresh.core.folders import Dirs
from scs_refresh.core.store import Store
from scs_refresh.automation.simulation import (comment_days, exchange_comments, for_workspace, import_replies,
                                               record_decisions, replies_due)
from scs_refresh.approval.chain import adoption
from scs_refresh.as_at import adopted_on, draft_on, evidence_snapshot
from scs_refresh.workspace import Workspace


@dataclass
class CycleReport:
    start: date
    end: date
    ticks: list[tuple[date, list[tick.ActionResult]]] = field(default_factory=list)
    replies: list[Path] = field(default_factory=list)
    decisions: list[tuple[date, str]] = field(default_factory=list)
    index: Path | None = None

    def outcomes(self) -> list[tick.ActionResult]:
        return [o for _, outs in self.ticks for o in outs]


def _tick_day(d: date) -> date:
    """The schedule runs on working days: a day's work is picked up on the next working day."""
    return cal.working_day_on_or_before(d) if cal.is_working_day(d) else cal.working_days_after(d, 1)


def run_cycle(dirs: Dirs, start: date, end: date, *, pdf: bool = True, fresh: bool = False, on_day=None,
              api_ready: Callable[[], None] = lambda: None, **options) -> CycleReport:
    """``simulate`` as one flow run whose task runs are each day's actions (without the flow
    heartbeat thread: it tells nothing in a replay; the schedule's own runs keep it).

    ``api_ready()`` waits for a Prefect API started in the background (flows.api); meanwhile the
    evidence base the first papers need is collated (kept by content, so no tick collates it again).
    """
    if fresh:
        start_over(dirs)
    evidence_snapshot(Workspace.load(dirs), start)
    api_ready()

    @flow(name="cycle-replay", flow_run_name=f"{start:%d %b %Y} to {end:%d %b %Y}", validate_parameters=False)
    def cycle_replay() -> CycleReport:
        replayed = simulate(dirs, start, end, pdf=pdf, on_day=on_day,
                            run_tick=lambda day: tick_steps(day, dirs, pdf)[1], **options)
        # One page for the whole replay in the Prefect UI: each day's ticks, as the daily tick reports them.
        create_markdown_artifact("\n\n".join(report(day, outcomes) for day, outcomes in replayed.ticks)
                                 or "Nothing was due.", key="cycle-replay",
                                 description=f"Replay {start:%d %b %Y} to {end:%d %b %Y}")
        return replayed

    with temporary_settings({PREFECT_FLOWS_HEARTBEAT_FREQUENCY: None}):
        return cycle_replay()


def _next_sitting(ctx: tick.Context, day: date) -> date | None:
    """The next meeting after ``day`` (its decision is recorded that day), at its date as it now stands."""
    days = [s.event.date for s in ctx.schedule() if s.event.type == "meeting" and s.event.date and s.event.date > day]
    return min(days, default=None)


def _strategy_days(ctx: tick.Context, sim) -> list[date]:
    """The days partners' comments on the draft arrive or are answered, and the meetings that amend it meet."""
    dated = {s.event.id: s.event.date for s in ctx.schedule()}
    return comment_days(sim) + [dated[m] for m in sim.decisions.amendments if dated.get(m)]


def start_over(dirs: Dirs) -> None:
    """``--fresh``: the cycle's outputs and state go, and the replay starts from nothing (on a shared
    PostgreSQL database, this cycle's rows only)."""
    for folder in (dirs.out, dirs.state):
        shutil.rmtree(folder, ignore_errors=True)
    if dirs.state_url:
        with Store.open(dirs.store) as store:
            store.forget()


def simulate(dirs: Dirs, start: date, end: date, *, pdf: bool = True, fresh: bool = False, defer: bool = False,
             on_day=None, run_tick=None) -> CycleReport:
    """Run the cycle from ``start`` to ``end`` (inclusive) through the daily tick flow.

    ``run_tick(day)`` replaces the flow call (``run_cycle`` runs the tick's steps inside one flow run;
    bench/bench_cycle.py runs the same cycle without Prefect).
    """
    if fresh:
        start_over(dirs)
    ctx = tick.Context.load(dirs, pdf)
    sim = for_workspace(ctx.ws)
    report = CycleReport(start, end)
    day = _tick_day(start)
    while day <= end:
        with ctx.store() as store:
            # 1. What partners sent in since the last working day arrives in the officer's inbox.
            if sim is not None:
                arrived = replies_due(sim, store.actions_done(), day)
                made = import_replies(store, arrived, ctx.partners, ctx.timetable.cycle, dirs.out / "simulation",
                                      day, recorded_at(day))
                if made:
                    report.replies.append(made)
                # 1b. Partners' comments on the draft arrive, and the officer answers them.
                answered = exchange_comments(store, sim, ctx.partners, dirs.out, day, recorded_at(day))
                # 1c. Committees meeting today decide (a deferral re-arranges the rest of the chain).
                decided = record_decisions(store, ctx.timetable, sim, day, recorded_at(day), defer=defer)
                report.decisions += [(day, line) for line in decided]
            done = store.actions_done()
        if sim is not None and (answered or any("with amendments" in line for line in decided)):
            draft_on(ctx.ws, day)  # a new version of the Strategy, as `scs decision` writes after an amendment
        adopting = adoption(ctx.timetable)
        if sim is not None and adopting is not None and any(line.startswith(f"{adopting.id}: approved")
                                                            for line in decided):
            adopted_on(ctx.ws, day)  # the adopted Strategy, published
        # 2. The 07:00 tick, only when something is due (a quiet day never calls Prefect).
        if tick.pending(ctx, day):
            outcomes = run_tick(day) if run_tick else daily_tick(on=day, dirs=dirs, pdf=pdf)
            report.ticks.append((day, outcomes))
            if on_day:
                on_day(day, outcomes)
            with ctx.store() as store:
                done = store.actions_done()
        # 3. On to the next working day on which something happens (a deferral moves the dates).
        upcoming = [d for d in (next_due(ctx.actions(), done, day),
                                min((r.on for r in sim.replies if r.on > day), default=None) if sim else None,
                                _next_sitting(ctx, day) if sim else None,
                                min((d for d in _strategy_days(ctx, sim) if d > day), default=None) if sim else None)
                    if d is not None]
        if tick.pending(ctx, day):  # something still waits (a mail server down): try tomorrow
            upcoming.append(day + timedelta(days=1))
        if not upcoming:
            break
        day = _tick_day(min(upcoming))
    report.index = build_index(dirs, ctx.timetable)
    if (dirs.out / "public").is_dir():  # the meetings site with the decisions taken since the last publication
        build_site(dirs, ctx.timetable, ctx.ws.need_papers().agenda, dirs.templates, recorded_at(end))
    return report

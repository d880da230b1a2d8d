"""Replaying a refresh cycle in virtual time: the day loop behind `scs simulate` and `scs demo`.

Each simulated working day, the outside world's doings for that day (partners' replies from
config/simulation.yaml) arrive first, then the day's tick runs as the 07:00 schedule would run
it. How a tick runs is the caller's: the flows run it as Prefect task runs, the cycle's bench
calls the domain directly. Days on which nothing is due are skipped. Everything is recorded in
the state store, so a re-run (after a crash, or a kill -9) finishes the cycle without doing or
sending anything twice; ``fresh`` starts the cycle over.
"""

from __future__ import annotations

import shutil
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path

from scs_refresh.approval.chain import adoption
from scs_refresh.approval.decisions import Approvals, load_approvals
from scs_refresh.as_at import adopted_on, draft_on
from scs_refresh.automation import tick
from scs_refresh.automation.actions import next_due
from scs_refresh.automation.index import build_index
from scs_refresh.automation.simulation import (comment_days, exchange_comments, for_workspace, import_replies,
                                               record_decisions, replies_due)
from scs_refresh.core.dates import recorded_at
from scs_refresh.core.folders import Dirs
from scs_refresh.core.store import Store, kept_open
from scs_refresh.papers.site import build_site
from scs_refresh.timetable import deadlines as cal


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


def tick_day(d: date) -> date:
    """The schedule runs on working days: a day's work is picked up on the next working day."""
    return cal.working_day_on_or_before(d) if cal.is_working_day(d) else cal.working_days_after(d, 1)


def next_sitting(ctx: tick.Context, day: date, approvals: Approvals) -> date | None:
    """The next meeting after ``day`` (its decision is recorded that day), at its date as it now stands."""
    days = [s.event.date for s in ctx.schedule(approvals) if s.event.type == "meeting" and s.event.date and s.event.date > day]
    return min(days, default=None)


def strategy_days(ctx: tick.Context, sim, approvals: Approvals) -> list[date]:
    """The days partners' comments on the draft arrive or are answered, and the meetings that amend it meet."""
    dated = {s.event.id: s.event.date for s in ctx.schedule(approvals)}
    return comment_days(sim) + [dated[m] for m in sim.decisions.amendments if dated.get(m)]


def start_over(dirs: Dirs) -> None:
    """``--fresh``: the cycle's outputs and state go, and the replay starts from nothing (on a shared
    PostgreSQL database, this cycle's rows only)."""
    for folder in (dirs.out, dirs.state):
        shutil.rmtree(folder, ignore_errors=True)
    if dirs.state_url:
        with Store.open(dirs.store) as store:
            store.forget()


def replay(dirs: Dirs, start: date, end: date, run_tick: Callable[[date], list[tick.ActionResult]], *,
           pdf: bool = True, fresh: bool = False, defer: bool = False, on_day=None) -> CycleReport:
    """Run the cycle from ``start`` to ``end`` (inclusive), each day's tick by ``run_tick(day)``
    (flows.cycle runs it through Prefect; bench/bench_cycle.py calls the domain directly)."""
    if fresh:
        start_over(dirs)
    with kept_open(dirs.store):  # the days open the store hundreds of times: one connection held meanwhile
        return _days(dirs, start, end, run_tick, pdf=pdf, defer=defer, on_day=on_day)


def _days(dirs: Dirs, start: date, end: date, run_tick: Callable[[date], list[tick.ActionResult]], *,
          pdf: bool, defer: bool, on_day) -> CycleReport:
    ctx = tick.Context.load(dirs, pdf)
    sim = for_workspace(ctx.ws)
    report = CycleReport(start, end)
    day = tick_day(start)
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
        # 2. The 07:00 tick, only when something is due (a quiet day runs nothing).
        if tick.pending(ctx, day):
            outcomes = run_tick(day)
            report.ticks.append((day, outcomes))
            if on_day:
                on_day(day, outcomes)
            with Store.read(dirs.store) as store:
                done = store.actions_done()
        # 3. On to the next working day on which something happens (a deferral moves the dates).
        approvals = load_approvals(dirs.store)
        upcoming = [d for d in (next_due(ctx.actions(approvals=approvals), done, day),
                                min((r.on for r in sim.replies if r.on > day), default=None) if sim else None,
                                next_sitting(ctx, day, approvals) if sim else None,
                                min((d for d in strategy_days(ctx, sim, approvals) if d > day), default=None)
                                if sim else None)
                    if d is not None]
        if tick.pending(ctx, day):  # something still waits (a mail server down): try tomorrow
            upcoming.append(day + timedelta(days=1))
        if not upcoming:
            break
        day = tick_day(min(upcoming))
    report.index = build_index(dirs, ctx.timetable)
    if (dirs.out / "public").is_dir():  # the meetings site with the decisions taken since the last publication
        build_site(dirs, ctx.timetable, ctx.ws.need_papers().agenda, dirs.templates, recorded_at(end))
    return report

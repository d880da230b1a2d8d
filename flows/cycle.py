"""Replaying a refresh cycle in virtual time: `scs simulate --from --to` and `scs demo`.

The day loop is the domain's (:mod:`scs_refresh.automation.replay`); here each day's tick runs
the steps of the real ``daily_tick`` flow as the schedule would run them at 07:00. The replay is
one flow run on the Prefect API ("cycle-replay"), with each day's actions as its task runs: a
flow run per simulated day would cost more than most days' work.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

from prefect import flow
from prefect.artifacts import create_markdown_artifact
from prefect.settings import PREFECT_FLOWS_HEARTBEAT_FREQUENCY, temporary_settings

from flows.daily import daily_tick, report, tick_steps
from scs_refresh.as_at import evidence_snapshot
from scs_refresh.automation.replay import CycleReport, replay, start_over
from scs_refresh.core.folders import Dirs
from scs_refresh.workspace import Workspace


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


def simulate(dirs: Dirs, start: date, end: date, *, pdf: bool = True, fresh: bool = False, defer: bool = False,
             on_day=None, run_tick=None) -> CycleReport:
    """Run the cycle from ``start`` to ``end`` (inclusive), each day through the daily tick flow
    (``run_tick(day)`` instead: ``run_cycle`` runs the tick's steps inside its one flow run)."""
    return replay(dirs, start, end, run_tick or (lambda day: daily_tick(on=day, dirs=dirs, pdf=pdf)),
                  pdf=pdf, fresh=fresh, defer=defer, on_day=on_day)

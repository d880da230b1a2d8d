"""The daily tick: whatever the timetable says is due today (and was missed), done once.

Served by ``scs serve`` at 07:00 on working days (Europe/London); run by hand with
``scs tick --on DATE``; and called day by day by ``scs simulate`` / ``scs demo``. The plan of
what is due is pure (scs_refresh.automation.actions); the ledger in the state store makes it idempotent
and lets a tick after downtime catch up.
"""

# No `from __future__ import annotations`: `scs serve` pickles this flow into each run's process
# and the parameter model must resolve `date` there (string annotations cannot be).

from dataclasses import replace
from datetime import date

from prefect import flow, task
from prefect.artifacts import create_markdown_artifact
from prefect.cache_policies import NO_CACHE
from prefect.utilities.annotations import quote

from flows.guard import one_tick_per_cycle
from flows.mail import mail_env
from scs_refresh.automation import tick
from scs_refresh.automation.actions import Action
from scs_refresh.core.atomic import sweep
from scs_refresh.core.dates import today
from scs_refresh.core.folders import Dirs
from scs_refresh.core.store import kept_open
from flows.logs import route_domain_logs

route_domain_logs()


# Not retried here: a mail server that is down or says "try later" leaves its messages queued in
# the send ledger (one line in the report), and the next tick sends them, each once.
@task(task_run_name="{action.key}", cache_policy=NO_CACHE)
def do(ctx: tick.Context, action: Action, on: date) -> tick.ActionResult:
    return tick.run(ctx, action, on)


def report(on: date, outcomes: list[tick.ActionResult], mail: list[str] = ()) -> str:
    lines = [f"# Daily tick, {on:%A %d %B %Y}", ""]
    if not outcomes:
        lines.append("Nothing was due.")
    else:
        lines += ["| Due | Action | Done | Sent | Still queued |", "|---|---|---|---|---|"]
        for o in outcomes:
            late = " (caught up)" if o.action.due < on else ""
            lines.append(f"| {o.action.due}{late} | {o.action.text} | {o.summary} | {len(o.sent)} | {len(o.queued)} |")
    held = sum(o.held for o in outcomes)
    if held:
        lines += ["", f"{held} message(s) held for the officer: their moment had passed. Run `scs pending` to "
                  "send or skip each."]
    if mail:  # refused, to be tried again, a server down, in doubt: until the officer acts
        lines += ["", "## Mail that needs the officer", ""] + [f"- {line}" for line in mail]
    return "\n".join(lines)


def tick_steps(on: date, dirs: Dirs, pdf: bool) -> tuple[tick.Context, list[tick.ActionResult]]:
    """The steps of a tick inside the flow run that calls them (the daily tick, or a replay's day)."""
    # 1. The cycle's workspace (loaded once), with the SMTP password from its variable or Secret block.
    ctx = tick.Context.load(dirs, pdf)
    ctx = replace(ctx, env=mail_env(ctx.ws.need_delivery()))
    # 2. What is due today or was missed, and not yet done nor held (pure, from the ledger).
    todo = tick.pending(ctx, on)
    # 3. Do each, oldest first; each is recorded in the ledger before and after. The context is quoted:
    # Prefect would otherwise walk all of it (the cycle's whole config) for each task run, ~40 ms a time.
    with kept_open(dirs.store):  # each action opens the store many times: one connection held meanwhile
        return ctx, [do(quote(ctx), action, on) for action in todo]


@flow(name="daily-tick")
def daily_tick(on: date | None = None, dirs: Dirs = Dirs(), pdf: bool = True) -> list[tick.ActionResult]:
    on = on or today()
    sweep(dirs.out)  # what a killed run left half-written (a served tick has no command line to do it)
    with one_tick_per_cycle(dirs):  # a second tick of this cycle (another worker) waits, then finds nothing to do
        ctx, outcomes = tick_steps(on, dirs, pdf)
    # Say what was done, and what mail needs the officer, for the officer and the Prefect UI.
    create_markdown_artifact(report(on, outcomes, tick.mail_notes(ctx, outcomes)), key="daily-tick",
                             description=f"Daily tick {on}")
    return outcomes

"""Terminal views of the timetable and the plan (rich)."""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING

from rich.console import Console
from rich.markup import escape
from rich.table import Table

if TYPE_CHECKING:  # annotations only: `scs timetable` need not import the plan
    from scs_refresh.timetable.model import Timetable
    from scs_refresh.timetable.plan import Plan



def _d(d: date | None) -> str:
    return f"{d:%a} {d.day:>2} {d:%b %Y}" if d else "-"


def timetable(tt: Timetable, schedule=None, at_risk: dict[str, str] | None = None) -> None:
    """The stages, then every event as it now stands (``schedule``), with its id and any risk."""
    at_risk = at_risk or {}
    console = Console()
    console.print(f"[bold]{tt.cycle.title}[/bold]")
    console.print(f"{tt.cycle.partnership}; {tt.cycle.officer.name}, {tt.cycle.officer.role}\n")
    for s in tt.stages:
        console.print(f"[bold]{s.name}[/bold]  {_d(s.window.start)} to {_d(s.window.end)}"
                      + (f"  (seed {s.seed_ref})" if s.seed_ref else ""))
        for a in s.activities:
            console.print(f"  - {a.title}")
    chain_len = len(tt.approval_chain)
    events = Table(title="\nMeetings and milestones", title_justify="left", show_lines=True)
    events.add_column("Date", no_wrap=True)
    events.add_column("Event")
    events.add_column("Reports final", no_wrap=True)
    events.add_column("Papers out", no_wrap=True)
    for s in tt.schedule if schedule is None else schedule:
        e = s.event
        body = tt.body[e.body].name if e.body else tt.cycle.council
        chain = f" [dim]approval step {s.chain_position}/{chain_len}[/dim]" if s.chain_position else ""
        if e.tba:
            w = e.to_be_arranged
            when = f"[yellow]to be arranged[/yellow]\n{w.start:%d %b} to {w.end:%d %b %Y}"
        else:
            when = _d(e.date) + (f" {e.time}" if e.time else "")
        original = getattr(s, "original_date", None)
        if original is not None and original != e.date:
            when += f"\n[dim](was {_d(original)})[/dim]"
        risk = f"\n[red]{escape(at_risk[e.id])}[/red]" if e.id in at_risk else ""
        events.add_row(when, f"{e.title}\n[dim]{e.id}  {body}; {s.rule}[/dim]{chain}{risk}",
                       _d(s.report_deadline), _d(s.publication_deadline))
    console.print(events)


def plan(p: Plan) -> None:
    console = Console()
    stage = f"{p.stage.name} (to {_d(p.stage.window.end)})" if p.stage else "between stages"
    console.print(f"\n[bold]Plan from {_d(p.on)} to {_d(p.until)}[/bold]: {stage}")
    if p.stage and p.stage.activities:
        for a in p.stage.activities:
            console.print(f"  - {a.title}")
    table = Table()
    table.add_column("Date", no_wrap=True)
    table.add_column("What", no_wrap=True)
    table.add_column("Detail")
    table.add_column("Id", no_wrap=True)
    for item in p.items:
        table.add_row(_d(item.on), item.kind.replace("_", " "), escape(item.text), item.event_id or "")
    console.print(table if p.items else "Nothing falls due in this period.")
    for w in p.warnings:
        console.print(f"[yellow]warning:[/yellow] {escape(w)}")


def scorecard(card) -> None:
    """The delivery plan scorecard (a :class:`scs_refresh.performance.delivery_plan.Scorecard`), one row per indicator."""
    from scs_refresh.performance.scorecard import counts_text, table

    styles = {"Green": "green", "Amber": "yellow", "Red": "red", "No data": "dim"}
    data = table(card)
    view = Table(title=f"SCS delivery plan scorecard as at {card.on:%d %B %Y}"
                 + (" (ILLUSTRATIVE plan)" if card.illustrative else ""), title_justify="left", show_lines=True)
    for column in data.header:
        view.add_column(column)
    for row, progress in zip(data.rows, card.rows):
        style = styles[progress.rag.label]
        view.add_row(*row[:-1], f"[{style}]{row[-1]}[/{style}]")
    console = Console()
    console.print(view)
    console.print(f"{counts_text(card)}. {card.rule}")

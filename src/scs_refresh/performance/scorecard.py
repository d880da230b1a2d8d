"""The delivery plan scorecard as people see it: a table, a RAG chart with its text alternative, files.

This is the edge around :mod:`.performance`: it loads the plan (checked against evidence.yaml
and partners.yaml), the evidence base as last collated (``<out>/evidence/evidence.csv``) and
the updates recorded in the state store, and writes ``<out>/performance/``: the scorecard as
a CSV and the chart the Board report shows.
"""

from __future__ import annotations

import functools
import hashlib
import io
import textwrap
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path

from scs_refresh.core.atomic import output_set, rebased, write_bytes, write_text
from scs_refresh.core.errors import UserError
from scs_refresh.documents.render import Figure, TableData
from scs_refresh.performance.delivery_plan import (PERIOD_FORMS, LoadedPlan, Progress, Rag, Scorecard,
                                                  evidence_figures, period_end, rated)
from scs_refresh.core.folders import Dirs
from scs_refresh.core.store import ProgressUpdate, Store
from scs_refresh.evidence.collate import read_written_table

COLOURS = {Rag.GREEN: "#1a9850", Rag.AMBER: "#f0a30a", Rag.RED: "#d73027", Rag.GREY: "#bdbdbd"}


@dataclass(frozen=True)
class ScorecardPaper:
    """A scorecard with its chart written, ready for a paper (``RefreshState.scorecard``)."""

    card: Scorecard
    chart: Figure
    csv: Path


def number(value: float, unit: str) -> str:
    text = f"{value:,.2f}".rstrip("0").rstrip(".")
    return f"{text}%" if unit == "percent" else text


def _reading(row: Progress, which: str) -> str:
    f = getattr(row, which)
    return "none" if f is None else f"{number(f.value, row.unit)} ({f.period})"


def _illustrative(card: Scorecard, row: Progress) -> bool:
    """The row quotes illustrative figures: the plan's own (an illustrative plan) or a source's."""
    return card.illustrative or any(f is not None and f.illustrative for f in (row.baseline, row.latest))


def table(card: Scorecard) -> TableData:
    """One row per indicator: its outcome, owner, baseline and latest figure (labelled ILLUSTRATIVE when
    they are), target, and rating with its reason."""
    rows = [[f"{r.priority}: {r.outcome.title}", r.indicator.name, r.owner,
             f"{_reading(r, 'baseline')}; latest {_reading(r, 'latest')}"
             + (" (ILLUSTRATIVE)" if _illustrative(card, r) else ""),
             f"{number(r.indicator.target.value, r.unit)} by {r.target_date:%b %Y}", f"{r.rag.label}: {r.reason}"]
            for r in card.rows]
    return TableData(["Priority and outcome", "Indicator", "Owner", "Baseline; latest", "Target", "Rating"],
                     rows, [32, 30, 24, 26, 20, 38])


def counts_text(card: Scorecard) -> str:
    return ", ".join(f"{card.count(rag)} {rag.label.lower()}" for rag in Rag)


def alt_text(card: Scorecard) -> str:
    """Everything the chart shows, in words."""
    parts = []
    for r in card.rows:
        if r.done is None:
            parts.append(f"{r.indicator.name}: {r.rag.label}")
        else:
            expected = f", {r.expected:.0%} expected" if r.expected is not None else ""
            parts.append(f"{r.indicator.name}: {r.rag.label}, {r.done:.0%} of the planned change done{expected}")
    return (f"Bar chart of the share of the planned change from baseline to target achieved by each of the "
            f"{len(card.rows)} delivery plan indicators as at {card.on:%d %B %Y} ({counts_text(card)}). "
            + "; ".join(parts) + ".")


def chart(card: Scorecard, out: Path) -> Figure:
    """Horizontal bars: share of the planned change achieved, coloured and labelled by rating; a tick marks
    the share expected by the date of the latest figure, and a line the target (100%).

    The picture shows the figures, not the day (the paper and the alt text give the date), so it
    is drawn again only when a figure or a rating changes."""
    rows = tuple((textwrap.shorten(r.indicator.name, 48, placeholder="..."), r.rag.label, COLOURS[r.rag], r.done,
                  r.expected) for r in reversed(card.rows))
    key = hashlib.sha256(repr((rows, card.illustrative)).encode()).hexdigest()
    drawn = out.with_name(out.name + ".key")  # what the picture on disk shows, so another run need not redraw it
    if not (out.is_file() and drawn.is_file() and drawn.read_text() == key):
        write_bytes(out, _draw(rows, card.illustrative))
        write_text(drawn, key)
    return Figure(out, alt_text(card), width_mm=160)


@functools.lru_cache(maxsize=16)
def _draw(rows: tuple[tuple[str, str, str, float | None, float | None], ...], illustrative: bool) -> bytes:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    from matplotlib.layout_engine import TightLayoutEngine

    fig, ax = plt.subplots(figsize=(7.5, 1.2 + 0.45 * len(rows)), dpi=150)
    for y, (_, label, colour, done, expected) in enumerate(rows):
        if done is None:
            ax.text(1, y, label, va="center", fontsize=8, color="#404040")
            continue
        share = max(-50.0, min(150.0, done * 100))
        ax.barh(y, share, color=colour, height=0.6)
        label_at = max(share, 0, (expected or 0) * 100) + 3  # clear of the bar and of the tick
        ax.text(label_at, y, f"{label} {done:.0%}", va="center", fontsize=8)
        if expected is not None:
            ax.plot([expected * 100] * 2, [y - 0.38, y + 0.38], color="black", linewidth=1.5)
    ax.axvline(100, color="#404040", linestyle="--", linewidth=1)
    ax.axvline(0, color="#404040", linewidth=0.8)
    ax.set_yticks(range(len(rows)), [name for name, *_ in rows], fontsize=8)
    ax.set_xlim(-50, 160)
    ax.set_ylim(-0.7, len(rows) - 0.3)
    ax.set_xlabel("% of the planned change achieved (tick: expected by now; dashed line: target)", fontsize=8)
    ax.set_title("SCS delivery plan: progress on the latest figures" + (" (illustrative)" if illustrative else ""),
                 fontsize=10)
    for side in ("top", "right"):
        ax.spines[side].set_visible(False)
    # what fig.tight_layout() does, without the placeholder engine it leaves, which makes savefig draw the figure
    # twice (a pass with drawing off first): one draw, the same bytes (bench/bench_charts.py compares)
    TightLayoutEngine().execute(fig)
    buf = io.BytesIO()
    fig.savefig(buf, format="png")
    plt.close(fig)
    return buf.getvalue()


def markdown(card: Scorecard) -> str:
    """The scorecard as a markdown page (the Prefect artifact)."""
    data = table(card)
    lines = [f"# SCS delivery plan scorecard as at {card.on:%d %B %Y}", "",
             ("ILLUSTRATIVE delivery plan. " if card.illustrative else "") + f"{counts_text(card)}.", "",
             "| " + " | ".join(data.header) + " |", "|" + "---|" * len(data.header)]
    lines += ["| " + " | ".join(cell.replace("|", "/") for cell in row) + " |" for row in data.rows]
    return "\n".join(lines + ["", card.rule, ""])


def to_csv(card: Scorecard) -> str:
    import pandas as pd

    frame = pd.DataFrame([{
        "priority": r.priority, "outcome_id": r.outcome.id, "outcome": r.outcome.title, "owner": r.owner,
        "due": r.outcome.due.isoformat(), "indicator_id": r.indicator.id, "indicator": r.indicator.name,
        "unit": r.unit, "direction": r.indicator.direction,
        "baseline": r.baseline.value if r.baseline else None, "baseline_period": r.indicator.baseline.period,
        "latest": r.latest.value if r.latest else None, "latest_period": r.latest.period if r.latest else None,
        "latest_source": r.latest.source if r.latest else None, "target": r.indicator.target.value,
        "target_date": r.target_date.isoformat(), "share_done": r.done, "share_expected": r.expected,
        "rating": r.rag.label, "reason": r.reason} for r in card.rows])
    return frame.to_csv(index=False) + f"\n# As at {card.on.isoformat()}. {card.rule}" + (
        " ILLUSTRATIVE delivery plan." if card.illustrative else "") + "\n"


def write(card: Scorecard, folder: Path) -> ScorecardPaper:
    """``scorecard.csv`` and ``scorecard_rag.png`` in ``folder`` (each written atomically)."""
    folder = Path(folder)
    figure = chart(card, folder / "scorecard_rag.png")
    return ScorecardPaper(card, figure, write_text(folder / "scorecard.csv", to_csv(card)))


# --- the edge: loading from the officer's folders -----------------------------------------

@dataclass(frozen=True)
class Inputs:
    plan: LoadedPlan
    focus: str
    themes: dict[str, str]
    owners: dict[str, str]


#: The evidence table last read, with the plan and focus, and the plan's figures found in it: the scorecard
#: is refreshed on every paper day, and the evidence base is written again only when a release comes out.
_found: list = []


def _figures(inputs: Inputs, out: Path) -> dict:
    """The plan's figures in the evidence base last written to ``out``, found again only if its table
    (byte for byte), the plan or the focus changed."""
    file = out / "evidence" / "evidence.csv"
    key = [file.read_bytes() if file.is_file() else None, inputs.plan, inputs.focus]
    if _found[:3] != key:
        _found[:] = key + [evidence_figures(inputs.plan, read_written_table(out), inputs.focus)]
    return _found[3]


def build(inputs: Inputs, dirs: Dirs, on: date, updates: Iterable[ProgressUpdate]) -> Scorecard:
    """The scorecard as at ``on`` from the plan, the evidence base last collated and the figures
    recorded (``updates``: those known on ``on``, ``scs_refresh.as_at.records_on``)."""
    return rated(inputs.plan, _figures(inputs, dirs.out), updates, on, themes=inputs.themes, owners=inputs.owners)


def refresh(inputs: Inputs, dirs: Dirs, on: date, updates: Iterable[ProgressUpdate]) -> ScorecardPaper:
    """Build the scorecard as at ``on`` and write it into ``<out>/performance/`` as one set (the chart of the
    last set is carried over, so it is drawn again only if its figures changed)."""
    final = dirs.out / "performance"
    with output_set(final, carry=True) as folder:
        paper = write(build(inputs, dirs, on, updates), folder)
    return rebased(paper, folder, final)


def record(inputs: Inputs, store_file: Path, indicator_id: str, value: float, period: str, *, note: str,
           source: str, by: str, at: datetime) -> str:
    """Store a hand-recorded figure (``scs performance record``); 'new', or 'updated' for a period seen before."""
    indicator = inputs.plan.indicator(indicator_id)
    if indicator is None:
        known = ", ".join(i.id for _, _, i in inputs.plan.indicators() if i.recorded)
        raise UserError(f"{inputs.plan.file}: no indicator '{indicator_id}' in the delivery plan "
                        f"(recorded indicators: {known})")
    if indicator.recorded is None:
        raise UserError(f"{inputs.plan.file}: '{indicator_id}' comes from the evidence base "
                        f"({indicator.evidence.indicator}); add the figure to its source file and collate again")
    period = period.strip()
    if period_end(period) is None:
        raise UserError(f"--period: '{period}' cannot be placed in time; write it as {PERIOD_FORMS}")
    with Store.open(store_file) as store:
        return store.record_progress(indicator_id=indicator_id, period=period, value=value, note=note,
                                     source=source, by=by, at=at)

"""Draw the digest's charts as PNG bytes (matplotlib, Agg, no pyplot state), ready for docx reports.

Comparison charts show the focus among its neighbours (best first) and then the comparators
(county, region, England); the focus is the one dark bar, and its label is bold, so it does not
rest on colour alone.
"""

from __future__ import annotations

import io

from scs_refresh.evidence.digest import Headline, fmt

_FOCUS, _OTHER, _COMPARATOR = "#1f5f8b", "#9bb7cc", "#d9d9d9"
#: how far the value axis runs past the longest bar, so its label fits after it: a full-width chart, a half
_ROOM, _ROOM_IN_HALF = 1.25, 1.5


def _bars(ax, bars: list[tuple[str, float | None, str]], unit: str, focus: str, split: int | None = None,
          room: float = _ROOM) -> None:
    """Horizontal bars, top to bottom in the order given, each with its value written on it;
    a dashed line after the first ``split`` bars (the neighbours) sets the comparators apart."""
    upwards = bars[::-1]
    colours = [c for _, _, c in upwards]
    ax.barh([name for name, _, _ in upwards], [v or 0.0 for _, v, _ in upwards], color=colours)
    for y, (_, v, _) in enumerate(upwards):
        # the value follows its bar's end, black on the white page: white on a pale bar was 2.09:1, and a short
        # bar (Breckland's 1.3% beside Norwich's 29.1%) cannot hold its label at all
        ax.text(v or 0, y, f" {fmt(v, unit)}", va="center", color="black")
    ax.set_xlim(0, max((v or 0 for _, v, _ in bars), default=0) * room or 1)
    for tick in ax.get_yticklabels():
        if tick.get_text() == focus:
            tick.set_fontweight("bold")
    if split and split < len(bars):
        ax.axhline(len(bars) - split - 0.5, color="#595959", linestyle="--", linewidth=0.8)
    ax.set_xlabel(unit)


def _comparison(headline: Headline) -> list[tuple[str, float | None, str]]:
    """The focus and its neighbours on the ranked figure, then the comparators."""
    ranked = [(c.area_name, c.value, _FOCUS if c.area_name == headline.area else _OTHER) for c in headline.ranking]
    if not ranked:
        ranked = [(headline.area, headline.value, _FOCUS)]
    return ranked + [(c.area_name, c.value, _COMPARATOR) for c in headline.comparisons]


#: line styles for the comparators' trends, so they are told apart without colour
_DASHES = ("--", "-.", ":")


def _indexed(ax, headline: Headline) -> None:
    """The focus and each comparator as an index (first period = 100): places of any size on one axis;
    each line has its own style and its figure for the last period in the legend, so colour is not needed."""
    series = [(headline.area, headline.trend, _FOCUS, "-", 2.2)] + [
        (name, trend, "#595959", _DASHES[i % len(_DASHES)], 1.2)
        for i, (name, trend) in enumerate(headline.comparator_trends)]
    for name, trend, colour, style, width in series:
        periods, values = zip(*trend)
        index = [100 * v / values[0] for v in values]
        ax.plot(periods, index, color=colour, linestyle=style, linewidth=width, label=f"{name} ({index[-1]:.1f})")
    ax.legend(fontsize=8, frameon=False, loc="upper left", handlelength=3)
    ax.set_ylabel(f"index ({headline.trend[0][0]} = 100)")
    ax.set_xmargin(0.02)
    ax.tick_params(axis="x", labelrotation=45)


def render(headline: Headline) -> bytes:
    """The PNG for ``headline.chart``; the text alternative is ``headline.chart.alt_text``."""
    chart = headline.chart
    return png(figure(headline), {"Title": chart.title, "Description": chart.alt_text})


def figure(headline: Headline):
    """The chart as a matplotlib ``Figure`` (Agg, no pyplot state), before its constrained layout."""
    from matplotlib.figure import Figure
    from matplotlib.ticker import MaxNLocator

    chart = headline.chart
    shares = chart.kind == "distribution" and headline.ranking
    fig = Figure(figsize=(6.4, 3.6 if shares else 3.2), dpi=100)
    ax = fig.add_subplot(1, 2, 1) if shares else fig.add_subplot()
    if chart.kind == "distribution":
        deciles, counts = zip(*headline.distribution)
        ax.bar([str(d) for d in deciles], counts, color=_FOCUS)
        ax.set_xlabel("National decile (1 = most deprived 10%)")
        ax.set_ylabel("Number of areas")
        ax.yaxis.set_major_locator(MaxNLocator(integer=True))
        if shares:
            side = fig.add_subplot(1, 2, 2)
            _bars(side, [(c.area_name, c.value, _FOCUS if c.area_name == headline.area else _OTHER)
                         for c in headline.ranking], "percent", headline.area, room=_ROOM_IN_HALF)
            side.set_xlabel("% in the most deprived 20%")
            side.set_title("Share in the most deprived 20%", fontsize=8)
            side.spines[["top", "right"]].set_visible(False)
    elif chart.kind == "trend" and headline.comparator_trends:
        _indexed(ax, headline)
    elif chart.kind == "trend":
        periods, values = zip(*headline.trend)
        ax.plot(periods, values, marker="o", color=_FOCUS)
        ax.set_ylabel(headline.unit)
        ax.tick_params(axis="x", labelrotation=45)
    else:
        _bars(ax, _comparison(headline), headline.unit, headline.area, len(headline.ranking))
    (fig.suptitle if shares else ax.set_title)(chart.title, fontsize=9)
    ax.spines[["top", "right"]].set_visible(False)
    return fig


def png(fig, metadata: dict[str, str]) -> bytes:
    """``fig`` with its constrained layout, as PNG bytes.

    Laid out here, not by ``savefig``: with a layout engine it draws the figure twice (to lay it out, then again
    with drawing off) before drawing it for real. The same layout, then one draw on the canvas that measured the
    text: the same bytes as ``layout="constrained"`` (tests/test_evidence_collate.py checks), ~15% less work."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.layout_engine import ConstrainedLayoutEngine

    FigureCanvasAgg(fig)
    ConstrainedLayoutEngine().execute(fig)
    buf = io.BytesIO()
    fig.savefig(buf, format="png", metadata=metadata)
    return buf.getvalue()

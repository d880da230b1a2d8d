"""Draw the digest's charts as PNG bytes (matplotlib, Agg, no pyplot state), ready for docx reports."""

from __future__ import annotations

import io

from scs_refresh.core.colour import readable_on
from scs_refresh.evidence.digest import Headline, fmt

_FOCUS, _OTHER = "#1f5f8b", "#9bb7cc"


def render(headline: Headline) -> bytes:
    """The PNG for ``headline.chart``; the text alternative is ``headline.chart.alt_text``."""
    from matplotlib.figure import Figure  # Figure alone uses the Agg canvas: no GUI, no global state
    from matplotlib.ticker import MaxNLocator

    chart = headline.chart
    fig = Figure(figsize=(6.4, 3.2), dpi=100, layout="constrained")
    ax = fig.add_subplot()
    if chart.kind == "distribution":
        deciles, counts = zip(*headline.distribution)
        ax.bar([str(d) for d in deciles], counts, color=_FOCUS)
        ax.set_xlabel("National decile (1 = most deprived 10%)")
        ax.set_ylabel("Number of areas")
        ax.yaxis.set_major_locator(MaxNLocator(integer=True))
    elif chart.kind == "trend":
        periods, values = zip(*headline.trend)
        ax.plot(periods, values, marker="o", color=_FOCUS)
        ax.set_ylabel(headline.unit)
        ax.tick_params(axis="x", labelrotation=45)
    else:
        bars = [(headline.area, headline.value)]
        bars += [(c.area_name, c.value) for c in headline.comparisons]
        labels = [name for name, _ in bars]
        values = [v if v is not None else 0.0 for _, v in bars]
        colours = [_OTHER] * (len(bars) - 1) + [_FOCUS]
        ax.barh(labels[::-1], values[::-1], color=colours)
        for y, ((_, v), colour) in enumerate(zip(bars[::-1], colours)):
            # the value sits on its bar: black or white, whichever reads on the bar (white on the pale bars was 2.09:1)
            ax.text(0, y, f" {fmt(v, headline.unit)}", va="center", color=readable_on(colour) if v else "black")
        ax.set_xlabel(headline.unit)
    ax.set_title(chart.title, fontsize=9)
    ax.spines[["top", "right"]].set_visible(False)
    buf = io.BytesIO()
    fig.savefig(buf, format="png", metadata={"Title": chart.title, "Description": chart.alt_text})
    return buf.getvalue()

"""The Partnership review report for an LSP Board (seed 000, 2.4 and 4.3.3), through the papers core.

The officer's words (purpose, structure, achievements, strengths and weaknesses ...) come from
``config/partnership_review.yaml``; the register section, the recommendations about exit
strategies and overdue reviews, the table, the chart and the appendix are worked out from the
assessed Partnership Register, so the report always matches the Appendix B criteria.
"""

from __future__ import annotations

import io
from collections import defaultdict
from dataclasses import dataclass, replace
from datetime import date
from pathlib import Path
from typing import Annotated, Any

from pydantic import Field, model_validator

from scs_refresh.core.atomic import output_set, rebased, write_bytes
from scs_refresh.core.errors import UserError
from scs_refresh.documents.pdf import to_pdf
from scs_refresh.documents.release import release
from scs_refresh.documents.structure import numbered
from scs_refresh.documents.render import Figure, render_docx
from scs_refresh.core.folders import Dirs
from scs_refresh.timetable.model import Event, Timetable
from scs_refresh.core.yamlio import load_model
from scs_refresh.review.assess import Assessment, assess_register, money_text
from scs_refresh.review.policy import OVERALL_RULE, QUESTION, QUESTIONS, Rating
from scs_refresh.review.register import Register, write_register_xlsx
from scs_refresh.core.model import StrictModel

TEMPLATE = Path(__file__).resolve().parents[3] / "templates" / "partnership_review_tpl.docx"
Text = Annotated[str, Field(min_length=1)]


class Member(StrictModel):
    organisation: Text
    sector: Text
    held: int = Field(ge=0, description="Board meetings in the last twelve months")
    attended: int = Field(ge=0)

    @model_validator(mode="after")
    def _possible(self) -> Member:
        if self.attended > self.held:
            raise ValueError(f"attended ({self.attended}) is more than held ({self.held})")
        return self


class ReviewContent(StrictModel):
    """The officer's text for the review report (``config/partnership_review.yaml``)."""

    illustrative: bool = False
    title: Text
    purpose: list[Text] = Field(min_length=1)
    recommendations: list[Text] = Field(min_length=1)
    background: list[Text] = Field(min_length=1)
    structure: list[Text] = Field(min_length=1)
    membership: list[Member] = Field(min_length=1)
    achievements: list[Text] = Field(min_length=1)
    strengths: list[Text] = Field(min_length=1)
    weaknesses: list[Text] = Field(min_length=1)
    options: list[Text] = Field(min_length=1)
    reasons: list[Text] = Field(min_length=1)


def load_review_content(file: Path) -> ReviewContent:
    return load_model(file, ReviewContent)


def board_meeting(tt: Timetable, on: date, meeting_id: str | None = None) -> Event:
    """The Board meeting the report is for: ``meeting_id``, or the first Board on or after ``on``."""
    boards = [e for e in tt.events if e.body and tt.body[e.body].kind == "partnership_board" and e.date]
    if meeting_id is not None:
        match = [e for e in boards if e.id == meeting_id]
        if not match:
            raise UserError(f"--meeting: '{meeting_id}' is not a dated partnership Board meeting in the timetable "
                            f"(known: {', '.join(e.id for e in boards)})")
        return match[0]
    later = sorted((e for e in boards if e.date >= on), key=lambda e: e.date)
    if not later:
        raise UserError(f"no partnership Board meeting on or after {on:%d %b %Y} in the timetable; pass --meeting")
    return later[0]


def _names(items: list[Assessment]) -> str:
    return "; ".join(a.partnership.name for a in items)


def _rating_text(o) -> str:
    return f"{o.final.value} (criteria: {o.criteria.value})" if o.overridden else o.final.value


def register_paragraphs(register: Register, assessments: list[Assessment], on: date) -> list[str]:
    n = len(assessments)
    paras = [
        f"The Council's Partnership Policy asks that every partnership on the Partnership Register is "
        f"assessed for risk and value (High, Medium or Low) against the criteria in its Appendix B, and "
        f"reviewed at least once a year. {n} partnerships are on the register"
        + (" (illustrative entries, not the Council's actual register)" if register.illustrative else "")
        + "; Table 1 and Figure 1 summarise them and the appendix gives each criterion's rating and reason.",
        f"The criterion on resources follows the policy's thresholds (over £100k High, £50k to £100k Medium, "
        f"under £50k Low); the other criteria are the lead officer's judgement. Overall ratings combine the "
        f"criteria by {OVERALL_RULE}. The criteria are guidance only: where an officer has rated a "
        f"partnership differently, both ratings and the reason are shown.",
    ]
    counts = {kind: {r: sum(getattr(a, kind).final is r for a in assessments) for r in Rating}
              for kind in ("risk", "value")}
    paras.append("By overall risk: " + ", ".join(f"{counts['risk'][r]} {r.value}" for r in Rating)
                 + ". By overall value: " + ", ".join(f"{counts['value'][r]} {r.value}" for r in Rating) + ".")
    exits = [a for a in assessments if a.exit_candidate]
    paras.append(f"Candidates for an exit strategy (Low value and High risk): {_names(exits)}. The policy asks "
                 "for an exit strategy, approved by CMT with the Portfolio Holder, before the Council withdraws."
                 if exits else "No partnership is rated Low value and High risk, so none is a candidate for an exit strategy.")
    for a in assessments:
        for kind in ("risk", "value"):
            o = getattr(a, kind)
            if o.overridden:
                who = f" by the {o.override.by}" if o.override.by else ""
                when = f" on {o.override.on:%d %B %Y}" if o.override.on else ""
                paras.append(f"{a.partnership.name}: the criteria give {kind} {o.criteria.value}; it was rated "
                             f"{o.final.value}{who}{when} because: {o.override.reason}")
    due = [a for a in assessments if a.review_due]
    if due:
        paras.append(f"No review is recorded in the year to {on:%d %B %Y} for: {_names(due)}.")
    return paras


def recommendations(content: ReviewContent, assessments: list[Assessment], on: date) -> list[str]:
    out = list(content.recommendations)
    out.append("Note the risk and value assessment of the partnerships on the Partnership Register (section 4.5).")
    exits = [a for a in assessments if a.exit_candidate]
    if exits:
        out.append(f"Ask the Council's Corporate Management Team to consider an exit strategy for {_names(exits)}, "
                   "rated Low value and High risk.")
    due = [a for a in assessments if a.review_due]
    if due:
        out.append(f"Ask the lead officers to complete the annual review of {_names(due)}, "
                   f"with no review recorded in the year to {on:%d %B %Y}.")
    return out


def membership_paragraphs(content: ReviewContent) -> list[str]:
    held = sum(m.held for m in content.membership)
    attended = sum(m.attended for m in content.membership)
    rate = f"{attended / held:.0%}" if held else "not measurable (no meetings recorded)"
    paras = [f"{len(content.membership)} organisations sit on the Board. Across the last twelve months their "
             f"attendance was {rate} of the meetings they could have attended."]
    low = [m.organisation for m in content.membership if m.held and m.attended / m.held < 0.5]
    paras.append(f"Attending fewer than half of the meetings: {'; '.join(low)}." if low
                 else "Every member attended at least half of the meetings.")
    return paras


def _cells(assessments: list[Assessment]) -> dict[tuple[Rating, Rating], list[str]]:
    cells: dict[tuple[Rating, Rating], list[str]] = defaultdict(list)
    for a in assessments:
        cells[(a.risk.final, a.value.final)].append(a.partnership.label)
    return cells


def chart_alt_text(assessments: list[Assessment]) -> str:
    cells = _cells(assessments)
    parts = [f"{risk.value} risk and {value.value} value: {', '.join(cells[(risk, value)])}"
             for risk in Rating for value in Rating if cells.get((risk, value))]
    return (f"Grid of the {len(assessments)} partnerships by overall risk (rows) and value (columns). "
            + "; ".join(parts) + ". Low value with High risk marks a candidate for an exit strategy.")


def risk_value_chart(assessments: list[Assessment], out: Path) -> Path:
    """A 3 by 3 grid, risk up and value across, with each partnership's short name in its cell."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    order = [Rating.LOW, Rating.MEDIUM, Rating.HIGH]
    cells = _cells(assessments)
    fig, ax = plt.subplots(figsize=(7, 5), dpi=150)
    for x, value in enumerate(order):
        for y, risk in enumerate(order):
            exit_cell = value is Rating.LOW and risk is Rating.HIGH
            ax.add_patch(plt.Rectangle((x, y), 1, 1, facecolor="#f4cccc" if exit_cell else "#f3f3f3",
                                       edgecolor="white", linewidth=3))
            names = cells.get((risk, value), [])
            ax.text(x + 0.5, y + 0.5, "\n".join(names), ha="center", va="center", fontsize=8)
            if exit_cell:
                ax.text(x + 0.04, y + 0.93, "exit strategy?", fontsize=7, va="top", color="#990000")
    ax.set_xlim(0, 3), ax.set_ylim(0, 3)
    ax.set_xticks([0.5, 1.5, 2.5], [r.value for r in order])
    ax.set_yticks([0.5, 1.5, 2.5], [r.value for r in order])
    ax.set_xlabel("Overall value to the Council"), ax.set_ylabel("Overall risk to the Council")
    ax.set_title("Partnerships by overall risk and value")
    ax.tick_params(length=0)
    for side in ax.spines.values():
        side.set_visible(False)
    buf = io.BytesIO()
    fig.tight_layout()
    fig.savefig(buf, format="png")
    plt.close(fig)
    return write_bytes(out, buf.getvalue())


def _appendix(a: Assessment) -> dict[str, Any]:
    p = a.partnership
    notes = list(a.flags)
    for o, kind in ((a.risk, "risk"), (a.value, "value")):
        if o.override is not None:
            notes.append(f"Officer's {kind} rating {o.override.rating.value}: {o.override.reason}")
    notes.append(f"Appendix C questions answered: {len(p.answers)} of {len(QUESTIONS)}.")
    notes += [f"{QUESTION[k].text} Answer: {v}" for k, v in p.answers.items()]
    rows = [{"topic": f"Risk: {c.criterion.topic}", "rating": c.rating.value, "reason": c.reason}
            for c in a.risk_criteria]
    rows += [{"topic": f"Value: {c.criterion.topic}", "rating": c.rating.value, "reason": c.reason}
             for c in a.value_criteria]
    return {"name": p.name,
            "summary": (f"Lead partner: {p.lead_partner}. {p.strategic_or_operational.capitalize()}, "
                        f"{'statutory' if p.statutory else 'not statutory'}; BC role: {p.role}. "
                        f"Overall risk {_rating_text(a.risk)}; overall value {_rating_text(a.value)}."),
            "notes": notes, "criteria": rows}


def context(tt: Timetable, register: Register, content: ReviewContent, assessments: list[Assessment],
            meeting: Event, on: date, chart: Figure) -> dict[str, Any]:
    """Everything the template shows, as plain values (the chart as a Figure)."""
    officer = tt.cycle.officer
    return {
        "partnership": tt.cycle.partnership, "partnership_upper": tt.cycle.partnership.upper(),
        "author": officer.name,
        "meeting_date": f"{meeting.date:%d %B %Y}",
        "report_of": f"{officer.name}, {officer.role}" if officer.role else officer.name,
        "title": content.title,
        "illustrative": content.illustrative or register.illustrative,
        "illustrative_note": "Illustrative: the partnerships, figures and ratings in this report are examples, "
                             "not Breckland Council's actual register.",
        "purpose": numbered("1", content.purpose),
        "recommendations": numbered("2", recommendations(content, assessments, on)),
        "background": numbered("3", content.background),
        "structure": numbered("4.1", content.structure),
        "membership": numbered("4.2", membership_paragraphs(content)),
        "members": [{"organisation": m.organisation, "sector": m.sector, "attended": f"{m.attended} of {m.held}",
                     "rate": f"{m.attended / m.held:.0%}" if m.held else "n/a"} for m in content.membership],
        "achievements": numbered("4.3", content.achievements),
        "strengths_weaknesses": numbered("4.4", [
            f"The review found {len(content.strengths)} strengths and {len(content.weaknesses)} weaknesses, "
            "listed below."]),
        "strengths": content.strengths,
        "weaknesses": content.weaknesses,
        "register": numbered("4.5", register_paragraphs(register, assessments, on)),
        "register_rows": [{
            "name": a.partnership.name + (f" ({a.partnership.short_name})" if a.partnership.short_name else ""),
            "role": a.partnership.role.capitalize(),
            "contribution": money_text(a.partnership.budget_contribution),
            "hours": f"{a.partnership.staff_hours_per_month:g}",
            "risk": _rating_text(a.risk), "value": _rating_text(a.value),
            "notes": "; ".join(a.flags) or "-"} for a in assessments],
        "chart": chart,
        "options": numbered("5", content.options),
        "reasons": numbered("6", content.reasons),
        "appendix_intro": f"Ratings as at {on:%d %B %Y}. Each criterion's reason is the policy's own wording "
                          f"(Breckland Council Partnership Policy, Appendix B). Overall: {OVERALL_RULE}.",
        "assessments": [_appendix(a) for a in assessments],
    }


@dataclass(frozen=True)
class ReviewOutputs:
    docx: Path
    chart: Path
    register_xlsx: Path
    assessments: list[Assessment]
    meeting: Event
    pdf: Path | None = None

    def summary(self) -> str:
        """What the officer sees after ``scs review``: each rating, each flag, each file."""
        lines = [f"Partnership review for the Board of {self.meeting.date:%d %B %Y}: "
                 f"{len(self.assessments)} partnerships assessed"]
        for a in self.assessments:
            flags = f"  [{'; '.join(a.flags)}]" if a.flags else ""
            lines.append(f"  {a.partnership.name}: risk {_rating_text(a.risk)}, value {_rating_text(a.value)}{flags}")
        lines += [f"wrote {p}" for p in (self.docx, self.pdf, self.chart, self.register_xlsx) if p]
        return "\n".join(lines)


def write_review(tt: Timetable, register: Register, content: ReviewContent, on: date, out_dir: Path,
                 meeting_id: str | None = None, template: Path = TEMPLATE) -> ReviewOutputs:
    """Assess the register and write the report, its chart and the register workbook into ``out_dir``.

    The report must pass the accessibility checks; the problems are an error naming the file.
    """
    out_dir = Path(out_dir)
    meeting = board_meeting(tt, on, meeting_id)
    assessments = assess_register(register, on)
    chart_png = risk_value_chart(assessments, out_dir / "partnership_risk_value.png")
    ctx = context(tt, register, content, assessments, meeting, on,
                  Figure(chart_png, chart_alt_text(assessments), width_mm=150))
    docx_file = render_docx(template, ctx, out_dir / f"partnership_review_{meeting.date:%Y-%m-%d}.docx")
    release(docx_file, ctx)  # refused and moved aside if it fails the accessibility checks
    xlsx = write_register_xlsx(register, {a.partnership.name: (a.risk.criteria, a.value.criteria)
                                          for a in assessments}, out_dir / "partnership_register.xlsx")
    return ReviewOutputs(docx_file, chart_png, xlsx, assessments, meeting)


def write_review_from_dirs(tt: Timetable, register: Register, content: ReviewContent, dirs: Dirs, on: date,
                           meeting_id: str | None = None, pdf: bool = False) -> ReviewOutputs:
    """``scs review``: the report, its chart, the register workbook and (if asked) its PDF, as one set in
    ``<out>/review/``: all of them, or on any failure the last set as it was."""
    final = dirs.out / "review"
    with output_set(final) as folder:
        outputs = write_review(tt, register, content, on, folder, meeting_id)
        if pdf:
            outputs = replace(outputs, pdf=to_pdf([outputs.docx], folder)[0])
    return rebased(outputs, folder, final)

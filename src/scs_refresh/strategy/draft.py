"""The draft Sustainable Community Strategy: one section per theme, assembled, versioned.

Each theme's section puts together the officer's words (config/scs.yaml: vision, priorities,
outcomes with owners), the evidence digest (headline figures against Norfolk and England or a
rank, charts with their text alternatives, the trend) and what partners said (questionnaire
answers, quoted literally and attributed). The content is built first as plain data
(:class:`DraftContent`); the Word context and the version snapshot are both made from it, so
the "changes since the last draft" summary compares exactly what the draft says.
"""

from __future__ import annotations

import logging
import json
import shutil
import subprocess
from concurrent.futures import ThreadPoolExecutor
from collections.abc import Callable, Mapping, Sequence
from dataclasses import asdict, dataclass, field
from datetime import date, datetime, time
from pathlib import Path

from scs_refresh.approval.decisions import Amendment
from scs_refresh.evidence.digest import Digest, Headline, fmt
from scs_refresh.evidence.manifest import LoadedManifest
from scs_refresh.partners.register import PartnersConfig
from scs_refresh.core.store import Response
from scs_refresh.timetable.model import Timetable
from scs_refresh.documents.release import release
from scs_refresh.documents.structure import Annex, Para, Subsection, numbered, numbered_subsections
from scs_refresh.core.dates import long_date
from scs_refresh.strategy.content import ScsConfig
from scs_refresh.documents.render import Figure, TableData
from scs_refresh.core.atomic import write_text
from scs_refresh.documents.render import render_docx
from scs_refresh.documents.contents import pages_of
from scs_refresh.documents.pdf import PdfError, soffice
from scs_refresh.documents.tracked import tracked_copy
from scs_refresh.strategy import versions
from scs_refresh.strategy.comments import Edit
from scs_refresh.strategy.papers import change_summary_context, write_change_summary

log = logging.getLogger(__name__)

AMENDMENTS = "Annex B: Amendments agreed"

ILLUSTRATIVE_WORDING = ("ILLUSTRATIVE: the vision, priorities and outcomes in this Strategy are example wording, "
                        "not the Breckland Partnership's agreed strategy.")


@dataclass(frozen=True)
class Figureline:
    """One evidence headline as the draft quotes it (formatted, with where it came from)."""

    indicator: str
    text: str
    breckland: str
    norfolk: str
    england: str
    rank_or_trend: str
    source: str
    cite: str
    illustrative: bool
    chart: str | None = None  # file name in the evidence charts folder
    chart_title: str = ""
    chart_alt: str = ""


@dataclass(frozen=True)
class Quote:
    partner_id: str
    partner: str
    ref: str  # Q1.1
    question: str
    text: str  # the partner's words, untouched


@dataclass(frozen=True)
class OutcomeLine:
    outcome: str
    indicator: str
    baseline: str
    owner: str
    owner_id: str


@dataclass(frozen=True)
class ThemeSection:
    id: str
    title: str
    vision: str
    figures: list[Figureline]
    statements: list[str]
    quotes: list[Quote]
    asked: str  # which questions and partners the quotes come from, for the "none yet" line
    priorities: list[str]
    outcomes: list[OutcomeLine]
    awaited: list[str] = field(default_factory=list)  # releases expected but not yet published on the day


@dataclass(frozen=True)
class SourceLine:
    title: str
    publisher: str
    period: str
    published: str  # ISO date the release was published
    file: str
    status: str


@dataclass(frozen=True)
class DraftContent:
    """Everything the draft says; its JSON is the version snapshot."""

    title: str
    period: str
    illustrative: bool
    vision: list[str]
    themes: list[ThemeSection]
    sources: list[SourceLine]
    responded: int
    partners: int
    amendments: list[Amendment] = field(default_factory=list)  # agreed by the approval chain's meetings
    warnings: list[str] = field(default_factory=list)
    agreed: list[dict] = field(default_factory=list)  # changes made at partners' request: section, partner, on, text

    def snapshot(self) -> dict:
        """The content compared between versions (warnings are about the build, not the draft).

        ``amendments`` and ``agreed`` are left out while there are none, so snapshots written before
        they were recorded still compare equal to an unchanged draft.
        """
        data = asdict(self)
        data.pop("warnings")
        for optional in ("amendments", "agreed"):
            if not data[optional]:
                data.pop(optional)
        for theme in data["themes"]:  # likewise a theme's awaited releases while there are none
            if not theme["awaited"]:
                theme.pop("awaited")
        return data


def _comparison(h: Headline, area: str) -> str:
    return next((fmt(c.value, h.unit) for c in h.comparisons if c.area_name == area), "-")


def _rank_or_trend(h: Headline) -> str:
    if h.rank:
        return h.rank
    if len(h.trend) >= 2:
        (p0, v0), (p1, v1) = h.trend[0], h.trend[-1]
        return f"{fmt(v0, h.unit)} ({p0}) to {fmt(v1, h.unit)} ({p1})"
    return "-"


def figure_line(h: Headline) -> Figureline:
    label = " (ILLUSTRATIVE)" if h.illustrative else ""
    return Figureline(
        indicator=f"{h.indicator}, {h.period}{label}", text=h.text,
        breckland="see chart" if h.distribution else fmt(h.value, h.unit),
        norfolk=_comparison(h, "Norfolk"), england=_comparison(h, "England"), rank_or_trend=_rank_or_trend(h),
        source=h.source_title, cite=h.cite, illustrative=h.illustrative,
        chart=h.chart.file if h.chart else None, chart_title=h.chart.title if h.chart else "",
        chart_alt=h.chart.alt_text if h.chart else "")


def _quotes(theme, partners: PartnersConfig, responses: Mapping[str, Response]) -> list[Quote]:
    """The answers a theme quotes, in partner then question order; blank answers are skipped."""
    refs = {q.id: (ref, q.text) for ref, q in partners.questionnaire.numbered}
    who = theme.partners_said.partners or [p.id for p in partners.partners]
    out = []
    for pid in who:
        response = responses.get(pid)
        if response is None:
            continue
        for qid in theme.partners_said.questions:
            answer = (response.answers.get(qid) or "").strip()
            if answer:
                out.append(Quote(pid, partners.partner[pid].name, refs[qid][0], refs[qid][1], answer))
    return out


def _asked(theme, partners: PartnersConfig) -> str:
    refs = {q.id: ref for ref, q in partners.questionnaire.numbered}
    questions = ", ".join(refs[q] for q in theme.partners_said.questions)
    who = ", ".join(partners.partner[p].name for p in theme.partners_said.partners) or "any partner"
    return f"questions {questions} from {who}"


def _edited(cfg: ScsConfig, edits: Sequence[Edit]) -> tuple[ScsConfig, list[dict], list[str]]:
    """The strategy wording with the changes agreed at partners' request made, what was made, and a
    warning for each change whose words are no longer there to change."""
    vision = list(cfg.vision)
    priorities = {t.id: list(t.priorities) for t in cfg.themes}
    visions = {t.id: t.vision for t in cfg.themes}
    titles = {"vision": "Our vision", **{t.id: t.title for t in cfg.themes}}
    agreed, warnings = [], []
    for e in edits:
        target = vision if e.section == "vision" else priorities.get(e.section)
        if target is None:
            warnings.append(f"a change agreed with {e.partner} is for section '{e.section}', no longer in the strategy")
            continue
        if e.old is None:
            target.append(e.new)
        elif e.old in target:
            target[target.index(e.old)] = e.new
        elif visions.get(e.section) == e.old:
            visions[e.section] = e.new
        else:
            warnings.append(f"a change agreed with {e.partner} in '{titles[e.section]}' was not made: the words "
                            f"\u201c{e.old}\u201d are no longer there")
            continue
        agreed.append({"section": titles[e.section], "partner": e.partner, "on": e.on, "text": e.new})
    themes = [t.model_copy(update={"priorities": priorities[t.id], "vision": visions[t.id]}) for t in cfg.themes]
    return cfg.model_copy(update={"vision": vision, "themes": themes}), agreed, warnings


def build_content(cfg: ScsConfig, digest: Digest, partners: PartnersConfig, responses: Mapping[str, Response],
                  amendments: Sequence[Amendment] = (), edits: Sequence[Edit] = ()) -> DraftContent:
    """The draft's content from the strategy wording (with the changes agreed at partners' request),
    the evidence digest, partners' answers and the amendments the approval chain agreed."""
    by_theme = {t.theme_id: t for t in digest.themes}
    by_indicator = {h.indicator: h for t in digest.themes for h in t.headlines}
    cfg, agreed, warnings = _edited(cfg, edits)
    themes = []
    for t in cfg.themes:
        evidence = by_theme.get(t.id)
        headlines = evidence.headlines if evidence else ()
        outcomes = []
        for o in t.outcomes:
            h = by_indicator.get(o.indicator) if o.indicator else None
            if o.indicator and h is None:
                warnings.append(f"scs.yaml theme '{t.id}': no indicator '{o.indicator}' in the evidence digest; "
                                "its baseline is left to be set")
            baseline = (f"{fmt(h.value, h.unit)} ({h.period})" + (" ILLUSTRATIVE" if h.illustrative else "")
                        if h and h.value is not None else ("see the evidence above" if h else "to be set"))
            outcomes.append(OutcomeLine(o.outcome, o.indicator or "to be agreed", baseline,
                                        partners.partner[o.owner].name, o.owner))
        statements = [f"{s.statement} ({s.source_title}" + (f", {s.count})" if s.count > 1 else ")")
                      for s in (evidence.statements if evidence else ())[:3]]
        themes.append(ThemeSection(
            t.id, t.title, t.vision, [figure_line(h) for h in headlines], statements,
            _quotes(t, partners, responses), _asked(t, partners), list(t.priorities), outcomes,
            [a.text for a in (evidence.awaited if evidence else ())]))
        if not any(h.chart for h in headlines):
            warnings.append(f"theme '{t.id}' has no chart in the evidence digest")
    sources = [SourceLine(p.title + (" (ILLUSTRATIVE)" if p.illustrative and "ILLUSTRATIVE" not in p.title else ""),
                          p.publisher, p.period, p.published.isoformat(), p.file,
                          f"{p.rows} rows read" if p.ok else f"not read: {p.error}")
               for p in digest.provenance]
    answered = sum(1 for pid in responses if pid in partners.partner)
    return DraftContent(cfg.title, cfg.period, cfg.illustrative, list(cfg.vision), themes, sources,
                        answered, len(partners.partners), list(amendments), warnings, agreed)


# --- the Word context -----------------------------------------------------------------

def _evidence(theme: ThemeSection, number: str, charts_dir: Path, max_charts: int) -> Subsection:
    # Each figure says what it measures (the indicator and its period), where (Breckland against Norfolk and
    # England) and from which release: a number on its own tells a member nothing.
    paras = [f"{f.indicator}: {f.text} Source: {f.source}." for f in theme.figures] or [
        "No evidence has been collated for this theme yet."]
    if theme.awaited:
        paras.append("Not yet published, so not quoted: " + "; ".join(theme.awaited) + ".")
    if theme.statements:
        paras.append("What residents and partners told us in consultation: " + "; ".join(theme.statements) + ".")
    table = TableData(["Indicator", "Breckland", "Norfolk", "England", "Rank or trend"],
                      [[f.indicator, f.breckland, f.norfolk, f.england, f.rank_or_trend] for f in theme.figures],
                      [62, 24, 24, 24, 36]) if theme.figures else None
    charted = [f for f in theme.figures if f.chart][:max_charts]
    figures = [(Figure(charts_dir / f.chart, f.chart_alt, 150), f"Figure {number}.{i}: {f.chart_title}. Source: {f.source}")
               for i, f in enumerate(charted, 1)]
    return Subsection("What the evidence tells us", paras, table, figures)


def _said(theme: ThemeSection, responded: int, partners: int) -> Subsection:
    paras = [f"{q.partner} ({q.ref}, \u201c{q.question}\u201d): \u201c{q.text}\u201d" for q in theme.quotes]
    if not paras:
        paras = [f"No answers yet to {theme.asked}; {responded} of {partners} partners have returned the questionnaire."]
    return Subsection("What partners said", paras)


@dataclass(frozen=True)
class Adoption:
    """The council's adoption of the Strategy, as the adopted Strategy states it."""

    body: str  # the meeting that adopted it
    on: date


def headings(content: DraftContent) -> list[str]:
    """The Strategy's top-level headings, as the contents list and the document give them."""
    heads = ["1. Our vision"] + [f"{i}. {t.title}" for i, t in enumerate(content.themes, 2)]
    return heads + ["Annex A: Evidence sources"] + ([AMENDMENTS] if content.amendments else [])


def context(content: DraftContent, version: int, on: date, charts_dir: Path, partnership: str,
            author: str, max_charts: int, pages: Mapping[str, int] | None = None,
            adoption: Adoption | None = None) -> dict:
    """The Strategy template's fields: the draft version ``version``, or with ``adoption`` the adopted
    Strategy; ``pages`` gives the contents list each heading's page (left blank without it)."""
    sections = [Para("1", "Our vision")] + [Para(str(i), t.title) for i, t in enumerate(content.themes, 2)]
    themes = []
    for i, t in enumerate(content.themes, 2):
        subs = [Subsection("Vision", [t.vision]),
                _evidence(t, str(i), charts_dir, max_charts),
                _said(t, content.responded, content.partners),
                Subsection("Priorities", t.priorities),
                Subsection("Outcomes we will measure",
                           [f"Each outcome has a lead partner, who reports progress to the {partnership} Board."],
                           TableData(["Outcome", "Indicator", "Baseline (Breckland)", "Lead partner"],
                                     [[o.outcome, o.indicator, o.baseline, o.owner] for o in t.outcomes],
                                     [58, 42, 32, 38]))]
        themes.append({"heading": f"{i}. {t.title}", "subsections": numbered_subsections(subs, i)})
    notices = [ILLUSTRATIVE_WORDING] if content.illustrative else []
    if any(f.illustrative for t in content.themes for f in t.figures):
        notices.append("Figures and sources marked ILLUSTRATIVE are examples, not real data.")
    annexes = [Annex("Annex A: Evidence sources",
                  "Every figure in this Strategy comes from one of these files in the evidence folder; the "
                  "Strategy's text names the file, sheet, row and column of each Breckland figure.",
                  TableData(["Source", "Publisher", "Period", "Published", "File", "Status"],
                            [[s.title, s.publisher, s.period, long_date(date.fromisoformat(s.published)), s.file,
                              s.status] for s in content.sources],
                            [44, 34, 16, 20, 38, 18]))]
    if content.amendments:
        annexes.append(Annex(AMENDMENTS, "The Strategy includes these amendments, agreed as it was approved.",
                             TableData(["Agreed by", "On", "Amendment"],
                                       [[a.meeting, long_date(date.fromisoformat(a.decided_on)), a.text]
                                        for a in content.amendments], [50, 30, 90])))
    pages = pages or {}
    contents = [{"number": p.number, "text": p.text, "page": str(pages.get(h, ""))}
                for p, h in zip(sections + [Para("", a.title) for a in annexes], headings(content))]
    if adoption is None:
        title, footer = f"{content.title}: draft", f"Draft SCS version {version}, {long_date(on)}"
        status = f"Draft version {version} for the {partnership}, as at {long_date(on)}"
    else:
        title, footer = content.title, f"{content.title}, adopted {long_date(adoption.on)}"
        status = (f"Adopted by {adoption.body} on {long_date(adoption.on)}, which resolved to adopt the "
                  f"{content.title}"
                  + (f" with the amendments agreed on the way ({AMENDMENTS})" if content.amendments else ""))
    return {
        "title": title, "author": author, "footer": footer,
        "partnership_upper": partnership.upper(),
        "status_line": status,
        "notices": notices,
        "contents": contents,
        "vision_heading": "1. Our vision",
        "vision": numbered("1", content.vision),
        "themes": themes,
        "annexes": annexes,
    }


# --- writing a version ----------------------------------------------------------------

@dataclass(frozen=True)
class DraftInputs:
    """The config files a draft needs, loaded and cross-checked once at the edge."""

    scs: ScsConfig
    manifest: LoadedManifest
    partners: PartnersConfig
    timetable: Timetable


@dataclass(frozen=True)
class DraftResult:
    version: int
    docx: Path
    changes: Path  # the change summary paper (changes-v<N>.docx)
    new: bool  # False: nothing changed since the last version, so none was made
    changed: dict[str, list[str]]
    warnings: list[str]
    written_on: date | None = None  # the day the version is "as at" (its status line)
    tracked: Path | None = None  # the Strategy with its changes against the version before as tracked changes

    def summary(self) -> list[str]:
        if not self.new:
            return [f"no changes since draft version {self.version}: {self.docx} is current"]
        lines = [f"wrote {self.docx} (draft version {self.version})", f"wrote {self.changes}"]
        lines += [f"wrote {self.tracked}"] if self.tracked else []
        lines += [f"changed: {section}: {len(items)} change(s)" for section, items in self.changed.items()]
        return lines + [f"warning: {w}" for w in self.warnings]


def render_strategy(templates: Path, make_context: Callable[[Mapping[str, int] | None], dict], heads: list[str],
                    out: Path, guess: Mapping[str, int] | None = None) -> tuple[Path, list[str], dict[str, int]]:
    """Render the Strategy with each heading's page in the contents as LibreOffice lays it out (when
    LibreOffice and pdftotext are installed); release it. Returns it, any warning and the pages.

    It is rendered with ``guess`` (the last version's pages) and laid out; only when a heading moved is
    it rendered again with the pages found. A new version mostly keeps its pages, and then the layout
    made to find them is the Strategy's PDF too (converted once, not twice)."""
    ctx = make_context(guess)
    path = render_docx(templates / "scs_draft_tpl.docx", ctx, out)
    warnings, pages = [], {}  # unknown pages: none shown, rather than numbers nobody checked
    if soffice() is None or shutil.which("pdftotext") is None:
        warnings.append("LibreOffice or pdftotext is not installed: the contents list has no page numbers")
    else:
        try:
            pages = pages_of(path, heads)
        except (PdfError, subprocess.CalledProcessError) as exc:
            warnings.append(f"the contents list has no page numbers: {exc}")
    if pages != dict(guess or {}):
        ctx = make_context(pages)
        path = render_docx(templates / "scs_draft_tpl.docx", ctx, out)
    return release(path, ctx), warnings, pages


def write_draft(inputs: DraftInputs, digest: Digest, responses: Mapping[str, Response], charts_dir: Path,
                out_dir: Path, templates: Path, on: date, amendments: Sequence[Amendment] = (),
                edits: Sequence[Edit] = ()) -> DraftResult:
    """Write a new draft version into ``out_dir`` when its content differs from the last version: the
    Strategy, its change summary paper and (after the first) a copy with the changes tracked.

    Each document is checked before release; the snapshot is written last and marks the version complete.
    """
    content = build_content(inputs.scs, digest, inputs.partners, responses, amendments, edits)
    new = json.loads(json.dumps(content.snapshot()))
    previous = versions.latest(out_dir, on)  # the version current on ``on``: one written later does not count
    if previous is not None and previous[1] == new:
        n = previous[0]
        tracked = out_dir / f"draft-v{n}-tracked.docx"
        return DraftResult(n, out_dir / f"draft-v{n}.docx", out_dir / f"changes-v{n}.docx", False, {},
                           content.warnings, versions.written_on(out_dir, n), tracked if tracked.is_file() else None)
    # The next number; after a later version (the draft for a past day written again), the one after it.
    n = max(versions.numbers(out_dir), default=0) + 1
    cycle = inputs.timetable.cycle
    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="scs-strategy") as pool:
        # The Strategy is laid out by LibreOffice (its contents' pages) while its change summary is written here.
        strategy = pool.submit(render_strategy, templates,
                               lambda pages: context(content, n, on, charts_dir, cycle.partnership, cycle.officer.name,
                                                     inputs.scs.charts_per_theme, pages),
                               headings(content), out_dir / f"draft-v{n}.docx",
                               versions.pages(out_dir, previous[0]) if previous else None)
        before = None if previous is None else (previous[0], versions.written_on(out_dir, previous[0]), previous[1])
        summary = change_summary_context(n, on, before, new, cycle.partnership, cycle.officer.name)
        changes = write_change_summary(out_dir / f"changes-v{n}.docx", templates, summary)
        docx, warnings, pages = strategy.result()
    tracked = None
    if previous is not None and (out_dir / f"draft-v{previous[0]}.docx").is_file():
        tracked = tracked_copy(out_dir / f"draft-v{previous[0]}.docx", docx, out_dir / f"draft-v{n}-tracked.docx",
                               cycle.partnership, datetime.combine(on, time(9)))
    write_text(versions.snapshot_path(out_dir, n),
               json.dumps({"version": n, "on": on.isoformat(), "content": new, "pages": pages}, indent=1, ensure_ascii=False))
    log.info("wrote draft SCS version %d as at %s: %s", n, on, docx)
    changed = {} if previous is None else versions.changes(previous[1], new)
    return DraftResult(n, docx, changes, True, changed, content.warnings + warnings, on, tracked)


ADOPTED = "adopted-strategy.docx"


def write_adopted(inputs: DraftInputs, digest: Digest, responses: Mapping[str, Response], charts_dir: Path,
                  out_dir: Path, templates: Path, adoption: Adoption, amendments: Sequence[Amendment] = (),
                  edits: Sequence[Edit] = ()) -> Path:
    """The adopted Strategy, ``out_dir/adopted-strategy.docx``: the content as it stood on the day of
    adoption, without "draft", stating the adoption and listing the amendments made on the way."""
    content = build_content(inputs.scs, digest, inputs.partners, responses, amendments, edits)
    cycle = inputs.timetable.cycle
    n = max(versions.numbers(out_dir), default=1)
    docx, _, _ = render_strategy(
        templates, lambda pages: context(content, n, adoption.on, charts_dir, cycle.partnership, cycle.officer.name,
                                         inputs.scs.charts_per_theme, pages, adoption),
        headings(content), out_dir / ADOPTED, versions.pages(out_dir, n))
    log.info("wrote the adopted Strategy (%s): %s", adoption.on, docx)
    return docx

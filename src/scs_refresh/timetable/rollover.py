"""A new cycle from the last one: every date in every config file moved to the target year.

The rule (one, so that everything that held in the last cycle still holds): meetings, milestones,
partner dates, slots and replies move by a whole number of weeks, the number just before or just
after the years between the cycles that keeps every meeting inside its stage's months, so a
Thursday Board stays a Thursday and every interval (papers, chasers, the order of the approval
chain, the position in its stage) stays as it was. Dates tied to the
calendar rather than the week (a stage or window that starts on the 1st or ends on the last day of
a month, an outcome due on 31 March) keep their day of the month in the target year, and an
election held on the first Thursday in May (RPA 1983 s37) moves to the first Thursday in May.
Event ids that carry their date, the ids that refer to them and the cycle's id follow.

The YAML text is rewritten in place, scalar by scalar, so every comment and layout stays as the
officer wrote it (no round-trip through a YAML writer). What the rule cannot decide is listed
for the officer to confirm: dates that now land on a holiday, the slots to re-offer, the elections,
and wording that still names the old years.
"""

from __future__ import annotations

import calendar
import math
import os
import re
import shutil
import tempfile
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path

import yaml

from scs_refresh.core.dates import day_text
from scs_refresh.core.errors import UserError
from scs_refresh.timetable.civic_calendar import first_thursday_in_may, why_not_a_meeting_day
from scs_refresh.timetable.model import Timetable, load_timetable

#: dates these files hold are facts about the past (when a source was published), not the cycle's
KEPT_AS_WRITTEN = ("evidence.yaml",)
#: keys whose dates are periods of data (a baseline's year, a source's release), never moved
FACT_KEYS = ("period", "published")
#: keys of window ends: a 1st or a month's last day stays so
WINDOW_KEYS = ("start", "end", "due")

_DATE = re.compile(r"^(\d{4}-\d{2}-\d{2})( \d{1,2}:\d{2})?$")


@dataclass(frozen=True)
class Shift:
    """How one cycle's dates become the next's: whole weeks for the week's dates, whole years for the calendar's."""

    weeks: int
    years: int

    def week_day(self, d: date) -> date:
        return d + timedelta(weeks=self.weeks)

    def calendar_day(self, d: date) -> date:
        """The same day of the month ``years`` on; the last day of a month stays the last day."""
        year = d.year + self.years
        last = calendar.monthrange(year, d.month)[1]
        if d.day == calendar.monthrange(d.year, d.month)[1]:
            return date(year, d.month, last)
        return date(year, d.month, min(d.day, last))

    def move(self, d: date, path: tuple) -> date:
        """Where a date at ``path`` (its keys in the file) lands in the new cycle."""
        if path[:1] == ("elections",) and d == first_thursday_in_may(d.year):
            return first_thursday_in_may(d.year + self.years)
        month_end = d.day == calendar.monthrange(d.year, d.month)[1]
        if path and (path[-1] in WINDOW_KEYS or path[-2:] == ("target", "date")) and (d.day == 1 or month_end):
            return self.calendar_day(d)
        return self.week_day(d)


def shift_to(tt: Timetable, year: int) -> Shift:
    """The shift that starts the cycle in ``year``: whole weeks, the number before or after the same day
    that year that keeps every meeting in its stage (the stages keep their months: a Board on the first
    Thursday of February must not move to 31 January); of two that do as well, the nearer."""
    start = tt.span.start
    same_day = date(year, start.month, min(start.day, calendar.monthrange(year, start.month)[1]))
    weeks = (same_day - start).days / 7
    shifts = sorted({Shift(weeks=w, years=year - start.year) for w in (math.floor(weeks), math.ceil(weeks))},
                    key=lambda s: abs(s.weeks - weeks))
    return min(shifts, key=lambda s: len(_out_of_stage(tt, s)))


def _out_of_stage(tt: Timetable, shift: Shift) -> list[str]:
    """The events ``shift`` would move outside their stage's window (as ``scs check`` would find them)."""
    windows = {stage.id: (shift.move(stage.window.start, ("stages", i, "window", "start")),
                          shift.move(stage.window.end, ("stages", i, "window", "end")))
               for i, stage in enumerate(tt.stages)}
    out = []
    for i, e in enumerate(tt.events):
        if e.outside_stage is not None or e.stage not in windows:
            continue
        first, last = windows[e.stage]
        days = [shift.move(e.date, ("events", i, "date"))] if e.date is not None else [
            shift.move(e.to_be_arranged.start, ("events", i, "to_be_arranged", "start")),
            shift.move(e.to_be_arranged.end, ("events", i, "to_be_arranged", "end"))]
        if any(not first <= d <= last for d in days):
            out.append(e.id)
    return out


@dataclass(frozen=True)
class Moved:
    file: str
    line: int
    key: str
    old: str
    new: str


@dataclass
class Rollover:
    """What ``new_cycle`` did: the dates moved, the ids renamed, and what the officer must confirm."""

    folder: Path
    shift: Shift
    source_start: date
    moved: list[Moved] = field(default_factory=list)
    renamed: dict[str, str] = field(default_factory=dict)
    confirm: list[str] = field(default_factory=list)

    @property
    def target_start(self) -> date:
        return self.shift.week_day(self.source_start)


def new_cycle(source: Path, year: int, dest: Path) -> Rollover:
    """Write the cycle of ``source`` (a config folder) moved to start in ``year`` into the new folder ``dest``.

    Refused in one line, with nothing written: a year not after the source cycle's, a ``dest``
    that exists, a source timetable with problems. The folder appears whole or not at all.
    """
    source, dest = Path(source), Path(dest)
    if dest.exists():
        raise UserError(f"--to {dest}: the folder exists; give a new folder (nothing was written)")
    tt = load_timetable(source / "timetable.yaml")
    first = tt.span.start.year
    if year <= first:
        raise UserError(f"--year {year}: the cycle in {source} starts in {first}; the new cycle must start in a later "
                        "year (nothing was written)")
    shift = shift_to(tt, year)
    out = Rollover(dest, shift, tt.span.start)
    out.renamed = _new_ids(tt, shift)
    old_years = {str(y) for y in range(tt.span.start.year, tt.span.end.year + 1)}
    wording: list[str] = []
    dest.parent.mkdir(parents=True, exist_ok=True)
    work = Path(tempfile.mkdtemp(prefix=f".{dest.name}.", dir=dest.parent))
    try:
        for file in sorted(source.iterdir()):
            if not file.is_file() or file.name.startswith("."):
                continue
            if file.suffix != ".yaml" or file.name in KEPT_AS_WRITTEN:
                shutil.copy2(file, work / file.name)
                continue
            text = file.read_text(encoding="utf-8")
            new_text = _rewrite(file.name, text, shift, out)
            (work / file.name).write_text(new_text, encoding="utf-8")
            if (where := _old_years_left(file.name, new_text, old_years)) is not None:
                wording.append(where)
        _point_at_evidence(source, dest, work, out)
        os.replace(work, dest)
    except BaseException:
        shutil.rmtree(work, ignore_errors=True)
        raise
    if wording:
        out.confirm.append(f"wording that names {' or '.join(sorted(old_years))}, kept as written (titles, dates in "
                           f"text; update them for the new cycle): {'; '.join(wording)}")
    _to_confirm(tt, out)
    return out


def _new_ids(tt: Timetable, shift: Shift) -> dict[str, str]:
    """Each event id that carries its date (``cabinet-2011-05-10``, ``away-day-2011-03``) with the new one,
    and the cycle's id (``scs-refresh-2010-11``) with its years moved on."""
    renamed = {}
    for i, e in enumerate(tt.events):
        if e.date is not None and e.date.isoformat() in e.id:
            renamed[e.id] = e.id.replace(e.date.isoformat(), shift.move(e.date, ("events", i, "date")).isoformat())
        elif e.to_be_arranged is not None and f"{e.to_be_arranged.start:%Y-%m}" in e.id:
            start = shift.move(e.to_be_arranged.start, ("events", i, "to_be_arranged", "start"))
            renamed[e.id] = e.id.replace(f"{e.to_be_arranged.start:%Y-%m}", f"{start:%Y-%m}")
    renamed[tt.cycle.id] = re.sub(
        r"(\d{4})(-(\d{2})(?!\d))?",
        lambda m: f"{int(m[1]) + shift.years}" + (f"-{(int(m[3]) + shift.years) % 100:02d}" if m[2] else ""),
        tt.cycle.id)
    return {old: new for old, new in renamed.items() if old != new}


def _scalars(node: yaml.Node, path: tuple = ()):
    """Every scalar node of a document with its key path; mapping keys too (as ``key=True``)."""
    if isinstance(node, yaml.MappingNode):
        for key, value in node.value:
            if isinstance(key, yaml.ScalarNode):
                yield path, key, True
            yield from _scalars(value, path + (getattr(key, "value", "?"),))
    elif isinstance(node, yaml.SequenceNode):
        for i, item in enumerate(node.value):
            yield from _scalars(item, path + (i,))
    elif isinstance(node, yaml.ScalarNode):
        yield path, node, False


def _key_text(path: tuple) -> str:
    out = ""
    for part in path:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out


def _rewrite(name: str, text: str, shift: Shift, out: Rollover) -> str:
    """``text`` with each date scalar moved and each renamed id replaced, nothing else touched."""
    try:
        root = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.YAMLError as exc:
        raise UserError(f"{name}: not valid YAML, so its dates cannot be moved ({exc}); run scs check on the "
                        "last cycle first") from None
    if root is None:
        return text
    edits = []
    for path, node, is_key in _scalars(root):
        value, new = node.value, None
        if value in out.renamed:
            new = out.renamed[value]
        elif not is_key and (m := _DATE.match(value)) and not set(path) & set(FACT_KEYS):
            try:
                old_day = date.fromisoformat(m[1])
            except ValueError:
                continue  # an impossible date: scs check names it
            new = shift.move(old_day, path).isoformat() + (m[2] or "")
            out.moved.append(Moved(name, node.start_mark.line + 1, _key_text(path), value, new))
        if new is not None:
            start, end = node.start_mark.index, node.end_mark.index
            edits.append((start, end, text[start:end].replace(value, new, 1)))
    for start, end, new in sorted(edits, reverse=True):
        text = text[:start] + new + text[end:]
    return text


def _old_years_left(name: str, text: str, years: set[str]) -> str | None:
    """Where the wording still names a year of the last cycle ("papers.yaml lines 25, 29"): listed, never
    guessed at (an Act of 2000 stays 2000, but "the Board on 7 October 2010" needs the new Board's date)."""
    root = yaml.compose(text, Loader=yaml.SafeLoader)  # it was parsed before the rewrite
    if root is None:
        return None
    pattern = re.compile(r"(?<!\d)(" + "|".join(sorted(years)) + r")(?!\d)")
    lines = sorted({node.start_mark.line + 1 for _, node, _ in _scalars(root) if pattern.search(node.value)})
    if not lines:
        return None
    return f"{name} line{'s' if len(lines) > 1 else ''} " + ", ".join(map(str, lines))


def _point_at_evidence(source: Path, dest: Path, work: Path, out: Rollover) -> None:
    """The evidence files stay where they are: evidence_dir is made to point there from the new folder
    when its relative path would not (a one-line edit, listed)."""
    manifest = work / "evidence.yaml"
    if not manifest.is_file():
        return
    text = manifest.read_text(encoding="utf-8")
    m = re.search(r"^evidence_dir:[ \t]*(\S+)", text, re.MULTILINE)
    if m is None or (dest / m[1].strip("'\"")).resolve().is_dir():
        return
    old = (source / m[1].strip("'\"")).resolve()
    if not old.is_dir():
        return
    new = str(old)  # absolute: a relative path may not climb out of the new cycle's folder
    manifest.write_text(text[:m.start(1)] + new + text[m.end(1):], encoding="utf-8")
    out.confirm.append(f"evidence.yaml: evidence_dir now points to the last cycle's evidence ({old}); its sources "
                       "and their publication dates are kept as written: add the new releases")


def _to_confirm(tt: Timetable, out: Rollover) -> None:
    """What the officer must confirm: holidays the move landed on, slots to re-offer, elections, the demo file."""
    landed = []
    for m in out.moved:
        if m.key.endswith((".start", ".end", ".due", "last_reviewed")) or m.file == "delivery_plan.yaml":
            continue
        new_day = date.fromisoformat(m.new[:10])
        reason = why_not_a_meeting_day(new_day)
        if reason and not m.key.startswith("elections"):
            landed.append(f"{m.file}:{m.line}: {m.key}: {day_text(new_day)} is {reason}: confirm it, or move it")
    out.confirm[:0] = landed
    slots = [m for m in out.moved if m.file == "partners.yaml" and ".slots[" in m.key]
    if slots:
        times = ", ".join(f"{day_text(date.fromisoformat(m.new[:10]))} {m.new[11:]}" for m in slots)
        out.confirm.append(f"partners.yaml: interview slots to re-offer: {times}; check you are free then")
    for m in (m for m in out.moved if m.file == "timetable.yaml" and m.key.startswith("elections")):
        out.confirm.append(f"timetable.yaml:{m.line}: {m.key}: an election on {day_text(date.fromisoformat(m.new))}? "
                           "Confirm with the electoral services team which elections fall in the new cycle "
                           "(not every year has one): list them, or write elections: []")
    if any(m.file == "simulation.yaml" for m in out.moved):
        out.confirm.append("simulation.yaml: the demo's invented replies and decisions, moved too; a real cycle "
                           "does not need it: delete it")


def moved_example(out: Rollover) -> str:
    """The first meeting's move, as the officer reads it: Thu 7 Oct 2010 -> Thu 9 Oct 2014."""
    first = next((m for m in out.moved if m.file == "timetable.yaml" and m.key.endswith(".date")), None)
    if first is None:
        return ""
    return f"{day_text(date.fromisoformat(first.old))} -> {day_text(date.fromisoformat(first.new))}"


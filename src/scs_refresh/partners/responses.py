"""Responses in: a returned Word questionnaire, or a survey tool's CSV/XLSX export (one row per partner).

A file is checked completely before anything is stored, and stored in one transaction, so a
bad file changes nothing. A partner's response replaces their earlier one (re-import
updates, never duplicates). Answers are untrusted text, kept exactly as written.
"""

from __future__ import annotations

import re
import zipfile
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path

from scs_refresh.core.errors import ConfigError, Problem
from scs_refresh.core.store import Store
from scs_refresh.timetable.model import Cycle
from scs_refresh.partners.questionnaire import REFERENCE_PREFIX
from scs_refresh.partners.register import PartnersConfig
from scs_refresh.core.yamlio import parse_iso_date

_REF = re.compile(rf"{REFERENCE_PREFIX}/(?P<cycle>[a-z0-9-]+)/(?P<partner>[a-z0-9-]+)")
_QREF = re.compile(r"^\s*(Q\d+\.\d+)\b")
_YES_NO = {"yes", "no", "y", "n"}


@dataclass(frozen=True)
class Returned:
    """One partner's answers read from a file, not yet stored."""

    partner_id: str
    answers: dict[str, str]
    problems: list[str]
    received_on: date


def _check_answers(cfg: PartnersConfig, answers: dict[str, str]) -> list[str]:
    """What the officer may want to follow up; the response is still stored."""
    out = []
    for ref, q in cfg.questionnaire.numbered:
        value = answers.get(q.id, "").strip()
        if not value:
            if q.required:
                out.append(f"{ref} ({q.id}) is required but blank")
        elif q.answer == "yes_no" and value.lower().rstrip(".") not in _YES_NO:
            out.append(f"{ref} ({q.id}) expects Yes or No")
        elif q.answer == "number" and not re.fullmatch(r"-?[\d,]+(\.\d+)?", value):
            out.append(f"{ref} ({q.id}) expects a number")
    return out


def _partner(cfg: PartnersConfig, file: Path, partner_id: str, where: str = "") -> None:
    if partner_id not in cfg.partner:
        raise ConfigError([Problem(file, f"{where}partner '{partner_id}' is not in partners.yaml")])


#: what a file's first bytes say it is, for a message the officer can act on
_MAGIC = (
    (b"\xd0\xcf\x11\xe0", "an old-style Word 97-2003 (.doc) file (or another old Office file), not a .docx"),
    (b"{\\rtf", "a Rich Text (.rtf) file, not a Word .docx file"),
    (b"%PDF", "a PDF, not a Word .docx file"),
)
_SAVE_AS_DOCX = "open it in Word and save it as a Word Document (.docx), then import that"


def _not_a_file(file: Path) -> ConfigError | None:
    """One line for a path that is not there or not a file."""
    if not file.exists():
        return ConfigError([Problem(file, "file not found; check the name and the folder (and that the "
                                          "download finished)")])
    if not file.is_file():
        return ConfigError([Problem(file, "is a folder, not a file; give the returned questionnaire itself")])
    return None


def _docx_kind(file: Path) -> str | None:
    """What a file that is not a .docx package is, from its first bytes; None if it looks like one."""
    with open(file, "rb") as fh:
        head = fh.read(8)
    for magic, what in _MAGIC:
        if head.startswith(magic):
            return what
    return None if head.startswith(b"PK") else "not a Word .docx file (its content is not a Word package)"


def _open_docx(file: Path):
    """python-docx's Document, or one line saying what the file is and what to do."""
    from docx import Document

    problem = _not_a_file(file)
    if problem is not None:
        raise problem
    kind = _docx_kind(file)
    if kind is not None:
        raise ConfigError([Problem(file, f"{kind}; {_SAVE_AS_DOCX}")])
    if not zipfile.is_zipfile(file):
        raise ConfigError([Problem(file, "the Word file is cut off or damaged (not a complete .docx package); ask "
                                         "the partner to send it again")])
    try:
        return Document(str(file))
    except ValueError as exc:
        if "content type" in str(exc):  # a template, a macro-enabled document, or not Word at all (.xlsx)
            raise ConfigError([Problem(file, f"{_package_kind(str(exc))}, not a Word document; "
                                             f"{_SAVE_AS_DOCX}")]) from None
        raise ConfigError([_damaged(file, exc)]) from None
    except Exception as exc:  # noqa: BLE001 - a damaged package (bad CRC, broken XML) can raise anything
        raise ConfigError([_damaged(file, exc)]) from None


#: what an Office package is, by the content type of its main part
_PACKAGES = (("spreadsheetml", "an Excel workbook"), ("presentationml", "a PowerPoint file"),
             ("macroEnabledTemplate", "a macro-enabled Word template (.dotm)"),
             ("macroEnabled", "a macro-enabled Word document (.docm)"), ("template", "a Word template (.dotx)"))


def _package_kind(message: str) -> str:
    return next((what for key, what in _PACKAGES if key in message), "an Office file of another kind")


def _damaged(file: Path, exc: BaseException) -> Problem:
    reason = (str(exc).strip().splitlines() or [""])[0][:160]
    return Problem(file, f"the Word file is damaged ({type(exc).__name__}: {reason}); ask the partner to send "
                         "it again, or open it in Word, save it, and import that")


def read_docx(file: Path, cfg: PartnersConfig, cycle: Cycle, received_on: date) -> Returned:
    """A returned questionnaire: recognised by its reference line (or document properties)."""
    file = Path(file)
    doc = _open_docx(file)
    try:
        return _read_docx(doc, file, cfg, cycle, received_on)
    except ConfigError:
        raise
    except Exception as exc:  # noqa: BLE001 - python-docx reads parts lazily: damage can show up here
        raise ConfigError([_damaged(file, exc)]) from None


def _read_docx(doc, file: Path, cfg: PartnersConfig, cycle: Cycle, received_on: date) -> Returned:
    from docx.table import Table
    from docx.text.paragraph import Paragraph

    body = doc.element.body
    texts, boxes, current = [], {}, None
    for child in body.iterchildren():
        tag = child.tag.rsplit("}", 1)[-1]
        if tag == "p":
            text = Paragraph(child, doc).text
            texts.append(text)
            m = _QREF.match(text)
            current = m.group(1) if m else current
        elif tag == "tbl" and current is not None and current not in boxes:
            cells = [c for row in Table(child, doc).rows for c in row.cells]
            boxes[current] = "\n".join(dict.fromkeys(c.text for c in cells))  # merged cells repeat
            current = None
    match = next((m for m in map(_REF.search, texts) if m), None) or _REF.search(doc.core_properties.identifier or "")
    if match is None:
        raise ConfigError([Problem(file, "not one of our questionnaires (no 'Reference: SCS-Q/...' line)")])
    if match["cycle"] != cycle.id:
        raise ConfigError([Problem(file, f"a questionnaire from another cycle ('{match['cycle']}', this is '{cycle.id}')")])
    _partner(cfg, file, match["partner"])
    ids = dict((ref, q.id) for ref, q in cfg.questionnaire.numbered)
    answers = {ids[ref]: text for ref, text in boxes.items() if ref in ids and text.strip()}
    return Returned(match["partner"], answers, _check_answers(cfg, answers), received_on)


def _day(value: str) -> date:
    text = value.strip()
    if re.fullmatch(r"\d{1,2}/\d{1,2}/\d{4}", text):  # survey tools in the UK write day first
        try:
            return datetime.strptime(text, "%d/%m/%Y").date()
        except ValueError:
            raise ValueError(f"{text} is not a real date (no such day in the calendar)") from None
    return parse_iso_date(text[:10])


def read_table(file: Path, cfg: PartnersConfig, received_on: date) -> list[Returned]:
    """A survey export: a ``partner_id`` column and one column per question (its id or Qn.m)."""
    import pandas as pd

    file = Path(file)
    problem = _not_a_file(file)
    if problem is not None:
        raise problem
    kind = file.suffix.lstrip('.').upper()
    try:
        if file.suffix.lower() == ".csv":
            df = pd.read_csv(file, dtype=str, keep_default_na=False, encoding="utf-8-sig")
        else:
            df = pd.read_excel(file, dtype=str, keep_default_na=False)
    except UnicodeDecodeError as exc:
        raise ConfigError([Problem(file, f"not UTF-8 text (byte {exc.start}); export it from the survey tool "
                                         "as CSV UTF-8")]) from None
    except Exception as exc:  # noqa: BLE001 - a damaged export can make pandas (or openpyxl) raise anything
        reason = (str(exc).strip().splitlines() or [""])[0][:160]
        raise ConfigError([Problem(file, f"cannot be read as {kind} ({type(exc).__name__}: {reason}); the file "
                                         f"looks damaged or is not a {kind} file: export it again")]) from None
    df = df.rename(columns=lambda c: str(c).strip())
    columns = {}
    for ref, q in cfg.questionnaire.numbered:
        columns[q.id] = q.id if q.id in df.columns else ref if ref in df.columns else None
    missing = (["partner_id"] if "partner_id" not in df.columns else []) + [q for q, c in columns.items() if c is None]
    if missing:
        raise ConfigError([Problem(file, f"missing columns: {', '.join(missing)} (each question by its id or "
                                         "reference, e.g. priorities or Q1.1)")])
    out, seen = [], {}
    for i, row in enumerate(df.to_dict("records"), start=2):  # row 1 is the header
        pid = str(row["partner_id"]).strip()
        where = f"row {i}: "
        if not pid:
            raise ConfigError([Problem(file, f"{where}partner_id is blank")])
        _partner(cfg, file, pid, where)
        if pid in seen:
            raise ConfigError([Problem(file, f"{where}partner '{pid}' already answered in row {seen[pid]}")])
        seen[pid] = i
        answers = {qid: str(row[col]) for qid, col in columns.items() if str(row[col]).strip()}
        try:
            when = _day(str(row["received_on"])) if str(row.get("received_on", "")).strip() else received_on
        except ValueError as exc:
            raise ConfigError([Problem(file, f"{where}received_on: {exc}")]) from None
        out.append(Returned(pid, answers, _check_answers(cfg, answers), when))
    if not out:
        raise ConfigError([Problem(file, "no responses in the file (only a header row)")])
    return out


def read_file(file: Path, cfg: PartnersConfig, cycle: Cycle, received_on: date) -> tuple[str, list[Returned]]:
    """(kind, responses) for a .docx, .csv or .xlsx file."""
    file = Path(file)
    kind = file.suffix.lower().lstrip(".")
    if kind == "docx":
        return kind, [read_docx(file, cfg, cycle, received_on)]
    if kind in ("csv", "xlsx"):
        return kind, read_table(file, cfg, received_on)
    problem = _not_a_file(file)
    if problem is not None:
        raise problem
    what = _docx_kind(file)
    if kind in ("doc", "docm", "dotx", "dot", "rtf", "odt") or (what and what.startswith(("an old", "a Rich"))):
        what = what if what and what.startswith(("an old", "a Rich")) else None
        raise ConfigError([Problem(file, f"{what or f'a Word file of another kind (.{kind})'}; {_SAVE_AS_DOCX}")])
    raise ConfigError([Problem(file, f"{f'a .{kind} file' if kind else 'a file without a type'} is not something "
                                     "this tool imports: give a returned questionnaire (.docx) or a survey export "
                                     "(.csv, .xlsx)")])


def import_responses(store: Store, file: Path, cfg: PartnersConfig, cycle: Cycle, received_on: date,
                     at: datetime) -> dict[str, str]:
    """Read ``file`` and store every response in it at once; returns {partner id: 'new'|'updated'}."""
    kind, returned = read_file(file, cfg, cycle, received_on)
    with store.transaction():
        return {r.partner_id: store.save_response(partner_id=r.partner_id, received_on=r.received_on,
                                                  source_file=str(Path(file).resolve()), source_kind=kind,
                                                  answers=r.answers, problems=r.problems, at=at)
                for r in returned}

"""The Partnership Register (policy 002, Appendix A) from ``partnerships.yaml`` or ``.xlsx``.

The CI&P team may keep the register as a spreadsheet; ``partnerships.xlsx`` in the config
folder is read instead of the YAML file (keep one of the two). Both go through the same
pydantic model, and every problem names the file and, for a spreadsheet, the sheet, row and
column. Appendix A's two "Overall ... Assessment" fields are not entered: they are worked out
from the Appendix B criteria (:mod:`.assess`); an officer who disagrees records an override
with a reason.
"""

from __future__ import annotations

import io
import re
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import (BeforeValidator, ConfigDict, Field, ValidationError, create_model,
                      field_validator, model_validator)

from scs_refresh.core.atomic import write_bytes
from scs_refresh.core.errors import ConfigError, Problem
from scs_refresh.core.yamlio import validation_message, parse_iso_date, parse_model, read_yaml
from scs_refresh.review.policy import JUDGED_RISK, QUESTION, QUESTIONS, VALUE_CRITERIA, Rating
from scs_refresh.core.model import StrictModel

YAML_NAME, XLSX_NAME = "partnerships.yaml", "partnerships.xlsx"


def _rating(value: Any) -> Any:
    if isinstance(value, str):
        for r in Rating:
            if value.strip().lower() == r.value.lower():
                return r
        raise ValueError(f"unknown rating '{value}'; use High, Medium or Low")
    return value


def _money(value: Any) -> Decimal:
    """Pounds as a number or text such as ``£12,500`` or ``12500.50``; never negative."""
    if isinstance(value, bool):
        raise ValueError(f"'{value}' is not an amount of money")
    if isinstance(value, (int, float, Decimal)):
        amount = Decimal(str(value))
    else:
        text = str(value).strip()
        if not re.fullmatch(r"£?\s*(\d{1,3}(,\d{3})+|\d+)(\.\d{1,2})?", text):
            raise ValueError(f"'{text}' is not an amount of money; write pounds, e.g. 12500 or £12,500")
        try:
            amount = Decimal(text.lstrip("£").replace(",", "").strip())
        except InvalidOperation:  # pragma: no cover - the pattern above admits only numbers
            raise ValueError(f"'{text}' is not an amount of money") from None
    if amount < 0:
        raise ValueError(f"{amount} is negative; a contribution is pounds paid in (0 or more)")
    return amount


def _yes_no(value: Any) -> Any:
    if isinstance(value, str):
        text = value.strip().lower()
        if text in {"y", "yes"}:
            return True
        if text in {"n", "no"}:
            return False
        raise ValueError(f"'{value}' is not Y or N")
    return value


def _split(value: Any) -> Any:
    """A spreadsheet cell listing several things separated by ``;``."""
    return [part.strip() for part in value.split(";") if part.strip()] if isinstance(value, str) else value


def _representatives(value: Any) -> Any:
    """``Cllr A Smith (Member); J Jones (Officer)`` -> a list of name and level."""
    if not isinstance(value, str):
        return value
    out = []
    for part in _split(value):
        m = re.fullmatch(r"(.+?)\s*\(([^()]+)\)", part)
        if not m:
            raise ValueError(f"'{part}' should be a name and level, e.g. 'J Smith (Officer)'")
        out.append({"name": m.group(1), "level": m.group(2).strip()})
    return out


def _date(value: Any) -> Any:
    return value.date() if isinstance(value, datetime) else parse_iso_date(value)


RatingField = Annotated[Rating, BeforeValidator(_rating)]
Money = Annotated[Decimal, BeforeValidator(_money)]
Text = Annotated[str, Field(min_length=1), BeforeValidator(lambda v: v.strip() if isinstance(v, str) else v)]
Day = Annotated[date, BeforeValidator(_date)]


class Representative(StrictModel):
    name: Text
    level: Literal["CMT", "SMT", "Member", "Officer"]


class Attendance(StrictModel):
    """Meetings held in the last twelve months and how many a BC representative attended."""

    held: int = Field(ge=0)
    attended: int = Field(ge=0)

    @model_validator(mode="after")
    def _possible(self) -> Attendance:
        if self.attended > self.held:
            raise ValueError(f"attended ({self.attended}) is more than held ({self.held})")
        return self


class Override(StrictModel):
    """The officer's own overall rating, kept beside the one the criteria give (never instead)."""

    rating: RatingField
    reason: Text
    by: str = ""
    on: Day | None = None


_judged = ConfigDict(extra="forbid", frozen=True)
RiskJudgements = create_model("RiskJudgements", __config__=_judged,
                              **{c.key: (RatingField, ...) for c in JUDGED_RISK})
ValueJudgements = create_model("ValueJudgements", __config__=_judged,
                               **{c.key: (RatingField, ...) for c in VALUE_CRITERIA})


class Partnership(StrictModel):
    """One row of the register: every Appendix A field plus the Appendix B judgements."""

    name: Text
    short_name: str = Field("", max_length=14, description="label on the chart")
    lead_partner: Text
    function: Text
    strategic_or_operational: Literal["strategic", "operational", "strategic and operational"]
    statutory: Annotated[bool, BeforeValidator(_yes_no)]
    meeting_frequency: Text
    representatives: Annotated[list[Representative], BeforeValidator(_representatives), Field(min_length=1)]
    priorities: Annotated[list[Text], BeforeValidator(_split), Field(min_length=1)]
    staff_hours_per_month: float = Field(ge=0, le=744)
    budget_contribution: Money
    exit_impact: Text
    role: Literal["control", "influence", "information"]
    value_notes: Text
    information_sharing: Text
    risk: RiskJudgements  # type: ignore[valid-type]
    value: ValueJudgements  # type: ignore[valid-type]
    risk_override: Override | None = None
    value_override: Override | None = None
    attendance: Attendance | None = None
    last_reviewed: Day | None = None
    answers: dict[str, Text] = Field({}, description="Appendix C question key -> answer")

    @field_validator("strategic_or_operational", "role", mode="before")
    @classmethod
    def _lower(cls, v: Any) -> Any:
        return v.strip().lower() if isinstance(v, str) else v

    @field_validator("answers")
    @classmethod
    def _known_questions(cls, v: dict[str, str]) -> dict[str, str]:
        for key in v:
            if key not in QUESTION:
                raise ValueError(f"'{key}' is not an Appendix C question; use one of {', '.join(QUESTION)}")
        return v

    @property
    def label(self) -> str:
        return self.short_name or self.name


class Register(StrictModel):
    illustrative: bool = False
    source: str = ""
    partnerships: list[Partnership] = Field(min_length=1)


def _duplicate_names(data: Any) -> list[tuple[int, str]]:
    """(index, message) for each partnership whose name was already used above it."""
    seen: dict[str, int] = {}
    out = []
    rows = data.get("partnerships") if isinstance(data, dict) else None
    for i, row in enumerate(rows if isinstance(rows, list) else []):
        name = str(row.get("name", "")).strip().lower() if isinstance(row, dict) else ""
        if name and name in seen:
            out.append((i, f"'{row['name']}' is already in the register (entry {seen[name] + 1}); keep one"))
        seen.setdefault(name, i)
    return out


def load_register_yaml(file: Path) -> Register:
    doc = read_yaml(file)
    dups = _duplicate_names(doc.data)
    if dups:
        raise ConfigError([doc.problem(("partnerships", i, "name"), msg) for i, msg in dups])
    return parse_model(doc, Register)


# --- the spreadsheet -------------------------------------------------------------------

SHEET, ANSWERS_SHEET, ABOUT_SHEET = "Register", "Appendix C", "About"

#: column heading -> key in the model (dotted for nested fields), in the sheet's order.
COLUMNS: dict[str, str] = {
    "Partnership name": "name",
    "Short name": "short_name",
    "Lead partner": "lead_partner",
    "Function of partnership": "function",
    "Strategic or operational": "strategic_or_operational",
    "Statutory (Y/N)": "statutory",
    "Frequency of meetings": "meeting_frequency",
    "BC representatives (level)": "representatives",
    "Priorities / critical outcomes": "priorities",
    "Staff time (hours per month)": "staff_hours_per_month",
    "Budget contribution (£)": "budget_contribution",
    "Impact / risk of exit": "exit_impact",
    "Role (control / influence / information)": "role",
    "Value notes": "value_notes",
    "How information is shared": "information_sharing",
    **{f"Risk: {c.topic}": f"risk.{c.key}" for c in JUDGED_RISK},
    **{f"Value: {c.topic}": f"value.{c.key}" for c in VALUE_CRITERIA},
    **{f"{kind.title()} override{part}": f"{kind}_override.{key}" for kind in ("risk", "value")
       for part, key in (("", "rating"), (" reason", "reason"), (" by", "by"), (" date", "on"))},
    "Meetings held (last 12 months)": "attendance.held",
    "Meetings attended by BC": "attendance.attended",
    "Last reviewed": "last_reviewed",
}
#: written for the reader of the spreadsheet, ignored when it is read back (worked out again)
DERIVED = ("Overall risk (criteria)", "Overall value (criteria)")
_LABEL = {key: label for label, key in COLUMNS.items()}


def _cell(value: Any) -> Any:
    if isinstance(value, str):
        value = value.strip()
        return value or None
    return value


def _nest(flat: dict[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in flat.items():
        head, _, tail = key.partition(".")
        if tail:
            out.setdefault(head, {})[tail] = value
        else:
            out[head] = value
    return out


def _column_of(loc: tuple[Any, ...]) -> str:
    """The column heading for a pydantic error location inside one partnership."""
    parts = [str(p) for p in loc if not isinstance(p, int)]
    for n in range(len(parts), 0, -1):
        if ".".join(parts[:n]) in _LABEL:
            return _LABEL[".".join(parts[:n])]
    return parts[0] if parts else ""


def load_register_xlsx(file: Path) -> Register:
    """Read the register from a workbook with a ``Register`` sheet (and optional ``Appendix C``, ``About``)."""
    import openpyxl

    file = Path(file)
    try:
        wb = openpyxl.load_workbook(file, read_only=True, data_only=True)
    except FileNotFoundError:
        raise ConfigError([Problem(file, "file not found")]) from None
    except Exception as exc:  # a zip or XML error: not a workbook
        raise ConfigError([Problem(file, f"not an Excel .xlsx workbook ({type(exc).__name__}); save it from Excel "
                                         "as an Excel Workbook (.xlsx)")]) from None
    try:
        if SHEET not in wb.sheetnames:
            raise ConfigError([Problem(file, f"no sheet named '{SHEET}' (found: {', '.join(wb.sheetnames)})")])
        rows, sheet_rows, problems = _register_rows(file, wb[SHEET])
        _read_answers(file, wb, rows, problems)
        about = _read_about(file, wb, problems) if ABOUT_SHEET in wb.sheetnames else {}
    except ConfigError:
        raise
    except Exception as exc:  # noqa: BLE001 - sheets are read lazily: a damaged part shows up here
        raise ConfigError([Problem(file, f"the workbook is damaged ({type(exc).__name__}: "
                                         f"{(str(exc).splitlines() or [''])[0][:160]}); open it in Excel, save it "
                                         "again, or use partnerships.yaml")]) from None
    finally:
        wb.close()
    data = {**about, "partnerships": rows}
    for i, msg in _duplicate_names(data):
        problems.append(Problem(file, msg, f"sheet '{SHEET}' row {sheet_rows[i]}, column 'Partnership name'"))
    if not problems:
        try:
            return Register.model_validate(data)
        except ValidationError as exc:
            for e in exc.errors():
                loc = tuple(e["loc"])
                if len(loc) >= 2 and loc[0] == "partnerships" and isinstance(loc[1], int):
                    where = f"sheet '{SHEET}' row {sheet_rows[loc[1]]}, column '{_column_of(loc[2:])}'"
                    msg = "required but empty" if e["type"] == "missing" else validation_message(e)
                else:
                    where, msg = f"sheet '{SHEET}'", validation_message(e)
                    if loc == ("partnerships",):
                        msg = "no partnerships: the sheet has a header row but no rows below it"
                problems.append(Problem(file, msg, where))
    raise ConfigError(problems)


#: columns every register sheet must have (the required Appendix A fields and criteria)
_REQUIRED_KEYS = ({n for n, f in Partnership.model_fields.items() if f.is_required() and n not in {"risk", "value"}}
                  | {f"risk.{c.key}" for c in JUDGED_RISK} | {f"value.{c.key}" for c in VALUE_CRITERIA})


def _register_rows(file: Path, ws) -> tuple[list[dict], list[int], list[Problem]]:
    it = ws.iter_rows(values_only=True)
    header = [_cell(h) for h in next(it, ())]
    problems = [Problem(file, f"unknown column '{h}' (misspelt, or not a register field)", f"sheet '{SHEET}' row 1")
                for h in header if h is not None and h not in COLUMNS and h not in DERIVED]
    required = [label for label, key in COLUMNS.items() if key in _REQUIRED_KEYS]
    problems += [Problem(file, f"the column '{label}' is missing", f"sheet '{SHEET}' row 1")
                 for label in required if label not in header]
    rows, sheet_rows = [], []
    for n, values in enumerate(it, start=2):
        flat = {COLUMNS[h]: _cell(v) for h, v in zip(header, values) if h in COLUMNS and _cell(v) is not None}
        if flat:
            rows.append(_nest(flat))
            sheet_rows.append(n)
    return rows, sheet_rows, problems




def _read_answers(file: Path, wb, rows: list[dict], problems: list[Problem]) -> None:
    """Sheet ``Appendix C``: Partnership | Question (its key or the policy's wording) | Answer."""
    if ANSWERS_SHEET not in wb.sheetnames:
        return
    by_name = {str(r.get("name", "")).lower(): r for r in rows}
    by_text = {q.text.lower(): q.key for q in QUESTIONS}
    for n, values in enumerate(wb[ANSWERS_SHEET].iter_rows(min_row=2, values_only=True), start=2):
        name, question, answer = ([_cell(v) for v in values] + [None] * 3)[:3]
        if name is None and question is None and answer is None:
            continue
        where = f"sheet '{ANSWERS_SHEET}' row {n}"
        row = by_name.get(str(name).lower())
        key = question if question in QUESTION else by_text.get(str(question).lower())
        if row is None:
            problems.append(Problem(file, f"'{name}' is not a partnership in sheet '{SHEET}'", where))
        elif key is None:
            problems.append(Problem(file, f"'{question}' is not an Appendix C question", where))
        elif answer is not None:
            row.setdefault("answers", {})[key] = str(answer)


def _read_about(file: Path, wb, problems: list[Problem]) -> dict[str, Any]:
    about: dict[str, Any] = {}
    for n, values in enumerate(wb[ABOUT_SHEET].iter_rows(values_only=True), start=1):
        key, value = ([_cell(v) for v in values] + [None, None])[:2]
        if key == "Illustrative":
            try:
                about["illustrative"] = _yes_no(value)
            except ValueError as exc:
                problems.append(Problem(file, str(exc), f"sheet '{ABOUT_SHEET}' row {n}"))
        elif key == "Source":
            about["source"] = value or ""
    return about


def write_register_xlsx(register: Register, overall: dict[str, tuple[Rating, Rating]], out: Path) -> Path:
    """The register as a workbook :func:`load_register_xlsx` reads back, with the criteria's
    overall ratings (``overall``: name -> (risk, value)) in two extra columns."""
    import openpyxl
    from openpyxl.styles import Font

    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = SHEET
    ws.append([*COLUMNS, *DERIVED])
    for p in register.partnerships:
        flat = p.model_dump(mode="python")
        row = []
        for key in COLUMNS.values():
            value: Any = flat
            for part in key.split("."):
                value = value.get(part) if isinstance(value, dict) else None
            row.append(_xlsx_value(key, value))
        risk, value_ = overall[p.name]
        ws.append([*row, risk.value, value_.value])
    for cell in ws[1]:
        cell.font = Font(bold=True)
    ws.freeze_panes = "B2"
    answers = wb.create_sheet(ANSWERS_SHEET)
    answers.append(["Partnership", "Question", "Answer"])
    for p in register.partnerships:
        for key, text in p.answers.items():
            answers.append([p.name, QUESTION[key].text, text])
    about = wb.create_sheet(ABOUT_SHEET)
    about.append(["Illustrative", "Yes" if register.illustrative else "No"])
    about.append(["Source", register.source])
    buf = io.BytesIO()
    wb.save(buf)
    return write_bytes(out, buf.getvalue())


def _xlsx_value(key: str, value: Any) -> Any:
    if value is None or value == "":
        return None
    if key == "representatives":
        return "; ".join(f"{r['name']} ({r['level']})" for r in value)
    if key == "priorities":
        return "; ".join(value)
    if key == "statutory":
        return "Y" if value else "N"
    if isinstance(value, Rating):
        return value.value
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral() else float(value)
    return value


def find_register(config_dir: Path) -> Path:
    """The register file in ``config_dir``: the YAML or the spreadsheet, not both."""
    yaml_file, xlsx_file = Path(config_dir) / YAML_NAME, Path(config_dir) / XLSX_NAME
    if yaml_file.exists() and xlsx_file.exists():
        raise ConfigError([Problem(xlsx_file, f"both {YAML_NAME} and {XLSX_NAME} exist; keep the one you maintain")])
    if xlsx_file.exists():
        return xlsx_file
    if yaml_file.exists():
        return yaml_file
    raise ConfigError([Problem(yaml_file, f"file not found (nor {XLSX_NAME}): the Partnership Register is needed")])


def load_register(config_dir: Path) -> Register:
    file = find_register(config_dir)
    return load_register_xlsx(file) if file.suffix == ".xlsx" else load_register_yaml(file)

"""Read real public tables as they are published: CSV, XLSX and legacy XLS.

Handles what the files in ``shared/real_data`` actually do: a BOM or cp1252 bytes, CRLF and
no final newline, preamble rows above the header, several tables stacked in one sheet,
headers with stray or non-breaking spaces, trailing empty columns, numbers written as
``"29,199"``. Cells such as ``*``, ``..``, ``<5``, ``No data`` or ``#DIV/0!`` become missing
values with the reason kept; they never become zeros. Any other text where a number must be
is an error naming the file, row and column.
"""

from __future__ import annotations

import csv
import io
import re
import warnings
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from scs_refresh.core.errors import ConfigError, Problem
from scs_refresh.evidence.manifest import Read, header_key

#: how publishers mark a value that is withheld or does not exist, and what it means
_MISSING = {
    "": "blank",
    "*": "suppressed (*)",
    "**": "suppressed (**)",
    "x": "suppressed (x)",
    "c": "confidential (c)",
    "..": "not available (..)",
    ".": "not available (.)",
    ":": "not available (:)",
    "-": "nil or not applicable (-)",
    "z": "not applicable (z)",
    "n/a": "not applicable (n/a)",
    "na": "not applicable (NA)",
    "no data": "no data",
}
_SMALL = re.compile(r"^<\s*\d+(\.\d+)?$")


@dataclass(frozen=True)
class RawTable:
    """A table as found: normalised headers, cells untouched, indexed by the 1-based row in the file/sheet."""

    file: Path
    sheet: str | None
    header_row: int
    frame: pd.DataFrame
    header: tuple[str, ...] = ()  # every header in the file, including columns not kept

    def problem(self, message: str, row: int | None = None, column: str | None = None) -> Problem:
        where = [f"sheet '{self.sheet}'"] if self.sheet else []
        if row is not None:
            where.append(f"row {row}")
        if column is not None:
            where.append(f"column '{column}'")
        return Problem(self.file, f"{', '.join(where)}: {message}" if where else message)


def missing_reason(cell: object) -> str | None:
    """Why a cell holds no number, or None when it is not a recognised missing-value marker."""
    text = str(cell).strip()
    if text.lower() in _MISSING:
        return _MISSING[text.lower()]
    if _SMALL.match(text):
        return f"suppressed small number ({text})"
    if text.startswith("#") and text.endswith(("!", "?", "A")):
        return f"spreadsheet error {text}"
    return None


def parse_values(table: RawTable, column: str) -> tuple[pd.Series, pd.Series]:
    """Floats for ``column`` plus a reason for every missing one; unknown text is an error."""
    cells = table.frame[column]
    if pd.api.types.is_numeric_dtype(cells):
        numbers, text = cells.astype(float), pd.Series("", index=cells.index)
    else:
        try:  # fast path: a column of clean numbers needs no cleaning
            numbers, text = pd.to_numeric(cells).astype(float), cells
        except (ValueError, TypeError):
            text = cells.astype(str).str.strip()
            numbers = pd.to_numeric(text.str.replace(",", "", regex=False).str.removesuffix("%"), errors="coerce")
    reasons = pd.Series(None, index=cells.index, dtype=object)
    gaps = numbers.isna()
    if gaps.any():
        reasons[gaps] = text[gaps].map(missing_reason)
        bad = gaps & reasons.isna()
        if bad.any():
            row = bad.idxmax()
            more = f" (and {int(bad.sum()) - 1} more)" if bad.sum() > 1 else ""
            raise ConfigError([table.problem(f"'{text[row]}' is not a number{more}", row, column)])
    return numbers.astype(float), reasons


def _sniff_encoding(data: bytes) -> str:
    """UTF-8 (with or without BOM) when the bytes are valid UTF-8, else Windows-1252, else Latin-1."""
    if data.startswith(b"\xef\xbb\xbf"):
        return "utf-8-sig"
    for encoding in ("utf-8", "cp1252"):
        try:
            data.decode(encoding)
            return encoding
        except UnicodeDecodeError:
            continue
    return "latin-1"


def _tidy_frame(frame: pd.DataFrame, first_row: int) -> pd.DataFrame:
    """Number rows as in the file, normalise headers, drop blank rows and unnamed empty columns."""
    frame = frame.set_axis(range(first_row, first_row + len(frame)), axis=0)
    frame = frame.set_axis([header_key(c) for c in frame.columns], axis=1)
    unnamed = [c for c in frame.columns if (c == "" or c.startswith("Unnamed:")) and not frame[c].astype(str).str.strip().any()]
    frame = frame.drop(columns=unnamed)
    if not len(frame.columns):
        return frame
    blank = frame.eq("").all(axis=1)  # CSV cells are text; empty sheet cells were read as ""
    return frame[~blank] if blank.any() else frame


def _text_columns(read: Read) -> set[str]:
    """Headers that hold codes, names, periods or statements: never to be read as numbers."""
    names = [read.area_code, read.area_name, read.district, read.areas_in_columns]
    for spec in (read.long, read.statements):
        if spec is not None:
            names += [v for k, v in spec.model_dump().items() if k != "unit" and k != "value" and k != "count"]
    return {header_key(n) for n in names if n}


def _raw_header(data: bytes, encoding: str, header_row: int) -> list[str]:
    """The header cells as written (pandas wants them verbatim for ``dtype``), from the file's first lines."""
    head = data[: 1 << 16].decode(encoding, errors="replace")
    for number, cells in enumerate(csv.reader(io.StringIO(head)), start=1):
        if number == header_row:
            return cells
    return []


def _read_csv(path: Path, read: Read, wanted: Callable[[str], bool] | None) -> RawTable:
    data = path.read_bytes()
    _check_text(path, data)
    encoding = read.encoding or _sniff_encoding(data)
    _check_complete(path, data, encoding, read.header_row)
    seen: dict[str, None] = {}  # pandas asks about each header more than once

    def keep(h: str) -> bool:
        key = header_key(h)
        seen[key] = None
        return wanted(key)

    try:
        # Text columns (codes, names, periods) stay text; the C parser reads the rest as numbers,
        # thousands separators included; columns with markers such as '*' come back as text.
        text = _text_columns(read)
        frame = pd.read_csv(
            io.BytesIO(data), encoding=encoding, dtype={c: str for c in _raw_header(data, encoding, read.header_row) if header_key(c) in text},
            thousands=",", keep_default_na=False, na_filter=False,
            skiprows=read.header_row - 1, skip_blank_lines=False,
            usecols=keep if wanted else None,
        )
    except pd.errors.EmptyDataError:
        raise ConfigError([Problem(path, f"no header at row {read.header_row} (the file ends before it); is it "
                                         "empty? download it again")]) from None
    except pd.errors.ParserError as exc:
        raise ConfigError([Problem(path, f"not a readable CSV table: {str(exc).strip()}; check the row it names, "
                                         "or export the file again")]) from None
    except (UnicodeDecodeError, LookupError) as exc:
        raise ConfigError([Problem(path, f"cannot be decoded as {encoding}: {exc}")]) from None
    frame = _tidy_frame(frame, read.header_row + 1)
    return RawTable(path, None, read.header_row, frame, tuple(seen) if wanted else tuple(frame.columns))


def _pick_sheet(path: Path, names: list[str], wanted: str | None) -> str:
    """The sheet by exact name, else ignoring case and spaces (ONS writes both ``MYE4`` and ``MYE 5``)."""
    if wanted is None:
        if len(names) == 1:
            return names[0]
        raise ConfigError([Problem(path, f"the workbook has {len(names)} sheets; say which in 'read.sheet' ({', '.join(names)})")])
    if wanted in names:
        return wanted
    loose = {re.sub(r"\s+", "", n).lower(): n for n in names}
    found = loose.get(re.sub(r"\s+", "", wanted).lower())
    if found is None:
        raise ConfigError([Problem(path, f"no sheet '{wanted}' (sheets: {', '.join(names)})")])
    return found


def _sheet_table(path: Path, sheet: str, header_row: int, rows) -> RawTable:
    """The table whose header is at ``header_row``, down to the first blank row (stacked tables stop there)."""
    header: list[str] | None = None
    body: list[list[object]] = []
    for cells in rows:
        cells = ["" if c is None else c.strip() if isinstance(c, str) else c for c in cells]
        if header is None:
            header = [header_key(c) for c in cells]
            continue
        if all(str(c).strip() == "" for c in cells):
            break
        body.append(cells)
    if header is None or not any(header):
        raise ConfigError([Problem(path, f"sheet '{sheet}', row {header_row}: no header there (the row is empty or missing)")])
    width = len(header)
    frame = pd.DataFrame([(r + [""] * width)[:width] for r in body], columns=header, dtype=object)
    frame = _tidy_frame(frame, header_row + 1)
    return RawTable(path, sheet, header_row, frame, tuple(frame.columns))


def _read_xlsx(path: Path, read: Read) -> RawTable:
    import openpyxl
    from openpyxl.utils.exceptions import InvalidFileException

    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", UserWarning)  # "Workbook contains no default style" (Nomis)
            book = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except (zipfile.BadZipFile, InvalidFileException, KeyError, OSError) as exc:
        raise ConfigError([Problem(path, f"not a readable .xlsx workbook ({exc}); open it in Excel and save it as "
                                         "an Excel Workbook (.xlsx), or download it again")]) from None
    try:
        sheet = _pick_sheet(path, book.sheetnames, read.sheet)
        ws = book[sheet]
        ws.reset_dimensions()  # some exporters declare a wrong used range
        return _sheet_table(path, sheet, read.header_row, (list(r) for r in ws.iter_rows(min_row=read.header_row, values_only=True)))
    finally:
        book.close()


def _xls_cell(cell) -> object:
    import xlrd

    if cell.ctype == xlrd.XL_CELL_ERROR:
        return xlrd.error_text_from_code.get(cell.value, "#ERROR!")
    return cell.value


def _read_xls(path: Path, read: Read) -> RawTable:
    import xlrd

    try:
        book = xlrd.open_workbook(path, on_demand=True, logfile=io.StringIO())  # its warnings are not the officer's
    except (xlrd.XLRDError, OSError, ValueError, AssertionError) as exc:
        raise ConfigError([Problem(path, f"not a readable .xls workbook ({exc}); open it in Excel and save it "
                                         "again, or download it again")]) from None
    try:
        sheet = _pick_sheet(path, book.sheet_names(), read.sheet)
        ws = book.sheet_by_name(sheet)
        rows = ([_xls_cell(c) for c in ws.row(r)] for r in range(read.header_row - 1, ws.nrows))
        return _sheet_table(path, sheet, read.header_row, rows)
    finally:
        book.release_resources()


def read_table(path: Path, read: Read, wanted: Callable[[str], bool] | None = None) -> RawTable:
    """The table ``read`` describes in ``path``; ``wanted`` lets a CSV reader skip unused columns.

    Whatever a damaged file makes the libraries raise (an IndexError from a cut .xls, a bad
    CRC in an .xlsx) becomes one line naming the file and what to do, never a traceback.
    """
    path = Path(path)
    if not path.is_file():
        raise ConfigError([Problem(path, "file not found")])
    suffix = path.suffix.lower()
    readers = {".csv": ("CSV", _read_csv), ".txt": ("CSV", _read_csv), ".xlsx": (".xlsx", _read_xlsx),
               ".xlsm": (".xlsx", _read_xlsx), ".xls": (".xls", _read_xls)}
    if suffix not in readers:
        raise ConfigError([Problem(path, f"cannot read '{suffix}' files; save it as CSV, XLSX or XLS")])
    kind, reader = readers[suffix]
    try:
        return reader(path, read, wanted) if reader is _read_csv else reader(path, read)
    except ConfigError:
        raise
    except Exception as exc:  # noqa: BLE001 - a damaged file can make a library raise anything
        raise ConfigError([Problem(path, f"cannot be read as {kind} ({type(exc).__name__}: {_first_line(exc)}); "
                                         "the file looks damaged or cut off: download or export it again")]) from None


def _first_line(exc: BaseException) -> str:
    return (str(exc).strip().splitlines() or ["no detail"])[0][:200]


#: bytes that never occur in a text file (tab, CR, LF and form feed aside)
_BINARY = re.compile(rb"[\x00-\x08\x0e-\x1a\x1c-\x1f]")


def _check_text(path: Path, data: bytes) -> None:
    """A CSV must be text: binary bytes mean a spreadsheet or a damaged file saved under a .csv name."""
    head = data[: 1 << 16]
    found = _BINARY.findall(head)
    if b"\x00" in head or len(found) > max(8, len(head) // 1000):
        at = _BINARY.search(head).start()
        raise ConfigError([Problem(path, f"not a CSV text file: binary bytes from byte {at}; is it a "
                                         "spreadsheet or a damaged download? export it as CSV again")])


def _check_complete(path: Path, data: bytes, encoding: str, header_row: int) -> None:
    """A file cut off mid-row (a download or copy that stopped) has a last line shorter than its header
    and no final newline; it is refused rather than read as a blank figure."""
    if not data or data.endswith((b"\n", b"\r")):
        return
    header = _raw_header(data, encoding, header_row)
    last_start = max(data.rfind(b"\n"), data.rfind(b"\r")) + 1
    line = data[last_start:].decode(encoding, errors="replace")
    cells = next(csv.reader([line]), [])
    if header and 0 < len(cells) < len(header):
        rows = data.count(b"\n") + 1
        raise ConfigError([Problem(path, f"row {rows}: the last row has {len(cells)} of {len(header)} cells and "
                                         "no line end: the file looks cut off; copy or download it again")])

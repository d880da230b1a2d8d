"""Comments partners return on a draft of the Strategy, and the officer's response: "you said, we did".

Partners comment the way they do: they return the Word draft with comments and tracked changes,
or fill in a comments form (CSV or workbook). Each comment is tied to the Strategy's section it
sits in (the heading above it), kept in the state store with the version it was made on, and
answered by the officer: accepted, partly accepted or not, with a reason. An accepted (or partly
accepted) change is an edit to the Strategy, so the next version carries it, credited to the partner.
"""

from __future__ import annotations

import csv
import hashlib
import re
import zipfile
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from datetime import date, datetime
from pathlib import Path

from scs_refresh.core.errors import UserError
from scs_refresh.core.store import CommentRecord, Store

RESPONSES = {"accepted": "Accepted", "partly": "Partly accepted", "not": "Not accepted"}
GENERAL = "general"  # a comment on the Strategy as a whole (its cover, contents or annexes)

_VERSION = re.compile(r"\bversion (\d+)\b", re.IGNORECASE)
_NUMBER = re.compile(r"^\s*\d+(\.\d+)*\.?\s*")
_W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"


class CommentsError(UserError):
    """A return that cannot be imported: one line naming the file and the problem."""


def sections(content: dict) -> dict[str, str]:
    """The sections a comment may be on, by title as the draft heads them: the vision and each theme."""
    return {"Our vision": "vision", **{t["title"]: t["id"] for t in content["themes"]}}


def section_title(content: dict, key: str) -> str:
    if key == GENERAL:
        return "The Strategy as a whole"
    return {v: k for k, v in sections(content).items()}.get(key, key)


@dataclass(frozen=True)
class Returned:
    """One comment or proposed change as read from a partner's return."""

    section: str  # a section key (see :func:`sections`), or the heading it sat under when unknown
    kind: str  # comment | change
    text: str
    old_text: str | None = None
    new_text: str | None = None


# --- a returned Word document --------------------------------------------------------------

def _open(path: Path):
    import docx
    from docx.opc.exceptions import PackageNotFoundError

    try:
        return docx.Document(str(path))
    except (PackageNotFoundError, zipfile.BadZipFile, KeyError, ValueError, OSError) as exc:
        raise CommentsError(f"{path}: not a Word document that can be read ({type(exc).__name__}); "
                            "ask the partner to save it again as a .docx and import that") from None
    except Exception as exc:  # lxml's XMLSyntaxError and the like: a damaged part inside the zip
        raise CommentsError(f"{path}: the Word document is damaged ({exc.__class__.__name__}); "
                            "ask the partner to save it again as a .docx and import that") from None


def _inside(el, tag: str) -> bool:
    return any(a.tag == _W + tag for a in el.iterancestors())


def _texts(p) -> tuple[str, str, bool]:
    """A paragraph's text before and after its tracked changes, and whether it has any."""
    old, new, tracked = [], [], False
    for el in p.iter(_W + "t", _W + "delText", _W + "tab"):
        piece = "\t" if el.tag == _W + "tab" else (el.text or "")
        if el.tag == _W + "delText" or _inside(el, "del"):
            tracked = True
            old.append(piece)
        elif _inside(el, "ins"):
            tracked = True
            new.append(piece)
        else:
            old.append(piece)
            new.append(piece)
    return "".join(old), "".join(new), tracked


def _is_heading(p) -> bool:
    style = p.find(f"{_W}pPr/{_W}pStyle")
    return style is not None and style.get(_W + "val", "").replace(" ", "").lower() in ("heading1", "titre1")


def _version(document) -> int | None:
    """The draft version the document says it is (its status line, or failing that its footer)."""
    lines = [p.text for p in document.paragraphs[:8]]
    lines += [p.text for s in document.sections for p in s.footer.paragraphs]
    return next((int(m.group(1)) for line in lines if (m := _VERSION.search(line))), None)


def read_docx(path: Path) -> tuple[int | None, list[Returned]]:
    """The version a returned draft says it is, and its comments and tracked changes, each with the
    heading of the section it sits in (comments before the first section are on the whole Strategy)."""
    document = _open(path)
    heading, where, found = GENERAL, {}, []
    for p in document.element.body.iter(_W + "p"):
        old, new, tracked = _texts(p)
        if _is_heading(p):
            heading = _NUMBER.sub("", new).strip() or heading
            if heading.lower().startswith("annex") or heading.lower() == "contents":
                heading = GENERAL
        where[p] = heading
        if tracked and old.strip() != new.strip():
            found.append(Returned(heading, "change", "", _NUMBER.sub("", old).strip(), _NUMBER.sub("", new).strip()))
    anchors = {}
    for tag in ("commentRangeStart", "commentReference"):
        for el in document.element.body.iter(_W + tag):
            p = next((a for a in el.iterancestors(_W + "p")), None)
            anchors.setdefault(el.get(_W + "id"), where.get(p, GENERAL))
    try:
        comments = list(document.comments)
    except (KeyError, ValueError):
        comments = []
    for c in comments:
        text = c.text.strip()
        if text:
            found.append(Returned(anchors.get(str(c.comment_id), GENERAL), "comment", text))
    return _version(document), found


# --- a comments form ---------------------------------------------------------------------

FORM_COLUMNS = ("partner_id", "section", "comment", "current_text", "proposed_text")


def read_form(path: Path) -> list[tuple[str, date | None, Returned]]:
    """A comments form (CSV, or the first sheet of a workbook): one row per comment, with the columns
    ``partner_id``, ``section`` (its title or id), ``comment``, optionally ``current_text`` and
    ``proposed_text`` (a rewording) and ``received_on``."""
    if path.suffix.lower() == ".xlsx":
        from openpyxl import load_workbook

        try:
            sheet = load_workbook(path, read_only=True, data_only=True).worksheets[0]
        except Exception as exc:
            raise CommentsError(f"{path}: not a workbook that can be read ({type(exc).__name__})") from None
        rows = [["" if v is None else str(v) for v in r] for r in sheet.iter_rows(values_only=True)]
    else:
        try:
            rows = list(csv.reader(path.read_text(encoding="utf-8-sig").splitlines()))
        except UnicodeDecodeError:
            raise CommentsError(f"{path}: not a text file (CSV) in UTF-8; save the form as CSV UTF-8") from None
    if not rows:
        raise CommentsError(f"{path}: the form is empty")
    head = [h.strip() for h in rows[0]]
    missing = [c for c in ("partner_id", "section", "comment") if c not in head]
    if missing:
        raise CommentsError(f"{path}: line 1: the form has no column {', '.join(missing)} "
                            f"(columns: {', '.join(FORM_COLUMNS)}, received_on)")
    out = []
    for n, row in enumerate(rows[1:], 2):
        cell = dict(zip(head, (v.strip() for v in row)))
        if not any(cell.values()):
            continue
        when = cell.get("received_on") or None
        try:
            received = date.fromisoformat(when) if when else None
        except ValueError:
            raise CommentsError(f"{path}: line {n}: received_on '{when}' is not a date (YYYY-MM-DD)") from None
        old, new = cell.get("current_text") or None, cell.get("proposed_text") or None
        text = cell.get("comment", "")
        if not text and not new:
            raise CommentsError(f"{path}: line {n}: no comment and no proposed text; fill one in or delete the row")
        out.append((cell["partner_id"], received,
                    Returned(cell["section"], "change" if new else "comment", text, old, new)))
    return out


# --- importing -----------------------------------------------------------------------------

def _section_key(item: Returned, known: dict[str, str], path: Path, current: int) -> str:
    if item.section == GENERAL or item.section in known.values():
        return item.section
    if item.section in known:
        return known[item.section]
    said = item.text or item.new_text or ""
    raise CommentsError(f"{path}: a comment on section '{item.section}' (\u201c{said[:60]}\u201d), which is not in "
                        f"the current draft (version {current}): answer the partner directly, or move the comment to "
                        f"one of its sections ({', '.join(known)})")


def _key(partner: str, version: int, item: Returned) -> str:
    digest = hashlib.sha256("\x1f".join([item.section, item.kind, item.text, item.old_text or "",
                                         item.new_text or ""]).encode()).hexdigest()[:10]
    return f"{partner}:v{version}:{digest}"


def import_comments(store: Store, path: Path, partners, drafts: dict[int, dict], current: int, on: date,
                    at: datetime, partner: str | None = None) -> list[CommentRecord]:
    """Read a returned draft (.docx, with ``partner``) or a comments form, check it, store the new comments.

    ``drafts`` are the versions written by ``on`` (number: snapshot); ``current`` the latest. A
    returned draft must be one of them; each comment's section must still be in the current
    version. Nothing is stored unless the whole return is sound; importing it again adds nothing.
    """
    path = Path(path)
    if not path.is_file():
        raise CommentsError(f"{path}: file not found")
    known = sections(drafts[current])
    if path.suffix.lower() == ".docx":
        if partner is None or partner not in partners.partner:
            raise CommentsError(f"{path}: say whose return it is with --partner (one of: {', '.join(partners.partner)})")
        version, items = read_docx(path)
        if version is None or version not in drafts:
            made = ", ".join(str(v) for v in sorted(drafts))
            raise CommentsError(f"{path}: this is " + (f"draft version {version}" if version else "not a draft of the "
                                "Strategy (it names no version)") + f", not one sent for comment by {on.isoformat()} "
                                f"(versions: {made}); check the partner returned the right document")
        rows = [(partner, None, i) for i in items]
    elif path.suffix.lower() in (".csv", ".xlsx"):
        version, rows = current, read_form(path)
        for n, (pid, _, _) in enumerate(rows, 2):
            if pid not in partners.partner:
                raise CommentsError(f"{path}: line {n}: no partner '{pid}' in partners.yaml")
    else:
        raise CommentsError(f"{path}: a return is a Word document (.docx) or a comments form (.csv, .xlsx)")
    if not rows:
        raise CommentsError(f"{path}: no comments and no tracked changes found; nothing to import")
    records = []
    for pid, received, item in rows:
        section = _section_key(item, known, path, current)
        item = Returned(section, item.kind, item.text, item.old_text, item.new_text)
        records.append(CommentRecord(_key(pid, version, item), pid, received or on, version, section, item.kind,
                                     item.text, item.old_text, item.new_text, path.name))
    return store.add_comments(records, at)


def respond(store: Store, key: str, response: str, reason: str, *, on: date, by: str,
            change_to: str | None = None) -> CommentRecord:
    """Record the officer's response to a comment (a later response replaces an earlier one)."""
    comment = next((c for c in store.strategy_comments() if c.key == key), None)
    if comment is None:
        raise CommentsError(f"no comment '{key}' (see `scs comments list`)")
    if response not in RESPONSES:
        raise CommentsError(f"response '{response}' is not one of: {', '.join(RESPONSES)}")
    if response != "accepted" and not reason.strip():
        raise CommentsError(f"say why the comment is {RESPONSES[response].lower()}: give --reason TEXT")
    if on < comment.received_on:
        raise CommentsError(f"{key} was received on {comment.received_on}; it cannot be answered on {on}, before it")
    if response == "not":
        change_to = None
    elif change_to is None:
        change_to = comment.new_text
    store.respond_comment(key, response=response, reason=reason.strip(), change_to=change_to, on=on, by=by)
    return next(c for c in store.strategy_comments() if c.key == key)


def known_on(comments: Iterable[CommentRecord], on: date) -> list[CommentRecord]:
    """The comments received by ``on``, each with the response only if it was given by then."""
    out = []
    for c in comments:
        if c.received_on > on:
            continue
        if c.responded_on is not None and c.responded_on > on:
            c = replace(c, response=None, reason=None, change_to=None, responded_on=None, responded_by=None)
        out.append(c)
    return out


def comments_on(store_file: Path, on: date) -> list[CommentRecord]:
    """The comments in the state store as known on ``on``; none before the store exists."""
    if not Path(store_file).exists():
        return []
    with Store.read(store_file) as store:
        return known_on(store.strategy_comments(), on)


@dataclass(frozen=True)
class Edit:
    """A change to the Strategy's wording that the officer agreed in response to a partner's comment."""

    section: str  # 'vision' or a theme id
    old: str | None  # the words replaced; None adds ``new`` as a priority (or a paragraph of the vision)
    new: str
    partner: str  # the partner's name, to credit the change
    on: str  # ISO date of the response


def edits(comments: Sequence[CommentRecord], partners) -> list[Edit]:
    """The edits agreed (accepted or partly) by the officer, in the order answered."""
    agreed = [c for c in comments if c.response in ("accepted", "partly") and c.change_to and c.section != GENERAL]
    return [Edit(c.section, c.old_text, c.change_to, partners.partner[c.partner_id].name
                 if c.partner_id in partners.partner else c.partner_id, c.responded_on.isoformat())
            for c in sorted(agreed, key=lambda c: (c.responded_on, c.key))]

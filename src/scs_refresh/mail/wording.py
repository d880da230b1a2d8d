"""templates/mail/: the wording of every e-mail the product sends, one file per kind of message,
so the officer can change a reminder's text without touching Python.

Each file is a first line ``Subject: ...``, a blank line, then the body. Both are Jinja2 in
plain text (nothing is escaped; values are never read as template code): ``{{ partner_name }}``
fills in a value, ``{% if due_today %}...{% else %}...{% endif %}`` chooses wording. A line
holding only a ``{% ... %}`` tag leaves no blank line behind.

The folder is read once with the cycle's config (:class:`scs_refresh.workspace.Workspace`).
Every template is checked then: a broken tag, or a variable the message does not have, is a
problem naming the file and the line, reported by ``scs check`` like a config file's. Dates
are passed already written out (``Monday 9 May 2011``), so the wording decides nothing about
their format.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from scs_refresh.core.errors import ConfigError, Problem
from scs_refresh.timetable.model import Cycle


@dataclass(frozen=True)
class Kind:
    """One kind of message: its file in templates/mail, what it is, and the values it is given."""

    file: str
    what: str
    variables: frozenset[str]


#: what every message may use: the officer who signs it and the partnership
COMMON = frozenset({"officer_name", "officer_role", "partnership"})

#: by the message's kind (``Outgoing.kind``)
KINDS: dict[str, Kind] = {
    "questionnaire": Kind("questionnaire.txt", "the e-mail that carries the partner questionnaire", frozenset({
        "partner_name", "contact_name", "areas", "reply_to", "deadline", "interview", "reference"})),
    "reminder": Kind("reminder.txt", "the reminder to a partner who has not returned the questionnaire", frozenset({
        "partner_name", "contact_name", "sponsor_name", "sponsor_copied", "due_today", "deadline", "reply_to",
        "reference"})),
    "interview-request": Kind("interview-request.txt", "the request for a one-to-one interview", frozenset({
        "partner_name", "board_rep_name", "minutes", "slots", "reference"})),
    "draft-comment": Kind("draft-comment.txt", "the draft SCS sent to partners for comment", frozenset({
        "partner_name", "contact_name", "version"})),
    "papers": Kind("papers.txt", "the meeting papers sent to each member", frozenset({
        "member_name", "meeting_title", "meeting_date", "body_name", "exempt", "meeting_time", "venue",
        "moved_from", "pack_pdf_attached", "pack_pdf_size", "papers_online"})),
    "meeting-moved": Kind("meeting-moved.txt", "the updated invitation to a meeting re-arranged to another day",
                          frozenset({"member_name", "meeting_title", "meeting_date", "body_name", "meeting_time",
                                     "venue", "moved_from"})),
    "meeting-record": Kind("meeting-record.txt", "a meeting's decision notice or draft minutes sent to each member",
                           frozenset({"member_name", "meeting_title", "meeting_date", "body_name", "record",
                                      "draft", "exempt"})),
    "meeting-cancelled": Kind("meeting-cancelled.txt", "the cancellation of a re-arranged meeting's old slot",
                              frozenset({"member_name", "meeting_title", "meeting_date", "body_name",
                                         "moved_from"})),
    "meeting-reminder": Kind("meeting-reminder.txt", "the members' reminder before a meeting", frozenset({
        "member_name", "meeting_title", "meeting_date", "body_name"})),
    "officer-reminder": Kind("reports-due.txt", "the officer's reminder that a meeting's reports are due",
                             frozenset({"meeting_title", "meeting_date", "body_name", "report_deadline",
                                        "publication_deadline", "publication_rule", "papers", "to_fix"})),
}

_SUBJECT = re.compile(r"^subject:[ \t]*(.*?)\s*$", re.IGNORECASE)


def _environment():
    from jinja2 import StrictUndefined
    from jinja2.sandbox import SandboxedEnvironment

    # Plain text (no escaping); a tag alone on its line leaves no blank line; the sandbox keeps
    # a template to the values it is given.
    return SandboxedEnvironment(undefined=StrictUndefined, autoescape=False, keep_trailing_newline=True,
                                trim_blocks=True, lstrip_blocks=True)


def signed_by(cycle: Cycle) -> dict[str, str]:
    """The values every message has: who signs it, for which partnership."""
    return {"officer_name": cycle.officer.name, "officer_role": cycle.officer.role, "partnership": cycle.partnership}


@dataclass(frozen=True)
class _Compiled:
    file: Path
    subject: Any  # jinja2.Template
    body: Any


class MailWording:
    """The templates of templates/mail, checked; :meth:`render` fills one in."""

    def __init__(self, folder: Path, templates: Mapping[str, _Compiled]):
        self.folder = Path(folder)
        self._templates = dict(templates)

    def render(self, kind: str, **values: Any) -> tuple[str, str]:
        """The (subject, body) of a message of ``kind`` with ``values`` (exactly that kind's variables)."""
        spec = KINDS[kind]
        if set(values) != spec.variables | COMMON:  # the builders and KINDS must agree: a bug, not the officer's
            raise ValueError(f"{kind}: values {sorted(set(values) ^ (spec.variables | COMMON))} do not match KINDS")
        tpl = self._templates.get(kind)
        if tpl is None:
            raise ConfigError([_missing(self.folder / spec.file, spec)])
        from jinja2 import TemplateError

        try:
            subject, body = tpl.subject.render(values), tpl.body.render(values)
        except TemplateError as exc:  # e.g. {{ deadline.day }}: deadline is text
            raise ConfigError([Problem(tpl.file, f"cannot be filled in: {exc}; see templates/README.md for "
                                                 "what each value is")]) from None
        return re.sub(r"\s*\n\s*", " ", subject.strip()), body


def _missing(file: Path, spec: Kind) -> Problem:
    return Problem(file, f"file not found; it holds the wording of {spec.what} "
                         "(copy it from the templates/mail folder that comes with the tool)")


def _first_use(ast, name: str) -> int | None:
    from jinja2 import nodes

    lines = [n.lineno for n in ast.find_all(nodes.Name) if n.name == name and n.ctx == "load"]
    return min(lines) if lines else None


def _compile(env, file: Path, source: str, allowed: frozenset[str], offset: int) -> tuple[Any, list[Problem]]:
    """One part (subject or body) of a template; ``offset``: the lines of the file before it."""
    from jinja2 import TemplateSyntaxError, meta

    try:
        ast = env.parse(source)
        unknown = sorted(meta.find_undeclared_variables(ast) - allowed, key=lambda n: (_first_use(ast, n) or 0, n))
        if unknown:
            return None, [Problem(file, f"unknown variable {{{{ {name} }}}} (this e-mail may use: "
                                        f"{', '.join(sorted(allowed))}); check the spelling, templates/README.md "
                                        "lists what each holds", line=(_first_use(ast, name) or 1) + offset)
                          for name in unknown]
        return env.from_string(source), []
    except TemplateSyntaxError as exc:
        what = (exc.message or "a broken tag").rstrip(".")
        return None, [Problem(file, f"not a valid template: {what}; check the {{% %}} and {{{{ }}}} tags",
                              line=(exc.lineno or 1) + offset)]


def _parse(env, file: Path, spec: Kind) -> tuple[_Compiled | None, list[Problem]]:
    try:
        text = file.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError as exc:
        return None, [Problem(file, f"not UTF-8 text ({exc.reason} at byte {exc.start}); save it as UTF-8")]
    except OSError as exc:
        return None, [Problem(file, f"cannot be read ({exc.strerror})")]
    first, _, rest = text.partition("\n")
    blank, _, body = rest.partition("\n")
    match = _SUBJECT.match(first)
    if match is None:
        return None, [Problem(file, "the first line must be the subject, written 'Subject: ...', then a blank "
                                    "line, then the body", line=1)]
    if blank.strip():
        return None, [Problem(file, "the second line must be blank: it separates the subject from the body",
                              line=2)]
    allowed = spec.variables | COMMON
    subject, problems = _compile(env, file, match.group(1), allowed, 0)
    body_tpl, more = _compile(env, file, body, allowed, 2)
    problems += more
    return (None if problems else _Compiled(file, subject, body_tpl)), problems


def load_mail_wording(folder: Path) -> MailWording:
    """Read and check every template in ``folder`` (templates/mail); all problems in one ConfigError.

    Without the folder nothing is read: each message names its missing file when it is to be sent.
    """
    folder = Path(folder)
    if not folder.is_dir():
        return MailWording(folder, {})
    env = _environment()
    templates, problems = {}, []
    for kind, spec in KINDS.items():
        file = folder / spec.file
        if not file.is_file():
            problems.append(_missing(file, spec))
            continue
        compiled, found = _parse(env, file, spec)
        problems += found
        if compiled is not None:
            templates[kind] = compiled
    if problems:
        raise ConfigError(problems)
    return MailWording(folder, templates)


def fingerprint(folder: Path) -> tuple:
    """What ``folder`` holds now, file by file: an edited, added or removed template changes it."""
    out = []
    for spec in KINDS.values():
        try:
            out.append((spec.file, hashlib.sha256((Path(folder) / spec.file).read_bytes()).hexdigest()))
        except OSError:
            continue
    return tuple(out)

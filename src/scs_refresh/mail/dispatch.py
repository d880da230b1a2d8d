"""The one way the product sends anything: messages, an outbox or SMTP, and the send ledger.

Every message has an idempotency key and a fixed Message-ID. ``send`` records it in the state
store as *pending* before anything leaves, with one row per recipient. Delivery talks to the
server recipient by recipient (RFC 5321): each address the server accepts is recorded; one it
asks to try later (4xx) waits, with a growing pause, up to the number of tries delivery.yaml
allows, without holding back anyone else; one it refuses for good (5xx) is recorded and
reported. A message is *sent* only when every recipient has it.

The message is claimed (*sending*) just before its text goes on the wire and settled just after
the server's answer, so a crash leaves it *in doubt* only when it may have arrived: the outbox
can tell whether its file was written; with SMTP the officer is shown the message
(``scs mail status``) until they confirm it arrived or resend it, with the same Message-ID so
the receiving systems can drop a duplicate. A server that is down is one line, and its
messages stay queued for the next run. Messages go out with CRLF line ends, as servers expect.
"""

from __future__ import annotations

import binascii
import logging
import hashlib
import mimetypes
import os
import re
import secrets
import smtplib
import ssl
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from email.message import EmailMessage
from email.utils import formataddr, format_datetime
from pathlib import Path
from typing import Literal, Protocol

from pydantic import Field, model_validator

from scs_refresh.core.atomic import write_bytes
from scs_refresh.core.dates import in_london
from scs_refresh.core.errors import UserError
from scs_refresh.core.store import SendRecord, Store
from scs_refresh.core.yamlio import load_model
from scs_refresh.core.model import Email, OutPath, OneLine, StrictModel, within

log = logging.getLogger(__name__)


class Contact(StrictModel):
    """A named person with an address mail can be sent to."""

    name: OneLine = Field(min_length=1)
    email: Email


class SmtpSettings(StrictModel):
    host: str = Field(min_length=1)
    port: int = Field(587, ge=1, le=65535)
    starttls: bool = True
    user: str | None = None
    password_env: str = Field("SCS_SMTP_PASSWORD", pattern=r"^[A-Za-z_][A-Za-z0-9_]*$",
                              description="environment variable holding the password (never the password)")
    ca_file: Path | None = Field(None, description="a private certificate authority to trust for STARTTLS")
    timeout_seconds: float = Field(30, gt=0, le=300)


class RetrySettings(StrictModel):
    """How long a recipient the server asks to try later (4xx) is tried again before it is reported."""

    attempts: int = Field(5, ge=1, le=50, description="tries in all for one recipient")
    wait_minutes: float = Field(10, ge=0, le=24 * 60, description="before the second try; doubled for each after")

    def after(self, tries: int) -> timedelta:
        """The pause before the next try, after ``tries`` answers of 'try later'."""
        return timedelta(minutes=self.wait_minutes * 2 ** max(tries - 1, 0))


class DeliverySettings(StrictModel):
    """config/delivery.yaml."""

    transport: Literal["outbox", "smtp"] = "outbox"
    sender: Contact
    outbox: OutPath = Field("outbox", min_length=1, description="folder under the out folder")
    smtp: SmtpSettings | None = None
    retry: RetrySettings = RetrySettings()

    @model_validator(mode="after")
    def _smtp_needs_server(self) -> DeliverySettings:
        if self.transport == "smtp" and self.smtp is None:
            raise ValueError("transport is smtp but there is no smtp: block (host, port, starttls, user)")
        return self


def load_delivery(file: Path) -> DeliverySettings:
    return load_model(file, DeliverySettings)


@dataclass(frozen=True)
class Attachment:
    filename: str
    content: bytes
    mimetype: str = ""

    def types(self) -> tuple[str, str]:
        kind = self.mimetype or mimetypes.guess_type(self.filename)[0] or "application/octet-stream"
        main, _, sub = kind.partition("/")
        return main, sub


@dataclass(frozen=True)
class Outgoing:
    """A message to send once: ``key`` names it for good (e.g. ``reminder:cycle:partner:first``)."""

    key: str
    kind: str
    to: tuple[Contact, ...]
    subject: str
    body: str
    cc: tuple[Contact, ...] = ()
    reply_to: str | None = None
    partner_id: str | None = None
    attachments: tuple[Attachment, ...] = field(default=())


def message_id(key: str, sender: Contact) -> str:
    """The same key always gets the same Message-ID, so a receiving system can drop a duplicate."""
    digest = hashlib.sha256(key.encode()).hexdigest()[:32]
    return f"<scs.{digest}@{sender.email.partition('@')[2]}>"


def _headed(out: Outgoing, sender: Contact, at: datetime) -> EmailMessage:
    """The message's headers and plain-text body, without its attachments."""
    msg = EmailMessage()
    msg["From"] = formataddr((sender.name, sender.email))
    msg["To"] = ", ".join(formataddr((c.name, c.email)) for c in out.to)
    if out.cc:
        msg["Cc"] = ", ".join(formataddr((c.name, c.email)) for c in out.cc)
    if out.reply_to:
        msg["Reply-To"] = out.reply_to
    msg["Subject"] = out.subject
    msg["Date"] = format_datetime(in_london(at))  # 07:00 London time: +0100 in summer, +0000 in winter
    msg["Message-ID"] = message_id(out.key, sender)
    msg.set_content(out.body)
    return msg


def build_message(out: Outgoing, sender: Contact, at: datetime) -> EmailMessage:
    """A standard plain-text message with its attachments (``message_bytes`` writes the same bytes faster)."""
    msg = _headed(out, sender, at)
    for a in out.attachments:
        main, sub = a.types()
        msg.add_attachment(a.content, maintype=main, subtype=sub, filename=a.filename)
    return msg


def as_bytes(msg: EmailMessage) -> bytes:
    """The message as it goes on the wire and into an .eml file: every line ends CRLF (RFC 5322)."""
    return msg.as_bytes(policy=msg.policy.clone(linesep="\r\n"))


#: an attachment's MIME part as bytes, by (file name, type, content): see ``message_bytes``
Parts = dict[tuple[str, tuple[str, str], bytes], bytes]


def _part(a: Attachment) -> bytes:
    """An attachment's MIME part (headers and base64 lines, CRLF) exactly as ``add_attachment`` makes it:
    its headers from the email package (they do not depend on the content), its lines encoded as the
    package encodes them (``email.contentmanager``: ``max_line_length // 4 * 3`` bytes a line) but
    without writing them one by one through its generator."""
    holder = EmailMessage()
    main, sub = a.types()
    holder.add_attachment(b"", maintype=main, subtype=sub, filename=a.filename)
    part = holder.get_payload()[0]
    step = part.policy.max_line_length // 4 * 3
    lines = [binascii.b2a_base64(a.content[i:i + step]) for i in range(0, len(a.content), step)]
    return as_bytes(part) + b"".join(lines).replace(b"\n", b"\r\n")


def message_bytes(out: Outgoing, sender: Contact, at: datetime, parts: Parts | None = None) -> bytes:
    """``as_bytes(build_message(...))``, byte for byte, without encoding the same board pack for every member.

    The standard way base64-encodes each attachment again for each message and writes it line by line:
    most of the cost of a meeting's papers to six members. Here each attachment's part is made once per
    ``parts`` (a dict the caller keeps for a batch) and spliced into the message where a stand-in part
    stood. The boundary is still the email package's random one, checked against the message without
    the attachments' text: base64 lines and part headers never start with "--", so it cannot clash.
    """
    msg = _headed(out, sender, at)
    if not out.attachments:
        return as_bytes(msg)
    parts = {} if parts is None else parts
    msg.make_mixed()  # what add_attachment does first
    marks = []
    for _ in out.attachments:
        marks.append(f"scs-attachment-{secrets.token_hex(16)}")
        stand_in = EmailMessage()  # no headers: written as an empty line, then its one line
        stand_in.set_payload(marks[-1] + "\n")
        msg.attach(stand_in)
    rest = as_bytes(msg)
    pieces = []
    for a, mark in zip(out.attachments, marks):
        before, found, rest = rest.partition(b"\r\n" + mark.encode() + b"\r\n")
        if not found:  # cannot happen unless the email package writes parts differently
            raise RuntimeError(f"{out.key}: attachment {a.filename} was not where it was put")
        key = (a.filename, a.types(), a.content)
        if key not in parts:
            parts[key] = _part(a)
        pieces += [before, parts[key]]
    return b"".join(pieces + [rest])


def crlf(raw: bytes) -> bytes:
    """Every line end as CRLF (a message queued by an older version has bare LFs)."""
    if raw.count(b"\n") == raw.count(b"\r\n") == raw.count(b"\r"):  # already so: no copy, no regex
        return raw
    return re.sub(rb"\r?\n|\r", b"\r\n", raw)


# --- what a server answered, and when it stopped answering ------------------------------------

@dataclass
class Answers:
    """The server's answer for each recipient of one message."""

    accepted: list[str] = field(default_factory=list)
    deferred: dict[str, str] = field(default_factory=dict)  # 4xx: try again later
    refused: dict[str, str] = field(default_factory=dict)   # 5xx: for good

    def add(self, addresses: Iterable[str], code: int, text: str) -> None:
        for a in addresses:
            if 200 <= code < 300:
                self.accepted.append(a)
            elif 400 <= code < 500:
                self.deferred[a] = text
            else:
                self.refused[a] = text


class Stopped(Exception):
    """The server cannot take more messages in this run (gone, busy, refusing the sender or the login).
    ``in_doubt``: the connection went while the server was answering the end of a message."""

    def __init__(self, reason: str, in_doubt: bool = False, lasting: bool = False):
        super().__init__(reason)
        self.in_doubt = in_doubt
        self.lasting = lasting  # the officer must change something (login, sender); a retry alone will not do


def _answer(code: int, text: bytes | str) -> str:
    text = text.decode(errors="replace") if isinstance(text, bytes) else str(text)
    return f"{code} {' '.join(text.split())}"


class Transport(Protocol):
    name: str  # for the officer: "the outbox out/outbox", "mail server smtp.example.org:587"

    def open(self) -> None:
        """Connect (and log in) before the first message; raises Stopped if the server cannot be used."""

    def deliver(self, key: str, sender: str, recipients: list[str], raw: bytes,
                claim: Callable[[], bool]) -> Answers | None:
        """Offer ``raw`` to ``recipients``; ``claim`` is called just before the text goes on the wire
        (None when it returns False: another run has the message). Raises Stopped."""

    def delivered(self, key: str) -> bool | None:
        """Whether ``key`` reached its destination; None when the transport cannot tell."""

    def close(self) -> None: ...


class Outbox:
    """Writes each message as a standard .eml file; nothing leaves the machine."""

    def __init__(self, folder: Path):
        self.folder = Path(folder)
        self.name = f"the outbox {self.folder}"

    def path(self, key: str) -> Path:
        return self.folder / (re.sub(r"[^A-Za-z0-9._-]+", "--", key) + ".eml")

    def open(self) -> None:
        try:
            self.folder.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise Stopped(f"{self.name} cannot be written ({exc.strerror})", lasting=True) from None

    def deliver(self, key: str, sender: str, recipients: list[str], raw: bytes,
                claim: Callable[[], bool]) -> Answers | None:
        if not claim():
            return None
        try:
            write_bytes(self.path(key), raw)
        except OSError as exc:  # a full disk, a folder made read-only: released, the next run writes it
            raise Stopped(f"{self.name} cannot be written ({exc.strerror})", lasting=True) from None
        return Answers(accepted=list(recipients))

    def delivered(self, key: str) -> bool:
        return self.path(key).exists()

    def close(self) -> None:
        pass


class Smtp:
    """Sends through an SMTP server (STARTTLS, login); one connection per run, opened when needed.

    The dialogue is spelt out (MAIL, one RCPT per recipient, DATA) rather than ``sendmail``, so
    each recipient gets its own answer and the message is claimed only just before its text goes.
    """

    def __init__(self, settings: SmtpSettings, password: str | None):
        self.settings = settings
        self.name = f"mail server {settings.host}:{settings.port}"
        self._password = password
        self._conn: smtplib.SMTP | None = None

    def open(self) -> None:
        if self._conn is None:
            self._conn = self._connect()

    def _connect(self) -> smtplib.SMTP:
        s = self.settings
        log.info("connecting to the %s%s", self.name, f" as {s.user}" if s.user else "")
        try:
            conn = smtplib.SMTP(s.host, s.port, timeout=s.timeout_seconds)
        except (smtplib.SMTPException, OSError) as exc:
            raise Stopped(f"{self.name} not reachable ({_reason(exc)})") from None
        try:
            if s.starttls:
                conn.starttls(context=ssl.create_default_context(cafile=s.ca_file))
            if s.user:
                conn.login(s.user, self._password or "")
        except smtplib.SMTPAuthenticationError as exc:
            conn.close()
            raise Stopped(f"{self.name} refused the login ({_answer(exc.smtp_code, exc.smtp_error)}); check the "
                          f"user in delivery.yaml and the password variable {s.password_env}", lasting=True) from None
        except (smtplib.SMTPException, OSError, ssl.SSLError) as exc:
            conn.close()
            raise Stopped(f"{self.name} could not be used ({_reason(exc)})",
                          lasting=isinstance(exc, (smtplib.SMTPNotSupportedError, ssl.SSLError))) from None
        return conn

    def deliver(self, key: str, sender: str, recipients: list[str], raw: bytes,
                claim: Callable[[], bool]) -> Answers | None:
        self.open()
        conn = self._conn
        try:
            conn.ehlo_or_helo_if_needed()
            code, text = conn.mail(sender)
            if code != 250:
                self._reset()
                raise Stopped(f"{self.name} refused the sender {sender} ({_answer(code, text)})"
                              + ("; check the sender in delivery.yaml" if code >= 500 else ""), lasting=code >= 500)
            answers = Answers()
            for address in recipients:
                code, text = conn.rcpt(address)
                answers.add([address], 250 if code in (250, 251) else code, _answer(code, text))
            if not answers.accepted:
                self._reset()
                return answers
            if not claim():
                self._reset()
                return None
            code, text = conn.docmd("DATA")
            if code != 354:
                self._reset()
                return _all(answers, code, text)
            return self._text(conn, raw, answers)
        except (smtplib.SMTPServerDisconnected, OSError) as exc:
            self._lost()
            raise Stopped(f"{self.name} closed the connection ({_reason(exc)})") from None

    def _text(self, conn: smtplib.SMTP, raw: bytes, answers: Answers) -> Answers:
        """Send the message text and read the answer; once the final dot may have gone, a lost
        connection leaves the message in doubt."""
        text = crlf(raw)
        if text.startswith(b".") or b"\n." in text:  # a line starting with a dot: doubled (RFC 5321 4.5.2)
            text = re.sub(rb"(?m)^\.", b"..", text)
        text += (b"" if text.endswith(b"\r\n") else b"\r\n") + b".\r\n"
        try:
            conn.send(text)
        except (smtplib.SMTPServerDisconnected, OSError) as exc:  # the final dot never went: not delivered
            self._lost()
            raise Stopped(f"{self.name} closed the connection while the message was sent ({_reason(exc)})") from None
        try:
            code, reply = conn.getreply()
        except (smtplib.SMTPServerDisconnected, OSError) as exc:
            self._lost()
            raise Stopped(f"{self.name} closed the connection before confirming a message ({_reason(exc)})",
                          in_doubt=True) from None
        return _all(answers, code, reply)

    def _reset(self) -> None:
        try:
            self._conn.rset()
        except (smtplib.SMTPException, OSError):
            self._lost()

    def _lost(self) -> None:
        if self._conn is not None:
            self._conn.close()
        self._conn = None

    def delivered(self, key: str) -> None:
        return None

    def close(self) -> None:
        if self._conn is not None:
            try:
                self._conn.quit()
            except (smtplib.SMTPException, OSError):
                self._conn.close()
            self._conn = None


def _all(answers: Answers, code: int, text) -> Answers:
    """The server's answer to the message text applies to every recipient it had accepted."""
    out = Answers(deferred=dict(answers.deferred), refused=dict(answers.refused))
    out.add(answers.accepted, code, _answer(code, text))
    return out


def _reason(exc: BaseException) -> str:
    text = str(exc).strip() or type(exc).__name__
    return text.splitlines()[0][:200]


def transport_for(settings: DeliverySettings, out_dir: Path, env: Mapping[str, str] = os.environ) -> Transport:
    """The configured transport; the SMTP password comes from the environment only."""
    if settings.transport == "outbox":
        if within(out_dir, settings.outbox) is None:  # a link inside the out folder pointing elsewhere
            raise UserError(f"delivery.yaml: outbox: '{settings.outbox}' leads outside the out folder {out_dir} "
                            "(through a link); give a folder inside it")
        return Outbox(Path(out_dir) / settings.outbox)
    smtp = settings.smtp
    password = env.get(smtp.password_env)
    if smtp.user and not password:
        raise UserError(f"the SMTP password is not set: put it in the environment variable {smtp.password_env}")
    return Smtp(smtp, password)


# --- the send ledger --------------------------------------------------------------------------

@dataclass
class Report:
    """What one run of ``flush`` did, by idempotency key."""

    sent: list[str] = field(default_factory=list)      # every recipient has it now
    failed: list[str] = field(default_factory=list)    # refused for every recipient: never retried
    in_doubt: list[str] = field(default_factory=list)  # may have arrived: the officer decides
    queued: list[str] = field(default_factory=list)    # still pending after this run
    refused: dict[str, dict[str, str]] = field(default_factory=dict)   # key -> {address: answer}, for good
    deferred: dict[str, dict[str, str]] = field(default_factory=dict)  # key -> {address: answer}, tried later
    stopped: str | None = None  # why the server took no more this run ("... not reachable (...)")
    lasting: bool = False       # the stop needs the officer (a login or a sender refused), not just time

    def lines(self) -> list[str]:
        """One line per address refused for good or asked to try later (in doubt and a stop have their own)."""
        out = [f"not delivered (refused for good): {key} to {a}: {why}"
               for key, who in self.refused.items() for a, why in who.items()]
        return out + [f"to be tried again: {key} to {a}: {why}"
                      for key, who in self.deferred.items() for a, why in who.items()]


def in_doubt_line(key: str) -> str:
    """What the officer is told of a message in doubt, every run until they confirm or resend it."""
    return (f"in doubt: {key} (a run stopped while it was on the wire, so it may have arrived); check with the "
            f"recipient, then `scs mail confirm {key}` or `scs mail resend {key}`")


def queue(store: Store, messages: Iterable[Outgoing], sender: Contact, at: datetime) -> list[str]:
    """Record each message as pending (once per key); returns the keys newly queued."""
    new = []
    parts: Parts = {}  # the same papers go to every member: each attachment encoded once per batch
    with store.transaction():
        for out in messages:
            recipients = list(dict.fromkeys(c.email for c in (*out.to, *out.cc)))
            if store.enqueue(key=out.key, kind=out.kind, partner_id=out.partner_id, recipients=recipients,
                             subject=out.subject, message_id=message_id(out.key, sender),
                             raw=message_bytes(out, sender, at, parts), at=at):
                new.append(out.key)
    return new


def _interrupted(store: Store, transport: Transport, report: Report, at: datetime) -> None:
    """Messages a previous run left on the wire: settled when the transport can tell, else in doubt."""
    for rec in store.sends(status="sending"):
        known = transport.delivered(rec.key)
        if known is True:
            store.confirm(rec.key, at, "found delivered after an interrupted run")
        elif known is False:
            store.release(rec.key, "interrupted before delivery")
        else:
            report.in_doubt.append(rec.key)
            log.warning("in doubt %s: the last run stopped while sending it; the officer decides", rec.key)


def _settle(store: Store, rec: SendRecord, answers: Answers, retry: RetrySettings, now: datetime, at: datetime,
            report: Report) -> None:
    """Record each recipient's answer, then what the message now is: sent, failed or still pending.
    In one transaction (there were four, two of them writes, each a commit and a WAL sync): a crash
    before it commits leaves the message *sending*, as a crash just after delivery always could, and
    the next run's ``_interrupted`` settles it."""
    with store.transaction():
        tries = {r.address: r.tries for r in store.recipients(rec.key)}
        refused = dict(answers.refused)
        waits: dict[str, datetime] = {}
        for address, why in answers.deferred.items():
            if tries.get(address, 0) + 1 >= retry.attempts:
                refused[address] = f"gave up after {retry.attempts} tries: {why}"
            else:
                waits[address] = now + retry.after(tries.get(address, 0) + 1)
        deferred = {a: why for a, why in answers.deferred.items() if a in waits}
        store.record_answers(rec.key, answers.accepted, deferred, refused, waits)
        state = store.settle(rec.key, at)
    if refused:
        report.refused[rec.key] = refused
        log.warning("not delivered %s to %s", rec.key, "; ".join(f"{a}: {w}" for a, w in refused.items()))
    if deferred:
        report.deferred[rec.key] = deferred
    {"sent": report.sent, "failed": report.failed, "pending": report.queued}[state].append(rec.key)
    if state == "sent":
        log.info("sent %s to %s", rec.key, ", ".join(rec.recipients))


def flush(store: Store, transport: Transport, sender: Contact, at: datetime, *,
          retry: RetrySettings = RetrySettings(), clock: Callable[[], datetime] = datetime.now,
          only: Iterable[str] | None = None) -> Report:
    """Send every pending message (or only those keyed ``only``) once to each recipient still due.

    Never raises for the server: a server that is down, busy or refusing the login is
    ``report.stopped`` (one line for the officer) and every message stays queued.
    """
    report = Report()
    _interrupted(store, transport, report, at)
    keys = None if only is None else set(only)
    now = clock()
    todo = []
    with store.transaction():  # one read of the ledger, not one transaction per message
        for rec in store.sends(status="pending"):
            if keys is not None and rec.key not in keys:
                continue
            due = store.due_recipients(rec.key, now)
            if due:
                todo.append((rec, due))
            else:  # every recipient left is waiting for its next try
                report.queued.append(rec.key)
    if not todo:
        return report
    done = 0  # messages offered; the rest stay queued if the server stops
    try:
        transport.open()
        for rec, due in todo:
            try:
                answers = transport.deliver(rec.key, sender.email, due, crlf(store.raw(rec.key)),
                                            lambda key=rec.key: store.claim(key))
            except Stopped as stop:
                if stop.in_doubt:
                    report.in_doubt.append(rec.key)
                    done += 1
                elif store.send(rec.key).status == "sending":
                    store.release(rec.key, str(stop))
                raise
            done += 1
            if answers is not None:
                _settle(store, rec, answers, retry, now, at, report)
    except Stopped as stop:
        report.stopped, report.lasting = str(stop), stop.lasting
        report.queued += [r.key for r, _ in todo[done:]]
        log.warning("%s; %d message(s) stay queued", stop, len(report.queued))
    finally:
        transport.close()
    return report


def send(store: Store, transport: Transport, messages: Iterable[Outgoing], sender: Contact, at: datetime,
         **options) -> Report:
    """Queue ``messages`` (those not already in the ledger) and send everything pending."""
    queue(store, messages, sender, at)
    return flush(store, transport, sender, at, **options)

"""The one way the product sends anything: messages, an outbox or SMTP, and the send ledger.

Every message has an idempotency key. ``send`` records it in the state store as *pending*
before anything leaves, claims it (*sending*) just before delivery, and marks it *sent* just
after. So a re-run never sends a message twice, a server that is down leaves messages
queued for the next run, and a crash between delivery and the record leaves the message *in
doubt* rather than resending it blindly: the outbox can tell whether its file was written;
with SMTP the officer is shown the message to check.
"""

from __future__ import annotations

import logging
import hashlib
import mimetypes
import os
import re
import smtplib
import ssl
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from email.message import EmailMessage
from email.utils import formataddr, formatdate
from pathlib import Path
from typing import Literal, Protocol

from pydantic import Field, model_validator

from scs_refresh.core.atomic import write_bytes
from scs_refresh.core.errors import UserError
from scs_refresh.core.store import Store
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


class DeliverySettings(StrictModel):
    """config/delivery.yaml."""

    transport: Literal["outbox", "smtp"] = "outbox"
    sender: Contact
    outbox: OutPath = Field("outbox", min_length=1, description="folder under the out folder")
    smtp: SmtpSettings | None = None

    @model_validator(mode="after")
    def _smtp_needs_server(self) -> DeliverySettings:
        if self.transport == "smtp" and self.smtp is None:
            raise ValueError("transport is smtp but there is no smtp: block (host, port, starttls, user)")
        return self


def load_delivery(file: Path) -> DeliverySettings:
    return load_model(file, DeliverySettings)


class DeliveryFault(UserError):
    """The mail server could not take the messages now; they stay queued for the next run."""

    def __init__(self, message: str, report: Report):
        super().__init__(message)
        self.report = report


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


def build_message(out: Outgoing, sender: Contact, at: datetime) -> EmailMessage:
    """A standard plain-text message with its attachments."""
    msg = EmailMessage()
    msg["From"] = formataddr((sender.name, sender.email))
    msg["To"] = ", ".join(formataddr((c.name, c.email)) for c in out.to)
    if out.cc:
        msg["Cc"] = ", ".join(formataddr((c.name, c.email)) for c in out.cc)
    if out.reply_to:
        msg["Reply-To"] = out.reply_to
    msg["Subject"] = out.subject
    msg["Date"] = formatdate(at.timestamp(), localtime=True)
    msg["Message-ID"] = message_id(out.key, sender)
    msg.set_content(out.body)
    for a in out.attachments:
        main, sub = a.types()
        msg.add_attachment(a.content, maintype=main, subtype=sub, filename=a.filename)
    return msg


class Transport(Protocol):
    def open(self) -> None:
        """Connect (and log in) before the first message, so a bad login fails the run, not a message."""

    def deliver(self, key: str, sender: str, recipients: list[str], raw: bytes) -> str | None:
        """Deliver ``raw``; returns a note to keep in the ledger (e.g. recipients the server refused)."""

    def delivered(self, key: str) -> bool | None:
        """Whether ``key`` reached its destination; None when the transport cannot tell."""

    def close(self) -> None: ...


class Outbox:
    """Writes each message as a standard .eml file; nothing leaves the machine."""

    def __init__(self, folder: Path):
        self.folder = Path(folder)

    def path(self, key: str) -> Path:
        return self.folder / (re.sub(r"[^A-Za-z0-9._-]+", "--", key) + ".eml")

    def open(self) -> None:
        self.folder.mkdir(parents=True, exist_ok=True)

    def deliver(self, key: str, sender: str, recipients: list[str], raw: bytes) -> None:
        write_bytes(self.path(key), raw)
        return None

    def delivered(self, key: str) -> bool:
        return self.path(key).exists()

    def close(self) -> None:
        pass


class Smtp:
    """Sends through an SMTP server (STARTTLS, login); one connection per run, opened when needed."""

    def __init__(self, settings: SmtpSettings, password: str | None):
        self.settings = settings
        self._password = password
        self._conn: smtplib.SMTP | None = None

    def open(self) -> None:
        if self._conn is None:
            self._conn = self._connect()

    def _connect(self) -> smtplib.SMTP:
        s = self.settings
        log.info("connecting to the mail server %s:%s%s", s.host, s.port, f" as {s.user}" if s.user else "")
        conn = smtplib.SMTP(s.host, s.port, timeout=s.timeout_seconds)
        try:
            if s.starttls:
                conn.starttls(context=ssl.create_default_context(cafile=s.ca_file))
            if s.user:
                conn.login(s.user, self._password or "")
        except BaseException:
            conn.close()
            raise
        return conn

    def deliver(self, key: str, sender: str, recipients: list[str], raw: bytes) -> str | None:
        self.open()
        # Refused only in part: it went to the others, so it counts as sent (resending would double it).
        refused = self._conn.sendmail(sender, recipients, raw)
        return f"refused by the server: {', '.join(sorted(refused))}" if refused else None

    def delivered(self, key: str) -> None:
        return None

    def close(self) -> None:
        if self._conn is not None:
            try:
                self._conn.quit()
            except (smtplib.SMTPException, OSError):
                self._conn.close()
            self._conn = None


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


@dataclass
class Report:
    """What one run of ``flush`` did, by idempotency key."""

    sent: list[str] = field(default_factory=list)
    failed: list[str] = field(default_factory=list)
    in_doubt: list[str] = field(default_factory=list)
    queued: list[str] = field(default_factory=list)  # still pending after this run


def queue(store: Store, messages: Iterable[Outgoing], sender: Contact, at: datetime) -> list[str]:
    """Record each message as pending (once per key); returns the keys newly queued."""
    new = []
    with store.transaction():
        for out in messages:
            msg = build_message(out, sender, at)
            recipients = [c.email for c in (*out.to, *out.cc)]
            if store.enqueue(key=out.key, kind=out.kind, partner_id=out.partner_id, recipients=recipients,
                             subject=out.subject, message_id=msg["Message-ID"], raw=msg.as_bytes(), at=at):
                new.append(out.key)
    return new


def _transient(exc: BaseException) -> bool:
    """Worth trying again later: the server is unreachable, busy, or said 4xx."""
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        return all(400 <= code < 500 for code, _ in exc.recipients.values())
    if isinstance(exc, smtplib.SMTPResponseException):
        return 400 <= exc.smtp_code < 500
    return isinstance(exc, (OSError, smtplib.SMTPServerDisconnected))


def _open(transport: Transport, pending: list[str]) -> None:
    waiting = len(pending)
    try:
        transport.open()
    except smtplib.SMTPAuthenticationError as exc:
        raise UserError(f"the mail server refused the login ({exc.smtp_code} {exc.smtp_error.decode(errors='replace')}); "
                        f"check the user and the password variable; {waiting} message(s) stay queued") from None
    except (smtplib.SMTPException, OSError) as exc:
        if not _transient(exc):
            raise UserError(f"the mail server refused the connection ({type(exc).__name__}: {exc}); "
                            f"{waiting} message(s) stay queued") from None
        raise DeliveryFault(f"the mail server cannot be reached ({type(exc).__name__}: {exc}); "
                            f"{waiting} message(s) stay queued and go with the next run",
                            Report(queued=list(pending))) from None


def flush(store: Store, transport: Transport, sender: Contact, at: datetime) -> Report:
    """Send every pending message once. Raises DeliveryFault (after recording) if some must wait."""
    report = Report()
    for rec in store.sends(status="sending"):  # a previous run stopped between claim and record
        known = transport.delivered(rec.key)
        if known is True:
            store.mark_sent(rec.key, at, "found delivered after an interrupted run")
        elif known is False:
            store.release(rec.key, "interrupted before delivery")
        else:
            report.in_doubt.append(rec.key)
            log.warning("in doubt %s: the last run stopped while sending it; the officer decides", rec.key)
    fault: BaseException | None = None
    pending = store.sends(status="pending")
    try:
        if pending:
            _open(transport, [r.key for r in pending])
        for rec in pending:
            if fault is not None:
                report.queued.append(rec.key)
                continue
            if not store.claim(rec.key):
                continue
            try:
                note = transport.deliver(rec.key, sender.email, rec.recipients, store.raw(rec.key))
            except (smtplib.SMTPException, OSError) as exc:
                reason = f"{type(exc).__name__}: {exc}"
                if _transient(exc):
                    store.release(rec.key, reason)
                    report.queued.append(rec.key)
                    fault = exc
                else:
                    store.mark_failed(rec.key, reason)
                    log.warning("not sent %s: %s", rec.key, reason)
                    report.failed.append(rec.key)
                continue
            store.mark_sent(rec.key, at, note)
            report.sent.append(rec.key)
            log.info("sent %s to %s", rec.key, ", ".join(rec.recipients))
    finally:
        transport.close()
    if fault is not None:
        raise DeliveryFault(f"the mail server could not take the messages ({type(fault).__name__}: {fault}); "
                            f"{len(report.queued)} stay queued and go with the next run "
                            f"({len(report.sent)} sent this time)", report)
    return report


def send(store: Store, transport: Transport, messages: Iterable[Outgoing], sender: Contact, at: datetime) -> Report:
    """Queue ``messages`` (those not already in the ledger) and send everything pending."""
    queue(store, messages, sender, at)
    return flush(store, transport, sender, at)

"""Delivery: message building, the outbox, SMTP against a real aiosmtpd server on loopback, the ledger."""

from __future__ import annotations

import datetime as dt
import email
import re
import socket
import ssl
from email import policy
from pathlib import Path

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult

from scs_refresh.mail import dispatch as delivery
from scs_refresh.mail.dispatch import Attachment, Contact, Outbox, Outgoing, RetrySettings, Smtp, SmtpSettings
from scs_refresh.core.errors import UserError
from scs_refresh.core.store import Store

AT = dt.datetime(2010, 10, 15, 9, 0)
SENDER = Contact(name="LSP Officer", email="lsp.officer@example.org")


def _msg(key: str, to: str = "a@example.org", **kw) -> Outgoing:
    return Outgoing(key=key, kind="test", to=(Contact(name="A Partner", email=to),), subject=f"Subject {key}",
                    body=f"Body of {key}\n", **kw)


# -- building --------------------------------------------------------------------------------
def test_message_has_plain_body_attachment_and_stable_message_id():
    att = Attachment("q.docx", b"PK\x03\x04 docx bytes")
    out = _msg("questionnaire:c:p1", attachments=(att,), cc=(Contact(name="Sponsor", email="s@example.org"),))
    first, again = delivery.build_message(out, SENDER, AT), delivery.build_message(out, SENDER, AT)
    assert first["Message-ID"] == again["Message-ID"] != delivery.build_message(_msg("other"), SENDER, AT)["Message-ID"]
    assert first["Message-ID"].endswith("@example.org>")
    assert first["Cc"] == "Sponsor <s@example.org>"
    parsed = email.message_from_bytes(first.as_bytes(), policy=policy.default)
    assert parsed.get_body(("plain",)).get_content() == "Body of questionnaire:c:p1\n"
    [part] = list(parsed.iter_attachments())
    assert part.get_filename() == "q.docx" and part.get_content() == b"PK\x03\x04 docx bytes"


DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
PACK = Attachment("lsp-board-2010-12-03-board-pack.docx", bytes(range(256)) * 2000 + b"\x00\r\n.tail", DOCX)
PDF = Attachment("Board pack – 3 December 2010 (agenda, reports and appendices).pdf", b"%PDF-1.6\n" * 5000)
ICS = Attachment("lsp-board-2010-12-03.ics", b"BEGIN:VCALENDAR\r\nEND:VCALENDAR\r\n", "text/calendar")


def _members() -> list[Outgoing]:
    """A meeting's papers to each member: the same attachments, names that need encoding, a long subject."""
    names = ["Chair of the Breckland Partnership", "Zoë Ó Súilleabháin", "Ann Lee", "Bob \"Robert\" Day"]
    return [Outgoing(key=f"papers:lsp-board-2010-12-03:m{i}", kind="papers",
                     to=(Contact(name=n, email=f"m{i}@example.org"),),
                     cc=(Contact(name="Démocratie Services", email="ds@example.org"),) if i % 2 else (),
                     reply_to="lsp.officer@example.org" if i == 1 else None,
                     subject="Papers: LSP Board - progress on the SCS refresh and review of the Partnership "
                             "(Friday 3 December 2010) – café",
                     body=f"Dear {n},\n\nFrom the agenda:\n.\nA line of one dot, above; £5 and {'x' * 90}\n",
                     attachments=(PACK, PDF, ICS, Attachment("empty.txt", b""))[: 1 + i % 4])
            for i, n in enumerate(names)] + [_msg("no-attachment")]


def _standard(out: Outgoing, fast: bytes) -> bytes:
    """``out`` built the standard way, with the boundary the fast way happened to draw (it is random)."""
    msg = delivery.build_message(out, SENDER, AT)
    boundary = re.search(rb'boundary="([^"]+)"', fast)
    if boundary:
        msg.set_boundary(boundary.group(1).decode())
    return delivery.as_bytes(msg)


def test_message_bytes_are_the_standard_message_byte_for_byte():
    parts: delivery.Parts = {}
    for out in _members():
        fast = delivery.message_bytes(out, SENDER, AT, parts)
        assert fast == _standard(out, fast)
        # parsed back beside the standard message with its own boundary: same headers, parts and bytes
        mine, theirs = (email.message_from_bytes(raw, policy=policy.default)
                        for raw in (fast, delivery.as_bytes(delivery.build_message(out, SENDER, AT))))
        assert [(k, v.split("; boundary=")[0]) for k, v in mine.items()] == \
            [(k, v.split("; boundary=")[0]) for k, v in theirs.items()]
        assert [(p.items(), p.get_content()) for p in mine.walk() if not p.is_multipart()] == \
            [(p.items(), p.get_content()) for p in theirs.walk() if not p.is_multipart()]
        assert [(p.get_filename(), p.get_payload(decode=True)) for p in mine.iter_attachments()] == \
            [(a.filename, a.content) for a in out.attachments]
    assert len(parts) == 4  # each attachment made once for the whole batch


def test_queue_encodes_each_attachment_once_and_stores_the_standard_bytes(tmp_path: Path, monkeypatch):
    made = []
    part = delivery._part
    monkeypatch.setattr(delivery, "_part", lambda a: made.append(a.filename) or part(a))
    members = _members()
    with Store.open(tmp_path / "s.sqlite") as store:
        assert delivery.queue(store, members, SENDER, AT) == [m.key for m in members]
        assert sorted(made) == sorted({a.filename for m in members for a in m.attachments})
        for out in members:
            raw = store.raw(out.key)
            assert raw == _standard(out, raw)
            assert store.send(out.key).message_id == delivery.build_message(out, SENDER, AT)["Message-ID"]


def test_crlf_leaves_crlf_text_alone_and_mends_bare_line_ends():
    good = b"Subject: x\r\n\r\nline\r\n"
    assert delivery.crlf(good) is good
    assert delivery.crlf(b"Subject: x\n\r\nline\rend\r\n") == b"Subject: x\r\n\r\nline\r\nend\r\n"
    assert delivery.crlf(b"a\n\rb") == b"a\r\n\r\nb"


# -- outbox and ledger -----------------------------------------------------------------------
def test_outbox_sends_each_key_once_however_often_run(tmp_path: Path):
    outbox = Outbox(tmp_path / "outbox")
    with Store.open(tmp_path / "s.sqlite") as store:
        for _ in range(3):
            delivery.send(store, outbox, [_msg("k1"), _msg("k2")], SENDER, AT)
        assert sorted(p.name for p in (tmp_path / "outbox").iterdir()) == ["k1.eml", "k2.eml"]
        assert [(r.key, r.status, r.attempts) for r in store.sends()] == [("k1", "sent", 1), ("k2", "sent", 1)]


class _Crash(BaseException):
    """Stands in for the process dying (not an Exception, so nothing catches it)."""


class _CrashingOutbox(Outbox):
    def __init__(self, folder: Path, crash_on: str, after_write: bool):
        super().__init__(folder)
        self.crash_on, self.after_write = crash_on, after_write

    def deliver(self, key, sender, recipients, raw, claim):
        if key == self.crash_on and self.after_write:
            super().deliver(key, sender, recipients, raw, claim)
        if key == self.crash_on:
            claim()  # the process dies after the claim: the next run finds the message 'sending'
            raise _Crash(key)
        return super().deliver(key, sender, recipients, raw, claim)


@pytest.mark.parametrize("after_write", [False, True])
def test_crash_midway_then_rerun_delivers_everything_exactly_once(tmp_path: Path, after_write: bool):
    folder = tmp_path / "outbox"
    msgs = [_msg(f"k{i}") for i in range(5)]
    with Store.open(tmp_path / "s.sqlite") as store:
        with pytest.raises(_Crash):
            delivery.send(store, _CrashingOutbox(folder, "k2", after_write), msgs, SENDER, AT)
        assert {r.key: r.status for r in store.sends()} == {"k0": "sent", "k1": "sent", "k2": "sending",
                                                          "k3": "pending", "k4": "pending"}
    with Store.open(tmp_path / "s.sqlite") as store:  # the next run, in a fresh process
        report = delivery.send(store, Outbox(folder), msgs, SENDER, AT)
        assert sorted(report.sent) == (["k3", "k4"] if after_write else ["k2", "k3", "k4"])
        assert {r.status for r in store.sends()} == {"sent"}
        attempts = {r.key: r.attempts for r in store.sends()}
        assert attempts == {"k0": 1, "k1": 1, "k2": 1 if after_write else 2, "k3": 1, "k4": 1}
    assert sorted(p.name for p in folder.iterdir()) == [f"k{i}.eml" for i in range(5)]


def test_password_comes_only_from_the_environment(tmp_path: Path):
    settings = delivery.DeliverySettings(transport="smtp", sender=SENDER,
                                         smtp=SmtpSettings(host="127.0.0.1", user="officer", password_env="X_PW"))
    with pytest.raises(UserError, match="X_PW"):
        delivery.transport_for(settings, tmp_path, env={})
    assert isinstance(delivery.transport_for(settings, tmp_path, env={"X_PW": "s3cret"}), Smtp)


# -- SMTP on loopback ------------------------------------------------------------------------
class _Handler:
    """Keeps what the server received; can refuse the first N messages with a 4xx."""

    def __init__(self, refuse_first: int = 0):
        self.received: list[tuple[str, list[str], bytes]] = []
        self.refuse_left = refuse_first

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address.startswith("nobody@"):
            return "550 5.1.1 No such mailbox"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        if self.refuse_left:
            self.refuse_left -= 1
            return "451 4.3.0 Try again later"
        self.received.append((envelope.mail_from, list(envelope.rcpt_tos), envelope.original_content))
        return "250 OK"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def tls_files(tmp_path_factory) -> tuple[Path, Path]:
    """A self-signed certificate for 127.0.0.1 (the client trusts it as its CA file)."""
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID
    import ipaddress

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")])
    now = dt.datetime.now(dt.timezone.utc)
    cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key())
            .serial_number(x509.random_serial_number()).not_valid_before(now - dt.timedelta(days=1))
            .not_valid_after(now + dt.timedelta(days=1))
            .add_extension(x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]), False)
            .add_extension(x509.BasicConstraints(ca=True, path_length=None), True)
            .sign(key, hashes.SHA256()))
    folder = tmp_path_factory.mktemp("tls")
    (folder / "cert.pem").write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    (folder / "key.pem").write_bytes(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                                       serialization.NoEncryption()))
    return folder / "cert.pem", folder / "key.pem"


def _authenticator(server, session, envelope, mechanism, auth_data):
    ok = auth_data.login == b"officer" and auth_data.password == b"s3cret"
    return AuthResult(success=ok, handled=False)  # handled=False: the server answers 535 itself


@pytest.fixture
def smtp_server(tls_files):
    """Start a real SMTP server (STARTTLS required, login required) on loopback; yields a starter."""
    started = []

    def start(refuse_first: int = 0) -> tuple[_Handler, SmtpSettings]:
        cert, key = tls_files
        context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        context.load_cert_chain(cert, key)
        handler = _Handler(refuse_first)
        port = _free_port()
        controller = Controller(handler, hostname="127.0.0.1", port=port, tls_context=context,
                                require_starttls=True, authenticator=_authenticator, auth_require_tls=True)
        controller.start()
        started.append(controller)
        return handler, SmtpSettings(host="127.0.0.1", port=port, starttls=True, user="officer",
                                     password_env="SCS_TEST_PW", ca_file=cert, timeout_seconds=5)

    yield start
    for c in started:
        c.stop()


def _smtp_transport(settings: SmtpSettings, tmp_path: Path, password: str = "s3cret"):
    cfg = delivery.DeliverySettings(transport="smtp", sender=SENDER, smtp=settings)
    return delivery.transport_for(cfg, tmp_path, env={"SCS_TEST_PW": password})


def test_smtp_starttls_login_delivers_what_was_queued(tmp_path: Path, smtp_server):
    handler, settings = smtp_server()
    att = Attachment("q.docx", b"docx-bytes", "application/octet-stream")
    msgs = [_msg("q:1", to="one@example.org", attachments=(att,),
                 cc=(Contact(name="Sponsor", email="sponsor@example.org"),)), _msg("q:2", to="two@example.org")]
    with Store.open(tmp_path / "s.sqlite") as store:
        report = delivery.send(store, _smtp_transport(settings, tmp_path), msgs, SENDER, AT)
        assert report.sent == ["q:1", "q:2"]
        delivery.send(store, _smtp_transport(settings, tmp_path), msgs, SENDER, AT)  # a re-run sends nothing
    assert [(frm, to) for frm, to, _ in handler.received] == [
        ("lsp.officer@example.org", ["one@example.org", "sponsor@example.org"]),
        ("lsp.officer@example.org", ["two@example.org"])]
    first = email.message_from_bytes(handler.received[0][2], policy=policy.default)
    assert first["Subject"] == "Subject q:1"
    assert [a.get_filename() for a in first.iter_attachments()] == ["q.docx"]


def test_smtp_wrong_password_is_one_line_and_keeps_messages_queued(tmp_path: Path, smtp_server):
    handler, settings = smtp_server()
    with Store.open(tmp_path / "s.sqlite") as store:
        report = delivery.send(store, _smtp_transport(settings, tmp_path, password="wrong"), [_msg("q:1")], SENDER, AT)
        assert "refused the login (535" in report.stopped and "SCS_TEST_PW" in report.stopped
        assert report.lasting  # waiting would not help: the officer must fix the login
        assert "wrong" not in report.stopped
        assert handler.received == []
        assert store.send("q:1").status == "pending" and report.queued == ["q:1"]


def test_server_refusing_the_first_attempt_keeps_it_queued_and_the_next_run_sends_it_once(tmp_path, smtp_server):
    """A 4xx to the text of one message: that one waits (the next does not), and goes with a later run, once."""
    handler, settings = smtp_server(refuse_first=1)
    msgs = [_msg("q:1"), _msg("q:2")]
    retry = RetrySettings(attempts=5, wait_minutes=10)
    with Store.open(tmp_path / "s.sqlite") as store:
        report = delivery.send(store, _smtp_transport(settings, tmp_path), msgs, SENDER, AT, retry=retry)
        assert (report.sent, report.queued) == (["q:2"], ["q:1"])
        assert report.deferred == {"q:1": {"a@example.org": "451 4.3.0 Try again later"}}
        assert [(r.status, r.last_error is not None) for r in store.sends()] == [("pending", True), ("sent", False)]
        later = lambda: dt.datetime.now() + dt.timedelta(minutes=11)  # noqa: E731
        report = delivery.send(store, _smtp_transport(settings, tmp_path), msgs, SENDER, AT, retry=retry, clock=later)
        assert report.sent == ["q:1"]
    assert len(handler.received) == 2


def test_server_down_leaves_messages_queued_for_the_next_run(tmp_path: Path, smtp_server):
    port = _free_port()
    down = SmtpSettings(host="127.0.0.1", port=port, starttls=False, timeout_seconds=2)
    with Store.open(tmp_path / "s.sqlite") as store:
        report = delivery.send(store, Smtp(down, None), [_msg("q:1")], SENDER, AT)
        assert report.stopped.startswith(f"mail server 127.0.0.1:{port} not reachable")
        assert report.queued == ["q:1"] and store.send("q:1").status == "pending"
        handler, settings = smtp_server()
        delivery.flush(store, _smtp_transport(settings, tmp_path), SENDER, AT)
        assert store.send("q:1").status == "sent"
    assert len(handler.received) == 1


def test_smtp_crash_after_delivery_is_in_doubt_not_sent_twice(tmp_path: Path, smtp_server):
    handler, settings = smtp_server()

    class CrashAfterSend(Smtp):
        def deliver(self, key, sender, recipients, raw, claim):
            super().deliver(key, sender, recipients, raw, claim)
            raise _Crash(key)

    with Store.open(tmp_path / "s.sqlite") as store:
        with pytest.raises(_Crash):
            delivery.send(store, CrashAfterSend(settings, "s3cret"), [_msg("q:1")], SENDER, AT)
        report = delivery.flush(store, _smtp_transport(settings, tmp_path), SENDER, AT)
        assert report.in_doubt == ["q:1"] and report.sent == []
    assert len(handler.received) == 1


def test_unknown_mailboxes_are_recorded_and_never_retried(tmp_path: Path, smtp_server):
    handler, settings = smtp_server()
    partly = _msg("q:partly", to="one@example.org", cc=(Contact(name="Gone", email="nobody@example.org"),))
    wholly = _msg("q:wholly", to="nobody@example.org")
    with Store.open(tmp_path / "s.sqlite") as store:
        report = delivery.send(store, _smtp_transport(settings, tmp_path), [partly, wholly], SENDER, AT)
        assert (report.sent, report.failed) == (["q:partly"], ["q:wholly"])
        assert store.send("q:partly").last_error == "refused: nobody@example.org (550 5.1.1 No such mailbox)"
        assert "550" in store.send("q:wholly").last_error and store.send("q:wholly").status == "failed"
        assert report.lines() == [
            "not delivered (refused for good): q:partly to nobody@example.org: 550 5.1.1 No such mailbox",
            "not delivered (refused for good): q:wholly to nobody@example.org: 550 5.1.1 No such mailbox"]
        delivery.flush(store, _smtp_transport(settings, tmp_path), SENDER, AT)
    assert [to for _, to, _ in handler.received] == [["one@example.org"]]


def test_no_secret_reaches_a_log_line(tmp_path: Path, smtp_server, caplog, monkeypatch):
    """Everything logged while sending by SMTP with a login (at DEBUG, every logger) leaves out the password."""
    import base64
    import logging

    handler, settings = smtp_server()
    caplog.set_level(logging.DEBUG)
    monkeypatch.setattr(logging.getLogger("scs_refresh"), "propagate", True)  # the flows may have taken it off
    with Store.open(tmp_path / "s.sqlite") as store:
        report = delivery.send(store, _smtp_transport(settings, tmp_path),
                               [_msg("q:1", to="one@example.org")], SENDER, AT)
    assert report.sent == ["q:1"]
    lines = "\n".join(r.getMessage() for r in caplog.records)
    assert "sent q:1 to one@example.org" in lines  # the domain did log what it did
    plain = base64.b64encode(b"\0officer\0s3cret").decode()  # how AUTH PLAIN carries it
    assert "s3cret" not in lines and plain not in lines and base64.b64encode(b"s3cret").decode() not in lines


def test_answers_and_the_message_state_are_recorded_together_or_not_at_all(tmp_path: Path, monkeypatch):
    """A run killed between the server's answers and the message's new state records neither; the next
    run finds the message in the outbox and settles it, without writing it again."""
    folder = tmp_path / "outbox"
    with Store.open(tmp_path / "s.sqlite") as store:
        def killed(key, at):
            raise _Crash(key)
        monkeypatch.setattr(store, "settle", killed)
        with pytest.raises(_Crash):
            delivery.send(store, Outbox(folder), [_msg("k1")], SENDER, AT)
        monkeypatch.undo()
        assert store.send("k1").status == "sending"
        assert [r.status for r in store.recipients("k1")] == ["pending"]
        written = (folder / "k1.eml").stat().st_mtime_ns
        report = delivery.flush(store, Outbox(folder), SENDER, AT)
        assert report.sent == [] and store.send("k1").status == "sent"
        assert [r.status for r in store.recipients("k1")] == ["accepted"]
    assert (folder / "k1.eml").stat().st_mtime_ns == written

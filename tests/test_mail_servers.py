"""Mail against real SMTP servers on loopback (aiosmtpd), as issue 17 measured them: a server that
enforces CRLF line ends, per-recipient 4xx and 5xx answers, a server that is down, one that drops
the connection in the middle of DATA, and a run killed with a message on the wire. Every message
is delivered exactly once, or reported."""

from __future__ import annotations

import datetime as dt
import email
import re
import shutil
import socket
from email import policy
from pathlib import Path

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP
from typer.testing import CliRunner

from scs_cli.main import app
from scs_refresh.core.store import Store
from scs_refresh.mail import dispatch, ledger
from scs_refresh.mail.dispatch import Contact, Outbox, Outgoing, RetrySettings, Smtp, SmtpSettings

from .conftest import ROOT

AT = dt.datetime(2010, 10, 15, 7, 0)
SENDER = Contact(name="LSP Officer", email="lsp.officer@example.org")
NOW = dt.datetime(2024, 1, 8, 9, 0)
RETRY = RetrySettings(attempts=3, wait_minutes=10)
BARE_LF = re.compile(rb"(?<!\r)\n")


def _msg(key: str, to: str = "a@example.org", cc: tuple[str, ...] = ()) -> Outgoing:
    return Outgoing(key=key, kind="test", to=(Contact(name="A Partner", email=to),), subject=f"Subject {key}",
                    body=f"Dear partner,\n\nThe body of {key}.\n.\nA line with only a dot, above.\n",
                    cc=tuple(Contact(name="Copy", email=a) for a in cc))


class Strict:
    """A server that keeps RFC 5321: a bare LF in the text is refused (550); ``nobody@`` does not exist
    (550); an address in ``busy`` answers 450 that many times first."""

    def __init__(self, busy: dict[str, int] | None = None):
        self.busy = dict(busy or {})
        self.asked: list[str] = []  # every RCPT, in order
        self.received: list[tuple[list[str], bytes]] = []

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        self.asked.append(address)
        if address.startswith("nobody@"):
            return "550 5.1.1 No such mailbox"
        if self.busy.get(address, 0) > 0:
            self.busy[address] -= 1
            return "450 4.2.1 Mailbox busy, try again later"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        if BARE_LF.search(envelope.original_content):
            return "550 5.6.11 Bare LF in the message text (RFC 5321 section 2.3.8)"
        self.received.append((list(envelope.rcpt_tos), envelope.original_content))
        return "250 OK"

    def ids(self) -> list[str]:
        return [email.message_from_bytes(raw, policy=policy.default)["Message-ID"] for _, raw in self.received]


class _Dropping(SMTP):
    """Drops the connection after the first line of the text of a message to ``drop@`` (once)."""

    drops_left = 1

    async def smtp_DATA(self, arg):
        if any(a.startswith("drop@") for a in self.envelope.rcpt_tos) and _Dropping.drops_left:
            _Dropping.drops_left -= 1
            await self.push("354 End data with <CR><LF>.<CR><LF>")
            await self._reader.readuntil(b"\r\n")
            self.transport.close()
            return
        await super().smtp_DATA(arg)


class _DroppingController(Controller):
    def factory(self):
        return _Dropping(self.handler, **self.SMTP_kwargs)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def server():
    """Start a plain SMTP server on loopback; yields a starter returning (handler, settings)."""
    started = []

    def start(handler: Strict | None = None, dropping: bool = False, port: int | None = None):
        handler = handler or Strict()
        port = port or _free_port()
        _Dropping.drops_left = 1
        controller = (_DroppingController if dropping else Controller)(handler, hostname="127.0.0.1", port=port)
        controller.start()
        started.append(controller)
        return handler, SmtpSettings(host="127.0.0.1", port=port, starttls=False, timeout_seconds=5)

    yield start
    for c in started:
        c.stop()


def _send(store, settings, messages, clock=lambda: NOW, retry=RETRY):
    return dispatch.send(store, Smtp(settings, None), messages, SENDER, AT, retry=retry, clock=clock)


def _flush(store, settings, clock=lambda: NOW, retry=RETRY):
    return dispatch.flush(store, Smtp(settings, None), SENDER, AT, retry=retry, clock=clock)


# -- line ends ----------------------------------------------------------------------------------

def test_crlf_on_the_wire_a_strict_server_takes_all_twelve(tmp_path: Path, server):
    handler, settings = server()
    with Store.open(tmp_path / "s.sqlite") as store:
        report = _send(store, settings, [_msg(f"q:{i}", to=f"p{i}@example.org") for i in range(12)])
    assert len(report.sent) == 12 and not report.lines() and report.stopped is None
    assert len(handler.received) == 12 and not any(BARE_LF.search(raw) for _, raw in handler.received)
    body = email.message_from_bytes(handler.received[0][1], policy=policy.default).get_body(("plain",))
    assert "\n.\nA line with only a dot" in body.get_content().replace("\r\n", "\n")  # dot-stuffing undone


def test_a_message_queued_with_bare_lf_by_an_older_version_goes_out_with_crlf(tmp_path: Path, server):
    handler, settings = server()
    with Store.open(tmp_path / "s.sqlite") as store:
        store.enqueue(key="old:1", kind="test", partner_id=None, recipients=["a@example.org"], subject="Old",
                      message_id="<old.1@example.org>", raw=b"Subject: Old\nMessage-ID: <old.1@example.org>\n\nHi\n",
                      at=AT)
        assert _flush(store, settings).sent == ["old:1"]
    assert handler.received[0][1] == b"Subject: Old\r\nMessage-ID: <old.1@example.org>\r\n\r\nHi\r\n"


def test_the_outbox_writes_standard_crlf_eml_files(tmp_path: Path):
    with Store.open(tmp_path / "s.sqlite") as store:
        dispatch.send(store, Outbox(tmp_path / "outbox"), [_msg("q:1")], SENDER, AT)
    raw = (tmp_path / "outbox" / "q--1.eml").read_bytes()
    assert b"\r\n" in raw and not BARE_LF.search(raw)
    parsed = email.message_from_bytes(raw, policy=policy.default)
    assert parsed["Subject"] == "Subject q:1" and parsed["To"] == "A Partner <a@example.org>"


def test_an_outbox_that_cannot_be_written_is_one_line_and_the_message_waits(tmp_path: Path):
    blocked = tmp_path / "outbox" / "q--1.eml"
    blocked.mkdir(parents=True)  # where the file must go, a folder: the write fails
    with Store.open(tmp_path / "s.sqlite") as store:
        report = dispatch.send(store, Outbox(tmp_path / "outbox"), [_msg("q:1")], SENDER, AT)
        assert report.stopped.startswith(f"the outbox {tmp_path / 'outbox'} cannot be written")
        assert report.queued == ["q:1"] and store.send("q:1").status == "pending"
        blocked.rmdir()
        assert dispatch.flush(store, Outbox(tmp_path / "outbox"), SENDER, AT).sent == ["q:1"]


# -- each recipient answered on its own ---------------------------------------------------------

def test_a_4xx_for_one_recipient_never_holds_back_the_others(tmp_path: Path, server):
    handler, settings = server(Strict(busy={"busy@example.org": 1}))
    msgs = [_msg(f"q:{i}", to="busy@example.org" if i == 0 else f"p{i}@example.org") for i in range(12)]
    with Store.open(tmp_path / "s.sqlite") as store:
        first = _send(store, settings, msgs)
        assert len(first.sent) == 11 and first.queued == ["q:0"]
        assert first.lines() == ["to be tried again: q:0 to busy@example.org: 450 4.2.1 Mailbox busy, try again later"]
        again = _flush(store, settings, clock=lambda: NOW + dt.timedelta(minutes=11))
        assert again.sent == ["q:0"] and store.send("q:0").status == "sent"
    assert len(handler.received) == 12 and len(set(handler.ids())) == 12


def test_a_4xx_for_a_cc_is_retried_for_that_recipient_only_with_the_same_message_id(tmp_path: Path, server):
    handler, settings = server(Strict(busy={"sponsor@example.org": 1}))
    with Store.open(tmp_path / "s.sqlite") as store:
        first = _send(store, settings, [_msg("r:1", to="contact@example.org", cc=("sponsor@example.org",))])
        assert first.sent == [] and first.queued == ["r:1"]  # not done: the sponsor does not have it yet
        assert [(r.address, r.status) for r in store.recipients("r:1")] == [
            ("contact@example.org", "accepted"), ("sponsor@example.org", "pending")]
        second = _flush(store, settings, clock=lambda: NOW + dt.timedelta(minutes=11))
        assert second.sent == ["r:1"]
    assert [to for to, _ in handler.received] == [["contact@example.org"], ["sponsor@example.org"]]
    assert handler.ids()[0] == handler.ids()[1]  # the same message, so a receiving system can drop a copy


def test_a_recipient_waits_its_pause_and_is_given_up_after_the_configured_tries(tmp_path: Path, server):
    handler, settings = server(Strict(busy={"busy@example.org": 99}))
    with Store.open(tmp_path / "s.sqlite") as store:
        _send(store, settings, [_msg("q:1", to="busy@example.org")])
        at_once = _flush(store, settings, clock=lambda: NOW + dt.timedelta(minutes=5))  # inside the 10-minute pause
        assert at_once.queued == ["q:1"] and handler.asked == ["busy@example.org"]  # not asked again yet
        second = _flush(store, settings, clock=lambda: NOW + dt.timedelta(minutes=11))
        assert second.queued == ["q:1"] and store.recipients("q:1")[0].tries == 2
        assert store.recipients("q:1")[0].retry_after == NOW + dt.timedelta(minutes=11 + 20)  # the pause doubles
        third = _flush(store, settings, clock=lambda: NOW + dt.timedelta(minutes=40))
        assert third.failed == ["q:1"] and store.send("q:1").status == "failed"
        assert third.lines() == ["not delivered (refused for good): q:1 to busy@example.org: gave up after 3 tries: "
                                 "450 4.2.1 Mailbox busy, try again later"]
    assert handler.asked == ["busy@example.org"] * 3 and handler.received == []


def test_a_5xx_is_permanent_reported_and_never_retried(tmp_path: Path, server):
    handler, settings = server()
    with Store.open(tmp_path / "s.sqlite") as store:
        report = _send(store, settings, [_msg("q:1", to="nobody@example.org"),
                                          _msg("q:2", to="ok@example.org", cc=("nobody@example.org",))])
        assert report.failed == ["q:1"] and report.sent == ["q:2"]
        assert report.lines() == [
            "not delivered (refused for good): q:1 to nobody@example.org: 550 5.1.1 No such mailbox",
            "not delivered (refused for good): q:2 to nobody@example.org: 550 5.1.1 No such mailbox"]
        assert _flush(store, settings, clock=lambda: NOW + dt.timedelta(days=1)).lines() == []
        assert "not delivered (refused for good): q:1 to nobody@example.org: 550 5.1.1 No such mailbox" in \
            ledger.status_lines(store)
    assert handler.asked.count("nobody@example.org") == 2 and [to for to, _ in handler.received] == [["ok@example.org"]]


# -- a server that is down, or goes away -----------------------------------------------------------

def test_a_server_that_is_down_is_one_line_and_everything_goes_later_once(tmp_path: Path, server):
    port = _free_port()
    down = SmtpSettings(host="127.0.0.1", port=port, starttls=False, timeout_seconds=2)
    msgs = [_msg(f"q:{i}", to=f"p{i}@example.org") for i in range(12)]
    with Store.open(tmp_path / "s.sqlite") as store:
        report = _send(store, down, msgs)  # no exception: the run goes on
        assert report.stopped.startswith(f"mail server 127.0.0.1:{port} not reachable (")
        assert len(report.queued) == 12 and report.sent == []
        handler, settings = server(port=port)
        assert len(_flush(store, settings).sent) == 12
        assert _flush(store, settings).sent == []
    assert len(handler.received) == 12 and len(set(handler.ids())) == 12


def test_dropped_mid_data_is_in_doubt_until_the_officer_resends_it_with_the_same_message_id(tmp_path: Path, server):
    handler, settings = server(dropping=True)
    msgs = [_msg("q:0", to="p0@example.org"), _msg("q:1", to="drop@example.org"), _msg("q:2", to="p2@example.org")]
    with Store.open(tmp_path / "s.sqlite") as store:
        first = _send(store, settings, msgs)
        assert first.sent == ["q:0"] and first.in_doubt == ["q:1"] and first.queued == ["q:2"]
        assert "closed the connection before confirming a message" in first.stopped
        second = _flush(store, settings)  # the next run: q:2 goes; q:1 is shown, not resent blindly
        assert second.sent == ["q:2"] and second.in_doubt == ["q:1"]
        assert ledger.status_lines(store)[0].startswith(dispatch.in_doubt_line("q:1"))
        delivery = dispatch.DeliverySettings(transport="smtp", sender=SENDER, smtp=settings)
        resent = ledger.resend(store, "q:1", Smtp(settings, None), delivery, AT)
        assert resent.sent == ["q:1"] and store.send("q:1").status == "sent"
        assert _flush(store, settings).sent == [] and not any("in doubt" in x for x in ledger.status_lines(store))
    assert [to for to, _ in handler.received] == [["p0@example.org"], ["p2@example.org"], ["drop@example.org"]]
    assert handler.ids()[2] == dispatch.build_message(msgs[1], SENDER, AT)["Message-ID"]


class _Killed(BaseException):
    """Stands in for kill -9 (not an Exception: nothing catches it)."""


def test_killed_before_the_text_went_the_next_run_sends_it_once(tmp_path: Path, server):
    """Dead between the RCPTs and DATA: the server never had the text, so the message is still queued."""
    handler, settings = server()

    class DiesBeforeTheText(Smtp):
        def deliver(self, key, sender, recipients, raw, claim):
            def die():
                raise _Killed(key)
            return super().deliver(key, sender, recipients, raw, die)

    with Store.open(tmp_path / "s.sqlite") as store:
        with pytest.raises(_Killed):
            dispatch.send(store, DiesBeforeTheText(settings, None), [_msg("q:1")], SENDER, AT)
        assert store.send("q:1").status == "pending"
        assert _flush(store, settings).sent == ["q:1"]
    assert len(handler.received) == 1


def test_killed_after_the_text_went_is_in_doubt_until_confirmed_then_never_sent_again(tmp_path: Path, server):
    handler, settings = server()

    class DiesAfterTheText(Smtp):
        def deliver(self, key, sender, recipients, raw, claim):
            super().deliver(key, sender, recipients, raw, claim)
            raise _Killed(key)

    with Store.open(tmp_path / "s.sqlite") as store:
        with pytest.raises(_Killed):
            dispatch.send(store, DiesAfterTheText(settings, None), [_msg("q:1")], SENDER, AT)
        assert _flush(store, settings).in_doubt == ["q:1"]
        assert _flush(store, settings).in_doubt == ["q:1"]  # shown every run until the officer acts
        assert ledger.confirm(store, "q:1", AT) == "confirmed: q:1 arrived; it will not be sent again"
        report = _flush(store, settings)
        assert report.in_doubt == [] and report.sent == [] and store.send("q:1").status == "sent"
    assert len(handler.received) == 1


# -- the officer's commands -------------------------------------------------------------------------

def _smtp_cycle(tmp_path: Path, port: int) -> Path:
    """A copy of the bundled cycle that sends by SMTP to 127.0.0.1:port (no TLS, no login)."""
    cycle = tmp_path / "cycle"
    for name in ("config", "evidence", "templates"):
        shutil.copytree(ROOT / name, cycle / name)
    (cycle / "config" / "delivery.yaml").write_text(
        'transport: smtp\nsender: {name: "LSP Officer", email: lsp.officer@example.org}\n'
        f"smtp: {{host: 127.0.0.1, port: {port}, starttls: false, timeout_seconds: 5}}\n"
        "retry: {attempts: 3, wait_minutes: 0}\n")
    return cycle


def scs(cycle: Path, *args: str):
    return CliRunner().invoke(app, ["--config-dir", str(cycle / "config"), "--out-dir", str(cycle / "out"),
                                    "--state-dir", str(cycle / "state"), "--templates-dir", str(cycle / "templates"),
                                    *args])


def test_scs_mail_status_confirm_and_resend(tmp_path: Path, server):
    handler, settings = server(dropping=True)
    cycle = _smtp_cycle(tmp_path, settings.port)
    with Store.open(cycle / "state" / "scs.sqlite") as store:
        _send(store, settings, [_msg("q:1", to="drop@example.org"), _msg("q:2", to="nobody@example.org")])
    status = scs(cycle, "mail", "status")
    assert status.exit_code == 0, status.output
    assert status.stdout.splitlines() == [
        dispatch.in_doubt_line("q:1") + " ('Subject q:1' to drop@example.org)",
        f"2 message(s) in the send ledger {cycle / 'state' / 'scs.sqlite'}: 1 queued, 1 in doubt"]
    wrong = scs(cycle, "mail", "confirm", "q:2")
    assert wrong.exit_code == 2 and wrong.stderr.splitlines() == [
        "error: q:2 is not in doubt (it is queued); only a message in doubt is confirmed"]
    resent = scs(cycle, "mail", "resend", "q:1")
    assert resent.exit_code == 0, resent.output
    assert resent.stdout.splitlines() == ["sent again: q:1"]
    unknown = scs(cycle, "mail", "resend", "q:9")
    assert unknown.exit_code == 2 and "no message 'q:9' in the send ledger" in unknown.stderr
    assert [to for to, _ in handler.received] == [["drop@example.org"]]


def test_scs_questionnaire_send_with_the_server_down_is_one_line(tmp_path: Path):
    port = _free_port()
    cycle = _smtp_cycle(tmp_path, port)
    result = scs(cycle, "questionnaire", "send", "--on", "2010-10-15")
    assert result.exit_code == 2 and "Traceback" not in result.output
    assert result.stderr.splitlines() == [
        f"error: mail server 127.0.0.1:{port} not reachable ([Errno 111] Connection refused): 12 message(s) "
        "queued for the next run"]
    with Store.open(cycle / "state" / "scs.sqlite") as store:
        assert len(store.sends(status="pending")) == 12


def test_a_quiet_day_tick_still_shows_the_messages_in_doubt(tmp_path: Path, server):
    """No action due (so no Prefect), yet the tick's report names each message in doubt."""
    handler, settings = server(dropping=True)
    cycle = _smtp_cycle(tmp_path, settings.port)
    with Store.open(cycle / "state" / "scs.sqlite") as store:
        _send(store, settings, [_msg("q:1", to="drop@example.org")])
    result = scs(cycle, "tick", "--on", "2010-10-01", "--no-pdf")  # before the cycle's first action
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines() == ["nothing was due on 2010-10-01"]
    assert result.stderr.splitlines() == [f"warning: {dispatch.in_doubt_line('q:1')}"]


@pytest.mark.usefixtures("prefect_harness")
def test_ticks_against_a_server_down_then_refusing_one_and_deferring_one(tmp_path: Path, server):
    """Down: one line, nothing lost. Then up: a 5xx for one partner is reported in the tick's output and
    the Prefect artifact; a 4xx for another holds nothing back and goes with the next tick; each message once."""
    from prefect.client.orchestration import get_client

    port = _free_port()
    cycle = _smtp_cycle(tmp_path, port)
    partners = cycle / "config" / "partners.yaml"
    partners.write_text(partners.read_text().replace("policy@breckland.example.org", "nobody@example.org")
                        .replace("partnerships@norfolk-cc.example.org", "busy@example.org"))
    first = scs(cycle, "tick", "--on", "2010-10-15", "--no-pdf")
    assert first.exit_code == 0, first.output
    assert "Traceback" not in first.output
    down = (f"mail server 127.0.0.1:{port} not reachable ([Errno 111] Connection refused): 12 message(s) "
            "queued for the next tick")
    assert first.stderr.splitlines() == [f"warning: {down}"]
    assert first.stdout.splitlines()[-1] == "0 action(s) done on 2010-10-15, 1 waiting for the mail server, " \
                                           "0 message(s) sent"
    with get_client(sync_client=True) as client:
        assert any(down in (a.data or "") for a in client.read_artifacts() if a.key == "daily-tick")

    handler, _ = server(Strict(busy={"busy@example.org": 1}), port=port)
    second = scs(cycle, "tick", "--on", "2010-10-15", "--no-pdf")
    assert second.exit_code == 0, second.output
    assert second.stdout.splitlines()[-1] == "0 action(s) done on 2010-10-15, 1 waiting for the mail server, " \
                                            "10 message(s) sent"
    refused = ("not delivered (refused for good): questionnaire:scs-refresh-2010-11:breckland-council to "
               "nobody@example.org: 550 5.1.1 No such mailbox")
    assert second.stderr.splitlines() == [
        f"warning: {refused}",
        "warning: to be tried again: questionnaire:scs-refresh-2010-11:norfolk-county-council to busy@example.org: "
        "450 4.2.1 Mailbox busy, try again later"]
    with get_client(sync_client=True) as client:
        assert any(refused in (a.data or "") for a in client.read_artifacts() if a.key == "daily-tick")

    third = scs(cycle, "tick", "--on", "2010-10-15", "--no-pdf")
    assert third.stdout.splitlines()[-1] == "1 action(s) done on 2010-10-15, 1 message(s) sent", third.output
    assert third.stderr == ""
    assert scs(cycle, "tick", "--on", "2010-10-15", "--no-pdf").stdout.splitlines() == [
        "nothing was due on 2010-10-15"]
    assert len(handler.received) == 11 and len(set(handler.ids())) == 11

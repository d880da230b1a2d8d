"""The state store on PostgreSQL as on SQLite: the same records, claims that one run wins, cycles kept
apart in one database, migrations (a user's file at the last release's schema upgraded in place,
a database from a newer scs refused), and the officer's bad inputs as one line each, nothing sent.

PostgreSQL is a real server on loopback (tests/postgres_cluster.py)."""

from __future__ import annotations

import sqlite3
import threading
from datetime import date, datetime, timedelta
from pathlib import Path

import pytest

from scs_refresh.core.errors import ConfigError, UserError
from scs_refresh.core.store import MIGRATIONS, StateURL, Store

from .test_mail_servers import Strict, _smtp_cycle, scs, server  # noqa: F401  (server: the SMTP fixture)

AT = datetime(2010, 10, 15, 9, 30)
CYCLE = "Breckland Council/scs-refresh-2010-11"


@pytest.fixture(params=["sqlite", "postgresql"])
def location(request, tmp_path: Path):
    """Where a test's store is: a SQLite file, or this cycle's rows in a new PostgreSQL database."""
    if request.param == "sqlite":
        return tmp_path / "scs.sqlite"
    return StateURL(request.getfixturevalue("pg_url"), CYCLE)


def _enqueue(store: Store, key: str, recipients=("a@example.org",), raw: bytes = b"raw\r\n\x00\xff") -> bool:
    return store.enqueue(key=key, kind="test", partner_id="p1", recipients=list(recipients), subject="s",
                         message_id=f"<{key}@example.org>", raw=raw, at=AT)


def test_the_send_ledger_takes_a_key_once_and_one_claim_wins(location):
    with Store.open(location) as store:
        assert _enqueue(store, "k", ["c@example.org", "a@example.org", "b@example.org"]) is True
        assert _enqueue(store, "k") is False
        assert store.claim("k") is True
        assert store.claim("k") is False  # the other run's claim changes no row
        store.record_answers("k", ["c@example.org", "a@example.org"], {}, {"b@example.org": "550 no such user"}, {})
        assert store.settle("k", AT) == "sent"
        rec = store.send("k")
        assert (rec.status, rec.attempts, rec.sent_at, rec.last_error) == (
            "sent", 1, AT, "refused: b@example.org (550 no such user)")
        assert store.raw("k") == b"raw\r\n\x00\xff"  # the exact bytes, as queued
        assert [r.address for r in store.recipients("k")] == ["c@example.org", "a@example.org", "b@example.org"]


def test_records_read_back_as_written(location):
    with Store.open(location) as store:
        kw = dict(partner_id="p1", source_file="a.docx", source_kind="docx", problems=["q3 blank"], at=AT)
        assert store.save_response(received_on=date(2010, 11, 1), answers={"q": "first"}, **kw) == "new"
        assert store.save_response(received_on=date(2010, 11, 3), answers={"q": "Jobs & skills"}, **kw) == "updated"
        assert store.record_progress(indicator_id="ni-1", period="2010/11", value=23.4, note="", source="ONS",
                                     by="LSP Officer", at=AT) == "new"
        assert store.record_progress(indicator_id="ni-1", period="2010/11", value=71.3, note="revised", source="ONS",
                                     by="LSP Officer", at=AT) == "updated"
        store.interview_requested("p1", date(2010, 11, 1), [datetime(2010, 11, 15, 10)])
        store.interview_recorded("p1", agreed_at=datetime(2010, 11, 15, 10), held=False, notes=None,
                                 on=date(2010, 11, 4))
        store.interview_recorded("p1", agreed_at=None, held=True, notes="Priorities", on=date(2010, 11, 16))
        first = store.add_decision(meeting_id="lsp-board-dec", outcome="deferred", decided_on=date(2010, 12, 3),
                                   note="", amendment=None, by="o", at=AT, replaces=None, expect_latest=None)
        second = store.add_decision(meeting_id="lsp-board-dec", outcome="approved", decided_on=date(2010, 12, 3),
                                    note="", amendment=None, by="o", at=AT, replaces=first.seq,
                                    expect_latest=first.seq)
        with pytest.raises(UserError, match="recorded meanwhile"):
            store.add_decision(meeting_id="lsp-board-dec", outcome="approved", decided_on=date(2010, 12, 3), note="",
                               amendment=None, by="o", at=AT, replaces=None, expect_latest=first.seq)
        replan = store.add_replan(meeting_id="cabinet", new_date=date(2011, 2, 1), by="o", at=AT)
        _enqueue(store, "k")
        records = store.records()
    with Store.read(location) as reader:  # a SQLite file read with sqlite3 itself: the same records
        assert reader.records() == records and reader.raw("k") == b"raw\r\n\x00\xff"
    [resp] = records.responses.values()
    assert (resp.answers, resp.received_on, resp.imports, resp.problems) == (
        {"q": "Jobs & skills"}, date(2010, 11, 3), 2, ["q3 blank"])
    [figure] = records.progress
    assert (figure.value, figure.note, figure.revisions) == (71.3, "revised", 2)  # a double, not a 4-byte float
    iv = records.interviews["p1"]
    assert (iv.agreed_at, iv.held, iv.agreed_on, iv.held_on) == (
        datetime(2010, 11, 15, 10), True, date(2010, 11, 4), date(2010, 11, 16))
    assert second.seq > first.seq
    assert [(d.seq, d.outcome, d.replaced_by) for d in records.decisions] == [
        (first.seq, "deferred", second.seq), (second.seq, "approved", None)]
    assert [(r.seq, r.new_date) for r in records.replans] == [(replan.seq, date(2011, 2, 1))]


def test_an_action_is_claimed_by_one_run_until_done_and_a_crashed_claim_is_taken_over(location):
    now = datetime(2026, 12, 1, 7, 0)
    due = date(2010, 10, 15)
    with Store.open(location) as store:
        assert store.action_started("questionnaires", "send_questionnaires", due, AT, now=now) is True
        assert store.action_started("questionnaires", "send_questionnaires", due, AT, now=now) is False
        # the run that held it stopped without a word: an hour on, the next run takes it over
        later = now + timedelta(hours=1, minutes=1)
        assert store.action_started("questionnaires", "send_questionnaires", due, AT, now=later) is True
        store.action_done("questionnaires", AT, due, "sent 12")
        assert store.action_started("questionnaires", "send_questionnaires", due, AT, now=later) is False
        assert store.actions_done() == {"questionnaires"}
        store.action_started("reminder", "chase_partners", due, AT, now=now)
        store.action_held("reminder", AT, due, "too late")
        assert store.action_started("reminder", "chase_partners", due, AT, now=now) is True  # the officer sends it
        store.action_released("reminder", "held")  # the mail server was down: still the officer's to send
        assert [r["key"] for r in store.actions_held()] == ["reminder"]
        store.action_started("papers", "publish_papers", due, AT, now=now)
        store.action_released("papers")  # the work failed: the very next tick takes it, no hour's wait
        assert store.action_started("papers", "publish_papers", due, AT, now=now) is True


def test_many_cycles_in_one_database_never_cross(pg_url: str):
    other = StateURL(pg_url, "Norwich City Council/scs-refresh-2010-11")
    with Store.open(StateURL(pg_url, CYCLE)) as breckland, Store.open(other) as norwich:
        assert _enqueue(breckland, "questionnaire:p1") and _enqueue(norwich, "questionnaire:p1")
        assert breckland.claim("questionnaire:p1") and norwich.claim("questionnaire:p1")
        breckland.mark_sent("questionnaire:p1", AT)
        breckland.save_response(partner_id="p1", received_on=date(2010, 11, 1), source_file="a.csv",
                                source_kind="csv", answers={}, problems=[], at=AT)
        breckland.action_started("questionnaires", "send_questionnaires", date(2010, 10, 15), AT)
        breckland.action_done("questionnaires", AT, date(2010, 10, 15), "sent")
        norwich.add_decision(meeting_id="cabinet", outcome="approved", decided_on=date(2011, 1, 5), note="",
                             amendment=None, by="o", at=AT, replaces=None, expect_latest=None)
        assert [r.status for r in norwich.sends()] == ["sending"]
        assert [r.status for r in breckland.sends()] == ["sent"]
        assert norwich.responses() == {} and norwich.actions_done() == set()
        assert breckland.decisions() == [] and len(norwich.decisions()) == 1
        norwich.forget()  # `scs demo --fresh` for one council: the other keeps everything
        assert norwich.sends() == [] and norwich.decisions() == []
        assert len(breckland.sends()) == 1 and breckland.actions_done() == {"questionnaires"}


def test_a_new_database_opened_by_two_processes_at_once_is_migrated_once(pg_url: str):
    opened, failed = [], []

    def open_it(cycle: str):
        try:
            with Store.open(StateURL(pg_url, cycle)) as store:
                opened.append(store.schema_version())
        except Exception as exc:  # shown by the assertion below
            failed.append(exc)

    threads = [threading.Thread(target=open_it, args=(f"council {i}/2010-11",)) for i in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert failed == [] and opened == [len(MIGRATIONS)] * 4


def _release_file(path: Path, version: int) -> None:
    """A state file as the last release left it: its schema steps applied by SQLite itself, with records."""
    conn = sqlite3.connect(path)
    for script in MIGRATIONS[:version]:
        conn.executescript(script)
    conn.execute(f"PRAGMA user_version = {version}")
    conn.execute("INSERT INTO sends (key, kind, partner_id, recipients, subject, message_id, raw, status, queued_at) "
                 "VALUES ('questionnaire:p1', 'questionnaire', 'p1', '[\"a@example.org\", \"b@example.org\"]', 's', "
                 "'<m@x>', x'00ff', 'pending', '2010-10-15T07:00:00')")
    conn.execute("INSERT INTO send_recipients (key, address) VALUES ('questionnaire:p1', 'a@example.org'), "
                 "('questionnaire:p1', 'b@example.org')")
    conn.execute("INSERT INTO actions (key, kind, due, status, started_at) VALUES "
                 "('questionnaires', 'send_questionnaires', '2010-10-15', 'started', '2010-10-15T07:00:00')")
    conn.execute("INSERT INTO decisions (meeting_id, outcome, decided_on, recorded_by, recorded_at) VALUES "
                 "('lsp-board-dec', 'approved', '2010-12-03', 'o', '2010-12-03T18:00:00')")
    conn.commit()
    conn.close()


def test_a_users_file_at_the_last_releases_schema_is_upgraded_in_place(tmp_path: Path):
    path = tmp_path / "scs.sqlite"
    _release_file(path, 6)  # schema 6: main before the state could live on PostgreSQL
    with Store.open(path) as store:
        assert store.schema_version() == len(MIGRATIONS)
        assert [(r.key, r.status) for r in store.sends()] == [("questionnaire:p1", "pending")]
        assert store.raw("questionnaire:p1") == b"\x00\xff"
        assert store.due_recipients("questionnaire:p1") == ["a@example.org", "b@example.org"]
        assert [(d.meeting_id, d.outcome) for d in store.decisions()] == [("lsp-board-dec", "approved")]
        # the action a crashed run left 'started' (before claims had a time) is done again by the next
        assert store.action_started("questionnaires", "send_questionnaires", date(2010, 10, 15), AT,
                                    now=datetime(2026, 12, 1, 7)) is True
    columns = {r[1] for r in sqlite3.connect(path).execute("PRAGMA table_info(sends)")}
    assert "cycle" in columns and "raw" not in columns  # the bytes moved to send_bodies (schema 9)


def test_a_store_opened_to_read_reads_and_refuses_to_change_anything(tmp_path: Path):
    path = tmp_path / "scs.sqlite"
    with Store.open(path) as store:
        _enqueue(store, "k")
    with Store.read(path) as reader:
        assert type(reader).__name__ == "_SqliteReader" and reader.schema_version() == len(MIGRATIONS)
        assert [r.key for r in reader.sends()] == ["k"]
        with pytest.raises(RuntimeError, match="opened to read it"):
            reader.claim("k")
    with Store.open(path) as store:
        assert store.send("k").status == "pending"
    _release_file(old := tmp_path / "old.sqlite", 6)  # a file to migrate is opened (and migrated) as open() does
    with Store.read(old) as store:
        assert store.schema_version() == len(MIGRATIONS) and [r.key for r in store.sends()] == ["questionnaire:p1"]
    (bad := tmp_path / "bad.sqlite").write_text("not a database")
    with pytest.raises(ConfigError, match="not a usable state store"):
        Store.read(bad)


def test_a_database_migrated_by_a_newer_scs_is_refused(pg_url: str, tmp_path: Path):
    at = StateURL(pg_url, CYCLE)
    with Store.open(at) as store:
        store._conn.exec_driver_sql(f"UPDATE scs_schema SET version = {len(MIGRATIONS) + 1}")
        store._conn.commit()
    with pytest.raises(UserError, match="newer version of scs") as refused:
        Store.open(at)
    assert f"schema {len(MIGRATIONS) + 1}, this one knows {len(MIGRATIONS)}" in str(refused.value)
    path = tmp_path / "scs.sqlite"
    _release_file(path, 8)  # the last schema whose ledger rows held their message's bytes
    sqlite3.connect(path).execute(f"PRAGMA user_version = {len(MIGRATIONS) + 1}").connection.close()
    with pytest.raises(ConfigError, match="newer version of scs"):
        Store.open(path)


# -- the officer's bad inputs: one line, exit 2, nothing sent ----------------------------------------------

@pytest.fixture
def smtp_cycle(tmp_path: Path, request, monkeypatch):
    """The bundled cycle sending by SMTP to a real server on loopback, whose handler counts what arrives."""
    monkeypatch.delenv("SCS_STATE_URL", raising=False)
    handler, settings = request.getfixturevalue("server")(Strict())
    return handler, _smtp_cycle(tmp_path, settings.port)


def _refused(cycle: Path, url: str, handler: Strict) -> str:
    result = scs(cycle, "--state-url", url, "tick", "--on", "2010-10-15", "--no-pdf")
    assert result.exit_code == 2 and "Traceback" not in result.output, result.output
    assert handler.received == [] and handler.asked == []  # nothing sent
    [line] = result.stderr.splitlines()
    return line


def test_postgresql_not_reachable_is_one_line(smtp_cycle, monkeypatch):
    from .postgres_cluster import _free_port

    handler, cycle = smtp_cycle
    monkeypatch.setenv("PGPASSWORD", "whatever")
    port = _free_port()
    line = _refused(cycle, f"postgresql://scs:s3cret-in-url@127.0.0.1:{port}/scs", handler)
    assert line.startswith(f"error: state store postgresql://scs@127.0.0.1:{port}/scs: PostgreSQL cannot be "
                           "reached (")
    assert "s3cret-in-url" not in line


def test_a_wrong_password_is_one_line_without_the_password(smtp_cycle, pg_url: str, monkeypatch):
    handler, cycle = smtp_cycle
    monkeypatch.setenv("PGPASSWORD", "not-the-password")
    line = _refused(cycle, pg_url, handler)
    assert line.startswith(f"error: state store {pg_url}: PostgreSQL refused the login (")
    assert line.endswith("set PGPASSWORD for that user in the environment") and "not-the-password" not in line


def test_a_state_database_from_a_newer_scs_is_one_line(smtp_cycle, pg_url: str):
    handler, cycle = smtp_cycle
    with Store.open(StateURL(pg_url, CYCLE)) as store:
        store._conn.exec_driver_sql(f"UPDATE scs_schema SET version = {len(MIGRATIONS) + 1}")
        store._conn.commit()
    line = _refused(cycle, pg_url, handler)
    assert line == (f"error: state store {pg_url} (cycle {CYCLE}): written by a newer version of scs (schema "
                    f"{len(MIGRATIONS) + 1}, this one knows {len(MIGRATIONS)}); upgrade scs to use it")


@pytest.mark.parametrize("url", ["sqlite:///state/scs.sqlite", "mysql://scs:pw-in-url@db.example.org/scs",
                                 "postgresql://db.example.org"])
def test_a_url_of_another_kind_is_one_line(smtp_cycle, url: str):
    handler, cycle = smtp_cycle
    line = _refused(cycle, url, handler)
    assert line.startswith("error: --state-url / SCS_STATE_URL: '") and "is not a PostgreSQL URL" in line
    assert "pw-in-url" not in line
    assert not (cycle / "state").exists()


def test_the_tick_on_postgresql_sends_each_message_once_and_keeps_nothing_in_the_state_folder(smtp_cycle, pg_url):
    """The officer's own tick (no Prefect here: the day's plan, then each action run as the flow does)."""
    from scs_refresh.automation import tick
    from scs_refresh.core.folders import Dirs

    handler, cycle = smtp_cycle
    dirs = Dirs(config=cycle / "config", out=cycle / "out", state=cycle / "state", templates=cycle / "templates",
                state_url=pg_url)
    ctx = tick.Context.load(dirs, pdf=False)
    todo = tick.pending(ctx, date(2010, 10, 15))
    results = [tick.run(ctx, action, date(2010, 10, 15)) for action in todo]
    again = tick.pending(ctx, date(2010, 10, 15))
    with Store.open(dirs.store) as store:
        ledger = {r.message_id for r in store.sends(status="sent")}
    assert [r.action.key for r in results] == ["questionnaires"] and again == []
    assert sorted(handler.ids()) == sorted(ledger) and len(ledger) == len(ctx.partners.partners)
    assert not (cycle / "state" / "scs.sqlite").exists()


def test_two_runs_flushing_one_ledger_at_once_send_each_message_once(location, request):
    """Below the action claim: two runs that both flush the same queue (as a second tick sending what is
    left does) race for each message; the conditional claim gives each to one of them."""
    from scs_refresh.mail import dispatch
    from scs_refresh.mail.dispatch import Contact, Smtp

    from .test_mail_servers import NOW, RETRY, SENDER, _msg

    handler, settings = request.getfixturevalue("server")(Strict())
    with Store.open(location) as store:
        queued = dispatch.queue(store, [_msg(f"q:{i}", to=f"p{i}@example.org") for i in range(30)],
                                Contact(name=SENDER.name, email=SENDER.email), AT)
    start, reports, failed = threading.Barrier(2), [], []

    def flush():
        try:
            with Store.open(location) as store:
                start.wait()
                reports.append(dispatch.flush(store, Smtp(settings, None), SENDER, AT, retry=RETRY, clock=lambda: NOW))
        except Exception as exc:  # shown by the assertion below
            failed.append(exc)

    runs = [threading.Thread(target=flush) for _ in range(2)]
    for t in runs:
        t.start()
    for t in runs:
        t.join()
    assert failed == []
    with Store.open(location) as store:
        ledger = {r.message_id for r in store.sends(status="sent")}
    assert len(queued) == 30 and len(ledger) == 30
    assert sorted(handler.ids()) == sorted(ledger)  # each Message-ID once at the server
    assert sorted(reports[0].sent + reports[1].sent) == sorted(queued)  # each run reports only what it sent

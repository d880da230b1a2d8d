"""The SQLite state store: schema migrations, the send ledger, responses, interviews."""

from __future__ import annotations

import sqlite3
from datetime import date, datetime
from pathlib import Path

import pytest

from scs_refresh.core.errors import ConfigError
from scs_refresh.core.store import MIGRATIONS, Store, kept_open

AT = datetime(2010, 10, 15, 9, 30)


def _enqueue(store: Store, key: str) -> bool:
    return store.enqueue(key=key, kind="test", partner_id="p1", recipients=["a@example.org"], subject="s",
                         message_id="<m@example.org>", raw=b"raw", at=AT)


def test_ledger_records_a_key_once_and_moves_pending_sending_sent(tmp_path: Path):
    with Store.open(tmp_path / "state" / "scs.sqlite") as store:
        assert _enqueue(store, "k") is True
        assert _enqueue(store, "k") is False
        assert store.claim("k") is True
        assert store.claim("k") is False  # already being sent
        store.mark_sent("k", AT)
        rec = store.send("k")
        assert (rec.status, rec.attempts, rec.sent_at, rec.recipients) == ("sent", 1, AT, ["a@example.org"])
        assert store.raw("k") == b"raw"


def test_reopening_keeps_everything_and_does_not_migrate_twice(tmp_path: Path):
    path = tmp_path / "scs.sqlite"
    with Store.open(path) as store:
        _enqueue(store, "k")
    with Store.open(path) as store:
        assert [r.key for r in store.sends()] == ["k"]
        assert store.schema_version() == len(MIGRATIONS)


def test_a_run_keeps_the_file_open_yet_others_see_each_commit_and_it_ends_with_the_file_whole(tmp_path: Path):
    """A run (a tick, a replay) holds one connection to the file while it opens the store again and again:
    another reader still sees each commit at once, a state folder deleted and made again meanwhile
    (``--fresh``) is a new store, and when the run ends the file on disk is the store whole (no WAL left)."""
    import shutil

    path = tmp_path / "state" / "scs.sqlite"
    wal = path.with_name(path.name + "-wal")
    with kept_open(path):
        with Store.open(path) as store:
            _enqueue(store, "k")
        assert wal.is_file()  # held: the commit waits in the WAL for a checkpoint
        other = sqlite3.connect(path)  # another process's view: the file and its WAL, no help from ours
        assert other.execute("SELECT key FROM sends").fetchall() == [("k",)]
        other.close()
        shutil.rmtree(path.parent)
        with Store.open(path) as store:
            assert store.sends() == []
            _enqueue(store, "new")
        with Store.read(path) as store:
            assert [r.key for r in store.sends()] == ["new"]
    assert not wal.exists()
    assert [row[0] for row in sqlite3.connect(f"file:{path}?mode=ro", uri=True).execute("SELECT key FROM sends")] \
        == ["new"]


def test_a_store_from_a_newer_version_is_refused(tmp_path: Path):
    path = tmp_path / "scs.sqlite"
    conn = sqlite3.connect(path)
    conn.execute(f"PRAGMA user_version = {len(MIGRATIONS) + 1}")
    conn.close()
    with pytest.raises(ConfigError, match="newer version"):
        Store.open(path)


def test_a_file_that_is_not_a_database_is_refused(tmp_path: Path):
    path = tmp_path / "scs.sqlite"
    path.write_text("not sqlite at all " * 100)
    with pytest.raises(ConfigError, match="not a usable state store"):
        Store.open(path)


def test_response_reimport_updates_and_never_duplicates(tmp_path: Path):
    with Store.open(tmp_path / "s.sqlite") as store:
        kw = dict(partner_id="p1", source_file="a.docx", source_kind="docx", problems=[], at=AT)
        assert store.save_response(received_on=date(2010, 11, 1), answers={"q": "first"}, **kw) == "new"
        assert store.save_response(received_on=date(2010, 11, 3), answers={"q": "second"}, **kw) == "updated"
        [resp] = store.responses().values()
        assert (resp.answers, resp.received_on, resp.imports) == ({"q": "second"}, date(2010, 11, 3), 2)


def test_transaction_rolls_back_everything_on_error(tmp_path: Path):
    with Store.open(tmp_path / "s.sqlite") as store:
        with pytest.raises(RuntimeError):
            with store.transaction():
                store.save_response(partner_id="p1", received_on=date(2010, 11, 1), source_file="f",
                                    source_kind="csv", answers={}, problems=[], at=AT)
                raise RuntimeError("row 3 is bad")
        assert store.responses() == {}


def test_interview_record_keeps_fields_not_given(tmp_path: Path):
    with Store.open(tmp_path / "s.sqlite") as store:
        store.interview_requested("p1", date(2010, 11, 1), [datetime(2010, 11, 15, 10)])
        store.interview_recorded("p1", agreed_at=datetime(2010, 11, 15, 10), held=False, notes=None,
                                 on=date(2010, 11, 4))
        store.interview_recorded("p1", agreed_at=None, held=True, notes="Priorities: <jobs> & skills",
                                 on=date(2010, 11, 16))
        iv = store.interviews()["p1"]
        assert (iv.requested_on, iv.agreed_at, iv.held, iv.notes, iv.agreed_on, iv.held_on) == (
            date(2010, 11, 1), datetime(2010, 11, 15, 10), True, "Priorities: <jobs> & skills", date(2010, 11, 4),
            date(2010, 11, 16))

"""The project's state store: what has happened in a refresh cycle, in SQLite or PostgreSQL.

Config says what should happen; the store records what did: every message sent (the send
ledger, with the server's answer for each recipient), every partner response, every interview,
decisions, re-planned dates and figures. Times are passed in by the caller (the clock is a
parameter), stored as ISO text.

Where: a SQLite file in the state folder (the embedded default), or a PostgreSQL database named
by ``--state-url`` / ``SCS_STATE_URL`` (``postgresql://user@host:port/db``; the password comes from
the environment, PGPASSWORD, never from a file). Both are driven through SQLAlchemy Core (psycopg 3
for PostgreSQL) with the same SQL.

Many cycles, one database: every table's key starts with ``cycle`` (the council and cycle id,
:func:`cycle_key`) and every query filters on it, so one PostgreSQL database holds many councils'
cycles without crossing. A SQLite file holds one cycle, written as ''.

Exactly once across processes: a message or an action is claimed by one conditional UPDATE
(``... WHERE status = 'pending'``) in its own transaction; the process whose UPDATE changed the row
(rowcount 1) does the work, any other leaves it (:meth:`Store.claim`, :meth:`Store.action_started`).

The schema: ``MIGRATIONS`` is ONE ordered list of steps for both databases; to change the schema,
APPEND one entry (never edit one that has shipped). Write it in portable SQL (TEXT, INTEGER, REAL,
BLOB, PRIMARY KEY/UNIQUE, ``ON CONFLICT``; no AUTOINCREMENT, no PRAGMA, no SQLite-only functions),
with ``cycle TEXT NOT NULL DEFAULT ''`` first in every new table's key. The type names PostgreSQL
spells otherwise are translated (:data:`_POSTGRESQL_TYPES`). The schema version is SQLite's
``user_version`` (so users' existing files upgrade in place) or PostgreSQL's ``scs_schema`` table;
a database migrated by a newer scs is refused with one line. Steps are split at ';' once '--'
comments are dropped, so keep both out of string literals. A new method queries through
``Store._x`` with named parameters and ``WHERE cycle = :cycle`` (``_x`` supplies the cycle).
Why not Alembic: a list that several people append to at once merges as text, where Alembic's
chain of revision files forks into two heads that nobody sees until it runs.
"""

from __future__ import annotations

import json
import re
import threading
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from functools import lru_cache
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

from scs_refresh.core.errors import ConfigError, Problem, UserError

#: Append only: each entry upgrades the schema by one version.
MIGRATIONS: list[str] = [
    """
    CREATE TABLE sends (
        key         TEXT PRIMARY KEY,            -- idempotency key: action + recipient (+ date)
        kind        TEXT NOT NULL,               -- questionnaire, reminder, interview-request, ...
        partner_id  TEXT,
        recipients  TEXT NOT NULL,               -- JSON list of addresses (to + cc)
        subject     TEXT NOT NULL,
        message_id  TEXT NOT NULL,
        raw         BLOB NOT NULL,               -- the exact message, so a retry sends the same bytes
        status      TEXT NOT NULL CHECK (status IN ('pending', 'sending', 'sent', 'failed')),
        attempts    INTEGER NOT NULL DEFAULT 0,
        queued_at   TEXT NOT NULL,
        sent_at     TEXT,
        last_error  TEXT
    );
    CREATE INDEX sends_status ON sends (status);
    CREATE INDEX sends_partner ON sends (partner_id, kind);
    CREATE TABLE responses (
        partner_id   TEXT PRIMARY KEY,           -- one response per partner: a re-import updates it
        received_on  TEXT NOT NULL,
        source_file  TEXT NOT NULL,
        source_kind  TEXT NOT NULL,              -- docx, csv, xlsx
        answers      TEXT NOT NULL,              -- JSON {question id: answer text}, stored literally
        problems     TEXT NOT NULL,              -- JSON list of sentences (blank required answers, ...)
        imported_at  TEXT NOT NULL,
        imports      INTEGER NOT NULL DEFAULT 1
    );
    CREATE TABLE interviews (
        partner_id    TEXT PRIMARY KEY,
        requested_on  TEXT,
        slots         TEXT NOT NULL DEFAULT '[]',
        agreed_at     TEXT,
        held          INTEGER NOT NULL DEFAULT 0,
        notes         TEXT NOT NULL DEFAULT ''
    );
    """,
    """
    CREATE TABLE progress_updates (
        indicator_id  TEXT NOT NULL,             -- an indicator id in delivery_plan.yaml
        period        TEXT NOT NULL,             -- the period the figure is for: 2010/11, 2011, ...
        value         REAL NOT NULL,
        note          TEXT NOT NULL DEFAULT '',
        source        TEXT NOT NULL DEFAULT '',  -- where the figure came from
        recorded_by   TEXT NOT NULL,
        recorded_at   TEXT NOT NULL,
        revisions     INTEGER NOT NULL DEFAULT 1, -- re-recording a period updates it, never duplicates
        PRIMARY KEY (indicator_id, period)
    );
    """,
    """
    CREATE TABLE actions (
        key         TEXT PRIMARY KEY,            -- the action's fixed key, e.g. publish:<meeting-id>
        kind        TEXT NOT NULL,
        due         TEXT NOT NULL,               -- the day it fell due
        status      TEXT NOT NULL,               -- started | done
        started_at  TEXT NOT NULL,
        done_at     TEXT,
        ran_on      TEXT,                        -- the (virtual) day of the tick that did it
        detail      TEXT NOT NULL DEFAULT ''     -- what it produced or sent, for the officer
    );
    """,
    """
    CREATE TABLE decisions (
        seq          INTEGER PRIMARY KEY AUTOINCREMENT,  -- order recorded; rows are never deleted (history)
        meeting_id   TEXT NOT NULL,                      -- an event id in timetable.yaml
        outcome      TEXT NOT NULL CHECK (outcome IN ('approved', 'approved_with_amendments', 'deferred', 'rejected')),
        decided_on   TEXT NOT NULL,                      -- the day the meeting decided
        note         TEXT NOT NULL DEFAULT '',
        amendment    TEXT,                               -- the amendment agreed, for approved_with_amendments
        recorded_by  TEXT NOT NULL,
        recorded_at  TEXT NOT NULL,
        replaced_by  INTEGER REFERENCES decisions (seq)  -- set when a later record corrects this one (--replace)
    );
    CREATE INDEX decisions_meeting ON decisions (meeting_id, seq);
    CREATE TABLE replans (
        seq          INTEGER PRIMARY KEY AUTOINCREMENT,  -- the latest row per meeting is the confirmed date
        meeting_id   TEXT NOT NULL,
        new_date     TEXT NOT NULL,
        recorded_by  TEXT NOT NULL,
        recorded_at  TEXT NOT NULL
    );
    """,    """
    CREATE TABLE send_recipients (
        key          TEXT NOT NULL,              -- the message (sends.key)
        address      TEXT NOT NULL,
        status       TEXT NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'accepted', 'refused')),
        tries        INTEGER NOT NULL DEFAULT 0, -- answers of 'try later' (4xx) so far
        answer       TEXT,                       -- the server's last answer for this address
        retry_after  TEXT,                       -- not tried again before this (a 4xx's pause)
        PRIMARY KEY (key, address)
    );
    INSERT OR IGNORE INTO send_recipients (key, address, status)
        SELECT s.key, r.value, CASE s.status WHEN 'sent' THEN 'accepted' WHEN 'failed' THEN 'refused' ELSE 'pending' END
        FROM sends AS s, json_each(s.recipients) AS r;
    """,
    """
    -- the day an interview's date was agreed and the day it was recorded as held, so what was
    -- known on a day can be told; older rows take the day of the agreed slot (or of the request)
    ALTER TABLE interviews ADD COLUMN agreed_on TEXT;
    ALTER TABLE interviews ADD COLUMN held_on TEXT;
    UPDATE interviews SET agreed_on = substr(agreed_at, 1, 10) WHERE agreed_at IS NOT NULL;
    UPDATE interviews SET held_on = COALESCE(substr(agreed_at, 1, 10), requested_on) WHERE held = 1;
    """,
    """
    -- every row carries its cycle (council and cycle id), first in its key, so one PostgreSQL
    -- database holds many councils' cycles; the rows of an existing SQLite file become cycle ''.
    -- An action is claimed ('pending' -> 'started') by one process at a time: claimed_at says when.
    CREATE TABLE sends_c (
        cycle TEXT NOT NULL DEFAULT '', key TEXT NOT NULL, kind TEXT NOT NULL, partner_id TEXT,
        recipients TEXT NOT NULL, subject TEXT NOT NULL, message_id TEXT NOT NULL, raw BLOB NOT NULL,
        status TEXT NOT NULL CHECK (status IN ('pending', 'sending', 'sent', 'failed')),
        attempts INTEGER NOT NULL DEFAULT 0, queued_at TEXT NOT NULL, sent_at TEXT, last_error TEXT,
        PRIMARY KEY (cycle, key)
    );
    INSERT INTO sends_c (key, kind, partner_id, recipients, subject, message_id, raw, status, attempts, queued_at,
                         sent_at, last_error)
        SELECT key, kind, partner_id, recipients, subject, message_id, raw, status, attempts, queued_at, sent_at,
               last_error FROM sends;
    DROP TABLE sends;
    ALTER TABLE sends_c RENAME TO sends;
    CREATE INDEX sends_status ON sends (cycle, status);
    CREATE INDEX sends_partner ON sends (cycle, partner_id, kind);
    CREATE TABLE send_recipients_c (
        cycle TEXT NOT NULL DEFAULT '', key TEXT NOT NULL, address TEXT NOT NULL,
        position INTEGER NOT NULL DEFAULT 0,     -- the address's place among the message's recipients
        status TEXT NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'accepted', 'refused')),
        tries INTEGER NOT NULL DEFAULT 0, answer TEXT, retry_after TEXT,
        PRIMARY KEY (cycle, key, address)
    );
    INSERT INTO send_recipients_c (key, address, position, status, tries, answer, retry_after)
        SELECT key, address, 0, status, tries, answer, retry_after FROM send_recipients;
    DROP TABLE send_recipients;
    ALTER TABLE send_recipients_c RENAME TO send_recipients;
    CREATE TABLE responses_c (
        cycle TEXT NOT NULL DEFAULT '', partner_id TEXT NOT NULL, received_on TEXT NOT NULL,
        source_file TEXT NOT NULL, source_kind TEXT NOT NULL, answers TEXT NOT NULL, problems TEXT NOT NULL,
        imported_at TEXT NOT NULL, imports INTEGER NOT NULL DEFAULT 1,
        PRIMARY KEY (cycle, partner_id)
    );
    INSERT INTO responses_c (partner_id, received_on, source_file, source_kind, answers, problems, imported_at,
                             imports)
        SELECT partner_id, received_on, source_file, source_kind, answers, problems, imported_at, imports
        FROM responses;
    DROP TABLE responses;
    ALTER TABLE responses_c RENAME TO responses;
    CREATE TABLE interviews_c (
        cycle TEXT NOT NULL DEFAULT '', partner_id TEXT NOT NULL, requested_on TEXT,
        slots TEXT NOT NULL DEFAULT '[]', agreed_at TEXT, held INTEGER NOT NULL DEFAULT 0,
        notes TEXT NOT NULL DEFAULT '', agreed_on TEXT, held_on TEXT,
        PRIMARY KEY (cycle, partner_id)
    );
    INSERT INTO interviews_c (partner_id, requested_on, slots, agreed_at, held, notes, agreed_on, held_on)
        SELECT partner_id, requested_on, slots, agreed_at, held, notes, agreed_on, held_on FROM interviews;
    DROP TABLE interviews;
    ALTER TABLE interviews_c RENAME TO interviews;
    CREATE TABLE progress_updates_c (
        cycle TEXT NOT NULL DEFAULT '', indicator_id TEXT NOT NULL, period TEXT NOT NULL, value REAL NOT NULL,
        note TEXT NOT NULL DEFAULT '', source TEXT NOT NULL DEFAULT '', recorded_by TEXT NOT NULL,
        recorded_at TEXT NOT NULL, revisions INTEGER NOT NULL DEFAULT 1,
        PRIMARY KEY (cycle, indicator_id, period)
    );
    INSERT INTO progress_updates_c (indicator_id, period, value, note, source, recorded_by, recorded_at, revisions)
        SELECT indicator_id, period, value, note, source, recorded_by, recorded_at, revisions FROM progress_updates;
    DROP TABLE progress_updates;
    ALTER TABLE progress_updates_c RENAME TO progress_updates;
    CREATE TABLE actions_c (
        cycle TEXT NOT NULL DEFAULT '', key TEXT NOT NULL, kind TEXT NOT NULL, due TEXT NOT NULL,
        status TEXT NOT NULL,                    -- pending | started | done | held
        started_at TEXT, done_at TEXT, ran_on TEXT, detail TEXT NOT NULL DEFAULT '',
        claimed_at TEXT,                         -- when (real time) a run claimed it; a stale claim is taken over
        PRIMARY KEY (cycle, key)
    );
    INSERT INTO actions_c (key, kind, due, status, started_at, done_at, ran_on, detail)
        SELECT key, kind, due, status, started_at, done_at, ran_on, detail FROM actions;
    DROP TABLE actions;
    ALTER TABLE actions_c RENAME TO actions;
    ALTER TABLE decisions ADD COLUMN cycle TEXT NOT NULL DEFAULT '';
    DROP INDEX decisions_meeting;
    CREATE INDEX decisions_meeting ON decisions (cycle, meeting_id, seq);
    ALTER TABLE replans ADD COLUMN cycle TEXT NOT NULL DEFAULT '';
    """,
    """
    -- comments partners returned on a draft of the Strategy, and the officer's response to each
    CREATE TABLE strategy_comments (
        cycle         TEXT NOT NULL DEFAULT '',
        key           TEXT NOT NULL,             -- partner, version and a digest of what was said: re-importing adds nothing
        partner_id    TEXT NOT NULL,
        received_on   TEXT NOT NULL,
        version       INTEGER NOT NULL,          -- the draft version commented on
        section       TEXT NOT NULL,             -- the Strategy's section: 'vision', a theme id, or 'general'
        kind          TEXT NOT NULL,             -- comment | change (a tracked change or a proposed rewording)
        text          TEXT NOT NULL,             -- the partner's words, literally
        old_text      TEXT,                      -- a change: the words as they stood
        new_text      TEXT,                      -- ... and as the partner would have them
        source_file   TEXT NOT NULL,
        response      TEXT,                      -- accepted | partly | not, once the officer has answered
        reason        TEXT,
        change_to     TEXT,                      -- the words the officer put into the Strategy
        responded_on  TEXT,
        responded_by  TEXT,
        recorded_at   TEXT NOT NULL,
        PRIMARY KEY (cycle, key)
    );
    """,
    # 9: each message's bytes in a table of their own. A ledger row holding its message (board packs
    # attached: ~260 KB each) made every read of the ledger walk all the bytes ever sent, and the
    # ledger is read whenever a paper or a status is written.
    """
    CREATE TABLE send_bodies (
        cycle TEXT NOT NULL DEFAULT '',
        key   TEXT NOT NULL,                     -- the message (sends.key)
        raw   BLOB NOT NULL,                     -- the exact message, so a retry sends the same bytes
        PRIMARY KEY (cycle, key)
    );
    INSERT INTO send_bodies (cycle, key, raw) SELECT cycle, key, raw FROM sends;
    ALTER TABLE sends DROP COLUMN raw;
    """,
]

#: Steps PostgreSQL takes instead of a shipped entry: SQLite-only backfills of data that a PostgreSQL
#: database (first supported at schema 7, so always new then) never held.
_POSTGRESQL_INSTEAD: dict[int, str] = {
    5: """
    CREATE TABLE send_recipients (
        key TEXT NOT NULL, address TEXT NOT NULL,
        status TEXT NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'accepted', 'refused')),
        tries INTEGER NOT NULL DEFAULT 0, answer TEXT, retry_after TEXT,
        PRIMARY KEY (key, address)
    );
    """,
}

#: What PostgreSQL calls the SQLite types the migrations are written with.
_POSTGRESQL_TYPES = [(re.compile(r"\bINTEGER PRIMARY KEY AUTOINCREMENT\b"), "INTEGER GENERATED BY DEFAULT AS IDENTITY "
                      "PRIMARY KEY"),
                     (re.compile(r"\bBLOB\b"), "BYTEA"),
                     (re.compile(r"\bREAL\b"), "DOUBLE PRECISION")]


@dataclass(frozen=True)
class SendRecord:
    """One row of the send ledger (without the message bytes)."""

    key: str
    kind: str
    partner_id: str | None
    recipients: list[str]
    subject: str
    message_id: str
    status: str
    attempts: int
    queued_at: datetime
    sent_at: datetime | None
    last_error: str | None


@dataclass(frozen=True)
class RecipientRecord:
    """One address of a message in the send ledger: whether the server has taken it for them."""

    address: str
    status: str  # pending | accepted | refused
    tries: int  # answers of 'try later' (4xx)
    answer: str | None  # the server's last answer for this address
    retry_after: datetime | None


@dataclass(frozen=True)
class Response:
    partner_id: str
    received_on: date
    source_file: str
    source_kind: str
    answers: dict[str, str]
    problems: list[str]
    imported_at: datetime
    imports: int


@dataclass(frozen=True)
class Interview:
    partner_id: str
    requested_on: date | None
    slots: list[datetime]
    agreed_at: datetime | None
    held: bool
    notes: str
    agreed_on: date | None = None  # the day the agreed date was recorded
    held_on: date | None = None  # the day it was recorded as held


@dataclass(frozen=True)
class ProgressUpdate:
    """A figure for a delivery plan indicator, recorded by hand."""

    indicator_id: str
    period: str
    value: float
    note: str
    source: str
    recorded_by: str
    recorded_at: datetime
    revisions: int


@dataclass(frozen=True)
class DecisionRecord:
    """A meeting's decision as recorded; ``replaced_by`` is set once a correction replaced it."""

    seq: int
    meeting_id: str
    outcome: str
    decided_on: date
    note: str
    amendment: str | None
    recorded_by: str
    recorded_at: datetime
    replaced_by: int | None = None


@dataclass(frozen=True)
class CommentRecord:
    """A partner's comment on a draft of the Strategy and, once given, the officer's response."""

    key: str
    partner_id: str
    received_on: date
    version: int
    section: str
    kind: str  # comment | change
    text: str
    old_text: str | None
    new_text: str | None
    source_file: str
    response: str | None = None  # accepted | partly | not
    reason: str | None = None
    change_to: str | None = None
    responded_on: date | None = None
    responded_by: str | None = None


@dataclass(frozen=True)
class Replan:
    """A new date for a meeting, confirmed by the officer (the latest per meeting counts)."""

    seq: int
    meeting_id: str
    new_date: date
    recorded_by: str
    recorded_at: datetime


def _dt(text: str | None) -> datetime | None:
    return None if text is None else datetime.fromisoformat(text)


def _d(text: str | None) -> date | None:
    return None if text is None else date.fromisoformat(text)


@dataclass(frozen=True)
class Records:
    """Everything the store holds about what happened, read at once (without the messages' bytes).

    What the papers, statuses and scorecards for a day are written from is these records as
    known on that day: ``scs_refresh.as_at.records_on`` gives that view.
    """

    responses: dict[str, Response]
    interviews: dict[str, Interview]
    sends: list[SendRecord]
    decisions: list[DecisionRecord]
    replans: list[Replan]
    progress: list[ProgressUpdate]

    @classmethod
    def none(cls) -> Records:
        """Before the store exists nothing has happened."""
        return cls({}, {}, [], [], [], [])

    def send(self, key: str) -> SendRecord | None:
        return next((r for r in self.sends if r.key == key), None)

    def sends_of(self, *, kind: str | None = None, partner_id: str | None = None,
                 status: str | None = None) -> list[SendRecord]:
        return [r for r in self.sends if (kind is None or r.kind == kind)
                and (partner_id is None or r.partner_id == partner_id) and (status is None or r.status == status)]


def _send(row: Mapping) -> SendRecord:
    return SendRecord(row["key"], row["kind"], row["partner_id"], json.loads(row["recipients"]), row["subject"],
                      row["message_id"], row["status"], row["attempts"], _dt(row["queued_at"]),
                      _dt(row["sent_at"]), row["last_error"])


_SEND_COLUMNS = "key, kind, partner_id, recipients, subject, message_id, status, attempts, queued_at, sent_at, last_error"


@dataclass(frozen=True)
class StateURL:
    """A state store on PostgreSQL: its URL (without a password) and the cycle whose rows are this store."""

    url: str
    cycle: str

    def __str__(self) -> str:
        return f"{self.url} (cycle {self.cycle})"


#: Where a cycle's state is: a SQLite file, or a PostgreSQL database and the cycle's key in it.
Location = Path | StateURL

_SCHEMES = ("postgresql", "postgres", "postgresql+psycopg")


def state_url(text: str) -> str:
    """The ``--state-url`` as given, checked, with any password moved into PGPASSWORD (the environment), so
    the URL can be shown, logged and passed to a flow run without it."""
    import os

    parts = urlsplit(text.strip())
    if parts.scheme not in _SCHEMES or not parts.hostname or not parts.path.strip("/"):
        raise UserError(f"--state-url / SCS_STATE_URL: '{_safe(text)}' is not a PostgreSQL URL; write "
                        "postgresql://USER@HOST:PORT/DATABASE (the password in PGPASSWORD), or leave it unset "
                        "to keep the state in STATE_DIR/scs.sqlite")
    if parts.password is not None:
        os.environ.setdefault("PGPASSWORD", parts.password)
    return _safe(text.strip())


def _safe(url: str) -> str:
    """The URL with its password left out, for every line a person or a log sees."""
    parts = urlsplit(url)
    try:
        if parts.password is None:
            return url
    except ValueError:  # not even a URL
        return url
    netloc = parts.netloc.rsplit("@", 1)[1]
    return urlunsplit(parts._replace(netloc=f"{parts.username}@{netloc}" if parts.username else netloc))


def cycle_key(timetable: Path) -> str:
    """The cycle's key in a shared database: its council and cycle id from timetable.yaml
    ("Breckland Council/scs-refresh-2010-11"), so two councils, or two years of one, never cross."""
    try:
        return _cycle_key(Path(timetable), Path(timetable).stat().st_mtime_ns)
    except OSError as exc:
        raise ConfigError([Problem(Path(timetable), f"cannot be read ({exc.strerror}); the state store on "
                                   "PostgreSQL needs the cycle's council and id from it")]) from None


@lru_cache(maxsize=64)
def _cycle_key(timetable: Path, _mtime: int) -> str:
    import yaml

    try:
        cycle = (yaml.safe_load(timetable.read_text(encoding="utf-8")) or {}).get("cycle") or {}
    except yaml.YAMLError:
        cycle = {}
    if not (isinstance(cycle, dict) and cycle.get("council") and cycle.get("id")):
        raise ConfigError([Problem(timetable, "the state store on PostgreSQL keeps each cycle apart by its council "
                                   "and id; set both", key="cycle")])
    return f"{cycle['council']}/{cycle['id']}"


def exists(location: Location) -> bool:
    """Whether anything can have been recorded yet (a SQLite file is made on first use; a database is there)."""
    return isinstance(location, StateURL) or Path(location).exists()


@dataclass(frozen=True)
class _Result:
    rowcount: int
    rows: list[Mapping]


@lru_cache(maxsize=512)
def _statement(sql: str):
    """SQLAlchemy's statement for ``sql``, made once: the store runs a few dozen statements some thousands of
    times a cycle, and each new ``text()`` was parsed for its parameters and keyed for the compiled cache again
    (a statement is immutable; its values are given at each execution)."""
    from sqlalchemy import text

    return text(sql)


class Store:
    """The state store of one cycle; open with ``Store.open(location)`` and use as a context manager."""

    def __init__(self, conn, path: Path | str, cycle: str):
        self._conn = conn
        self.path = path  # what the officer is told the store is: the file, or the URL and cycle
        self.cycle = cycle
        self._in_transaction = False

    @classmethod
    def open(cls, location: Location) -> Store:
        from sqlalchemy.exc import DBAPIError

        if isinstance(location, StateURL):
            engine, shown, cycle = _postgresql(location.url), str(location), location.cycle
        else:
            path = Path(location)
            path.parent.mkdir(parents=True, exist_ok=True)
            engine, shown, cycle = _sqlite(path), path, ""
        conn = None
        try:
            conn = engine.connect()
            _migrate(conn)
        except (DBAPIError, _Newer) as exc:
            if conn is not None:
                conn.close()
            raise _refused(location, exc, connected=conn is not None) from None
        if not isinstance(location, StateURL):
            _hold_open(path)
        return cls(conn, shown, cycle)

    @classmethod
    def read(cls, location: Location) -> Store:
        """The store opened only to read it. A SQLite file at this schema is read through Python's own
        sqlite3, with the same SQL and methods: what only reads it (the timetable as re-planned, the
        records as at a day) needs neither SQLAlchemy's import (half of `scs timetable`) nor an engine.
        Anything else (PostgreSQL, a file to migrate or refuse, none yet) is opened as ``open`` does."""
        import sqlite3

        if isinstance(location, StateURL) or not Path(location).is_file():
            return cls.open(location)
        conn = None
        try:
            conn = sqlite3.connect(Path(location), timeout=30, isolation_level=None)
            current = conn.execute("PRAGMA user_version").fetchone()[0] == len(MIGRATIONS)
        except sqlite3.Error:
            current = False
        if not current:  # open() migrates it, or refuses it in one line
            if conn is not None:
                conn.close()
            return cls.open(location)
        _hold_open(Path(location))
        return _SqliteReader(conn, Path(location), "")

    def close(self) -> None:
        self._conn.close()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def schema_version(self) -> int:
        with self.transaction():
            return _version(self._conn)

    @contextmanager
    def transaction(self) -> Iterator[Store]:
        """All or nothing: an import that fails half-way leaves what was stored untouched."""
        if self._in_transaction:  # part of the enclosing one
            yield self
            return
        with self._conn.begin():
            self._in_transaction = True
            try:
                yield self
            finally:
                self._in_transaction = False

    def _x(self, sql: str, rows: list[dict] | None = None, /, **params) -> _Result:
        """Run one statement (for each of ``rows``, if given) for this cycle, in its own transaction unless
        one is open."""
        args = [dict(r, cycle=self.cycle) for r in rows] if rows is not None else dict(params, cycle=self.cycle)
        if rows is not None and not rows:
            return _Result(0, [])
        with self.transaction():
            result = self._conn.execute(_statement(sql), args)
            return _Result(result.rowcount, [dict(r) for r in result.mappings()] if result.returns_rows else [])

    # -- the send ledger ------------------------------------------------------------------
    def enqueue(self, *, key: str, kind: str, partner_id: str | None, recipients: list[str], subject: str,
                message_id: str, raw: bytes, at: datetime) -> bool:
        """Record a message as pending before it is sent; False if the key is already in the ledger."""
        with self.transaction():
            new = self._x(
                "INSERT INTO sends (cycle, key, kind, partner_id, recipients, subject, message_id, status, "
                "queued_at) VALUES (:cycle, :key, :kind, :partner_id, :recipients, :subject, :message_id, "
                "'pending', :at) ON CONFLICT DO NOTHING",
                key=key, kind=kind, partner_id=partner_id, recipients=json.dumps(recipients), subject=subject,
                message_id=message_id, at=at.isoformat()).rowcount == 1
            if new:
                self._x("INSERT INTO send_bodies (cycle, key, raw) VALUES (:cycle, :key, :raw)", key=key, raw=raw)
                self._x("INSERT INTO send_recipients (cycle, key, address, position) "
                        "VALUES (:cycle, :key, :address, :position) ON CONFLICT DO NOTHING",
                        [{"key": key, "address": a, "position": i} for i, a in enumerate(recipients)])
        return new

    def claim(self, key: str) -> bool:
        """pending -> sending, recorded before the message leaves; False if another run has it."""
        return self._x("UPDATE sends SET status = 'sending', attempts = attempts + 1 "
                       "WHERE cycle = :cycle AND key = :key AND status = 'pending'", key=key).rowcount == 1

    def mark_sent(self, key: str, at: datetime, note: str | None = None) -> None:
        self._x("UPDATE sends SET status = 'sent', sent_at = :at, last_error = :note WHERE cycle = :cycle AND key = :key",
                at=at.isoformat(), note=note, key=key)

    def release(self, key: str, error: str) -> None:
        """sending -> pending: the attempt failed before delivery, so the next run sends it."""
        self._x("UPDATE sends SET status = 'pending', last_error = :error WHERE cycle = :cycle AND key = :key",
                error=error, key=key)

    def mark_failed(self, key: str, error: str) -> None:
        """The server refused it for good (e.g. unknown mailbox): kept, shown, not retried."""
        self._x("UPDATE sends SET status = 'failed', last_error = :error WHERE cycle = :cycle AND key = :key",
                error=error, key=key)

    def raw(self, key: str) -> bytes:
        return bytes(self._x("SELECT raw FROM send_bodies WHERE cycle = :cycle AND key = :key", key=key).rows[0]["raw"])

    def sends(self, *, status: str | None = None, kind: str | None = None,
              partner_id: str | None = None) -> list[SendRecord]:
        given = {"status": status, "kind": kind, "partner_id": partner_id}
        where = "".join(f" AND {column} = :{column}" for column, value in given.items() if value is not None)
        return [_send(r) for r in self._x(f"SELECT {_SEND_COLUMNS} FROM sends WHERE cycle = :cycle{where} "
                                          "ORDER BY queued_at, key", **given).rows]

    def send(self, key: str) -> SendRecord | None:
        rows = self._x(f"SELECT {_SEND_COLUMNS} FROM sends WHERE cycle = :cycle AND key = :key", key=key).rows
        return _send(rows[0]) if rows else None

    # -- each recipient of a message ----------------------------------------------------------
    def recipients(self, key: str) -> list[RecipientRecord]:
        return [RecipientRecord(r["address"], r["status"], r["tries"], r["answer"], _dt(r["retry_after"]))
                for r in self._x("SELECT * FROM send_recipients WHERE cycle = :cycle AND key = :key "
                                 "ORDER BY position, address", key=key).rows]

    def due_recipients(self, key: str, now: datetime | None = None) -> list[str]:
        """The addresses still to be offered the message: pending and, after a 'try later', past their pause."""
        return [r.address for r in self.recipients(key)
                if r.status == "pending" and (now is None or r.retry_after is None or r.retry_after <= now)]

    def record_answers(self, key: str, accepted: list[str], deferred: dict[str, str], refused: dict[str, str],
                       waits: dict[str, datetime]) -> None:
        """What the server said to each address offered the message (one transaction)."""
        where = " WHERE cycle = :cycle AND key = :key AND address = :address"
        with self.transaction():
            self._x("UPDATE send_recipients SET status = 'accepted', answer = NULL, retry_after = NULL" + where,
                    [{"key": key, "address": a} for a in accepted])
            self._x("UPDATE send_recipients SET tries = tries + 1, answer = :why, retry_after = :wait" + where,
                    [{"why": why, "wait": waits[a].isoformat(), "key": key, "address": a}
                     for a, why in deferred.items()])
            self._x("UPDATE send_recipients SET status = 'refused', answer = :why, retry_after = NULL" + where,
                    [{"why": why, "key": key, "address": a} for a, why in refused.items()])

    def settle(self, key: str, at: datetime) -> str:
        """The message's state from its recipients': 'sent' once none is left to try and the server took
        it for at least one, 'failed' when it refused every one, else 'pending' (tried again later)."""
        rows = self.recipients(key)
        left = [r for r in rows if r.status == "pending"]
        refused = "; ".join(f"refused: {r.address} ({r.answer})" for r in rows if r.status == "refused") or None
        if left:
            waiting = "; ".join(f"try later: {r.address} ({r.answer})" for r in left if r.answer)
            self.release(key, "; ".join(x for x in (waiting, refused) if x) or "to be tried again")
            return "pending"
        if any(r.status == "accepted" for r in rows):
            self.mark_sent(key, at, refused)
            return "sent"
        self.mark_failed(key, refused or "refused")
        return "failed"

    def confirm(self, key: str, at: datetime, note: str) -> None:
        """A message in doubt arrived after all (the outbox found its file, or the officer checked)."""
        with self.transaction():
            self._x("UPDATE send_recipients SET status = 'accepted', answer = :note "
                    "WHERE cycle = :cycle AND key = :key AND status = 'pending'", note=note, key=key)
            self.mark_sent(key, at, note)

    def resend(self, key: str, note: str) -> None:
        """Offer the message again, the same bytes and Message-ID, to every address that does not have it."""
        with self.transaction():
            self._x("UPDATE send_recipients SET status = 'pending', tries = 0, answer = NULL, retry_after = NULL "
                    "WHERE cycle = :cycle AND key = :key AND status != 'accepted'", key=key)
            self.release(key, note)

    # -- responses ------------------------------------------------------------------------
    def save_response(self, *, partner_id: str, received_on: date, source_file: str, source_kind: str,
                      answers: dict[str, str], problems: list[str], at: datetime) -> str:
        """Insert or replace a partner's response; returns 'new' or 'updated'."""
        with self.transaction():
            existed = self._x("SELECT 1 FROM responses WHERE cycle = :cycle AND partner_id = :partner_id",
                              partner_id=partner_id).rows
            self._x(
                "INSERT INTO responses (cycle, partner_id, received_on, source_file, source_kind, answers, problems, "
                "imported_at) VALUES (:cycle, :partner_id, :received_on, :source_file, :source_kind, :answers, "
                ":problems, :at) ON CONFLICT (cycle, partner_id) DO UPDATE SET received_on = excluded.received_on, "
                "source_file = excluded.source_file, source_kind = excluded.source_kind, answers = excluded.answers, "
                "problems = excluded.problems, imported_at = excluded.imported_at, imports = responses.imports + 1",
                partner_id=partner_id, received_on=received_on.isoformat(), source_file=source_file,
                source_kind=source_kind, answers=json.dumps(answers, ensure_ascii=False),
                problems=json.dumps(problems), at=at.isoformat())
        return "updated" if existed else "new"

    def responses(self) -> dict[str, Response]:
        return {r["partner_id"]: Response(r["partner_id"], date.fromisoformat(r["received_on"]), r["source_file"],
                                          r["source_kind"], json.loads(r["answers"]), json.loads(r["problems"]),
                                          _dt(r["imported_at"]), r["imports"])
                for r in self._x("SELECT * FROM responses WHERE cycle = :cycle ORDER BY partner_id").rows}

    # -- interviews -----------------------------------------------------------------------
    def interview_requested(self, partner_id: str, on: date, slots: list[datetime]) -> None:
        self._x(
            "INSERT INTO interviews (cycle, partner_id, requested_on, slots) VALUES (:cycle, :partner_id, :on, :slots) "
            "ON CONFLICT (cycle, partner_id) DO UPDATE SET requested_on = excluded.requested_on, slots = excluded.slots",
            partner_id=partner_id, on=on.isoformat(), slots=json.dumps([s.isoformat() for s in slots]))

    def interview_recorded(self, partner_id: str, *, agreed_at: datetime | None, held: bool, notes: str | None,
                           on: date) -> None:
        """Record, on day ``on``, the agreed date and, once held, the notes; a field not given keeps its value."""
        with self.transaction():
            self._x("INSERT INTO interviews (cycle, partner_id) VALUES (:cycle, :partner_id) ON CONFLICT DO NOTHING",
                    partner_id=partner_id)
            self._x(
                "UPDATE interviews SET agreed_at = COALESCE(:agreed_at, agreed_at), "
                "held = CASE WHEN :held = 1 THEN 1 ELSE held END, notes = COALESCE(:notes, notes), "
                "agreed_on = COALESCE(:agreed_on, agreed_on), "
                "held_on = CASE WHEN :held = 1 AND held_on IS NULL THEN :on ELSE held_on END "
                "WHERE cycle = :cycle AND partner_id = :partner_id",
                agreed_at=agreed_at.isoformat() if agreed_at else None, held=int(held), notes=notes,
                agreed_on=on.isoformat() if agreed_at else None, on=on.isoformat(), partner_id=partner_id)

    def interviews(self) -> dict[str, Interview]:
        return {r["partner_id"]: Interview(
                    r["partner_id"], _d(r["requested_on"]),
                    [datetime.fromisoformat(s) for s in json.loads(r["slots"])], _dt(r["agreed_at"]),
                    bool(r["held"]), r["notes"], _d(r["agreed_on"]), _d(r["held_on"]))
                for r in self._x("SELECT * FROM interviews WHERE cycle = :cycle ORDER BY partner_id").rows}

    # -- the action ledger (daily tick) -----------------------------------------------------
    def action_started(self, key: str, kind: str, due: date, at: datetime, *, now: datetime | None = None,
                       lease: timedelta = timedelta(hours=1)) -> bool:
        """Claim the action for this run, recorded before the work; False if another run has it.

        One conditional UPDATE in one transaction: the row (made 'pending' if new) becomes 'started'
        only if nobody holds it, so of two ticks at the same moment one does it. A run that crashed
        leaves 'started': its claim (``now``, real time) is taken over once ``lease`` has passed, and
        the work done again (safely: each message it sends has its own key in the send ledger).
        Without ``now`` (a single process, e.g. the simulation) any 'started' row is taken over.
        """
        claimed = (now or datetime.now()).isoformat()
        stale = "" if now is None else (now - lease).isoformat()
        with self.transaction():
            self._x("INSERT INTO actions (cycle, key, kind, due, status) VALUES (:cycle, :key, :kind, :due, 'pending') "
                    "ON CONFLICT DO NOTHING", key=key, kind=kind, due=due.isoformat())
            return self._x(
                "UPDATE actions SET status = 'started', started_at = :at, claimed_at = :claimed "
                "WHERE cycle = :cycle AND key = :key AND (status IN ('pending', 'held') OR (status = 'started' AND "
                "(:stale = '' OR claimed_at IS NULL OR claimed_at < :stale)))",
                at=at.isoformat(), claimed=claimed, stale=stale, key=key).rowcount == 1

    def action_released(self, key: str, status: str = "pending") -> None:
        """The run that claimed it stops without finishing it (mail left queued, or the work failed): the
        next tick takes it (``status`` 'pending'), or it stays listed for the officer ('held')."""
        self._x("UPDATE actions SET status = :status, claimed_at = NULL WHERE cycle = :cycle AND key = :key "
                "AND status = 'started'", status=status, key=key)

    def action_done(self, key: str, at: datetime, ran_on: date, detail: str) -> None:
        self._x("UPDATE actions SET status = 'done', done_at = :at, ran_on = :ran_on, detail = :detail "
                "WHERE cycle = :cycle AND key = :key", at=at.isoformat(), ran_on=ran_on.isoformat(), detail=detail,
                key=key)

    def actions_done(self) -> set[str]:
        return {r["key"] for r in self._x("SELECT key FROM actions WHERE cycle = :cycle AND status = 'done'").rows}

    def action_held(self, key: str, at: datetime, ran_on: date, detail: str) -> None:
        """A message caught up too late to send blindly: kept for the officer to send or skip (`scs pending`)."""
        self._x("UPDATE actions SET status = 'held', done_at = :at, ran_on = :ran_on, detail = :detail "
                "WHERE cycle = :cycle AND key = :key", at=at.isoformat(), ran_on=ran_on.isoformat(), detail=detail,
                key=key)

    def actions_held(self) -> list[Mapping]:
        """The held actions (key, kind, due, ran_on, detail), oldest first."""
        return self._x("SELECT * FROM actions WHERE cycle = :cycle AND status = 'held' ORDER BY due, key").rows

    def action_log(self) -> list[Mapping]:
        return self._x("SELECT * FROM actions WHERE cycle = :cycle ORDER BY due, started_at").rows

    # -- delivery plan progress ------------------------------------------------------------
    def record_progress(self, *, indicator_id: str, period: str, value: float, note: str, source: str,
                        by: str, at: datetime) -> str:
        """Insert or replace the figure for one indicator and period; returns 'new' or 'updated'."""
        with self.transaction():
            existed = self._x("SELECT 1 FROM progress_updates WHERE cycle = :cycle AND indicator_id = :indicator_id "
                              "AND period = :period", indicator_id=indicator_id, period=period).rows
            self._x(
                "INSERT INTO progress_updates (cycle, indicator_id, period, value, note, source, recorded_by, "
                "recorded_at) VALUES (:cycle, :indicator_id, :period, :value, :note, :source, :by, :at) "
                "ON CONFLICT (cycle, indicator_id, period) DO UPDATE SET value = excluded.value, "
                "note = excluded.note, source = excluded.source, recorded_by = excluded.recorded_by, "
                "recorded_at = excluded.recorded_at, revisions = progress_updates.revisions + 1",
                indicator_id=indicator_id, period=period, value=value, note=note, source=source, by=by,
                at=at.isoformat())
        return "updated" if existed else "new"

    def progress_updates(self) -> list[ProgressUpdate]:
        return [ProgressUpdate(r["indicator_id"], r["period"], r["value"], r["note"], r["source"], r["recorded_by"],
                               datetime.fromisoformat(r["recorded_at"]), r["revisions"])
                for r in self._x("SELECT * FROM progress_updates WHERE cycle = :cycle "
                                 "ORDER BY indicator_id, recorded_at").rows]

    # -- committee decisions and re-planned dates -----------------------------------------
    def add_decision(self, *, meeting_id: str, outcome: str, decided_on: date, note: str, amendment: str | None,
                     by: str, at: datetime, replaces: int | None, expect_latest: int | None) -> DecisionRecord:
        """Append a decision (marking ``replaces`` as replaced by it), all or nothing.

        ``expect_latest`` is the newest seq for the meeting the caller checked against: if another
        decision arrived meanwhile, nothing is written and a UserError says so.
        """
        with self.transaction():
            latest = self._x("SELECT MAX(seq) AS seq FROM decisions WHERE cycle = :cycle AND meeting_id = :meeting_id",
                             meeting_id=meeting_id).rows[0]["seq"]
            if latest != expect_latest:
                raise UserError(f"{self.path}: a decision for {meeting_id} was recorded meanwhile; run the command again")
            seq = self._x(
                "INSERT INTO decisions (cycle, meeting_id, outcome, decided_on, note, amendment, recorded_by, "
                "recorded_at) VALUES (:cycle, :meeting_id, :outcome, :decided_on, :note, :amendment, :by, :at) "
                "RETURNING seq", meeting_id=meeting_id, outcome=outcome, decided_on=decided_on.isoformat(), note=note,
                amendment=amendment, by=by, at=at.isoformat()).rows[0]["seq"]
            if replaces is not None:
                self._x("UPDATE decisions SET replaced_by = :seq WHERE cycle = :cycle AND seq = :replaces",
                        seq=seq, replaces=replaces)
        return DecisionRecord(seq, meeting_id, outcome, decided_on, note, amendment, by, at)

    def decisions(self) -> list[DecisionRecord]:
        """Every decision ever recorded, replaced ones included, in the order recorded."""
        return [DecisionRecord(r["seq"], r["meeting_id"], r["outcome"], date.fromisoformat(r["decided_on"]), r["note"],
                               r["amendment"], r["recorded_by"], datetime.fromisoformat(r["recorded_at"]),
                               r["replaced_by"])
                for r in self._x("SELECT * FROM decisions WHERE cycle = :cycle ORDER BY seq").rows]

    def add_replan(self, *, meeting_id: str, new_date: date, by: str, at: datetime) -> Replan:
        seq = self._x("INSERT INTO replans (cycle, meeting_id, new_date, recorded_by, recorded_at) "
                      "VALUES (:cycle, :meeting_id, :new_date, :by, :at) RETURNING seq", meeting_id=meeting_id,
                      new_date=new_date.isoformat(), by=by, at=at.isoformat()).rows[0]["seq"]
        return Replan(seq, meeting_id, new_date, by, at)

    def replans(self) -> list[Replan]:
        """Every re-planned date recorded, in order (earlier ones for a meeting are its history)."""
        return [Replan(r["seq"], r["meeting_id"], date.fromisoformat(r["new_date"]), r["recorded_by"],
                       datetime.fromisoformat(r["recorded_at"]))
                for r in self._x("SELECT * FROM replans WHERE cycle = :cycle ORDER BY seq").rows]

    # -- comments on the draft Strategy ----------------------------------------------------
    _COMMENT_COLUMNS = ("key", "partner_id", "received_on", "version", "section", "kind", "text", "old_text",
                        "new_text", "source_file")

    def add_comments(self, comments: list[CommentRecord], at: datetime) -> list[CommentRecord]:
        """Store the comments not already stored (by key), all or nothing; return those added."""
        columns = ", ".join(self._COMMENT_COLUMNS)
        values = ", ".join(f":{c}" for c in self._COMMENT_COLUMNS)
        added = []
        with self.transaction():
            for c in comments:
                row = {k: getattr(c, k) for k in self._COMMENT_COLUMNS}
                row["received_on"] = c.received_on.isoformat()
                if self._x(f"INSERT INTO strategy_comments (cycle, {columns}, recorded_at) "
                           f"VALUES (:cycle, {values}, :at) ON CONFLICT DO NOTHING", **row, at=at.isoformat()).rowcount:
                    added.append(c)
        return added

    def respond_comment(self, key: str, *, response: str, reason: str, change_to: str | None, on: date,
                        by: str) -> None:
        self._x("UPDATE strategy_comments SET response = :response, reason = :reason, change_to = :change_to, "
                "responded_on = :on, responded_by = :by WHERE cycle = :cycle AND key = :key",
                response=response, reason=reason, change_to=change_to, on=on.isoformat(), by=by, key=key)

    def strategy_comments(self) -> list[CommentRecord]:
        """Every comment stored, in the order received."""
        return [CommentRecord(r["key"], r["partner_id"], date.fromisoformat(r["received_on"]), r["version"],
                              r["section"], r["kind"], r["text"], r["old_text"], r["new_text"], r["source_file"],
                              r["response"], r["reason"], r["change_to"], _d(r["responded_on"]), r["responded_by"])
                for r in self._x("SELECT * FROM strategy_comments WHERE cycle = :cycle "
                                 "ORDER BY received_on, recorded_at, key").rows]

    def forget(self) -> None:
        """Delete every row of this cycle, in every table that has one (`scs demo --fresh` on a shared
        database): the other cycles in the database are untouched."""
        from sqlalchemy import inspect

        with self.transaction():
            catalog = inspect(self._conn)
            for table in catalog.get_table_names():
                if any(c["name"] == "cycle" for c in catalog.get_columns(table)):
                    self._x(f"DELETE FROM {table} WHERE cycle = :cycle")

    # -- everything at once ----------------------------------------------------------------
    def records(self) -> Records:
        """Every record the store holds, read in one go (see :class:`Records`)."""
        with self.transaction():  # one consistent view
            return Records(self.responses(), self.interviews(), self.sends(), self.decisions(), self.replans(),
                           self.progress_updates())


class _SqliteReader(Store):
    """A SQLite state file read with Python's sqlite3 (:meth:`Store.read`): the same queries, in a
    read transaction each (one consistent view, as ``records`` asks); anything but a read is refused."""

    def schema_version(self) -> int:
        return self._conn.execute("PRAGMA user_version").fetchone()[0]

    @contextmanager
    def transaction(self) -> Iterator[Store]:
        if self._in_transaction:
            yield self
            return
        self._conn.execute("BEGIN")
        self._in_transaction = True
        try:
            yield self
        finally:
            self._in_transaction = False
            self._conn.execute("ROLLBACK")  # it only read

    def _x(self, sql: str, rows: list[dict] | None = None, /, **params) -> _Result:
        if rows is not None or not sql.lstrip().upper().startswith("SELECT"):
            raise RuntimeError(f"{self.path}: the state store was opened to read it, not to change it")
        with self.transaction():
            cursor = self._conn.execute(sql, dict(params, cycle=self.cycle))
            names = [c[0] for c in cursor.description]
            return _Result(cursor.rowcount, [dict(zip(names, row)) for row in cursor.fetchall()])


# -- the two databases ------------------------------------------------------------------------

@lru_cache(maxsize=16)
def _sqlite(path: Path):
    """A SQLite engine that opens a connection per store (as the file is per cycle folder), WAL, and takes
    the write lock when a transaction begins (BEGIN IMMEDIATE), so a claim cannot interleave. One per file
    for the process: it holds no connection (NullPool), and a tick opens the store a few hundred times."""
    from sqlalchemy import create_engine, event
    from sqlalchemy.pool import NullPool

    engine = create_engine(f"sqlite:///{path}", poolclass=NullPool, connect_args={"timeout": 30})

    @event.listens_for(engine, "connect")
    def _connect(dbapi_conn, _record):
        dbapi_conn.isolation_level = None  # the transactions are ours, not the driver's
        _wal(dbapi_conn)
        dbapi_conn.execute("PRAGMA synchronous=FULL")

    @event.listens_for(engine, "begin")
    def _begin(conn):
        conn.exec_driver_sql("BEGIN IMMEDIATE")

    return engine


_held: dict[Path, tuple[int, object]] = {}  # a file being kept open -> its inode and its idle connection
_keepers: dict[Path, int] = {}
_held_lock = threading.Lock()


@contextmanager
def kept_open(location: Location) -> Iterator[None]:
    """While a run (a day's tick, a replay) opens the store again and again, one idle connection to its
    SQLite file is held. SQLite checkpoints the WAL into the file, with its fsyncs, whenever the last
    connection closes, and a tick opens and closes the store hundreds of times; held, the WAL is
    checkpointed as it fills, each commit still synced, and once more when the run ends. Only for
    the run: between runs nothing is held, so the file on disk is the store whole."""
    if isinstance(location, StateURL):
        yield
        return
    path = Path(location)
    with _held_lock:
        _keepers[path] = _keepers.get(path, 0) + 1
    try:
        yield
    finally:
        with _held_lock:
            _keepers[path] -= 1
            if not _keepers[path]:
                del _keepers[path]
                held = _held.pop(path, None)
                if held is not None:
                    held[1].close()


def _hold_open(path: Path) -> None:
    """The idle connection of :func:`kept_open`, made at the first open of a file being kept (a fresh run
    makes the file then); a file replaced meanwhile (deleted and made again) gets a new one."""
    import sqlite3

    with _held_lock:
        if path not in _keepers:
            return
        try:
            inode = path.stat().st_ino
        except OSError:
            return
        held = _held.get(path)
        if held is not None and held[0] == inode:
            return
        if held is not None:
            held[1].close()
        conn = sqlite3.connect(path, timeout=30, check_same_thread=False)
        conn.execute("SELECT count(*) FROM sqlite_master").fetchall()  # a read joins it to the WAL
        _held[path] = (inode, conn)


def _wal(dbapi_conn, tries: int = 100) -> None:
    """Put the file in WAL mode. Two processes opening a new file at once both ask for it; SQLite answers the
    loser 'database is locked' at once, without waiting its busy timeout, so ask again after a moment."""
    import sqlite3
    import time

    for attempt in range(tries):
        try:
            dbapi_conn.execute("PRAGMA journal_mode=WAL")
            return
        except sqlite3.OperationalError as exc:
            if "locked" not in str(exc) or attempt == tries - 1:
                raise
            time.sleep(0.05)


@lru_cache(maxsize=16)
def _postgresql(url: str):
    """One pooled engine per database for the process (psycopg 3); the password comes from PGPASSWORD."""
    from sqlalchemy import create_engine
    from sqlalchemy.engine import make_url

    target = make_url(url).set(drivername="postgresql+psycopg")
    return create_engine(target, pool_pre_ping=True, pool_size=2, connect_args={"connect_timeout": 10})


def _reason(exc: Exception) -> str:
    """The database's own first line, without the driver's class names (a password is never in it)."""
    text = str(getattr(exc, "orig", None) or exc).strip().splitlines()
    return text[0] if text else type(exc).__name__


def _refused(location: Location, exc: Exception, *, connected: bool) -> UserError:
    """One line for a store that cannot be used: unreachable, a login refused, newer, or not a database."""
    reason = _reason(exc)
    upgrade = "; upgrade scs to use it" if isinstance(exc, _Newer) else ""
    if not isinstance(location, StateURL):
        return ConfigError([Problem(Path(location), f"not a usable state store ({reason}){upgrade}")])
    if connected:
        return UserError(f"state store {location}: {reason}{upgrade}")
    if "password authentication failed" in reason or "no password supplied" in reason:
        return UserError(f"state store {location.url}: PostgreSQL refused the login ({reason}); set PGPASSWORD for "
                         "that user in the environment")
    return UserError(f"state store {location.url}: PostgreSQL cannot be reached ({reason}); start it, or correct "
                     "--state-url")


class _Newer(Exception):
    """The database was migrated by a newer scs than this one."""


def _statements(script: str) -> list[str]:
    """A migration's statements: comments dropped, split at each ';'."""
    text = "\n".join(line.split("--", 1)[0] for line in script.splitlines())
    return [s.strip() for s in text.split(";") if s.strip()]


def _step(number: int, dialect: str) -> str:
    """Migration ``number`` (1-based) as ``dialect`` takes it."""
    script = MIGRATIONS[number - 1]
    if dialect == "postgresql":
        script = _POSTGRESQL_INSTEAD.get(number, script)
        for pattern, name in _POSTGRESQL_TYPES:
            script = pattern.sub(name, script)
    return script


def _version(conn) -> int:
    if conn.dialect.name == "sqlite":
        return conn.exec_driver_sql("PRAGMA user_version").scalar()
    if conn.exec_driver_sql("SELECT to_regclass('scs_schema')").scalar() is None:
        return 0
    return conn.exec_driver_sql("SELECT MAX(version) FROM scs_schema").scalar() or 0


def _migrate(conn) -> None:
    """Bring the schema up to date, all steps in one transaction, one process at a time."""
    dialect = conn.dialect.name
    with conn.begin():
        if _version(conn) == len(MIGRATIONS):  # the usual case, under no lock
            return
    with conn.begin():
        if dialect == "postgresql":  # two processes opening a new database: one migrates, the other waits
            conn.exec_driver_sql("SELECT pg_advisory_xact_lock(160016)")
            conn.exec_driver_sql("CREATE TABLE IF NOT EXISTS scs_schema (version INTEGER NOT NULL)")
        version = _version(conn)
        if version > len(MIGRATIONS):
            raise _Newer(f"written by a newer version of scs (schema {version}, this one knows {len(MIGRATIONS)})")
        for number in range(version + 1, len(MIGRATIONS) + 1):
            for statement in _statements(_step(number, dialect)):
                conn.exec_driver_sql(statement)
        if dialect == "sqlite":
            conn.exec_driver_sql(f"PRAGMA user_version = {len(MIGRATIONS)}")
        else:
            conn.exec_driver_sql("DELETE FROM scs_schema")
            conn.exec_driver_sql(f"INSERT INTO scs_schema (version) VALUES ({len(MIGRATIONS)})")

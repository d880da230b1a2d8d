"""The project's state store: one SQLite file holding what has happened in a refresh cycle.

Config says what should happen; the store records what did: every message sent (the send
ledger, with the server's answer for each recipient), every partner response, every interview, and later decisions and paper versions.
Each change of schema is a numbered migration, so an older file is upgraded in place.
Times are passed in by the caller (the clock is a parameter), stored as ISO text.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path

from scs_refresh.core.errors import ConfigError, Problem, UserError

#: Append only: each entry upgrades the schema by one version (PRAGMA user_version).
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
    -- comments partners returned on a draft of the Strategy, and the officer's response to each
    CREATE TABLE strategy_comments (
        key           TEXT PRIMARY KEY,          -- partner, version and a digest of what was said: re-importing adds nothing
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
        recorded_at   TEXT NOT NULL
    );
    """,
]


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


def _send(row: sqlite3.Row) -> SendRecord:
    return SendRecord(row["key"], row["kind"], row["partner_id"], json.loads(row["recipients"]), row["subject"],
                      row["message_id"], row["status"], row["attempts"], _dt(row["queued_at"]),
                      _dt(row["sent_at"]), row["last_error"])


_SEND_COLUMNS = "key, kind, partner_id, recipients, subject, message_id, status, attempts, queued_at, sent_at, last_error"


class Store:
    """The SQLite state store; open with ``Store.open(path)`` and use as a context manager."""

    def __init__(self, conn: sqlite3.Connection, path: Path):
        self.conn = conn
        self.path = path

    @classmethod
    def open(cls, path: Path) -> Store:
        path = Path(path)
        path.parent.mkdir(parents=True, exist_ok=True)
        try:
            conn = sqlite3.connect(path, timeout=30, isolation_level=None)
            conn.row_factory = sqlite3.Row
            conn.execute("PRAGMA journal_mode=WAL")
            conn.execute("PRAGMA synchronous=FULL")
            _migrate(conn)
        except sqlite3.DatabaseError as exc:
            raise ConfigError([Problem(path, f"not a usable state store ({exc})")]) from None
        return cls(conn, path)

    def close(self) -> None:
        self.conn.close()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    @contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        """All or nothing: an import that fails half-way leaves what was stored untouched."""
        self.conn.execute("BEGIN IMMEDIATE")
        try:
            yield self.conn
        except BaseException:
            self.conn.execute("ROLLBACK")
            raise
        self.conn.execute("COMMIT")

    # -- the send ledger ------------------------------------------------------------------
    def enqueue(self, *, key: str, kind: str, partner_id: str | None, recipients: list[str], subject: str,
                message_id: str, raw: bytes, at: datetime) -> bool:
        """Record a message as pending before it is sent; False if the key is already in the ledger."""
        cur = self.conn.execute(
            "INSERT OR IGNORE INTO sends (key, kind, partner_id, recipients, subject, message_id, raw, status, "
            "queued_at) VALUES (?, ?, ?, ?, ?, ?, ?, 'pending', ?)",
            (key, kind, partner_id, json.dumps(recipients), subject, message_id, raw, at.isoformat()))
        if cur.rowcount != 1:
            return False
        self.conn.executemany("INSERT OR IGNORE INTO send_recipients (key, address) VALUES (?, ?)",
                              [(key, a) for a in recipients])
        return True

    def claim(self, key: str) -> bool:
        """pending -> sending, recorded before the message leaves; False if someone else has it."""
        cur = self.conn.execute(
            "UPDATE sends SET status = 'sending', attempts = attempts + 1 WHERE key = ? AND status = 'pending'", (key,))
        return cur.rowcount == 1

    def mark_sent(self, key: str, at: datetime, note: str | None = None) -> None:
        self.conn.execute("UPDATE sends SET status = 'sent', sent_at = ?, last_error = ? WHERE key = ?",
                          (at.isoformat(), note, key))

    def release(self, key: str, error: str) -> None:
        """sending -> pending: the attempt failed before delivery, so the next run sends it."""
        self.conn.execute("UPDATE sends SET status = 'pending', last_error = ? WHERE key = ?", (error, key))

    def mark_failed(self, key: str, error: str) -> None:
        """The server refused it for good (e.g. unknown mailbox): kept, shown, not retried."""
        self.conn.execute("UPDATE sends SET status = 'failed', last_error = ? WHERE key = ?", (error, key))

    def raw(self, key: str) -> bytes:
        return self.conn.execute("SELECT raw FROM sends WHERE key = ?", (key,)).fetchone()["raw"]

    def sends(self, *, status: str | None = None, kind: str | None = None,
              partner_id: str | None = None) -> list[SendRecord]:
        where, args = [], []
        for column, value in (("status", status), ("kind", kind), ("partner_id", partner_id)):
            if value is not None:
                where.append(f"{column} = ?")
                args.append(value)
        sql = f"SELECT {_SEND_COLUMNS} FROM sends"
        sql += f" WHERE {' AND '.join(where)}" if where else ""
        return [_send(r) for r in self.conn.execute(sql + " ORDER BY queued_at, key", args)]

    def send(self, key: str) -> SendRecord | None:
        row = self.conn.execute(f"SELECT {_SEND_COLUMNS} FROM sends WHERE key = ?", (key,)).fetchone()
        return None if row is None else _send(row)

    # -- each recipient of a message ----------------------------------------------------------
    def recipients(self, key: str) -> list[RecipientRecord]:
        return [RecipientRecord(r["address"], r["status"], r["tries"], r["answer"], _dt(r["retry_after"]))
                for r in self.conn.execute("SELECT * FROM send_recipients WHERE key = ? ORDER BY rowid", (key,))]

    def due_recipients(self, key: str, now: datetime | None = None) -> list[str]:
        """The addresses still to be offered the message: pending and, after a 'try later', past their pause."""
        return [r.address for r in self.recipients(key)
                if r.status == "pending" and (now is None or r.retry_after is None or r.retry_after <= now)]

    def record_answers(self, key: str, accepted: list[str], deferred: dict[str, str], refused: dict[str, str],
                       waits: dict[str, datetime]) -> None:
        """What the server said to each address offered the message (one transaction)."""
        with self.transaction() as conn:
            conn.executemany("UPDATE send_recipients SET status = 'accepted', answer = NULL, retry_after = NULL "
                             "WHERE key = ? AND address = ?", [(key, a) for a in accepted])
            conn.executemany("UPDATE send_recipients SET tries = tries + 1, answer = ?, retry_after = ? "
                             "WHERE key = ? AND address = ?",
                             [(why, waits[a].isoformat(), key, a) for a, why in deferred.items()])
            conn.executemany("UPDATE send_recipients SET status = 'refused', answer = ?, retry_after = NULL "
                             "WHERE key = ? AND address = ?", [(why, key, a) for a, why in refused.items()])

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
        with self.transaction() as conn:
            conn.execute("UPDATE send_recipients SET status = 'accepted', answer = ? WHERE key = ? AND "
                         "status = 'pending'", (note, key))
            conn.execute("UPDATE sends SET status = 'sent', sent_at = ?, last_error = ? WHERE key = ?",
                         (at.isoformat(), note, key))

    def resend(self, key: str, note: str) -> None:
        """Offer the message again, the same bytes and Message-ID, to every address that does not have it."""
        with self.transaction() as conn:
            conn.execute("UPDATE send_recipients SET status = 'pending', tries = 0, answer = NULL, retry_after = NULL "
                         "WHERE key = ? AND status != 'accepted'", (key,))
            conn.execute("UPDATE sends SET status = 'pending', last_error = ? WHERE key = ?", (note, key))

    # -- responses ------------------------------------------------------------------------
    def save_response(self, *, partner_id: str, received_on: date, source_file: str, source_kind: str,
                      answers: dict[str, str], problems: list[str], at: datetime) -> str:
        """Insert or replace a partner's response; returns 'new' or 'updated'."""
        existed = self.conn.execute("SELECT 1 FROM responses WHERE partner_id = ?", (partner_id,)).fetchone()
        self.conn.execute(
            "INSERT INTO responses (partner_id, received_on, source_file, source_kind, answers, problems, imported_at) "
            "VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (partner_id) DO UPDATE SET received_on = excluded.received_on, "
            "source_file = excluded.source_file, source_kind = excluded.source_kind, answers = excluded.answers, "
            "problems = excluded.problems, imported_at = excluded.imported_at, imports = imports + 1",
            (partner_id, received_on.isoformat(), source_file, source_kind, json.dumps(answers, ensure_ascii=False),
             json.dumps(problems), at.isoformat()))
        return "updated" if existed else "new"

    def responses(self) -> dict[str, Response]:
        return {r["partner_id"]: Response(r["partner_id"], date.fromisoformat(r["received_on"]), r["source_file"],
                                          r["source_kind"], json.loads(r["answers"]), json.loads(r["problems"]),
                                          _dt(r["imported_at"]), r["imports"])
                for r in self.conn.execute("SELECT * FROM responses ORDER BY partner_id")}

    # -- interviews -----------------------------------------------------------------------
    def interview_requested(self, partner_id: str, on: date, slots: list[datetime]) -> None:
        self.conn.execute(
            "INSERT INTO interviews (partner_id, requested_on, slots) VALUES (?, ?, ?) ON CONFLICT (partner_id) "
            "DO UPDATE SET requested_on = excluded.requested_on, slots = excluded.slots",
            (partner_id, on.isoformat(), json.dumps([s.isoformat() for s in slots])))

    def interview_recorded(self, partner_id: str, *, agreed_at: datetime | None, held: bool, notes: str | None,
                           on: date) -> None:
        """Record, on day ``on``, the agreed date and, once held, the notes; a field not given keeps its value."""
        self.conn.execute("INSERT OR IGNORE INTO interviews (partner_id) VALUES (?)", (partner_id,))
        self.conn.execute(
            "UPDATE interviews SET agreed_at = COALESCE(?, agreed_at), held = MAX(held, ?), "
            "notes = COALESCE(?, notes), agreed_on = CASE WHEN ? IS NULL THEN agreed_on ELSE ? END, "
            "held_on = CASE WHEN ? AND held_on IS NULL THEN ? ELSE held_on END WHERE partner_id = ?",
            (agreed_at.isoformat() if agreed_at else None, int(held), notes, agreed_at and on.isoformat(),
             on.isoformat(), int(held), on.isoformat(), partner_id))

    def interviews(self) -> dict[str, Interview]:
        return {r["partner_id"]: Interview(
                    r["partner_id"], _d(r["requested_on"]),
                    [datetime.fromisoformat(s) for s in json.loads(r["slots"])], _dt(r["agreed_at"]),
                    bool(r["held"]), r["notes"], _d(r["agreed_on"]), _d(r["held_on"]))
                for r in self.conn.execute("SELECT * FROM interviews ORDER BY partner_id")}

    # -- the action ledger (daily tick) -----------------------------------------------------
    def action_started(self, key: str, kind: str, due: date, at: datetime) -> None:
        """Recorded before the work: a crash leaves 'started', and the next tick does it again
        (safely: each message it sends has its own key in the send ledger)."""
        self.conn.execute(
            "INSERT INTO actions (key, kind, due, status, started_at) VALUES (?, ?, ?, 'started', ?) "
            "ON CONFLICT (key) DO UPDATE SET started_at = excluded.started_at WHERE status = 'started'",
            (key, kind, due.isoformat(), at.isoformat()))

    def action_done(self, key: str, at: datetime, ran_on: date, detail: str) -> None:
        self.conn.execute("UPDATE actions SET status = 'done', done_at = ?, ran_on = ?, detail = ? WHERE key = ?",
                          (at.isoformat(), ran_on.isoformat(), detail, key))

    def actions_done(self) -> set[str]:
        return {r["key"] for r in self.conn.execute("SELECT key FROM actions WHERE status = 'done'")}

    def action_held(self, key: str, at: datetime, ran_on: date, detail: str) -> None:
        """A message caught up too late to send blindly: kept for the officer to send or skip (`scs pending`)."""
        self.conn.execute("UPDATE actions SET status = 'held', done_at = ?, ran_on = ?, detail = ? WHERE key = ?",
                          (at.isoformat(), ran_on.isoformat(), detail, key))

    def actions_held(self) -> list[sqlite3.Row]:
        """The held actions (key, kind, due, ran_on, detail), oldest first."""
        return list(self.conn.execute("SELECT * FROM actions WHERE status = 'held' ORDER BY due, key"))

    def action_log(self) -> list[sqlite3.Row]:
        return list(self.conn.execute("SELECT * FROM actions ORDER BY due, started_at"))

    # -- delivery plan progress ------------------------------------------------------------
    def record_progress(self, *, indicator_id: str, period: str, value: float, note: str, source: str,
                        by: str, at: datetime) -> str:
        """Insert or replace the figure for one indicator and period; returns 'new' or 'updated'."""
        existed = self.conn.execute("SELECT 1 FROM progress_updates WHERE indicator_id = ? AND period = ?",
                                    (indicator_id, period)).fetchone()
        self.conn.execute(
            "INSERT INTO progress_updates (indicator_id, period, value, note, source, recorded_by, recorded_at) "
            "VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (indicator_id, period) DO UPDATE SET value = excluded.value, "
            "note = excluded.note, source = excluded.source, recorded_by = excluded.recorded_by, "
            "recorded_at = excluded.recorded_at, revisions = revisions + 1",
            (indicator_id, period, value, note, source, by, at.isoformat()))
        return "updated" if existed else "new"

    def progress_updates(self) -> list[ProgressUpdate]:
        return [ProgressUpdate(r["indicator_id"], r["period"], r["value"], r["note"], r["source"], r["recorded_by"],
                               datetime.fromisoformat(r["recorded_at"]), r["revisions"])
                for r in self.conn.execute("SELECT * FROM progress_updates ORDER BY indicator_id, recorded_at")]

    # -- committee decisions and re-planned dates -----------------------------------------
    def add_decision(self, *, meeting_id: str, outcome: str, decided_on: date, note: str, amendment: str | None,
                     by: str, at: datetime, replaces: int | None, expect_latest: int | None) -> DecisionRecord:
        """Append a decision (marking ``replaces`` as replaced by it), all or nothing.

        ``expect_latest`` is the newest seq for the meeting the caller checked against: if another
        decision arrived meanwhile, nothing is written and a UserError says so.
        """
        with self.transaction() as conn:
            latest = conn.execute("SELECT MAX(seq) FROM decisions WHERE meeting_id = ?", (meeting_id,)).fetchone()[0]
            if latest != expect_latest:
                raise UserError(f"{self.path}: a decision for {meeting_id} was recorded meanwhile; run the command again")
            seq = conn.execute(
                "INSERT INTO decisions (meeting_id, outcome, decided_on, note, amendment, recorded_by, recorded_at) "
                "VALUES (?, ?, ?, ?, ?, ?, ?)",
                (meeting_id, outcome, decided_on.isoformat(), note, amendment, by, at.isoformat())).lastrowid
            if replaces is not None:
                conn.execute("UPDATE decisions SET replaced_by = ? WHERE seq = ?", (seq, replaces))
        return DecisionRecord(seq, meeting_id, outcome, decided_on, note, amendment, by, at)

    def decisions(self) -> list[DecisionRecord]:
        """Every decision ever recorded, replaced ones included, in the order recorded."""
        return [DecisionRecord(r["seq"], r["meeting_id"], r["outcome"], date.fromisoformat(r["decided_on"]), r["note"],
                               r["amendment"], r["recorded_by"], datetime.fromisoformat(r["recorded_at"]),
                               r["replaced_by"])
                for r in self.conn.execute("SELECT * FROM decisions ORDER BY seq")]

    def add_replan(self, *, meeting_id: str, new_date: date, by: str, at: datetime) -> Replan:
        seq = self.conn.execute("INSERT INTO replans (meeting_id, new_date, recorded_by, recorded_at) VALUES (?, ?, ?, ?)",
                                (meeting_id, new_date.isoformat(), by, at.isoformat())).lastrowid
        return Replan(seq, meeting_id, new_date, by, at)

    def replans(self) -> list[Replan]:
        """Every re-planned date recorded, in order (earlier ones for a meeting are its history)."""
        return [Replan(r["seq"], r["meeting_id"], date.fromisoformat(r["new_date"]), r["recorded_by"],
                       datetime.fromisoformat(r["recorded_at"]))
                for r in self.conn.execute("SELECT * FROM replans ORDER BY seq")]

    # -- comments on the draft Strategy ----------------------------------------------------
    _COMMENT_COLUMNS = ("key", "partner_id", "received_on", "version", "section", "kind", "text", "old_text",
                        "new_text", "source_file")

    def add_comments(self, comments: list[CommentRecord], at: datetime) -> list[CommentRecord]:
        """Store the comments not already stored (by key), all or nothing; return those added."""
        added = []
        with self.transaction() as conn:
            for c in comments:
                if conn.execute("SELECT 1 FROM strategy_comments WHERE key = ?", (c.key,)).fetchone():
                    continue
                values = [getattr(c, k) for k in self._COMMENT_COLUMNS]
                values[2] = c.received_on.isoformat()
                conn.execute(f"INSERT INTO strategy_comments ({', '.join(self._COMMENT_COLUMNS)}, recorded_at) "
                             f"VALUES ({', '.join('?' * (len(values) + 1))})", (*values, at.isoformat()))
                added.append(c)
        return added

    def respond_comment(self, key: str, *, response: str, reason: str, change_to: str | None, on: date,
                        by: str) -> None:
        self.conn.execute("UPDATE strategy_comments SET response = ?, reason = ?, change_to = ?, responded_on = ?, "
                          "responded_by = ? WHERE key = ?", (response, reason, change_to, on.isoformat(), by, key))

    def strategy_comments(self) -> list[CommentRecord]:
        """Every comment stored, in the order received."""
        return [CommentRecord(r["key"], r["partner_id"], date.fromisoformat(r["received_on"]), r["version"],
                              r["section"], r["kind"], r["text"], r["old_text"], r["new_text"], r["source_file"],
                              r["response"], r["reason"], r["change_to"], _d(r["responded_on"]), r["responded_by"])
                for r in self.conn.execute("SELECT * FROM strategy_comments ORDER BY received_on, recorded_at, key")]

    # -- everything at once ----------------------------------------------------------------
    def records(self) -> Records:
        """Every record the store holds, read in one go (see :class:`Records`)."""
        return Records(self.responses(), self.interviews(), self.sends(), self.decisions(), self.replans(),
                       self.progress_updates())


def _migrate(conn: sqlite3.Connection) -> None:
    version = conn.execute("PRAGMA user_version").fetchone()[0]
    if version > len(MIGRATIONS):
        raise sqlite3.DatabaseError(f"written by a newer version of scs (schema {version}, this one knows "
                                    f"{len(MIGRATIONS)})")
    for number, script in enumerate(MIGRATIONS[version:], version + 1):
        conn.executescript(f"BEGIN IMMEDIATE; {script}; PRAGMA user_version = {number}; COMMIT;")

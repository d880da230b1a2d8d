"""The send ledger as the officer meets it: what needs them (a message in doubt, an address refused,
one waiting to be tried again), and what they can do with a message in doubt: confirm it arrived,
or send it again with the same Message-ID (``scs mail status|confirm|resend``)."""

from __future__ import annotations

from collections import Counter
from datetime import datetime

from scs_refresh.core.errors import UserError
from scs_refresh.core.store import SendRecord, Store
from scs_refresh.mail.dispatch import DeliverySettings, Report, Transport, flush, in_doubt_line

#: how the ledger's states read to the officer
STATES = {"pending": "queued", "sending": "in doubt", "sent": "sent", "failed": "refused"}


def status_lines(store: Store) -> list[str]:
    """Each message in doubt, each address refused or waiting, then the counts (``scs mail status``)."""
    sends = store.sends()
    lines = [in_doubt_line(r.key) + f" ('{r.subject}' to {', '.join(r.recipients)})"
             for r in sends if r.status == "sending"]
    for r in sends:
        for who in store.recipients(r.key):
            if who.status == "refused":
                lines.append(f"not delivered (refused for good): {r.key} to {who.address}: {who.answer}")
            elif who.status == "pending" and who.tries:
                when = f"; next try after {who.retry_after:%d %b %H:%M}" if who.retry_after else ""
                lines.append(f"to be tried again: {r.key} to {who.address}: {who.answer} "
                             f"(asked {who.tries} time(s){when})")
    counts = Counter(STATES[r.status] for r in sends)
    summary = ", ".join(f"{counts[s]} {s}" for s in STATES.values() if counts[s]) or "nothing sent yet"
    return lines + [f"{len(sends)} message(s) in the send ledger {store.path}: {summary}"]


def _known(store: Store, key: str) -> SendRecord:
    rec = store.send(key)
    if rec is None:
        raise UserError(f"{store.path}: no message '{key}' in the send ledger; `scs mail status` lists the keys")
    return rec


def confirm(store: Store, key: str, at: datetime) -> str:
    """The officer checked: the message in doubt did arrive. It is recorded as sent, never sent again."""
    rec = _known(store, key)
    if rec.status != "sending":
        raise UserError(f"{key} is not in doubt (it is {STATES[rec.status]}); only a message in doubt is confirmed")
    store.confirm(key, at, "confirmed by the officer")
    return f"confirmed: {key} arrived; it will not be sent again"


def resend(store: Store, key: str, transport: Transport, settings: DeliverySettings, at: datetime) -> Report:
    """Send ``key`` again now to every address that does not have it: the same bytes and Message-ID."""
    rec = _known(store, key)
    if rec.status == "sent" and not any(w.status == "refused" for w in store.recipients(key)):
        raise UserError(f"{key} was sent to everyone (on {rec.sent_at:%d %b %Y}); nothing to resend")
    store.resend(key, "resent by the officer")
    return flush(store, transport, settings.sender, at, retry=settings.retry, only=[key])

"""out/index.md: what the cycle did, day by day, with a link to every file it produced."""

from __future__ import annotations

import json
from pathlib import Path
from urllib.parse import quote

from scs_refresh.core.atomic import write_text
from scs_refresh.mail.dispatch import Outbox
from scs_refresh.core.folders import Dirs
from scs_refresh.core.store import Store
from scs_refresh.timetable.model import Timetable


def _link(out: Path, path: Path) -> str:
    rel = path.relative_to(out).as_posix()
    return f"[{path.name}]({quote(rel)})"


def build_index(dirs: Dirs, tt: Timetable) -> Path:
    """Write ``<out>/index.md`` from the state store's ledgers and the files in the out folder."""
    out = Path(dirs.out)
    lines = [f"# {tt.cycle.title}", "", f"{tt.cycle.partnership}: everything the cycle produced and sent, by date.", ""]
    with Store.open(dirs.store) as store:
        actions = store.action_log()
        sends = store.sends()
    lines += ["## What was done, day by day", "", "| Day | Due | What | Result |", "|---|---|---|---|"]
    for a in actions:
        status = a["detail"] if a["status"] == "done" else "STARTED, NOT FINISHED (the next run completes it)"
        lines.append(f"| {a['ran_on'] or '-'} | {a['due']} | {a['key']} | {status} |")
    lines += ["", "## Papers, by meeting", ""]
    for s in tt.schedule:
        folder = out / s.event.id
        manifest = folder / "papers.json"
        if not manifest.is_file():
            continue
        m = json.loads(manifest.read_text())
        lines.append(f"### {s.event.title}, {s.event.date:%d %B %Y} (written as at {m['generated_for']})")
        lines.append("")
        lines += [f"- {_link(out, folder / f)}" + (" (exempt: members only)" if f in m.get("exempt", []) else "")
                  for f in m["files"]]
        kept = out / "records" / s.event.id  # the draft minutes and decision notice, once written
        if kept.is_dir():
            lines.append("- after the meeting: " + ", ".join(_link(out, p) for p in sorted(kept.glob("*.docx"))))
        public = out / "public" / s.event.id
        if public.is_dir():
            lines.append("- published for the public: "
                         + ", ".join(_link(out, p) for p in sorted(public.rglob("*")) if p.is_file()))
        lines.append("")
    drafts = sorted((out / "scs").glob("draft-v*.docx")) if (out / "scs").is_dir() else []
    if drafts:
        lines += ["## Draft Sustainable Community Strategy", ""]
        lines += [f"- {_link(out, d)}, changes: {_link(out, d.with_name(d.stem.replace('draft', 'changes') + '.md'))}"
                  for d in drafts]
        lines.append("")
    outbox = Outbox(out / "outbox")
    lines += ["## Messages sent, by date", "", "| Sent | To | Subject | Message |", "|---|---|---|---|"]
    for r in sorted(sends, key=lambda r: (r.sent_at or r.queued_at, r.key)):
        when = f"{r.sent_at:%Y-%m-%d}" if r.sent_at else f"{r.status} since {r.queued_at:%Y-%m-%d}"
        file = outbox.path(r.key)
        link = _link(out, file) if file.is_file() else "-"
        lines.append(f"| {when} | {', '.join(r.recipients)} | {r.subject.replace('|', '/')} | {link} |")
    return write_text(out / "index.md", "\n".join(lines) + "\n")

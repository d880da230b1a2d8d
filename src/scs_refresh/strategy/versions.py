"""Versions of the draft SCS: a snapshot of the content per version, and what changed since the last.

``<out>/scs/draft-v<N>.json`` is written last, after the draft's .docx: it marks version N as
complete, so a run that stops half way is simply redone as the same version next time.
"""

from __future__ import annotations

import json
import re
from datetime import date
from pathlib import Path

from scs_refresh.core.dates import long_date

_SNAPSHOT = re.compile(r"^draft-v(\d+)\.json$")


def snapshot_path(folder: Path, version: int) -> Path:
    return Path(folder) / f"draft-v{version}.json"


def _snapshots(folder: Path) -> dict[int, Path]:
    return {int(m.group(1)): p for p in Path(folder).glob("draft-v*.json") if (m := _SNAPSHOT.match(p.name))}


def numbers(folder: Path) -> list[int]:
    """Every complete version's number in ``folder``."""
    return sorted(_snapshots(folder))


def _snapshot(folder: Path, version: int) -> dict | None:
    """Version ``version``'s snapshot file as written, or None if there is no such complete version."""
    path = _snapshots(folder).get(version)
    return None if path is None else json.loads(path.read_text(encoding="utf-8"))


def content(folder: Path, version: int) -> dict | None:
    """Version ``version``'s snapshot, or None if there is no such complete version."""
    snapshot = _snapshot(folder, version)
    return None if snapshot is None else snapshot["content"]


def pages(folder: Path, version: int) -> dict[str, int] | None:
    """The page each heading of version ``version`` starts on, as its contents list gives it (None if
    unknown: no such version, or one written before the pages were kept)."""
    snapshot = _snapshot(folder, version)
    return None if snapshot is None else snapshot.get("pages") or None


def written_on(folder: Path, version: int) -> date | None:
    """The day version ``version`` was written as at."""
    snapshot = _snapshot(folder, version)
    return None if snapshot is None else date.fromisoformat(snapshot["on"])


def latest(folder: Path, on: date | None = None) -> tuple[int, dict] | None:
    """The version current in ``folder`` and its snapshot, or None before the first: the newest, or
    with ``on``, the one written as at the latest day on or before ``on`` (one written later does not count)."""
    found = []
    for version, path in _snapshots(folder).items():
        data = json.loads(path.read_text(encoding="utf-8"))
        written = date.fromisoformat(data["on"])
        if on is None or written <= on:
            found.append(((written, version) if on is not None else (date.min, version), data["content"]))
    if not found:
        return None
    (_, version), content = max(found, key=lambda f: f[0])
    return version, content


def _listed(kind: str, old: list[str], new: list[str]) -> list[str]:
    out = [f"{kind} added: {x}" for x in new if x not in old]
    return out + [f"{kind} removed: {x}" for x in old if x not in new]


def _keyed(items: list[dict], key: str) -> dict[str, dict]:
    return {i[key]: i for i in items}


def _figures(old: list[dict], new: list[dict]) -> list[str]:
    before, after = _keyed(old, "indicator"), _keyed(new, "indicator")
    out = [f"figure added: {k}" for k in after if k not in before]
    out += [f"figure removed: {k}" for k in before if k not in after]
    for k in after.keys() & before.keys():
        changed = [f"{col} {before[k][col]} -> {after[k][col]}" for col in ("breckland", "norfolk", "england", "rank_or_trend")
                   if before[k][col] != after[k][col]]
        if changed:
            out.append(f"figure changed: {k}: " + "; ".join(changed))
        elif before[k] != after[k]:
            out.append(f"figure changed: {k}: its text, source or chart")
    return sorted(out)


def _outcomes(old: list[dict], new: list[dict]) -> list[str]:
    before, after = _keyed(old, "outcome"), _keyed(new, "outcome")
    out = _listed("outcome", list(before), list(after))
    for k in after.keys() & before.keys():
        changed = [f"{col} {before[k][col]} -> {after[k][col]}" for col in ("indicator", "baseline", "owner")
                   if before[k][col] != after[k][col]]
        if changed:
            out.append(f"outcome changed: {k}: " + "; ".join(changed))
    return out


def _quotes(old: list[dict], new: list[dict]) -> list[str]:
    said = lambda qs: {(q["partner"], q["ref"]): q["text"] for q in qs}  # noqa: E731
    before, after = said(old), said(new)
    out = [f"partner answer quoted: {p} ({ref})" for (p, ref) in after if (p, ref) not in before]
    out += [f"partner answer changed: {p} ({ref})" for (p, ref), t in after.items() if before.get((p, ref), t) != t]
    return out + [f"partner answer no longer quoted: {p} ({ref})" for (p, ref) in before if (p, ref) not in after]


def _published(source: dict) -> str:
    """When a quoted release was published (snapshots before evidence by release called it ``as_at``)."""
    return source.get("published", source.get("as_at", ""))


def changes(old: dict, new: dict) -> dict[str, list[str]]:
    """What changed between two snapshots, by section title (empty when they are the same)."""
    out: dict[str, list[str]] = {}

    def note(section: str, lines: list[str]) -> None:
        if lines:
            out.setdefault(section, []).extend(lines)

    if old["title"] != new["title"]:
        note("The strategy", [f"title: {old['title']} -> {new['title']}"])
    if old["vision"] != new["vision"]:
        note("Our vision", ["the vision is reworded"])
    before, after = _keyed(old["themes"], "id"), _keyed(new["themes"], "id")
    for tid, theme in after.items():
        if tid not in before:
            note(theme["title"], ["new section"])
            continue
        was = before[tid]
        lines = [f"title: {was['title']} -> {theme['title']}"] if was["title"] != theme["title"] else []
        lines += ["the theme's vision is reworded"] if was["vision"] != theme["vision"] else []
        lines += _listed("priority", was["priorities"], theme["priorities"])
        lines += _outcomes(was["outcomes"], theme["outcomes"])
        lines += _figures(was["figures"], theme["figures"])
        lines += ["consultation statements quoted have changed"] if was["statements"] != theme["statements"] else []
        lines += _quotes(was["quotes"], theme["quotes"])
        lines += [f"now published: {a}" for a in was.get("awaited", []) if a not in theme.get("awaited", [])]
        lines += [f"awaited: {a}" for a in theme.get("awaited", []) if a not in was.get("awaited", [])]
        note(theme["title"], lines)
    for tid, theme in before.items():
        if tid not in after:
            note(theme["title"], ["section removed"])
    old_src, new_src = _keyed(old["sources"], "file"), _keyed(new["sources"], "file")
    src = _listed("source", [s["title"] for s in old["sources"]], [s["title"] for s in new["sources"]])
    src += [f"source updated: {s['title']} ({_published(old_src[f])} -> {_published(s)})" for f, s in new_src.items()
            if f in old_src and _published(old_src[f]) != _published(s)]
    note("Annex A: Evidence sources", src)
    said = lambda a: f"{a['meeting']}, {long_date(date.fromisoformat(a['decided_on']))}: {a['text']}"  # noqa: E731
    note("Amendments agreed", _listed("amendment", [said(a) for a in old.get("amendments", [])],
                                [said(a) for a in new.get("amendments", [])]))
    if (old["responded"], old["partners"]) != (new["responded"], new["partners"]):
        note("Partners' questionnaire returns", [f"{old['responded']} of {old['partners']} -> "
                                                 f"{new['responded']} of {new['partners']} partners"])
    return out


_EVIDENCE = ("figure ", "source ", "now published", "awaited")


def _requested_by(section: str, line: str, old: dict, new: dict) -> str:
    """Who a change was made for: the meeting that agreed an amendment, the partners whose comments
    were accepted, new evidence, partners' returns, or otherwise the officer keeping the draft."""
    if line.startswith("amendment added: "):
        return line.removeprefix("amendment added: ").split(",")[0]
    if line.startswith(_EVIDENCE):
        return "New evidence published"
    if line.startswith("partner answer") or section == "Partners' questionnaire returns":
        return "Partners' questionnaire returns"
    made = [a for a in new.get("agreed", []) if a["section"] == section and a not in old.get("agreed", [])]
    if made and line.startswith(("priority", "the theme's vision", "the vision")):
        return "; ".join(dict.fromkeys(f"{a['partner']} (comment accepted)" for a in made))
    return "Partnership officer"


def change_rows(old: dict, new: dict) -> list[tuple[str, str, str]]:
    """What changed between two snapshots as a member reads it: section, what changed, at whose request."""
    rows = []
    for section, lines in changes(old, new).items():
        for line in lines:
            what = line.replace(" -> ", " to ")
            rows.append((section, what[:1].upper() + what[1:], _requested_by(section, line, old, new)))
    return rows

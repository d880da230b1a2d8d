"""Does a change leave the cycle's output as it was? (issue 18: faster, saying the same)

Runs the whole 2010/11 cycle in-process without Prefect (bench_cycle.without_prefect, B) with this
tree's code and with a reference tree's (e.g. a checkout of main), each in a fresh folder, then
compares every file they wrote, out/ and the store alike:
  - .docx/.xlsx: every part identical (the zip's own timestamps are the time of writing);
  - .pdf: every page's content and the document's metadata but for its dates and file id (LibreOffice
    stamps each conversion);
  - e-mails (.eml and the ledger's copies): every header but the MIME boundary, every part's bytes, an
    attached .docx part by part;
  - the store (SQLite): every row of every table, e-mails compared as above (but for the real time
    an action was claimed at: its lease);
  - anything else: byte for byte, once the folder's own path is taken out.
Exit code 1 and a line per difference if anything differs.

Run: .venv/bin/python bench/same_cycle.py --reference /path/to/main [--no-pdf]
     [--reference-out DIR] (an earlier run's folder of the reference, kept with --keep DIR)
"""

from __future__ import annotations

import argparse
import email
import io
import re
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
_RUN = """
import sys
from pathlib import Path
tree, folder, pdf = Path(sys.argv[1]), Path(sys.argv[2]), sys.argv[3] == "pdf"
sys.path[:0] = [str(tree / "bench"), str(tree), str(tree / "src")]
import bench_cycle
bench_cycle.folder(folder)
bench_cycle.without_prefect(folder, pdf)
"""


def run_cycle(tree: Path, folder: Path, pdf: bool) -> Path:
    """The cycle run by ``tree``'s code into ``folder`` (made afresh)."""
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    env_path = f"{tree / 'src'}:{tree}"
    subprocess.run([sys.executable, "-c", _RUN, str(tree), str(folder), "pdf" if pdf else "no-pdf"], check=True,
                   env={"PYTHONPATH": env_path, "PATH": "/usr/bin:/bin"}, capture_output=True)
    return folder


def _zip_parts(data: bytes) -> list[tuple[str, bytes]]:
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        return [(i.filename, z.read(i)) for i in z.infolist()]


def _mail(data: bytes) -> list:
    """An e-mail as its headers (the MIME boundary left out) and parts (an Office file part by part, a
    PDF as :func:`_pdf` sees it)."""
    msg = email.message_from_bytes(data)
    out = []
    for part in msg.walk():
        out.append([(k, re.sub(r'boundary="[^"]*"', "boundary", v)) for k, v in part.items()])
        if not part.is_multipart():
            payload = part.get_payload(decode=True)
            out.append(_zip_parts(payload) if payload[:2] == b"PK" else _pdf(payload) if payload[:5] == b"%PDF-"
                       else payload)
    return out


def _pdf(data: bytes) -> list:
    import pikepdf

    with pikepdf.open(io.BytesIO(data)) as pdf:
        info = {k: str(v) for k, v in pdf.docinfo.items() if k not in ("/CreationDate", "/ModDate")}
        pages = [page.obj.get("/Contents").read_bytes() if isinstance(page.obj.get("/Contents"), pikepdf.Stream)
                 else b"".join(s.read_bytes() for s in page.obj.get("/Contents", [])) for page in pdf.pages]
        return [info, len(pages), pages]


#: columns that hold the real time of a run (a claim's lease), not the cycle's virtual time
_WALL_CLOCK = {"claimed_at"}


def _store(path: Path, base: Path) -> dict:
    conn = sqlite3.connect(path)
    try:
        tables = [r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")]
        out = {}
        for t in tables:
            rows = []
            cursor = conn.execute(f'SELECT * FROM "{t}"')
            names = [d[0] for d in cursor.description]
            for row in cursor:
                rows.append(tuple(None if name in _WALL_CLOCK else
                                  _mail(v) if isinstance(v, bytes) and b"MIME-Version" in v[:2000]
                                  else v.replace(str(base), "<folder>") if isinstance(v, str) else v
                                  for name, v in zip(names, row)))
            out[t] = sorted(rows, key=repr)
        return out
    finally:
        conn.close()


def _as_compared(path: Path, base: Path):
    data = path.read_bytes()
    if path.suffix in (".docx", ".xlsx"):
        parts = _zip_parts(data)
        # openpyxl stamps the workbook's creation time in its core properties
        return [(n, re.sub(rb"<dcterms:(created|modified)[^<]*</dcterms:\w+>", b"", d) if path.suffix == ".xlsx"
                 and n == "docProps/core.xml" else d) for n, d in parts]
    if path.suffix == ".pdf":
        return _pdf(data)
    if path.suffix == ".eml":
        return _mail(data)
    if path.suffix == ".sqlite":
        return _store(path, base)
    return data.replace(str(base).encode(), b"<folder>")


def differences(a: Path, b: Path) -> list[str]:
    """What differs between the cycle's folders ``a`` and ``b``, one line each."""
    skip = {"config", "evidence", "templates"}
    files = {p.relative_to(a) for p in a.rglob("*") if p.is_file() and p.relative_to(a).parts[0] not in skip}
    other = {p.relative_to(b) for p in b.rglob("*") if p.is_file() and p.relative_to(b).parts[0] not in skip}
    found = [f"only in {a}: {p}" for p in sorted(files - other)] + [f"only in {b}: {p}" for p in sorted(other - files)]
    for rel in sorted(files & other):
        if rel.suffix in ("-wal", "-shm") or rel.name.endswith(("-wal", "-shm", "-journal")):
            continue
        if _as_compared(a / rel, a) != _as_compared(b / rel, b):
            found.append(f"differs: {rel}")
    return found


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--reference", type=Path, help="the tree whose output is the reference (e.g. main)")
    parser.add_argument("--reference-out", type=Path, help="a folder the reference's cycle was run into")
    parser.add_argument("--keep", type=Path, help="run into this folder (this tree's run in <keep>/new, the "
                        "reference's in <keep>/reference) and keep them")
    parser.add_argument("--no-pdf", action="store_true")
    args = parser.parse_args()
    pdf = not args.no_pdf
    with tempfile.TemporaryDirectory() as scratch:
        base = args.keep or Path(scratch)
        if args.reference_out:
            reference = args.reference_out
        elif args.reference:
            reference = run_cycle(args.reference.resolve(), base / "reference", pdf)
        else:
            parser.error("--reference or --reference-out")
        new = run_cycle(ROOT, base / "new", pdf)
        found = differences(reference, new)
        n = sum(1 for p in new.rglob("*") if p.is_file())
    for line in found:
        print(line)
    print(f"{len(found)} difference(s) over {n} file(s)")
    return 1 if found else 0


if __name__ == "__main__":
    sys.exit(main())

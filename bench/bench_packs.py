"""The board packs' CPU (issue #18): merging each pack's Word papers (checked_pack) and joining its PDF
from its papers' PDFs (pack_from_papers), over every pack of the 2010/11 demo cycle, with an
output check: this tree must make the same packs as the code that recorded them.

  record DIR   runs the whole cycle in-process (no Prefect, with PDFs) into a temporary folder and
               keeps, for every pack, its inputs (papers, their PDFs, title, quoted strings) and the
               pack .docx and PDF this tree made, in DIR (run it once with main's code)
  check DIR    remakes every recorded pack with this tree's code: each .docx part must be identical
               (zip timestamps aside), each PDF the same document (every object reachable from the
               trailer, stream data decoded, /ID aside; object numbers may differ) and pass check_pdf;
               then times both steps (time.process_time, the main thread's CPU) over ROUNDS runs

Run: PYTHONPATH=src:. .venv/bin/python bench/bench_packs.py record /tmp/packs
     PYTHONPATH=src:. .venv/bin/python bench/bench_packs.py check /tmp/packs [--rounds N]
CPU seconds are steadier than wall time on a shared machine, not immune to it (a busy machine slows
every instruction): compare runs taken side by side, e.g. alternating trees (PYTHONPATH=<tree>/src), and
read the minimum.
"""

from __future__ import annotations

import json
import shutil
import statistics
import sys
import tempfile
import time
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def record(corpus: Path) -> None:
    sys.path.insert(0, str(ROOT / "bench"))
    import bench_cycle
    from scs_refresh.papers import generate

    corpus.mkdir(parents=True, exist_ok=False)
    real_pack, real_pdf = generate.checked_pack, generate.pack_from_papers
    seen: dict[str, Path] = {}  # the pack .docx's name -> its latest record (a meeting's papers may be remade)

    def checked_pack(parts, out, title, quoted):
        made = real_pack(parts, out, title, quoted)
        rec = corpus / f"{len(list(corpus.iterdir())):02d}-{Path(out).stem}"
        (rec / "ref").mkdir(parents=True)
        for p in parts:
            shutil.copy(p, rec / Path(p).name)
        shutil.copy(made, rec / "ref" / Path(made).name)
        (rec / "pack.json").write_text(json.dumps({"parts": [Path(p).name for p in parts], "out": Path(out).name,
                                                   "title": title, "quoted": sorted(quoted)}, indent=1))
        seen[Path(out).name] = rec
        return made

    def pack_from_papers(pack, parts, part_pdfs, title):
        made = real_pdf(pack, parts, part_pdfs, title)
        rec = seen[Path(pack).name]
        (rec / "pdf").mkdir()
        for p in part_pdfs:
            shutil.copy(p, rec / "pdf" / Path(p).name)
        shutil.copy(made, rec / "ref" / Path(made).name)
        meta = json.loads((rec / "pack.json").read_text())
        meta.update(pdfs=[Path(p).name for p in part_pdfs], pdf_title=title, pdf=Path(made).name)
        (rec / "pack.json").write_text(json.dumps(meta, indent=1))
        return made

    generate.checked_pack, generate.pack_from_papers = checked_pack, pack_from_papers
    with tempfile.TemporaryDirectory() as tmp:
        bench_cycle.without_prefect(bench_cycle.folder(Path(tmp)), True)
    print(f"{len(seen)} packs recorded in {corpus}")


def _parts(path: Path) -> dict[str, bytes]:
    with zipfile.ZipFile(path) as z:
        return {n: z.read(n) for n in z.namelist()}


#: The trailer's entries about the file's layout, not its content (with object streams, the trailer is the
#: cross-reference stream's dictionary).
_XREF = {"/ID", "/Size", "/Prev", "/XRefStm", "/Length", "/Filter", "/DecodeParms", "/W", "/Index", "/Type"}


def _undated(font: bytes) -> bytes:
    """A TrueType font without the time it was written: fontTools stamps the pack footer's subset with
    the time of the run (its head table's modified date, hence its checksums)."""
    tables = int.from_bytes(font[4:6], "big")
    for n in range(tables):
        entry = 12 + 16 * n
        if font[entry:entry + 4] == b"head":
            at = int.from_bytes(font[entry + 8:entry + 12], "big")
            out = bytearray(font)
            out[entry + 4:entry + 8] = bytes(4)  # the table's checksum
            out[at + 8:at + 12] = bytes(4)  # checkSumAdjustment
            out[at + 28:at + 36] = bytes(8)  # modified
            return bytes(out)
    return font


def canonical(path: Path):
    """Every object reachable from the PDF's trailer (its /ID aside), indirect ones numbered in the order
    first reached, streams by their decoded data: equal for two files that are the same document."""
    import pikepdf

    numbers: dict[tuple[int, int], int] = {}
    objects: list = []

    def walk(obj):
        if isinstance(obj, pikepdf.Object) and obj.is_indirect:
            key = obj.objgen
            if key not in numbers:
                numbers[key] = len(objects)
                objects.append(None)
                objects[numbers[key]] = direct(obj)
            return ("ref", numbers[key])
        return direct(obj)

    def direct(obj):
        if isinstance(obj, pikepdf.Stream):
            try:
                data, skip = obj.read_bytes(), ("/Length", "/Filter", "/DecodeParms")
            except pikepdf.PdfError:  # an image kept in its own encoding (DCT): compared as stored
                data, skip = obj.read_raw_bytes(), ("/Length",)
            if "/Length1" in obj.stream_dict:  # an embedded TrueType font
                data = _undated(data)
            return ("stream", {k: walk(v) for k, v in obj.stream_dict.items() if k not in skip}, data)
        if isinstance(obj, pikepdf.Dictionary):
            return {k: walk(v) for k, v in obj.items()}
        if isinstance(obj, pikepdf.Array):
            return [walk(v) for v in obj]
        if isinstance(obj, pikepdf.Object):  # name, string, number, boolean, null
            return ("value", repr(obj))
        return ("value", repr(obj))

    with pikepdf.open(path) as pdf:
        trailer = {k: walk(v) for k, v in pdf.trailer.items() if k not in _XREF}
        version = pdf.pdf_version
    return version, trailer, objects


def _records(corpus: Path) -> list[tuple[Path, dict]]:
    return [(rec, json.loads((rec / "pack.json").read_text())) for rec in sorted(corpus.iterdir()) if rec.is_dir()]


def _make(rec: Path, meta: dict, where: Path) -> tuple[Path, Path, float, float]:
    """The pack and its PDF made with this tree's code in ``where`` (a copy of the record): (docx, pdf,
    CPU seconds of checked_pack, of pack_from_papers)."""
    from scs_refresh.documents.pdf import pack_from_papers
    from scs_refresh.documents.release import checked_pack

    parts = [where / n for n in meta["parts"]]
    start = time.process_time()
    pack = checked_pack(parts, where / meta["out"], meta["title"], set(meta["quoted"]))
    mid = time.process_time()
    made = pack_from_papers(pack, parts, [where / "pdf" / n for n in meta["pdfs"]], meta["pdf_title"])
    end = time.process_time()
    return pack, made, mid - start, end - mid


def check(corpus: Path, rounds: int) -> None:
    from scs_refresh.documents.accessibility import check_pdf

    records = _records(corpus)
    compose_cpu, join_cpu, failures = [], [], 0
    with tempfile.TemporaryDirectory() as tmp:
        for n in range(rounds):
            c = j = 0.0
            from scs_refresh.documents import pack_pdf
            if hasattr(pack_pdf, "_subset"):  # a cycle's 13 packs have 9 footers: not all in the cache
                pack_pdf._subset.cache_clear()
            for rec, meta in records:
                where = Path(tmp) / f"{n}-{rec.name}"
                shutil.copytree(rec, where, ignore=shutil.ignore_patterns("ref"))
                pack, made, dc, dj = _make(rec, meta, where)
                c, j = c + dc, j + dj
                if n:
                    continue
                ref_docx, ref_pdf = rec / "ref" / meta["out"], rec / "ref" / meta["pdf"]
                same_docx = _parts(pack) == _parts(ref_docx)
                same_bytes = made.read_bytes() == ref_pdf.read_bytes()
                same_pdf = same_bytes or canonical(made) == canonical(ref_pdf)
                problems = check_pdf(made)
                ok = same_docx and same_pdf and not problems
                failures += not ok
                print(f"  {rec.name}: docx {'same' if same_docx else 'DIFFERENT'}, pdf "
                      f"{'same bytes' if same_bytes else 'same document' if same_pdf else 'DIFFERENT'}"
                      f"{'' if not problems else ', check_pdf: ' + problems[0]}"
                      f" ({ref_pdf.stat().st_size} -> {made.stat().st_size} bytes)")
            compose_cpu.append(c)
            join_cpu.append(j)
    print(f"{len(records)} packs, {rounds} rounds, CPU seconds (process_time) per round, min / median (rounds): "
          f"checked_pack {min(compose_cpu):.2f} / {statistics.median(compose_cpu):.2f} "
          f"({', '.join(f'{t:.2f}' for t in compose_cpu)}); pack_from_papers {min(join_cpu):.2f} / "
          f"{statistics.median(join_cpu):.2f} ({', '.join(f'{t:.2f}' for t in join_cpu)})")
    if failures:
        sys.exit(f"{failures} pack(s) differ from the recorded ones")


def main() -> None:
    if len(sys.argv) < 3 or sys.argv[1] not in ("record", "check"):
        sys.exit(__doc__)
    corpus = Path(sys.argv[2])
    if sys.argv[1] == "record":
        record(corpus)
    else:
        rounds = int(sys.argv[sys.argv.index("--rounds") + 1]) if "--rounds" in sys.argv else 5
        check(corpus, rounds)


if __name__ == "__main__":
    main()

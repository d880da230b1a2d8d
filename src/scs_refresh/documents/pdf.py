"""Convert Word papers to PDF with LibreOffice, and a real check that a .docx opens in something
other than python-docx. A pack's PDF is not converted again: it is joined from its papers' PDFs
(:func:`pack_from_papers`).

Starting LibreOffice costs about a second each time, more than converting a short paper, and a
cycle converts papers on nine different days. So one LibreOffice is kept running for the whole
process (a run of the demo, a tick, the test session): each conversion is handed to it by a
short ``soffice --convert-to`` call, which LibreOffice forwards to the instance already running
on the same profile. A document whose content was converted before in this process is not
converted again (the draft Strategy goes to several meetings unchanged). A replay of the cycle
runs a second one beside it (``start_libreoffice(2)``), sharing each batch of papers.

The export settings are given with every conversion (:data:`EXPORT_OPTIONS`), never left to
whatever a LibreOffice profile last saved: a tagged PDF/UA file that shows its title. Its
language is the Word file's (the templates say en-GB). Each PDF is released only when it
passes the checks (:func:`scs_refresh.documents.release.release_pdf`); one that fails is
moved aside as ``<name>.rejected.pdf``.
"""

from __future__ import annotations

import atexit
import hashlib
import io
import json
import logging
import os
import shutil
import signal
import subprocess
import tempfile
import threading
import time
import re
import zipfile
from collections import OrderedDict
from concurrent.futures import Future, ThreadPoolExecutor
from functools import lru_cache
from pathlib import Path

from scs_refresh.core.atomic import version_of, write_bytes
from scs_refresh.core.errors import UserError
from scs_refresh.documents.pack_pdf import Footer, PackPdfError, pack_pdf
from scs_refresh.documents.release import pack_footer, release_pdf

log = logging.getLogger(__name__)

#: How many bytes of converted PDFs a process keeps to reuse (a whole cycle's are about 30 MB).
CACHE_BYTES = 256 * 1024 * 1024

#: How long LibreOffice may take to start before conversions fall back to one process per call.
START_TIMEOUT = 60.0

#: How long one call to LibreOffice may take to convert its papers before it is taken as stuck.
CONVERT_TIMEOUT = 180.0


#: LibreOffice's PDF export settings (writer_pdf_Export), set on every conversion. Tagged: the
#: structure tree carries the headings, tables, reading order and the pictures' alternative text
#: to a screen reader; PDF/UA: the accessible profile (and it says so in its metadata); the window
#: shows the document's title, not its file name.
EXPORT_OPTIONS = {"UseTaggedPDF": True, "PDFUACompliance": True, "DisplayPDFDocumentTitle": True,
                  "ExportBookmarks": True, "ExportNotes": False, "ExportFormFields": False}


def export_filter() -> str:
    """The ``--convert-to`` argument: PDF through writer_pdf_Export with :data:`EXPORT_OPTIONS` (JSON, LibreOffice 7.4+)."""
    options = {name: {"type": "boolean", "value": "true" if value else "false"}
               for name, value in EXPORT_OPTIONS.items()}
    return "pdf:writer_pdf_Export:" + json.dumps(options, separators=(",", ":"))


class PdfError(UserError):
    """LibreOffice is missing or could not convert a paper."""


def soffice() -> str | None:
    """The LibreOffice binary, or None when it is not installed (PDFs are then skipped)."""
    return shutil.which("soffice") or shutil.which("libreoffice")


def content_key(docx: Path) -> str:
    """A hash of what a .docx says, not of its zip wrapper (whose timestamps change per write). Kept while
    the file is the same one (an atomic write makes a new file): a paper is asked for its PDF and its page."""
    return _content_key(*version_of(docx))


@lru_cache(maxsize=4096)
def _content_key(docx: Path, _inode: int, _mtime: int, _size: int) -> str:
    data = Path(docx).read_bytes()
    whole = hashlib.sha256(data).digest()
    key = _KEY_OF_FILE.get(whole)
    if key is None:  # the same bytes in another file (a paper copied into a meeting's set) have the same key
        h = hashlib.sha256()
        with zipfile.ZipFile(io.BytesIO(data)) as z:
            for name in sorted(z.namelist()):
                h.update(name.encode() + b"\0" + z.read(name) + b"\0")
        if len(_KEY_OF_FILE) >= 4096:
            _KEY_OF_FILE.clear()
        key = _KEY_OF_FILE[whole] = h.hexdigest()
    return key


#: content keys by a hash of the whole file: unzipping and hashing every part (the styles a template carries
#: are 0.5 MB) costs several times hashing the file as it is, and the Strategy is copied into every meeting
_KEY_OF_FILE: dict[bytes, str] = {}


_DOCPR = re.compile(rb"<wp:docPr\b")


def pictures(docx: Path) -> int:
    """How many pictures the body, headers and footers of a .docx hold (its PDF must tag as many figures)."""
    with zipfile.ZipFile(docx) as z:
        return sum(len(_DOCPR.findall(z.read(name))) for name in z.namelist()
                   if re.fullmatch(r"word/(document|header\d*|footer\d*)\.xml", name))


class _Converted(OrderedDict):
    """The PDFs converted in this process, by content key, the least recently used dropped past
    :data:`CACHE_BYTES` (a long-running worker converts papers for months). Papers convert in a
    background thread while the Strategy's layout is found in the main one: one lock for both."""

    def __init__(self, limit: int | None = None):
        super().__init__()
        self.limit = CACHE_BYTES if limit is None else limit
        self.size = 0
        self.lock = threading.Lock()

    def __getitem__(self, key: str) -> bytes:
        with self.lock:
            self.move_to_end(key)
            return super().__getitem__(key)

    def get(self, key: str, default: bytes | None = None) -> bytes | None:
        """The PDF converted from content ``key`` (now the most recently used), or ``default``."""
        try:
            return self[key]
        except KeyError:
            return default

    def __setitem__(self, key: str, pdf: bytes) -> None:
        with self.lock:
            if key in self:
                self.size -= len(super().__getitem__(key))
            super().__setitem__(key, pdf)
            self.size += len(pdf)
            while self.size > self.limit and len(self) > 1:
                _, dropped = self.popitem(last=False)
                self.size -= len(dropped)


class _Office:
    """One headless LibreOffice for this process, kept alive by a hidden open document.

    LibreOffice quits after a forwarded conversion when no document is open; the keep-alive
    document prevents that. A watchdog shell in the same process group ends LibreOffice when
    this process ends, even on kill -9, so no orphan is left behind.
    """

    def __init__(self, exe: str):
        self.exe = exe
        self.dir = Path(tempfile.mkdtemp(prefix="scs-soffice-"))
        self.profile = (self.dir / "profile").as_uri()
        self.proc: subprocess.Popen | None = None
        self.lock = threading.Lock()
        self.cache = _Converted()
        self.gave_up = False  # it would not start once: later conversions do not wait for it again
        self.in_flight = 0  # conversions handed to it and not yet done (a paper goes to the idler one)

    def _start(self) -> bool:
        self.dir.mkdir(parents=True, exist_ok=True)  # stop() removes it
        keep = self.dir / "keep-alive.txt"
        keep.write_text("\n")
        script = ('"$0" --headless --invisible --norestore "-env:UserInstallation=$1" "$2" >/dev/null 2>&1 & '
                  'while kill -0 "$3" 2>/dev/null; do sleep 2; done; rm -rf "$4"; kill 0')
        self.proc = subprocess.Popen(["sh", "-c", script, self.exe, self.profile, str(keep), str(os.getpid()),
                                      str(self.dir)],
                                     start_new_session=True, stdin=subprocess.DEVNULL,
                                     stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        ready = self.dir / ".~lock.keep-alive.txt#"  # LibreOffice locks a document once it has it open
        deadline = time.monotonic() + START_TIMEOUT
        while time.monotonic() < deadline:
            if ready.exists():
                log.debug("LibreOffice is running for this process (profile %s)", self.dir)
                return True
            time.sleep(0.05)
        log.warning("LibreOffice did not start within %.0f s; converting one process per call", START_TIMEOUT)
        self.stop()
        self.gave_up = True
        return False

    def ready(self) -> bool:
        """Running now, without waiting for it to start (nor starting it)."""
        return self.proc is not None and self.proc.poll() is None and not self.lock.locked()

    def running(self) -> bool:
        with self.lock:
            if self.proc is not None and self.proc.poll() is None:
                return True
            return not self.gave_up and self._start()

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            try:
                os.killpg(self.proc.pid, signal.SIGTERM)
            except ProcessLookupError:
                pass
            self.proc.wait(timeout=10)
        self.proc = None
        shutil.rmtree(self.dir, ignore_errors=True)


_office: _Office | None = None
_second: _Office | None = None
_office_lock = threading.Lock()


def _shared_office(exe: str, second: bool = False) -> _Office:
    """This process's LibreOffice (``second``: a replay's second one), made when first asked for, stopped at exit."""
    global _office, _second
    with _office_lock:
        if second:
            _second = _second or _stopped_at_exit(_Office(exe))
            return _second
        _office = _office or _stopped_at_exit(_Office(exe))
        return _office


def _stopped_at_exit(office: _Office) -> _Office:
    atexit.register(office.stop)
    return office


def _offices(exe: str) -> list[_Office]:
    """The LibreOffices ready to convert, the least busy first: the first, and a second when a long run
    started one (``start_libreoffice(2)``) and it is ready."""
    first = _shared_office(exe)
    if _second is None or not _second.ready():
        return [first]
    return sorted([first, _second], key=lambda office: office.in_flight)


#: The smallest Word file: converting it once readies LibreOffice's Writer and PDF export (about a second,
#: the first time in a process) before the first paper needs them.
_BLANK_DOCX = {
    "[Content_Types].xml": '<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/'
                           'package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.'
                           'openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="'
                           'application/xml"/><Override PartName="/word/document.xml" ContentType="application/vnd.'
                           'openxmlformats-officedocument.wordprocessingml.document.main+xml"/></Types>',
    "_rels/.rels": '<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/'
                   'package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/'
                   'officeDocument/2006/relationships/officeDocument" Target="word/document.xml"/></Relationships>',
    "word/document.xml": '<?xml version="1.0" encoding="UTF-8"?><w:document xmlns:w="http://schemas.openxmlformats.'
                         'org/wordprocessingml/2006/main"><w:body><w:p><w:r><w:t>.</w:t></w:r></w:p></w:body>'
                         '</w:document>',
}


def start_libreoffice(offices: int = 1) -> None:
    """Start this process's LibreOffice in the background now, and have it convert a blank page, so
    that it is up and ready by the time the first paper is written (a command that will make PDFs
    calls this before loading the cycle; the first conversion in a process costs a second more).

    ``offices=2``: a second one too, once the first is ready, for a run that writes many meetings' papers
    (a replay of the cycle). At the end of each meeting's papers the run waits for the last of them with
    nothing else to do; two of them then convert at once, on the core that would otherwise sit idle, and
    a paper goes to whichever is free. Not for one meeting's papers: starting it costs more than it saves."""
    exe = soffice()
    if exe is not None:
        def start() -> None:
            if _warm_up(exe) and offices > 1:
                _warm_up(exe, _shared_office(exe, second=True))

        threading.Thread(target=start, name="scs-soffice-start", daemon=True).start()


def _warm_up(exe: str, office: _Office | None = None) -> bool:
    """Whether ``office`` (this process's first LibreOffice by default) is running and has made a PDF of a blank page."""
    office = office or _shared_office(exe)
    if not office.running():
        return False
    with tempfile.TemporaryDirectory(prefix="scs-warm-") as tmp:
        blank = Path(tmp) / "blank.docx"
        with zipfile.ZipFile(blank, "w") as z:
            for name, xml in _BLANK_DOCX.items():
                z.writestr(name, xml)
        try:
            _convert(exe, [blank], Path(tmp) / "out", timeout=START_TIMEOUT, office=office)
        except PdfError:  # a stuck LibreOffice was stopped: the papers' own conversions start another
            log.debug("LibreOffice did not convert the blank page within %.0f s", START_TIMEOUT)
        return (Path(tmp) / "out" / "blank.pdf").is_file()


def _convert(exe: str, docx_files: list[Path], scratch: Path, timeout: float,
             office: _Office | None = None) -> subprocess.CompletedProcess:
    office = office or _shared_office(exe)
    if office.running():
        profile = office.profile
    else:  # a LibreOffice of its own for this call, on a profile nobody else uses
        profile = (scratch.parent / f"profile-{scratch.name}").as_uri()
    cmd = [exe, "--headless", "--norestore", f"-env:UserInstallation={profile}",
           "--convert-to", export_filter(), "--outdir", str(scratch), *(str(Path(f).resolve()) for f in docx_files)]
    with _office_lock:
        office.in_flight += 1
    try:
        return subprocess.run(cmd, capture_output=True, text=True, timeout=timeout)
    except subprocess.TimeoutExpired:
        office.stop()  # a stuck LibreOffice is not reused
        raise PdfError(f"LibreOffice took over {timeout:.0f} s converting {len(docx_files)} file(s)") from None
    finally:
        with _office_lock:
            office.in_flight -= 1


def to_pdf(docx_files: list[Path], out_dir: Path, timeout: float = CONVERT_TIMEOUT) -> list[Path]:
    """Convert ``docx_files`` to tagged PDFs in ``out_dir``; return their paths.

    Results are written to a scratch folder first and moved into place atomically; each is then
    released only if it passes :func:`~scs_refresh.documents.accessibility.check_pdf` (a failing
    one is moved aside and :class:`~scs_refresh.documents.release.PaperCheckFailed` raised).
    """
    exe = soffice()
    if exe is None:
        raise PdfError("LibreOffice (soffice) is not installed; cannot make PDFs")
    out_dir = Path(out_dir)
    cache = _shared_office(exe).cache
    keys = {Path(src): content_key(src) for src in docx_files}
    for key in set(keys.values()):  # one being converted already (convert_soon) is waited for, not converted twice
        if (under_way := _soon.get(key)) is not None:
            under_way.result()
    # This call's PDFs, whatever the cache drops meanwhile.
    made = {key: pdf for key in set(keys.values()) if (pdf := cache.get(key)) is not None}
    todo = [src for src, key in keys.items() if key not in made]
    with tempfile.TemporaryDirectory(prefix="scs-pdf-") as tmp:
        scratch = Path(tmp) / "out"
        if todo:
            log.info("converting %d paper(s) to PDF with LibreOffice", len(todo))
            made.update(_converted(exe, {src: keys[src] for src in todo}, scratch, timeout, _offices(exe)))
    log.info("%d PDF(s) written in %s (%d converted before)", len(keys), out_dir, len(keys) - len(todo))
    return [release_pdf(write_bytes(out_dir / f"{src.stem}.pdf", made[keys[src]]), pictures(src)) for src in keys]


#: conversions started by convert_soon and not yet done, by content key
_soon: dict[str, Future] = {}


def convert_soon(docx: Path) -> None:
    """Start converting ``docx`` to PDF in the background, for a :func:`to_pdf` that will ask for it soon (the
    Strategy, about to be copied into a meeting's papers: the longest of them, it converts while the others are
    written, on the idler LibreOffice, rather than last). Only the process's converted PDFs keep it: a failure
    here is left for ``to_pdf`` to meet and report."""
    exe = soffice()
    if exe is None:
        return
    key, cache = content_key(docx), _shared_office(exe).cache
    with _office_lock:
        if key in cache or key in _soon:
            return
        _soon[key] = Future()
    threading.Thread(target=_convert_soon, args=(exe, Path(docx), key), name="scs-pdf-soon", daemon=True).start()


def _convert_soon(exe: str, docx: Path, key: str) -> None:
    try:
        with tempfile.TemporaryDirectory(prefix="scs-pdf-soon-") as tmp:
            _converted(exe, {docx: key}, Path(tmp) / "out", CONVERT_TIMEOUT, _offices(exe)[:1])
    except Exception as exc:  # to_pdf converts it again, and reports what fails
        log.debug("%s was not converted ahead: %s", docx.name, exc)
    finally:
        with _office_lock:
            _soon.pop(key).set_result(None)


def _converted(exe: str, keys: dict[Path, str], scratch: Path, timeout: float, offices: list[_Office]) -> dict[str, bytes]:
    """The PDFs of ``keys``' papers by content key, converted in ``scratch`` by ``offices`` at once (the papers
    shared between them by size) and kept in the process's cache; a paper LibreOffice left unconverted raises."""
    cache = _shared_office(exe).cache
    jobs = [(office, share, scratch / str(n))
            for n, (office, share) in enumerate(zip(offices, _shares(list(keys), len(offices))))]

    def run(job) -> subprocess.CompletedProcess:
        office, share, folder = job
        return _convert(exe, share, folder, timeout, office)

    if len(jobs) == 1:
        procs = [run(jobs[0])]
    else:  # the first share in this thread, the others beside it
        with ThreadPoolExecutor(max_workers=len(jobs) - 1) as pool:
            others = pool.map(run, jobs[1:])
            procs = [run(jobs[0]), *others]
    made = {}
    for (_, share, folder), proc in zip(jobs, procs):
        for src in share:
            pdf = folder / (src.stem + ".pdf")
            if not pdf.is_file() or pdf.stat().st_size == 0:
                detail = (proc.stderr or proc.stdout).strip().splitlines()
                raise PdfError(f"{src}: LibreOffice could not convert it to PDF" + (f" ({detail[-1]})" if detail else ""))
            made[keys[src]] = cache[keys[src]] = pdf.read_bytes()
    return made


def _shares(papers: list[Path], ways: int) -> list[list[Path]]:
    """``papers`` in up to ``ways`` shares of about the same size in bytes (a longer paper takes longer)."""
    shares: list[list[Path]] = [[] for _ in range(min(ways, len(papers)))]
    sizes = [0] * len(shares)
    for size, paper in sorted(((Path(f).stat().st_size, f) for f in papers), key=lambda sized: sized[0], reverse=True):
        lightest = sizes.index(min(sizes))
        shares[lightest].append(paper)
        sizes[lightest] += size
    return shares


def pack_from_papers(pack: Path, parts: list[Path], part_pdfs: list[Path], title: str) -> Path:
    """The pack's PDF beside its papers' PDFs, joined from them with the pack's footer and page numbers
    (:func:`~scs_refresh.documents.pack_pdf.pack_pdf`), released only if it passes the checks with the
    pack's pictures. Papers whose PDFs are not as LibreOffice writes them: the pack is converted instead."""
    out = Path(part_pdfs[0]).parent / f"{Path(pack).stem}.pdf"
    left, page = pack_footer(parts[0])
    try:
        return pack_pdf(part_pdfs, out, footer=Footer(left, page or "Page "), title=title, figures=pictures(pack))
    except PackPdfError as exc:
        log.warning("%s: converting the whole pack instead of joining its papers' PDFs (%s)", pack.name, exc)
        return to_pdf([pack], out.parent)[0]


class PdfQueue:
    """Papers converted in the background while the next ones are written.

    LibreOffice runs in its own process, so a meeting's papers convert on one core while Python
    renders, merges and checks the rest on the other. Each conversion takes every paper added since
    the last one began, in one call: a call costs LibreOffice about 0.1 s before its first page.
    ``wait`` returns the PDFs in the order asked; leaving the block (even on an error) waits for what
    was started, so nothing is left half-written.
    """

    def __init__(self, out_dir: Path):
        self.out_dir = Path(out_dir)
        self._pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="scs-pdf")
        self._jobs: dict[Path, Future] = {}
        self._added: list[Path] = []  # not yet taken by a conversion
        self._lock = threading.Lock()

    def __enter__(self) -> PdfQueue:
        return self

    def __exit__(self, *exc) -> None:
        self._pool.shutdown(wait=True, cancel_futures=exc[0] is not None)

    def add(self, docx: Path) -> None:
        with self._lock:
            self._jobs[Path(docx)] = Future()
            self._added.append(Path(docx))
        self._pool.submit(self._convert_added)

    def _convert_added(self) -> None:
        """Convert what was added and not yet taken (nothing, when an earlier call took it). Two papers with
        one name would be one PDF in LibreOffice's folder: the second waits for the next call."""
        with self._lock:
            batch, names = [], set()
            for docx in self._added:
                if docx.stem not in names:
                    batch.append(docx)
                    names.add(docx.stem)
            self._added = [d for d in self._added if d not in batch]
        if not batch:
            return
        try:
            pdfs = to_pdf(batch, self.out_dir)
        except BaseException as exc:  # each paper's wait raises it
            for docx in batch:
                self._jobs[docx].set_exception(exc)
        else:
            for docx, pdf in zip(batch, pdfs):
                self._jobs[docx].set_result(pdf)

    def wait(self, docx_files: list[Path]) -> list[Path]:
        for docx in docx_files:
            if Path(docx) not in self._jobs:
                self.add(docx)
        return [self._jobs[Path(d)].result() for d in docx_files]

"""Hostile and broken inputs (issue 17): every file the officer or a partner supplies, damaged or
built to hurt, gives one line on stderr naming the file, exit code 2, no traceback, and leaves
the out folder exactly as it was (hashed before and after).

The cases are a table: (id, file it breaks, how, the command that meets it). A cycle is set up
once (evidence collated, questionnaires sent) and copied for each case.
"""

from __future__ import annotations

import email
import hashlib
import io
import random
import shutil
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from email import policy
from pathlib import Path

import pytest
from typer.testing import CliRunner

from scs_cli.main import app

from .conftest import ROOT

EVIDENCE_CSV = "mori_residents_survey_illustrative.csv"  # source mori-survey
EVIDENCE_XLS = "ons_mye_mid2020_ukpopestimatesmid2020on2021geography.xls"
EVIDENCE_XLSX = "jsna_norfolk_extract_illustrative.xlsx"


def scs(cycle: Path, *args: str):
    """The scs command in this process, on the cycle's folders."""
    return CliRunner().invoke(app, ["--config-dir", str(cycle / "config"), "--out-dir", str(cycle / "out"),
                                    "--state-dir", str(cycle / "state"), "--templates-dir",
                                    str(cycle / "templates"), *args])


def tree_hash(folder: Path) -> str:
    """Every file and folder under ``folder`` (names and bytes): any change, added debris included, changes it."""
    digest = hashlib.sha256()
    for p in sorted(folder.rglob("*")):
        digest.update(str(p.relative_to(folder)).encode() + b"\0")
        if p.is_file():
            digest.update(p.read_bytes())
    return digest.hexdigest()


@pytest.fixture(scope="module")
def ready(tmp_path_factory) -> Path:
    """A cycle with an evidence base collated and the questionnaires sent (to the outbox)."""
    cycle = tmp_path_factory.mktemp("ready")
    for name in ("config", "evidence", "templates"):
        shutil.copytree(ROOT / name, cycle / name)
    for args in (["evidence", "collate", "--on", "2010-12-03"], ["questionnaire", "send", "--on", "2010-10-15"]):
        result = scs(cycle, *args)
        assert result.exit_code == 0, result.output
    return cycle


@pytest.fixture
def cycle(ready: Path, tmp_path: Path) -> Path:
    dest = tmp_path / "cycle"
    shutil.copytree(ready, dest, symlinks=True)
    return dest


# -- making bad files -------------------------------------------------------------------------

def _edit(name: str, change: Callable[[str], str]) -> Callable[[Path], Path]:
    """Change the text of config/<name>."""
    def apply(cycle: Path) -> Path:
        f = cycle / "config" / name
        f.write_text(change(f.read_text()))
        return f
    return apply


def _append(name: str, text: str) -> Callable[[Path], Path]:
    return _edit(name, lambda s: s + "\n" + text + "\n")


def _bytes(path: str, make: Callable[[bytes], bytes]) -> Callable[[Path], Path]:
    """Replace the bytes of a file of the cycle (config/..., evidence/..., templates/...)."""
    def apply(cycle: Path) -> Path:
        f = cycle / path
        f.write_bytes(make(f.read_bytes() if f.is_file() else b""))
        return f
    return apply


def _sub(old: str, new: str, count: int = 1) -> Callable[[str], str]:
    def change(text: str) -> str:
        assert old in text, old
        return text.replace(old, new, count)
    return change


def _noise(n: int, seed: int = 17) -> bytes:
    rnd = random.Random(seed)
    return bytes(rnd.getrandbits(8) for _ in range(n))


def _laughs() -> str:
    lines = ["lol0: &a0 [lol, lol, lol, lol, lol, lol, lol, lol, lol]"]
    lines += [f"lol{i}: &a{i} [{', '.join([f'*a{i - 1}'] * 9)}]" for i in range(1, 10)]
    return "\n".join(lines)


def _zip_edit(data: bytes, change: Callable[[str, bytes], bytes], stored: bool = False) -> bytes:
    """The same zip package with some members changed."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            dst.writestr(info.filename, change(info.filename, src.read(info.filename)),
                         compress_type=zipfile.ZIP_STORED if stored else zipfile.ZIP_DEFLATED)
    return out.getvalue()


def _bad_crc(data: bytes, member_suffix: str) -> bytes:
    """Flip one byte inside a stored member: the package opens, the member's CRC fails."""
    packed = bytearray(_zip_edit(data, lambda n, b: b, stored=True))
    with zipfile.ZipFile(io.BytesIO(bytes(packed))) as z:
        info = next(i for i in z.infolist() if i.filename.endswith(member_suffix))
    at = info.header_offset + 30 + len(info.filename.encode()) + len(info.extra) + info.file_size // 2
    packed[at] ^= 0x20
    return bytes(packed)


def _cut_xml(suffix: str) -> Callable[[str, bytes], bytes]:
    return lambda name, body: body[: len(body) // 2] if name.endswith(suffix) else body


def _content_type(old: bytes, new: bytes) -> Callable[[str, bytes], bytes]:
    return lambda name, body: body.replace(old, new) if name == "[Content_Types].xml" else body


# -- returned questionnaires -------------------------------------------------------------------

def _returned(cycle: Path) -> bytes:
    """The questionnaire sent to Breckland Council, as the partner would send it back."""
    eml = next((cycle / "out" / "outbox").glob("questionnaire--*breckland-council.eml"))
    msg = email.message_from_bytes(eml.read_bytes(), policy=policy.default)
    return next(msg.iter_attachments()).get_content()


def _import(name: str, make: Callable[[bytes], bytes] | None) -> Callable[[Path], Path]:
    """Write a returned file ``name`` beside the cycle (made from the real questionnaire) for import."""
    def apply(cycle: Path) -> Path:
        f = cycle / "inbox" / name
        f.parent.mkdir(exist_ok=True)
        if make is not None:
            f.write_bytes(make(_returned(cycle)))
        return f
    return apply


def _import_folder(cycle: Path) -> Path:
    f = cycle / "inbox" / "returned.docx"
    f.mkdir(parents=True)
    return f


SURVEY = ("partner_id,received_on,priorities,scs-still-relevant,gaps-barriers,commitment,board-attendance,"
          "spending-review,evidence,consultation,strategies,projects\n")


# -- the table ---------------------------------------------------------------------------------

CHECK = ("check",)
TICK = ("tick", "--on", "2010-10-15", "--no-pdf")
COLLATE = ("evidence", "collate", "--on", "2010-12-03")
# The mid-2020 estimates (an .xls) were published on 25 June 2021: only an evidence base as at a
# later day reads them (an earlier one does not open a release that was not out).
COLLATE_2021 = ("evidence", "collate", "--on", "2021-07-01")
IMPORT = ("questionnaire", "import", "{file}", "--on", "2010-11-01")


@dataclass(frozen=True)
class Case:
    id: str
    make: Callable[[Path], Path]  # breaks a file; returns it (the error must name it)
    command: tuple[str, ...]
    says: str = ""  # a few words the line must hold (what is wrong)


CASES = [
    # YAML config: the loader's limits
    Case("yaml-billion-laughs", _append("timetable.yaml", _laughs()), CHECK, "aliases"),
    Case("yaml-billion-laughs-tick", _append("timetable.yaml", _laughs()), TICK, "aliases"),
    Case("yaml-laughs-in-evidence", _append("evidence.yaml", _laughs()), COLLATE, "aliases"),
    Case("yaml-recursive-alias", _append("timetable.yaml", "loop: &loop [*loop]"), CHECK, "contains it"),
    Case("yaml-recursive-mapping", _append("partners.yaml", "loop: &loop {again: *loop}"), CHECK, "contains it"),
    Case("yaml-deep-flow-nesting", _append("timetable.yaml", "deep: " + "[" * 20000 + "]" * 20000), CHECK, "nested"),
    Case("yaml-deep-block-nesting",
         _append("papers.yaml", "".join(" " * i + f"k{i}:\n" for i in range(300)) + " " * 300 + "v"), CHECK, "nested"),
    Case("yaml-python-name-tag", _append("timetable.yaml", "x: !!python/name:os.system"), CHECK, "python/name"),
    Case("yaml-python-object-apply", _append("delivery.yaml", 'x: !!python/object/apply:os.system ["true"]'),
         CHECK, "python/object"),
    Case("yaml-python-tag-tick", _append("partners.yaml", "x: !!python/name:os.system"), TICK, "python/name"),
    Case("yaml-custom-tag", _append("scs.yaml", "x: !include secrets.yaml"), CHECK, "!include"),
    Case("yaml-binary-tag", _append("delivery_plan.yaml", "x: !!binary aGVsbG8="), CHECK, "!!binary"),
    Case("yaml-merge-key", _append("timetable.yaml", "base: &b {a: 1}\nother:\n  <<: *b"), CHECK, "merge"),
    Case("yaml-list-as-key", _append("partnership_review.yaml", "? [a, b]\n: c"), CHECK, "plain text"),
    Case("yaml-nul-byte", _append("timetable.yaml", 'x: "a\x00b"'), CHECK, "control characters"),
    Case("yaml-not-utf8", _bytes("config/partners.yaml", lambda b: b + b"\nx: caf\xe9\n"), CHECK, "UTF-8"),
    Case("yaml-random-bytes", _bytes("config/timetable.yaml", lambda b: _noise(4000)), CHECK, ""),
    Case("yaml-too-large", _bytes("config/evidence.yaml", lambda b: b + (b"# padding\n" * 600_000)), CHECK, "MB"),
    Case("yaml-empty-file", _bytes("config/delivery.yaml", lambda b: b""), CHECK, "empty"),
    Case("yaml-a-list-not-blocks", _bytes("config/papers.yaml", lambda b: b"- a\n- b\n"), CHECK, "list"),
    Case("yaml-two-documents", _append("timetable.yaml", "---\nmore: 1"), CHECK, "single document"),
    Case("yaml-tab-indent", _append("delivery.yaml", "smtp2:\n\thost: x"), CHECK, "YAML"),
    Case("yaml-unclosed-quote", _append("partners.yaml", 'x: "never closed'), CHECK, "YAML"),
    Case("yaml-5000-digit-number", _append("timetable.yaml", "x: " + "1" * 5000), CHECK, "cannot be read as int"),
    Case("yaml-bad-explicit-int", _append("partners.yaml", "x: !!int 0xZZ"), CHECK, "cannot be read as int"),
    Case("yaml-bad-explicit-float", _append("papers.yaml", "x: !!float abc"), CHECK, "cannot be read as float"),
    Case("yaml-impossible-timestamp", _append("timetable.yaml", "x: !!timestamp 2011-02-30"), CHECK,
         "cannot be read as timestamp"),
    Case("yaml-duplicate-key", _append("delivery.yaml", "transport: smtp"), CHECK, "twice"),
    Case("yaml-cut-mid-key", _bytes("config/delivery.yaml", lambda b: b[: b.index(b"outbox:") + 3]), CHECK, ""),
    # what later commands validate, `scs check` validates
    Case("member-email-no-domain", _edit("timetable.yaml", _sub("email: lsp.chair@example.org", 'email: "name@"')),
         CHECK, "e-mail address"),
    Case("member-email-no-domain-tick",
         _edit("timetable.yaml", _sub("email: lsp.chair@example.org", 'email: "name@"')), TICK, "e-mail address"),
    Case("member-email-newline",
         _edit("timetable.yaml", _sub("email: lsp.chair@example.org", 'email: "lsp.chair@example.org\\nBcc: x@y.z"')),
         CHECK, "line break"),
    Case("member-name-crlf", _edit("timetable.yaml", _sub("{name: Chair of the Breckland Partnership,",
                                                          '{name: "Chair of the\\r\\nBreckland Partnership",')),
         CHECK, "line break"),
    Case("member-name-crlf-tick", _edit("timetable.yaml", _sub("{name: Chair of the Breckland Partnership,",
                                                               '{name: "Chair\\r\\nBcc: a@b.cd",')),
         TICK, "line break"),
    # an exempt paper names the paragraph of Schedule 12A it is exempt under (1-7), not just "yes"
    Case("exempt-without-paragraph", _edit("timetable.yaml", _sub("exempt: 3}", "exempt: true}")), CHECK,
         "paragraph of Part 1 of Schedule 12A"),
    Case("exempt-paragraph-out-of-range", _edit("timetable.yaml", _sub("exempt: 3}", "exempt: 9}")), CHECK,
         "a number from 1 to 7"),
    Case("officer-email-missing", _edit("timetable.yaml", _sub("    email: lsp.officer@example.org\n", "")),
         CHECK, "email"),
    Case("partner-contact-name-lf", _edit("partners.yaml", _sub("contact: {name: Head of Policy and Performance,",
                                                                'contact: {name: "Head of\\nPolicy",')),
         CHECK, "line break"),
    Case("partner-email-spaces", _edit("partners.yaml", _sub("email: policy@breckland.example.org",
                                                             'email: "policy @breckland.example.org"')),
         CHECK, "e-mail address"),
    Case("sender-name-newline", _edit("delivery.yaml", _sub('sender: {name: "Partnership (LSP) Officer, Breckland Council"',
                                                            'sender: {name: "LSP\\nOfficer"')), CHECK, "line break"),
    Case("sender-email-two-ats", _edit("delivery.yaml", _sub("email: lsp.officer@example.org}",
                                                             "email: a@b@example.org}")), CHECK, "e-mail address"),
    # paths in config stay inside the cycle's folders (file, line and key named)
    Case("outbox-climbs-out", _edit("delivery.yaml", _sub("outbox: outbox", "outbox: ../../x")), CHECK,
         ":8: outbox: '../../x' climbs out of the out folder"),
    Case("outbox-absolute", _edit("delivery.yaml", _sub("outbox: outbox", "outbox: /tmp/scs-outbox")), CHECK,
         ":8: outbox: '/tmp/scs-outbox' is an absolute path"),
    Case("outbox-absolute-tick", _edit("delivery.yaml", _sub("outbox: outbox", "outbox: /tmp/scs-outbox")), TICK,
         ":8: outbox:"),
    Case("outbox-climbs-from-inside", _edit("delivery.yaml", _sub("outbox: outbox", "outbox: a/../../x")), CHECK,
         ":8: outbox:"),
    Case("outbox-windows-drive", _edit("delivery.yaml", _sub("outbox: outbox", 'outbox: "C:\\\\mail"')), CHECK,
         "absolute path"),
    Case("outbox-home", _edit("delivery.yaml", _sub("outbox: outbox", "outbox: ~/mail")), CHECK, ":8: outbox:"),
    Case("outbox-through-a-link", lambda cycle: _linked_outbox(cycle), ("questionnaire", "send", "--on", "2010-10-15"),
         "outbox: 'linked' leads outside the out folder"),
    Case("evidence-file-absolute", _edit("evidence.yaml", _sub(f"file: {EVIDENCE_CSV}", "file: /etc/passwd")),
         COLLATE, "sources[5].file: '/etc/passwd' is an absolute path"),
    Case("evidence-file-climbs-out", _edit("evidence.yaml", _sub(f"file: {EVIDENCE_CSV}",
                                                                 "file: ../../../../etc/passwd")), CHECK,
         "sources[5].file: '../../../../etc/passwd' climbs out of the evidence folder"),
    Case("evidence-file-climbs-from-inside", _edit("evidence.yaml", _sub(f"file: {EVIDENCE_CSV}",
                                                                         "file: sub/../../x.csv")), CHECK,
         "sources[5].file:"),
    Case("evidence-dir-leaves-the-cycle", _edit("evidence.yaml", _sub("evidence_dir: ../evidence",
                                                                      "evidence_dir: ../../elsewhere")), CHECK,
         ":5: evidence_dir: '../../elsewhere' leaves the cycle's folder"),
    Case("evidence-dir-home", _edit("evidence.yaml", _sub("evidence_dir: ../evidence", "evidence_dir: ~/ev")), CHECK,
         ":5: evidence_dir:"),
    # mail templates and the Partnership Register workbook
    Case("mail-template-not-utf8", _bytes("templates/mail/reminder.txt", lambda b: b + b"\xff\xfe caf\xe9"),
         CHECK, "UTF-8"),
    Case("mail-template-broken-tag", _bytes("templates/mail/papers.txt", lambda b: b + b"\n{% if x %}\n"),
         CHECK, "template"),
    Case("register-xlsx-bad-crc", lambda cycle: _register_xlsx(cycle, lambda b: _bad_crc(b, "sheet1.xml")), CHECK,
         "damaged"),
    Case("register-xlsx-truncated", lambda cycle: _register_xlsx(cycle, lambda b: b[: len(b) // 2]), CHECK,
         "not an Excel .xlsx workbook"),
    # the state store
    Case("state-store-garbage", _bytes("state/scs.sqlite", lambda b: b"this is not a database" * 100),
         ("questionnaire", "status", "--on", "2010-11-13"), "not a usable state store"),
    # evidence files (the last good evidence base stays)
    Case("csv-binary-bytes", _bytes(f"evidence/{EVIDENCE_CSV}", lambda b: b[:120] + b"\x00\x01\xff" * 40 + b[120:]),
         COLLATE, "binary"),
    Case("csv-random-bytes", _bytes(f"evidence/{EVIDENCE_CSV}", lambda b: b[:60] + _noise(300_000)), COLLATE,
         "binary"),
    Case("csv-utf16", _bytes(f"evidence/{EVIDENCE_CSV}", lambda b: b.decode().encode("utf-16")), COLLATE, "binary"),
    Case("csv-cut-mid-row", _bytes(f"evidence/{EVIDENCE_CSV}", lambda b: b[: b.index(b"well informed", 300)]),
         COLLATE, "cut off"),
    Case("csv-unclosed-quote", _bytes(f"evidence/{EVIDENCE_CSV}", lambda b: b + b'Breckland,"never closed,2010,5\n'),
         COLLATE, "CSV"),
    Case("csv-empty", _bytes(f"evidence/{EVIDENCE_CSV}", lambda b: b""), COLLATE, "header"),
    Case("csv-text-in-a-number", _bytes(f"evidence/{EVIDENCE_CSV}", lambda b: b.replace(b",48\n", b",forty\n", 1)),
         COLLATE, "not a number"),
    Case("csv-missing", _bytes(f"evidence/{EVIDENCE_CSV}", lambda b: b) , COLLATE, "not found"),
    Case("xls-truncated", _bytes(f"evidence/{EVIDENCE_XLS}", lambda b: b[: len(b) // 3]), COLLATE_2021, "damaged"),
    Case("xls-random-bytes", _bytes(f"evidence/{EVIDENCE_XLS}", lambda b: _noise(5000)), COLLATE_2021, "xls"),
    Case("xls-is-really-xlsx", _bytes(f"evidence/{EVIDENCE_XLS}",
                                      lambda b: (ROOT / "evidence" / EVIDENCE_XLSX).read_bytes()), COLLATE_2021, "xls"),
    Case("xlsx-truncated", _bytes(f"evidence/{EVIDENCE_XLSX}", lambda b: b[: len(b) // 2]), COLLATE, "xlsx"),
    Case("xlsx-bad-crc", _bytes(f"evidence/{EVIDENCE_XLSX}", lambda b: _bad_crc(b, "sheet1.xml")), COLLATE, "CRC"),
    Case("xlsx-broken-sheet-xml", _bytes(f"evidence/{EVIDENCE_XLSX}",
                                         lambda b: _zip_edit(b, _cut_xml("sheet1.xml"))), COLLATE, "xlsx"),
    Case("xlsx-is-really-csv", _bytes(f"evidence/{EVIDENCE_XLSX}", lambda b: b"Area,Value\nBreckland,1\n"),
         COLLATE, "xlsx"),
    # returned questionnaires and survey exports
    Case("docx-bad-crc", _import("returned.docx", lambda b: _bad_crc(b, "document.xml")), IMPORT, "CRC"),
    Case("docx-broken-xml", _import("returned.docx", lambda b: _zip_edit(b, _cut_xml("document.xml"))), IMPORT,
         "damaged"),
    Case("docx-truncated", _import("returned.docx", lambda b: b[: len(b) // 2]), IMPORT, "cut off"),
    Case("docx-zero-bytes", _import("returned.docx", lambda b: b""), IMPORT, "not a Word"),
    Case("docx-random-after-pk", _import("returned.docx", lambda b: b"PK" + _noise(3000)), IMPORT, "cut off"),
    Case("docx-is-old-doc", _import("returned.docx", lambda b: b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(600)),
         IMPORT, "97-2003"),
    Case("doc-legacy-word", _import("returned.doc", lambda b: b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(600)),
         IMPORT, "97-2003"),
    Case("docx-is-a-template", _import("returned.docx", lambda b: _zip_edit(
        b, _content_type(b"document.main+xml", b"template.main+xml"))), IMPORT, "template"),
    Case("docx-is-macro-enabled", _import("returned.docx", lambda b: _zip_edit(
        b, _content_type(b"wordprocessingml.document.main+xml", b"ms-word.document.macroEnabled.main+xml"))),
        IMPORT, "macro-enabled"),
    Case("docx-is-a-workbook", _import("returned.docx", lambda b: (ROOT / "evidence" / EVIDENCE_XLSX).read_bytes()),
         IMPORT, "Excel"),
    Case("docx-is-a-pdf", _import("returned.docx", lambda b: b"%PDF-1.4\n" + bytes(100)), IMPORT, "PDF"),
    Case("docx-missing", _import("returned.docx", None), IMPORT, "not found"),
    Case("docx-is-a-folder", _import_folder, IMPORT, "folder"),
    Case("import-rtf", _import("returned.rtf", lambda b: b"{\\rtf1 hello}"), IMPORT, "Rich Text"),
    Case("survey-csv-binary", _import("survey.csv", lambda b: SURVEY.encode() + _noise(2000)), IMPORT, ""),
    Case("survey-xlsx-damaged", _import("survey.xlsx", lambda b: _bad_crc(
        (ROOT / "evidence" / EVIDENCE_XLSX).read_bytes(), "sheet1.xml")), IMPORT, "damaged"),
    Case("survey-xlsx-not-zip", _import("survey.xlsx", lambda b: b"partner_id\nx\n"), IMPORT, "XLSX"),
    Case("survey-bad-received-on", _import("survey.csv", lambda b: (
        SURVEY + "nhs-norfolk,31/02/2011,a,Yes,,b,Yes,,c,,d,\n").encode()), IMPORT, "received_on"),
    Case("survey-unknown-partner", _import("survey.csv", lambda b: (
        SURVEY + "chamber-of-trade,,a,Yes,,b,Yes,,c,,d,\n").encode()), IMPORT, "not in partners.yaml"),
]


def _linked_outbox(cycle: Path) -> Path:
    """outbox: linked, where out/linked is a link to a folder outside the out folder."""
    elsewhere = cycle / "elsewhere"
    elsewhere.mkdir()
    (cycle / "out" / "linked").symlink_to(elsewhere, target_is_directory=True)
    return _edit("delivery.yaml", _sub("outbox: outbox", "outbox: linked"))(cycle)


def _register_xlsx(cycle: Path, damage: Callable[[bytes], bytes]) -> Path:
    """The Partnership Register kept as a workbook (the one `scs review` writes), then damaged."""
    from scs_refresh.review.policy import Rating
    from scs_refresh.review.register import load_register, write_register_xlsx

    config = cycle / "config"
    book = config / "partnerships.xlsx"
    register = load_register(config)
    low = next(iter(Rating))
    write_register_xlsx(register, {p.name: (low, low) for p in register.partnerships}, book)
    (config / "partnerships.yaml").unlink()
    book.write_bytes(damage(book.read_bytes()))
    return book


def _missing_csv(cycle: Path) -> Path:
    f = cycle / "evidence" / EVIDENCE_CSV
    f.unlink()
    return f


CASES = [c if c.id != "csv-missing" else Case(c.id, _missing_csv, c.command, c.says) for c in CASES]


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.id)
def test_a_hostile_input_is_one_line_exit_2_and_nothing_changes(cycle: Path, case: Case):
    bad = case.make(cycle)
    before = tree_hash(cycle / "out")
    args = [a.replace("{file}", str(bad)) for a in case.command]
    result = scs(cycle, *args)
    # One error line; `scs check` may add its warnings after it (the bundled cycle has an election in it).
    lines = [line for line in result.stderr.splitlines() if line.strip() and not line.startswith("warning: ")]
    assert result.exception is None or isinstance(result.exception, SystemExit), repr(result.exception)
    assert result.exit_code == 2, result.output
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("error: ") and bad.name in lines[0], lines[0]
    assert "Traceback" not in result.output
    assert case.says in lines[0], lines[0]
    assert tree_hash(cycle / "out") == before, "the out folder changed"



def test_a_hostile_demo_file_is_one_warning_and_never_blocks_a_real_cycle(cycle: Path):
    """simulation.yaml is the demo's: an alias bomb in it is named as a warning, and `scs check` passes."""
    bad = _append("simulation.yaml", _laughs())(cycle)
    before = tree_hash(cycle / "out")
    result = scs(cycle, *CHECK)
    assert result.exit_code == 0 and "Traceback" not in result.output
    named = [line for line in result.stderr.splitlines() if bad.name in line]
    assert len(named) == 1 and named[0].startswith("warning: ") and "aliases" in named[0]
    assert tree_hash(cycle / "out") == before

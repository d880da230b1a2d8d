"""The officer's commands end to end with the bundled config: send, import, chase (three times), status, interviews."""

from __future__ import annotations

import email
import io
from email import policy
from pathlib import Path

import pytest
from docx import Document
from typer.testing import CliRunner

from scs_cli.main import app

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture
def scs(config_dir: Path, tmp_path: Path):
    def run(*args: str):
        return CliRunner().invoke(app, ["--config-dir", str(config_dir), "--out-dir", str(tmp_path / "out"),
                                        "--state-dir", str(tmp_path / "state"), "--templates-dir",
                                        str(ROOT / "templates"), *args])
    return run


def _eml(path: Path):
    return email.message_from_bytes(path.read_bytes(), policy=policy.default)


def test_send_import_chase_three_times_status(scs, tmp_path: Path):
    outbox = tmp_path / "out" / "outbox"
    result = scs("questionnaire", "send", "--on", "2010-10-15")
    assert result.exit_code == 0, result.output
    assert "queued 12 new questionnaire(s)" in result.output
    emls = sorted(outbox.glob("questionnaire--*.eml"))
    assert len(emls) == 12
    msg = _eml(outbox / "questionnaire--scs-refresh-2010-11--nhs-norfolk.eml")
    assert msg["To"] == "Locality Commissioning Manager <locality.breckland@nhs.example.org>"
    [att] = list(msg.iter_attachments())
    assert att.get_filename() == "SCS questionnaire - nhs-norfolk.docx"

    # NHS Norfolk fills in the attachment and sends it back
    doc = Document(io.BytesIO(att.get_content()))
    doc.tables[0].cell(0, 0).paragraphs[0].add_run("Health inequalities in Thetford")
    doc.save(tmp_path / "nhs-return.docx")
    result = scs("questionnaire", "import", str(tmp_path / "nhs-return.docx"), "--on", "2010-11-01")
    assert result.exit_code == 0, result.output
    assert result.output.startswith("new: nhs-norfolk")

    for _ in range(3):
        result = scs("questionnaire", "chase", "--on", "2010-11-05")
        assert result.exit_code == 0, result.output
    reminders = sorted(p.name for p in outbox.glob("reminder--*.eml"))
    assert len(reminders) == 11 and not any("nhs-norfolk" in r for r in reminders)
    assert "no reminders owed on 2010-11-05" in result.output

    for _ in range(3):
        scs("questionnaire", "chase", "--on", "2010-11-12")
    deadline = sorted(outbox.glob("reminder--*--deadline.eml"))
    assert len(deadline) == 11
    assert _eml(deadline[0])["Cc"]  # the sponsor is copied on the deadline day
    assert len(list(outbox.glob("*.eml"))) == 12 + 11 + 11

    result = scs("questionnaire", "status", "--on", "2010-11-13")
    assert result.exit_code == 0, result.output
    lines = {line.split()[0]: line for line in result.output.splitlines() if line.startswith(("nhs", "business"))}
    assert "responded 2010-11-01" in lines["nhs-norfolk"]
    assert "reminders: 2 (first 2010-11-05, deadline 2010-11-12); OVERDUE" in lines["business-forum"]
    assert "1 of 12 partners responded" in result.output


def test_import_of_a_foreign_file_exits_2_with_one_line(scs, tmp_path: Path):
    Document().save(tmp_path / "minutes.docx")
    result = scs("questionnaire", "import", str(tmp_path / "minutes.docx"))
    assert result.exit_code == 2
    assert result.stderr.strip().endswith("minutes.docx: not one of our questionnaires (no 'Reference: SCS-Q/...' line)")
    assert "Traceback" not in result.output


def test_interview_request_and_record(scs, tmp_path: Path):
    result = scs("interview", "request", "--on", "2010-11-01")
    assert result.exit_code == 0, result.output
    assert len(list((tmp_path / "out" / "outbox").glob("interview-request--*.eml"))) == 6
    assert scs("interview", "record", "nhs-norfolk", "--date", "2010-11-17 14:00", "--on", "2010-11-03").exit_code == 0
    assert scs("interview", "record", "nhs-norfolk", "--notes", "Public health data offered",
               "--on", "2010-11-17").exit_code == 0
    bad = scs("interview", "record", "nhs-norfolk", "--date", "17/11/2010")
    assert bad.exit_code == 2 and "Invalid value" in bad.output
    status = scs("questionnaire", "status", "--on", "2011-01-10").output
    assert "nhs-norfolk" in status and "interview: held" in status
    # as at a day before it was recorded as held, it was agreed; before the agreement, only requested
    nhs = lambda day: next(line for line in scs("questionnaire", "status", "--on", day).output.splitlines()  # noqa: E731
                           if line.startswith("nhs-norfolk"))
    assert nhs("2010-11-16").endswith("interview: agreed 2010-11-17 14:00")
    assert nhs("2010-11-02").endswith("interview: requested")
    assert "warning: 5 interviews incomplete; they must be held by the end of the Testing stage" in status


def test_smtp_without_password_exits_2_and_queues(scs, config_dir: Path, tmp_path: Path, monkeypatch):
    monkeypatch.delenv("SCS_SMTP_PASSWORD", raising=False)
    text = (config_dir / "delivery.yaml").read_text().replace("transport: outbox", "transport: smtp")
    (config_dir / "delivery.yaml").write_text(text)
    result = scs("questionnaire", "send", "--on", "2010-10-15")
    assert result.exit_code == 2
    assert "SCS_SMTP_PASSWORD" in result.stderr
    import sqlite3

    with sqlite3.connect(tmp_path / "state" / "scs.sqlite") as conn:
        assert conn.execute("SELECT count(*) FROM sends WHERE status = 'pending'").fetchone()[0] == 12

"""partners.yaml and delivery.yaml: the bundled files load; each kind of mistake is named with its place."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from typer.testing import CliRunner

from scs_cli.main import app
from scs_refresh.workspace import check_all
from scs_refresh.mail.dispatch import load_delivery
from scs_refresh.core.errors import ConfigError
from scs_refresh.partners.register import load_partners


def _edit(file: Path, old: str, new: str, count: int = 1) -> None:
    text = file.read_text()
    assert old in text, old
    file.write_text(text.replace(old, new, count))


def test_bundled_register_has_the_partnership_members(config_dir: Path):
    cfg = load_partners(config_dir / "partners.yaml")
    names = " ".join(p.name for p in cfg.partners)
    for member in ("Breckland Council", "Norfolk County Council", "Constabulary", "Fire and Rescue", "NHS",
                   "Jobcentre Plus", "Probation", "Voluntary Norfolk", "housing", "Business", "parish",
                   "Environment Agency"):
        assert member in names
    assert all(p.contact.email.endswith("example.org") for p in cfg.partners)
    assert [a.title for a in cfg.questionnaire.areas] == [
        "Key priorities and focus", "Future commitment of time and resources",
        "Evidence of need and consultation data", "Links to current strategies or projects"]
    assert [ref for ref, _ in cfg.questionnaire.numbered][:4] == ["Q1.1", "Q1.2", "Q1.3", "Q2.1"]


@pytest.mark.parametrize("file, old, new, expected", [
    ("partners.yaml", "    contact: {name: Head of Policy and Performance, email: policy@breckland.example.org}\n",
     "    contact: {name: Head of Policy and Performance}\n",
     r"partners\.yaml:\d+: partners\[0\]\.contact\.email: the key 'email' is required"),
    ("partners.yaml", "email: policy@breckland.example.org", "email: policy at breckland",
     r"partners\[0\]\.contact\.email: 'policy at breckland' is not an e-mail address"),
    ("partners.yaml", "  - id: norfolk-county-council", "  - id: breckland-council",
     r"partners\[1\]\.id: duplicate partner id 'breckland-council' \(already used by partners\[0\]\)"),
    ("partners.yaml", "deadline: 2010-11-12", "deadline: 2010-12-12",
     r"questionnaire\.deadline: the deadline 2010-12-12 is outside the Scoping stage"),
    ("partners.yaml", "deadline: 2010-11-12", "deadline: 2010-11-31",
     r"questionnaire\.deadline: 2010-11-31 is not a real date"),
    ("partners.yaml", "    - 2010-11-15 10:00", "    - 2011-02-15 10:00",
     r"interviews\.slots\[0\]: the slot 2011-02-15 10:00 is after"),
    ("partners.yaml", "{id: second, days_before: 2}", "{id: second, days_before: 9}",
     r"partners\.yaml:\d+: chasing: list reminders"),
    ("delivery.yaml", "transport: outbox", "transport: smtp\nsmtp_host: x",
     r"delivery\.yaml:\d+: smtp_host: unknown key 'smtp_host'"),
    ("delivery.yaml", "  password_env: SCS_SMTP_PASSWORD", "  password: hunter2",
     r"smtp\.password: unknown key 'password'"),
    ("delivery.yaml", "  port: 587", "  port: 99999", r"smtp\.port: Input should be less than or equal to 65535"),
])
def test_config_mistakes_are_named_with_file_line_and_key(config_dir: Path, file, old, new, expected):
    _edit(config_dir / file, old, new)
    with pytest.raises(ConfigError) as err:
        check_all(config_dir)
    assert re.search(expected, "\n".join(err.value.lines())), err.value.lines()


def test_smtp_transport_needs_its_server(tmp_path: Path):
    f = tmp_path / "delivery.yaml"
    f.write_text("transport: smtp\nsender: {name: Officer, email: officer@example.org}\n")
    with pytest.raises(ConfigError, match="no smtp: block"):
        load_delivery(f)


def test_scs_check_reports_a_bad_partner_file_and_exits_2(config_dir: Path):
    _edit(config_dir / "partners.yaml", "  - id: norfolk-county-council", "  - id: breckland-council")
    result = CliRunner().invoke(app, ["--config-dir", str(config_dir), "check"])
    assert result.exit_code == 2
    assert "duplicate partner id 'breckland-council'" in result.stderr
    assert "Traceback" not in result.output

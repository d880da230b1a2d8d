"""Where the officer's files live: resolved once at the CLI edge and passed down."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from scs_refresh.core.store import Location, StateURL, cycle_key


@dataclass(frozen=True)
class Dirs:
    """The three folders of one refresh cycle; an officer can keep several cycles side by side."""

    config: Path = Path("config")
    out: Path = Path("out")
    state: Path = Path("state")
    templates: Path = Path("templates")
    store_file: Path | None = None  # the SQLite state store; default <state>/scs.sqlite
    state_url: str | None = None  # the state on PostgreSQL instead (no password: that is in PGPASSWORD)

    @property
    def store(self) -> Location:
        """The SQLite file, or, with a state URL, this cycle's rows in that PostgreSQL database."""
        if self.state_url:
            return StateURL(self.state_url, cycle_key(self.timetable))
        return self.store_file or self.state / "scs.sqlite"

    @property
    def timetable(self) -> Path:
        return self.config / "timetable.yaml"

    @property
    def papers(self) -> Path:
        return self.config / "papers.yaml"

    @property
    def partners(self) -> Path:
        return self.config / "partners.yaml"

    @property
    def delivery(self) -> Path:
        return self.config / "delivery.yaml"

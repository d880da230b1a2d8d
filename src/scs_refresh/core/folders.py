"""Where the officer's files live: resolved once at the CLI edge and passed down."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class Dirs:
    """The three folders of one refresh cycle; an officer can keep several cycles side by side."""

    config: Path = Path("config")
    out: Path = Path("out")
    state: Path = Path("state")
    templates: Path = Path("templates")
    store_file: Path | None = None  # the SQLite state store; default <state>/scs.sqlite

    @property
    def store(self) -> Path:
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

"""Where the officer's files live: resolved once at the CLI edge and passed down."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class Dirs:
    """The three folders of one refresh cycle; an officer can keep several cycles side by side."""

    config: Path
    out: Path
    state: Path
    templates: Path = Path("templates")

    @property
    def timetable(self) -> Path:
        return self.config / "timetable.yaml"

    @property
    def papers(self) -> Path:
        return self.config / "papers.yaml"

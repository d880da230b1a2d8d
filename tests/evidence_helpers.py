"""Build small evidence manifests in tmp_path around the bundled themes and areas."""

from __future__ import annotations

from pathlib import Path

import yaml

from .conftest import ROOT


def manifest_file(tmp_path: Path, sources: list[dict], evidence_dir: Path) -> Path:
    """An evidence.yaml with the bundled themes and areas and just ``sources``."""
    base = yaml.safe_load((ROOT / "config" / "evidence.yaml").read_text())
    base["evidence_dir"] = str(evidence_dir)
    base["sources"] = sources
    file = tmp_path / "config" / "evidence.yaml"
    file.parent.mkdir(parents=True, exist_ok=True)
    file.write_text(yaml.safe_dump(base, sort_keys=False))
    return file


def source(file: str, read: dict, **extra) -> dict:
    """A manifest entry with sensible defaults for everything but the file and how to read it."""
    return {"id": extra.pop("id", "s"), "kind": extra.pop("kind", "indicator-table"), "title": "Test source",
            "file": file, "publisher": "Test", "period": "2010", "published": "2010-11-01",
            "themes": extra.pop("themes", ["context"]), "read": read, **extra}

"""``scs check``: every problem in every config file at once, then every warning.

Errors are what :meth:`Workspace.load` refuses (each file read and checked, then the checks
across files for every file sound on its own). Warnings are what may be intended but usually is
not: meetings on a weekend, a bank holiday or in the Christmas closure, meetings and papers in a
pre-election period, partner dates on such days, evidence files missing from ``evidence_dir``, and
anything wrong with the demo-only ``simulation.yaml`` (a real cycle never needs it, so it never
fails the check unless ``--strict``). Each is one line: file, line, key, what is wrong and what
would fix it.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

from scs_refresh.automation.simulation import FILE_NAME as SIMULATION
from scs_refresh.automation.simulation import load_simulation
from scs_refresh.core.errors import ConfigError, Problem
from scs_refresh.core.folders import Dirs
from scs_refresh.core.yamlio import Path_, key_path, read_yaml
from scs_refresh.evidence.manifest import LoadedManifest, load_manifest
from scs_refresh.papers.records import forward_plan_warnings
from scs_refresh.partners.register import load_partners
from scs_refresh.partners.register import calendar_warnings as partner_warnings
from scs_refresh.timetable.calendar_checks import calendar_warnings
from scs_refresh.timetable.model import load_timetable
from scs_refresh.workspace import Workspace


@dataclass(frozen=True)
class Report:
    """What ``scs check`` found: the files read, then the errors and the warnings, in file order."""

    files: list[str]
    errors: list[Problem] = field(default_factory=list)
    warnings: list[Problem] = field(default_factory=list)


def check_cycle(dirs: Dirs) -> Report:
    """Load the cycle's config as every command does, keep every problem, then gather the warnings."""
    folder = Path(dirs.config)
    try:
        ws: Workspace | None = Workspace.load(dirs)
        errors: list[Problem] = []
    except ConfigError as exc:
        ws, errors = None, exc.problems
    if ws is None and not folder.is_dir():
        return Report([], errors)
    tt = ws.timetable if ws else _quietly(lambda: load_timetable(folder / "timetable.yaml"))
    partners = ws.partners if ws else (_quietly(lambda: load_partners(folder / "partners.yaml", tt)) if tt else None)
    evidence = ws.evidence if ws else _quietly(lambda: load_manifest(folder / "evidence.yaml"))
    warnings: list[Problem] = []
    if tt is not None:
        warnings += _located(folder / "timetable.yaml", calendar_warnings(tt))
    papers = ws.papers if ws else None
    if tt is not None and papers is not None:
        warnings += _located(folder / "papers.yaml", forward_plan_warnings(tt, papers.forward_plan))
    if partners is not None:
        warnings += _located(folder / "partners.yaml", partner_warnings(partners))
    if evidence is not None:
        warnings += _missing_evidence(evidence)
    files = ws.loaded() if ws else []
    sim = folder / SIMULATION
    problems = []
    if sim.exists() and not (folder / "partners.yaml").exists():
        problems = [Problem(sim, "needs partners.yaml beside it: the replies name partners")]
    elif sim.exists() and partners is not None and tt is not None:
        try:
            load_simulation(sim, partners, tt)
            files.append(SIMULATION)
        except ConfigError as exc:
            problems = exc.problems
    # demo only: a real cycle never reads it
    warnings += [Problem(p.file, f"{p.message} (demo only: `scs demo` and `scs simulate` need this fixed, a real "
                         "cycle does not)", p.key, p.line) for p in problems]
    return Report(files, errors, warnings)


def _quietly(load: Callable):
    """A file loaded on its own for its warnings; its errors are already in the report."""
    try:
        return load()
    except ConfigError:
        return None


def _located(file: Path, found: Iterable[tuple[Path_, str]]) -> list[Problem]:
    """(key path, sentence) pairs as problems with the line of the key; a key not in the file has no line."""
    found = list(found)
    if not found:
        return []
    doc = read_yaml(file)
    return [doc.problem(path, msg) if not path or path[0] in doc.data else Problem(file, msg, key_path(path))
            for path, msg in found]


def _missing_evidence(manifest: LoadedManifest) -> list[Problem]:
    """Each source file not found where ``evidence_dir`` points (one line when the folder itself is missing)."""
    doc = read_yaml(manifest.file)
    where = f"evidence_dir: {manifest.evidence_dir}, relative to {manifest.file.name}"
    if not manifest.folder.is_dir():
        return [doc.problem(("evidence_dir",), f"the folder {manifest.folder} does not exist ({where}), so none of "
                            f"the {len(manifest.sources)} sources can be read: correct evidence_dir or create it")]
    return [doc.problem(("sources", i, "file"), f"{s.file} is not in {manifest.folder} ({where}): put the file "
                        "there, or correct the file name or evidence_dir")
            for i, s in enumerate(manifest.sources) if not manifest.path(s).is_file()]

"""Every file in the config folder the officer edits, and how to check them all at once.

Each entry maps a file name to a dotted loader path, imported only when that file is
checked, so ``scs check`` never pays for a module it does not need.
"""

from __future__ import annotations

from importlib import import_module
from pathlib import Path

from .errors import ConfigError, Problem

#: file name -> "module:function" that reads, validates and returns the typed object.
LOADERS: dict[str, str] = {
    "timetable.yaml": "scs_refresh.timetable:load_timetable",
    "papers.yaml": "scs_refresh.papers.config:load_papers_config",
    "partners.yaml": "scs_refresh.partners.register:load_partners",
    "delivery.yaml": "scs_refresh.delivery:load_delivery",
    "evidence.yaml": "scs_refresh.evidence.manifest:load_manifest",
    "partnerships.yaml": "scs_refresh.review.register:load_register_yaml",
    "partnerships.xlsx": "scs_refresh.review.register:load_register_xlsx",
    "partnership_review.yaml": "scs_refresh.review.paper:load_review_content",
    "delivery_plan.yaml": "scs_refresh.performance:load_delivery_plan",
}
#: files a cycle cannot run without (the others are optional until their stage needs them)
REQUIRED = {"timetable.yaml"}


def load(config_dir: Path, name: str):
    """Load one config file by name with its registered loader."""
    module, func = LOADERS[name].split(":")
    return getattr(import_module(module), func)(Path(config_dir) / name)


def check_all(config_dir: Path) -> dict[str, object]:
    """Load every known config file present; raise one ConfigError listing all problems."""
    config_dir = Path(config_dir)
    if not config_dir.is_dir():
        raise ConfigError([Problem(config_dir, "config folder not found")])
    loaded, problems = {}, []
    for name in LOADERS:
        if not (config_dir / name).exists() and name not in REQUIRED:
            continue
        try:
            loaded[name] = load(config_dir, name)
        except ConfigError as exc:
            problems.extend(exc.problems)
    if not problems and "papers.yaml" in loaded:
        from .papers.config import check_against_timetable

        try:
            check_against_timetable(loaded["papers.yaml"], loaded["timetable.yaml"], config_dir / "papers.yaml")
        except ConfigError as exc:
            problems.extend(exc.problems)
    if not problems and "delivery_plan.yaml" in loaded:
        problems.extend(_check_delivery_plan(config_dir, loaded))
    if problems:
        raise ConfigError(problems)
    return loaded


def _check_delivery_plan(config_dir: Path, loaded: dict[str, object]) -> list[Problem]:
    """The plan's themes and indicators must be in evidence.yaml and its owners in partners.yaml."""
    from .performance import check_plan

    needed = [n for n in ("evidence.yaml", "partners.yaml") if n not in loaded]
    if needed:
        return [Problem(config_dir / "delivery_plan.yaml", f"needs {' and '.join(needed)} in the same folder "
                        "(its themes, indicators and owners are defined there)")]
    try:
        check_plan(loaded["delivery_plan.yaml"], loaded["evidence.yaml"], loaded["partners.yaml"])
    except ConfigError as exc:
        return exc.problems
    return []

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
    "scs.yaml": "scs_refresh.papers.scs_config:load_scs_config",
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
    if not problems and "scs.yaml" in loaded:
        problems.extend(_check_scs(loaded, config_dir))
    if problems:
        raise ConfigError(problems)
    return loaded


def _check_scs(loaded: dict[str, object], config_dir: Path) -> list[Problem]:
    """scs.yaml names themes of evidence.yaml and partners and questions of partners.yaml."""
    from .papers.scs_config import check_against

    needs = [n for n in ("evidence.yaml", "partners.yaml") if n not in loaded]
    if needs:
        return [Problem(config_dir / "scs.yaml", f"needs {' and '.join(needs)} beside it to check its themes and owners")]
    try:
        check_against(loaded["scs.yaml"], loaded["evidence.yaml"], loaded["partners.yaml"], config_dir / "scs.yaml")
    except ConfigError as exc:
        return exc.problems
    return []

"""Every file in the config folder the officer edits, and how to check them all at once.

Each entry maps a file name to a dotted loader path, imported only when that file is
checked, so ``scs check`` never pays for a module it does not need.
"""

from __future__ import annotations

from importlib import import_module
from pathlib import Path

from scs_refresh.core.errors import ConfigError, Problem

#: file name -> "module:function" that reads, validates and returns the typed object.
LOADERS: dict[str, str] = {
    "timetable.yaml": "scs_refresh.timetable.model:load_timetable",
    "papers.yaml": "scs_refresh.papers.wording:load_papers_config",
    "partners.yaml": "scs_refresh.partners.register:load_partners",
    "delivery.yaml": "scs_refresh.mail.dispatch:load_delivery",
    "evidence.yaml": "scs_refresh.evidence.manifest:load_manifest",
    "partnerships.yaml": "scs_refresh.review.register:load_register_yaml",
    "partnerships.xlsx": "scs_refresh.review.register:load_register_xlsx",
    "partnership_review.yaml": "scs_refresh.review.paper:load_review_content",
    "scs.yaml": "scs_refresh.strategy.content:load_scs_config",
    "delivery_plan.yaml": "scs_refresh.performance.delivery_plan:load_delivery_plan",
}
#: the demonstration's outside world; checked against partners.yaml and the timetable
SIMULATION = "simulation.yaml"
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
    if not problems:  # files that name things in other files, checked once each file is sound
        problems = _cross_checks(loaded, config_dir)
    if problems:  # each once: partners.yaml, say, reads the timetable too and meets the same problem
        raise ConfigError(list(dict.fromkeys(problems)))
    return loaded


def _cross_checks(loaded: dict[str, object], config_dir: Path) -> list[Problem]:
    """Every cross-file problem at once: papers.yaml against the timetable, scs.yaml and
    delivery_plan.yaml against evidence.yaml and partners.yaml."""
    problems: list[Problem] = []
    if "papers.yaml" in loaded:
        from scs_refresh.papers.wording import check_against_timetable

        try:
            check_against_timetable(loaded["papers.yaml"], loaded["timetable.yaml"], config_dir / "papers.yaml")
        except ConfigError as exc:
            problems.extend(exc.problems)
    if "scs.yaml" in loaded:
        from scs_refresh.strategy.content import check_against

        problems.extend(_against_evidence_and_partners(
            loaded, config_dir, "scs.yaml", lambda scs, ev, pa: check_against(scs, ev, pa, config_dir / "scs.yaml")))
    if "delivery_plan.yaml" in loaded:
        from scs_refresh.performance.delivery_plan import check_plan

        problems.extend(_against_evidence_and_partners(loaded, config_dir, "delivery_plan.yaml", check_plan))
    if (config_dir / SIMULATION).exists():  # the demo's replies and decisions name partners and meetings
        from scs_refresh.automation.simulation import load_simulation

        if "partners.yaml" not in loaded:
            problems.append(Problem(config_dir / SIMULATION, "needs partners.yaml beside it: the replies name partners"))
        else:
            try:
                loaded[SIMULATION] = load_simulation(config_dir / SIMULATION, loaded["partners.yaml"],
                                                     loaded["timetable.yaml"])
            except ConfigError as exc:
                problems.extend(exc.problems)
    return problems


def _against_evidence_and_partners(loaded: dict[str, object], config_dir: Path, name: str, check) -> list[Problem]:
    """``name`` names themes and indicators of evidence.yaml and partners of partners.yaml: check them."""
    needs = [n for n in ("evidence.yaml", "partners.yaml") if n not in loaded]
    if needs:
        return [Problem(config_dir / name, f"needs {' and '.join(needs)} beside it: the themes, indicators "
                        "and partners it names are defined there")]
    try:
        check(loaded[name], loaded["evidence.yaml"], loaded["partners.yaml"])
    except ConfigError as exc:
        return exc.problems
    return []

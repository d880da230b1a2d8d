"""One cycle's config, loaded once: every file in the config folder the officer edits, read,
validated and cross-checked into one typed :class:`Workspace` that is passed down, with the
wording of the e-mails (templates/mail).

A process (the CLI, a tick, a whole demo) loads the workspace once; it is loaded again only
when a file in the config folder or a mail template changes, so a long-running server sees the
officer's edits without re-reading unchanged files on every action.
"""

from __future__ import annotations

import logging
import hashlib
from dataclasses import dataclass, replace
from pathlib import Path

from scs_refresh.core.errors import ConfigError, Problem, UserError
from scs_refresh.core.folders import Dirs
from scs_refresh.evidence.manifest import LoadedManifest, load_manifest
from scs_refresh.mail.dispatch import DeliverySettings, load_delivery
from scs_refresh.mail.wording import MailWording, load_mail_wording
from scs_refresh.mail.wording import fingerprint as mail_fingerprint
from scs_refresh.papers.contexts import ReviewInputs
from scs_refresh.papers.equality import FILE_NAME as EQUALITY
from scs_refresh.papers.equality import EqualityScreening, load_equality
from scs_refresh.papers.funding import FILE_NAME as FUNDING
from scs_refresh.papers.funding import FundingAllocations, load_funding
from scs_refresh.papers.wording import PapersConfig, check_against_timetable, load_papers_config
from scs_refresh.partners.outreach import Setup as Outreach
from scs_refresh.partners.register import PartnersConfig, load_partners
from scs_refresh.performance.delivery_plan import FILE_NAME as DELIVERY_PLAN
from scs_refresh.performance.delivery_plan import LoadedPlan, check_due_dates, check_plan, load_delivery_plan
from scs_refresh.performance.scorecard import Inputs as PlanInputs
from scs_refresh.review.paper import ReviewContent, load_review_content
from scs_refresh.review.register import XLSX_NAME, YAML_NAME, Register, load_register
from scs_refresh.strategy.content import ScsConfig, check_against, load_scs_config
from scs_refresh.strategy.draft import DraftInputs
from scs_refresh.timetable.model import Timetable, load_timetable

log = logging.getLogger(__name__)

#: the files of a config folder, in the order they are read; only the timetable is required,
#: the others are needed from the stage that uses them
FILES = ("timetable.yaml", "papers.yaml", "partners.yaml", "delivery.yaml", "evidence.yaml", YAML_NAME,
         XLSX_NAME, "partnership_review.yaml", "scs.yaml", DELIVERY_PLAN, FUNDING, EQUALITY)


@dataclass(frozen=True)
class Workspace:
    """The validated config of one cycle and the folders it works in."""

    dirs: Dirs
    timetable: Timetable
    mail: MailWording  # templates/mail: what each e-mail says
    papers: PapersConfig | None = None
    partners: PartnersConfig | None = None
    delivery: DeliverySettings | None = None
    evidence: LoadedManifest | None = None
    register: Register | None = None
    review_content: ReviewContent | None = None
    scs: ScsConfig | None = None
    delivery_plan: LoadedPlan | None = None
    funding: FundingAllocations | None = None  # the exempt paper's allocations (members only)
    equality: EqualityScreening | None = None  # the Strategy's equality impact assessment screening

    @classmethod
    def load(cls, dirs: Dirs) -> Workspace:
        """Every config file present and the mail templates, every problem at once (one ConfigError);
        cached per state of the two folders."""
        mail = mail_folder(dirs)
        key = (Path(dirs.config).resolve(), _fingerprint(Path(dirs.config)), mail.resolve(),
               mail_fingerprint(mail))
        if key not in _LOADED:
            _LOADED.clear()  # one cycle's config at a time is all a process needs to keep
            _LOADED[key] = _load(Path(dirs.config), mail)
            log.info("read the cycle's config from %s (%d file(s))", dirs.config, len(key[1]))
        return cls(dirs, **_LOADED[key])

    def with_timetable(self, timetable: Timetable) -> Workspace:
        """The same cycle with its meetings at their confirmed (re-planned) dates."""
        return replace(self, timetable=timetable)

    def loaded(self) -> list[str]:
        """The names of the files this workspace was read from (what ``scs check`` reports)."""
        folder = Path(self.dirs.config)
        return [name for name in FILES if (folder / name).exists()]

    # --- what each stage needs, with one clear line when a file is missing ---------------

    def _need(self, value, name: str, why: str):
        if value is None:
            raise UserError(f"{Path(self.dirs.config) / name}: file not found; {why}")
        return value

    def need_partners(self) -> PartnersConfig:
        return self._need(self.partners, "partners.yaml", "the partner actions need the partner register")

    def need_delivery(self) -> DeliverySettings:
        return self._need(self.delivery, "delivery.yaml", "it says how mail goes out (outbox or smtp)")

    def need_papers(self) -> PapersConfig:
        return self._need(self.papers, "papers.yaml", "it holds the wording of the papers")

    def need_evidence(self) -> LoadedManifest:
        return self._need(self.evidence, "evidence.yaml", "it lists the sources of the evidence base")

    def outreach(self) -> Outreach:
        """What the partner operations need: the register, the timetable, how mail goes out and what it says."""
        return Outreach(self.dirs, self.timetable, self.need_partners(), self.need_delivery(), self.mail)

    def draft_inputs(self) -> DraftInputs:
        """What the draft SCS is written from (scs.yaml, evidence.yaml, partners.yaml, checked together)."""
        scs = self._need(self.scs, "scs.yaml", "the draft Sustainable Community Strategy is written from it")
        return DraftInputs(scs, self.need_evidence(), self.need_partners(), self.timetable)

    def need_review(self) -> ReviewInputs:
        """The register and the review's wording, or one line saying which file is missing."""
        if self.register is None:
            raise ConfigError([Problem(Path(self.dirs.config) / YAML_NAME,
                                       f"file not found (nor {XLSX_NAME}): the Partnership Register is needed")])
        return self.review_inputs()

    def review_inputs(self) -> ReviewInputs | None:
        """The Partnership Register and the review's wording, once the officer has set them up."""
        if self.register is None:
            return None
        content = self._need(self.review_content, "partnership_review.yaml", "it holds the review report's wording")
        return ReviewInputs(self.register, content)

    def plan_inputs(self) -> PlanInputs | None:
        """The SCS delivery plan with the names it refers to; None before there is a plan."""
        if self.delivery_plan is None:
            return None
        manifest, partners = self.need_evidence(), self.need_partners()
        return PlanInputs(self.delivery_plan, manifest.focus, {t.id: t.title for t in manifest.themes},
                          {p.id: p.name for p in partners.partners})


_LOADED: dict[tuple, dict] = {}


def mail_folder(dirs: Dirs) -> Path:
    """templates/mail: one template per kind of e-mail (templates/README.md)."""
    return Path(dirs.templates) / "mail"


def _fingerprint(folder: Path) -> tuple:
    """What the config folder holds now: a changed, added or removed file gives a new fingerprint."""
    out = []
    for name in FILES:
        try:
            out.append((name, hashlib.sha256((folder / name).read_bytes()).hexdigest()))
        except FileNotFoundError:
            continue
    return tuple(out)


def _load(folder: Path, mail: Path) -> dict:
    """Read every file present, then the checks across files, then the mail templates; all problems
    in one ConfigError."""
    if not folder.is_dir():
        raise ConfigError([Problem(folder, "config folder not found")])
    problems: list[Problem] = []

    broken: set[str] = set()  # files with problems of their own: the checks across files leave them out

    def read(name: str, loader, *args, **kwargs):
        if not (folder / name).exists() and name != "timetable.yaml":
            return None
        try:
            return loader(folder / name, *args, **kwargs)
        except ConfigError as exc:
            problems.extend(exc.problems)
            broken.add(name)
            return None

    tt = read("timetable.yaml", load_timetable)
    parts = {
        "papers": read("papers.yaml", load_papers_config),
        # without a sound timetable, partners.yaml is still read for its own problems
        "partners": read("partners.yaml", load_partners, tt, alone=tt is None),
        "delivery": read("delivery.yaml", load_delivery),
        "evidence": read("evidence.yaml", load_manifest),
        "review_content": read("partnership_review.yaml", load_review_content),
        "scs": read("scs.yaml", load_scs_config),
        "delivery_plan": read(DELIVERY_PLAN, load_delivery_plan),
        "funding": read(FUNDING, load_funding),
        "equality": read(EQUALITY, load_equality),
    }
    if (folder / YAML_NAME).exists() or (folder / XLSX_NAME).exists():
        try:
            parts["register"] = load_register(folder)
        except ConfigError as exc:
            problems.extend(exc.problems)
    if tt is None:
        parts["partners"] = None  # read alone: not to be used
    # files that name things in other files, checked for every pair that is sound on its own
    problems += _cross_checks(folder, tt, parts, broken)
    try:
        parts["mail"] = load_mail_wording(mail)
    except ConfigError as exc:
        problems.extend(exc.problems)
    if problems:  # each once: two files can meet the same problem
        raise ConfigError(list(dict.fromkeys(problems)))
    return {"timetable": tt, **parts}


def _cross_checks(folder: Path, tt: Timetable | None, parts: dict, broken: set[str]) -> list[Problem]:
    """Every cross-file problem at once: papers.yaml against the timetable, scs.yaml and
    delivery_plan.yaml against evidence.yaml and partners.yaml (a file with problems of its own is
    left out: they are reported already)."""
    problems: list[Problem] = []
    if parts["papers"] is not None and tt is not None:
        try:
            check_against_timetable(parts["papers"], tt, folder / "papers.yaml")
        except ConfigError as exc:
            problems.extend(exc.problems)
    if parts["papers"] is not None and tt is not None and parts["funding"] is None and FUNDING not in broken:
        problems += [Problem(folder / FUNDING, f"file not found: '{p.title}' ({e.id}) is written from it (theme, "
                             "partner, project, amount for each allocation)")
                     for e in tt.events for p in e.papers if p.purpose in parts["papers"].purposes
                     and parts["papers"].purposes[p.purpose].issues == "funding_allocations"][:1]
    if parts["scs"] is not None:
        problems.extend(_against_evidence_and_partners(
            folder, parts, "scs.yaml", lambda scs, ev, pa: check_against(scs, ev, pa, folder / "scs.yaml"), "scs",
            broken))
    if parts["delivery_plan"] is not None:
        problems.extend(_against_evidence_and_partners(folder, parts, DELIVERY_PLAN, check_plan, "delivery_plan",
                                                       broken))
        if tt is not None:
            try:
                check_due_dates(parts["delivery_plan"], tt)
            except ConfigError as exc:
                problems.extend(exc.problems)
    return problems


def _against_evidence_and_partners(folder: Path, parts: dict, name: str, check, key: str,
                                   broken: set[str]) -> list[Problem]:
    """``name`` names themes and indicators of evidence.yaml and partners of partners.yaml: check them."""
    if broken & {"evidence.yaml", "partners.yaml", "timetable.yaml"}:
        return []
    needs = [n for n, k in (("evidence.yaml", "evidence"), ("partners.yaml", "partners")) if parts[k] is None]
    if needs:
        return [Problem(folder / name, f"needs {' and '.join(needs)} beside it: the themes, indicators "
                        "and partners it names are defined there")]
    try:
        check(parts[key], parts["evidence"], parts["partners"])
    except ConfigError as exc:
        return exc.problems
    return []


def check_all(config_dir: Path, templates: Path = Path("templates")) -> list[str]:
    """``scs check``: load every config file present and the mail templates; one ConfigError lists all problems."""
    return Workspace.load(Dirs(config=Path(config_dir), out=Path("out"), state=Path("state"),
                               templates=Path(templates))).loaded()

"""A personalised Word questionnaire per partner and the covering e-mail that carries it.

Rendering goes through the papers' :class:`Template` (docxtpl, autoescape on, missing-field
check): a partner called "Smith & Sons <Ltd>" appears as written. The document
carries a reference line (and the same reference in its properties) naming the cycle and the
partner, so a returned copy can be recognised as ours and whose it is.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from scs_refresh.mail import dispatch as delivery
from scs_refresh.core.dates import day_text_long
from scs_refresh.mail.dispatch import Attachment, Contact, Outgoing
from scs_refresh.mail.wording import MailWording, signed_by
from scs_refresh.documents.render import Template
from scs_refresh.core.store import Store
from scs_refresh.timetable.model import Cycle
from scs_refresh.partners.register import Partner, PartnersConfig, Question

REFERENCE_PREFIX = "SCS-Q"
DOCX_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
_HINTS = {"text": "", "yes_no": "(Yes or No)", "number": "(a number)"}



def reference(cycle: Cycle, partner_id: str) -> str:
    """``SCS-Q/<cycle>/<partner>``: printed in the document and stored in its properties."""
    return f"{REFERENCE_PREFIX}/{cycle.id}/{partner_id}"


def _question(ref: str, q: Question) -> dict:
    hint = " ".join(h for h in (_HINTS[q.answer], "(required)" if q.required else "") if h)
    return {"ref": ref, "text": q.text, "hint": hint}


def context(cfg: PartnersConfig, cycle: Cycle, partner: Partner) -> dict:
    """Everything the template shows for one partner (plain data: docxtpl escapes it)."""
    refs = iter(cfg.questionnaire.numbered)
    areas = [{"number": n, "title": area.title,
              "questions": [_question(*next(refs)) for _ in area.questions]}
             for n, area in enumerate(cfg.questionnaire.areas, 1)]
    return {"title": cfg.questionnaire.title, "partner_name": partner.name, "contact_name": partner.contact.name,
            "deadline": day_text_long(cfg.questionnaire.deadline), "reply_to": cfg.questionnaire.reply_to,
            "officer_name": cycle.officer.name, "officer_role": cycle.officer.role,
            "reference": reference(cycle, partner.id), "areas": areas}


def filename(partner: Partner) -> str:
    return f"SCS questionnaire - {partner.id}.docx"


def covering_email(cfg: PartnersConfig, cycle: Cycle, partner: Partner, wording: MailWording) -> tuple[str, str]:
    """The (subject, body) of the e-mail that carries the questionnaire (templates/mail/questionnaire.txt)."""
    q = cfg.questionnaire
    return wording.render("questionnaire", **signed_by(cycle), partner_name=partner.name,
                          contact_name=partner.contact.name, areas=[a.title for a in q.areas], reply_to=q.reply_to,
                          deadline=day_text_long(q.deadline), interview=partner.interview,
                          reference=reference(cycle, partner.id))


def questionnaire_key(cycle: Cycle, partner_id: str) -> str:
    return f"questionnaire:{cycle.id}:{partner_id}"


@dataclass(frozen=True)
class Questionnaires:
    """Builds the outgoing questionnaire message for each partner."""

    cfg: PartnersConfig
    cycle: Cycle
    template: Template
    wording: MailWording

    def message(self, partner: Partner) -> Outgoing:
        ref = reference(self.cycle, partner.id)
        ctx = context(self.cfg, self.cycle, partner)
        doc = self.template.render(ctx, {"identifier": ref, "title": ctx["title"]})
        subject, body = covering_email(self.cfg, self.cycle, partner, self.wording)
        return Outgoing(
            key=questionnaire_key(self.cycle, partner.id), kind="questionnaire", partner_id=partner.id,
            to=(partner.contact,), reply_to=self.cfg.questionnaire.reply_to,
            subject=subject, body=body,
            attachments=(Attachment(filename(partner), doc, DOCX_TYPE),))


def unsent(store: Store, cycle: Cycle, partners: list[Partner]) -> list[Partner]:
    """Partners whose questionnaire is not yet in the ledger (so a re-run renders nothing twice)."""
    return [p for p in partners if store.send(questionnaire_key(cycle, p.id)) is None]


def queue_questionnaires(store: Store, questionnaires: Questionnaires, sender: Contact, at: datetime) -> list[str]:
    """Render and queue a questionnaire for every partner not yet sent one; returns their ids."""
    todo = unsent(store, questionnaires.cycle, questionnaires.cfg.partners)
    delivery.queue(store, (questionnaires.message(p) for p in todo), sender, at)
    return [p.id for p in todo]

"""News to supporters: written per language, sent through the outbox to confirmed signers who
asked for news, each in their own language (else the campaign's default language)."""
from __future__ import annotations

from sqlalchemy import select, update

from ... import emails, i18n
from ...audit import service as audit
from ...extensions import db
from ...organizers.models import CampaignUpdate
from ...util import utcnow
from ..lifecycle import counted
from ..models import Signature
from ..service import signer_links


class UpdateError(Exception):
    pass


def save(user, campaign, texts: dict[str, dict], update_id: int | None = None
         ) -> CampaignUpdate:
    """Create or change a draft; `texts` maps a language to {subject, body}; blanks dropped."""
    clean = {code: {"subject": t["subject"].strip()[:200], "body": t["body"].strip()}
             for code, t in texts.items()
             if code in i18n.CONTENT_LANGUAGES and t.get("subject", "").strip()
             and t.get("body", "").strip()}
    if campaign.default_locale not in clean:
        raise UpdateError("default_language")
    if update_id is None:
        item = CampaignUpdate(campaign_id=campaign.id, user_id=user.id, texts=clean)
        db.session.add(item)
    else:
        item = get(campaign.id, update_id)
        if item is None or item.sent_at is not None:
            raise UpdateError("sent")
        item.texts = clean
    db.session.flush()
    audit.record(user, "update.save", campaign_id=campaign.id, target=f"update {item.id}")
    db.session.commit()
    return item


def get(campaign_id: int, update_id: int) -> CampaignUpdate | None:
    return db.session.scalar(select(CampaignUpdate).where(
        CampaignUpdate.id == update_id, CampaignUpdate.campaign_id == campaign_id))


def listing(campaign_id: int) -> list[CampaignUpdate]:
    return list(db.session.scalars(select(CampaignUpdate).where(
        CampaignUpdate.campaign_id == campaign_id).order_by(CampaignUpdate.id.desc())))


def audience(campaign_id: int) -> int:
    return db.session.scalar(select(db.func.count()).select_from(Signature).where(
        Signature.campaign_id == campaign_id, counted(),
        Signature.updates_opt_in.is_(True)))


def send(user, campaign, item: CampaignUpdate) -> int:
    """Queue one e-mail per subscribed signer, in the same transaction that marks it sent."""
    claimed = db.session.execute(
        update(CampaignUpdate).where(CampaignUpdate.id == item.id,
                                     CampaignUpdate.sent_at.is_(None))
        .values(sent_at=utcnow()).execution_options(synchronize_session=False)).rowcount
    if not claimed:
        raise UpdateError("sent")  # sent already, perhaps by a second click
    texts = item.texts
    count = 0
    signers = db.session.scalars(
        select(Signature).where(Signature.campaign_id == campaign.id,
                                counted(),
                                Signature.updates_opt_in.is_(True))
        .order_by(Signature.id).execution_options(yield_per=500))
    for signature in signers:
        lang = signature.locale if signature.locale in texts else campaign.default_locale
        text = texts[lang]
        links = signer_links(signature)
        campaign_text = campaign.text_for(lang)
        emails.queue_email(
            "campaign_update", to=signature.email, lang=lang,
            headers=emails.unsubscribe_headers(links["unsubscribe_url"]), campaign=campaign,
            subject=text["subject"], body=text["body"], signature=signature,
            campaign_title=campaign_text.title if campaign_text else campaign.slug,
            unsubscribe_url=links["unsubscribe_url"], forget_url=links["forget_url"])
        count += 1
    db.session.execute(update(CampaignUpdate).where(CampaignUpdate.id == item.id)
                       .values(sent_count=count).execution_options(synchronize_session=False))
    audit.record(user, "update.send", campaign_id=campaign.id, target=f"update {item.id}",
                 recipients=count)
    db.session.commit()
    db.session.refresh(item)
    return count

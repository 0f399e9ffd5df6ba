"""An institution's reply on the timeline: its summary in each language, the reply itself as a
PDF, and one action that tells the signers who asked for news (through the campaign updates,
so it goes through the outbox in each signer's language). Runs without a request."""
from __future__ import annotations

from typing import TYPE_CHECKING

from flask_babel import force_locale, format_decimal
from flask_babel import gettext as _
from sqlalchemy import select

from .. import emails, i18n
from ..audit import service as audit
from ..campaigns.models import Campaign
from ..extensions import db
from ..util import utcnow
from .models import Reply

if TYPE_CHECKING:
    from ..organizers.models import User

# Under MAX_CONTENT_LENGTH (2 MB by default), so the form answers instead of a 413.
ATTACHMENT_MAX_BYTES = 1536 * 1024


class ReplyProblem(ValueError):
    """Something the organizer must change; str() is translated."""


def reply_of(campaign: Campaign, reply_id: int) -> Reply | None:
    return db.session.scalar(select(Reply).where(Reply.id == reply_id,
                                                 Reply.campaign_id == campaign.id))


def replies_of(campaign: Campaign) -> list[Reply]:
    return list(db.session.scalars(select(Reply).where(Reply.campaign_id == campaign.id)
                                   .order_by(Reply.received_on.desc(), Reply.id.desc())))


def check_pdf(data: bytes, content_type: str | None) -> bytes:
    """A PDF by what it says it is and by its first bytes, and not too big."""
    if len(data) > ATTACHMENT_MAX_BYTES:
        raise ReplyProblem(_("The file is too large: at most %(num)s MB.",
                             num=format_decimal(ATTACHMENT_MAX_BYTES / (1024 * 1024))))
    if (content_type or "").split(";")[0].strip().lower() not in ("application/pdf", "") \
            or not data.startswith(b"%PDF-"):
        raise ReplyProblem(_("The attachment must be a PDF file."))
    return data


def save_details(user: User, reply: Reply, *, summaries: dict[str, str],
                 attachment: tuple[str, bytes] | None = None,
                 remove_attachment: bool = False) -> Reply:
    reply.summaries = {lang: text.strip() for lang, text in summaries.items()
                       if lang in i18n.CONTENT_LANGUAGES and text.strip()}
    if attachment is not None:
        name, data = attachment
        reply.attachment_name = (name or "reply.pdf").replace("/", "_").replace("\\", "_")[:200]
        reply.attachment_pdf = data
    elif remove_attachment:
        reply.attachment_name, reply.attachment_pdf = None, None
    audit.record(user, "reply.update", campaign_id=reply.campaign_id, target=f"reply {reply.id}",
                 languages=sorted(reply.summaries), attachment=bool(reply.attachment_name))
    db.session.commit()
    return reply


def notify_signers(user: User, campaign: Campaign, reply: Reply) -> int:
    """Tell the signers who opted into news, once, each in their language."""
    from ..petitions.console import updates

    if reply.notified_at is not None:
        raise ReplyProblem(_("The signers were already told of this reply."))
    page = emails.external_url("campaigns.show", lang=campaign.default_locale,
                               slug=campaign.slug)
    texts = {}
    for lang in set(campaign.locales) | {campaign.default_locale}:
        with force_locale(i18n.catalog_locale(lang)):
            subject = _("Reply from %(target)s", target=reply.target.name)
            body = "\n\n".join(part for part in (
                reply.summary_for(lang),
                _("Read the reply: %(url)s", url=reply.link) if reply.link else "",
                _("The campaign's timeline: %(url)s", url=page.replace(
                    f"/{campaign.default_locale}/", f"/{lang}/", 1))) if part)
        texts[lang] = {"subject": subject, "body": body}
    item = updates.save(user, campaign, texts)
    count = updates.send(user, campaign, item)
    reply.notified_at = utcnow()
    db.session.commit()
    return count

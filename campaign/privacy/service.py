"""A signer's data: find it by e-mail address, send a copy, delete it; anonymise old data.

Features holding personal data register a source (`register_data_source(app, ...)`, from
their init_app) with an export and an erase function keyed by the canonical address, so one
link covers all of them. The sources live on the app (app.extensions["privacy_sources"]):
what erasure covers depends only on the factory, never on which modules were imported.
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, cast

from flask import Flask, current_app
from sqlalchemy import CursorResult, case, func, or_, select, update

from .. import emails
from ..addresses import normalize_email
from ..campaigns.models import Campaign
from ..extensions import db
from ..outbox.models import OutboxMessage
from ..petitions import custom_fields, lifecycle
from ..petitions import service as petitions
from ..petitions.models import Signature
from ..tokens import ExpiredToken, InvalidToken, make_token, read_token
from ..util import utcnow
from .models import RetentionPolicy

ANONYMISED_PREFIX = lifecycle.ANONYMISED_PREFIX


@dataclass(frozen=True)
class DataSource:
    name: str
    export: Callable[[str], list[dict[str, Any]]]   # email_key -> records
    erase: Callable[[str], int]           # email_key -> records deleted


def register_data_source(app: Flask, name: str, export: Callable[[str], list[dict[str, Any]]],
                         erase: Callable[[str], int]) -> None:
    app.extensions.setdefault("privacy_sources", {})[name] = DataSource(name, export, erase)


def data_sources() -> dict[str, DataSource]:
    """The sources registered on the current app, by name."""
    sources: dict[str, DataSource] = current_app.extensions.get("privacy_sources", {})
    return sources


def _signatures_of(email_key: str) -> list[Signature]:
    return list(db.session.scalars(select(Signature).where(Signature.email_key == email_key)
                                   .order_by(Signature.id)))


def _export_signatures(email_key: str) -> list[dict[str, Any]]:
    return [{
        "campaign": s.campaign.slug, "full_name": s.full_name, "email": s.email,
        "country": s.country, "language": s.locale, "comment": s.comment,
        "comment_hidden": s.comment_hidden, "display": s.display,
        "news_opt_in": s.updates_opt_in, "status": s.status, "source": s.source,
        # Where it came from, and whether the signer asked a partner to get their name and
        # address (the partner's own export): the signer's data, so in their copy too.
        "link_tag": s.ref, "partner_opt_in": s.partner_opt_in,
        "signed_at": s.created_at.isoformat() + "Z",
        "confirmed_at": s.confirmed_at.isoformat() + "Z" if s.confirmed_at else None,
        "network_hash": s.ip_hash,
    } for s in _signatures_of(email_key)]


def _erase_signatures(email_key: str) -> int:
    signatures = _signatures_of(email_key)
    for signature in signatures:
        petitions.forget(signature)
    return len(signatures)


def init_app(app: Flask) -> None:
    """Signatures are a data source like any other feature's."""
    # Custom field answers first: a signer's copy lists them, and erasure says how many went.
    register_data_source(app, "signature_fields", custom_fields.export_for_signer,
                         custom_fields.erase_for_signer)
    register_data_source(app, "signatures", _export_signatures, _erase_signatures)
    # The campaign photo is organizers' content, but may show people: it goes with the purge,
    # and so do the share cards drawn from it.
    register_campaign_purge(app, _purge_campaign_photo)


def _purge_campaign_photo(campaign_id: int) -> None:
    from ..campaigns import photo, share_card

    photo.remove(campaign_id)
    share_card.forget(campaign_id)


def email_key_of(address: str) -> str:
    return normalize_email(address)[1]


def data_token(email_key: str) -> str:
    return make_token("privacy", email_key)


# The data link printed in every e-mail to a donor or letter writer (emails.address_links):
# like a signer's removal link it does not expire, as the e-mail may be read months later.
MAILED_PURPOSE = emails.PRIVACY_MAIL_PURPOSE


def email_key_from_token(token: str) -> str:
    """Raises InvalidToken / ExpiredToken."""
    max_age = current_app.config["PRIVACY_LINK_MAX_AGE_HOURS"] * 3600
    try:
        key = read_token("privacy", token, max_age)
    except ExpiredToken:
        raise
    except InvalidToken:
        key = read_token(MAILED_PURPOSE, token)
    if not isinstance(key, str):
        raise InvalidToken("payload")
    return key


def holds_data(email_key: str) -> bool:
    return any(source.export(email_key) for source in data_sources().values())


def request_data_link(address: str, lang: str) -> bool:
    """E-mail a link to the data held for `address`, if there is any. Commits.

    The caller answers the same either way, so the page does not reveal who signed.
    """
    _typed, email_key = normalize_email(address)
    stored = stored_addresses(email_key)
    if not stored or not holds_data(email_key):
        return False
    # To the address(es) we hold, never the variant typed into the form ("A+x@Gmail.com"
    # matches "a@gmail.com" but is not where the signer reads their mail, or is someone else's).
    # It goes only to people the site holds data about: one-click unsubscribe, as on all
    # their mail (news from every campaign; this link still comes when asked for).
    headers = emails.unsubscribe_headers(emails.address_links(address)["unsubscribe_all_url"])
    for to in stored:
        emails.queue_email("privacy_link", to=to, lang=lang, data_url=emails.external_url(
            "privacy.data", token=data_token(email_key)), headers=headers,
            hours=current_app.config["PRIVACY_LINK_MAX_AGE_HOURS"])
    db.session.commit()
    return True


def export(email_key: str) -> dict[str, Any]:
    return {"email_key": email_key, "exported_at": utcnow().isoformat() + "Z",
            **{name: source.export(email_key) for name, source in data_sources().items()}}


def erase(email_key: str) -> dict[str, int]:
    addresses = stored_addresses(email_key)  # before the sources forget them
    counts = {name: source.erase(email_key) for name, source in data_sources().items()}
    # Copies of e-mails we sent them are not "their records" to count, but they go too.
    tombstone_outbox_copies(addresses)
    db.session.commit()
    return counts


# --- what is left of a person elsewhere: their addresses in the outbox ----------------------

def _tombstone_signers_outbox(campaign_id: int, chunk: int = 1000) -> None:
    """Before a campaign's signers are anonymised: our copies of e-mails to them go too."""
    addresses = list(db.session.scalars(select(Signature.email).where(
        Signature.campaign_id == campaign_id, Signature.email != "",
        Signature.email_key.not_like(f"{ANONYMISED_PREFIX}%"))))
    for start in range(0, len(addresses), chunk):
        # Only finished copies: a queued e-mail about another campaign still goes out.
        tombstone_outbox_copies(addresses[start:start + chunk], finished_only=True)


TOMBSTONE = "(erased)"


def stored_addresses(email_key: str) -> list[str]:
    """Every address held for this person, as stored (signatures, letters, donations...)."""
    found = {record.get("email") for source in data_sources().values()
             for record in source.export(email_key)}
    return sorted(a for a in found if isinstance(a, str) and a and "@" in a)


def tombstone_outbox_copies(addresses: list[str], *, finished_only: bool = False) -> int:
    """Our copies of e-mails to (or replying to) these addresses keep only that an e-mail was
    sent and when; queued ones are never sent. The caller commits."""
    if not addresses:
        return 0
    lowered = [a.lower() for a in addresses]
    query = update(OutboxMessage).where(
        or_(func.lower(OutboxMessage.to_addr).in_(lowered),
            func.lower(OutboxMessage.reply_to).in_(lowered)))
    if finished_only:
        query = query.where(OutboxMessage.status.in_(("sent", "failed")))
    return cast("CursorResult[Any]", db.session.execute(
        query
        .values(to_addr=TOMBSTONE, reply_to=None, subject=TOMBSTONE, body_text=TOMBSTONE,
                body_html=None, headers={},
                status=case((OutboxMessage.status == "sent", "sent"), else_="failed"),
                last_error=case((OutboxMessage.status == "sent", OutboxMessage.last_error),
                                else_=TOMBSTONE))
        .execution_options(synchronize_session=False))).rowcount


# --- anonymisation after delivery --------------------------------------------------------

def set_retention(campaign_id: int, days: int) -> None:
    policy = db.session.get(RetentionPolicy, campaign_id)
    if policy is None:
        db.session.add(RetentionPolicy(campaign_id=campaign_id, days_after_delivery=days))
    else:
        policy.days_after_delivery = days
    db.session.commit()


def retention_days(campaign_id: int) -> int:
    policy = db.session.get(RetentionPolicy, campaign_id)
    if policy is not None:
        return policy.days_after_delivery
    return cast(int, current_app.config["PRIVACY_DEFAULT_RETENTION_DAYS"])


def register_campaign_purge(app: Flask, purge_campaign: Callable[[int], object]) -> None:
    """`purge_campaign(campaign_id)` erases what a feature holds of a purged campaign's people
    (letters: supporters' letters and the stored dossiers); called from its init_app."""
    app.extensions.setdefault("campaign_purges", []).append(purge_campaign)


def purge(now: datetime | None = None) -> dict[str, int]:
    """Anonymise signatures of campaigns delivered longer ago than their retention period.

    Name, address, comment, custom field answers and network hash go; country, dates and status
    stay, so counts and statistics do not change. Returns {campaign slug: signatures anonymised}.
    """
    now = now or utcnow()
    done: dict[str, int] = {}
    delivered = db.session.scalars(select(Campaign).where(
        Campaign.status == "delivered", Campaign.delivered_at.is_not(None)))
    for campaign in list(delivered):
        assert campaign.delivered_at is not None  # the query asks for it
        if campaign.delivered_at + timedelta(days=retention_days(campaign.id)) > now:
            continue
        _tombstone_signers_outbox(campaign.id)
        changed = lifecycle.anonymise(campaign.id)
        # Custom field answers are the signers' data too: they go with the names.
        custom_fields.erase_for_campaign(campaign.id)
        for purge_campaign in current_app.extensions.get("campaign_purges", ()):
            purge_campaign(campaign.id)
        db.session.commit()
        if changed:
            done[campaign.slug] = changed
    return done

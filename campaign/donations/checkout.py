"""Giving online: the donate form's amount checked, a pending Donation and its Checkout
Session. What the donor's browser does afterwards changes nothing: webhooks.py records the
money."""
from __future__ import annotations

import logging
from dataclasses import dataclass

from flask_babel import force_locale
from flask_babel import gettext as _
from sqlalchemy import select

from .. import emails, i18n
from ..campaigns.models import Campaign
from ..extensions import db
from ..util import utcnow
from . import gateway as gateways
from .ledger import AmountOutOfRange, CurrencyNotEnabled, PaymentsUnavailable, refresh_status
from .models import Donation, DonationSettings
from .money import SUPPORTED_CURRENCIES, Money, limits
from .settings import settings_for

log = logging.getLogger(__name__)


@dataclass
class DonationInput:
    amount: Money
    monthly: bool
    locale: str
    donor_name: str | None = None
    public: bool = False


def check_amount(settings: DonationSettings, amount: Money) -> None:
    """Refuse a currency the campaign does not take and an amount outside the limits."""
    if amount.currency not in settings.currency_list or \
            amount.currency not in SUPPORTED_CURRENCIES:
        raise CurrencyNotEnabled(amount.currency)
    low, high = limits(amount.currency)
    if amount < low or amount > high:
        raise AmountOutOfRange(low, high)


def start_checkout(campaign: Campaign, data: DonationInput) -> str:
    """Record a pending donation, create its Checkout Session, return the URL to send the
    donor to. Raises DonationError (nothing charged, nothing counted)."""
    gateway = gateways.get_gateway()
    if gateway is None:
        raise PaymentsUnavailable()
    settings = settings_for(campaign.id)
    amount = data.amount.rounded()
    check_amount(settings, amount)
    donation = Donation(
        campaign_id=campaign.id, kind="monthly" if data.monthly else "one_time",
        channel="stripe", status="pending", amount=amount.amount, currency=amount.currency,
        donor_name=(data.donor_name or "").strip() or None,
        public=bool(data.public and (data.donor_name or "").strip()), locale=data.locale)
    db.session.add(donation)
    db.session.commit()  # the row id is the idempotency key and travels in the metadata

    text = campaign.text_for(data.locale)
    with force_locale(i18n.catalog_locale(data.locale)):
        product = (_("Monthly donation to the legal-aid fund: %(title)s",
                     title=text.title if text else campaign.slug) if data.monthly else
                   _("Donation to the legal-aid fund: %(title)s",
                     title=text.title if text else campaign.slug))
    request = gateways.CheckoutRequest(
        donation_id=donation.id, campaign_id=campaign.id, amount=amount,
        monthly=data.monthly, product_name=product[:250], lang=data.locale,
        # Stripe fills in {CHECKOUT_SESSION_ID}, so the thank-you page can show the gift once
        # the signed webhook has recorded it (braces must stay literal: not via url_for).
        success_url=emails.external_url("donations.thanks", lang=data.locale,
                                        slug=campaign.slug)
        + "?session_id={CHECKOUT_SESSION_ID}",
        cancel_url=emails.external_url("donations.donate", lang=data.locale,
                                       slug=campaign.slug, canceled=1))
    try:
        session = gateway.create_checkout_session(request)
    except gateways.GatewayError as exc:
        log.warning("checkout session for donation %s failed: %s", donation.id, exc)
        donation.failed_at = utcnow()
        donation.failure_reason = "checkout_unavailable"
        refresh_status(donation)
        db.session.commit()
        raise PaymentsUnavailable() from exc
    donation.stripe_session_id = session.id
    db.session.commit()
    return session.url


def donation_for_session(campaign_id: int, session_id: str) -> Donation | None:
    """The donation a Checkout session made, for its thank-you page (None if unknown)."""
    if not session_id or len(session_id) > 255:
        return None
    return db.session.scalar(select(Donation).where(
        Donation.campaign_id == campaign_id, Donation.stripe_session_id == session_id))

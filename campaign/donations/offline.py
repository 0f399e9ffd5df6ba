"""Offline gifts: an organizer records a bank transfer or cash, or a pledge, and marks a
pledge received. They count like Stripe payments (ledger.py)."""
from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from ..campaigns.models import Campaign
from ..extensions import db
from ..util import utcnow
from .ledger import CurrencyNotEnabled, refresh_status
from .models import Donation, DonationPayment
from .money import SUPPORTED_CURRENCIES, Money
from .settings import settings_for


def record_offline(campaign: Campaign, *, amount: Money, received: bool,
                   donor_name: str | None, public: bool, note: str | None,
                   received_on: datetime | None = None) -> Donation:
    """An organizer records a gift received by bank transfer or in cash, or a pledge."""
    settings = settings_for(campaign.id)
    if amount.currency not in SUPPORTED_CURRENCIES:
        raise CurrencyNotEnabled(amount.currency)
    del settings  # offline gifts may come in any supported currency
    amount = amount.rounded()
    donation = Donation(
        campaign_id=campaign.id, kind="one_time", channel="offline",
        status="pledged", amount=amount.amount, currency=amount.currency,
        donor_name=(donor_name or "").strip() or None,
        public=bool(public and (donor_name or "").strip()), note=note or None,
        locale=campaign.default_locale)
    db.session.add(donation)
    db.session.flush()
    if received:
        _add_offline_payment(donation, received_on)
    refresh_status(donation)
    db.session.commit()
    return donation


def _add_offline_payment(donation: Donation, received_on: datetime | None) -> None:
    payment = DonationPayment(
        donation_id=donation.id, campaign_id=donation.campaign_id, channel="offline",
        amount=donation.amount, currency=donation.currency, refunded_amount=Decimal(0),
        received_at=received_on or utcnow())
    db.session.add(payment)
    donation.payments.append(payment)


def mark_pledge_received(donation: Donation, received_on: datetime | None = None) -> bool:
    if donation.channel != "offline" or donation.payments:
        return False
    _add_offline_payment(donation, received_on)
    refresh_status(donation)
    db.session.commit()
    return True


def delete_offline(donation: Donation) -> bool:
    """Undo a mistaken offline entry (Stripe donations are never deleted by hand)."""
    if donation.channel != "offline":
        return False
    db.session.delete(donation)
    db.session.commit()
    return True

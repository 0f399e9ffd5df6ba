"""What a donation is worth: payments recorded once, the status derived from the recorded
facts, receipts queued with the payment, and the donor's link to manage a monthly gift.

Checkout, webhooks and offline gifts all write through here, so a payment is counted and
receipted the same way whichever way it came.
"""
from __future__ import annotations

import hashlib
from datetime import datetime
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import InstrumentedAttribute

from .. import emails
from ..campaigns.models import Campaign
from ..extensions import db
from ..tokens import make_token, read_token
from . import gateway as gateways
from .models import Donation, DonationPayment
from .money import Money


class DonationError(Exception):
    """A donation the rules refuse (message is for the donor)."""


class CurrencyNotEnabled(DonationError):
    pass


class AmountOutOfRange(DonationError):
    def __init__(self, low: Money, high: Money):
        super().__init__(f"{low}..{high}")
        self.low, self.high = low, high


class PaymentsUnavailable(DonationError):
    """No Stripe key is configured, or Stripe failed: only offline ways to give."""


def payment_by(column: InstrumentedAttribute[str | None], value: str | None
               ) -> DonationPayment | None:
    if not value:
        return None
    return db.session.scalar(select(DonationPayment).where(column == value))


def record_payment(donation: Donation, amount: Money, *, payment_intent: str | None,
                    invoice: str | None, received_at: datetime) -> str:
    """A payment once per PaymentIntent or invoice; its receipt is queued with it."""
    if amount.amount <= 0:
        return "no_amount"
    payment = (payment_by(DonationPayment.stripe_invoice_id, invoice)
               or payment_by(DonationPayment.stripe_payment_intent_id, payment_intent))
    if payment is not None:
        payment.stripe_invoice_id = payment.stripe_invoice_id or invoice
        payment.stripe_payment_intent_id = payment.stripe_payment_intent_id or payment_intent
        return "payment_known"
    payment = DonationPayment(
        donation_id=donation.id, campaign_id=donation.campaign_id, channel="stripe",
        amount=amount.amount, currency=amount.currency, refunded_amount=Decimal(0),
        stripe_payment_intent_id=payment_intent, stripe_invoice_id=invoice,
        received_at=received_at)
    db.session.add(payment)
    donation.payments.append(payment)
    db.session.flush()
    queue_receipt(donation, payment)
    return "payment_recorded"


def refresh_status(donation: Donation) -> None:
    """The status follows from the facts recorded, whatever order they came in."""
    payments = donation.payments
    if donation.kind == "monthly" and donation.canceled_at:
        status = "canceled"
    elif payments and all(p.fully_refunded for p in payments):
        status = "refunded"
    elif payments:
        status = "active" if donation.kind == "monthly" else "paid"
    elif donation.failed_at:
        status = "failed"
    elif donation.channel == "offline":
        status = "pledged"
    else:
        status = "pending"
    donation.status = status


# --- receipts and the customer portal -----------------------------------------------------

def _email_digest(donation: Donation) -> str:
    return hashlib.sha256((donation.email or "").lower().encode()).hexdigest()[:12]


def manage_token(donation: Donation) -> str:
    return make_token("donation-manage", [donation.id, _email_digest(donation)])


def donation_from_manage_token(token: str) -> Donation | None:
    """The monthly donation a portal link is for; raises InvalidToken for altered links."""
    payload = read_token("donation-manage", token)
    try:
        donation_id, digest = payload
    except (TypeError, ValueError):
        return None
    donation = db.session.get(Donation, donation_id) if isinstance(donation_id, int) else None
    if donation is None or _email_digest(donation) != digest \
            or not donation.stripe_customer_id:
        return None
    return donation


def portal_url(donation: Donation) -> str:
    gateway = gateways.get_gateway()
    if gateway is None:
        raise PaymentsUnavailable()
    campaign = db.session.get(Campaign, donation.campaign_id)
    assert campaign is not None
    assert donation.stripe_customer_id is not None  # donation_from_manage_token checked it
    return_url = emails.external_url("campaigns.show", lang=donation.locale,
                                     slug=campaign.slug)
    try:
        return gateway.create_portal_session(donation.stripe_customer_id, return_url)
    except gateways.GatewayError as exc:
        raise PaymentsUnavailable() from exc


def queue_receipt(donation: Donation, payment: DonationPayment) -> None:
    if not donation.email:
        return
    campaign = db.session.get(Campaign, donation.campaign_id)
    assert campaign is not None
    text = campaign.text_for(donation.locale)
    links = emails.address_links(donation.email)
    emails.queue_email(
        "donation_receipt", to=donation.email, lang=donation.locale, donation=donation,
        campaign=campaign, headers=emails.unsubscribe_headers(links["unsubscribe_all_url"]),
        data_url=links["data_url"],
        payment=payment, amount=payment.net, monthly=donation.kind == "monthly",
        campaign_title=text.title if text else campaign.slug,
        campaign_url=emails.external_url("campaigns.show", lang=donation.locale,
                                         slug=campaign.slug),
        manage_url=emails.external_url("donations.manage", token=manage_token(donation))
        if donation.kind == "monthly" else None)

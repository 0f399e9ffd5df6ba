"""Stripe webhooks: the source of truth for money.

Each verified event is recorded once (its id), parsed by gateway.py into typed facts, and
cross-checked against the donation it names before anything is written: the currency, the
amount, the mode (one-time or monthly) and livemode must be the ones we asked Stripe for. An
event that disagrees is logged and refused (EventMismatch -> 400): it is never summed, and
its id is not recorded, so a corrected delivery can still be applied. Every handler writes
facts (a payment per invoice or PaymentIntent, a refunded amount that only grows, a
cancellation time) from which the donation's status is derived (ledger.refresh_status), so
events arriving twice or out of order end in the same state.
"""
from __future__ import annotations

import logging
from decimal import Decimal
from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from ..extensions import db
from ..util import utcnow
from . import gateway as gateways
from .gateway import ChargeFacts, Event, InvoiceFacts, SessionFacts, SubscriptionFacts
from .ledger import payment_by, record_payment, refresh_status
from .models import Donation, DonationPayment, StripeEvent
from .money import Money

log = logging.getLogger(__name__)


class RetryLater(Exception):
    """A concurrent delivery touched the same rows; Stripe should send the event again."""


class EventMismatch(Exception):
    """A signed event that contradicts the donation it names (refused, never summed)."""


def handle_event(event: Event) -> str:
    """Apply one verified, parsed Stripe event exactly once; returns what happened (logs).

    Raises EventMismatch (nothing written) or RetryLater.
    """
    if db.session.get(StripeEvent, event.id) is not None:
        return "duplicate"
    record = StripeEvent(id=event.id, type=event.type, created=event.created)
    db.session.add(record)
    handler = _HANDLERS.get(type(event.facts)) if event.facts is not None else None
    try:
        if handler is None:
            outcome = "ignored"
        else:
            _check_livemode(event)
            outcome = handler(event)
        record.outcome = outcome
        db.session.commit()
    except EventMismatch as exc:
        db.session.rollback()
        log.warning("refused Stripe event %s (%s): %s", event.id, event.type, exc)
        raise
    except IntegrityError:
        db.session.rollback()
        if db.session.get(StripeEvent, event.id) is not None:
            return "duplicate"  # the same event, delivered twice at once
        raise RetryLater(event.id) from None
    return outcome


# --- the cross-check -----------------------------------------------------------------------

def _check_livemode(event: Event) -> None:
    expected = gateways.expected_livemode()
    if expected is not None and event.livemode is not None and event.livemode != expected:
        raise EventMismatch(f"livemode {event.livemode}, our key is "
                            f"{'live' if expected else 'test'}")


def _check_money(donation: Donation, amount: Money | None, what: str) -> None:
    """The amount Stripe reports must be the donation's, in its currency."""
    if amount is None:
        return
    if amount.currency != donation.currency:
        raise EventMismatch(f"{what} in {amount.currency}, donation {donation.id} is in "
                            f"{donation.currency}")
    if amount.amount != donation.money.amount:
        raise EventMismatch(f"{what} {amount.amount}, donation {donation.id} is "
                            f"{donation.money.amount}")


def _check_mode(donation: Donation, monthly: bool) -> None:
    if (donation.kind == "monthly") != monthly or donation.channel != "stripe":
        raise EventMismatch(f"a {'monthly' if monthly else 'one-time'} payment for "
                            f"{donation.channel} {donation.kind} donation {donation.id}")


# --- handlers on parsed facts ------------------------------------------------------------

def _by(column: Any, value: str | None) -> Donation | None:
    return db.session.scalar(select(Donation).where(column == value)) if value else None


def _named(donation_id: int | None) -> Donation | None:
    return db.session.get(Donation, donation_id) if donation_id else None


def _session_donation(facts: SessionFacts) -> Donation | None:
    return _named(facts.donation_id) or _by(Donation.stripe_session_id, facts.session_id)


def _session_completed(event: Event) -> str:
    facts = event.facts
    assert isinstance(facts, SessionFacts)
    donation = _session_donation(facts)
    if donation is None:
        return "unknown_donation"
    if facts.mode is not None:
        _check_mode(donation, facts.mode == "subscription")
    _check_money(donation, facts.amount, "session total")
    donation.stripe_session_id = donation.stripe_session_id or facts.session_id
    donation.stripe_customer_id = donation.stripe_customer_id or facts.customer
    if facts.mode == "subscription":
        donation.stripe_subscription_id = donation.stripe_subscription_id or facts.subscription
    if facts.email:
        donation.email = donation.email or facts.email
    donation.completed_at = donation.completed_at or facts.created or utcnow()
    outcome = "completed"
    paid = facts.paid or event.type == "checkout.session.async_payment_succeeded"
    if facts.mode == "payment" and paid and facts.amount is not None \
            and facts.amount.amount > 0:
        outcome = record_payment(
            donation, facts.amount,
            payment_intent=facts.payment_intent or f"session:{facts.session_id}",
            invoice=None, received_at=utcnow())
    refresh_status(donation)
    return outcome


def _session_event(event: Event) -> str:
    if event.type == "checkout.session.async_payment_failed":
        return _async_failed(event)
    return _session_completed(event)


def _async_failed(event: Event) -> str:
    facts = event.facts
    assert isinstance(facts, SessionFacts)
    donation = _session_donation(facts)
    if donation is None:
        return "unknown_donation"
    donation.failed_at = donation.failed_at or utcnow()
    donation.failure_reason = "async_payment_failed"
    refresh_status(donation)
    return "failed"


def _invoice_paid(event: Event) -> str:
    facts = event.facts
    assert isinstance(facts, InvoiceFacts)
    donation = (_by(Donation.stripe_subscription_id, facts.subscription)
                or _named(facts.donation_id))
    if donation is None:
        return "unknown_donation"
    _check_mode(donation, monthly=True)
    _check_money(donation, facts.amount, "invoice")
    donation.stripe_subscription_id = donation.stripe_subscription_id or facts.subscription
    donation.stripe_customer_id = donation.stripe_customer_id or facts.customer
    if facts.email:
        donation.email = donation.email or facts.email
    if facts.amount is None or facts.amount.amount <= 0:
        return "no_amount"
    outcome = record_payment(donation, facts.amount, payment_intent=facts.payment_intent,
                             invoice=facts.invoice_id, received_at=facts.paid_at or utcnow())
    refresh_status(donation)
    return outcome


def _charge_refunded(event: Event) -> str:
    facts = event.facts
    assert isinstance(facts, ChargeFacts)
    payment = (payment_by(DonationPayment.stripe_payment_intent_id, facts.payment_intent)
               or payment_by(DonationPayment.stripe_invoice_id, facts.invoice))
    if facts.refunded is None:
        return "no_amount"
    if payment is None:
        # The refund overtook the payment's own event: record the payment from the charge,
        # so the later completion finds it and neither counts nor e-mails it again.
        donation = _named(facts.donation_id)
        if donation is None or facts.amount is None or facts.amount.amount <= 0:
            return "unknown_payment"
        _check_money(donation, facts.amount, "charge")
        payment = DonationPayment(
            donation_id=donation.id, campaign_id=donation.campaign_id, channel="stripe",
            amount=facts.amount.amount, currency=facts.amount.currency,
            refunded_amount=Decimal(0), stripe_payment_intent_id=facts.payment_intent,
            stripe_invoice_id=facts.invoice, received_at=facts.created or utcnow())
        db.session.add(payment)
        donation.payments.append(payment)
    elif facts.refunded.currency != payment.currency or (
            facts.amount is not None and facts.amount.amount != payment.amount):
        raise EventMismatch(f"refund of a {facts.amount} charge for payment {payment.id} of "
                            f"{payment.amount} {payment.currency}")
    # Stripe sends the cumulative refunded amount: keep the largest seen, so an older event
    # arriving late never undoes a newer one.
    if facts.refunded.amount > (payment.refunded_amount or 0):
        payment.refunded_amount = min(facts.refunded.amount, payment.amount)
        payment.refunded_at = utcnow()
    refresh_status(payment.donation)
    return "refunded"


def _subscription_deleted(event: Event) -> str:
    facts = event.facts
    assert isinstance(facts, SubscriptionFacts)
    donation = (_by(Donation.stripe_subscription_id, facts.subscription_id)
                or _named(facts.donation_id))
    if donation is None:
        return "unknown_donation"
    _check_mode(donation, monthly=True)
    donation.stripe_subscription_id = donation.stripe_subscription_id or facts.subscription_id
    donation.canceled_at = donation.canceled_at or facts.ended_at or utcnow()
    refresh_status(donation)
    return "canceled"


_HANDLERS = {
    SessionFacts: _session_event,
    InvoiceFacts: _invoice_paid,
    ChargeFacts: _charge_refunded,
    SubscriptionFacts: _subscription_deleted,
}

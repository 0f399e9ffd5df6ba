"""Rules for donations. Callable without a request: views, the CLI and tests use it.

Money moves only on verified Stripe events (and offline gifts an organizer records): the
donate form creates a pending Donation and a Checkout Session; what the donor's browser does
afterwards changes nothing. Each event is recorded once, and every handler writes facts
(a payment per invoice or PaymentIntent, a refunded amount that only grows, a cancellation
time) from which the donation's status is derived, so events arriving twice or out of order
end in the same state.
"""
from __future__ import annotations

import calendar
import csv
import hashlib
import io
import logging
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import UTC, datetime
from decimal import Decimal, InvalidOperation

from flask import current_app
from flask_babel import force_locale
from flask_babel import gettext as _
from sqlalchemy import func, or_, select
from sqlalchemy.exc import IntegrityError

from .. import emails, i18n
from ..addresses import domain_variants, has_key
from ..campaigns.models import Campaign
from ..extensions import db
from ..tokens import make_token, read_token
from ..util import utcnow
from . import gateway as gateways
from .models import Donation, DonationPayment, DonationSettings, StripeEvent
from .money import SUPPORTED_CURRENCIES, Money, from_minor, limits

log = logging.getLogger(__name__)


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


class RetryLater(Exception):
    """A concurrent delivery touched the same rows; Stripe should send the event again."""


# --- settings -----------------------------------------------------------------------------

def settings_for(campaign_id: int) -> DonationSettings:
    """The campaign's settings; an unsaved default row if the organizers set none yet."""
    settings = db.session.get(DonationSettings, campaign_id)
    if settings is None:
        default = current_app.config.get("DONATION_CURRENCIES") or "EUR,USD,GBP,KZT"
        currencies = ",".join(c for c in (x.strip().upper() for x in default.split(","))
                              if c in SUPPORTED_CURRENCIES)
        settings = DonationSettings(campaign_id=campaign_id, currencies=currencies,
                                    goal_currency=currencies.split(",")[0] or "EUR",
                                    rates={}, offline_instructions="")
    return settings


def save_settings(campaign_id: int, *, currencies: list[str], goal_amount: Decimal | None,
                  goal_currency: str, rates: dict[str, Decimal],
                  offline_instructions: str) -> DonationSettings:
    settings = db.session.get(DonationSettings, campaign_id)
    if settings is None:
        settings = DonationSettings(campaign_id=campaign_id)
        db.session.add(settings)
    new_rates = {code: str(rate) for code, rate in rates.items() if code != goal_currency}
    if new_rates != (settings.rates or {}) or goal_currency != settings.goal_currency:
        settings.rates_updated_at = utcnow()
    settings.currencies = ",".join(currencies)
    settings.goal_amount = goal_amount
    settings.goal_currency = goal_currency
    settings.rates = new_rates
    settings.offline_instructions = offline_instructions or ""
    db.session.commit()
    return settings


def stripe_enabled() -> bool:
    return gateways.get_gateway() is not None


def offline_instructions(settings: DonationSettings) -> str:
    """How to give without a card: the campaign's own text, else the site-wide one."""
    return (settings.offline_instructions or "").strip() or (
        current_app.config.get("DONATION_OFFLINE_INSTRUCTIONS") or "").strip()


# --- giving online ------------------------------------------------------------------------

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
        _refresh_status(donation)
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


# --- webhooks -----------------------------------------------------------------------------

def handle_event(event: dict) -> str:
    """Apply one verified Stripe event exactly once; returns what happened (for logs)."""
    event_id = event["id"]
    if db.session.get(StripeEvent, event_id) is not None:
        return "duplicate"
    record = StripeEvent(id=event_id, type=str(event.get("type", ""))[:80],
                         created=event.get("created") if isinstance(
                             event.get("created"), int) else None)
    db.session.add(record)
    handler = _HANDLERS.get(record.type)
    obj = (event.get("data") or {}).get("object")
    try:
        outcome = handler(obj) if handler and isinstance(obj, dict) else "ignored"
        record.outcome = outcome
        db.session.commit()
    except IntegrityError:
        db.session.rollback()
        if db.session.get(StripeEvent, event_id) is not None:
            return "duplicate"  # the same event, delivered twice at once
        raise RetryLater(event_id) from None
    return outcome


def _int(value) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, str) and value.isdigit():
        return int(value)
    return None


def _id(value) -> str | None:
    """A Stripe id, whether the field holds the id or an expanded object."""
    if isinstance(value, dict):
        value = value.get("id")
    return value if isinstance(value, str) and value else None


def _donation_from_metadata(metadata) -> Donation | None:
    if not isinstance(metadata, dict):
        return None
    donation_id = _int(metadata.get("donation_id"))
    return db.session.get(Donation, donation_id) if donation_id else None


def _by(column, value) -> Donation | None:
    return db.session.scalar(select(Donation).where(column == value)) if value else None


def _when(timestamp) -> datetime:
    if isinstance(timestamp, int) and not isinstance(timestamp, bool):
        return datetime.fromtimestamp(timestamp, UTC).replace(tzinfo=None)
    return utcnow()


def _payment_by(column, value) -> DonationPayment | None:
    if not value:
        return None
    return db.session.scalar(select(DonationPayment).where(column == value))


def _record_payment(donation: Donation, amount: Money, *, payment_intent: str | None,
                    invoice: str | None, received_at: datetime) -> str:
    """A payment once per PaymentIntent or invoice; its receipt is queued with it."""
    if amount.amount <= 0:
        return "no_amount"
    payment = (_payment_by(DonationPayment.stripe_invoice_id, invoice)
               or _payment_by(DonationPayment.stripe_payment_intent_id, payment_intent))
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
    _queue_receipt(donation, payment)
    return "payment_recorded"


def _session_completed(session: dict, *, paid_now: bool = False) -> str:
    donation = (_donation_from_metadata(session.get("metadata"))
                or _by(Donation.stripe_session_id, _id(session.get("id"))))
    if donation is None:
        return "unknown_donation"
    donation.stripe_session_id = donation.stripe_session_id or _id(session.get("id"))
    donation.stripe_customer_id = donation.stripe_customer_id or _id(session.get("customer"))
    if session.get("mode") == "subscription":
        donation.stripe_subscription_id = (donation.stripe_subscription_id
                                           or _id(session.get("subscription")))
    details = session.get("customer_details") or {}
    email = (details.get("email") if isinstance(details, dict) else None) \
        or session.get("customer_email")
    if isinstance(email, str) and email:
        donation.email = donation.email or email[:254]
    donation.completed_at = donation.completed_at or _when(session.get("created"))
    outcome = "completed"
    currency = session.get("currency")
    total = _int(session.get("amount_total"))
    if session.get("mode") == "payment" and (paid_now or session.get("payment_status") ==
                                             "paid") and isinstance(currency, str) and total:
        outcome = _record_payment(
            donation, from_minor(total, currency.upper()),
            payment_intent=_id(session.get("payment_intent")) or
            f"session:{_id(session.get('id'))}", invoice=None, received_at=utcnow())
    _refresh_status(donation)
    return outcome


def _async_succeeded(session: dict) -> str:
    return _session_completed(session, paid_now=True)


def _async_failed(session: dict) -> str:
    donation = (_donation_from_metadata(session.get("metadata"))
                or _by(Donation.stripe_session_id, _id(session.get("id"))))
    if donation is None:
        return "unknown_donation"
    donation.failed_at = donation.failed_at or utcnow()
    donation.failure_reason = "async_payment_failed"
    _refresh_status(donation)
    return "failed"


def _invoice_subscription(invoice: dict) -> tuple[str | None, dict]:
    """Subscription id and metadata, from the old (`subscription`) or new (`parent`) shape."""
    parent = invoice.get("parent") if isinstance(invoice.get("parent"), dict) else {}
    details = (parent.get("subscription_details") or invoice.get("subscription_details")
               or {})
    if not isinstance(details, dict):
        details = {}
    subscription = _id(invoice.get("subscription")) or _id(details.get("subscription"))
    metadata = details.get("metadata") if isinstance(details.get("metadata"), dict) else {}
    if not metadata:
        lines = ((invoice.get("lines") or {}).get("data") or []) \
            if isinstance(invoice.get("lines"), dict) else []
        for line in lines:
            if isinstance(line, dict) and isinstance(line.get("metadata"), dict) \
                    and line["metadata"].get("donation_id"):
                metadata = line["metadata"]
                break
    return subscription, metadata


def _invoice_payment_intent(invoice: dict) -> str | None:
    found = _id(invoice.get("payment_intent"))
    if found:
        return found
    payments = invoice.get("payments")
    for item in (payments.get("data") or []) if isinstance(payments, dict) else []:
        payment = item.get("payment") if isinstance(item, dict) else None
        if isinstance(payment, dict) and _id(payment.get("payment_intent")):
            return _id(payment.get("payment_intent"))
    return None


def _invoice_paid(invoice: dict) -> str:
    subscription, metadata = _invoice_subscription(invoice)
    donation = (_by(Donation.stripe_subscription_id, subscription)
                or _donation_from_metadata(metadata))
    if donation is None:
        return "unknown_donation"
    donation.stripe_subscription_id = donation.stripe_subscription_id or subscription
    donation.stripe_customer_id = donation.stripe_customer_id or _id(invoice.get("customer"))
    if isinstance(invoice.get("customer_email"), str) and invoice["customer_email"]:
        donation.email = donation.email or invoice["customer_email"][:254]
    amount, currency = _int(invoice.get("amount_paid")), invoice.get("currency")
    if not amount or not isinstance(currency, str):
        return "no_amount"
    transitions = invoice.get("status_transitions") or {}
    outcome = _record_payment(
        donation, from_minor(amount, currency.upper()),
        payment_intent=_invoice_payment_intent(invoice), invoice=_id(invoice.get("id")),
        received_at=_when(transitions.get("paid_at") if isinstance(transitions, dict)
                          else None))
    _refresh_status(donation)
    return outcome


def _charge_refunded(charge: dict) -> str:
    payment_intent, invoice = _id(charge.get("payment_intent")), _id(charge.get("invoice"))
    payment = (_payment_by(DonationPayment.stripe_payment_intent_id, payment_intent)
               or _payment_by(DonationPayment.stripe_invoice_id, invoice))
    currency = charge.get("currency")
    refunded, amount = _int(charge.get("amount_refunded")), _int(charge.get("amount"))
    if not isinstance(currency, str) or refunded is None:
        return "no_amount"
    if payment is None:
        # The refund overtook the payment's own event: record the payment from the charge,
        # so the later completion finds it and neither counts nor e-mails it again.
        donation = _donation_from_metadata(charge.get("metadata"))
        if donation is None or not amount:
            return "unknown_payment"
        payment = DonationPayment(
            donation_id=donation.id, campaign_id=donation.campaign_id, channel="stripe",
            amount=from_minor(amount, currency.upper()).amount, currency=currency.upper(),
            refunded_amount=Decimal(0), stripe_payment_intent_id=payment_intent,
            stripe_invoice_id=invoice, received_at=_when(charge.get("created")))
        db.session.add(payment)
        donation.payments.append(payment)
    refunded_money = from_minor(refunded, currency.upper())
    # Stripe sends the cumulative refunded amount: keep the largest seen, so an older event
    # arriving late never undoes a newer one.
    if refunded_money.amount > (payment.refunded_amount or 0):
        payment.refunded_amount = min(refunded_money.amount, payment.amount)
        payment.refunded_at = utcnow()
    _refresh_status(payment.donation)
    return "refunded"


def _subscription_deleted(subscription: dict) -> str:
    donation = (_by(Donation.stripe_subscription_id, _id(subscription.get("id")))
                or _donation_from_metadata(subscription.get("metadata")))
    if donation is None:
        return "unknown_donation"
    donation.stripe_subscription_id = donation.stripe_subscription_id or _id(
        subscription.get("id"))
    donation.canceled_at = donation.canceled_at or _when(
        subscription.get("ended_at") or subscription.get("canceled_at"))
    _refresh_status(donation)
    return "canceled"


_HANDLERS = {
    "checkout.session.completed": _session_completed,
    "checkout.session.async_payment_succeeded": _async_succeeded,
    "checkout.session.async_payment_failed": _async_failed,
    "invoice.paid": _invoice_paid,
    "charge.refunded": _charge_refunded,
    "customer.subscription.deleted": _subscription_deleted,
}


def _refresh_status(donation: Donation) -> None:
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
    return_url = emails.external_url("campaigns.show", lang=donation.locale,
                                     slug=campaign.slug)
    try:
        return gateway.create_portal_session(donation.stripe_customer_id, return_url)
    except gateways.GatewayError as exc:
        raise PaymentsUnavailable() from exc


def _queue_receipt(donation: Donation, payment: DonationPayment) -> None:
    if not donation.email:
        return
    campaign = db.session.get(Campaign, donation.campaign_id)
    text = campaign.text_for(donation.locale)
    emails.queue_email(
        "donation_receipt", to=donation.email, lang=donation.locale, donation=donation,
        payment=payment, amount=payment.net, monthly=donation.kind == "monthly",
        campaign_title=text.title if text else campaign.slug,
        campaign_url=emails.external_url("campaigns.show", lang=donation.locale,
                                         slug=campaign.slug),
        manage_url=emails.external_url("donations.manage", token=manage_token(donation))
        if donation.kind == "monthly" else None)


# --- offline gifts ------------------------------------------------------------------------

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
    _refresh_status(donation)
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
    _refresh_status(donation)
    db.session.commit()
    return True


def delete_offline(donation: Donation) -> bool:
    """Undo a mistaken offline entry (Stripe donations are never deleted by hand)."""
    if donation.channel != "offline":
        return False
    db.session.delete(donation)
    db.session.commit()
    return True


# --- what the campaign page and the console show ------------------------------------------

def _sum_by_currency(rows) -> dict[str, Money]:
    totals: dict[str, Money] = {}
    for currency, amount in rows:
        money = Money(Decimal(str(amount or 0)), currency).rounded()
        totals[currency] = totals.get(currency, Money.zero(currency)) + money
    return totals


def raised_by_currency(campaign_id: int) -> dict[str, Money]:
    """Money received, net of refunds, per currency (Stripe and offline)."""
    return _sum_by_currency(db.session.execute(
        select(DonationPayment.currency,
               func.sum(DonationPayment.amount - DonationPayment.refunded_amount))
        .where(DonationPayment.campaign_id == campaign_id)
        .group_by(DonationPayment.currency)).all())


def pledged_by_currency(campaign_id: int) -> dict[str, Money]:
    return _sum_by_currency(db.session.execute(
        select(Donation.currency, func.sum(Donation.amount))
        .where(Donation.campaign_id == campaign_id, Donation.status == "pledged")
        .group_by(Donation.currency)).all())


@dataclass
class Progress:
    """Raised money towards the goal. Other currencies count only at a rate the organizers
    set; those without one are listed apart, not silently converted."""
    goal: Money | None
    counted: Money | None
    raised: dict[str, Money]
    pledged: dict[str, Money]
    converted: list[tuple[Money, Decimal]] = field(default_factory=list)
    not_counted: list[Money] = field(default_factory=list)
    rates_updated_at: datetime | None = None

    @property
    def percent(self) -> int:
        if not self.goal or not self.goal.amount or self.counted is None:
            return 0
        return min(100, int(self.counted.amount * 100 / self.goal.amount))


def progress(campaign_id: int) -> Progress:
    settings = settings_for(campaign_id)
    raised = raised_by_currency(campaign_id)
    pledged = pledged_by_currency(campaign_id)
    goal_currency = settings.goal_currency or "EUR"
    goal = Money(settings.goal_amount, goal_currency).rounded() \
        if settings.goal_amount else None
    counted = raised.get(goal_currency, Money.zero(goal_currency))
    converted, not_counted = [], []
    for currency, money in sorted(raised.items()):
        if currency == goal_currency or not money:
            continue
        rate = _rate(settings, currency)
        if rate is None:
            not_counted.append(money)
        else:
            counted = counted + money.convert(rate, goal_currency)
            converted.append((money, rate))
    return Progress(goal=goal, counted=counted, raised=raised, pledged=pledged,
                    converted=converted, not_counted=not_counted,
                    rates_updated_at=settings.rates_updated_at)


def _rate(settings: DonationSettings, currency: str) -> Decimal | None:
    raw = (settings.rates or {}).get(currency)
    try:
        rate = Decimal(str(raw)) if raw is not None else None
    except InvalidOperation:
        return None
    return rate if rate is not None and rate.is_finite() and rate > 0 else None


def donor_wall(campaign_id: int, limit: int = 50) -> list[str]:
    """Names of donors who agreed to be shown and whose gift was received (not refunded)."""
    received = select(DonationPayment.donation_id).where(
        DonationPayment.campaign_id == campaign_id,
        DonationPayment.refunded_amount < DonationPayment.amount)
    return list(db.session.scalars(
        select(Donation.donor_name)
        .where(Donation.campaign_id == campaign_id, Donation.public.is_(True),
               Donation.donor_name.is_not(None), Donation.id.in_(received))
        .order_by(Donation.created_at.desc(), Donation.id.desc()).limit(limit)))


@dataclass
class DonationFilter:
    status: str | None = None
    channel: str | None = None
    kind: str | None = None
    currency: str | None = None
    month: str | None = None  # YYYY-MM, by creation date


def _month_bounds(month: str) -> tuple[datetime, datetime] | None:
    try:
        year, number = (int(part) for part in month.split("-"))
        start = datetime(year, number, 1)
    except (ValueError, TypeError):
        return None
    days = calendar.monthrange(year, number)[1]
    return start, datetime(year, number, days, 23, 59, 59, 999999)


def list_donations(campaign_id: int, flt: DonationFilter | None = None) -> list[Donation]:
    flt = flt or DonationFilter()
    query = select(Donation).where(Donation.campaign_id == campaign_id)
    for column, value in ((Donation.status, flt.status), (Donation.channel, flt.channel),
                          (Donation.kind, flt.kind), (Donation.currency, flt.currency)):
        if value:
            query = query.where(column == value)
    if flt.month and (bounds := _month_bounds(flt.month)):
        query = query.where(Donation.created_at.between(*bounds))
    return list(db.session.scalars(query.order_by(Donation.created_at.desc(),
                                                  Donation.id.desc())))


def monthly_totals(campaign_id: int) -> list[tuple[str, dict[str, Money]]]:
    """Net money received per month and currency, newest month first."""
    by_month: dict[str, dict[str, Money]] = defaultdict(dict)
    for payment in db.session.scalars(select(DonationPayment).where(
            DonationPayment.campaign_id == campaign_id)):
        month = payment.received_at.strftime("%Y-%m")
        bucket = by_month[month]
        bucket[payment.currency] = bucket.get(
            payment.currency, Money.zero(payment.currency)) + payment.net
    return sorted(by_month.items(), reverse=True)


_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def _cell(value) -> str:
    """A CSV cell a spreadsheet will not run as a formula (OWASP CSV injection)."""
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(_FORMULA_START) else text


CSV_COLUMNS = ("id", "created_at", "kind", "channel", "status", "amount", "currency",
               "received_net", "refunded", "donor_name", "public", "email", "note")


def donations_csv(donations: list[Donation]) -> str:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(CSV_COLUMNS)
    for d in donations:
        net = sum((p.net.amount for p in d.payments), Decimal(0))
        refunded = sum((p.refunded_amount or Decimal(0) for p in d.payments), Decimal(0))
        exp = d.money.amount.as_tuple().exponent
        quantum = Decimal(1).scaleb(exp)
        writer.writerow([_cell(v) for v in (
            d.id, d.created_at.isoformat(timespec="seconds"), d.kind, d.channel, d.status,
            d.money.amount, d.currency, net.quantize(quantum), refunded.quantize(quantum),
            d.donor_name, "yes" if d.public else "no", d.email, d.note)])
    return out.getvalue()


def osdi_donations(campaign_id: int, after_id: int, limit: int) -> list[dict]:
    """A page of donations shaped as OSDI donations, for the organizer API (ascending ids)."""
    donations = db.session.scalars(
        select(Donation).where(Donation.campaign_id == campaign_id, Donation.id > after_id)
        .order_by(Donation.id).limit(limit)).all()
    return [{
        "id": donation.id,
        "identifiers": [f"korday:donation-{donation.id}"],
        "created_date": donation.created_at.isoformat() + "Z",
        "amount": str(donation.money.amount),
        "currency": donation.currency,
        "status": donation.status,
        "channel": donation.channel,
        "recurrence": {"recurring": donation.kind == "monthly",
                       **({"period": "Monthly"} if donation.kind == "monthly" else {})},
        "payment": {"method": "Credit Card" if donation.channel == "stripe" else "Offline"},
        "donor": {"given_name": donation.donor_name, "email": donation.email},
        "public": donation.public,
        "refunded_amount": str(sum((p.refunded_amount or Decimal(0) for p in donation.payments),
                                   Decimal(0))),
    } for donation in donations]


# --- a donor's own data (the privacy page's copy and deletion) -----------------------------

def donations_of(email_key: str) -> list[Donation]:
    candidates = db.session.scalars(select(Donation).where(or_(*(
        func.lower(Donation.email).like(f"%@{domain}")
        for domain in domain_variants(email_key)))).order_by(Donation.id))
    return [donation for donation in candidates if has_key(donation.email, email_key)]


def export_donations(email_key: str) -> list[dict]:
    return [{
        "campaign": donation.campaign_id, "amount": str(donation.money.amount),
        "currency": donation.currency, "kind": donation.kind, "status": donation.status,
        "name": donation.donor_name, "email": donation.email, "on_donor_wall": donation.public,
        "given_at": donation.created_at.isoformat() + "Z",
    } for donation in donations_of(email_key)]


def erase_donations(email_key: str) -> int:
    """Anonymise the person's donations: the name and address go; the amounts stay, because
    the money received must still add up (and Stripe keeps its own records)."""
    donations = donations_of(email_key)
    for donation in donations:
        donation.donor_name, donation.email, donation.public = None, None, False
    db.session.commit()
    return len(donations)

"""The Stripe boundary: the only module that imports `stripe`.

Everything else speaks in Money and our own ids; here Money becomes Stripe's integer minor
units, our row ids become idempotency keys and metadata, and incoming webhook payloads are
verified with the official library, then parsed into small typed facts (`Event` with a
`SessionFacts`, `InvoiceFacts`, `ChargeFacts` or `SubscriptionFacts`): no other module reads
Stripe's raw payloads, their shapes across API versions, or minor units.
"""
from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

import stripe
from flask import current_app

from .money import Money, from_minor, to_minor

if TYPE_CHECKING:
    from stripe._base_address import BaseAddresses
    from stripe.params.checkout import (
        SessionCreateParams,
        SessionCreateParamsLineItemPriceData,
    )

# Checkout's `locale` values (docs.stripe.com/api/checkout/sessions/create#locale) for the
# site's languages. Stripe has neither Kazakh nor Kyrgyz: "auto" lets Checkout follow the
# browser, which for most of those readers asks for Russian or English anyway. Dungan pages
# use the Russian interface, so their donors get Russian.
CHECKOUT_LOCALES = {"en": "en", "ru": "ru", "zh": "zh", "fr": "fr", "de": "de", "dng": "ru",
                    "kk": "auto", "ky": "auto"}


def checkout_locale(lang: str) -> str:
    return CHECKOUT_LOCALES.get(lang, "auto")


class GatewayError(Exception):
    """Stripe could not be reached or refused the request; nothing was charged."""


class InvalidEvent(Exception):
    """A webhook whose signature, timestamp or body does not verify."""


@dataclass(frozen=True)
class CheckoutRequest:
    donation_id: int
    campaign_id: int
    amount: Money
    monthly: bool
    product_name: str
    success_url: str
    cancel_url: str
    lang: str


@dataclass(frozen=True)
class CheckoutSession:
    id: str
    url: str


class StripeGateway:
    def __init__(self, secret_key: str, api_base: str | None = None,
                 max_network_retries: int = 2) -> None:
        base: BaseAddresses | None = {"api": api_base.rstrip("/")} if api_base else None
        self.client = stripe.StripeClient(secret_key, base_addresses=base,
                                          max_network_retries=max_network_retries)

    def create_checkout_session(self, req: CheckoutRequest) -> CheckoutSession:
        metadata = {"donation_id": str(req.donation_id), "campaign_id": str(req.campaign_id)}
        price_data: SessionCreateParamsLineItemPriceData = {
            "currency": req.amount.currency.lower(),
            "unit_amount": to_minor(req.amount),
            "product_data": {"name": req.product_name},
        }
        params: SessionCreateParams = {
            "mode": "subscription" if req.monthly else "payment",
            "line_items": [{"quantity": 1, "price_data": price_data}],
            "success_url": req.success_url,
            "cancel_url": req.cancel_url,
            "locale": checkout_locale(req.lang),
            "client_reference_id": str(req.donation_id),
            "metadata": metadata,
        }
        if req.monthly:
            price_data["recurring"] = {"interval": "month"}
            # Invoices and the subscription carry the donation id, so an invoice.paid that
            # arrives before checkout.session.completed still finds its donation.
            params["subscription_data"] = {"metadata": metadata}
        else:
            params["payment_intent_data"] = {"metadata": metadata}
            params["submit_type"] = "donate"
        try:
            session = self.client.v1.checkout.sessions.create(
                params, {"idempotency_key": f"donation-{req.donation_id}-checkout"})
        except stripe.StripeError as exc:
            raise GatewayError(str(exc)) from exc
        assert session.url is not None  # hosted Checkout always has one
        return CheckoutSession(id=session.id, url=session.url)

    def create_portal_session(self, customer_id: str, return_url: str) -> str:
        try:
            session = self.client.v1.billing_portal.sessions.create(
                {"customer": customer_id, "return_url": return_url})
        except stripe.StripeError as exc:
            raise GatewayError(str(exc)) from exc
        return session.url


def get_gateway() -> StripeGateway | None:
    """The configured gateway, or None when no Stripe key is set (offline giving only)."""
    key = current_app.config.get("STRIPE_SECRET_KEY")
    if not key:
        return None
    cached = current_app.extensions.get("donations_gateway")
    if cached is None:
        cached = StripeGateway(key, current_app.config.get("STRIPE_API_BASE"))
        current_app.extensions["donations_gateway"] = cached
    return cached


def verify_event(payload: bytes, signature_header: str | None) -> dict[str, Any]:
    """The event as a plain dict, after the library verified signature and timestamp
    (five minutes' tolerance, so an old delivery replayed later is refused)."""
    secret = current_app.config.get("STRIPE_WEBHOOK_SECRET")
    if not secret:
        raise InvalidEvent("STRIPE_WEBHOOK_SECRET is not set")
    try:
        text = payload.decode("utf-8")
        stripe.Webhook.construct_event(text, signature_header, secret)
        event = json.loads(text)
    except (stripe.SignatureVerificationError, UnicodeDecodeError, ValueError, TypeError,
            AttributeError, KeyError) as exc:  # the last three: signed, but not an event
        raise InvalidEvent(str(exc)) from exc
    if not isinstance(event, dict) or not isinstance(event.get("id"), str) \
            or not isinstance(event.get("data"), dict):
        raise InvalidEvent("not an event")
    return event


def expected_livemode() -> bool | None:
    """Whether events should be live ones, from the configured key's prefix (None: unknown)."""
    key = current_app.config.get("STRIPE_SECRET_KEY") or ""
    if key.startswith(("sk_live_", "rk_live_")):
        return True
    if key.startswith(("sk_test_", "rk_test_")):
        return False
    return None


# --- webhook payloads, parsed -------------------------------------------------------------

@dataclass(frozen=True)
class SessionFacts:
    """checkout.session.* : a Checkout Session."""
    session_id: str | None
    donation_id: int | None
    mode: str | None                 # "payment" or "subscription"
    paid: bool                       # payment_status == "paid"
    amount: Money | None             # amount_total
    customer: str | None
    subscription: str | None
    payment_intent: str | None
    email: str | None
    created: datetime | None


@dataclass(frozen=True)
class InvoiceFacts:
    """invoice.paid: one month of a monthly donation."""
    invoice_id: str | None
    subscription: str | None
    donation_id: int | None
    customer: str | None
    email: str | None
    amount: Money | None             # amount_paid
    payment_intent: str | None
    paid_at: datetime | None


@dataclass(frozen=True)
class ChargeFacts:
    """charge.refunded: the cumulative refunded amount of one charge."""
    payment_intent: str | None
    invoice: str | None
    donation_id: int | None
    amount: Money | None
    refunded: Money | None
    created: datetime | None


@dataclass(frozen=True)
class SubscriptionFacts:
    """customer.subscription.deleted."""
    subscription_id: str | None
    donation_id: int | None
    ended_at: datetime | None


Facts = SessionFacts | InvoiceFacts | ChargeFacts | SubscriptionFacts


@dataclass(frozen=True)
class Event:
    id: str
    type: str
    created: int | None
    livemode: bool | None
    facts: Facts | None              # None: a type we do not handle, or no object


def _int(value: object) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, str) and value.isdigit():
        return int(value)
    return None


def _id(value: object) -> str | None:
    """A Stripe id, whether the field holds the id or an expanded object."""
    if isinstance(value, dict):
        value = value.get("id")
    return value if isinstance(value, str) and value else None


def _dict(value: object) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def _when(timestamp: object) -> datetime | None:
    if isinstance(timestamp, int) and not isinstance(timestamp, bool):
        return datetime.fromtimestamp(timestamp, UTC).replace(tzinfo=None)
    return None


def _money(minor: object, currency: object) -> Money | None:
    minor = _int(minor)
    if minor is None or not isinstance(currency, str) or len(currency) != 3 \
            or not currency.isalpha():
        return None
    return from_minor(minor, currency.upper())


def _donation_id(metadata: object) -> int | None:
    return _int(_dict(metadata).get("donation_id"))


def _email(*values: object) -> str | None:
    for value in values:
        if isinstance(value, str) and value:
            return value[:254]
    return None


def _session(obj: dict[str, Any]) -> SessionFacts:
    return SessionFacts(
        session_id=_id(obj.get("id")), donation_id=_donation_id(obj.get("metadata")),
        mode=obj.get("mode") if obj.get("mode") in ("payment", "subscription") else None,
        paid=obj.get("payment_status") == "paid",
        amount=_money(obj.get("amount_total"), obj.get("currency")),
        customer=_id(obj.get("customer")), subscription=_id(obj.get("subscription")),
        payment_intent=_id(obj.get("payment_intent")),
        email=_email(_dict(obj.get("customer_details")).get("email"),
                     obj.get("customer_email")),
        created=_when(obj.get("created")))


def _invoice_subscription(invoice: dict[str, Any]) -> tuple[str | None, dict[str, Any]]:
    """Subscription id and metadata, from the old (`subscription`) or new (`parent`) shape."""
    parent = _dict(invoice.get("parent"))
    details = _dict(parent.get("subscription_details")
                    or invoice.get("subscription_details"))
    subscription = _id(invoice.get("subscription")) or _id(details.get("subscription"))
    metadata = _dict(details.get("metadata"))
    if not metadata:
        for line in _dict(invoice.get("lines")).get("data") or []:
            if isinstance(line, dict) and _dict(line.get("metadata")).get("donation_id"):
                metadata = line["metadata"]
                break
    return subscription, metadata


def _invoice_payment_intent(invoice: dict[str, Any]) -> str | None:
    found = _id(invoice.get("payment_intent"))
    if found:
        return found
    for item in _dict(invoice.get("payments")).get("data") or []:
        payment = _dict(_dict(item).get("payment"))
        if _id(payment.get("payment_intent")):
            return _id(payment.get("payment_intent"))
    return None


def _invoice(obj: dict[str, Any]) -> InvoiceFacts:
    subscription, metadata = _invoice_subscription(obj)
    return InvoiceFacts(
        invoice_id=_id(obj.get("id")), subscription=subscription,
        donation_id=_donation_id(metadata), customer=_id(obj.get("customer")),
        email=_email(obj.get("customer_email")),
        amount=_money(obj.get("amount_paid"), obj.get("currency")),
        payment_intent=_invoice_payment_intent(obj),
        paid_at=_when(_dict(obj.get("status_transitions")).get("paid_at")))


def _charge(obj: dict[str, Any]) -> ChargeFacts:
    return ChargeFacts(
        payment_intent=_id(obj.get("payment_intent")), invoice=_id(obj.get("invoice")),
        donation_id=_donation_id(obj.get("metadata")),
        amount=_money(obj.get("amount"), obj.get("currency")),
        refunded=_money(obj.get("amount_refunded"), obj.get("currency")),
        created=_when(obj.get("created")))


def _subscription(obj: dict[str, Any]) -> SubscriptionFacts:
    return SubscriptionFacts(
        subscription_id=_id(obj.get("id")), donation_id=_donation_id(obj.get("metadata")),
        ended_at=_when(obj.get("ended_at") or obj.get("canceled_at")))


_PARSERS: dict[str, Callable[[dict[str, Any]], Facts]] = {
    "checkout.session.completed": _session,
    "checkout.session.async_payment_succeeded": _session,
    "checkout.session.async_payment_failed": _session,
    "invoice.paid": _invoice,
    "charge.refunded": _charge,
    "customer.subscription.deleted": _subscription,
}


def parse_event(event: dict[str, Any]) -> Event:
    """A verified event's id, type and facts (see verify_event)."""
    type_ = str(event.get("type", ""))[:80]
    obj = _dict(event.get("data")).get("object")
    parser = _PARSERS.get(type_)
    livemode = event.get("livemode")
    return Event(id=event["id"], type=type_, created=_int(event.get("created")),
                 livemode=livemode if isinstance(livemode, bool) else None,
                 facts=parser(obj) if parser and isinstance(obj, dict) else None)

"""The Stripe boundary: the only module that imports `stripe`.

Everything else speaks in Money and our own ids; here Money becomes Stripe's integer minor
units, our row ids become idempotency keys and metadata, and incoming webhook payloads are
verified with the official library before anything reads them.
"""
from __future__ import annotations

import json
from dataclasses import dataclass

import stripe
from flask import current_app

from .money import Money, to_minor

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
                 max_network_retries: int = 2):
        base = {"api": api_base.rstrip("/")} if api_base else None
        self.client = stripe.StripeClient(secret_key, base_addresses=base,
                                          max_network_retries=max_network_retries)

    def create_checkout_session(self, req: CheckoutRequest) -> CheckoutSession:
        metadata = {"donation_id": str(req.donation_id), "campaign_id": str(req.campaign_id)}
        price_data = {
            "currency": req.amount.currency.lower(),
            "unit_amount": to_minor(req.amount),
            "product_data": {"name": req.product_name},
        }
        params = {
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


def verify_event(payload: bytes, signature_header: str | None) -> dict:
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

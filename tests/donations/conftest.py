"""Donation fixtures: the fake Stripe API (fake_stripe.py), and webhooks signed
exactly as Stripe signs them (`t=<unix time>,v1=HMAC-SHA256(secret, f"{t}.{payload}")`)."""
from __future__ import annotations

import hashlib
import hmac
import itertools
import json
import time

from tests.donations.fake_stripe import WEBHOOK_SECRET


def sign(payload: str, secret: str = WEBHOOK_SECRET, timestamp: int | None = None) -> str:
    timestamp = int(time.time()) if timestamp is None else timestamp
    digest = hmac.new(secret.encode(), f"{timestamp}.{payload}".encode(),
                      hashlib.sha256).hexdigest()
    return f"t={timestamp},v1={digest}"


_event_ids = itertools.count(1)


def event(type_: str, obj: dict, event_id: str | None = None) -> dict:
    return {"id": event_id or f"evt_test_{next(_event_ids)}_{time.time_ns()}",
            "object": "event", "type": type_, "created": int(time.time()),
            "api_version": "2025-03-31.basil", "livemode": False,
            "data": {"object": obj}}


def post_event(client, evt: dict, *, secret: str = WEBHOOK_SECRET,
               timestamp: int | None = None):
    payload = json.dumps(evt)
    return client.post("/stripe/webhook", data=payload, content_type="application/json",
                       headers={"Stripe-Signature": sign(payload, secret, timestamp)})


def session_completed(donation, *, amount_minor: int, currency: str = "eur",
                      payment_intent: str | None = "pi_1", email="donor@example.org",
                      payment_status="paid", mode="payment", subscription=None,
                      customer="cus_1") -> dict:
    return {"id": donation.stripe_session_id or f"cs_x_{donation.id}",
            "object": "checkout.session", "mode": mode, "payment_status": payment_status,
            "amount_total": amount_minor, "currency": currency,
            "payment_intent": payment_intent if mode == "payment" else None,
            "subscription": subscription, "customer": customer,
            "customer_details": {"email": email},
            "metadata": {"donation_id": str(donation.id),
                         "campaign_id": str(donation.campaign_id)},
            "created": int(time.time())}


def invoice_paid(donation, *, invoice_id: str, amount_minor: int, currency="eur",
                 subscription="sub_1", customer="cus_1", payment_intent=None) -> dict:
    # The 2025 ("basil") shape: subscription and its metadata under parent.
    return {"id": invoice_id, "object": "invoice", "amount_paid": amount_minor,
            "currency": currency, "customer": customer, "customer_email": "donor@example.org",
            "status": "paid", "status_transitions": {"paid_at": int(time.time())},
            "parent": {"type": "subscription_details", "subscription_details": {
                "subscription": subscription,
                "metadata": {"donation_id": str(donation.id)}}},
            "payments": {"data": [{"payment": {"type": "payment_intent",
                                               "payment_intent": payment_intent}}]}
            if payment_intent else {"data": []}}


def charge_refunded(donation, *, payment_intent: str, amount_minor: int,
                    refunded_minor: int, currency="eur") -> dict:
    return {"id": f"ch_{payment_intent}", "object": "charge", "payment_intent": payment_intent,
            "amount": amount_minor, "amount_refunded": refunded_minor, "currency": currency,
            "refunded": refunded_minor >= amount_minor, "created": int(time.time()),
            "metadata": {"donation_id": str(donation.id)}}


def make_donation(campaign, *, amount="25", currency="EUR", kind="one_time", locale="en",
                  donor_name=None, public=False):
    """A pending Stripe donation, as the donate form leaves it before Checkout."""
    from decimal import Decimal

    from campaign.donations.models import Donation
    from campaign.extensions import db

    donation = Donation(campaign_id=campaign.id, kind=kind, channel="stripe",
                        status="pending", amount=Decimal(amount), currency=currency,
                        locale=locale, donor_name=donor_name, public=public)
    db.session.add(donation)
    db.session.flush()
    donation.stripe_session_id = f"cs_test_d{donation.id}"
    db.session.commit()
    return donation

"""A signed Stripe event is cross-checked against the donation it names before anything is
recorded: currency, amount, mode and livemode. A mismatch is refused (400), logged, never
summed, and its id is not recorded, so the correct event still applies afterwards."""
from __future__ import annotations

import ast
import logging
from pathlib import Path

import pytest
from sqlalchemy import func, select

from campaign.donations import service
from campaign.donations.models import DonationPayment, StripeEvent
from campaign.extensions import db
from tests.donations.conftest import (
    charge_refunded,
    event,
    invoice_paid,
    make_donation,
    post_event,
    session_completed,
)
from tests.factories import make_campaign


def _count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def _refused(client, evt, caplog) -> None:
    before = (_count(DonationPayment), _count(StripeEvent))
    with caplog.at_level(logging.WARNING, logger="campaign.donations.webhooks"):
        response = post_event(client, evt)
    assert response.status_code == 400, response.json
    assert (_count(DonationPayment), _count(StripeEvent)) == before
    assert any(evt["id"] in record.getMessage() for record in caplog.records)


@pytest.mark.parametrize(("label", "changes"), [
    ("currency", {"currency": "usd"}),
    ("amount", {"amount_minor": 250000}),
    ("mode", {"mode": "subscription", "subscription": "sub_x"}),
])
def test_a_session_that_disagrees_with_its_donation_is_refused(
        client, stripe_app, caplog, label, changes):
    campaign = make_campaign()
    donation = make_donation(campaign, amount="25")
    bad = event("checkout.session.completed",
                session_completed(donation, **{"amount_minor": 2500, **changes}))
    _refused(client, bad, caplog)
    assert service.raised_by_currency(campaign.id) == {}
    good = event("checkout.session.completed", session_completed(donation, amount_minor=2500))
    assert post_event(client, good).json["outcome"] == "payment_recorded"
    assert service.raised_by_currency(campaign.id) == {"EUR": service.Money("25", "EUR")}


def test_a_live_event_under_a_test_key_is_refused(client, stripe_app, caplog):
    campaign = make_campaign()
    donation = make_donation(campaign, amount="25")
    live = event("checkout.session.completed", session_completed(donation, amount_minor=2500))
    live["livemode"] = True
    _refused(client, live, caplog)
    assert service.raised_by_currency(campaign.id) == {}


def test_an_invoice_for_a_one_time_gift_or_another_amount_is_refused(
        client, stripe_app, caplog):
    campaign = make_campaign()
    one_time = make_donation(campaign, amount="10")
    _refused(client, event("invoice.paid", invoice_paid(
        one_time, invoice_id="in_a", amount_minor=1000, subscription="sub_a")), caplog)
    monthly = make_donation(campaign, amount="10", kind="monthly")
    _refused(client, event("invoice.paid", invoice_paid(
        monthly, invoice_id="in_b", amount_minor=99900, subscription="sub_b")), caplog)
    assert service.raised_by_currency(campaign.id) == {}
    ok = post_event(client, event("invoice.paid", invoice_paid(
        monthly, invoice_id="in_c", amount_minor=1000, subscription="sub_b")))
    assert ok.json["outcome"] == "payment_recorded"


def test_a_refund_of_another_charge_is_refused(client, stripe_app, caplog):
    campaign = make_campaign()
    donation = make_donation(campaign, amount="25")
    post_event(client, event("checkout.session.completed", session_completed(
        donation, amount_minor=2500, payment_intent="pi_r")))
    _refused(client, event("charge.refunded", charge_refunded(
        donation, payment_intent="pi_r", amount_minor=9900, refunded_minor=9900,
        currency="usd")), caplog)
    assert service.raised_by_currency(campaign.id) == {"EUR": service.Money("25", "EUR")}


STRIPE_FIELDS = {"amount_total", "amount_paid", "amount_refunded", "payment_status",
                 "payment_intent", "customer_details", "livemode", "status_transitions",
                 "subscription_details", "metadata", "data"}


def test_only_the_gateway_reads_stripe_payloads():
    """No donations module but gateway.py subscripts or .get()s a Stripe payload field."""
    package = Path(__file__).resolve().parents[2] / "campaign" / "donations"
    readers = []
    for path in package.glob("*.py"):
        if path.name == "gateway.py":
            continue
        for node in ast.walk(ast.parse(path.read_text())):
            key = None
            if isinstance(node, ast.Subscript) and isinstance(node.slice, ast.Constant):
                key = node.slice.value
            elif (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)
                  and node.func.attr == "get" and node.args
                  and isinstance(node.args[0], ast.Constant)):
                key = node.args[0].value
            if key in STRIPE_FIELDS:
                readers.append(f"{path.name}:{node.lineno} reads {key!r}")
    assert not readers, readers

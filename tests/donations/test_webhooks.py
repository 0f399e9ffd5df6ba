import json
import time
from decimal import Decimal

from sqlalchemy import func, select

from campaign.donations import service
from campaign.donations.models import Donation, DonationPayment, StripeEvent
from campaign.extensions import db
from campaign.outbox.models import OutboxMessage
from tests.donations.conftest import (
    charge_refunded,
    event,
    invoice_paid,
    make_donation,
    post_event,
    session_completed,
    sign,
)
from tests.factories import make_campaign


def _count(model):
    return db.session.scalar(select(func.count()).select_from(model))


def _receipts():
    return list(db.session.scalars(select(OutboxMessage).where(
        OutboxMessage.kind == "donation_receipt").order_by(OutboxMessage.id)))


def _reload(donation):
    db.session.expire_all()
    return db.session.get(Donation, donation.id)


def test_completed_payment_is_counted_once_and_receipted_in_the_donors_language(
        client, stripe_app):
    campaign = make_campaign(locales=("en", "ru"))
    donation = make_donation(campaign, amount="25", locale="ru", donor_name="Аида",
                             public=True)
    evt = event("checkout.session.completed", session_completed(donation, amount_minor=2500))
    first = post_event(client, evt)
    assert first.status_code == 200 and first.json["outcome"] == "payment_recorded"
    # Stripe retries and duplicates deliveries: the same event id changes nothing more.
    again = post_event(client, evt)
    assert again.status_code == 200 and again.json["outcome"] == "duplicate"

    donation = _reload(donation)
    assert donation.status == "paid" and donation.email == "donor@example.org"
    assert service.raised_by_currency(campaign.id) == {"EUR": service.Money("25", "EUR")}
    [receipt] = _receipts()
    assert receipt.to_addr == "donor@example.org"
    assert '<html lang="ru">' in receipt.body_html
    assert "25,00\xa0€" in receipt.body_text  # amount formatted the Russian way
    assert "/donations/manage/" not in receipt.body_text  # one-time: no portal link

    page = client.get(f"/ru/c/{campaign.slug}").get_data(as_text=True)
    assert 'data-raised="25.00"' in page and "Аида" in page


def test_bad_signatures_and_replays_are_refused_and_change_nothing(client, stripe_app):
    campaign = make_campaign()
    donation = make_donation(campaign)
    evt = event("checkout.session.completed", session_completed(donation, amount_minor=2500))
    payload = json.dumps(evt)
    refused = [
        post_event(client, evt, secret="whsec_someone_else"),
        # Correctly signed, but an hour old: a replay of a captured delivery.
        post_event(client, evt, timestamp=int(time.time()) - 3600),
        client.post("/stripe/webhook", data=payload, content_type="application/json"),
        client.post("/stripe/webhook", data=payload, content_type="application/json",
                    headers={"Stripe-Signature": "garbage"}),
        client.post("/stripe/webhook", data=payload + " ", content_type="application/json",
                    headers={"Stripe-Signature": sign(payload)}),  # body altered
        client.post("/stripe/webhook", data=b"\xff\xfe", content_type="application/json",
                    headers={"Stripe-Signature": sign("x")}),
    ]
    assert [r.status_code for r in refused] == [400] * len(refused)
    assert _count(StripeEvent) == 0 and _count(DonationPayment) == 0 and _receipts() == []
    assert _reload(donation).status == "pending"


def test_webhooks_are_refused_when_no_secret_is_configured(client, app):
    campaign = make_campaign()
    donation = make_donation(campaign)
    response = post_event(client, event("checkout.session.completed",
                                        session_completed(donation, amount_minor=2500)))
    assert response.status_code == 400
    assert _count(DonationPayment) == 0


def test_signed_event_that_is_not_json_object_is_a_400(client, stripe_app):
    payload = json.dumps(["not", "an", "event"])
    response = client.post("/stripe/webhook", data=payload, content_type="application/json",
                           headers={"Stripe-Signature": sign(payload)})
    assert response.status_code == 400


def test_unknown_events_and_foreign_donations_are_acknowledged_and_ignored(
        client, stripe_app):
    assert post_event(client, event("customer.created", {"id": "cus_9"})).json[
        "outcome"] == "ignored"
    foreign = {"id": "cs_other", "mode": "payment", "payment_status": "paid",
               "amount_total": 100, "currency": "eur", "metadata": {}}
    assert post_event(client, event("checkout.session.completed", foreign)).json[
        "outcome"] == "unknown_donation"
    assert _count(DonationPayment) == 0


def test_refund_reduces_the_total_and_hides_the_donor(client, stripe_app):
    campaign = make_campaign()
    donation = make_donation(campaign, amount="25", donor_name="Visible Donor", public=True)
    post_event(client, event("checkout.session.completed",
                             session_completed(donation, amount_minor=2500,
                                               payment_intent="pi_r")))
    post_event(client, event("charge.refunded", charge_refunded(
        donation, payment_intent="pi_r", amount_minor=2500, refunded_minor=1000)))
    assert service.raised_by_currency(campaign.id)["EUR"].amount == Decimal("15.00")
    # An older partial-refund event delivered late does not undo the full refund.
    full = event("charge.refunded", charge_refunded(
        donation, payment_intent="pi_r", amount_minor=2500, refunded_minor=2500))
    late = event("charge.refunded", charge_refunded(
        donation, payment_intent="pi_r", amount_minor=2500, refunded_minor=500))
    post_event(client, full)
    post_event(client, late)
    assert service.raised_by_currency(campaign.id)["EUR"].amount == Decimal("0.00")
    assert _reload(donation).status == "refunded"
    assert "Visible Donor" not in client.get(f"/en/c/{campaign.slug}").get_data(as_text=True)


def test_refund_arriving_before_the_payment_ends_refunded(client, stripe_app):
    campaign = make_campaign()
    donation = make_donation(campaign, amount="40")
    post_event(client, event("charge.refunded", charge_refunded(
        donation, payment_intent="pi_early", amount_minor=4000, refunded_minor=4000)))
    post_event(client, event("checkout.session.completed", session_completed(
        donation, amount_minor=4000, payment_intent="pi_early")))
    donation = _reload(donation)
    assert donation.status == "refunded" and len(donation.payments) == 1
    assert service.raised_by_currency(campaign.id)["EUR"].amount == 0
    assert _receipts() == []  # no "thank you, we received" for money already returned


def test_delayed_payment_methods_count_only_on_success(client, stripe_app):
    campaign = make_campaign()
    ok, bad = make_donation(campaign, amount="30"), make_donation(campaign, amount="50")
    for donation, pi in ((ok, "pi_ok"), (bad, "pi_bad")):
        post_event(client, event("checkout.session.completed", session_completed(
            donation, amount_minor=int(donation.amount * 100), payment_intent=pi,
            payment_status="unpaid")))
    assert _reload(ok).status == "pending" and service.raised_by_currency(campaign.id) == {}
    post_event(client, event("checkout.session.async_payment_succeeded", session_completed(
        ok, amount_minor=3000, payment_intent="pi_ok")))
    post_event(client, event("checkout.session.async_payment_failed", session_completed(
        bad, amount_minor=5000, payment_intent="pi_bad", payment_status="unpaid")))
    assert _reload(ok).status == "paid" and _reload(bad).status == "failed"
    assert service.raised_by_currency(campaign.id)["EUR"].amount == Decimal("30.00")


def test_monthly_invoice_series_portal_link_and_cancellation(client, stripe_app,
                                                             fake_stripe):
    campaign = make_campaign(locales=("en", "de"))
    donation = make_donation(campaign, amount="10", kind="monthly", locale="de")
    post_event(client, event("checkout.session.completed", session_completed(
        donation, amount_minor=1000, mode="subscription", subscription="sub_m",
        customer="cus_m")))
    assert _reload(donation).status == "pending"  # the money comes with the invoice
    for number in range(1, 4):
        response = post_event(client, event("invoice.paid", invoice_paid(
            donation, invoice_id=f"in_{number}", amount_minor=1000, subscription="sub_m",
            customer="cus_m", payment_intent=f"pi_in_{number}")))
        assert response.json["outcome"] == "payment_recorded"
    donation = _reload(donation)
    assert donation.status == "active" and len(donation.payments) == 3
    assert service.raised_by_currency(campaign.id)["EUR"].amount == Decimal("30.00")
    receipts = _receipts()
    assert len(receipts) == 3 and all("10,00\xa0€" in r.body_text for r in receipts)

    # The receipt's link opens Stripe's customer portal for this customer.
    manage = next(line for line in receipts[0].body_text.splitlines()
                  if "/donations/manage/" in line).strip()
    response = client.get(manage.replace("http://campaign.test", ""))
    assert response.status_code == 303
    assert response.headers["Location"].startswith("https://billing.stripe.test/p/session/")
    [portal] = fake_stripe.posts("/v1/billing_portal/sessions")
    assert portal["form"]["customer"] == "cus_m"
    assert portal["form"]["return_url"] == f"http://campaign.test/de/c/{campaign.slug}"
    assert client.get("/donations/manage/forged-token").status_code == 404

    post_event(client, event("customer.subscription.deleted",
                             {"id": "sub_m", "object": "subscription", "status": "canceled",
                              "metadata": {"donation_id": str(donation.id)}}))
    assert _reload(donation).status == "canceled"
    # Money received before the cancellation stays counted.
    assert service.raised_by_currency(campaign.id)["EUR"].amount == Decimal("30.00")


def test_monthly_events_out_of_order_end_in_the_right_state(client, stripe_app):
    campaign = make_campaign()
    donation = make_donation(campaign, amount="5000", currency="KZT", kind="monthly")
    deleted = event("customer.subscription.deleted", {
        "id": "sub_o", "object": "subscription",
        "metadata": {"donation_id": str(donation.id)}})
    paid = event("invoice.paid", invoice_paid(donation, invoice_id="in_o", currency="kzt",
                                              amount_minor=500000, subscription="sub_o"))
    completed = event("checkout.session.completed", session_completed(
        donation, amount_minor=500000, currency="kzt", mode="subscription",
        subscription="sub_o"))
    for evt in (deleted, paid, completed):  # the reverse of the usual order
        assert post_event(client, evt).status_code == 200
    donation = _reload(donation)
    assert donation.status == "canceled" and donation.stripe_subscription_id == "sub_o"
    assert [p.stripe_invoice_id for p in donation.payments] == ["in_o"]
    assert service.raised_by_currency(campaign.id)["KZT"].amount == Decimal("5000.00")

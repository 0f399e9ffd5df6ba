import csv
import io
from decimal import Decimal

from sqlalchemy import select

from campaign.donations import service
from campaign.donations.models import Donation
from campaign.extensions import db
from tests.conftest import csrf_from, login
from tests.donations.conftest import event, make_donation, post_event, session_completed
from tests.factories import make_campaign, make_user


def _console(client, campaign, query=""):
    return client.get(f"/organize/c/{campaign.slug}/donations{query}")


def _record(client, campaign, **fields):
    page = _console(client, campaign).get_data(as_text=True)
    data = {"csrf_token": csrf_from(page), "currency": "EUR", "received": "received",
            **fields}
    return client.post(f"/organize/c/{campaign.slug}/donations/offline", data=data)


def test_console_is_for_the_campaigns_organizers_only(client, app):
    mine, theirs = make_campaign(), make_campaign()
    user, password = make_user(campaigns=[mine])
    assert _console(client, mine).status_code == 302  # to the login page
    login(client, user.email, password)
    assert _console(client, mine).status_code == 200
    assert _console(client, theirs).status_code == 403
    assert client.get(f"/organize/c/{theirs.slug}/donations.csv").status_code == 403
    assert client.get("/organize/c/nope/donations").status_code == 404


def test_offline_gifts_and_pledges_are_counted_marked_and_shown(client, app):
    campaign = make_campaign()
    user, password = make_user(campaigns=[campaign])
    login(client, user.email, password)
    assert _record(client, campaign, amount="100", donor_name="Bank Donor",
                   public="y", received_on="2026-11-20").status_code == 303
    assert _record(client, campaign, amount="50", received="pledge",
                   donor_name="Pledger", public="y").status_code == 303
    assert _record(client, campaign, amount="abc").status_code == 422
    assert service.raised_by_currency(campaign.id)["EUR"].amount == Decimal("100.00")
    assert service.pledged_by_currency(campaign.id)["EUR"].amount == Decimal("50.00")

    page = client.get(f"/en/c/{campaign.slug}").get_data(as_text=True)
    assert 'data-raised="100.00"' in page
    assert "Bank Donor" in page and "Pledger" not in page  # pledges are not on the wall
    assert "Pledged, not yet received" in page

    console = _console(client, campaign).get_data(as_text=True)
    assert "offline" in console and "2026-11" in console

    pledge = db.session.scalar(select(Donation).where(Donation.status == "pledged"))
    client.post(f"/organize/c/{campaign.slug}/donations/{pledge.id}/received",
                data={"csrf_token": csrf_from(console)})
    assert service.raised_by_currency(campaign.id)["EUR"].amount == Decimal("150.00")


def test_csv_export_filters_and_neutralises_formulas(client, stripe_app):
    campaign = make_campaign()
    user, password = make_user(campaigns=[campaign])
    login(client, user.email, password)
    _record(client, campaign, amount="10", donor_name="=HYPERLINK(\"http://evil\")",
            note="+cmd", public="y")
    stripe = make_donation(campaign, amount="25", donor_name="-2+3", public=True)
    post_event(client, event("checkout.session.completed",
                             session_completed(stripe, amount_minor=2500, payment_intent="pi_c")))
    post_event(client, event("charge.refunded", {
        "id": "ch_c", "payment_intent": "pi_c", "amount": 2500, "amount_refunded": 2500,
        "currency": "eur", "metadata": {}}))

    response = client.get(f"/organize/c/{campaign.slug}/donations.csv")
    assert response.status_code == 200 and response.mimetype == "text/csv"
    rows = list(csv.DictReader(io.StringIO(response.get_data(as_text=True))))
    by_channel = {row["channel"]: row for row in rows}
    assert by_channel["offline"]["donor_name"] == "'=HYPERLINK(\"http://evil\")"
    assert by_channel["offline"]["note"] == "'+cmd"
    assert by_channel["stripe"]["donor_name"] == "'-2+3"
    assert by_channel["stripe"]["status"] == "refunded"
    assert by_channel["stripe"]["refunded"] == "25.00"
    assert by_channel["stripe"]["received_net"] == "0.00"

    only_offline = client.get(f"/organize/c/{campaign.slug}/donations.csv?channel=offline")
    rows = list(csv.DictReader(io.StringIO(only_offline.get_data(as_text=True))))
    assert [row["channel"] for row in rows] == ["offline"]
    refunded_page = _console(client, campaign, "?status=refunded").get_data(as_text=True)
    assert 'data-status="refunded"' in refunded_page
    assert 'data-status="paid"' not in refunded_page


def test_goal_progress_converts_only_at_organizer_rates_and_says_so(client, app):
    campaign = make_campaign()
    user, password = make_user(campaigns=[campaign])
    login(client, user.email, password)
    page = _console(client, campaign).get_data(as_text=True)
    response = client.post(f"/organize/c/{campaign.slug}/donations/settings", data={
        "csrf_token": csrf_from(page), "currencies": ["EUR", "USD", "KZT"],
        "goal_amount": "1000", "goal_currency": "EUR", "rates": "USD 0.90",
        "offline_instructions": "IBAN FR00 1111"})
    assert response.status_code == 303
    _record(client, campaign, amount="100")
    _record(client, campaign, amount="100", currency="USD")
    _record(client, campaign, amount="50000", currency="KZT")
    progress = service.progress(campaign.id)
    assert progress.counted == service.Money("190.00", "EUR")
    assert progress.percent == 19
    assert progress.not_counted == [service.Money("50000.00", "KZT")]
    html = client.get(f"/en/c/{campaign.slug}").get_data(as_text=True)
    assert 'data-raised="190.00"' in html and "1 USD = 0.90 EUR" in html
    assert "not counted towards the goal" in html

    bad = client.post(f"/organize/c/{campaign.slug}/donations/settings", data={
        "csrf_token": csrf_from(page), "currencies": ["EUR"], "goal_currency": "EUR",
        "rates": "USD lots"})
    assert bad.status_code == 422


def test_cli_totals(app):
    campaign = make_campaign(slug="cli-fund")
    service.record_offline(campaign, amount=service.Money("12.5", "GBP"), received=True,
                           donor_name=None, public=False, note=None)
    result = app.test_cli_runner().invoke(args=["donations", "totals", "cli-fund"])
    assert result.exit_code == 0 and "raised\t12.50 GBP" in result.output

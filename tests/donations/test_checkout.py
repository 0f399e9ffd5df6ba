from decimal import Decimal

from sqlalchemy import func, select

from campaign.donations import service
from campaign.donations.models import Donation
from campaign.extensions import db
from tests.conftest import csrf_from
from tests.factories import make_campaign


def _donate(client, campaign, lang="en", currency=None, **fields):
    query = f"?currency={currency}" if currency else ""
    page = client.get(f"/{lang}/c/{campaign.slug}/donate{query}")
    assert page.status_code == 200
    data = {"csrf_token": csrf_from(page.get_data(as_text=True)), "frequency": "one_time"}
    if currency:
        data["currency"] = currency
    data.update(fields)
    return client.post(f"/{lang}/c/{campaign.slug}/donate{query}", data=data)


def _donation_count():
    return db.session.scalar(select(func.count()).select_from(Donation))


def test_one_time_checkout_sends_amount_currency_mode_metadata_and_idempotency_key(
        client, stripe_app, fake_stripe):
    campaign = make_campaign(locales=("en", "ru"))
    response = _donate(client, campaign, lang="ru", amount="25", donor_name="Аида",
                       public="y")
    assert response.status_code == 303
    [sent] = fake_stripe.posts("/v1/checkout/sessions")
    donation = db.session.scalar(select(Donation))
    assert response.headers["Location"] == f"{fake_stripe.url}/c/pay/{donation.stripe_session_id}"
    form = sent["form"]
    assert form["mode"] == "payment"
    assert form["line_items[0][price_data][unit_amount]"] == "2500"
    assert form["line_items[0][price_data][currency]"] == "eur"
    assert form["metadata[donation_id]"] == str(donation.id)
    assert form["payment_intent_data[metadata][donation_id]"] == str(donation.id)
    assert form["locale"] == "ru"
    # Stripe fills in the session id, so the thank-you page can show a recorded gift (issue 14).
    assert form["success_url"] == (f"http://campaign.test/ru/c/{campaign.slug}/donate/thanks"
                                   "?session_id={CHECKOUT_SESSION_ID}")
    assert form["cancel_url"].startswith(f"http://campaign.test/ru/c/{campaign.slug}/donate")
    assert sent["headers"]["Idempotency-Key"] == f"donation-{donation.id}-checkout"
    assert sent["headers"]["Authorization"] == "Bearer sk_test_fake"
    # A pending row exists, but nothing is counted until Stripe's webhook says so.
    assert (donation.status, donation.amount, donation.currency) == ("pending", Decimal(25),
                                                                     "EUR")
    assert donation.public and donation.donor_name == "Аида" and donation.locale == "ru"
    assert service.raised_by_currency(campaign.id) == {}


def test_monthly_custom_amount_in_kzt_is_a_subscription_with_a_recurring_price(
        client, stripe_app, fake_stripe):
    campaign = make_campaign(locales=("kk",))
    response = _donate(client, campaign, lang="kk", currency="KZT", amount="other",
                       custom_amount="7 500", frequency="monthly")
    assert response.status_code == 303
    form = fake_stripe.posts("/v1/checkout/sessions")[0]["form"]
    assert form["mode"] == "subscription"
    assert form["line_items[0][price_data][unit_amount]"] == "750000"  # KZT has 2 decimals
    assert form["line_items[0][price_data][currency]"] == "kzt"
    assert form["line_items[0][price_data][recurring][interval]"] == "month"
    donation = db.session.scalar(select(Donation))
    assert form["subscription_data[metadata][donation_id]"] == str(donation.id)
    assert form["locale"] == "auto"  # Stripe Checkout has no Kazakh
    assert donation.kind == "monthly"


def test_chinese_pages_open_checkout_in_chinese(client, stripe_app, fake_stripe):
    campaign = make_campaign()
    assert _donate(client, campaign, lang="zh", amount="50").status_code == 303
    assert fake_stripe.posts("/v1/checkout/sessions")[0]["form"]["locale"] == "zh"


def test_amounts_the_server_does_not_allow_are_refused_before_stripe(
        client, stripe_app, fake_stripe):
    campaign = make_campaign()
    cases = [
        {"amount": "other", "custom_amount": "0.50"},          # below the EUR minimum
        {"amount": "other", "custom_amount": "20000"},         # above the maximum
        {"amount": "other", "custom_amount": "12.345"},        # finer than cents
        {"amount": "other", "custom_amount": "=1+1"},          # not a number
        {"amount": "999999"},                               # a preset that was never offered
        {"amount": "25", "currency": "JPY"},                   # a currency not enabled
        {"amount": "25", "frequency": "weekly"},
        {"amount": "25", "public": "y"},                       # public without a name
    ]
    for fields in cases:
        currency = fields.pop("currency", None)
        page = client.get(f"/en/c/{campaign.slug}/donate")
        data = {"csrf_token": csrf_from(page.get_data(as_text=True)), "frequency": "one_time",
                **fields}
        if currency:
            data["currency"] = currency
        response = client.post(f"/en/c/{campaign.slug}/donate", data=data)
        assert response.status_code == 422, fields
        assert "Please" in response.get_data(as_text=True)
    assert fake_stripe.requests == []
    assert _donation_count() == 0


def test_below_minimum_says_the_allowed_range(client, stripe_app, fake_stripe):
    campaign = make_campaign()
    response = _donate(client, campaign, amount="other", custom_amount="0.50")
    assert response.status_code == 422
    assert "between €1.00 and €10,000.00" in response.get_data(as_text=True)


def test_jpy_zero_decimal_amounts_reach_stripe_unscaled(client, stripe_app, fake_stripe):
    campaign = make_campaign()
    service.save_settings(campaign.id, currencies=["JPY", "EUR"], goal_amount=None,
                          goal_currency="JPY", rates={}, offline_instructions="")
    assert _donate(client, campaign, currency="JPY", amount="3000").status_code == 303
    form = fake_stripe.posts("/v1/checkout/sessions")[0]["form"]
    assert (form["line_items[0][price_data][unit_amount]"],
            form["line_items[0][price_data][currency]"]) == ("3000", "jpy")


def test_stripe_failure_charges_nothing_and_says_so(client, stripe_app, fake_stripe):
    campaign = make_campaign()
    fake_stripe.fail_with = 400
    response = _donate(client, campaign, amount="25")
    assert response.status_code == 503
    assert "Card payments are not available right now" in response.get_data(as_text=True)
    donation = db.session.scalar(select(Donation))
    assert donation.status == "failed" and donation.stripe_session_id is None


def test_success_page_records_no_money(client, stripe_app, fake_stripe):
    campaign = make_campaign()
    _donate(client, campaign, amount="25")
    response = client.get(f"/en/c/{campaign.slug}/donate/thanks?session_id=cs_test_1")
    assert response.status_code == 200
    assert "receipt" in response.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.scalar(select(Donation)).status == "pending"
    assert service.raised_by_currency(campaign.id) == {}


def test_without_stripe_keys_the_page_explains_offline_ways(client, app):
    campaign = make_campaign()
    service.save_settings(campaign.id, currencies=["EUR"], goal_amount=None,
                          goal_currency="EUR", rates={},
                          offline_instructions="IBAN KZ00 1234 5678\nKaspi Bank")
    page = client.get(f"/en/c/{campaign.slug}/donate")
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    assert "IBAN KZ00 1234 5678" in html and "Card payments are not set up" in html
    assert "Continue to secure payment" not in html
    # The campaign page links to it, and a forged POST starts nothing.
    campaign_page = client.get(f"/en/c/{campaign.slug}").get_data(as_text=True)
    assert f"/en/c/{campaign.slug}/donate" in campaign_page
    response = client.post(f"/en/c/{campaign.slug}/donate", data={
        "csrf_token": csrf_from(campaign_page), "amount": "25", "frequency": "one_time"})
    assert response.status_code == 503
    assert _donation_count() == 0


def test_site_wide_offline_instructions_apply_when_the_campaign_has_none(client, app):
    app.config["DONATION_OFFLINE_INSTRUCTIONS"] = "Bank: Example Bank, IBAN DE00 0000"
    campaign = make_campaign()
    html = client.get(f"/de/c/{campaign.slug}/donate").get_data(as_text=True)
    assert "IBAN DE00 0000" in html


def test_donate_page_of_unknown_or_draft_campaign_is_404(client, app):
    draft = make_campaign(status="draft")
    assert client.get("/en/c/nope/donate").status_code == 404
    assert client.get(f"/en/c/{draft.slug}/donate").status_code == 404


def test_donate_and_campaign_pages_render_in_every_language(client, stripe_app):
    campaign = make_campaign()
    service.record_offline(campaign, amount=service.Money("5000", "KZT"), received=True,
                           donor_name="Donor", public=True, note=None)
    for lang in ("en", "ru", "kk", "ky", "zh", "fr", "de", "dng"):
        donate = client.get(f"/{lang}/c/{campaign.slug}/donate?currency=KZT")
        assert donate.status_code == 200, lang
        assert 'value="2000"' in donate.get_data(as_text=True)  # KZT presets
        page = client.get(f"/{lang}/c/{campaign.slug}").get_data(as_text=True)
        assert 'data-raised="5000.00"' in page and "Donor" in page, lang

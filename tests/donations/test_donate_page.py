"""The donate page speaks money in the reader's locale, starts on one amount, and defaults the
currency by language where the campaign offers it."""
import re

from campaign.donations import service
from tests.factories import make_campaign

NBSP = "\u00a0"


def offering(campaign, currencies):
    service.save_settings(campaign.id, currencies=currencies, goal_amount=None,
                          goal_currency=currencies[0], rates={}, offline_instructions="")


def amounts(page):
    labels = re.findall(r'<label class="choice"><input[^>]*name="amount"[^>]*> ([^<]+)</label>',
                        page)
    checked = re.findall(r'<input[^>]*checked[^>]*name="amount"[^>]*value="(\w+)"|'
                         r'<input[^>]*name="amount"[^>]*value="(\w+)"[^>]*checked', page)
    return labels, [a or b for a, b in checked]


def test_kazakh_readers_start_in_tenge_with_money_in_their_format(client, stripe_app):
    campaign = make_campaign(locales=("en", "kk"))
    offering(campaign, ["EUR", "KZT"])
    page = client.get(f"/kk/c/{campaign.slug}/donate").get_data(as_text=True)
    labels, checked = amounts(page)
    assert f"5{NBSP}000{NBSP}₸" in labels and f"2{NBSP}000{NBSP}₸" in labels
    assert checked == ["5000"]                       # one amount preselected
    assert 'name="currency" value="KZT"' in page


def test_english_readers_get_the_campaigns_currency_as_money(client, stripe_app):
    campaign = make_campaign(locales=("en", "ru", "de"))
    offering(campaign, ["EUR", "KZT"])
    labels, checked = amounts(client.get(f"/en/c/{campaign.slug}/donate").get_data(
        as_text=True))
    assert labels[:4] == ["€10", "€25", "€50", "€100"] and checked == ["25"]
    ru = client.get(f"/ru/c/{campaign.slug}/donate").get_data(as_text=True)
    assert 'name="currency" value="EUR"' in ru      # ru: the campaign's own choice
    labels, _checked = amounts(client.get(f"/de/c/{campaign.slug}/donate").get_data(
        as_text=True))
    assert f"25{NBSP}€" in labels


def test_kazakh_without_tenge_offered_keeps_the_campaigns_currency(client, stripe_app):
    campaign = make_campaign(locales=("en", "kk"))
    offering(campaign, ["USD"])
    page = client.get(f"/kk/c/{campaign.slug}/donate").get_data(as_text=True)
    assert 'name="currency" value="USD"' in page


def test_a_posted_amount_is_kept_not_replaced_by_the_preset(client, stripe_app, fake_stripe):
    from tests.conftest import csrf_from

    campaign = make_campaign()
    offering(campaign, ["EUR"])
    page = client.get(f"/en/c/{campaign.slug}/donate").get_data(as_text=True)
    response = client.post(f"/en/c/{campaign.slug}/donate", data={
        "csrf_token": csrf_from(page), "currency": "EUR", "amount": "100",
        "frequency": "one_time"})
    assert response.status_code == 303
    [sent] = fake_stripe.posts("/v1/checkout/sessions")
    assert sent["form"]["line_items[0][price_data][unit_amount]"] == "10000"


def test_totals_are_one_sentence_per_currency(client, app):
    from decimal import Decimal

    from campaign.donations.money import Money

    campaign = make_campaign(locales=("en", "kk"))
    offering(campaign, ["EUR", "KZT"])
    app.config["DONATION_OFFLINE_INSTRUCTIONS"] = "IBAN KZ00 0000"
    for amount, currency in (("25", "EUR"), ("5000", "KZT"), ("10", "EUR")):
        service.record_offline(campaign, amount=Money(Decimal(amount), currency), received=True,
                               donor_name=None, public=False, note=None, received_on=None)
    page = client.get(f"/kk/c/{campaign.slug}").get_data(as_text=True)
    sentences = re.findall(
        r'<p class="count" data-raised="[^"]+" data-currency="(\w+)">([^<]+)</p>', page)
    assert [currency for currency, _text in sentences] == ["EUR", "KZT"]
    assert sentences[0][1] == f"Бүгінге дейін жиналды: 35,00{NBSP}€."
    assert sentences[1][1] == f"Бүгінге дейін жиналды: 5{NBSP}000,00{NBSP}₸."
    assert all(text.strip().endswith(".") for _c, text in sentences)

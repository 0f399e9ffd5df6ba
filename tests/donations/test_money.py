from decimal import Decimal

import pytest

from campaign.donations.money import (
    CurrencyMismatch,
    InvalidAmount,
    Money,
    exponent,
    from_minor,
    to_minor,
)


def test_adding_two_currencies_is_refused():
    assert Money("10", "EUR") + Money("2.50", "EUR") == Money(Decimal("12.50"), "EUR")
    with pytest.raises(CurrencyMismatch):
        Money("10", "EUR") + Money("10", "USD")
    with pytest.raises(CurrencyMismatch):
        assert Money("10", "EUR") < Money("10", "KZT")


@pytest.mark.parametrize("amount, currency, minor", [
    ("25.50", "EUR", 2550), ("7500", "KZT", 750000), ("1000", "JPY", 1000),
    ("12.345", "BHD", 12345), ("0.01", "USD", 1),
])
def test_minor_units_follow_stripe_currency_exponents(amount, currency, minor):
    money = Money(amount, currency)
    assert to_minor(money) == minor
    assert from_minor(minor, currency) == money.rounded()


def test_kzt_is_two_decimal_and_jpy_zero_decimal():
    assert exponent("KZT") == 2 and exponent("JPY") == 0 and exponent("eur") == 2


def test_parse_accepts_what_people_type_and_refuses_the_rest():
    assert Money.parse(" 25,50 ", "EUR").amount == Decimal("25.50")
    assert Money.parse("5 000", "KZT").amount == Decimal("5000.00")
    assert Money.parse("1000", "JPY").amount == Decimal(1000)
    for bad, currency in [("25.555", "EUR"), ("100.5", "JPY"), ("-5", "EUR"), ("0", "EUR"),
                          ("abc", "EUR"), ("NaN", "EUR"), ("Infinity", "EUR"), ("", "EUR"),
                          ("1e400", "EUR")]:
        with pytest.raises(InvalidAmount):
            Money.parse(bad, currency)

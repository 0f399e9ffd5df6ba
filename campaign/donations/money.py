"""Money: a Decimal amount in one currency, and the currencies the site knows.

Amounts are Decimals in the currency's major unit everywhere in the application; only the
Stripe boundary (gateway.py) converts to and from Stripe's integer minor units, with
`to_minor`/`from_minor` here (the Liberapay pattern). Adding two currencies is refused.
"""
from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import cast

# Stripe's zero-decimal currencies (docs.stripe.com/currencies#zero-decimal): an amount of
# 500 JPY is sent as 500, not 50000.
ZERO_DECIMAL = frozenset({
    "BIF", "CLP", "DJF", "GNF", "JPY", "KMF", "KRW", "MGA", "PYG", "RWF", "UGX", "VND",
    "VUV", "XAF", "XOF", "XPF",
})
# Three-decimal currencies (docs.stripe.com/currencies#three-decimal).
THREE_DECIMAL = frozenset({"BHD", "JOD", "KWD", "OMR", "TND"})
# KZT is an ordinary two-decimal currency for Stripe (it is in neither list above).


def exponent(currency: str) -> int:
    """Digits after the decimal point in Stripe's minor unit for `currency`."""
    currency = currency.upper()
    if currency in ZERO_DECIMAL:
        return 0
    if currency in THREE_DECIMAL:
        return 3
    return 2


class CurrencyMismatch(ValueError):
    """Two amounts in different currencies were combined."""


class InvalidAmount(ValueError):
    """Not a number, negative where it may not be, or finer than the currency allows."""


@dataclass(frozen=True, order=False)
class Money:
    amount: Decimal
    currency: str

    def __post_init__(self) -> None:
        if not isinstance(self.amount, Decimal):
            object.__setattr__(self, "amount", Decimal(str(self.amount)))
        object.__setattr__(self, "currency", self.currency.upper())

    @classmethod
    def zero(cls, currency: str) -> Money:
        return cls(Decimal(0), currency)

    @classmethod
    def parse(cls, text: str, currency: str) -> Money:
        """An amount typed by a person: "25", "25.50" or "25,50"; at most the currency's
        decimals. Raises InvalidAmount."""
        cleaned = (text or "").strip().replace("\u00a0", "").replace(" ", "")
        if cleaned.count(",") == 1 and "." not in cleaned:
            cleaned = cleaned.replace(",", ".")
        try:
            amount = Decimal(cleaned)
        except InvalidOperation as exc:
            raise InvalidAmount(text) from exc
        # Far above any limit, but keeps quantize() within Decimal's precision.
        if not amount.is_finite() or amount <= 0 or amount >= Decimal("1e12"):
            raise InvalidAmount(text)
        if cast(int, amount.as_tuple().exponent) < -exponent(currency):  # finite: an int
            raise InvalidAmount(text)
        return cls(amount, currency).rounded()

    def rounded(self) -> Money:
        quantum = Decimal(1).scaleb(-exponent(self.currency))
        return Money(self.amount.quantize(quantum, rounding=ROUND_HALF_UP), self.currency)

    def _check(self, other: object) -> None:
        if not isinstance(other, Money):
            raise TypeError(f"cannot combine Money with {type(other).__name__}")
        if other.currency != self.currency:
            raise CurrencyMismatch(f"{self.currency} and {other.currency}")

    def __add__(self, other: Money) -> Money:
        self._check(other)
        return Money(self.amount + other.amount, self.currency)

    def __sub__(self, other: Money) -> Money:
        self._check(other)
        return Money(self.amount - other.amount, self.currency)

    def __lt__(self, other: Money) -> bool:
        self._check(other)
        return self.amount < other.amount

    def __le__(self, other: Money) -> bool:
        self._check(other)
        return self.amount <= other.amount

    def __gt__(self, other: Money) -> bool:
        self._check(other)
        return self.amount > other.amount

    def __ge__(self, other: Money) -> bool:
        self._check(other)
        return self.amount >= other.amount

    def __bool__(self) -> bool:
        return bool(self.amount)

    def convert(self, rate: Decimal, currency: str) -> Money:
        """This amount in `currency` at `rate` (units of `currency` per unit of this one)."""
        return Money(self.amount * Decimal(rate), currency).rounded()

    def __str__(self) -> str:
        return f"{self.rounded().amount} {self.currency}"


def to_minor(money: Money) -> int:
    """Stripe's integer amount in minor units. Only the Stripe boundary calls this."""
    scaled = money.rounded().amount.scaleb(exponent(money.currency))
    return int(scaled)


def from_minor(minor: int, currency: str) -> Money:
    """A Money from Stripe's integer minor units. Only the Stripe boundary calls this."""
    return Money(Decimal(int(minor)).scaleb(-exponent(currency)), currency).rounded()


# Per-currency bounds of one donation, enforced on the server (the browser's amount is never
# trusted further). The minimums sit above Stripe's own minimum charge amounts.
LIMITS: dict[str, tuple[Decimal, Decimal]] = {
    "EUR": (Decimal(1), Decimal(10000)),
    "USD": (Decimal(1), Decimal(10000)),
    "GBP": (Decimal(1), Decimal(10000)),
    "CHF": (Decimal(1), Decimal(10000)),
    "KZT": (Decimal(500), Decimal(5000000)),
    "KGS": (Decimal(100), Decimal(1000000)),
    "RUB": (Decimal(100), Decimal(1000000)),
    "JPY": (Decimal(100), Decimal(1500000)),
}
# Buttons offered on the donate page, per currency.
PRESETS: dict[str, tuple[int, ...]] = {
    "EUR": (10, 25, 50, 100), "USD": (10, 25, 50, 100), "GBP": (10, 25, 50, 100),
    "CHF": (10, 25, 50, 100), "KZT": (2000, 5000, 10000, 25000),
    "KGS": (500, 1000, 2500, 5000), "RUB": (500, 1000, 2500, 5000),
    "JPY": (1000, 3000, 5000, 10000),
}
SUPPORTED_CURRENCIES = tuple(LIMITS)


def limits(currency: str) -> tuple[Money, Money]:
    low, high = LIMITS[currency.upper()]
    return Money(low, currency), Money(high, currency)

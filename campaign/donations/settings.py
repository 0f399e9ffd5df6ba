"""A campaign's donation settings: currencies, goal, exchange rates, offline instructions."""
from __future__ import annotations

from decimal import Decimal

from flask import current_app

from ..extensions import db
from ..util import utcnow
from . import gateway as gateways
from .models import DonationSettings
from .money import SUPPORTED_CURRENCIES


def settings_for(campaign_id: int) -> DonationSettings:
    """The campaign's settings; an unsaved default row if the organizers set none yet."""
    settings = db.session.get(DonationSettings, campaign_id)
    if settings is None:
        default = current_app.config.get("DONATION_CURRENCIES") or "EUR,USD,GBP,KZT"
        currencies = ",".join(c for c in (x.strip().upper() for x in default.split(","))
                              if c in SUPPORTED_CURRENCIES)
        settings = DonationSettings(campaign_id=campaign_id, currencies=currencies,
                                    goal_currency=currencies.split(",")[0] or "EUR",
                                    rates={}, offline_instructions="")
    return settings


def save_settings(campaign_id: int, *, currencies: list[str], goal_amount: Decimal | None,
                  goal_currency: str, rates: dict[str, Decimal],
                  offline_instructions: str) -> DonationSettings:
    settings = db.session.get(DonationSettings, campaign_id)
    if settings is None:
        settings = DonationSettings(campaign_id=campaign_id)
        db.session.add(settings)
    new_rates = {code: str(rate) for code, rate in rates.items() if code != goal_currency}
    if new_rates != (settings.rates or {}) or goal_currency != settings.goal_currency:
        settings.rates_updated_at = utcnow()
    settings.currencies = ",".join(currencies)
    settings.goal_amount = goal_amount
    settings.goal_currency = goal_currency
    settings.rates = new_rates
    settings.offline_instructions = offline_instructions or ""
    db.session.commit()
    return settings


def stripe_enabled() -> bool:
    return gateways.get_gateway() is not None


def offline_instructions(settings: DonationSettings) -> str:
    """How to give without a card: the campaign's own text, else the site-wide one."""
    return (settings.offline_instructions or "").strip() or (
        current_app.config.get("DONATION_OFFLINE_INSTRUCTIONS") or "").strip()

"""What the campaign page, the console, the CSV export and the API show of the money."""
from __future__ import annotations

import calendar
from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal, InvalidOperation
from typing import Any, cast

from sqlalchemy import func, select

from ..extensions import db
from ..spreadsheet import csv_text
from .models import Donation, DonationPayment, DonationSettings
from .money import Money
from .settings import settings_for


def _sum_by_currency(rows: Iterable[tuple[str, Decimal | None]]) -> dict[str, Money]:
    totals: dict[str, Money] = {}
    for currency, amount in rows:
        money = Money(Decimal(str(amount or 0)), currency).rounded()
        totals[currency] = totals.get(currency, Money.zero(currency)) + money
    return totals


def raised_by_currency(campaign_id: int) -> dict[str, Money]:
    """Money received, net of refunds, per currency (Stripe and offline)."""
    return _sum_by_currency(db.session.execute(
        select(DonationPayment.currency,
               func.sum(DonationPayment.amount - DonationPayment.refunded_amount))
        .where(DonationPayment.campaign_id == campaign_id)
        .group_by(DonationPayment.currency)).all())


def pledged_by_currency(campaign_id: int) -> dict[str, Money]:
    return _sum_by_currency(db.session.execute(
        select(Donation.currency, func.sum(Donation.amount))
        .where(Donation.campaign_id == campaign_id, Donation.status == "pledged")
        .group_by(Donation.currency)).all())


@dataclass
class Progress:
    """Raised money towards the goal. Other currencies count only at a rate the organizers
    set; those without one are listed apart, not silently converted."""
    goal: Money | None
    counted: Money | None
    raised: dict[str, Money]
    pledged: dict[str, Money]
    converted: list[tuple[Money, Decimal]] = field(default_factory=list)
    not_counted: list[Money] = field(default_factory=list)
    rates_updated_at: datetime | None = None

    @property
    def percent(self) -> int:
        if not self.goal or not self.goal.amount or self.counted is None:
            return 0
        return min(100, int(self.counted.amount * 100 / self.goal.amount))


def progress(campaign_id: int) -> Progress:
    settings = settings_for(campaign_id)
    raised = raised_by_currency(campaign_id)
    pledged = pledged_by_currency(campaign_id)
    goal_currency = settings.goal_currency or "EUR"
    goal = Money(settings.goal_amount, goal_currency).rounded() \
        if settings.goal_amount else None
    counted = raised.get(goal_currency, Money.zero(goal_currency))
    converted, not_counted = [], []
    for currency, money in sorted(raised.items()):
        if currency == goal_currency or not money:
            continue
        rate = _rate(settings, currency)
        if rate is None:
            not_counted.append(money)
        else:
            counted = counted + money.convert(rate, goal_currency)
            converted.append((money, rate))
    return Progress(goal=goal, counted=counted, raised=raised, pledged=pledged,
                    converted=converted, not_counted=not_counted,
                    rates_updated_at=settings.rates_updated_at)


def _rate(settings: DonationSettings, currency: str) -> Decimal | None:
    raw = (settings.rates or {}).get(currency)
    try:
        rate = Decimal(str(raw)) if raw is not None else None
    except InvalidOperation:
        return None
    return rate if rate is not None and rate.is_finite() and rate > 0 else None


def donor_wall(campaign_id: int, limit: int = 50) -> list[str]:
    """Names of donors who agreed to be shown and whose gift was received (not refunded)."""
    received = select(DonationPayment.donation_id).where(
        DonationPayment.campaign_id == campaign_id,
        DonationPayment.refunded_amount < DonationPayment.amount)
    return list(db.session.scalars(
        select(Donation.donor_name)
        .where(Donation.campaign_id == campaign_id, Donation.public.is_(True),
               Donation.donor_name.is_not(None), Donation.id.in_(received))
        .order_by(Donation.created_at.desc(), Donation.id.desc()).limit(limit)))


@dataclass
class DonationFilter:
    status: str | None = None
    channel: str | None = None
    kind: str | None = None
    currency: str | None = None
    month: str | None = None  # YYYY-MM, by creation date


def _month_bounds(month: str) -> tuple[datetime, datetime] | None:
    try:
        year, number = (int(part) for part in month.split("-"))
        start = datetime(year, number, 1)
    except (ValueError, TypeError):
        return None
    days = calendar.monthrange(year, number)[1]
    return start, datetime(year, number, days, 23, 59, 59, 999999)


def list_donations(campaign_id: int, flt: DonationFilter | None = None) -> list[Donation]:
    flt = flt or DonationFilter()
    query = select(Donation).where(Donation.campaign_id == campaign_id)
    for column, value in ((Donation.status, flt.status), (Donation.channel, flt.channel),
                          (Donation.kind, flt.kind), (Donation.currency, flt.currency)):
        if value:
            query = query.where(column == value)
    if flt.month and (bounds := _month_bounds(flt.month)):
        query = query.where(Donation.created_at.between(*bounds))
    return list(db.session.scalars(query.order_by(Donation.created_at.desc(),
                                                  Donation.id.desc())))


def monthly_totals(campaign_id: int) -> list[tuple[str, dict[str, Money]]]:
    """Net money received per month and currency, newest month first."""
    by_month: dict[str, dict[str, Money]] = defaultdict(dict)
    for payment in db.session.scalars(select(DonationPayment).where(
            DonationPayment.campaign_id == campaign_id)):
        month = payment.received_at.strftime("%Y-%m")
        bucket = by_month[month]
        bucket[payment.currency] = bucket.get(
            payment.currency, Money.zero(payment.currency)) + payment.net
    return sorted(by_month.items(), reverse=True)


CSV_COLUMNS = ("id", "created_at", "kind", "channel", "status", "amount", "currency",
               "received_net", "refunded", "donor_name", "public", "email", "note")


def _csv_row(d: Donation) -> tuple[object, ...]:
    net = sum((p.net.amount for p in d.payments), Decimal(0))
    refunded = sum((p.refunded_amount or Decimal(0) for p in d.payments), Decimal(0))
    quantum = Decimal(1).scaleb(cast(int, d.money.amount.as_tuple().exponent))  # finite
    return (d.id, d.created_at.isoformat(timespec="seconds"), d.kind, d.channel, d.status,
            d.money.amount, d.currency, net.quantize(quantum), refunded.quantize(quantum),
            d.donor_name, "yes" if d.public else "no", d.email, d.note)


DONATION_EXPORT_COLUMNS = CSV_COLUMNS


def donation_export_rows(donations: list[Donation]) -> Iterator[tuple[object, ...]]:
    """Rows of the console's CSV and XLSX exports (spreadsheet.py defuses formulas)."""
    return (_csv_row(d) for d in donations)


def donations_csv(donations: list[Donation]) -> str:
    """The console's export (spreadsheet.py defuses formulas in names and notes)."""
    return csv_text(CSV_COLUMNS, (_csv_row(d) for d in donations))


def osdi_donations(campaign_id: int, after_id: int, limit: int) -> list[dict[str, Any]]:
    """A page of donations shaped as OSDI donations, for the organizer API (ascending ids)."""
    donations = db.session.scalars(
        select(Donation).where(Donation.campaign_id == campaign_id, Donation.id > after_id)
        .order_by(Donation.id).limit(limit)).all()
    return [{
        "id": donation.id,
        "identifiers": [f"korday:donation-{donation.id}"],
        "created_date": donation.created_at.isoformat() + "Z",
        "amount": str(donation.money.amount),
        "currency": donation.currency,
        "status": donation.status,
        "channel": donation.channel,
        "recurrence": {"recurring": donation.kind == "monthly",
                       **({"period": "Monthly"} if donation.kind == "monthly" else {})},
        "payment": {"method": "Credit Card" if donation.channel == "stripe" else "Offline"},
        "donor": {"given_name": donation.donor_name, "email": donation.email},
        "public": donation.public,
        "refunded_amount": str(sum((p.refunded_amount or Decimal(0) for p in donation.payments),
                                   Decimal(0))),
    } for donation in donations]

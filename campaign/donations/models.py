"""Donations, the payments that settle them, each campaign's donation settings, and the
Stripe events already handled.

A Donation is the donor's intent (one-time or monthly); a DonationPayment is money actually
received (one per one-time payment, one per paid invoice of a monthly donation, or one per
offline gift). Only payments count towards the raised total, and only webhooks (or an
organizer recording an offline gift) create them.
"""
from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    CheckConstraint,
    ForeignKey,
    Index,
    Numeric,
    String,
    Text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import Model
from ..util import utcnow
from .money import Money

# Enough for every currency's minor unit (three decimals at most) and big amounts.
AMOUNT = Numeric(18, 3, asdecimal=True)

DONATION_STATUSES = ("pending", "paid", "active", "failed", "refunded", "canceled",
                     "pledged")
KINDS = ("one_time", "monthly")
CHANNELS = ("stripe", "offline")


class DonationSettings(Model):
    """Per-campaign donation settings, kept here so campaigns need not know of donations."""

    __tablename__ = "donation_settings"

    campaign_id: Mapped[int] = mapped_column(
        ForeignKey("campaigns.id", ondelete="CASCADE"), primary_key=True)
    currencies: Mapped[str] = mapped_column(String(80), default="EUR,USD,GBP,KZT")
    goal_amount: Mapped[Decimal | None] = mapped_column(AMOUNT)
    goal_currency: Mapped[str] = mapped_column(String(3), default="EUR")
    # {"USD": "0.92"}: units of goal_currency per unit of USD, set by the organizers.
    rates: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    rates_updated_at: Mapped[datetime | None]
    offline_instructions: Mapped[str] = mapped_column(Text, default="")
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    @property
    def currency_list(self) -> list[str]:
        return [c for c in (self.currencies or "").split(",") if c]


class Donation(Model):
    __tablename__ = "donations"
    __table_args__ = (
        CheckConstraint("status IN ('pending', 'paid', 'active', 'failed', 'refunded', "
                        "'canceled', 'pledged')", name="status"),
        CheckConstraint("kind IN ('one_time', 'monthly')", name="kind"),
        CheckConstraint("channel IN ('stripe', 'offline')", name="channel"),
        CheckConstraint("amount > 0", name="amount_positive"),
        Index("ix_donations_campaign_created", "campaign_id", "created_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    campaign_id: Mapped[int] = mapped_column(ForeignKey("campaigns.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(10), default="one_time")
    channel: Mapped[str] = mapped_column(String(10), default="stripe")
    status: Mapped[str] = mapped_column(String(10), default="pending")
    amount: Mapped[Decimal] = mapped_column(AMOUNT)
    currency: Mapped[str] = mapped_column(String(3))
    donor_name: Mapped[str | None] = mapped_column(String(120))
    public: Mapped[bool] = mapped_column(Boolean, default=False)  # consents to the donor wall
    email: Mapped[str | None] = mapped_column(String(254))
    locale: Mapped[str] = mapped_column(String(8), default="en")
    note: Mapped[str | None] = mapped_column(Text)  # organizers' note on offline gifts
    stripe_session_id: Mapped[str | None] = mapped_column(String(255), unique=True)
    stripe_customer_id: Mapped[str | None] = mapped_column(String(255))
    stripe_subscription_id: Mapped[str | None] = mapped_column(String(255), unique=True)
    # Facts from events; the status is derived from them, so their order does not matter.
    completed_at: Mapped[datetime | None]
    failed_at: Mapped[datetime | None]
    canceled_at: Mapped[datetime | None]
    failure_reason: Mapped[str | None] = mapped_column(String(80))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    payments: Mapped[list[DonationPayment]] = relationship(
        back_populates="donation", cascade="all, delete-orphan", lazy="selectin",
        order_by="DonationPayment.id")

    @property
    def money(self) -> Money:
        return Money(self.amount, self.currency).rounded()


class DonationPayment(Model):
    """Money received for a donation (refunds reduce it; they never delete it)."""

    __tablename__ = "donation_payments"
    __table_args__ = (
        CheckConstraint("amount > 0", name="amount_positive"),
        CheckConstraint("refunded_amount >= 0", name="refunded_positive"),
        Index("ix_donation_payments_campaign_received", "campaign_id", "received_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    donation_id: Mapped[int] = mapped_column(ForeignKey("donations.id", ondelete="CASCADE"),
                                             index=True)
    campaign_id: Mapped[int] = mapped_column(ForeignKey("campaigns.id", ondelete="CASCADE"))
    channel: Mapped[str] = mapped_column(String(10), default="stripe")
    amount: Mapped[Decimal] = mapped_column(AMOUNT)
    refunded_amount: Mapped[Decimal] = mapped_column(AMOUNT, default=Decimal(0))
    currency: Mapped[str] = mapped_column(String(3))
    stripe_payment_intent_id: Mapped[str | None] = mapped_column(String(255), unique=True)
    stripe_invoice_id: Mapped[str | None] = mapped_column(String(255), unique=True)
    received_at: Mapped[datetime] = mapped_column(default=utcnow)
    refunded_at: Mapped[datetime | None]

    donation: Mapped[Donation] = relationship(back_populates="payments")

    @property
    def net(self) -> Money:
        return Money(self.amount - (self.refunded_amount or 0), self.currency).rounded()

    @property
    def fully_refunded(self) -> bool:
        return (self.refunded_amount or 0) >= self.amount


class StripeEvent(Model):
    """Each Stripe event id once: a retried or duplicated delivery finds its row and stops."""

    __tablename__ = "stripe_events"

    id: Mapped[str] = mapped_column(String(255), primary_key=True)
    type: Mapped[str] = mapped_column(String(80))
    created: Mapped[int | None]  # Stripe's own timestamp of the event
    received_at: Mapped[datetime] = mapped_column(default=utcnow)
    outcome: Mapped[str | None] = mapped_column(String(80))

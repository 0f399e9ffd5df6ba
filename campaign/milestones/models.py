from __future__ import annotations

from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from ..extensions import Model
from ..util import utcnow


class Milestone(Model):
    """A step of a campaign's count. `reached_at` is set once, by the one transaction whose
    conditional UPDATE claims it, which also queues the organizers' e-mail."""

    __tablename__ = "milestones"
    __table_args__ = (UniqueConstraint("campaign_id", "threshold"),
                      CheckConstraint("threshold > 0", name="threshold_positive"))

    id: Mapped[int] = mapped_column(primary_key=True)
    campaign_id: Mapped[int] = mapped_column(ForeignKey("campaigns.id", ondelete="CASCADE"))
    threshold: Mapped[int]
    reached_at: Mapped[datetime | None]


class GoalNote(Model):
    """What the organizers say when they raise the goal, per language of the page."""

    __tablename__ = "goal_notes"
    __table_args__ = (UniqueConstraint("campaign_id", "locale"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    campaign_id: Mapped[int] = mapped_column(ForeignKey("campaigns.id", ondelete="CASCADE"))
    locale: Mapped[str] = mapped_column(String(8))
    text: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

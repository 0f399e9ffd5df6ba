from sqlalchemy import ForeignKey
from sqlalchemy.orm import Mapped, mapped_column

from ..extensions import Model


class RetentionPolicy(Model):
    """How long after delivery a campaign keeps its signers' personal data."""

    __tablename__ = "retention_policies"

    campaign_id: Mapped[int] = mapped_column(
        ForeignKey("campaigns.id", ondelete="CASCADE"), primary_key=True)
    days_after_delivery: Mapped[int]

"""Every feature's models, imported in one place so Alembic and the mappers see them all."""
from .campaigns.models import Campaign, CampaignText, SignatureCounter  # noqa: F401
from .organizers.models import CampaignMember, User  # noqa: F401
from .outbox.models import OutboxMessage  # noqa: F401
from .petitions.models import Signature  # noqa: F401
from .privacy.models import RetentionPolicy  # noqa: F401

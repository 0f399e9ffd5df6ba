"""Every feature's models, imported in one place so Alembic and the mappers see them all."""
from .api.models import ApiKey  # noqa: F401
from .audit.models import AuditEntry  # noqa: F401
from .campaigns.models import Campaign, CampaignText, SignatureCounter  # noqa: F401
from .donations.models import Donation, DonationPayment, DonationSettings, StripeEvent  # noqa: F401
from .letters.models import CampaignTarget, Delivery, Letter, LetterTemplate, Reply  # noqa: F401
from .milestones.models import GoalNote, Milestone  # noqa: F401
from .organizers.models import CampaignMember, CampaignUpdate, ImportBatch, User  # noqa: F401
from .outbox.models import MailBounce, MailSuppression, OutboxAttachment, OutboxMessage  # noqa: F401
from .petitions.models import Signature  # noqa: F401
from .privacy.models import RetentionPolicy  # noqa: F401
from .sources.models import MapSettings, Partner  # noqa: F401
from .targets.models import Target  # noqa: F401
from .widget.models import WidgetSettings  # noqa: F401

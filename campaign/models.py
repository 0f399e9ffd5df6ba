"""Every feature's models, imported in one place so Alembic and the mappers see them all."""
from .abuse.models import LimitSettings  # noqa: F401
from .api.models import ApiKey  # noqa: F401
from .audit.models import AuditEntry  # noqa: F401
from .campaigns.models import (  # noqa: F401
    Campaign,
    CampaignImage,
    CampaignText,
    SignatureCounter,
)
from .donations.models import Donation, DonationPayment, DonationSettings, StripeEvent  # noqa: F401
from .letters.models import (  # noqa: F401
    CampaignTarget,
    Delivery,
    DossierJob,
    Letter,
    LetterTemplate,
    Reply,
)
from .milestones.models import GoalNote, Milestone  # noqa: F401
from .organization.models import Organization  # noqa: F401
from .organizers.models import (  # noqa: F401
    CampaignMember,
    CampaignUpdate,
    CampaignUpdateRecipient,
    ImportBatch,
    RecoveryCode,
    User,
)
from .outbox.models import MailBounce, MailSuppression, OutboxAttachment, OutboxMessage  # noqa: F401
from .petitions.models import (  # noqa: F401
    PetitionSettings,
    Signature,
    SignatureField,
    SignatureFieldValue,
)
from .privacy.models import RetentionPolicy  # noqa: F401
from .sources.models import MapSettings, Partner  # noqa: F401
from .targets.models import Target  # noqa: F401
from .widget.models import WidgetSettings  # noqa: F401

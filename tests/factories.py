"""One factory per model: the least a test must say to get a valid row."""
from __future__ import annotations

import itertools

from campaign.campaigns import service as campaigns
from campaign.extensions import db
from campaign.petitions import service as petitions
from campaign.petitions.models import Signature

_counter = itertools.count(1)


def make_campaign(slug: str | None = None, *, status: str = "live", goal: int = 100,
                  locales=("en",), **kwargs):
    slug = slug or f"campaign-{next(_counter)}"
    campaign = campaigns.create_campaign(slug, goal=goal, default_locale=locales[0],
                                         status=status, **kwargs)
    for locale in locales:
        campaigns.set_text(campaign, locale, title=f"Title {slug} {locale}",
                           summary=f"Summary {locale}", body_markdown=f"Body **{locale}**")
    db.session.commit()
    return campaign


def make_signature(campaign, *, email: str | None = None, confirmed: bool = True,
                   **kwargs) -> Signature:
    number = next(_counter)
    # Tests find signers on pages by name, so the factory shows full names unless told; the
    # product's default (first name and initials) is tested in tests/petitions/
    # test_signer_display.py.
    kwargs.setdefault("display", "full")
    data = petitions.SignatureInput(
        full_name=kwargs.pop("full_name", f"Signer {number}"),
        email=email or f"signer{number}@example.org",
        country=kwargs.pop("country", "KZ"), locale=kwargs.pop("locale", "en"), **kwargs)
    petitions.sign(campaign, data)
    signature = db.session.scalar(db.select(Signature).where(
        Signature.campaign_id == campaign.id).order_by(Signature.id.desc()))
    if confirmed:
        petitions.confirm(petitions.signature_token("confirm", signature))
    return signature


def make_user(*, role: str = "organizer", campaigns=(), email: str | None = None,
              password: str = "correct horse battery staple"):
    from campaign.organizers import service as organizers

    user, password = organizers.create_user(
        email or f"user{next(_counter)}@example.org", role=role, password=password)
    for campaign in campaigns:
        organizers.add_member(campaign.id, user.id)
    db.session.commit()
    return user, password

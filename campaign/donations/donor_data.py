"""A donor's own data: the privacy page's copy and deletion (a privacy data source)."""
from __future__ import annotations

from typing import Any

from sqlalchemy import func, or_, select

from ..addresses import domain_variants, has_key
from ..extensions import db
from .models import Donation


def donations_of(email_key: str) -> list[Donation]:
    candidates = db.session.scalars(select(Donation).where(or_(*(
        func.lower(Donation.email).like(f"%@{domain}")
        for domain in domain_variants(email_key)))).order_by(Donation.id))
    return [donation for donation in candidates if has_key(donation.email, email_key)]


def export_donations(email_key: str) -> list[dict[str, Any]]:
    return [{
        "campaign": donation.campaign_id, "amount": str(donation.money.amount),
        "currency": donation.currency, "kind": donation.kind, "status": donation.status,
        "name": donation.donor_name, "email": donation.email, "on_donor_wall": donation.public,
        "given_at": donation.created_at.isoformat() + "Z",
    } for donation in donations_of(email_key)]


def erase_donations(email_key: str) -> int:
    """Anonymise the person's donations: the name and address go; the amounts stay, because
    the money received must still add up (and Stripe keeps its own records)."""
    donations = donations_of(email_key)
    for donation in donations:
        donation.donor_name, donation.email, donation.public = None, None, False
    db.session.commit()
    return len(donations)

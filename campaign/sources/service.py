"""Partners and the sources of signatures: who is credited, and what organizers may see.

A partner is named per campaign, with the origins of its pages that embed the widget and the
API keys it signs with. A signature through the widget on one of those origins, or with one
of those keys, credits the partner; so does a visit through one of its campaign links (a
`?ref=`/`?utm_source=` tag listed on the partner). A credited (named) partner is named on its
widget ("with ...") and on the sign form of a visit through its link, which then offer an
explicit, unticked "I want to hear from ..." box. Those opt-ins leave
only through the partner's own export (the one CSV writer) and go with the signature when the
signer deletes it (the row is deleted).
"""
from __future__ import annotations

from collections.abc import Iterator
from typing import Any, cast

from sqlalchemy import Table, func, select

from ..api.models import ApiKey
from ..audit import service as audit
from ..extensions import db
from ..framing import BadOrigin, normalize_origin
from ..organizers.models import User
from ..petitions.lifecycle import counted
from ..petitions.models import Signature
from ..petitions.sources import clean_ref
from ..spreadsheet import iter_csv
from .models import MapSettings, Partner, partner_api_keys

__all__ = ["BadOrigin", "BadRef", "PartnerError"]


class PartnerError(ValueError):
    """An origin already credited to another partner of the campaign, or a foreign key."""


def partners(campaign_id: int) -> list[Partner]:
    return list(db.session.scalars(select(Partner).where(
        Partner.campaign_id == campaign_id).order_by(Partner.name, Partner.id)))


def partner_in(campaign_id: int, partner_id: int) -> Partner | None:
    partner = db.session.get(Partner, partner_id)
    return partner if partner is not None and partner.campaign_id == campaign_id else None


def usable_keys(user: User, campaign_id: int) -> list[ApiKey]:
    """Active keys of this organizer that may write to the campaign."""
    keys = db.session.scalars(select(ApiKey).where(
        ApiKey.user_id == user.id, ApiKey.revoked_at.is_(None)).order_by(ApiKey.name))
    return [key for key in keys if any(c.id == campaign_id for c in key.campaigns)]


class BadRef(ValueError):
    """A campaign-link tag that is not one (see petitions/sources.py clean_ref)."""


def _clean_refs(refs: list[str]) -> list[str]:
    """The tags, cleaned and once each; BadRef for one that is not a tag."""
    tags: list[str] = []
    for raw in refs:
        if not raw.strip():
            continue
        tag = clean_ref(raw)
        if tag is None:
            raise BadRef(raw.strip())
        if tag not in tags:
            tags.append(tag)
    return tags


def save_partner(user: User, campaign_id: int, *, name: str, website: str, origins: list[str],
                 credited: bool, api_key_ids: list[int], partner: Partner | None = None,
                 refs: list[str] | None = None) -> Partner:
    """Create or change a partner; origins are normalised (BadOrigin), link tags cleaned
    (BadRef), an origin, tag or key credited to another partner of the campaign raises
    PartnerError."""
    normalized = list(dict.fromkeys(normalize_origin(o) for o in origins if o.strip()))
    tags = _clean_refs(refs or [])
    allowed = {key.id: key for key in usable_keys(user, campaign_id)}
    if partner is not None:  # keys already linked stay choosable by any organizer
        allowed.update({key.id: key for key in partner.api_keys})
    if any(key_id not in allowed for key_id in api_key_ids):
        raise PartnerError("key")
    for other in partners(campaign_id):
        if partner is not None and other.id == partner.id:
            continue
        if set(other.origins) & set(normalized):
            raise PartnerError(next(iter(set(other.origins) & set(normalized))))
        if {k.id for k in other.api_keys} & set(api_key_ids):
            raise PartnerError("key")
        if set(other.refs) & set(tags):
            raise PartnerError("ref")
    if partner is None:
        partner = Partner(campaign_id=campaign_id)
        db.session.add(partner)
    partner.name = name.strip()[:120]
    partner.website = website.strip()[:255]
    partner.widget_origins = " ".join(normalized)
    partner.ref_tags = " ".join(tags)
    partner.credited = credited
    partner.api_keys = [allowed[key_id] for key_id in api_key_ids]
    db.session.flush()
    audit.record(user, "partner.save", campaign_id=campaign_id, target=f"partner {partner.id}",
                 name=partner.name)
    db.session.commit()
    return partner


def delete_partner(user: User, partner: Partner) -> None:
    """Signatures keep their source and origin; their credit and opt-in go with the partner."""
    db.session.execute(
        cast(Table, Signature.__table__).update().where(Signature.partner_id == partner.id)
        .values(partner_opt_in=False))
    audit.record(user, "partner.delete", campaign_id=partner.campaign_id,
                 target=f"partner {partner.id}", name=partner.name)
    db.session.delete(partner)
    db.session.commit()


# --- crediting ------------------------------------------------------------------------

def partner_for_origin(campaign_id: int, origin: str | None) -> Partner | None:
    if not origin:
        return None
    for partner in partners(campaign_id):
        if origin in partner.origins:
            return partner
    return None


def partner_for_ref(campaign_id: int, ref: str) -> Partner | None:
    """The partner whose campaign links carry the tag `ref` (already cleaned)."""
    for partner in partners(campaign_id):
        if ref in partner.refs:
            return partner
    return None


def partner_id_for_key(campaign_id: int, api_key_id: int) -> int | None:
    return db.session.scalar(
        select(Partner.id).join(partner_api_keys, partner_api_keys.c.partner_id == Partner.id)
        .where(Partner.campaign_id == campaign_id,
               partner_api_keys.c.api_key_id == api_key_id))


def origin_of(referrer: str | None) -> str | None:
    """The origin (scheme://host[:port]) of a Referer header, or None."""
    if not referrer:
        return None
    try:
        return normalize_origin(referrer)
    except BadOrigin:
        return None


def widget_source(campaign_id: int, referrer: str | None, framing_origins: list[str]
                  ) -> tuple[Partner | None, str | None]:
    """The partner and origin to record for a widget shown inside `referrer`'s page. The
    origin is kept only when it is a partner's or one the organizers allowed to frame the
    widget: a site, never an arbitrary page address."""
    origin = origin_of(referrer)
    partner = partner_for_origin(campaign_id, origin)
    if partner is None and origin not in framing_origins:
        origin = None
    return partner, origin


# --- the partner's export -----------------------------------------------------------------

OPT_IN_HEADER = ("full_name", "email", "country", "locale", "confirmed_at")


def opt_in_rows(partner: Partner) -> Iterator[tuple[Any, ...]]:
    """Confirmed signers who asked to hear from this partner, oldest first (streamed)."""
    rows = db.session.execute(
        select(Signature.full_name, Signature.email, Signature.country, Signature.locale,
               Signature.confirmed_at)
        .where(Signature.campaign_id == partner.campaign_id, counted(),
               Signature.partner_id == partner.id, Signature.partner_opt_in.is_(True))
        .order_by(Signature.id).execution_options(yield_per=1000))
    for row in rows:
        yield tuple(row)


def export_opt_ins(user: User, partner: Partner) -> Iterator[str]:
    audit.record(user, "partner.export", campaign_id=partner.campaign_id,
                 target=f"partner {partner.id}", name=partner.name)
    db.session.commit()
    return iter_csv(OPT_IN_HEADER, opt_in_rows(partner), bom=True)


def opt_in_count(partner: Partner) -> int:
    return db.session.scalar(select(func.count()).select_from(Signature).where(
        Signature.campaign_id == partner.campaign_id, counted(),
        Signature.partner_id == partner.id, Signature.partner_opt_in.is_(True))) or 0


# --- counts by source ---------------------------------------------------------------------

def by_source(campaign_id: int) -> list[tuple[str, int]]:
    rows = db.session.execute(
        select(Signature.source, func.count()).where(
            Signature.campaign_id == campaign_id, counted())
        .group_by(Signature.source).order_by(func.count().desc())).all()
    return [(source, count) for source, count in rows]


def by_partner(campaign_id: int) -> list[tuple[Partner, int]]:
    rows = db.session.execute(
        select(Partner, func.count(Signature.id))
        .outerjoin(Signature, (Signature.partner_id == Partner.id) & counted())
        .where(Partner.campaign_id == campaign_id)
        .group_by(Partner.id).order_by(func.count(Signature.id).desc(), Partner.name)).all()
    return [(partner, count) for partner, count in rows]


def by_ref(campaign_id: int, limit: int = 30) -> list[tuple[str, int]]:
    rows = db.session.execute(
        select(Signature.ref, func.count()).where(
            Signature.campaign_id == campaign_id, counted(), Signature.ref.is_not(None))
        .group_by(Signature.ref).order_by(func.count().desc()).limit(limit)).all()
    return [(cast(str, ref), count) for ref, count in rows]  # NULL refs are filtered out


def by_language(campaign_id: int) -> list[tuple[str, int]]:
    rows = db.session.execute(
        select(Signature.locale, func.count()).where(
            Signature.campaign_id == campaign_id, counted())
        .group_by(Signature.locale).order_by(func.count().desc())).all()
    return [(locale, count) for locale, count in rows]


def by_country(campaign_id: int) -> dict[str, int]:
    rows = db.session.execute(
        select(Signature.country, func.count()).where(
            Signature.campaign_id == campaign_id, counted())
        .group_by(Signature.country)).all()
    return dict(rows)


# --- the public map -----------------------------------------------------------------------

def public_map_on(campaign_id: int) -> bool:
    settings = db.session.get(MapSettings, campaign_id)
    return bool(settings and settings.public_map)


def set_public_map(user: User, campaign_id: int, on: bool) -> None:
    settings = db.session.get(MapSettings, campaign_id)
    if settings is None:
        settings = MapSettings(campaign_id=campaign_id)
        db.session.add(settings)
    settings.public_map = on
    audit.record(user, "map.public", campaign_id=campaign_id, target="on" if on else "off")
    db.session.commit()


def merge_small(counts: dict[str, int], minimum: int) -> tuple[dict[str, int], int]:
    """(countries with at least `minimum` signatures, the sum of all the others). The
    others are one number, so no country with a few signers can be picked out."""
    shown = {code: n for code, n in counts.items() if n >= minimum}
    return shown, sum(n for code, n in counts.items() if code not in shown)

"""The organization profile: read it (cover letters, dossier, footer, about and donate pages)
and change it (admins in the console). Runs without a request."""
from __future__ import annotations

from typing import TYPE_CHECKING

from flask_babel import gettext as _

from .. import images
from ..audit import service as audit
from ..extensions import db
from .models import Organization

if TYPE_CHECKING:
    from ..organizers.models import User

# The uploaded file, before we decode it.
LOGO_MAX_BYTES = 1024 * 1024
# Decoded size: a small compressed file can claim a huge canvas (a decompression bomb).
LOGO_MAX_PIXELS = 4096 * 4096
# What we keep: the logo fits in this box (footer, about page, dossier cover).
LOGO_BOX = (600, 300)
LOGO_FORMATS = images.FORMATS


class LogoProblem(ValueError):
    """The upload is not a logo we keep; str() is a translated message."""


def get() -> Organization:
    """The profile; an empty, unsaved one when nobody has written it yet."""
    return db.session.get(Organization, 1) or Organization(id=1, name="", about={})


def is_set_up(organization: Organization) -> bool:
    return bool(organization.name.strip())


def signature_block(organization: Organization, organizer_name: str) -> str:
    """The closing of a cover letter or dossier: the organizer, then the organization."""
    lines = [organizer_name.strip()] if organizer_name.strip() else []
    if organization.name:
        lines.append(organization.name)
    for line in (organization.postal_address or "").splitlines():
        if line.strip():
            lines.append(line.strip())
    for extra in (organization.contact_email, organization.website):
        if extra:
            lines.append(extra)
    return "\n".join(lines)


def reply_address(organizer_email: str | None, organization: Organization) -> str | None:
    """Where an institution's answer goes: the organizer, else the organization's contact."""
    return organizer_email or organization.contact_email or None


def clean_logo(data: bytes) -> bytes:
    """Decode an uploaded image and re-encode it as a fresh PNG (campaign/images.py): no EXIF,
    no comments, no colour-profile tricks survive, and it is shrunk to LOGO_BOX."""
    try:
        return images.sanitise(data, max_bytes=LOGO_MAX_BYTES, max_pixels=LOGO_MAX_PIXELS,
                               box=LOGO_BOX, output="PNG").data
    except images.ImageProblem as problem:
        if problem.reason == "bytes":
            raise LogoProblem(_("The logo is too large: at most %(num)s KB.",
                                num=LOGO_MAX_BYTES // 1024)) from problem
        if problem.reason == "pixels":
            raise LogoProblem(_("The logo's picture is too large: at most "
                                "4096 × 4096 pixels.")) from problem
        raise LogoProblem(_("The logo must be a PNG, JPEG, GIF or WebP image.")) from problem


def save(actor: User | None, *, name: str, postal_address: str, contact_email: str, website: str,
         about: dict[str, str], logo: bytes | None = None, remove_logo: bool = False,
         is_demo: bool | None = None) -> Organization:
    """Write the profile (logo already cleaned by `clean_logo`), recorded in the audit log."""
    organization = db.session.get(Organization, 1)
    if organization is None:
        organization = Organization(id=1)
        db.session.add(organization)
    organization.name = name.strip()
    organization.postal_address = postal_address.strip()
    organization.contact_email = contact_email.strip()
    organization.website = website.strip()
    organization.about = {lang: text.strip() for lang, text in about.items() if text.strip()}
    if logo is not None:
        organization.logo_png = logo
    elif remove_logo:
        organization.logo_png = None
    if is_demo is not None:
        organization.is_demo = is_demo
    elif actor is not None:
        organization.is_demo = False  # an admin wrote it: it is no longer the demo's
    if actor is not None:
        audit.record(actor, "organization.update", target=organization.name)
    db.session.commit()
    return organization

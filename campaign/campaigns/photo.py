"""A campaign's photo: checked and written again by campaign/images.py (metadata gone, size
capped), stored with a small copy for phones and an alt text in each of the campaign's
languages. Runs without a request; the console page (organizers/page_settings.py) calls it.
"""
from __future__ import annotations

import hashlib
from dataclasses import dataclass

from flask import current_app
from flask_babel import format_decimal
from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.orm import undefer

from .. import images
from ..extensions import db
from .models import Campaign, CampaignImage

# What we keep: the photo fits in this box; phones get the small copy (srcset).
BOX = (1600, 1600)
SMALL_BOX = (800, 800)
ALT_MAX = 300


class PhotoProblem(ValueError):
    """The photo or its alt texts are refused. `field` is "photo" or "alt_<locale>"; str() is
    a translated message."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field


@dataclass(frozen=True)
class PhotoView:
    """What a page needs to show the photo (no bytes)."""
    url: str
    small_url: str
    width: int
    height: int
    small_width: int
    small_height: int
    alt: str
    alt_lang: str
    digest: str


def max_bytes() -> int:
    return int(current_app.config["CAMPAIGN_IMAGE_MAX_BYTES"])


def _problem_message(reason: str) -> str:
    if reason == "bytes":
        return str(_("The photo is too large: at most %(size)s MB.",
                 size=format_decimal(round(max_bytes() / (1024 * 1024), 1))))
    if reason == "pixels":
        return str(_("The photo has too many pixels: at most %(num)s million.",
                 num=format_decimal(current_app.config["CAMPAIGN_IMAGE_MAX_PIXELS"]
                                    // 1_000_000)))
    return str(_("This file is not a photo we can use: upload a JPEG, PNG, GIF or WebP image."))


def clean(data: bytes) -> tuple[images.CleanImage, images.CleanImage]:
    """The photo and its small copy, written anew; raises PhotoProblem("photo", ...)."""
    try:
        big = images.sanitise(data, max_bytes=max_bytes(),
                              max_pixels=int(current_app.config["CAMPAIGN_IMAGE_MAX_PIXELS"]),
                              box=BOX, output="JPEG")
    except images.ImageProblem as problem:
        raise PhotoProblem("photo", _problem_message(problem.reason)) from problem
    return big, images.shrink(big.data, SMALL_BOX)


def get(campaign_id: int) -> CampaignImage | None:
    """The stored photo's row, without its bytes."""
    return db.session.get(CampaignImage, campaign_id)


def required_languages(campaign: Campaign) -> list[str]:
    """The languages an alt text is needed in: those the campaign has a text in."""
    return campaign.locales or [campaign.default_locale]


def save(campaign: Campaign, data: bytes | None, alt: dict[str, str], *,
         commit: bool = True) -> CampaignImage:
    """Store a new photo (`data`, as uploaded) and/or its alt texts, all or nothing: every
    check runs before anything is added to the session; raises PhotoProblem."""
    existing = get(campaign.id)
    alt = {code: " ".join((text or "").split()) for code, text in alt.items()}
    if data is None and existing is None:
        raise PhotoProblem("photo", _("Choose a photo to upload."))
    cleaned = clean(data) if data is not None else None
    for code in required_languages(campaign):
        if not alt.get(code):
            raise PhotoProblem(f"alt_{code}", _(
                "Describe the photo in every language of the campaign, for readers who "
                "cannot see it."))
        if len(alt[code]) > ALT_MAX:
            raise PhotoProblem(f"alt_{code}", _(
                "At most %(num)s characters.", num=ALT_MAX))
    kept = {code: alt[code] for code in required_languages(campaign)}
    row = existing or CampaignImage(campaign_id=campaign.id)
    if cleaned is not None:
        big, small = cleaned
        row.jpeg, row.width, row.height = big.data, big.width, big.height
        row.small_jpeg, row.small_width, row.small_height = (small.data, small.width,
                                                             small.height)
        row.digest = hashlib.blake2b(big.data, digest_size=16).hexdigest()
    row.alt = kept
    if existing is None:
        db.session.add(row)
    if commit:
        db.session.commit()
    return row


def remove(campaign_id: int) -> bool:
    """Delete the photo (console, or the campaign's purge); True if there was one."""
    row = get(campaign_id)
    if row is None:
        return False
    db.session.delete(row)
    db.session.flush()
    return True


def image_bytes(campaign_id: int, digest: str, small: bool) -> bytes | None:
    """The stored JPEG when `digest` is the current one (an old URL finds nothing)."""
    column = CampaignImage.small_jpeg if small else CampaignImage.jpeg
    return db.session.scalar(select(column).where(CampaignImage.campaign_id == campaign_id,
                                                  CampaignImage.digest == digest))


def full_image(campaign_id: int) -> CampaignImage | None:
    """The row with its large JPEG loaded (the share card draws it)."""
    return db.session.scalar(select(CampaignImage).options(undefer(CampaignImage.jpeg))
                             .where(CampaignImage.campaign_id == campaign_id))


def copy(source: Campaign, new: Campaign) -> None:
    """A campaign started from another keeps its photo (organizer content, no one's data)."""
    row = full_image(source.id)
    if row is None:
        return
    small = db.session.scalar(select(CampaignImage.small_jpeg)
                              .where(CampaignImage.campaign_id == source.id))
    db.session.add(CampaignImage(
        campaign_id=new.id, jpeg=row.jpeg, width=row.width, height=row.height,
        small_jpeg=small, small_width=row.small_width, small_height=row.small_height,
        digest=row.digest, alt=dict(row.alt or {})))

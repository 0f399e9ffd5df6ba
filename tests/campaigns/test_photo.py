"""The campaign photo: organizers upload it with an alt text in every language of the
campaign; we keep only its pixels (no EXIF, GPS, comment or colour profile), refuse what is
not an image, too large or a decompression bomb with a clear message and store nothing then,
and show it on the campaign page in the reader's language, cached for a year."""
from __future__ import annotations

import io
import random
import re
import struct
import zlib
from datetime import timedelta

import pytest
from PIL import ExifTags, Image
from sqlalchemy import func, select

from campaign.audit.models import AuditEntry
from campaign.campaigns.models import CampaignImage
from campaign.extensions import db
from tests.conftest import csrf_from, login
from tests.factories import make_campaign, make_user

GPS = ExifTags.IFD.GPSInfo


def jpeg_with_gps(size=(640, 320), orientation: int | None = None) -> bytes:
    """A JPEG as a phone writes it: camera, owner, GPS position, a comment."""
    picture = Image.new("RGB", size, (200, 40, 40))
    for x in range(0, size[0], 8):   # something that is not flat
        picture.paste((40, 40, 200), (x, 0, x + 4, size[1] // 2))
    exif = Image.Exif()
    exif[ExifTags.Base.Make] = "PhoneMaker"
    exif[ExifTags.Base.Model] = "Phone 12"
    exif[ExifTags.Base.Artist] = "Secret Owner Name"
    if orientation:
        exif[ExifTags.Base.Orientation] = orientation
    gps = exif.get_ifd(GPS)
    gps[ExifTags.GPS.GPSLatitudeRef] = "N"
    gps[ExifTags.GPS.GPSLatitude] = (43.0, 2.0, 30.0)
    gps[ExifTags.GPS.GPSLongitudeRef] = "E"
    gps[ExifTags.GPS.GPSLongitude] = (74.0, 42.0, 10.0)
    out = io.BytesIO()
    picture.save(out, format="JPEG", exif=exif, comment=b"taken at the safe house")
    return out.getvalue()


def png_bomb(side: int = 100_000) -> bytes:
    """A tiny PNG whose header claims side x side pixels (a decompression bomb)."""
    def chunk(kind: bytes, data: bytes) -> bytes:
        return (struct.pack(">I", len(data)) + kind + data
                + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF))
    ihdr = struct.pack(">IIBBBBB", side, side, 8, 2, 0, 0, 0)
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr)
            + chunk(b"IDAT", zlib.compress(b"\x00" * 64)) + chunk(b"IEND", b""))


@pytest.fixture
def organizer(client, app):
    campaign = make_campaign(locales=("en", "ru"))
    user, password = make_user(campaigns=[campaign])
    login(client, user.email, password)
    return campaign


def upload(client, campaign, data: bytes | None, alt: dict[str, str], name="photo.jpg"):
    page = client.get(f"/organize/c/{campaign.slug}/page").get_data(as_text=True)
    form = {"csrf_token": csrf_from(page), **{f"alt_{k}": v for k, v in alt.items()}}
    if data is not None:
        form["photo"] = (io.BytesIO(data), name)
    return client.post(f"/organize/c/{campaign.slug}/page/photo", data=form,
                       content_type="multipart/form-data")


ALT = {"en": "Relatives of the convicted outside the court in Taraz",
       "ru": "Родственники осуждённых у здания суда в Таразе"}


def stored() -> CampaignImage | None:
    return db.session.scalar(select(CampaignImage))


def test_a_jpeg_with_gps_tags_in_none_out(client, organizer):
    original = jpeg_with_gps(orientation=6)   # stored sideways, as phones do
    before = Image.open(io.BytesIO(original))
    assert before.getexif().get_ifd(GPS)[ExifTags.GPS.GPSLatitudeRef] == "N"
    assert b"Secret Owner Name" in original and b"safe house" in original

    response = upload(client, organizer, original, ALT)
    assert response.status_code == 303, response.get_data(as_text=True)
    page = client.get(f"/en/c/{organizer.slug}").get_data(as_text=True)
    src = re.search(r'<img src="(/media/c/[^"]+\.jpg)"', page).group(1)
    served = client.get(src)
    assert served.status_code == 200 and served.mimetype == "image/jpeg"
    small = re.search(r'srcset="(/media/c/[^ ]+-small\.jpg) ', page).group(1)
    for data in (served.data, client.get(small).data, stored().jpeg):
        after = Image.open(io.BytesIO(data))
        assert after.format == "JPEG"
        assert not after.getexif() and not after.getexif().get_ifd(GPS)
        assert "exif" not in after.info and "icc_profile" not in after.info
        assert "comment" not in after.info
        for secret in (b"Exif", b"PhoneMaker", b"Secret Owner Name", b"safe house"):
            assert secret not in data
        # Turned upright by its orientation tag before the tag went: taller than wide.
        assert after.height > after.width


def test_photo_is_shown_with_alt_text_in_the_page_language_and_cached_long(client, organizer):
    upload(client, organizer, jpeg_with_gps(size=(3000, 2000)), ALT)
    row = stored()
    assert (row.width, row.height) == (1600, 1067)          # capped in pixels
    assert (row.small_width, row.small_height) == (800, 534)
    en = client.get(f"/en/c/{organizer.slug}").get_data(as_text=True)
    ru = client.get(f"/ru/c/{organizer.slug}").get_data(as_text=True)
    assert f'alt="{ALT["en"]}"' in en and f'alt="{ALT["ru"]}"' in ru
    tag = re.search(r'<img src="/media/c/[^>]+>', ru).group(0)
    assert 'width="1600" height="1067"' in tag and 'loading="lazy"' in tag
    assert "srcset=" in tag and "800w" in tag and "1600w" in tag
    src = re.search(r'src="([^"]+)"', tag).group(1)
    response = client.get(src)
    assert "max-age=31536000" in response.headers["Cache-Control"]
    assert "immutable" in response.headers["Cache-Control"]
    assert "public" in response.headers["Cache-Control"]
    # Served from our host: a path on this site, no other origin.
    assert src.startswith("/media/") and "//" not in src
    assert client.get(src, headers={"If-None-Match": response.headers["ETag"]}) \
        .status_code == 304
    # A Dungan page reads the Russian alt text; the home page shows the photo too.
    assert f'alt="{ALT["ru"]}"' in client.get(f"/dng/c/{organizer.slug}").get_data(
        as_text=True)


def _assert_nothing_stored():
    assert db.session.scalar(select(func.count()).select_from(CampaignImage)) == 0
    assert db.session.scalar(select(func.count()).select_from(AuditEntry).where(
        AuditEntry.action == "campaign.photo")) == 0


@pytest.mark.parametrize("kind, message", [
    ("pdf", "This file is not a photo we can use"),
    ("truncated", "This file is not a photo we can use"),
    ("bomb", "The photo has too many pixels: at most 50 million."),
    ("big", "The photo is too large: at most 0.1 MB."),
])
def test_bad_photos_get_a_clear_message_and_nothing_is_stored(client, app, organizer,
                                                              kind, message):
    data = {"pdf": b"%PDF-1.4 a document, not a photo",
            "truncated": jpeg_with_gps()[:300],
            "bomb": png_bomb()}.get(kind)
    if kind == "big":
        app.config["CAMPAIGN_IMAGE_MAX_BYTES"] = 100 * 1024
        noise = Image.frombytes("RGB", (400, 400), random.Random(14).randbytes(400 * 400 * 3))
        out = io.BytesIO()
        noise.save(out, format="PNG")
        data = out.getvalue()
        assert len(data) > 100 * 1024
    assert len(data) < 2 * 1024 * 1024
    response = upload(client, organizer, data, ALT)
    assert response.status_code == 422
    assert message in response.get_data(as_text=True)
    _assert_nothing_stored()


def test_an_alt_text_is_required_in_every_language_of_the_campaign(client, organizer):
    response = upload(client, organizer, jpeg_with_gps(), {"en": ALT["en"], "ru": "  "})
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert "Describe the photo in every language of the campaign" in page
    assert 'id="alt_ru-error"' in page
    assert ALT["en"] in page     # what was typed comes back
    _assert_nothing_stored()


def test_photo_errors_are_translated(app):
    from flask_babel import force_locale

    from campaign.campaigns import photo

    with app.test_request_context(), force_locale("ru"):
        with pytest.raises(photo.PhotoProblem) as problem:
            photo.clean(b"not an image")
        assert "JPEG" in str(problem.value) and "фото" in str(problem.value).lower()
        with pytest.raises(photo.PhotoProblem) as problem:
            photo.clean(png_bomb())
        assert "пиксел" in str(problem.value)


def test_alt_texts_change_without_a_new_upload_and_the_photo_can_be_removed(client,
                                                                            organizer):
    upload(client, organizer, jpeg_with_gps(), ALT)
    digest = stored().digest
    assert upload(client, organizer, None, {**ALT, "en": "A new description"}) \
        .status_code == 303
    db.session.expire_all()
    assert stored().digest == digest and stored().alt["en"] == "A new description"
    page = client.get(f"/organize/c/{organizer.slug}/page").get_data(as_text=True)
    response = client.post(f"/organize/c/{organizer.slug}/page/photo/remove",
                           data={"csrf_token": csrf_from(page)})
    assert response.status_code == 303
    assert stored() is None
    assert 'class="campaign-photo"' not in client.get(f"/en/c/{organizer.slug}").get_data(
        as_text=True)
    assert client.get(f"/media/c/{organizer.slug}/{digest}.jpg").status_code == 404


def test_only_the_campaign_s_organizers_upload(client, app):
    campaign = make_campaign()
    other = make_campaign()
    user, password = make_user(campaigns=[other])
    login(client, user.email, password)
    page = client.get(f"/organize/c/{other.slug}/page").get_data(as_text=True)
    response = client.post(f"/organize/c/{campaign.slug}/page/photo", data={
        "csrf_token": csrf_from(page), "alt_en": "x",
        "photo": (io.BytesIO(jpeg_with_gps()), "p.jpg")}, content_type="multipart/form-data")
    assert response.status_code == 403
    assert stored() is None


def test_the_photo_goes_with_the_campaign_purge(client, app, tmp_path):
    from campaign.campaigns import photo
    from campaign.privacy import service as privacy
    from campaign.util import utcnow

    campaign = make_campaign()
    with app.test_request_context():
        photo.save(campaign, jpeg_with_gps(), {"en": "A photo"})
    card = client.get(f"/en/c/{campaign.slug}/card.png")
    assert card.status_code == 200
    cards = list((tmp_path / "instance" / "share-cards").rglob("*.png"))
    assert cards
    campaign.status, campaign.delivered_at = "delivered", utcnow() - timedelta(days=400)
    db.session.commit()
    privacy.purge()
    assert stored() is None
    assert not any(path.exists() for path in cards)

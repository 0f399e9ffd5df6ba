"""The organization profile: admins edit it (logo re-encoded, bad uploads refused with a clear
message and nothing stored); it shows in the footer, on /<lang>/about and on a donate page
that has no way to pay; organizers edit their own name, e-mail and password."""
import io

import pytest
from PIL import Image

from campaign.extensions import db
from campaign.organization import service as organization
from campaign.organization.models import Organization
from campaign.organizers.models import User
from tests.conftest import csrf_from, login
from tests.factories import make_campaign, make_user

LANGS = ("en", "ru", "kk", "ky", "zh", "fr", "de")


def png_with_metadata(size=(800, 400)) -> bytes:
    image = Image.new("RGB", size, (23, 58, 94))
    exif = Image.Exif()
    exif[0x010E] = "secret GPS-ish note"  # ImageDescription
    out = io.BytesIO()
    image.save(out, format="PNG", exif=exif, pnginfo=None)
    return out.getvalue()


def form_data(page: str, **extra) -> dict:
    data = {"csrf_token": csrf_from(page), "name": "Korday Justice Initiative",
            "contact_email": "contact@korday.example.org", "website": "https://korday.example.org",
            "postal_address": "Rue de l'Exemple 1\n1200 Genève", "about_en": "We are volunteers.",
            "about_ru": "Мы — добровольцы."}
    data.update(extra)
    return data


@pytest.fixture
def admin_client(client, app):
    admin, password = make_user(role="admin")
    login(client, admin.email, password)
    return client


def test_admin_saves_the_profile_with_a_cleaned_logo(admin_client):
    page = admin_client.get("/organize/organization").get_data(as_text=True)
    response = admin_client.post("/organize/organization", data={
        **form_data(page), "logo": (io.BytesIO(png_with_metadata()), "logo.png")},
        content_type="multipart/form-data")
    assert response.status_code == 303
    stored = db.session.get(Organization, 1)
    assert stored.name == "Korday Justice Initiative" and not stored.is_demo
    logo = Image.open(io.BytesIO(stored.logo_png))
    assert logo.format == "PNG" and logo.size == (600, 300)  # shrunk into the box
    assert "exif" not in logo.info and b"secret" not in stored.logo_png
    assert admin_client.get("/organization/logo.png").data == stored.logo_png

    about = admin_client.get("/ru/about").get_data(as_text=True)
    assert "Мы — добровольцы." in about and "contact@korday.example.org" in about
    assert "О нас и контакты" in about
    assert "We are volunteers." in admin_client.get("/de/about").get_data(as_text=True)
    home = admin_client.get("/en/").get_data(as_text=True)
    assert "Run by Korday Justice Initiative." in home and 'href="/en/about"' in home


@pytest.mark.parametrize("upload, message", [
    (b"%PDF-1.4 not an image", "The logo must be a PNG, JPEG, GIF or WebP image."),
    (b"\x89PNG\r\n\x1a\n" + b"\x00" * 40, "The logo must be a PNG, JPEG, GIF or WebP image."),
    (b"x" * (1024 * 1024 + 10), "The logo is too large: at most 1024 KB."),
    ("bomb", "The logo's picture is too large: at most 4096 × 4096 pixels."),
    ("big", "The logo's picture is too large: at most 4096 × 4096 pixels."),
])
def test_bad_logos_get_a_clear_message_and_nothing_is_stored(admin_client, upload, message):
    if upload in ("bomb", "big"):
        side = 20000 if upload == "bomb" else 5000   # 400 and 25 million pixels
        out = io.BytesIO()
        Image.new("1", (side, side)).save(out, format="PNG")  # a few KB on disk
        upload = out.getvalue()
        assert len(upload) < 1024 * 1024
    page = admin_client.get("/organize/organization").get_data(as_text=True)
    response = admin_client.post("/organize/organization", data={
        **form_data(page), "logo": (io.BytesIO(upload), "logo.png")},
        content_type="multipart/form-data")
    assert response.status_code == 422
    assert message.replace("'", "&#39;") in response.get_data(as_text=True)
    assert db.session.get(Organization, 1) is None  # nothing half-written


def test_logo_error_is_translated(app):
    from flask_babel import force_locale
    with app.test_request_context(), force_locale("ru"), \
            pytest.raises(organization.LogoProblem) as problem:
        organization.clean_logo(b"not an image")
    assert "PNG" in str(problem.value) and "логотип" in str(problem.value).lower()


def test_only_admins_edit_the_profile(client, app):
    organizer, password = make_user()
    login(client, organizer.email, password)
    assert client.get("/organize/organization").status_code == 403
    assert client.post("/organize/organization", data={"name": "X"}).status_code in (400, 403)


def test_about_page_renders_in_every_language_without_a_profile(client):
    for lang in LANGS:
        response = client.get(f"/{lang}/about")
        assert response.status_code == 200


def test_donate_page_without_any_way_to_pay_names_whom_to_contact(client, app):
    campaign = make_campaign()
    organization.save(None, name="Korday Justice Initiative", postal_address="",
                      contact_email="contact@korday.example.org", website="", about={})
    app.config["STRIPE_SECRET_KEY"] = None
    app.config["DONATION_OFFLINE_INSTRUCTIONS"] = None
    page = client.get(f"/fr/c/{campaign.slug}/donate").get_data(as_text=True)
    assert "mailto:contact@korday.example.org" in page
    assert "Écrire à Korday Justice Initiative" in page


def test_demo_profile_is_marked_and_the_demo_organizer_has_a_real_looking_name(app):
    from campaign.demo import load_demo
    load_demo()
    stored = db.session.get(Organization, 1)
    assert stored.is_demo and "demo" in stored.name
    assert set(stored.about) == set(LANGS)
    names = [user.name for user in db.session.scalars(db.select(User))]
    assert names and "Demo organizer" not in names


def test_organizer_edits_name_email_and_password(client, app):
    user, password = make_user(email="old@example.org")
    login(client, user.email, password)
    page = client.get("/organize/profile").get_data(as_text=True)
    assert 'value="old@example.org"' in page
    # A new e-mail needs the current password.
    refused = client.post("/organize/profile", data={
        "csrf_token": csrf_from(page), "name": "Aigerim Sadykova", "email": "new@example.org"})
    assert refused.status_code == 422
    assert "The current password is wrong." in refused.get_data(as_text=True)
    assert db.session.get(User, user.id).email == "old@example.org"
    saved = client.post("/organize/profile", data={
        "csrf_token": csrf_from(page), "name": "Aigerim Sadykova", "email": "new@example.org",
        "current_password": password})
    assert saved.status_code == 303
    db.session.expire_all()
    assert (db.session.get(User, user.id).name, db.session.get(User, user.id).email) == (
        "Aigerim Sadykova", "new@example.org")
    page = client.get("/organize/profile").get_data(as_text=True)
    changed = client.post("/organize/profile", data={
        "csrf_token": csrf_from(page), "name": "Aigerim Sadykova", "email": "new@example.org",
        "current_password": password, "new_password": "a brand new passphrase"})
    assert changed.status_code == 302 and "/organize/login" in changed.headers["Location"]
    assert client.get("/organize/profile").status_code == 302  # logged out
    assert login(client, "new@example.org", "a brand new passphrase").status_code == 302


def test_profile_refuses_a_taken_address(client, app):
    make_user(email="taken@example.org")
    user, password = make_user()
    login(client, user.email, password)
    page = client.get("/organize/profile").get_data(as_text=True)
    response = client.post("/organize/profile", data={
        "csrf_token": csrf_from(page), "name": "X", "email": "taken@example.org",
        "current_password": password})
    assert response.status_code == 422
    assert "Another account uses this e-mail address." in response.get_data(as_text=True)

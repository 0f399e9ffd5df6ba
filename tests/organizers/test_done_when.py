"""The whole console path: invite, accept, 2FA, a campaign in two languages, publishing,
fraud, a paper batch, exports, an update to supporters, and isolation from another organizer."""
import csv
import io
import re
import time

import pyotp
from sqlalchemy import select

from campaign.audit.models import AuditEntry
from campaign.campaigns.models import Campaign
from campaign.extensions import db
from campaign.petitions.models import Signature
from tests.conftest import csrf_from, login
from tests.factories import make_signature, make_user
from tests.organizers.conftest import deliver, link_in, post_form, text_of


def _2fa_secret_from(page_html: str) -> str:
    match = re.search(r"<code>([A-Z2-7]{16,})</code>", page_html)
    assert match
    return match.group(1)


def test_done_when(app, client, sent_mail):
    admin, admin_password = make_user(role="admin")
    assert login(client, admin.email, admin_password).status_code == 302

    # An admin invites an organizer; the invitation arrives through the outbox.
    response = post_form(client, "/organize/users",
                         {"email": "aigul@example.org", "name": "Aigul", "role": "organizer"})
    assert response.status_code == 302
    client.post("/organize/logout", data={"csrf_token": csrf_from(
        client.get("/organize/").get_data(as_text=True))})
    invite = next(m for m in deliver(sent_mail) if m["To"] == "aigul@example.org")
    invite_path = link_in(invite, "/organize/invite/")
    # Before accepting, the account cannot log in with anything.
    assert login(client, "aigul@example.org", "whatever-password").status_code == 422

    # The organizer accepts, choosing a password; the link then stops working.
    password = "Dungan-solidarity-2020"
    assert post_form(client, invite_path, {"password": password}).status_code == 302
    assert client.get(invite_path).status_code == 404

    # Logs in and turns on two-factor, with a QR code drawn on our server as inline SVG.
    assert login(client, "aigul@example.org", password).status_code == 302
    setup = client.get("/organize/2fa").get_data(as_text=True)
    assert "<svg" in setup and "<script" not in setup
    secret = _2fa_secret_from(setup)
    response = post_form(client, "/organize/2fa", {"secret": secret,
                                                   "code": pyotp.TOTP(secret).now()})
    assert response.status_code == 302
    client.post("/organize/logout", data={"csrf_token": csrf_from(
        client.get("/organize/").get_data(as_text=True))})

    # Logging in now needs the code as well as the password.
    response = login(client, "aigul@example.org", password)
    assert response.headers["Location"].endswith("/organize/login/2fa")
    assert client.get("/organize/").status_code == 302  # not in yet
    wrong = post_form(client, "/organize/login/2fa", {"code": "000000"})
    assert wrong.status_code == 422
    # The code just used to set up is refused (replay); the next step's code works.
    totp = pyotp.TOTP(secret)
    next_code = totp.at(time.time() + 30)
    assert post_form(client, "/organize/login/2fa", {"code": next_code}).status_code == 302
    assert client.get("/organize/").status_code == 200

    # Creates a campaign in two languages; the Dungan text is shown as missing.
    response = post_form(client, "/organize/new", {
        "slug": "korday-review", "goal": "5000", "default_locale": "en", "deadline": ""})
    assert response.status_code == 302
    for locale, title in (("en", "Review the Korday sentences"),
                          ("ru", "Пересмотреть приговоры по Кордаю")):
        response = post_form(client, f"/organize/c/korday-review/texts/{locale}", {
            "title": title, "summary": "February 2020", "body_markdown": "**Text**"})
        assert response.status_code == 302
    overview = client.get("/organize/c/korday-review/").get_data(as_text=True)
    assert re.search(r"Хуэйзў йүян \(dng\)</a></td>\s*<td>not translated", overview)
    preview = client.get("/organize/c/korday-review/preview/ru").get_data(as_text=True)
    assert "Пересмотреть приговоры" in preview and "<strong>Text</strong>" in preview

    # Publishes it; its address is then fixed.
    assert post_form(client, "/organize/c/korday-review/",
                     {}, "/organize/c/korday-review/status/live").status_code == 302
    campaign = db.session.scalar(select(Campaign).where(Campaign.slug == "korday-review"))
    db.session.refresh(campaign)
    assert campaign.status == "live"
    response = post_form(client, "/organize/c/korday-review/settings", {
        "slug": "renamed", "goal": "5000", "default_locale": "en", "deadline": ""})
    assert response.status_code == 422 and "cannot change" in response.get_data(as_text=True)

    # Signatures arrive; one is fraudulent and is invalidated: the count drops.
    honest = make_signature(campaign, full_name="Honest Signer", email="honest@example.org",
                            updates=True, locale="ru")
    english = make_signature(campaign, full_name="English Reader",
                             email="reader@example.org", updates=True, locale="en")
    make_signature(campaign, full_name="Quiet Signer", email="quiet@example.org")
    fraud = make_signature(campaign, full_name="Bot 1", email="bot1@mailinator.example")
    db.session.refresh(campaign)
    assert campaign.signature_count == 4
    table = client.get("/organize/c/korday-review/signatures?q=bot").get_data(as_text=True)
    assert "Bot 1" in table and "Honest Signer" not in table
    response = post_form(client, "/organize/c/korday-review/signatures", {
        "reason": "Disposable address flood"},
        f"/organize/c/korday-review/signatures/{fraud.id}/invalidate")
    assert response.status_code == 302
    db.session.refresh(campaign)
    assert campaign.signature_count == 3
    db.session.refresh(fraud)
    assert fraud.status == "invalidated" and fraud.invalidation_reason == \
        "Disposable address flood"

    # Imports a paper batch; the bad row is reported with its line and nothing is imported
    # until the organizer chooses to import only the valid rows.
    # Saved by Russian Excel: Windows-1251, semicolons.
    paper_csv = ("full_name;email;country;comment\n"
                 "Ахмед Сулейманов;ahmed@example.org;KZ;Подпись на бумаге\n"
                 "No Address;not-an-address;KZ;\n"
                 "Ли Ван;li@example.org;KG;\n").encode("cp1251")
    upload = {"file": (io.BytesIO(paper_csv), "sheets.csv"), "note": "Almaty rally"}
    response = post_form(client, "/organize/c/korday-review/paper", upload,
                         content_type="multipart/form-data")
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "Line 3:" in page and "not-an-address" in page and "Nothing was imported" in page
    db.session.refresh(campaign)
    assert campaign.signature_count == 3
    upload = {"file": (io.BytesIO(paper_csv), "sheets.csv"), "note": "Almaty rally",
              "valid_only": "y"}
    response = post_form(client, "/organize/c/korday-review/paper", upload,
                         content_type="multipart/form-data")
    assert response.status_code == 200 and "2 signatures imported" in response.get_data(
        as_text=True)
    db.session.refresh(campaign)
    assert campaign.signature_count == 5
    paper_rows = db.session.scalars(select(Signature).where(Signature.source == "paper")).all()
    assert {s.full_name for s in paper_rows} == {"Ахмед Сулейманов", "Ли Ван"}
    assert all(s.import_batch_id for s in paper_rows)

    # Exports CSV (readable by Excel: BOM; formulas neutralised) and JSON.
    response = client.get("/organize/c/korday-review/signatures.csv?status=confirmed")
    assert response.status_code == 200 and response.mimetype == "text/csv"
    body = response.get_data(as_text=True)
    assert body.startswith("\ufeff")
    rows = list(csv.DictReader(io.StringIO(body.lstrip("\ufeff"))))
    assert {r["full_name"] for r in rows} == {"Honest Signer", "English Reader",
                                              "Quiet Signer", "Ахмед Сулейманов", "Ли Ван"}
    response = client.get("/organize/c/korday-review/signatures.json")
    data = response.get_json()
    assert len(data["signatures"]) == 6

    # Writes an update in English and Russian and sends it to those who asked for news.
    response = post_form(client, "/organize/c/korday-review/updates", {
        "subject_en": "We delivered the petition", "body_en": "Thank you.",
        "subject_ru": "Мы передали петицию", "body_ru": "Спасибо."})
    assert response.status_code == 302
    page = client.get("/organize/c/korday-review/updates").get_data(as_text=True)
    update_id = re.search(r'id="update-(\d+)"', page).group(1)
    response = post_form(client, "/organize/c/korday-review/updates", {},
                         f"/organize/c/korday-review/updates/{update_id}/send")
    assert response.status_code == 302
    assert "to 2 supporters" in client.get(
        "/organize/c/korday-review/updates").get_data(as_text=True)
    news = {m["To"]: m for m in deliver(sent_mail) if m["Subject"] in (
        "We delivered the petition", "Мы передали петицию")}
    assert set(news) == {honest.email, english.email}
    assert news[honest.email]["Subject"] == "Мы передали петицию"
    assert "/unsubscribe/" in text_of(news[honest.email])
    assert "/forget/" in text_of(news[honest.email])
    assert news[honest.email]["List-Unsubscribe"]

    # Every step is in the audit log.
    actions = set(db.session.scalars(select(AuditEntry.action)))
    assert {"account.invite", "account.accept_invite", "account.2fa_enabled",
            "campaign.create", "campaign.status", "signature.invalidate",
            "signature.import_paper", "signature.export_csv", "update.send"} <= actions

    # Another organizer sees none of it.
    client.post("/organize/logout", data={"csrf_token": csrf_from(
        client.get("/organize/").get_data(as_text=True))})
    other, other_password = make_user()
    login(client, other.email, other_password)
    assert "korday-review" not in client.get("/organize/").get_data(as_text=True)
    for path in ("/organize/c/korday-review/", "/organize/c/korday-review/signatures",
                 "/organize/c/korday-review/signatures.csv",
                 "/organize/c/korday-review/signatures.json",
                 "/organize/c/korday-review/analytics", "/organize/c/korday-review/updates",
                 "/organize/audit", "/organize/users"):
        assert client.get(path).status_code == 403, path

"""The dossier and the delivery as their readers see them: every cover letter and dossier in
en ru kk ky zh fr de (organization and organizer merged, the institution's name, a localized
date, no placeholder of any language, no "Demo organizer"), the petition's Markdown kept, the
method and counts, the verification recipe; the two-step delivery in test mode and live,
keep collecting or close, a second delivery that says what changed, reopening, and the
background job for big campaigns."""
import hashlib
import io
import re
from datetime import date

import pytest
from babel.dates import format_date
from flask_babel import force_locale
from flask_babel import gettext as _
from pypdf import PdfReader
from sqlalchemy import select

from campaign import i18n
from campaign.campaigns import service as campaigns
from campaign.campaigns.models import Campaign
from campaign.extensions import db
from campaign.letters import delivery, routing, service
from campaign.letters.models import Delivery, DossierJob
from campaign.organization import service as organization
from campaign.outbox import service as outbox
from tests.conftest import csrf_from, login
from tests.factories import make_signature, make_user

LANGS = ("en", "ru", "kk", "ky", "zh", "fr", "de")
# Placeholder labels and template markers of every language a letter could carry.
PLACEHOLDERS = ("{{", "}}", "{%", "[[", "]]", "Your name", "Ваше имя", "Атыңыз", "Атыңыз",
                "您的姓名", "Votre nom", "Ihr Name", "supporter_name", "target_name")
MARKDOWN = """## What happened

On the night of **7–8 February 2020** attackers struck.

- first point of the list
- second point of the list

Read [the ADC Memorial report](https://adcmemorial.org/en/).
"""


def pdf_text(data: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)


def flat(text: str) -> str:
    return " ".join(text.split())


@pytest.fixture
def org(app):
    return organization.save(None, name="Korday Justice Initiative",
                             postal_address="Rue de l'Exemple 1\n1200 Genève",
                             contact_email="contact@korday.example.org",
                             website="https://korday.example.org", about={"en": "We are."})


@pytest.fixture
def full_campaign(campaign, org):
    for lang in LANGS:
        campaigns.set_text(campaign, lang, title=f"Title {lang} Кордай 科尔代",
                           summary=f"Summary {lang}", body_markdown=MARKDOWN)
    db.session.commit()
    make_signature(campaign, full_name="Әсел Құрманғазиева", country="KZ", comment="Әділдік!")
    make_signature(campaign, full_name="王小明", country="CN", comment="要求公正复审。")
    make_signature(campaign, full_name="Marie Dupont", country="FR", display="initial")
    make_signature(campaign, full_name="Hidden Person", country="KG", display="anonymous")
    return campaign


@pytest.mark.parametrize("lang", LANGS)
def test_cover_letter_reads_right_in_every_language(app, full_campaign, bodies, org, lang):
    letters = delivery.cover_letters(full_campaign, lang, [bodies["un_min"]],
                                     signed_by="Aigerim Sadykova", count=4)
    body = letters[0].body
    # The institution's name as written in the letter's language (the directory's names).
    assert bodies["un_min"].name_in(lang) in body
    if bodies["un_min"].name_in(lang) != bodies["un_min"].name:  # the fixture names ru fr zh
        assert "UN Special Rapporteur on minority issues" not in body
    assert "Aigerim Sadykova" in body and "Korday Justice Initiative" in body
    assert "contact@korday.example.org" in body and "1200 Genève" in body
    assert format_date(date.today(), "long", locale=i18n.babel_locale(lang)) in body
    assert date.today().isoformat() not in body
    assert "Demo organizer" not in body
    for marker in PLACEHOLDERS:
        assert marker not in body and marker not in letters[0].subject, marker
    assert f"Title {lang}" in letters[0].subject


@pytest.mark.parametrize("lang", LANGS)
def test_dossier_reads_like_a_submission_in_every_language(app, full_campaign, bodies, org,
                                                           lang):
    pdf, facts = delivery.build_dossier(full_campaign, lang,
                                        targets=[bodies["un_min"], bodies["osce_hcnm"]],
                                        signed_by="Aigerim Sadykova")
    text = flat(pdf_text(pdf))
    locale = i18n.babel_locale(lang)
    with app.test_request_context(), force_locale(i18n.catalog_locale(lang)):
        headings = [_("The petition"), _("How the signatures were collected"),
                    _("Signatures by country"), _("Signatures by month"),
                    _("Signers who chose to be named"), _("Comments"), _("Verification")]
    for heading in headings:
        assert heading in text, heading
    if lang != "en":
        assert "How the signatures were collected" not in text  # no English left behind
    # Cover page: organization, organizer, addressees, date, contact.
    assert "Korday Justice Initiative" in text and "Aigerim Sadykova" in text
    assert flat(bodies["un_min"].name_in(lang)) in text  # in the dossier's language
    assert flat(bodies["osce_hcnm"].name_in(lang)) in text
    assert flat(format_date(date.today(), "long", locale=locale)) in text
    assert "contact@korday.example.org" in text
    # The petition's Markdown: heading, list items, link text kept (not "##" or "**").
    assert "What happened" in text and "first point of the list" in text
    assert "the ADC Memorial report" in text and "##" not in text and "**" not in text
    # Names as shown, comments, countries in the language, no hidden names.
    assert "Әсел Құрманғазиева" in text and "王小明" in text and "Marie D." in text
    assert "Hidden Person" not in text and "要求公正复审" in text
    # Verification: the fingerprint of the defined export and where to get it.
    sha = hashlib.sha256(service.canonical_export(full_campaign.id)).hexdigest()
    assert facts.export_sha256 == sha and sha in text.replace(" ", "")
    assert f"/organize/c/{full_campaign.slug}/delivery/export.csv" in text.replace(" ", "")
    assert "sha256sum" in text and "docs/" not in text
    assert facts.by_source == {"web": 4} and facts.total == 4
    for marker in PLACEHOLDERS + ("Demo organizer",):
        assert marker not in text, marker


def test_dossier_pdf_pages_have_fonts_and_chinese_is_regular_weight(app, full_campaign, org):
    pdf, _facts = delivery.build_dossier(full_campaign, "zh")
    reader = PdfReader(io.BytesIO(pdf))
    fonts = set()
    for page in reader.pages:
        content = page.get_contents().get_data().decode("latin-1")
        first_text = content.find(" Tj")
        assert first_text == -1 or " Tf" in content[:first_text]  # a font before any text
        for font in page["/Resources"]["/Font"].values():
            fonts.add(str(font.get_object()["/BaseFont"]))
    cjk = [name for name in fonts if "NotoSans" in name]
    assert cjk and all("Thin" not in name for name in cjk)


def test_dossier_caps_names_and_says_where_the_rest_is(app, full_campaign, org, monkeypatch):
    monkeypatch.setattr(delivery, "MAX_NAMES", 1)
    pdf, facts = delivery.build_dossier(full_campaign, "en")
    text = flat(pdf_text(pdf))
    assert facts.names_total == 3 and len(facts.names) == 1
    assert "The other 2 names are in the full export described under “Verification”." in text


def _start_delivery(client, campaign, targets, lang="en"):
    page = client.get(f"/organize/c/{campaign.slug}/delivery/").get_data(as_text=True)
    response = client.post(f"/organize/c/{campaign.slug}/delivery/", data={
        "csrf_token": csrf_from(page), "locale": lang,
        "targets": [str(t.id) for t in targets]})
    assert response.status_code == 303
    return response.headers["Location"]


def test_test_mode_sends_to_the_organization_and_keeps_collecting(
        client, smtp_app, smtp_server, full_campaign, bodies, org):
    user, password = make_user(campaigns=[full_campaign])
    user.name = "Aigerim Sadykova"
    db.session.commit()
    login(client, user.email, password)
    outbox.work(once=True)
    preview_url = _start_delivery(client, full_campaign, [bodies["un_min"]], "ru")
    preview = client.get(preview_url).get_data(as_text=True)
    assert "contact@korday.example.org" in preview  # where it really goes
    assert "test mode" in preview and "KB" in preview
    response = client.post(preview_url + "/send", data={"csrf_token": csrf_from(preview),
                                                         "mode": "keep"})
    assert response.status_code == 303
    twice = client.post(preview_url + "/send", data={"csrf_token": csrf_from(preview),
                                                      "mode": "keep"})
    assert "This delivery has been sent already." in client.get(
        twice.headers["Location"]).get_data(as_text=True)
    assert len(db.session.scalars(select(Delivery)).all()) == 1
    before = len(smtp_server.messages)
    outbox.work(once=True)
    sent = smtp_server.messages[before:]
    assert [m["To"] for m in sent] == ["contact@korday.example.org"]
    text = sent[0].get_body(("plain",)).get_content()
    # The test-mode banner first, in the letter's language, naming the intended institution.
    first_line = text.splitlines()[0]
    assert first_line.startswith("ТЕСТОВЫЙ РЕЖИМ")
    assert "Специальный докладчик по вопросам меньшинств <minority@un.example.org>" in first_line
    assert sent[0]["Subject"].startswith("[TEST] ")
    assert "Кому: Специальный докладчик" in text and "Aigerim Sadykova" in text
    assert sent[0]["Reply-To"] == user.email
    db.session.expire_all()
    refreshed = db.session.get(Campaign, full_campaign.id)
    assert refreshed.status == "live" and refreshed.delivered_at is not None
    public = client.get(f"/en/c/{full_campaign.slug}").get_data(as_text=True)
    assert "Delivered on" in public and "UN Special Rapporteur on minority issues." in public
    assert "The petition stays open" in public and 'id="sign"' in public
    # The Russian page names the institution as the directory writes it in Russian.
    public_ru = client.get(f"/ru/c/{full_campaign.slug}").get_data(as_text=True)
    assert "Специальный докладчик по вопросам меньшинств" in public_ru
    assert "UN Special Rapporteur on minority issues." not in public_ru


def test_second_delivery_says_what_changed_then_close_and_reopen(
        client, smtp_app, full_campaign, bodies, org):
    smtp_app.config["LETTERS_LIVE"] = True
    routing.set_live(None, True)  # and an admin switched letters to live
    admin, password = make_user(role="admin")
    login(client, admin.email, password)
    url = _start_delivery(client, full_campaign, [bodies["un_min"]])
    page = client.get(url).get_data(as_text=True)
    client.post(url + "/send", data={"csrf_token": csrf_from(page), "mode": "keep"})
    make_signature(full_campaign, full_name="Late Signer", country="DE")
    make_signature(full_campaign, full_name="Later Signer", country="DE")
    url = _start_delivery(client, full_campaign, [bodies["osce_hcnm"]])
    job = db.session.get(DossierJob, int(url.rsplit("/", 1)[1]))
    text = flat(pdf_text(job.pdf))
    assert re.search(r"first delivered on .+ with 4 signatures\. Since then the count has "
                     r"changed by \+2 to 6\.", text)
    page = client.get(url).get_data(as_text=True)
    assert client.post(url + "/send", data={"csrf_token": csrf_from(page),
                                            "mode": "close"}).status_code == 303
    db.session.expire_all()
    assert db.session.get(Campaign, full_campaign.id).status == "delivered"
    assert len(db.session.scalars(select(Delivery)).all()) == 2
    console = client.get(f"/organize/c/{full_campaign.slug}/delivery/").get_data(as_text=True)
    assert "Reopen the petition for signatures" in console
    assert client.post(f"/organize/c/{full_campaign.slug}/delivery/reopen",
                       data={"csrf_token": csrf_from(console)}).status_code == 303
    db.session.expire_all()
    assert db.session.get(Campaign, full_campaign.id).status == "live"


def test_only_an_admin_reopens_a_closed_petition(client, app, full_campaign):
    full_campaign.status = "delivered"
    db.session.commit()
    organizer, password = make_user(campaigns=[full_campaign])
    login(client, organizer.email, password)
    console = client.get(f"/organize/c/{full_campaign.slug}/delivery/").get_data(as_text=True)
    assert "Reopen the petition" not in console
    assert client.post(f"/organize/c/{full_campaign.slug}/delivery/reopen",
                       data={"csrf_token": csrf_from(console)}).status_code == 403
    db.session.expire_all()
    assert db.session.get(Campaign, full_campaign.id).status == "delivered"


def test_big_campaigns_get_their_dossier_from_the_worker(client, app, full_campaign, bodies,
                                                         org):
    app.config["DOSSIER_INLINE_MAX_SIGNATURES"] = 2
    user, password = make_user(campaigns=[full_campaign])
    login(client, user.email, password)
    url = _start_delivery(client, full_campaign, [bodies["un_min"]])
    page = client.get(url).get_data(as_text=True)
    assert "The dossier is being prepared." in page and "/send" not in page
    assert delivery.run_pending_jobs() == 1
    assert delivery.run_pending_jobs() == 0  # nothing built twice
    page = client.get(url).get_data(as_text=True)
    assert "/send" in page and "dossier.pdf" in page
    download = client.get(url + "/dossier.pdf")
    assert download.mimetype == "application/pdf" and "Әсел" in pdf_text(download.data)


def test_a_request_never_waits_for_the_fonts_to_be_made(client, app, full_campaign, bodies,
                                                        org, monkeypatch):
    """On a site whose Chinese weights are not made yet (a minute of work), a small campaign's
    dossier is queued for the worker instead of being built in the organizer's request."""
    from campaign.letters import dossier

    made = []
    monkeypatch.setattr(dossier, "fonts_ready", lambda: False)
    monkeypatch.setattr(dossier, "_instance", lambda *args: made.append(args))
    user, password = make_user(campaigns=[full_campaign])
    login(client, user.email, password)
    url = _start_delivery(client, full_campaign, [bodies["un_min"]])
    assert "The dossier is being prepared." in client.get(url).get_data(as_text=True)
    assert not made
    monkeypatch.undo()
    assert delivery.run_pending_jobs() == 1
    assert "/send" in client.get(url).get_data(as_text=True)


def test_export_download_matches_the_fingerprint(client, app, full_campaign, org):
    user, password = make_user(campaigns=[full_campaign])
    assert client.get(f"/organize/c/{full_campaign.slug}/delivery/export.csv"
                      ).status_code == 302  # organizers only
    login(client, user.email, password)
    export = client.get(f"/organize/c/{full_campaign.slug}/delivery/export.csv").data
    assert hashlib.sha256(export).hexdigest() == delivery.export_sha256(full_campaign.id)


def test_delivery_refuses_bad_input_without_a_500(client, app, full_campaign, bodies, org):
    user, password = make_user(campaigns=[full_campaign])
    login(client, user.email, password)
    page = client.get(f"/organize/c/{full_campaign.slug}/delivery/").get_data(as_text=True)
    token = csrf_from(page)
    assert client.post(f"/organize/c/{full_campaign.slug}/delivery/", data={
        "csrf_token": token, "locale": "en", "targets": ["x", "999999"]}).status_code == 422
    assert client.post(f"/organize/c/{full_campaign.slug}/delivery/", data={
        "csrf_token": token, "locale": "xx", "targets": [str(bodies["un_min"].id)]}
        ).status_code == 422
    url = _start_delivery(client, full_campaign, [bodies["un_min"]])
    assert client.post(url + "/send", data={"csrf_token": token, "mode": "burn"}
                       ).status_code == 400
    assert client.get(f"/organize/c/{full_campaign.slug}/delivery/999999").status_code == 404

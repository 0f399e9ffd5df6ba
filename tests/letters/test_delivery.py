"""Petition delivery: the PDF dossier (Kazakh and Chinese rendered), its checksum, the e-mail
with the PDF attached, the campaign marked delivered, and replies on the public timeline."""
import hashlib
import io
import re
from datetime import date

from babel.dates import format_date
from pypdf import PdfReader
from sqlalchemy import select

from campaign.audit.models import AuditEntry
from campaign.campaigns import service as campaigns
from campaign.campaigns.models import Campaign
from campaign.extensions import db
from campaign.letters import routing, service
from campaign.letters.models import Delivery
from campaign.organization import service as organization
from campaign.outbox import service as outbox
from tests.conftest import csrf_from, login
from tests.factories import make_signature, make_user

KAZAKH = "Қордай ауданындағы дүнген ауылдары"
CHINESE = "审查科尔代案件的判决"


def pdf_text(data: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)


def multilingual(campaign):
    campaigns.set_text(campaign, "kk", title="Үкімдерді қайта қарау", summary=KAZAKH,
                       body_markdown="## Не болды\n\n**2020 жылғы 7–8 ақпан** түні.")
    campaigns.set_text(campaign, "zh", title="复审判决", summary=CHINESE, body_markdown="")
    db.session.commit()
    make_signature(campaign, full_name="Әсел Құрманғазиева", country="KZ",
                   comment="Әділдік керек! ә ғ қ ң ө ұ ү һ і")
    make_signature(campaign, full_name="王小明", country="CN", comment=CHINESE)
    make_signature(campaign, full_name="Hidden Person", country="KG", display="anonymous",
                   comment="A comment the signer allowed")
    hidden = make_signature(campaign, full_name="Shown Name", country="KG",
                            comment="Moderated away")
    hidden.comment_hidden = True
    make_signature(campaign, full_name="Never Confirmed", confirmed=False)
    db.session.commit()


def test_dossier_pdf_renders_kazakh_and_chinese_and_carries_the_checksum(app, campaign):
    multilingual(campaign)
    pdf, data = service.dossier_pdf(campaign, "kk")
    text = pdf_text(pdf)
    assert KAZAKH in text and "ә ғ қ ң ө ұ ү һ і" in text
    assert CHINESE in text  # Chinese comment, drawn with the CJK fallback font
    assert "Әсел Құрманғазиева" in text and "王小明" in text
    assert "Hidden Person" not in text and "A comment the signer allowed" in text
    assert "Moderated away" not in text and "Never Confirmed" not in text
    assert "Қазақстан" in text  # country names in the letter's language
    export = service.canonical_export(campaign.id)
    assert data.export_sha256 == hashlib.sha256(export).hexdigest()
    assert data.export_sha256 in text.replace("\n", "")
    assert data.total == 4 and dict(data.by_country) == {"KZ": 1, "CN": 1, "KG": 2}

    zh_pdf, _ = service.dossier_pdf(campaign, "zh")
    assert "复审判决" in pdf_text(zh_pdf)


def test_canonical_export_is_fixed_and_documented(app, campaign):
    first = make_signature(campaign, full_name='Quote "Me", please', email="q@example.org")
    make_signature(campaign, confirmed=False)
    export = service.canonical_export(campaign.id).decode("utf-8")
    lines = export.split("\n")
    assert lines[0] == "signature_id,full_name,email,country,locale,confirmed_at"
    assert lines[1].startswith(f'{first.id},"Quote ""Me"", please",q@example.org,KZ,en,')
    assert re.search(r",\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d$", lines[1])
    assert len(lines) == 3 and lines[2] == ""  # one confirmed row, LF-terminated
    assert "\r" not in export


def test_delivery_and_reply_show_on_the_campaign_page(client, smtp_app, smtp_server,
                                                        campaign, bodies):
    multilingual(campaign)
    smtp_app.config["LETTERS_LIVE"] = True
    routing.set_live(None, True)  # and an admin switched letters to live
    organization.save(None, name="Korday Justice Initiative", postal_address="1 Road\nGeneva",
                      contact_email="contact@korday.example.org", website="", about={})
    user, password = make_user(campaigns=[campaign])
    user.name = "Organizer Name"
    db.session.commit()
    login(client, user.email, password)
    outbox.work(once=True)  # the signers' confirmation e-mails
    console = client.get(f"/organize/c/{campaign.slug}/delivery/").get_data(as_text=True)
    chosen = [bodies["un_min"], bodies["eu_form"]]
    response = client.post(f"/organize/c/{campaign.slug}/delivery/", data={
        "csrf_token": csrf_from(console), "locale": "en",
        "targets": [str(t.id) for t in chosen]})
    assert response.status_code == 303
    preview = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Sent to: minority@un.example.org" in preview
    assert "No e-mail address: recorded as handed over by you." in preview
    outbox.work(once=True)
    assert not any("Petition" in m["Subject"] for m in smtp_server.messages)  # not yet sent
    job_url = response.headers["Location"]
    response = client.post(job_url + "/send", data={
        "csrf_token": csrf_from(preview), "mode": "close"})
    assert response.status_code == 303

    before = len(smtp_server.messages)
    outbox.work(once=True)
    delivered = smtp_server.messages[before:]
    assert [m["To"] for m in delivered] == ["minority@un.example.org"]  # EU: web form only
    message = delivered[0]
    assert message["Subject"] == f"Petition: Title {campaign.slug} en"
    text = message.get_body(("plain",)).get_content()
    assert "To: UN Special Rapporteur on minority issues" in text and "Organizer Name" in text
    assert "Korday Justice Initiative" in text
    assert message["Reply-To"] == user.email
    attachments = list(message.iter_attachments())
    assert len(attachments) == 1 and attachments[0].get_content_type() == "application/pdf"
    assert attachments[0].get_filename() == f"{campaign.slug}-petition-en.pdf"
    pdf = attachments[0].get_content()
    assert CHINESE in pdf_text(pdf)
    sha = hashlib.sha256(service.canonical_export(campaign.id)).hexdigest()
    assert sha in text

    db.session.expire_all()
    refreshed = db.session.get(Campaign, campaign.id)
    assert refreshed.status == "delivered" and refreshed.delivered_at is not None
    deliveries = db.session.scalars(select(Delivery).order_by(Delivery.id)).all()
    assert sorted((d.target.short_id, d.signature_count, d.export_sha256, bool(
        d.outbox_message_id)) for d in deliveries) == [
        ("eu_form", 4, sha, False), ("un_min", 4, sha, True)]
    # On the record: the delivery (one entry per institution, with the checksum), and each
    # download of its dossier and of the export it was made from.
    recorded = db.session.scalars(select(AuditEntry).where(
        AuditEntry.action == "letters.deliver").order_by(AuditEntry.id)).all()
    assert sorted(e.target for e in recorded) == sorted(str(d.target_id) for d in deliveries)
    assert {e.user_email for e in recorded} == {user.email}
    assert all(e.detail["changes"]["export_sha256"]["new"] == sha for e in recorded)
    assert client.get(f"{job_url}/dossier.pdf").status_code == 200
    assert client.get(f"/organize/c/{campaign.slug}/delivery/export.csv").status_code == 200
    downloads = {e.action: e for e in db.session.scalars(select(AuditEntry).where(
        AuditEntry.campaign_id == campaign.id))}
    assert downloads["letters.dossier"].user_email == user.email
    assert downloads["signature.export_delivery"].user_email == user.email

    page = client.get(f"/organize/c/{campaign.slug}/letters").get_data(as_text=True)
    bad = client.post(f"/organize/c/{campaign.slug}/letters/replies", data={
        "csrf_token": csrf_from(page), "target_id": bodies["un_min"].id,
        "received_on": "not a date", "summary": "", "link": "javascript:alert(1)"})
    assert bad.status_code == 422
    reply = client.post(f"/organize/c/{campaign.slug}/letters/replies", data={
        "csrf_token": csrf_from(page), "target_id": bodies["un_min"].id,
        "received_on": "2026-12-01", "summary": "The Rapporteur wrote to the Government.",
        "link": "https://example.org/reply"})
    assert reply.status_code == 303

    public = client.get(f"/en/c/{campaign.slug}").get_data(as_text=True)
    today = format_date(date.today(), "long", locale="en")
    assert f"{today}</time> —" in public
    assert f"Delivered on {today} to " in public
    assert "Petition delivered to UN Special Rapporteur on minority issues (4 signatures)" in public
    assert "Petition delivered to EU Delegation (web form only)" in public
    assert "Reply from UN Special Rapporteur on minority issues" in public
    assert "The Rapporteur wrote to the Government." in public
    assert 'href="https://example.org/reply"' in public


def test_outbox_attachment_survives_the_queue(app, sent_mail):
    outbox.enqueue(kind="test", to="a@example.org", subject="Файл", body_text="see attached",
                   attachments=[("досье.pdf", "application/pdf", b"%PDF-1.4 test")])
    db.session.commit()
    outbox.work(once=True)
    message = sent_mail()[-1]
    part = next(message.iter_attachments())
    assert part.get_filename() == "досье.pdf" and part.get_content() == b"%PDF-1.4 test"


def test_dossier_download_is_for_the_campaign_organizers(client, app, campaign):
    make_signature(campaign, full_name="Нұрлан Әбенов")
    assert client.get(f"/organize/c/{campaign.slug}/letters/dossier.pdf").status_code == 302
    organizer, password = make_user(campaigns=[campaign])
    login(client, organizer.email, password)
    response = client.get(f"/organize/c/{campaign.slug}/letters/dossier.pdf?locale=ru")
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    assert "Нұрлан Әбенов" in pdf_text(response.data)
    assert client.get(f"/organize/c/{campaign.slug}/letters/dossier.pdf?locale=xx"
                       ).status_code == 404

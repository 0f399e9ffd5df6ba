"""A reply on the timeline: a summary per language, a PDF checked by type, magic bytes and
size, and one action that tells the signers who asked for news, each in their language."""
import io
from datetime import date

from campaign.campaigns import service as campaigns
from campaign.extensions import db
from campaign.letters import service
from campaign.letters.models import Reply
from campaign.outbox import service as outbox
from tests.conftest import csrf_from, login
from tests.factories import make_signature, make_user

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def _reply(campaign, bodies):
    return service.log_reply(campaign, bodies["un_min"], received_on=date(2026, 12, 1),
                             summary="The Rapporteur wrote to the Government.", link=None)


def _details(client, campaign, reply, **data):
    url = f"/organize/c/{campaign.slug}/replies/{reply.id}"
    page = client.get(url).get_data(as_text=True)
    return client.post(url, data={"csrf_token": csrf_from(page), **data},
                       content_type="multipart/form-data")


def test_summary_per_language_and_pdf_on_the_timeline(client, app, campaign, bodies):
    reply = _reply(campaign, bodies)
    user, password = make_user(campaigns=[campaign])
    login(client, user.email, password)
    response = _details(client, campaign, reply,
                        summary_ru="Докладчик написал правительству.",
                        attachment=(io.BytesIO(PDF), "ответ.pdf", "application/pdf"))
    assert response.status_code == 303
    db.session.expire_all()
    stored = db.session.get(Reply, reply.id)
    assert stored.summaries == {"ru": "Докладчик написал правительству."}
    assert stored.attachment_pdf == PDF
    ru = client.get(f"/ru/c/{campaign.slug}").get_data(as_text=True)
    assert "Докладчик написал правительству." in ru and "Ответ (PDF)" in ru
    en = client.get(f"/en/c/{campaign.slug}").get_data(as_text=True)
    assert "The Rapporteur wrote to the Government." in en and "The reply (PDF)" in en
    pdf = client.get(f"/en/c/{campaign.slug}/replies/{reply.id}.pdf")
    assert pdf.status_code == 200 and pdf.mimetype == "application/pdf" and pdf.data == PDF


def test_attachments_that_are_not_small_pdfs_are_refused(client, app, campaign, bodies):
    reply = _reply(campaign, bodies)
    user, password = make_user(campaigns=[campaign])
    login(client, user.email, password)
    for data, ctype, message in (
            (b"MZ\x90\x00 not a pdf", "application/pdf", "The attachment must be a PDF file."),
            (PDF, "text/html", "The attachment must be a PDF file."),
            (b"%PDF-" + b"0" * (1600 * 1024), "application/pdf",
             "The file is too large: at most 1.5 MB.")):
        response = _details(client, campaign, reply, attachment=(io.BytesIO(data), "x.pdf", ctype))
        assert response.status_code == 422 and message in response.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(Reply, reply.id).attachment_pdf is None
    assert client.get(f"/en/c/{campaign.slug}/replies/{reply.id}.pdf").status_code == 404


def test_signers_who_asked_for_news_are_told_once_in_their_language(
        client, app, campaign, bodies, sent_mail):
    campaigns.set_text(campaign, "ru", title="Заголовок", summary="Кратко", body_markdown="")
    db.session.commit()
    make_signature(campaign, email="ru@example.org", locale="ru", updates=True)
    make_signature(campaign, email="en@example.org", locale="en", updates=True)
    make_signature(campaign, email="quiet@example.org", locale="en", updates=False)
    outbox.work(once=True)
    before = len(sent_mail())
    reply = _reply(campaign, bodies)
    user, password = make_user(campaigns=[campaign])
    login(client, user.email, password)
    _details(client, campaign, reply, summary_ru="Докладчик написал правительству.")
    page = client.get(f"/organize/c/{campaign.slug}/replies/{reply.id}").get_data(as_text=True)
    assert "2 signers asked for news" in page
    url = f"/organize/c/{campaign.slug}/replies/{reply.id}/notify"
    assert client.post(url, data={"csrf_token": csrf_from(page)}).status_code == 303
    again = client.post(url, data={"csrf_token": csrf_from(page)})
    assert again.status_code == 303
    assert "already told" in client.get(again.headers["Location"]).get_data(as_text=True)
    outbox.work(once=True)
    sent = {m["To"]: m for m in sent_mail()[before:]}
    assert set(sent) == {"ru@example.org", "en@example.org"}
    ru = sent["ru@example.org"].get_body(("plain",)).get_content()
    assert "Докладчик написал правительству." in ru
    assert "Ответ адресата UN Special Rapporteur" in str(sent["ru@example.org"]["Subject"])
    en = sent["en@example.org"].get_body(("plain",)).get_content()
    assert "The Rapporteur wrote to the Government." in en
    assert f"/en/c/{campaign.slug}" in en and f"/ru/c/{campaign.slug}" in ru

"""XSS payloads in every stored text field come out escaped on every page and e-mail."""
import re

from campaign.campaigns import service as campaigns
from campaign.extensions import db
from campaign.outbox import service as outbox
from campaign.privacy import service as privacy
from tests.conftest import login
from tests.factories import make_campaign, make_signature, make_user

PAYLOAD = '<script>alert("x")</script><img src=x onerror=alert(1)>'


def assert_escaped(html, where):
    assert "<script>alert" not in html and "<img src=x" not in html, where
    return html


def test_signer_fields_are_escaped_on_pages_and_in_emails(client, app, sent_mail):
    campaign = make_campaign()
    signature = make_signature(campaign, full_name=f"Name {PAYLOAD}", comment=PAYLOAD,
                               email="xss@example.org")
    page = assert_escaped(client.get(f"/en/c/{campaign.slug}").get_data(as_text=True),
                          "campaign page")
    assert "&lt;script&gt;alert" in page  # shown, as text
    outbox.work(once=True)
    html_mail = sent_mail()[0].get_body(("html",)).get_content()
    assert_escaped(html_mail, "confirmation e-mail")
    assert "&lt;script&gt;" in html_mail
    token = privacy.data_token(signature.email_key)
    assert_escaped(client.get(f"/privacy/data/{token}").get_data(as_text=True), "data page")
    user, password = make_user(campaigns=[campaign])
    login(client, user.email, password)
    for url in (f"/organize/c/{campaign.slug}/", f"/organize/c/{campaign.slug}/safety",
                "/organize/"):
        assert_escaped(client.get(url).get_data(as_text=True), url)


def test_campaign_texts_are_escaped_or_sanitised(client, app):
    campaign = make_campaign()
    campaigns.set_text(campaign, "en", title=PAYLOAD, summary=PAYLOAD,
                       body_markdown=f"{PAYLOAD}\n\n[link](javascript:alert(1))")
    db.session.commit()
    for url in ("/en/", f"/en/c/{campaign.slug}"):
        html = assert_escaped(client.get(url).get_data(as_text=True), url)
        assert not re.search(r'href="javascript:', html)

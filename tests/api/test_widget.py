"""The widget: framable only by the sites the organizer listed; signing through it follows
the same rules as the campaign page (confirmation e-mail, same answer, no cookie needed)."""
import re

from sqlalchemy import func, select

from campaign.extensions import db
from campaign.outbox.models import OutboxMessage
from campaign.petitions.models import Signature
from campaign.widget import service as widget
from tests.conftest import csrf_from, login
from tests.factories import make_campaign, make_signature, make_user

FORM = {"full_name": "Aisha Vanahun", "email": "aisha@example.org", "country": "KZ",
        "comment": "", "display": "full"}


def frame_ancestors(response) -> str:
    csp = response.headers.get("Content-Security-Policy", "")
    match = re.search(r"frame-ancestors ([^;]+)", csp)
    return match.group(1).strip() if match else ""


def widget_token(html: str) -> str:
    return re.search(r'name="widget_token" value="([^"]+)"', html).group(1)


def test_widget_is_framable_by_listed_sites_only_and_the_campaign_page_by_none(client, app):
    campaign = make_campaign()
    page = client.get(f"/en/c/{campaign.slug}")
    assert page.headers["X-Frame-Options"] == "DENY"
    assert frame_ancestors(page) == "'none'"

    unlisted = client.get(f"/en/c/{campaign.slug}/widget")
    assert frame_ancestors(unlisted) == "'none'"

    widget.set_framing(campaign.id, ["https://Partner.org/petitions", "http://localhost:8123"])
    listed = client.get(f"/en/c/{campaign.slug}/widget")
    assert listed.status_code == 200
    assert "X-Frame-Options" not in listed.headers
    assert frame_ancestors(listed) == "https://partner.org http://localhost:8123"
    # Listing partners for the widget does not make the campaign page framable.
    page = client.get(f"/en/c/{campaign.slug}")
    assert page.headers["X-Frame-Options"] == "DENY" and frame_ancestors(page) == "'none'"

    widget.set_framing(campaign.id, [], allow_any=True)
    assert frame_ancestors(client.get(f"/en/c/{campaign.slug}/widget")) == "*"


def test_widget_shows_count_progress_and_form_in_the_chosen_language_and_style(client, app):
    campaign = make_campaign(locales=("en", "ru"), goal=10)
    make_signature(campaign)
    response = client.get(f"/ru/c/{campaign.slug}/widget?theme=dark&accent=AA3300")
    html = response.get_data(as_text=True)
    assert 'data-count="1"' in html and '<progress max="10" value="1"' in html
    assert f"Title {campaign.slug} ru" in html and 'lang="ru"' in html
    assert 'class="widget theme-dark"' in html
    assert "/widget/accent/aa3300.css" in html
    assert "<script>" not in html and " style=" not in html  # no inline script or style
    for name in ("full_name", "email", "country", "display", "widget_token"):
        assert f'name="{name}"' in html
    css = client.get("/widget/accent/aa3300.css")
    assert css.mimetype == "text/css" and "#aa3300" in css.get_data(as_text=True)
    assert client.get("/widget/accent/red;x.css").status_code == 404
    hostile = client.get(f"/en/c/{campaign.slug}/widget?theme=<x>&accent=red").get_data(
        as_text=True)
    assert "theme-light" in hostile and "accent/" not in hostile


def test_signing_through_the_widget_without_cookies(app, sent_mail):
    campaign = make_campaign()
    widget.set_framing(campaign.id, ["https://partner.org"])
    # A third-party iframe gets no cookies: a fresh client per request proves none is needed.
    html = app.test_client(use_cookies=False).get(f"/en/c/{campaign.slug}/widget").get_data(
        as_text=True)
    response = app.test_client(use_cookies=False).post(
        f"/en/c/{campaign.slug}/widget/sign?theme=dark",
        data=dict(FORM, widget_token=widget_token(html)))
    assert response.status_code == 303
    assert "/widget/thanks" in response.location and "theme=dark" in response.location
    thanks = app.test_client(use_cookies=False).get(response.location)
    assert "Check your inbox" in thanks.get_data(as_text=True)
    assert "frame-ancestors https://partner.org" in thanks.headers["Content-Security-Policy"]
    signature = db.session.scalar(select(Signature))
    assert signature.status == "pending" and signature.source == "widget"
    assert db.session.scalar(select(OutboxMessage)).kind == "signature_confirm"
    assert "Set-Cookie" not in response.headers


def test_widget_refuses_a_missing_or_foreign_token_and_bad_input(client, app):
    campaign, other = make_campaign(), make_campaign()
    url = f"/en/c/{campaign.slug}/widget/sign"
    assert client.post(url, data=FORM).status_code == 400
    foreign = widget_token(client.get(f"/en/c/{other.slug}/widget").get_data(as_text=True))
    assert client.post(url, data=dict(FORM, widget_token=foreign)).status_code == 400
    token = widget_token(client.get(f"/en/c/{campaign.slug}/widget").get_data(as_text=True))
    bad = client.post(url, data=dict(FORM, email="nope", widget_token=token))
    assert bad.status_code == 422
    assert "Please enter a valid e-mail address." in bad.get_data(as_text=True)
    assert 'value="Aisha Vanahun"' in bad.get_data(as_text=True)  # what they typed is kept
    assert db.session.scalar(select(Signature)) is None


def test_closed_campaign_widget_takes_no_signatures(client, app):
    campaign = make_campaign(status="closed")
    html = client.get(f"/en/c/{campaign.slug}/widget").get_data(as_text=True)
    assert "no longer takes signatures" in html and 'name="email"' not in html
    response = client.post(f"/en/c/{campaign.slug}/widget/sign",
                           data=dict(FORM, widget_token=widget.form_token(campaign.id)))
    assert response.status_code == 403
    assert db.session.scalar(select(Signature)) is None


def test_organizer_lists_partner_sites_in_the_console(client, app):
    campaign, theirs = make_campaign(), make_campaign()
    user, password = make_user(campaigns=[campaign])
    login(client, user.email, password)
    url = f"/organize/c/{campaign.slug}/widget"
    page = client.get(url)
    assert page.status_code == 200 and "widget.js" in page.get_data(as_text=True)
    token = csrf_from(page.get_data(as_text=True))
    bad = client.post(url, data={"csrf_token": token, "origins": "javascript:alert(1)"})
    assert bad.status_code == 422
    assert client.post(url, data={"csrf_token": token,
                                  "origins": "https://partner.org\nhttps://b.example"}
                       ).status_code == 303
    assert widget.frame_ancestors(campaign.id) == ["https://partner.org", "https://b.example"]
    assert client.get(f"/organize/c/{theirs.slug}/widget").status_code == 403


def test_widget_signing_is_rate_limited(app, database_url, tmp_path):
    from tests.conftest import make_app

    limited = make_app(database_url, tmp_path / "limited", RATELIMIT_ENABLED=True,
                       WIDGET_SIGN_RATE_LIMIT="2/minute")
    with limited.app_context():
        campaign = make_campaign()
        widget.set_framing(campaign.id, ["https://partner.org"])
        client = limited.test_client()
        responses = []
        for n in range(3):
            token = widget.form_token(campaign.id)
            responses.append(client.post(
                f"/en/c/{campaign.slug}/widget/sign",
                data=dict(FORM, email=f"s{n}@example.org", widget_token=token)))
        assert [r.status_code for r in responses] == [303, 303, 429]
        # The refusal is shown inside the partner's page, not blocked as a frame.
        assert frame_ancestors(responses[-1]) == "https://partner.org"
        assert db.session.scalar(select(func.count()).select_from(Signature)) == 2
        db.session.remove()

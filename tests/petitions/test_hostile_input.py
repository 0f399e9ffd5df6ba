"""Nothing a client sends to the sign form yields a 500, and nothing invalid is stored."""
import pytest
from sqlalchemy import func, select

from campaign.extensions import db
from campaign.outbox import service as outbox
from campaign.outbox.models import OutboxMessage
from campaign.petitions import service as petitions
from campaign.petitions.models import Signature
from tests.conftest import csrf_from
from tests.factories import make_campaign
from tests.petitions.test_signing import FORM

HOSTILE = {
    "script": "<script>alert(1)</script>",
    "sql": "'; DROP TABLE signatures; --",
    "null_byte": "Aisha\x00Vanahun",
    "control": "bell\x07",
    "overlong": "Ж" * 5000,
    "astral": "😀" * 200,
    "rtl_override": "\u202eevil",
    "empty": "",
    "spaces": "   ",
}
FIELDS = ["full_name", "email", "country", "comment", "display", "updates"]


def stored_rows():
    return (db.session.scalar(select(func.count()).select_from(Signature)),
            db.session.scalar(select(func.count()).select_from(OutboxMessage)))


@pytest.mark.parametrize("field", FIELDS)
@pytest.mark.parametrize("kind", sorted(HOSTILE))
def test_hostile_value_in_each_field(client, app, field, kind):
    campaign = make_campaign()
    token = csrf_from(client.get(f"/en/c/{campaign.slug}").get_data(as_text=True))
    data = dict(FORM, csrf_token=token)
    data[field] = HOSTILE[kind]
    response = client.post(f"/en/c/{campaign.slug}/sign", data=data)
    assert response.status_code in (303, 422), response.status_code
    if response.status_code == 422:
        assert stored_rows() == (0, 0)
        assert 'class="field-error"' in response.get_data(as_text=True)
    else:
        signature = db.session.scalar(select(Signature))
        assert "\x00" not in (signature.full_name + (signature.comment or ""))
        assert stored_rows() == (1, 1)


def test_script_in_name_and_comment_is_escaped_on_page_and_in_email(client, app, sent_mail):
    campaign = make_campaign()
    token = csrf_from(client.get(f"/en/c/{campaign.slug}").get_data(as_text=True))
    client.post(f"/en/c/{campaign.slug}/sign", data=dict(
        FORM, csrf_token=token, full_name="<script>alert(1)</script>",
        comment="<img src=x onerror=alert(2)>"))
    signature = db.session.scalar(select(Signature))
    petitions.confirm(petitions.signature_token("confirm", signature))
    page = client.get(f"/en/c/{campaign.slug}").get_data(as_text=True)
    assert "<script>alert(1)</script>" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    outbox.work(once=True)
    html = sent_mail()[0].get_body(("html",)).get_content()
    assert "<script>" not in html and "&lt;script&gt;" in html


def test_malformed_requests(client, app):
    campaign = make_campaign()
    url = f"/en/c/{campaign.slug}/sign"
    token = csrf_from(client.get(f"/en/c/{campaign.slug}").get_data(as_text=True))
    # Repeated fields, a JSON body, invalid UTF-8 bytes, no body at all.
    assert client.post(url, data={**FORM, "csrf_token": token,
                                  "country": ["KZ", "RU"]}).status_code in (303, 422)
    assert client.post(url, json=FORM).status_code == 400
    # Invalid UTF-8: stray bytes, an overlong encoding of "/", an encoded surrogate.
    before = stored_rows()
    for bad in (b"%FF%FE", b"%C0%AF", b"%ED%B3%BF"):
        raw = (b"full_name=" + bad + b"&email=a%40example.org&country=KZ&display=full"
               b"&csrf_token=" + token.encode())
        assert client.post(url, data=raw, content_type="application/x-www-form-urlencoded"
                           ).status_code == 400
    assert stored_rows() == before
    assert client.post(url).status_code == 400
    assert client.get(url).status_code == 405
    assert client.post(f"/en/c/{'x' * 5000}/sign", data=FORM).status_code in (400, 404)
    for signature in db.session.scalars(select(Signature)):
        assert not {"\x00", "\ufffd"} & set(signature.full_name)


def test_oversized_body_is_413_and_stores_nothing(client, app):
    campaign = make_campaign()
    token = csrf_from(client.get(f"/en/c/{campaign.slug}").get_data(as_text=True))
    response = client.post(f"/en/c/{campaign.slug}/sign", data=dict(
        FORM, csrf_token=token, comment="x" * (app.config["MAX_CONTENT_LENGTH"] + 1)))
    assert response.status_code == 413
    assert "too large" in response.get_data(as_text=True)
    assert stored_rows() == (0, 0)

"""Tampered, foreign and expired links give a clear page, never a 500."""
import pytest

from campaign.petitions import service as petitions
from tests.factories import make_campaign, make_signature


@pytest.mark.parametrize("kind", ["confirm", "unsubscribe", "forget"])
@pytest.mark.parametrize("token", ["garbage", "a.b.c", "%00", "x" * 3000, "..", "eyJ9"])
def test_bad_tokens_give_a_clear_page(client, app, kind, token):
    response = client.get(f"/{kind}/{token}")
    assert response.status_code in (400, 404), response.status_code
    if response.status_code == 400:
        assert "This link is not valid" in response.get_data(as_text=True)


def test_a_token_for_another_purpose_is_refused(client, app):
    signature = make_signature(make_campaign(), confirmed=False)
    unsubscribe = petitions.signature_token("unsubscribe", signature)
    assert client.get(f"/forget/{unsubscribe}").status_code == 400
    assert client.get(f"/privacy/data/{unsubscribe}").status_code == 400


def test_an_expired_confirmation_link_says_so(client, app):
    signature = make_signature(make_campaign(), confirmed=False)
    token = petitions.signature_token("confirm", signature)
    app.config["CONFIRM_MAX_AGE_DAYS"] = -1
    response = client.get(f"/confirm/{token}")
    assert response.status_code == 410 and "expired" in response.get_data(as_text=True)

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


def test_a_link_to_an_id_now_held_by_another_signer_confirms_nothing(client, app):
    """SQLite may give a deleted signature's id to a new one: the old link names the id but
    carries the digest of the first signer's address. Its first click changes nothing."""
    from sqlalchemy import update

    from campaign.extensions import db
    from campaign.outbox.models import OutboxMessage
    from campaign.petitions.models import Signature
    campaign = make_campaign()
    signature = make_signature(campaign, confirmed=False)
    token = petitions.signature_token("confirm", signature)
    # The row now belongs to someone else (as a reused id would).
    db.session.execute(update(Signature).where(Signature.id == signature.id)
                       .values(email="other@example.org", email_key="other@example.org"))
    db.session.commit()
    before = db.session.get(type(campaign), campaign.id).signature_count
    queued = db.session.query(OutboxMessage).filter_by(kind="signature_thanks").count()
    response = client.get(f"/confirm/{token}")
    assert response.status_code == 404
    db.session.expire_all()
    assert db.session.get(Signature, signature.id).status == "pending"
    assert db.session.get(Signature, signature.id).confirmed_at is None
    assert db.session.get(type(campaign), campaign.id).signature_count == before
    assert db.session.query(OutboxMessage).filter_by(kind="signature_thanks").count() == queued

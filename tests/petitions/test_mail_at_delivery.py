"""The confirmation e-mail is built when the worker sends it: the request only queues what it
is about. The signer still gets it exactly when the signature exists."""
from sqlalchemy import select

from campaign.extensions import db
from campaign.outbox import service as outbox
from campaign.outbox.models import OutboxMessage
from campaign.petitions import service
from campaign.petitions.models import Signature
from tests.factories import make_campaign
from tests.petitions.test_signing import deliver_and_get_link, sign


def test_the_request_queues_the_mail_and_the_worker_writes_it(client, app, sent_mail):
    campaign = make_campaign()
    assert sign(client, campaign, lang="ru").status_code == 303
    row = db.session.scalar(select(OutboxMessage))
    signature = db.session.scalar(select(Signature))
    assert (row.kind, row.to_addr, row.render_lang) == (
        "signature_confirm", "aisha@example.org", "ru")
    assert row.render_ref == signature.id and row.campaign_id == campaign.id
    # Nothing rendered yet: no link (a key to the signer's data) waits in the database.
    assert row.body_text == "" and "confirm" not in str(row.headers)

    link = deliver_and_get_link(sent_mail)
    message = sent_mail()[-1]
    assert message["To"] == "aisha@example.org"
    assert "Подтвердите" in message["Subject"] or "подпис" in message["Subject"].lower()
    assert message["List-Unsubscribe"].strip().startswith("<http://campaign.test/unsubscribe/")
    assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert message["Auto-Submitted"] == "auto-generated"
    assert client.get(link).status_code == 200
    assert db.session.get(Signature, signature.id).status == "confirmed"


def test_a_signature_forgotten_before_delivery_gets_no_mail(client, app, sent_mail):
    campaign = make_campaign()
    sign(client, campaign)
    sign(client, campaign, email="other@example.org", full_name="Other Signer")
    gone = db.session.scalar(select(Signature).where(Signature.email == "aisha@example.org"))
    service.forget(gone)

    assert outbox.work(once=True) == 2  # both claimed, no crash
    assert [m["To"] for m in sent_mail()] == ["other@example.org"]
    # The forgotten signer's message (and its address) is gone from the outbox, not failed.
    assert db.session.scalars(select(OutboxMessage.to_addr)).all() == ["other@example.org"]
    assert outbox.work(once=True) == 0

"""SMTP down while people sign: mail waits in the outbox and goes out once, none lost."""
from aiosmtpd.controller import Controller
from sqlalchemy import select, update

from campaign.extensions import db
from campaign.outbox import service as outbox
from campaign.outbox.models import OutboxMessage
from campaign.util import utcnow
from tests.conftest import RecordingHandler, free_port
from tests.factories import make_campaign
from tests.forms_util import sign_post


def test_signatures_during_an_smtp_outage_are_all_mailed_once_it_returns(client, app):
    port = free_port()  # nothing listens here yet: the mail server is down
    app.config.update(MAIL_TRANSPORT="smtp", MAIL_SERVER="127.0.0.1", MAIL_PORT=port)
    mail = app.extensions["mail"]
    # Flask-Mail suppresses sending when TESTING; this test needs the real SMTP client.
    mail.server, mail.port, mail.suppress = "127.0.0.1", port, False
    campaign = make_campaign()
    for n in range(12):
        assert sign_post(client, campaign, email=f"s{n}@example.org").status_code == 303

    assert outbox.deliver_batch() == 12
    rows = db.session.scalars(select(OutboxMessage)).all()
    assert {r.status for r in rows} == {"queued"} and all(r.last_error for r in rows)

    handler = RecordingHandler()
    server = Controller(handler, hostname="127.0.0.1", port=port)
    server.start()
    try:
        # The retry time comes (we move it instead of waiting 30 s).
        db.session.execute(update(OutboxMessage).values(next_attempt_at=utcnow()))
        db.session.commit()
        outbox.work(once=True)
        outbox.work(once=True)  # a second pass finds nothing left to send
    finally:
        server.stop()
    ids = [m["Message-ID"] for m in handler.messages]
    assert len(ids) == 12 and len(set(ids)) == 12
    assert sorted(m["To"] for m in handler.messages) == sorted(
        f"s{n}@example.org" for n in range(12))
    db.session.expire_all()
    assert {r.status for r in db.session.scalars(select(OutboxMessage))} == {"sent"}

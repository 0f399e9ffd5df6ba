"""Delivery through a real SMTP server (aiosmtpd on loopback)."""
from campaign.extensions import db
from campaign.outbox import service as outbox
from tests.conftest import free_port


def test_batch_is_delivered_intact_over_smtp(smtp_app, smtp_server):
    for number in range(3):
        outbox.enqueue(kind="test", to=f"reader{number}@example.org",
                       subject="Подпишите петицию — Қордай", body_text="Сәлем, мир\n",
                       body_html="<p>Сәлем, <b>мир</b></p>",
                       headers={"List-Unsubscribe": "<http://campaign.test/unsubscribe/x>"})
    db.session.commit()
    assert outbox.deliver_batch() == 3
    messages = smtp_server.messages
    assert sorted(m["To"] for m in messages) == [f"reader{n}@example.org" for n in range(3)]
    message = messages[0]
    assert str(message["Subject"]) == "Подпишите петицию — Қордай"
    assert message["List-Unsubscribe"] == "<http://campaign.test/unsubscribe/x>"
    assert message["Message-ID"].startswith("<outbox-")
    assert message.get_body(("plain",)).get_content() == "Сәлем, мир\n"
    assert "<b>мир</b>" in message.get_body(("html",)).get_content()
    assert len({m["Message-ID"] for m in messages}) == 3
    assert outbox.counts_by_status() == {"sent": 3}


def test_smtp_down_keeps_every_message_queued(app):
    app.config.update(MAIL_TRANSPORT="smtp", MAIL_SERVER="127.0.0.1", MAIL_PORT=free_port())
    outbox.enqueue(kind="test", to="reader@example.org", subject="s", body_text="b")
    db.session.commit()
    outbox.deliver_batch()
    assert outbox.counts_by_status() == {"queued": 1}

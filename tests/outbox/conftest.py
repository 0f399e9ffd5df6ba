"""An SMTP sink that keeps the envelope and the exact bytes (for VERP and DKIM checks), and
refuses the recipients a test names with the reply it gives."""
from __future__ import annotations

import threading
from email import message_from_bytes, policy

import pytest
from aiosmtpd.controller import Controller

from tests.conftest import free_port


class Envelope:
    def __init__(self, mail_from, rcpt_tos, raw, peer=None):
        self.mail_from, self.rcpt_tos, self.raw, self.peer = mail_from, rcpt_tos, raw, peer
        self.message = message_from_bytes(raw, policy=policy.default)


class SinkHandler:
    def __init__(self):
        self.received: list[Envelope] = []
        self.refuse: dict[str, str] = {}  # address -> SMTP reply, e.g. "550 5.1.1 no user"
        self.lock = threading.Lock()

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address in self.refuse:
            return self.refuse[address]
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        with self.lock:
            self.received.append(Envelope(envelope.mail_from, list(envelope.rcpt_tos),
                                          envelope.original_content or envelope.content,
                                          peer=session.peer))
        return "250 OK"


@pytest.fixture
def sink(app):
    """The app delivering over SMTP to a loopback aiosmtpd that keeps envelopes and bytes."""
    handler = SinkHandler()
    controller = Controller(handler, hostname="127.0.0.1", port=free_port())
    controller.start()
    app.config.update(MAIL_TRANSPORT="smtp", MAIL_SERVER="127.0.0.1",
                      MAIL_PORT=controller.port, MAIL_SUPPRESS_SEND=False)
    mail = app.extensions["mail"]
    mail.server, mail.port, mail.suppress = "127.0.0.1", controller.port, False
    yield handler
    controller.stop()

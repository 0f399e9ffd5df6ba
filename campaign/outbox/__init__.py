"""The outbox: every e-mail is a row written in the transaction of the action that causes it,
delivered later by `flask outbox work`. It knows nothing of the features that fill it."""
from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    """Inline delivery after a request (when configured) and `flask outbox`."""
    from .cli import outbox_cli
    from .service import deliver_inline_after_request

    app.after_request(deliver_inline_after_request)
    app.cli.add_command(outbox_cli)

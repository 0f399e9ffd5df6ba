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
    from ..ops.metrics import register_gauge
    from .service import count_by_status, oldest_waiting_age
    register_gauge(app, "campaign_outbox_queue_depth",
                   "Outbox messages waiting to be sent (queued or sending).",
                   lambda: count_by_status("queued", "sending"))
    register_gauge(app, "campaign_outbox_oldest_age_seconds",
                   "Age of the oldest message still waiting (0 when none).", oldest_waiting_age)
    register_gauge(app, "campaign_outbox_failed_messages",
                   "Messages given up after OUTBOX_MAX_ATTEMPTS.",
                   lambda: count_by_status("failed"))

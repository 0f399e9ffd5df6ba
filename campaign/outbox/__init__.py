"""The outbox: every e-mail is a row written in the transaction of the action that causes it,
delivered later by `flask outbox work`. It knows nothing of the features that fill it."""
from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    """Inline delivery after a request (when configured), the one-click unsubscribe-from-all
    page, `flask outbox` and `flask mail`."""
    from .cli import mail_cli, outbox_cli
    from .service import deliver_inline_after_request
    from .views import bp

    app.after_request(deliver_inline_after_request)
    app.register_blueprint(bp)
    app.cli.add_command(outbox_cli)
    app.cli.add_command(mail_cli)
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

"""Translated names of the status codes stored in the database, for sentences and tables.

Codes (`live`, `pending`, ...) stay in the database and URLs; a page shows
`status_label(kind, code)`. The kind is part of the key because one code reads differently
per thing: a pending signature waits for its confirmation, a pending donation for its payment.
An unknown code is shown as it is rather than failing the page.
"""
from __future__ import annotations

from flask_babel import lazy_gettext as _l

STATUS_LABELS = {
    "campaign": {"draft": _l("draft"), "live": _l("live"), "closed": _l("closed"),
                 "delivered": _l("delivered")},
    "signature": {"pending": _l("awaiting confirmation"), "confirmed": _l("confirmed"),
                  "invalidated": _l("invalidated")},
    "update": {"draft": _l("draft"), "scheduled": _l("scheduled"), "sent": _l("sent")},
    "letter": {"unconfirmed": _l("unconfirmed"), "queued": _l("queued"), "held": _l("held"),
               "digested": _l("sent in a digest"), "manual": _l("to deliver by hand"),
               "unchecked": _l("awaiting an address check")},
    "donation": {"pending": _l("awaiting payment"), "paid": _l("paid"), "active": _l("active"),
                 "failed": _l("failed"), "refunded": _l("refunded"),
                 "canceled": _l("cancelled"), "pledged": _l("pledged")},
}


def status_label(kind: str, code: str) -> str:
    label = STATUS_LABELS.get(kind, {}).get(code)
    return str(label) if label is not None else code

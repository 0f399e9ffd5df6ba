"""Where a message meant for an institution really goes: the one place that decides.

Letters are never sent to a real institution by accident. Until the deployment sets
LETTERS_LIVE=true *and* an admin switched letters to live in the console (recorded in the
audit log), every supporter letter, petition cover letter and digest goes to a test address
(LETTERS_TEST_ADDRESS, else the organization's contact, else the site's own sender address),
with the intended recipient written at the top. A site loaded with demo content starts in test
mode like any other, and stays in it while the organization profile is the demo's.

Engineer-facing contract: every feature that e-mails an institution calls
`route_to_institution(address, name)` and sends to `route.to`, putting `route.banner(lang)`
above its text (`route.mark(text, lang)` does that for plain text).
"""
from __future__ import annotations

from dataclasses import dataclass
from email.utils import parseaddr
from typing import TYPE_CHECKING, cast

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import select

from .. import i18n
from ..extensions import db
from ..organization import service as organization_service
from ..util import utcnow
from .models import LettersMode

if TYPE_CHECKING:
    from ..organizers.models import User


def _mode_row() -> LettersMode | None:
    return db.session.scalar(select(LettersMode).order_by(LettersMode.id).limit(1))


def switched_live() -> bool:
    row = _mode_row()
    return bool(row and row.live)


def is_live() -> bool:
    """Both keys turned (the deployment allows it and an admin chose it), and the site's
    organization is a real one, not the demo's (an admin saving the profile makes it real)."""
    return (bool(current_app.config.get("LETTERS_LIVE")) and switched_live()
            and not organization_service.get().is_demo)


def test_address() -> str:
    configured: str | None = current_app.config.get("LETTERS_TEST_ADDRESS")
    if configured:
        return configured
    contact = organization_service.get().contact_email
    if contact:
        return contact
    sender = current_app.config.get("MAIL_DEFAULT_SENDER") or ""
    if isinstance(sender, tuple | list):
        return cast(str, sender[1])
    return parseaddr(sender)[1] or sender


def set_live(user: User, live: bool) -> None:
    """An admin's switch, recorded in the audit log; the caller checks the role."""
    from ..audit import service as audit

    row = _mode_row()
    if row is None:
        row = LettersMode()
        db.session.add(row)
    row.live, row.changed_at = live, utcnow()
    row.changed_by = getattr(user, "email", "") or ""
    audit.record(user, "letters.live" if live else "letters.test_mode",
                 deployment_allows_live=bool(current_app.config.get("LETTERS_LIVE")))
    db.session.commit()


@dataclass(frozen=True)
class Route:
    to: str                 # the address the message is really sent to
    intended: str           # the institution's address
    intended_name: str
    test_mode: bool

    def banner(self, lang: str) -> str:
        """The line a reader sees above the message in test mode; empty when live."""
        if not self.test_mode:
            return ""
        with i18n.force_language(lang):
            return cast(str, _("TEST MODE: this message was meant for %(name)s <%(address)s>. "
                               "Letters are not sent to institutions until an admin switches "
                               "them to live.", name=self.intended_name, address=self.intended))

    def mark(self, text: str, lang: str) -> str:
        banner = self.banner(lang)
        return f"{banner}\n\n{text}" if banner else text

    def subject(self, subject: str) -> str:
        return f"[TEST] {subject}" if self.test_mode else subject


def route_to_institution(address: str, name: str) -> Route:
    """Where a message for the institution `name` at `address` goes right now."""
    if is_live():
        return Route(to=address, intended=address, intended_name=name, test_mode=False)
    return Route(to=test_address(), intended=address, intended_name=name, test_mode=True)

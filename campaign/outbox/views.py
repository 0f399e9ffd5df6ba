"""The address-wide unsubscribe link in mail to donors and letter writers, and the RFC 8058
one-click POST that mailbox providers send to it (and to a signer's unsubscribe link).

One-click: the provider POSTs the body `List-Unsubscribe=One-Click` with no cookie and no CSRF
token; the signed token in the URL is the credential. Exactly that POST is exempt from CSRF
(`is_one_click`); any other POST to these URLs still needs a valid CSRF token.
"""
from flask import Blueprint, render_template, request
from flask.typing import ResponseReturnValue

from .. import emails
from ..extensions import csrf, db
from ..tokens import InvalidToken, read_token
from . import suppression

bp = Blueprint("mail", __name__)


def is_one_click() -> bool:
    """The body RFC 8058 prescribes, sent as a form (urlencoded or multipart)."""
    return request.method == "POST" and request.form.get("List-Unsubscribe") == "One-Click"


def protect_unless_one_click() -> None:
    """CSRF for every POST but the one-click one (for views exempted with csrf.exempt)."""
    if request.method == "POST" and not is_one_click():
        csrf.protect()


@bp.route("/unsubscribe/all/<token>", methods=["GET", "POST"])
@csrf.exempt  # see protect_unless_one_click
def unsubscribe_all(token: str) -> ResponseReturnValue:
    protect_unless_one_click()
    try:
        email_key = read_token(emails.UNSUBSCRIBE_ALL_PURPOSE, token)
    except InvalidToken:
        email_key = None
    if not isinstance(email_key, str):
        return render_template("petitions/link_problem.html", problem="invalid"), 400
    done = request.method == "POST"
    if done:
        suppression.suppress(email_key, scope="bulk", reason="unsubscribe")
        db.session.commit()
    return render_template("mail/unsubscribe_all.html", done=done)

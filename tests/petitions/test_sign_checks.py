"""The sign view checks a valid post without building the WTForms form
(forms.checked_sign_values). It must accept exactly what the form accepts, with the same
values, and hand everything else to the form (which shows the translated errors)."""
from __future__ import annotations

import pytest
from flask import g
from werkzeug.datastructures import MultiDict

from campaign.petitions.forms import SignForm, checked_sign_values
from tests.factories import make_campaign
from tests.forms_util import sign_post

BASE = {"full_name": "Aisha Vanahun", "email": "aisha@example.org", "country": "KZ",
        "comment": "Free them", "display": "full", "updates": "y", "csrf_token": "checked",
        "form_started": "token", "website": "", "ref": ""}
LONG = "x" * 121

POSTS: list[dict[str, object]] = [
    {},
    {"comment": None}, {"comment": ""}, {"comment": "  line one\r\nline two\t "},
    {"updates": None}, {"updates": "false"}, {"updates": ""}, {"updates": "on"},
    {"display": "initial"}, {"display": "anonymous"}, {"display": "everyone"},
    {"display": None}, {"display": ""},
    {"country": "XX"}, {"country": ""}, {"country": None}, {"country": "kz"},
    {"email": "not an address"}, {"email": ""}, {"email": None},
    {"email": "  Aisha@Example.ORG  "}, {"email": "someone@mailinator.com"},
    {"email": "a@" + "b" * 250 + ".org"},
    {"full_name": ""}, {"full_name": "   "}, {"full_name": None}, {"full_name": LONG},
    {"full_name": "Aisha\x00"}, {"full_name": "\u202eAisha"}, {"full_name": "Aisha\u00a0V"},
    {"full_name": "\u3164"}, {"full_name": "Anna\u200dMaria"},
    {"comment": "x" * 1001}, {"comment": "bell\x07"}, {"comment": "\ufffd"},
    {"website": "http://spam.example"}, {"form_started": None}, {"ref": "Newsletter"},
    {"partner_opt_in": "y"}, {"unknown_field": "anything"},
    {"full_name": ["Aisha", "Other"]}, {"email": ["a@example.org", "b@example.org"]},
    {"csrf_token": ["one", "two"]}, {"updates": ["y", "y"]},
]


def _formdata(changes: dict[str, object]) -> MultiDict[str, str]:
    fields = {**BASE, **changes}
    items: list[tuple[str, str]] = []
    for name, value in fields.items():
        if value is None:
            continue
        items.extend((name, v) for v in (value if isinstance(value, list) else [value]))
    return MultiDict(items)


@pytest.mark.parametrize("changes", POSTS, ids=[repr(p)[:40] for p in POSTS])
def test_the_quick_check_accepts_exactly_what_the_form_accepts(app, changes):
    formdata = _formdata(changes)
    with app.test_request_context("/en/c/x/sign", method="POST", data=formdata):
        g.csrf_valid = True  # what csrf.protect() leaves after a good token
        quick = checked_sign_values(SignForm, formdata)
        form = SignForm()
        valid = form.validate()
        if valid:
            assert quick is not None, "a valid post must not need the form"
            for name, value in quick.items():
                if name != "form_started" or "form_started" in formdata:
                    assert value == form.data[name], name
        else:
            assert quick is None, f"the form refuses it: {form.errors}"


def test_without_a_passed_csrf_check_the_form_decides(app):
    formdata = _formdata({})
    with app.test_request_context("/en/c/x/sign", method="POST", data=formdata):
        assert checked_sign_values(SignForm, formdata) is None


def test_a_signature_through_the_quick_check_stores_what_was_typed(client, app):
    from sqlalchemy import select

    from campaign.extensions import db
    from campaign.petitions.models import Signature

    campaign = make_campaign()
    response = sign_post(client, campaign, full_name="  Aisha\u00a0Vanahun ",
                         email=" Aisha@Example.org ", comment="  Free them  ",
                         display="initial")
    assert response.status_code == 303
    signature = db.session.scalar(select(Signature))
    assert (signature.full_name, signature.email_key, signature.comment,
            signature.display, signature.updates_opt_in) == (
        "Aisha Vanahun", "aisha@example.org", "Free them", "initial", True)


def test_a_refused_post_still_shows_the_translated_errors(client, app):
    campaign = make_campaign()
    response = sign_post(client, campaign, lang="ru", full_name="")
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert "Укажите ваше имя." in page
    assert "Please enter your name." not in page

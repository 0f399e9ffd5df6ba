"""One schema, two front ends: a paper row is accepted exactly when the web form accepts
the same values (petitions/forms.py SignatureFields), and refused with the form's message."""
from __future__ import annotations

import pytest
from werkzeug.datastructures import MultiDict

from campaign.petitions.console import paper
from campaign.petitions.forms import SignForm
from tests.factories import make_campaign

GOOD = {"full_name": "Айгуль Сейтова", "email": "aigul@example.org", "country": "KZ",
        "comment": "Справедливость"}
CASES = [
    {},
    {"full_name": "Replacement \ufffd character"},       # paper took these before
    {"full_name": "Not a character \uffff"},
    {"comment": "Bad bytes \ufffd in a comment"},
    {"email": "someone@mailinator.com"},                  # throwaway mailbox
    {"full_name": "Bell\x07"},
    {"comment": "Two\nlines\tand a tab"},
    {"email": "not-an-address"},
    {"country": "XX"},
    {"full_name": "x" * 121},
    {"comment": "y" * 1001},
    {"full_name": ""},
]


def _web_accepts(app, values: dict) -> tuple[bool, list[str]]:
    with app.test_request_context("/en/c/x/sign", method="POST",
                                  data={**values, "display": "full"}):
        form = SignForm(MultiDict({**values, "display": "full"}), meta={"csrf": False})
        valid = form.validate()
        return valid, [str(e) for name in ("full_name", "email", "country", "comment")
                       for e in form[name].errors]


@pytest.mark.parametrize("change", CASES)
def test_paper_accepts_exactly_what_the_web_form_accepts(app, change):
    values = {**GOOD, **change}
    web_valid, web_errors = _web_accepts(app, values)
    campaign = make_campaign()
    header = "full_name,email,country,comment\n"
    quoted = ",".join('"' + values[name].replace('"', '""') + '"'
                      for name in ("full_name", "email", "country", "comment"))
    with app.test_request_context():
        report = paper.read((header + quoted + "\n").encode("utf-8"), campaign.id)
        paper_errors = [str(error.message) for error in report.errors]
    assert bool(report.valid) == web_valid, (values, web_errors, paper_errors)
    if not web_valid:
        assert paper_errors[0] in web_errors


def test_cases_include_what_the_old_paper_check_let_through(app):
    """The replacement character was refused by the web form and accepted on paper."""
    valid, errors = _web_accepts(app, {**GOOD, "full_name": "A \ufffd"})
    assert not valid and errors

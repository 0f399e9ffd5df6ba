"""Organizers' templates run in a sandbox: a hostile template is reported, never run."""
import time

import pytest

from campaign.letters import service, templating
from campaign.letters.templating import TemplateProblem
from tests.conftest import csrf_from, login
from tests.factories import make_user

VALUES = templating.sample_values("Title", 42, "2026-11-26")


def test_placeholders_are_filled(app):
    rendered = templating.render_letter(
        "{{ campaign_title }} ({{ signature_count }})",
        "Dear {{ target_name }}, {{ supporter_name }} from {{ supporter_place }}, {{ date }}",
        VALUES)
    assert rendered.subject == "Title (42)"
    assert rendered.body == ("Dear UN Special Rapporteur on minority issues, Aisha Vanahun "
                             "from Almaty, Kazakhstan, 2026-11-26")


@pytest.mark.parametrize("source, line, fragment", [
    ("Hello\n{{ ''.__class__ }}", 2, "__class__"),
    ("{{ ''.__class__.__mro__[1].__subclasses__() }}", 1, "called"),
    ("{{ range.__globals__ }}", 1, "not allowed"),
    ("{{ cycler.__init__.__globals__.os }}", 1, "not allowed"),
    ("{{ 'x' * 100000000 }}", 1, "Mul"),
    ("{{ supporter_name|center(1000000000) }}", 1, "center"),
    ("{% set s = 'aaaa' %}{{ s }}", 1, "Assign"),
    ("a\nb\n{{ lipsum() }}", 3, "range"),
    ("{% include 'base.html' %}", 1, "Include"),
    ("ok\n{% for x in range(10000000) %}x{% endfor %}", 2, "range"),
    (("{% for i in range(200) %}{% for j in range(200) %}{% for k in range(200) %}"
     "{% endfor %}{% endfor %}{% endfor %}"), 1, "too much work"),
    (("{% for i in range(200) %}{% for j in range(200) %}{{ supporter_name }}{{ campaign_title }}"
     "{% endfor %}{% endfor %}"), 1, "longer than"),
    ("line one\n{% if %}", 2, "Expected an expression"),
    ("one\ntwo\n{{ no_such_placeholder }}", 3, "undefined"),
])
def test_hostile_or_broken_templates_are_contained(app, source, line, fragment):
    started = time.monotonic()
    with pytest.raises(TemplateProblem) as caught:
        templating.render(source, VALUES)
    assert time.monotonic() - started < 3
    assert caught.value.line == line
    assert fragment in caught.value.message


def test_console_preview_and_broken_template_reported_with_line(client, app, campaign):
    user, password = make_user(campaigns=[campaign])
    login(client, user.email, password)
    page = client.get(f"/organize/c/{campaign.slug}/letters")
    assert page.status_code == 200
    token = csrf_from(page.get_data(as_text=True))
    form = {"csrf_token": token, "kind": "cover", "locale": "en",
            "subject": "About {{ campaign_title }}", "body": "Dear {{ target_name }},\nsigned "
            "by {{ signature_count }}"}
    preview = client.post(f"/organize/c/{campaign.slug}/letters", data=dict(form, action="preview"))
    html = preview.get_data(as_text=True)
    assert preview.status_code == 200
    assert f"About Title {campaign.slug} en" in html
    assert "Dear UN Special Rapporteur on minority issues," in html

    saved_before = service.find_template(campaign, "cover", "en").body
    broken = client.post(f"/organize/c/{campaign.slug}/letters", data=dict(
        form, action="save", body="fine\n{{ ''.__class__.__mro__ }}"))
    html = broken.get_data(as_text=True)
    assert broken.status_code == 422
    assert "line 2" in html and "__class__" in html
    assert service.find_template(campaign, "cover", "en").body == saved_before  # kept

    saved = client.post(f"/organize/c/{campaign.slug}/letters", data=dict(form, action="save"))
    assert saved.status_code == 303
    assert service.find_template(campaign, "cover", "en").subject == "About {{ campaign_title }}"

    # A supporters' letter holds only the text: the site writes addressee, date, greeting and
    # signature around it, so a template that writes them itself is refused, with the reason.
    letter = client.post(f"/organize/c/{campaign.slug}/letters", data=dict(
        form, kind="letter", action="save", body="Text.\nYours, {{ supporter_name }}"))
    assert letter.status_code == 422
    assert "Leave out {{ supporter_name }}" in letter.get_data(as_text=True).replace("&#34;", '"')
    assert "supporter_name" not in service.find_template(campaign, "letter", "en").body


def test_console_is_guarded(client, app, campaign):
    assert client.get(f"/organize/c/{campaign.slug}/letters").status_code == 302
    stranger, password = make_user()
    login(client, stranger.email, password)
    assert client.get(f"/organize/c/{campaign.slug}/letters").status_code == 403


def test_template_falls_back_to_the_campaign_default_language(app, campaign):
    assert service.find_template(campaign, "letter", "dng").locale == "en"
    assert service.find_template(campaign, "letter", "ru").locale == "ru"


def test_supporters_letter_preview_reads_as_the_institution_reads_it(client, app, campaign):
    from datetime import date

    user, password = make_user(campaigns=[campaign])
    login(client, user.email, password)
    page = client.get(f"/organize/c/{campaign.slug}/letters?kind=letter&locale=ru")
    html = page.get_data(as_text=True)
    assert "Я пишу вам о дунганах" in html  # the saved Russian letter was opened
    preview = client.post(f"/organize/c/{campaign.slug}/letters", data={
        "csrf_token": csrf_from(html), "kind": "letter", "locale": "ru", "action": "preview",
        "subject": "{{ campaign_title }}", "body": "Прошу пересмотреть приговоры."})
    shown = preview.get_data(as_text=True)
    assert preview.status_code == 200
    assert service.letter_date(date.today(), "ru") in shown
    assert "Уважаемые дамы и господа!" in shown and "С уважением,\nAisha Vanahun" in shown

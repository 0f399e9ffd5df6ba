"""Read what is sent, in every language of the site: the supporter's letter, the confirmation
e-mail, the digest and the letters page, as the person at the other end reads them."""
import re
from datetime import date

import pytest
from sqlalchemy import select

from campaign.extensions import db
from campaign.i18n import force_language
from campaign.letters import service
from campaign.letters.models import Letter
from campaign.outbox.models import OutboxMessage
from campaign.targets import service as targets
from tests.factories import make_campaign
from tests.letters.conftest import confirm_by_outbox

LANGUAGES = ["en", "ru", "kk", "ky", "zh", "fr", "de"]
NAME, PLACE, ADDRESS = "Айгүл Сейітқали", "Жаркент", "aigul@example.org"
# What a reader of each language must not meet: the English scaffolding of a letter.
ENGLISH = ("Dear Sir or Madam", "Yours sincerely", "Your name", "City or country", "Hello")


@pytest.fixture
def directory(app, live):
    targets.load_starting_set()
    campaign = make_campaign(locales=tuple(LANGUAGES))
    service.install_default_templates(campaign)
    db.session.commit()
    minority = targets.all_targets()
    target = next(t for t in minority if t.short_id == "sr_minority_issues")
    targets.mark_verified(target)
    service.set_campaign_targets(campaign, {target.id}, {target.id})
    return campaign, target


def _messages(kind):
    return db.session.scalars(select(OutboxMessage).where(OutboxMessage.kind == kind)
                              .order_by(OutboxMessage.id)).all()


def _clean(text: str, lang: str) -> None:
    for label in service.placeholder_labels():
        assert label not in text, label
    for marker in ("{{", "{%", "[[", "%(", "None"):
        assert marker not in text, marker
    if lang != "en":
        for english in ENGLISH:
            assert english not in text, english


@pytest.mark.parametrize("lang", LANGUAGES)
def test_letter_confirmation_and_digest_read_right_in(client, directory, lang):
    campaign, target = directory
    target.languages = lang  # the body reads this language only: everything goes in it
    db.session.commit()
    institution = target.name_in(lang)
    if lang != "en":
        assert institution != target.name  # its own name in this language, from the data
    today = service.letter_date(date.today(), lang)
    assert today != date.today().isoformat() and str(date.today().year) in today

    # The letters page in that language: names, descriptions and languages read there.
    page = client.get(f"/{lang}/c/{campaign.slug}/letters").get_data(as_text=True)
    assert institution.replace("'", "&#39;") in page
    assert target.description_in(lang).replace("'", "&#39;") in page
    assert service.language_names([lang], lang) in page

    subject, body, template = service.draft(campaign, lang)
    assert template.locale == lang and body
    _clean(subject + body, lang)
    service.send_letters(campaign, targets=[target], name=NAME, email=ADDRESS, place=PLACE,
                         subject=subject, body=body, locale=lang)

    confirm = _messages("letters_confirm")[-1]
    _clean(confirm.subject + confirm.body_text + (confirm.body_html or ""), lang)
    assert NAME in confirm.body_text and institution in confirm.body_text
    assert _messages("letters_letter") == []  # nothing before the click

    confirm_by_outbox(client, ADDRESS)
    letter = _messages("letters_letter")[-1]
    text = letter.body_text
    _clean(letter.subject + text, lang)
    assert letter.to_addr == target.email
    head, _sep, rest = text.partition("\n\n")
    assert head == f"{institution}\n{today}"
    with force_language(lang):
        from flask_babel import gettext
        greeting, regards = gettext("Dear Sir or Madam,"), gettext("Yours sincerely,")
    assert rest.startswith(greeting)
    assert f"{regards}\n{NAME}\n{PLACE}" in text
    count = service.letter_number(campaign.signature_count, lang)
    assert count in text

    # Over the daily cap the letter waits for the digest, also in the body's language.
    client.application.config["LETTERS_DAILY_CAP_PER_TARGET"] = 0
    service.send_letters(campaign, targets=[target], name=NAME, email=ADDRESS, place=PLACE,
                         subject=subject, body=body, locale=lang)
    confirm_by_outbox(client, ADDRESS)
    assert db.session.scalars(select(Letter.status).order_by(Letter.id)).all() == [
        "queued", "held"]
    service.send_digests()
    digest = _messages("letters_digest")[-1]
    _clean(digest.subject + digest.body_text + digest.body_html, lang)
    assert digest.body_text.startswith(f"{institution}\n\n{greeting}")
    assert NAME in digest.body_text and PLACE in digest.body_text
    assert re.search(r"\b1\b", digest.subject)  # "1 letter", in the language's plural form


def test_dungan_readers_get_the_russian_interface_and_names(client, directory):
    campaign, target = directory
    page = client.get(f"/dng/c/{campaign.slug}/letters").get_data(as_text=True)
    assert target.name_in("ru") in page


@pytest.mark.parametrize("lang, expected", [
    ("en", ["1 letter waiting for its sender's click", "1,234 letters held for today's digest",
            "3 letters sent", "21 letters waiting for an address check"]),
    ("ru", ["1 письмо ждёт подтверждения отправителя", "1 234 письма ждут сегодняшней сводки",
            "3 письма отправлены", "21 письмо ждёт проверки адреса"]),
    ("fr", ["1 lettre en attente du clic de son expéditeur",
            "1 234 lettres retenues pour le récapitulatif du jour", "3 lettres envoyées",
            "21 lettres en attente de la vérification de l'adresse"]),
])
def test_console_counts_follow_cldr_plurals(app, lang, expected):
    from campaign.letters.views import _status_counts

    with app.test_request_context(), force_language(lang):
        said = _status_counts({"unconfirmed": 1, "held": 1234, "queued": 3, "unchecked": 21})
    assert sorted(" ".join(s.replace("\u202f", " ").replace("\xa0", " ").split())
                  for s in said) == sorted(expected)

"""Safe by default: the sign form starts on the least exposure that still names a person,
organizers choose a campaign's default and whether signers are listed, the list never shows
more than a signer chose, and names that hide characters are refused on every front end."""
import pytest
from sqlalchemy import select

from campaign.audit.models import AuditEntry
from campaign.extensions import db
from campaign.petitions.models import Signature
from campaign.validators import invisible_character
from tests.conftest import csrf_from, login
from tests.factories import make_campaign, make_signature, make_user
from tests.petitions.test_signing import sign


def checked_display(html: str) -> str:
    """The value of the display radio button the page pre-selects."""
    import re
    found = re.findall(r'<input[^>]*name="display"[^>]*>', html)
    checked = [tag for tag in found if "checked" in tag]
    assert len(checked) == 1, found
    return re.search(r'value="(\w+)"', checked[0]).group(1)


def test_sign_form_defaults_to_first_name_and_initials(client, app):
    campaign = make_campaign()
    assert campaign.default_display == "initial"
    assert checked_display(client.get(f"/en/c/{campaign.slug}").get_data(as_text=True)) \
        == "initial"
    assert checked_display(client.get(f"/en/c/{campaign.slug}/widget").get_data(
        as_text=True)) == "initial"


def test_a_signature_without_a_choice_is_not_shown_by_full_name(client, app):
    from campaign.petitions import service as petitions

    campaign = make_campaign()
    petitions.sign(campaign, petitions.SignatureInput(
        full_name="Aisha Bibi Vanahun", email="aisha@example.org", country="KZ", locale="en"))
    signature = db.session.scalar(select(Signature))
    assert signature.display == "initial"
    petitions.confirm(petitions.signature_token("confirm", signature))
    page = client.get(f"/en/c/{campaign.slug}").get_data(as_text=True)
    assert "Aisha B. V." in page and "Vanahun" not in page


def test_api_signature_without_display_takes_the_campaign_default(client, app):
    from campaign.api import service as api

    campaign = make_campaign()
    campaign.default_display = "anonymous"
    db.session.commit()
    user, _ = make_user(campaigns=[campaign])
    _key, token = api.create_key(user, "test", [campaign.id])
    response = client.post(f"/api/v1/campaigns/{campaign.slug}/signatures", json={
        "person": {"name": "Quiet Person", "email_addresses": [{"address": "q@example.org"}],
                   "postal_addresses": [{"country": "KZ"}]}},
        headers={"Authorization": f"Bearer {token}"})
    assert response.status_code in (200, 201, 202), response.get_data(as_text=True)
    assert db.session.scalar(select(Signature.display)) == "anonymous"


def test_latest_signers_respect_each_choice_and_hide_country_without_a_name(client, app):
    campaign = make_campaign()
    make_signature(campaign, full_name="Full Shown", display="full", country="DE")
    make_signature(campaign, full_name="Ina Initial Person", display="initial", country="FR")
    make_signature(campaign, full_name="Hidden Person", display="anonymous", country="KG")
    page = client.get(f"/en/c/{campaign.slug}").get_data(as_text=True)
    signers = page.split('<ul class="signers">')[1].split("</ul>")[0]
    assert "Full Shown" in signers and "Germany" in signers
    assert "Ina I. P." in signers and "France" in signers and "Initial Person" not in signers
    assert "Hidden" not in signers and "Anonymous" in signers
    assert "Kyrgyzstan" not in signers  # a hidden name shows no country either


def test_organizers_choose_the_default_and_turn_the_list_off(client, app):
    campaign = make_campaign()
    make_signature(campaign, full_name="Listed Person", display="full")
    user, password = make_user(campaigns=[campaign])
    login(client, user.email, password)
    url = f"/organize/c/{campaign.slug}/page"
    page = client.get(url)
    assert page.status_code == 200
    token = csrf_from(page.get_data(as_text=True))
    response = client.post(url, data={"csrf_token": token, "default_display": "anonymous"})
    assert response.status_code == 303
    db.session.expire_all()
    assert campaign.default_display == "anonymous" and campaign.show_recent_signers is False
    assert db.session.scalar(select(AuditEntry.action).where(
        AuditEntry.action == "campaign.reader_settings"))
    public = client.get(f"/en/c/{campaign.slug}").get_data(as_text=True)
    assert checked_display(public) == "anonymous"
    assert "Listed Person" not in public and "Latest signers" not in public

    bad = client.post(url, data={"csrf_token": token, "default_display": "everything"})
    assert bad.status_code == 422 and "Not a valid choice" in bad.get_data(as_text=True)
    db.session.expire_all()
    assert campaign.default_display == "anonymous"


def test_reader_settings_are_for_the_campaigns_organizers_only(client, app):
    campaign = make_campaign()
    other = make_campaign()
    user, password = make_user(campaigns=[other])
    assert client.get(f"/organize/c/{campaign.slug}/page").status_code in (302, 401)
    login(client, user.email, password)
    assert client.get(f"/organize/c/{campaign.slug}/page").status_code == 403


@pytest.mark.parametrize("name", [
    "Anna\u202eevil",        # right-to-left override
    "\u2067Anna\u2069",      # isolate
    "An\u200bna",            # zero-width space
    "\u3164",                # Hangul filler: a "name" that prints as nothing
    "Anna\u00adB",           # soft hyphen
    "\ufeffAnna",            # byte-order mark
])
def test_names_with_bidi_or_invisible_characters_are_refused(client, app, name):
    campaign = make_campaign(locales=("en", "ru"))
    response = sign(client, campaign, full_name=name)
    assert response.status_code == 422
    assert "invisible or text-direction characters" in response.get_data(as_text=True)
    ru = sign(client, campaign, lang="ru", full_name=name)
    assert ru.status_code == 422 and "невидимые" in ru.get_data(as_text=True)
    assert db.session.scalar(select(Signature)) is None


def test_names_in_every_script_and_pasted_spaces_are_accepted(client, app):
    campaign = make_campaign()
    assert sign(client, campaign, full_name="Jean\u00a0Dupont").status_code == 303
    assert db.session.scalar(select(Signature.full_name)) == "Jean Dupont"
    for name in ("Ли Мин", "马 晓", "محمد\u200cرضا", "Ömer Çelik"):
        assert invisible_character(name) is None, name

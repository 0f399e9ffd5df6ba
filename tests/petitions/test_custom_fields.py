"""Custom signature fields: defined per campaign, asked on the sign form, the widget, the API
and paper, validated by one schema with translated messages, exported, deleted with the
signer and, for the "deleted at delivery" class, at delivery."""
from __future__ import annotations

import csv
import io
import re
from html import unescape

import pytest
from flask_babel import force_locale
from flask_babel import gettext as _
from sqlalchemy import func, select

from campaign import i18n
from campaign.api import service as api
from campaign.extensions import db
from campaign.petitions import custom_fields
from campaign.petitions import service as petitions
from campaign.petitions.console import moderation, paper
from campaign.petitions.models import Signature, SignatureFieldValue
from campaign.privacy import service as privacy
from tests.conftest import csrf_from, login
from tests.factories import make_campaign, make_signature, make_user
from tests.forms_util import sign_post

LANGS = ("en", "ru", "kk", "ky", "zh", "fr", "de")


def define(campaign, key, kind, *, required=False, privacy="organizers", choices=()):
    labels = {"en": f"{key} label", "ru": f"{key} метка"}
    return custom_fields.add_field(campaign.id, custom_fields.FieldDefinition(
        key=key, kind=kind, labels=labels, required=required, privacy=privacy,
        choices=[{"value": value, "labels": {"en": value.title(), "ru": f"{value}-ру"}}
                 for value in choices]))


@pytest.fixture
def fielded(app):
    """A campaign in en and ru with one field of each type."""
    campaign = make_campaign(locales=("en", "ru"))
    define(campaign, "profession", "text", required=True)
    define(campaign, "age", "number")
    define(campaign, "region", "choice", choices=("almaty", "zhambyl"), privacy="public")
    define(campaign, "witness", "checkbox", required=True, privacy="delivery")
    return campaign


GOOD = {"cf_profession": "Teacher", "cf_age": "42", "cf_region": "zhambyl",
        "cf_witness": "y"}


def values_count():
    return db.session.scalar(select(func.count()).select_from(SignatureFieldValue))


def answers_of(signature_id):
    return custom_fields.answers_of([signature_id]).get(signature_id, {})


# --- definitions ------------------------------------------------------------------------------

@pytest.mark.parametrize("key, kind, choices, labels", [
    ("1bad", "text", [], {"en": "x"}),
    ("email", "text", [], {"en": "x"}),              # shadows an export column
    ("ok_key", "choice", [{"value": "a"}], {"en": "x"}),  # a choice needs two options
    ("ok_key", "choice", [{"value": "a"}, {"value": "a"}], {"en": "x"}),
    ("ok_key", "text", [], {"en": "  "}),            # no label at all
    ("ok_key", "colour", [], {"en": "x"}),
])
def test_unusable_definitions_are_refused(app, key, kind, choices, labels):
    campaign = make_campaign()
    with pytest.raises(custom_fields.FieldDefinitionError):
        custom_fields.add_field(campaign.id, custom_fields.FieldDefinition(
            key=key, kind=kind, labels=labels, choices=choices))
    assert custom_fields.fields_of(campaign.id) == []


def test_duplicate_key_is_refused_and_fields_keep_their_order(fielded):
    with pytest.raises(custom_fields.FieldDefinitionError):
        define(fielded, "age", "number")
    assert [f.key for f in custom_fields.fields_of(fielded.id)] == [
        "profession", "age", "region", "witness"]


# --- the sign form ----------------------------------------------------------------------------

def test_fields_show_in_the_readers_language(client, fielded):
    ru = client.get(f"/ru/c/{fielded.slug}").get_data(as_text=True)
    assert "profession метка" in ru and "zhambyl-ру" in ru and "(необязательно)" in ru
    en = client.get(f"/en/c/{fielded.slug}").get_data(as_text=True)
    assert "profession label" in en and "Zhambyl" in en and "метка" not in en
    # The widget asks the same questions.
    widget = client.get(f"/ru/c/{fielded.slug}/widget").get_data(as_text=True)
    assert "witness метка" in widget and 'name="cf_witness"' in widget


def test_valid_answers_are_stored_with_the_signature(client, fielded):
    response = sign_post(client, fielded, **GOOD)
    assert response.status_code == 303
    signature = db.session.scalar(select(Signature))
    assert answers_of(signature.id) == {"profession": "Teacher", "age": "42",
                                        "region": "zhambyl", "witness": "yes"}


def test_decimal_comma_is_accepted_and_empty_optional_answers_are_not_stored(client, fielded):
    assert sign_post(client, fielded, **{**GOOD, "cf_age": "4,5",
                                         "cf_region": ""}).status_code == 303
    signature = db.session.scalar(select(Signature))
    assert answers_of(signature.id) == {"profession": "Teacher", "age": "4.5",
                                        "witness": "yes"}


MISTAKES = {
    # form change -> the message the signer must read (msgid)
    "cf_profession": ("", "Please answer this question."),
    "cf_age": ("forty", "Please enter a number."),
    "cf_region": ("moscow", "Please choose one of the options."),
    "cf_witness": (None, "Please tick this box to sign."),
}


@pytest.mark.parametrize("lang", LANGS)
@pytest.mark.parametrize("name", sorted(MISTAKES))
def test_each_type_refuses_bad_input_with_a_translated_message(client, fielded, lang, name):
    value, msgid = MISTAKES[name]
    data = dict(GOOD)
    if value is None:
        del data[name]
    else:
        data[name] = value
    response = sign_post(client, fielded, lang=lang, **data)
    assert response.status_code == 422
    page = unescape(response.get_data(as_text=True))
    with force_locale(i18n.catalog_locale(lang)):
        expected = _(msgid)
    if lang != "en":
        assert expected != msgid, f"{msgid!r} is not translated to {lang}"
    assert f'id="{name}-error">{expected}' in page
    # The form comes back with what was typed; nothing is stored.
    assert 'value="Aisha Vanahun"' in page
    if value and name != "cf_region":  # a list cannot show an option it does not have
        assert f'value="{value}"' in page
    assert db.session.scalar(select(func.count()).select_from(Signature)) == 0
    assert values_count() == 0


HOSTILE = {
    "null": "Teach\x00er",
    "overlong": "Ж" * 5000,
    "control": "bell\x07",
    "markup": "<script>",
    "astral": "😀" * 600,
}


@pytest.mark.parametrize("name", ["cf_profession", "cf_age", "cf_region", "cf_witness"])
@pytest.mark.parametrize("kind", sorted(HOSTILE))
def test_hostile_answers_get_422_never_500(client, fielded, name, kind):
    response = sign_post(client, fielded, **{**GOOD, name: HOSTILE[kind]})
    if name == "cf_witness":  # any value ticks a box: stored as "yes", nothing else
        assert response.status_code == 303
        assert answers_of(db.session.scalar(select(Signature.id)))["witness"] == "yes"
        return
    if (name, kind) == ("cf_profession", "markup"):  # text is text: stored, escaped on output
        assert response.status_code == 303
        assert answers_of(db.session.scalar(select(Signature.id)))["profession"] == "<script>"
        return
    assert response.status_code == 422
    assert values_count() == 0


def test_repeated_answers_never_500(client, fielded):
    response = sign_post(client, fielded, **{**GOOD, "cf_region": ["almaty", "moscow"],
                                             "cf_age": ["1", "x"]})
    assert response.status_code in (303, 422)
    for value in db.session.scalars(select(SignatureFieldValue.value)):
        assert value in ("Teacher", "1", "almaty", "yes")


# --- exports, paper, API ---------------------------------------------------------------------

def _export(campaign) -> str:
    from campaign.spreadsheet import iter_csv_chunks
    return b"".join(iter_csv_chunks(
        moderation.export_header(campaign.id),
        moderation.export_text_chunks(campaign.id, moderation.SignatureFilter()),
        bom=True)).decode("utf-8")


def test_export_and_paper_import_round_trip(app, fielded):
    make_signature(fielded, custom={"profession": "Doctor", "region": "almaty",
                                    "witness": "yes"}, email="a@example.org")
    make_signature(fielded, custom={"profession": "=cmd|' /C calc'!A0", "age": "7"},
                   email="b@example.org")
    exported = _export(fielded)
    rows = list(csv.DictReader(io.StringIO(exported.lstrip("\ufeff"))))
    assert [r["profession"] for r in rows] == ["Doctor", "'=cmd|' /C calc'!A0"]
    assert rows[0]["region"] == "almaty" and rows[1]["age"] == "7"

    # The same file imported into a campaign with the same fields gives the same answers.
    other = make_campaign(locales=("en",))
    for definition in custom_fields.fields_of(fielded.id):
        custom_fields.add_field(other.id, custom_fields.FieldDefinition(
            key=definition.key, kind=definition.kind, labels=definition.labels,
            choices=definition.choices, required=False, privacy=definition.privacy))
    user, _ = make_user(campaigns=[other])
    report = paper.read(exported.encode("utf-8-sig"), other.id)
    assert report.errors == [] and len(report.valid) == 2
    paper.import_rows(user, other, report, filename="round.csv")
    again = list(csv.DictReader(io.StringIO(_export(other).lstrip("\ufeff"))))
    keys = ("email", "profession", "age", "region", "witness")
    assert [tuple(r[k] for k in keys) for r in again] == [
        tuple(r[k] for k in keys) for r in rows]


def test_paper_rows_are_checked_like_the_web_form(app, fielded):
    with force_locale("ru"):
        report = paper.read((
            "full_name,email,country,profession,age,region,witness\n"
            "Айша,a@example.org,KZ,Учитель,сорок,almaty,да\n"
            "Бота,b@example.org,KZ,,1,almaty,yes\n"
            "Ерлан,c@example.org,KZ,Врач,2,moscow,yes\n").encode(), fielded.id)
        messages = [str(error.message) for error in report.errors]
    assert messages == ["age: Пожалуйста, введите число.",
                        "profession: Пожалуйста, ответьте на этот вопрос.",
                        "region: Пожалуйста, выберите один из вариантов."]
    assert report.valid == []


def test_json_export_has_the_answers(app, fielded):
    make_signature(fielded, custom={"profession": "Doctor"})
    text = "".join(moderation.export_json(fielded.id, moderation.SignatureFilter()))
    assert '"custom_fields": {"profession": "Doctor"}' in text


def test_api_takes_and_gives_custom_fields(client, fielded):
    user, _ = make_user(role="admin")  # trusted-import keys are made by admins only
    _key, token = api.create_key(user, "partner", [fielded.id], trusted_import=True)
    headers = {"Authorization": f"Bearer {token}"}
    url = f"/api/v1/campaigns/{fielded.slug}/signatures"
    person = {"name": "Aisha", "email_addresses": [{"address": "aisha@example.org"}],
              "postal_addresses": [{"country": "KZ"}], "languages_spoken": ["ru"]}
    good = {"profession": "Teacher", "age": 42, "region": "almaty", "witness": True}
    response = client.post(url, headers=headers,
                           json={"person": {**person, "custom_fields": good}})
    assert response.status_code == 201, response.json
    assert response.json["_embedded"]["osdi:person"]["custom_fields"] == {
        "profession": "Teacher", "age": "42", "region": "almaty", "witness": "yes"}
    listed = client.get(url, headers=headers).json["_embedded"]["osdi:signatures"]
    assert listed[0]["_embedded"]["osdi:person"]["custom_fields"]["age"] == "42"

    for bad, field in [({**good, "region": "moscow"}, "custom_fields.region"),
                       ({**good, "age": [1, 2]}, "custom_fields.age"),
                       ({**good, "profession": {"x": 1}}, "custom_fields.profession"),
                       ({**good, "nope": "x"}, "custom_fields"),
                       ({**good, "profession": "\x00"}, "custom_fields.profession"),
                       ({**good, "profession": "Ж" * 5000}, "custom_fields.profession"),
                       ([1, 2], "custom_fields")]:
        other = {**person, "email_addresses": [{"address": "other@example.org"}],
                 "custom_fields": bad}
        response = client.post(url, headers=headers, json={"person": other})
        assert response.status_code == 422, (bad, response.status_code)
        assert field in response.json["error"]["fields"]
    # The message is in the signer's language.
    response = client.post(url, headers=headers, json={"person": {
        **person, "email_addresses": [{"address": "x@example.org"}],
        "custom_fields": {**good, "age": "сорок"}}})
    assert response.json["error"]["fields"]["custom_fields.age"] == ["Пожалуйста, введите число."]
    assert db.session.scalar(select(func.count()).select_from(Signature)) == 1


# --- deletion ---------------------------------------------------------------------------------

def test_forget_link_and_privacy_erasure_delete_the_answers(client, fielded):
    first = make_signature(fielded, custom={"profession": "Doctor"}, email="a@example.org")
    make_signature(fielded, custom={"profession": "Nurse"}, email="b@example.org")
    assert values_count() == 2
    token = petitions.signature_token("forget", first)
    page = client.get(f"/forget/{token}").get_data(as_text=True)
    assert client.post(f"/forget/{token}",
                       data={"csrf_token": csrf_from(page)}).status_code == 200
    assert list(db.session.scalars(select(SignatureFieldValue.value))) == ["Nurse"]
    # The signer's data copy lists the answers; erasure removes them.
    assert privacy.data_sources()["signature_fields"].export("b@example.org")[0][
        "value"] == "Nurse"
    assert privacy.data_sources()["signature_fields"].erase("b@example.org") == 1
    assert values_count() == 0


def test_delivery_class_is_wiped_at_delivery(app, fielded):
    make_signature(fielded, custom={"profession": "Doctor", "witness": "yes"})
    assert values_count() == 2
    assert custom_fields.wipe_delivery_values(fielded.id) == 1
    db.session.commit()
    assert list(db.session.scalars(select(SignatureFieldValue.value))) == ["Doctor"]


def test_letters_delivery_wipes_delivery_class(app, dossier_fonts):
    from campaign.letters import delivery
    from campaign.letters import service as letters
    from campaign.organization import service as organization
    from campaign.targets import service as targets
    from tests.letters.conftest import HEADER, ROWS

    targets.import_csv(HEADER + ROWS)
    # Letters are in test mode: they go to the organization's own address.
    organization.save(None, name="Korday Justice Initiative", postal_address="Almaty",
                      contact_email="contact@korday.example.org",
                      website="https://korday.example.org", about={"en": "We are."})
    campaign = make_campaign(locales=("en",))
    define(campaign, "witness", "checkbox", privacy="delivery")
    define(campaign, "profession", "text")
    letters.install_default_templates(campaign)
    db.session.commit()
    make_signature(campaign, custom={"profession": "Doctor", "witness": "yes"})
    target = next(t for t in targets.all_targets() if t.short_id == "un_min")
    user, _ = make_user(campaigns=[campaign])
    job = delivery.request_dossier(campaign, "en", [target], signed_by="Organizer")
    assert job.status == "done"
    # The dossier is built before the wipe: the answers stay until the letters are sent.
    assert values_count() == 2
    delivery.deliver(campaign, job, mode="keep", user=user)
    assert list(db.session.scalars(select(SignatureFieldValue.value))) == ["Doctor"]


def test_wipe_command(app, fielded):
    make_signature(fielded, custom={"profession": "Doctor", "witness": "yes"})
    result = app.test_cli_runner().invoke(args=["campaigns", "wipe-delivery-fields",
                                                fielded.slug])
    assert result.exit_code == 0 and "1 answer(s) deleted" in result.output
    result = app.test_cli_runner().invoke(args=["campaigns", "wipe-delivery-fields", "nope"])
    assert result.exit_code != 0


# --- the console page -----------------------------------------------------------------------

def test_organizer_defines_and_deletes_fields(client, app):
    campaign = make_campaign(locales=("en", "ru"))
    user, password = make_user(campaigns=[campaign])
    login(client, user.email, password)
    url = f"/organize/c/{campaign.slug}/fields"
    page = client.get(url).get_data(as_text=True)
    token = csrf_from(page)
    # A bad key: the form comes back with what was typed, nothing stored.
    response = client.post(url, data={"csrf_token": token, "key": "Bad Key!", "kind": "text",
                                      "privacy": "public", "label_en": "Profession"})
    assert response.status_code == 422
    body = unescape(response.get_data(as_text=True))
    assert 'value="Bad Key!"' in body and 'value="Profession"' in body
    assert custom_fields.fields_of(campaign.id) == []
    # A hostile label: the console's gate refuses a NUL byte (400, not 500), nothing stored.
    response = client.post(url, data={"csrf_token": token, "key": "x", "kind": "text",
                                      "privacy": "public", "label_en": "a\x00b"})
    assert response.status_code == 400
    assert custom_fields.fields_of(campaign.id) == []
    response = client.post(url, data={
        "csrf_token": token, "key": "region", "kind": "choice", "privacy": "organizers",
        "required": "y", "label_en": "Region", "label_ru": "Область",
        "options": "almaty\nzhambyl", "options_en": "Almaty\nZhambyl",
        "options_ru": "Алматинская\nЖамбылская"})
    assert response.status_code == 303
    (field,) = custom_fields.fields_of(campaign.id)
    assert field.required and field.labels == {"en": "Region", "ru": "Область"}
    assert field.choices[1] == {"value": "zhambyl",
                                "labels": {"en": "Zhambyl", "ru": "Жамбылская"}}
    assert "Жамбылская" in client.get(f"/ru/c/{campaign.slug}").get_data(as_text=True)
    # Another campaign's organizer cannot delete it.
    page = client.get(url).get_data(as_text=True)
    response = client.post(f"{url}/{field.id}/delete", data={"csrf_token": csrf_from(page)})
    assert response.status_code == 303
    assert custom_fields.fields_of(campaign.id) == []


def test_console_fields_page_in_russian_has_no_english(client, app):
    campaign = make_campaign(locales=("en", "ru"))
    define(campaign, "region", "choice", choices=("almaty", "zhambyl"))
    user, password = make_user(campaigns=[campaign])
    login(client, user.email, password)
    client.set_cookie("lang", "ru")
    page = client.get(f"/organize/c/{campaign.slug}/fields",
                      headers={"Accept-Language": "ru"}).get_data(as_text=True)
    for english in ("Add a field", "Sign form fields", "Organizers only", "Choice"):
        assert english not in re.sub(r"<[^>]+>", " ", page), english


def test_retention_purge_deletes_the_answers_with_the_names(app, fielded):
    from datetime import timedelta

    from campaign.util import utcnow

    other = make_campaign()
    define(other, "profession", "text")
    make_signature(fielded, custom={"profession": "Doctor"})
    make_signature(other, custom={"profession": "Nurse"})
    fielded.status, fielded.delivered_at = "delivered", utcnow() - timedelta(days=400)
    db.session.commit()
    privacy.set_retention(fielded.id, 30)
    assert privacy.purge() == {fielded.slug: 1}
    assert list(db.session.scalars(select(SignatureFieldValue.value))) == ["Nurse"]


def test_paper_page_names_the_field_columns(client, fielded):
    user, password = make_user(campaigns=[fielded])
    login(client, user.email, password)
    page = client.get(f"/organize/c/{fielded.slug}/paper").get_data(as_text=True)
    assert "profession, age, region, witness" in page

"""Sources and partners: every signature records where it came from; a partner is credited
on its widget and API keys; its signers' opt-ins leave only through its own export and go
with the signer's deletion; the map by country, in the console and (merged) on the page."""
import csv
import io
import re
from itertools import pairwise

import pytest
from flask import g
from sqlalchemy import select

from campaign.api import service as api
from campaign.extensions import db
from campaign.petitions import service as petitions
from campaign.petitions.models import Signature
from campaign.petitions.sources import clean_ref, ref_from_query, ref_from_referrer
from campaign.sources import charts
from campaign.sources import service as sources
from campaign.widget import service as widget
from tests.api.conftest import bearer
from tests.conftest import csrf_from, login
from tests.factories import make_campaign, make_signature, make_user
from tests.organizers.conftest import post_form

FORM = {"full_name": "Aisha Vanahun", "email": "aisha@example.org", "country": "KZ",
        "comment": "", "display": "full"}


def widget_token(html: str) -> str:
    return re.search(r'name="widget_token" value="([^"]+)"', html).group(1)


@pytest.fixture
def organizer(client, app):
    campaign = make_campaign(locales=("en", "ru"))
    user, password = make_user(campaigns=[campaign])
    login(client, user.email, password)
    return user, campaign


def only_signature() -> Signature:
    db.session.expire_all()
    return db.session.scalar(select(Signature))


# --- tags from campaign links ---------------------------------------------------------------

@pytest.mark.parametrize("raw, kept", [
    ("newsletter", "newsletter"), ("Spring-2026_a.b", "spring-2026_a.b"),
    ("x" * 32, "x" * 32), ("x" * 33, None), ("a@example.org", None), ("two words", None),
    ("+77011234567", None), ("77011234567", None), ("id123456", None), ("", None),
    ("<script>", None), ("-lead", None), (["list"], None), (None, None)])
def test_only_a_short_safe_token_is_kept_as_a_tag(raw, kept):
    assert clean_ref(raw) == kept


def test_tag_comes_from_ref_or_utm_of_a_same_site_link():
    assert ref_from_query({"utm_source": "vk", "utm_campaign": "x"}) == "vk"
    assert ref_from_query({"ref": "mail", "utm_source": "vk"}) == "mail"
    assert ref_from_referrer("http://campaign.test/en/c/k?ref=leaflet", "campaign.test") \
        == "leaflet"
    assert ref_from_referrer("https://evil.example/?ref=leaflet", "campaign.test") is None
    assert ref_from_referrer(None, "campaign.test") is None


def test_a_web_signature_records_the_links_tag_and_nothing_personal(client, app):
    campaign = make_campaign()
    page = client.get(f"/en/c/{campaign.slug}?ref=Newsletter").get_data(as_text=True)
    response = client.post(f"/en/c/{campaign.slug}/sign", data=dict(
        FORM, csrf_token=csrf_from(page)),
        headers={"Referer": f"http://localhost/en/c/{campaign.slug}?ref=Newsletter"})
    assert response.status_code == 303
    signature = only_signature()
    assert (signature.source, signature.ref, signature.partner_id) == ("web", "newsletter",
                                                                      None)
    client.post(f"/en/c/{campaign.slug}/sign", data=dict(
        FORM, email="b@example.org", csrf_token=csrf_from(page)),
        headers={"Referer": f"http://localhost/en/c/{campaign.slug}?ref=me@example.org"})
    second = db.session.scalar(select(Signature).where(Signature.email == "b@example.org"))
    assert second.ref is None
    # A form sent back with errors keeps the tag for the next try.
    again = client.post(f"/en/c/{campaign.slug}/sign", data=dict(
        FORM, email="not an address", csrf_token=csrf_from(page)),
        headers={"Referer": f"http://localhost/en/c/{campaign.slug}?utm_source=vk"})
    assert again.status_code == 422
    html = again.get_data(as_text=True)
    assert re.search(r'name="ref"[^>]*value="vk"|value="vk"[^>]*name="ref"', html)
    client.post(f"/en/c/{campaign.slug}/sign", data=dict(
        FORM, email="c@example.org", ref="vk", csrf_token=csrf_from(html)),
        headers={"Referer": f"http://localhost/en/c/{campaign.slug}/sign"})
    third = db.session.scalar(select(Signature).where(Signature.email == "c@example.org"))
    assert third.ref == "vk"


# --- widget on a partner's site ---------------------------------------------------------------

def partner_for(campaign, user, **kwargs):
    defaults = {"name": "Human Rights Centre", "website": "https://hrc.example",
                "origins": ["https://hrc.example"], "credited": True, "api_key_ids": []}
    defaults.update(kwargs)
    return sources.save_partner(user, campaign.id, **defaults)


def widget_sign(app, campaign, referer, data, query=""):
    html = app.test_client(use_cookies=False).get(
        f"/en/c/{campaign.slug}/widget{query}",
        headers={"Referer": referer} if referer else {}).get_data(as_text=True)
    response = app.test_client(use_cookies=False).post(
        f"/en/c/{campaign.slug}/widget/sign", data=dict(data, widget_token=widget_token(html)))
    assert response.status_code == 303, response.get_data(as_text=True)
    return html


def test_a_partners_widget_credits_it_names_it_and_offers_an_unticked_opt_in(app):
    campaign = make_campaign()
    user, _ = make_user(campaigns=[campaign])
    partner = partner_for(campaign, user)
    html = widget_sign(app, campaign, "https://hrc.example/", dict(FORM, partner_opt_in="y"),
                       query="?ref=spring")
    assert "with Human Rights Centre" in html
    box = re.search(r'<input[^>]*name="partner_opt_in"[^>]*>', html).group(0)
    assert "checked" not in box and "I also want to hear from Human Rights Centre" in html
    signature = only_signature()
    assert (signature.source, signature.partner_id, signature.source_origin, signature.ref,
            signature.partner_opt_in) == ("widget", partner.id, "https://hrc.example",
                                          "spring", True)


def test_no_opt_in_box_or_credit_elsewhere_and_a_sent_box_is_ignored(app):
    campaign = make_campaign()
    user, _ = make_user(campaigns=[campaign])
    widget.set_framing(campaign.id, ["https://blog.example"])
    partner_for(campaign, user, name="Quiet Partner", origins=["https://quiet.example"],
                credited=False)
    # An allowed site that is no partner: the origin is kept, no credit, no box.
    html = widget_sign(app, campaign, "https://blog.example/post/1", dict(
        FORM, partner_opt_in="y"))
    assert "partner_opt_in" not in html and "with " not in html.split("<main")[1][:400]
    signature = only_signature()
    assert (signature.source_origin, signature.partner_id, signature.partner_opt_in) == (
        "https://blog.example", None, False)
    # A partner not named on its widget is credited, but offers no box: a forged one is
    # ignored.
    html = widget_sign(app, campaign, "https://quiet.example/", dict(
        FORM, email="q@example.org", partner_opt_in="y"))
    assert "partner_opt_in" not in html and "Quiet Partner" not in html
    quiet = db.session.scalar(select(Signature).where(Signature.email == "q@example.org"))
    assert quiet.partner_id is not None and quiet.partner_opt_in is False
    # Any other page: its address is not stored.
    widget_sign(app, campaign, "https://someone.example/private/page", dict(
        FORM, email="r@example.org"))
    other = db.session.scalar(select(Signature).where(Signature.email == "r@example.org"))
    assert other.source_origin is None and other.partner_id is None


def test_the_credit_cannot_be_forged_by_editing_the_token(app):
    campaign = make_campaign()
    user, _ = make_user(campaigns=[campaign])
    partner_for(campaign, user)
    html = app.test_client(use_cookies=False).get(f"/en/c/{campaign.slug}/widget").get_data(
        as_text=True)
    token = widget_token(html)
    forged = token[:-3] + ("aaa" if not token.endswith("aaa") else "bbb")
    response = app.test_client(use_cookies=False).post(
        f"/en/c/{campaign.slug}/widget/sign", data=dict(FORM, widget_token=forged))
    assert response.status_code == 400 and only_signature() is None


# --- API keys ----------------------------------------------------------------------------

def test_an_api_signature_credits_the_keys_partner_and_the_api_shows_it(client, app):
    campaign = make_campaign()
    user, _ = make_user(role="admin")  # trusted-import keys are made by admins only
    key, token = api.create_key(user, "partner", [campaign.id], trusted_import=True)
    partner = partner_for(campaign, user, origins=[], api_key_ids=[key.id])
    body = {"person": {"name": "Api Signer", "email_addresses": [{"address": "a@example.org"}],
                       "postal_addresses": [{"country": "DE"}]},
            "referrer_data": {"source": "Partner-Mail"}}
    created = client.post(f"/api/v1/campaigns/{campaign.slug}/signatures", json=body,
                          headers=bearer(token))
    assert created.status_code == 201, created.json
    assert created.json["origin_system"] == "api"
    assert created.json["partner_id"] == partner.id
    assert created.json["referrer_data"] == {"source": "partner-mail", "website": None}
    signature = only_signature()
    assert (signature.api_key_id, signature.partner_id, signature.ref) == (
        key.id, partner.id, "partner-mail")


def test_a_key_or_origin_is_credited_to_one_partner_only(app):
    campaign = make_campaign()
    user, _ = make_user(campaigns=[campaign])
    key, _token = api.create_key(user, "partner", [campaign.id])
    partner_for(campaign, user, api_key_ids=[key.id])
    with pytest.raises(sources.PartnerError):
        partner_for(campaign, user, name="Second", origins=["https://hrc.example"])
    with pytest.raises(sources.PartnerError):
        partner_for(campaign, user, name="Second", origins=[], api_key_ids=[key.id])
    elsewhere = make_campaign()
    other, _ = make_user(campaigns=[elsewhere])
    foreign, _ = api.create_key(other, "theirs", [elsewhere.id])
    with pytest.raises(sources.PartnerError):
        partner_for(campaign, user, name="Third", origins=[], api_key_ids=[foreign.id])


# --- the console: partners, export per partner, deletion ---------------------------------------

def test_console_partner_pages_export_only_that_partners_opt_ins(organizer, client, app):
    _user, campaign = organizer
    url = f"/organize/c/{campaign.slug}/partners"
    bad = post_form(client, url, {"name": "", "origins": "not a site"})
    assert bad.status_code == 422
    added = post_form(client, url, {"name": "Human Rights Centre",
                                    "website": "https://hrc.example",
                                    "origins": "https://HRC.example/embed", "credited": "y"})
    assert added.status_code == 303
    post_form(client, url, {"name": "=Other Org", "origins": "https://other.example",
                            "credited": "y"})
    hrc, other = sorted(sources.partners(campaign.id),
                        key=lambda p: p.name != "Human Rights Centre")
    assert hrc.origins == ["https://hrc.example"]
    widget_sign(app, campaign, "https://hrc.example/", dict(FORM, partner_opt_in="y"))
    widget_sign(app, campaign, "https://hrc.example/", dict(FORM, email="no@example.org"))
    widget_sign(app, campaign, "https://other.example/", dict(
        FORM, full_name="=cmd|' /C calc'!A0", email="o@example.org", partner_opt_in="y"))
    for signature in db.session.scalars(select(Signature)):
        petitions.confirm(petitions.signature_token("confirm", signature))
    page = client.get(url).get_data(as_text=True)
    assert 'data-opt-ins="1"' in page
    export = client.get(f"{url}/{hrc.id}/opt-ins.csv")
    assert export.status_code == 200 and export.headers["Cache-Control"] == "no-store"
    rows = list(csv.reader(io.StringIO(export.get_data(as_text=True).lstrip("\ufeff"))))
    assert rows[0] == ["full_name", "email", "country", "locale", "confirmed_at"]
    assert [row[1] for row in rows[1:]] == ["aisha@example.org"]
    other_rows = list(csv.reader(io.StringIO(
        client.get(f"{url}/{other.id}/opt-ins.csv").get_data(as_text=True).lstrip("\ufeff"))))
    assert other_rows[1][0].startswith("'=")  # the one writer's formula guard
    # The signer's deletion link removes the opt-in with the signature.
    signer = db.session.scalar(select(Signature).where(Signature.email == "aisha@example.org"))
    link = f"/forget/{petitions.signature_token('forget', signer)}"
    signer_client = client
    form = signer_client.get(link).get_data(as_text=True)
    assert "Remove your signature?" in form, form
    done = signer_client.post(link, data={"csrf_token": csrf_from(form)})
    assert done.status_code == 200, done.get_data(as_text=True)
    rows = list(csv.reader(io.StringIO(
        client.get(f"{url}/{hrc.id}/opt-ins.csv").get_data(as_text=True).lstrip("\ufeff"))))
    assert len(rows) == 1
    # Another campaign's organizer cannot reach the partner.
    stranger_campaign = make_campaign()
    assert client.get(f"/organize/c/{stranger_campaign.slug}/partners/{hrc.id}").status_code \
        in (403, 404)


# --- a partner's campaign link (?ref=/utm_source= tag) on the main sign form ------------------

def _opt_in_box(html: str) -> str | None:
    found = re.search(r'<input[^>]*name="partner_opt_in"[^>]*>', html)
    return found.group(0) if found else None


def test_a_partners_link_credits_it_and_offers_its_unticked_box_on_the_sign_form(
        organizer, client, app):
    _user, campaign = organizer
    url = f"/organize/c/{campaign.slug}/partners"
    added = post_form(client, url, {"name": "Human Rights Centre", "refs": "HRC\nhrc-mail",
                                    "credited": "y"})
    assert added.status_code == 303
    post_form(client, url, {"name": "Quiet Partner", "refs": "quiet"})  # not named
    hrc, quiet = sorted(sources.partners(campaign.id), key=lambda p: p.name != "Human "
                        "Rights Centre")
    assert hrc.refs == ["hrc", "hrc-mail"]
    assert "?ref=hrc ?ref=hrc-mail" in client.get(url).get_data(as_text=True)
    signer = app.test_client()
    g.pop("csrf_token", None)  # the test's app context outlives requests: a new reader

    page = signer.get(f"/en/c/{campaign.slug}?utm_source=hrc-mail").get_data(as_text=True)
    box = _opt_in_box(page)
    assert box is not None and "checked" not in box  # offered, never pre-ticked
    assert "I also want to hear from Human Rights Centre" in page
    # The plain page, a made-up tag, and an unnamed partner's link show no box.
    assert _opt_in_box(signer.get(f"/en/c/{campaign.slug}").get_data(as_text=True)) is None
    assert _opt_in_box(signer.get(f"/en/c/{campaign.slug}?ref=other")
                       .get_data(as_text=True)) is None
    quiet_page = signer.get(f"/en/c/{campaign.slug}?ref=quiet").get_data(as_text=True)
    assert _opt_in_box(quiet_page) is None and "Quiet Partner" not in quiet_page

    link = f"http://localhost/en/c/{campaign.slug}?utm_source=hrc-mail"
    assert signer.post(f"/en/c/{campaign.slug}/sign", data=dict(
        FORM, partner_opt_in="y", csrf_token=csrf_from(page)),
        headers={"Referer": link}).status_code == 303
    assert signer.post(f"/en/c/{campaign.slug}/sign", data=dict(
        FORM, email="nobox@example.org", csrf_token=csrf_from(page)),
        headers={"Referer": link}).status_code == 303
    # A box sent from the unnamed partner's link (never offered there) is ignored; the
    # visit is still credited to that partner.
    assert signer.post(f"/en/c/{campaign.slug}/sign", data=dict(
        FORM, email="quiet@example.org", partner_opt_in="y", csrf_token=csrf_from(page)),
        headers={"Referer": f"http://localhost/en/c/{campaign.slug}?ref=quiet"}
    ).status_code == 303
    got = {s.email: s for s in db.session.scalars(select(Signature))}
    assert (got["aisha@example.org"].source, got["aisha@example.org"].ref,
            got["aisha@example.org"].partner_id, got["aisha@example.org"].partner_opt_in) == (
        "web", "hrc-mail", hrc.id, True)
    assert (got["nobox@example.org"].partner_id, got["nobox@example.org"].partner_opt_in) == (
        hrc.id, False)
    assert (got["quiet@example.org"].partner_id, got["quiet@example.org"].partner_opt_in) == (
        quiet.id, False)
    for signature in got.values():
        petitions.confirm(petitions.signature_token("confirm", signature))
    g.pop("csrf_token", None)

    # A form sent back with errors keeps the tag and the box.
    again = signer.post(f"/en/c/{campaign.slug}/sign", data=dict(
        FORM, email="not an address", partner_opt_in="y", csrf_token=csrf_from(page)),
        headers={"Referer": link})
    assert again.status_code == 422 and _opt_in_box(again.get_data(as_text=True))

    # Exported per partner only: the partner's export has the one who ticked; the
    # campaign's own exports do not carry the opt-in.
    rows = list(csv.reader(io.StringIO(
        client.get(f"{url}/{hrc.id}/opt-ins.csv").get_data(as_text=True).lstrip("\ufeff"))))
    assert [row[1] for row in rows[1:]] == ["aisha@example.org"]
    assert len(list(csv.reader(io.StringIO(client.get(f"{url}/{quiet.id}/opt-ins.csv")
                                           .get_data(as_text=True).lstrip("\ufeff"))))) == 1
    g.pop("csrf_token", None)
    export = client.get(f"/organize/c/{campaign.slug}/signatures.csv").get_data(as_text=True)
    assert "opt_in" not in export.splitlines()[0].replace("updates_opt_in", "")


def test_a_link_tag_is_one_partners_and_must_be_a_tag(organizer, client):
    _user, campaign = organizer
    url = f"/organize/c/{campaign.slug}/partners"
    assert post_form(client, url, {"name": "A", "refs": "spring"}).status_code == 303
    taken = post_form(client, url, {"name": "B", "refs": "Spring"})
    assert taken.status_code == 422
    assert "This is already credited to another partner." in taken.get_data(as_text=True)
    bad = post_form(client, url, {"name": "B", "refs": "me@example.org"})
    assert bad.status_code == 422
    assert "is not a link tag" in bad.get_data(as_text=True)
    assert [p.name for p in sources.partners(campaign.id)] == ["A"]


def test_removing_a_partner_keeps_the_source_and_drops_credit_and_opt_in(app):
    campaign = make_campaign()
    user, _ = make_user(campaigns=[campaign])
    partner = partner_for(campaign, user)
    widget_sign(app, campaign, "https://hrc.example/", dict(FORM, partner_opt_in="y"))
    sources.delete_partner(user, partner)
    signature = only_signature()
    assert (signature.source, signature.source_origin, signature.partner_id,
            signature.partner_opt_in) == ("widget", "https://hrc.example", None, False)


# --- analytics and the map --------------------------------------------------------------------

def test_analytics_show_sources_partners_tags_and_a_map_with_its_table(organizer, client, app):
    user, campaign = organizer
    partner = partner_for(campaign, user)
    for country in ("KZ", "KZ", "KG", "DE"):
        make_signature(campaign, country=country, ref="leaflet")
    make_signature(campaign, country="KZ", source="widget", partner_id=partner.id)
    page = client.get(f"/organize/c/{campaign.slug}/analytics").get_data(as_text=True)
    assert page.count('class="world-map"') == 1 and "<script" not in page.split("<main")[1]
    assert re.search(r'<tr data-country="KZ"><td>Kazakhstan</td><td>3</td>', page)
    assert "Widget on a partner&#39;s site" in page or "Widget on a partner's site" in page
    assert "Human Rights Centre" in page and "<code>leaflet</code>" in page
    # Kazakhstan is coloured darker than Germany; a country without signers is grey.
    def fill(code):
        return re.search(rf'fill="(#[0-9a-f]+)" data-country="{code}"', page).group(1)
    assert charts.SCALE.index(fill("KZ")) > charts.SCALE.index(fill("DE"))
    assert fill("FR") == charts.NO_DATA


def test_the_public_map_is_off_by_default_and_merges_small_countries(organizer, client, app):
    _user, campaign = organizer
    for _ in range(10):
        make_signature(campaign, country="KZ")
    for country in ("KG", "KG", "DE"):
        make_signature(campaign, country=country)
    page = client.get(f"/en/c/{campaign.slug}").get_data(as_text=True)
    assert "world-map" not in page
    response = post_form(client, f"/organize/c/{campaign.slug}/analytics",
                         {"public_map": "y"}, action=f"/organize/c/{campaign.slug}/map")
    assert response.status_code == 303
    page = client.get(f"/en/c/{campaign.slug}").get_data(as_text=True)
    assert 'class="world-map"' in page
    assert re.search(r'<tr data-country="KZ"><td>Kazakhstan</td><td>10</td>', page)
    # Kyrgyzstan (2) and Germany (1) are one "other" row; neither is named or coloured.
    assert 'data-country="other"><td>Other countries</td><td>3</td>' in page
    assert '<tr data-country="KG"' not in page and '<tr data-country="DE"' not in page
    assert re.search(r'fill="#e5e5e5" data-country="KG"><title>Kyrgyzstan</title>', page)
    app.config["PUBLIC_MAP_MIN_COUNT"] = 2
    page = client.get(f"/en/c/{campaign.slug}").get_data(as_text=True)
    assert '<tr data-country="KG"><td>Kyrgyzstan</td><td>2</td>' in page
    assert 'data-country="other"><td>Other countries</td><td>1</td>' in page


def test_merge_small_never_names_a_country_under_the_minimum():
    shown, other = sources.merge_small({"KZ": 50, "KG": 9, "DE": 1, "FR": 10}, 10)
    assert shown == {"KZ": 50, "FR": 10} and other == 10


def test_colour_classes_cover_every_count():
    for top in (1, 2, 7, 10, 999, 123456):
        ranges = charts.classes({"KZ": top})
        assert ranges[0][0] == 1 and ranges[-1][1] == top
        assert all(b[0] == a[1] + 1 for a, b in pairwise(ranges))
        assert charts.colour_for(top, ranges) == charts.SCALE[-1]


# --- hostile input: clear errors, never a 500, nothing half-written ----------------------------

@pytest.mark.parametrize("data", [
    {"name": "x" * 500, "origins": "https://a.example"},
    {"name": "Ok", "origins": "javascript:alert(1)"},
    {"name": "Ok", "origins": "https://a.example:99999"},
    {"name": "Ok", "website": "not a url"},
    {"name": "Ok", "api_keys": "abc"},
    {"name": "Ok", "api_keys": "999999"},
    {"name": "Ok", "origins": "https://a.example\n" * 300},
])
def test_bad_partner_input_is_refused_with_a_message(organizer, client, data):
    _user, campaign = organizer
    response = post_form(client, f"/organize/c/{campaign.slug}/partners", data)
    assert response.status_code == 422, response.status_code
    assert 'class="field-error"' in response.get_data(as_text=True)
    assert sources.partners(campaign.id) == []


def test_a_nul_byte_in_a_partner_is_refused_by_the_console_gate(organizer, client):
    _user, campaign = organizer
    response = post_form(client, f"/organize/c/{campaign.slug}/partners",
                         {"name": "Bad\x00Name", "origins": ""})
    assert response.status_code == 400
    assert sources.partners(campaign.id) == []  # nothing half-written


def test_hostile_posts_to_the_new_console_routes_never_fail(organizer, client):
    _user, campaign = organizer
    base = f"/organize/c/{campaign.slug}"
    for path, data in [
            ("/milestones", {"thresholds": "1\x00"}), ("/milestones", {"thresholds": "9" * 400}),
            ("/milestones/goal", {"goal": "abc"}), ("/milestones/goal", {"goal": "-5"}),
            ("/milestones/goal", {"goal": "9" * 30}),
            ("/milestones/goal", {"goal": "50", "note_en": "\x00"}),
            ("/map", {"public_map": "maybe"}), ("/partners/999/delete", {}),
            ("/milestones/5/draft", {})]:
        response = post_form(client, f"{base}/milestones", data, action=base + path)
        assert response.status_code in (303, 400, 404, 422), (path, response.status_code)
    assert client.get(f"{base}/partners/999/opt-ins.csv").status_code == 404
    assert client.post(f"{base}/map", data={"public_map": "y"}).status_code == 400  # no CSRF

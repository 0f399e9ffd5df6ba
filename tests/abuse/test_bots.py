"""Bots are dropped silently: same answer, nothing stored, no e-mail."""
import time

from sqlalchemy import func, select

from campaign.extensions import db
from campaign.outbox.models import OutboxMessage
from campaign.petitions.models import Signature
from tests.factories import make_campaign
from tests.forms_util import sign_post


def counts():
    return (db.session.scalar(select(func.count()).select_from(Signature)),
            db.session.scalar(select(func.count()).select_from(OutboxMessage)))


def test_filled_honeypot_gets_the_usual_answer_and_nothing_is_stored(client, app):
    campaign = make_campaign()
    response = sign_post(client, campaign, website="http://spam.example")
    assert response.status_code == 303
    assert "Check your inbox" in client.get(response.location).get_data(as_text=True)
    assert counts() == (0, 0)


def test_the_honeypot_is_on_the_page_but_hidden_from_people(client, app):
    campaign = make_campaign()
    page = client.get(f"/en/c/{campaign.slug}").get_data(as_text=True)
    assert 'class="hp" aria-hidden="true"' in page and 'name="website"' in page
    assert 'tabindex="-1"' in page
    css = client.get("/static/css/site.css").get_data(as_text=True)
    assert ".hp {" in css and "left: -10000px" in css


def test_a_form_sent_too_fast_is_dropped_and_a_patient_one_is_kept(client, app):
    # A long minimum, so a slow machine cannot make the fast post look patient.
    app.config["ABUSE_MIN_FILL_SECONDS"] = 30
    campaign = make_campaign()
    assert sign_post(client, campaign).status_code == 303
    assert counts() == (0, 0)
    page = client.get(f"/en/c/{campaign.slug}").get_data(as_text=True)
    from campaign.abuse.bots import _serializer
    from tests.forms_util import SIGN_FORM, hidden_inputs
    # The form as it would be after half a minute of typing: shown 31 seconds ago.
    data = {**SIGN_FORM, **hidden_inputs(page),
            "form_started": _serializer().dumps(int(time.time()) - 31)}
    assert client.post(f"/en/c/{campaign.slug}/sign", data=data).status_code == 303
    assert counts() == (1, 1)


def test_a_missing_or_forged_start_time_is_a_bot(client, app):
    app.config["ABUSE_MIN_FILL_SECONDS"] = 1
    campaign = make_campaign()
    sign_post(client, campaign, form_started="")
    sign_post(client, campaign, form_started="MTIz.forged.sig")
    assert counts() == (0, 0)


def test_disposable_addresses_are_refused_with_a_clear_message(client, app):
    campaign = make_campaign()
    for address in ("x@mailinator.com", "y@sub.mailinator.com"):
        response = sign_post(client, campaign, email=address)
        assert response.status_code == 422
        assert "throwaway" in response.get_data(as_text=True)
    assert counts() == (0, 0)


def test_a_start_token_works_once(client, app):
    app.config["ABUSE_MIN_FILL_SECONDS"] = 1
    campaign = make_campaign()
    from campaign.abuse.bots import _serializer
    from tests.forms_util import SIGN_FORM, hidden_inputs
    page = client.get(f"/en/c/{campaign.slug}").get_data(as_text=True)
    started = _serializer().dumps([int(time.time()) - 5, "nonce-1"])
    for n in range(3):
        data = {**SIGN_FORM, **hidden_inputs(page), "form_started": started,
                "email": f"replay{n}@example.org"}
        assert client.post(f"/en/c/{campaign.slug}/sign", data=data).status_code == 303
    assert counts() == (1, 1)  # the replays were dropped silently


def test_the_page_cache_never_hands_out_an_old_start_time(client, app):
    app.config.update(CAMPAIGN_PAGE_CACHE_SECONDS=60, ABUSE_MIN_FILL_SECONDS=1)
    campaign = make_campaign()
    from campaign.abuse.bots import STARTED_PLACEHOLDER, _started_at
    from tests.forms_util import hidden_inputs
    first = hidden_inputs(client.get(f"/en/c/{campaign.slug}").get_data(as_text=True))
    time.sleep(1.1)
    other = app.test_client()
    page = other.get(f"/en/c/{campaign.slug}").get_data(as_text=True)
    second = hidden_inputs(page)
    assert STARTED_PLACEHOLDER not in page
    # The second reader got the cached shell, yet a start time of their own visit.
    assert first["form_started"] != second["form_started"]
    assert _started_at(second["form_started"]) > _started_at(first["form_started"])

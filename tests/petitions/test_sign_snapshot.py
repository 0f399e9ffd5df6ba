"""The sign path takes a campaign from a snapshot kept a few seconds per process
(petitions.service.sign_target); the signature's INSERT checks the campaign again, so what a
signer is told never depends on how old the snapshot is."""
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from campaign.campaigns.models import Campaign
from campaign.extensions import db
from campaign.outbox.models import OutboxMessage
from campaign.petitions import custom_fields
from campaign.petitions import service as petitions
from campaign.petitions.models import Signature
from campaign.util import utcnow
from tests.factories import make_campaign
from tests.forms_util import SIGN_FORM, hidden_inputs

CLOSED_RU = "Петиция закрыта, подписи больше не принимаются."


@pytest.fixture
def warm_for_an_hour(monkeypatch):
    """Snapshots kept for an hour: every sign below after the first uses the warm one."""
    monkeypatch.setattr(petitions, "SIGN_TARGET_SECONDS", 3600)


def post(client, campaign, form, email, lang="ru"):
    return client.post(f"/{lang}/c/{campaign.slug}/sign",
                       data=dict(SIGN_FORM, **form, email=email))


def form_of(client, campaign, lang="ru"):
    return hidden_inputs(client.get(f"/{lang}/c/{campaign.slug}").get_data(as_text=True))


def stored():
    db.session.expire_all()
    return (db.session.scalar(select(func.count()).select_from(Signature)),
            db.session.scalar(select(func.count()).select_from(OutboxMessage)))


@pytest.mark.parametrize("close", ["status", "deadline"])
def test_a_campaign_closed_a_moment_ago_refuses_with_the_translated_answer(
        client, app, warm_for_an_hour, close):
    campaign = make_campaign(locales=("en", "ru"))
    form = form_of(client, campaign)
    assert post(client, campaign, form, "first@example.org").status_code == 303
    assert stored() == (1, 1)
    if close == "status":
        campaign.status = "closed"
    else:
        campaign.deadline = utcnow() - timedelta(seconds=1)
    db.session.commit()
    response = post(client, campaign, form, "second@example.org")
    assert response.status_code == 403
    assert CLOSED_RU in response.get_data(as_text=True)
    assert stored() == (1, 1)  # no signature, no e-mail


def test_a_campaign_reopened_a_moment_ago_takes_signatures(client, app, warm_for_an_hour):
    campaign = make_campaign(locales=("en", "ru"))
    form = form_of(client, campaign)
    campaign.status = "closed"
    db.session.commit()
    assert post(client, campaign, form, "early@example.org").status_code == 403
    campaign.status = "live"
    db.session.commit()
    assert post(client, campaign, form, "later@example.org").status_code == 303
    assert stored() == (1, 1)


def test_a_field_required_a_moment_ago_is_asked_for(client, app, warm_for_an_hour):
    campaign = make_campaign(locales=("en", "ru"))
    form = form_of(client, campaign)
    assert post(client, campaign, form, "first@example.org").status_code == 303
    custom_fields.add_field(campaign.id, custom_fields.FieldDefinition(
        key="profession", kind="text", labels={"en": "Profession", "ru": "Профессия"},
        choices=[], required=True))
    response = post(client, campaign, form, "second@example.org")
    assert response.status_code == 422
    assert "Профессия" in response.get_data(as_text=True)
    assert stored() == (1, 1)


def test_a_slug_given_to_another_campaign_signs_that_campaign(client, app,
                                                              warm_for_an_hour):
    old = make_campaign("same-slug", locales=("en", "ru"))
    form = form_of(client, old)
    assert post(client, old, form, "first@example.org").status_code == 303
    old.slug = "renamed"
    db.session.commit()
    new = make_campaign("same-slug", locales=("en", "ru"))
    assert post(client, new, form, "second@example.org").status_code == 303
    db.session.expire_all()
    assert [s.campaign_id for s in db.session.scalars(
        select(Signature).order_by(Signature.id))] == [old.id, new.id]
    assert db.session.get(Campaign, new.id).slug == "same-slug"

"""Campaign settings in the console, and the audit pages (the whole log for admins, a
campaign's history for its organizers)."""
from __future__ import annotations

from datetime import datetime

import pytest

from campaign.audit import service as audit
from campaign.audit.models import AuditEntry
from campaign.extensions import db
from tests.conftest import login
from tests.factories import make_campaign, make_signature, make_user
from tests.organizers.conftest import post_form


@pytest.fixture
def draft(client, app):
    campaign = make_campaign("draft-one", status="draft")
    user, password = make_user(campaigns=[campaign])
    login(client, user.email, password)
    return user, campaign


def _settings(client, current, **values):
    """POST the settings form of the campaign at `current`, changing `values`."""
    data = {"slug": current, "goal": "1000", "default_locale": "en", "deadline": "",
            **values}
    return post_form(client, f"/organize/c/{current}/settings", data)


def test_settings_page_shows_the_current_values(draft, client):
    _user, campaign = draft
    page = client.get(f"/organize/c/{campaign.slug}/settings")
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    assert 'value="draft-one"' in html and 'value="100"' in html
    assert "cannot change" not in html  # a draft's address may still change


def test_saving_settings_changes_the_campaign_and_is_audited(draft, client):
    user, campaign = draft
    response = _settings(client, "draft-one", goal="5000", default_locale="ru",
                         deadline="2027-02-07T12:00")
    assert response.status_code == 302
    db.session.refresh(campaign)
    assert (campaign.goal, campaign.default_locale, campaign.deadline) == (
        5000, "ru", datetime(2027, 2, 7, 12, 0))
    [entry] = audit.entries(campaign_id=campaign.id)
    assert (entry.action, entry.user_email) == ("campaign.settings", user.email)
    assert entry.detail["changes"]["goal"] == ["100", "5000"]
    history = client.get(f"/organize/c/{campaign.slug}/history").get_data(as_text=True)
    assert "campaign.settings" in history and user.email in history


def test_a_draft_can_be_renamed_and_the_old_address_is_gone(draft, client):
    _user, campaign = draft
    assert _settings(client, "draft-one", slug="renamed-draft").status_code == 302
    db.session.refresh(campaign)
    assert campaign.slug == "renamed-draft"
    assert client.get("/organize/c/draft-one/settings").status_code == 404
    assert client.get("/organize/c/renamed-draft/settings").status_code == 200


@pytest.mark.parametrize(("values", "message"), [
    ({"slug": "Bad Slug!"}, "lower-case letters"),
    ({"slug": "taken-one"}, "Another campaign uses this address"),
    ({"goal": "-5"}, "Number must be"),
    ({"goal": "many"}, "This field is required"),
    ({"default_locale": "xx"}, "Not a valid choice"),
    ({"deadline": "tomorrow"}, "Not a valid datetime"),
])
def test_bad_settings_are_refused_with_the_form_back(draft, client, values, message):
    _user, campaign = draft
    make_campaign("taken-one")
    response = _settings(client, "draft-one", **values)
    assert response.status_code == 422
    assert message in response.get_data(as_text=True)
    db.session.refresh(campaign)
    assert (campaign.slug, campaign.goal) == ("draft-one", 100)


def test_another_organizer_cannot_see_or_change_the_settings(draft, client):
    _user, campaign = draft
    other, password = make_user()
    fresh = client.application.test_client()
    login(fresh, other.email, password)
    assert fresh.get(f"/organize/c/{campaign.slug}/settings").status_code == 403
    assert fresh.post(f"/organize/c/{campaign.slug}/settings",
                      data={"slug": "stolen", "goal": "1"}).status_code in (400, 403)
    db.session.refresh(campaign)
    assert campaign.slug == "draft-one"


def test_the_audit_log_is_for_admins_newest_first_and_pages(client, app):
    campaign = make_campaign()
    admin, password = make_user(role="admin")
    for number in range(105):
        audit.record(admin, "test.action", campaign_id=campaign.id, target=f"item {number}")
    db.session.commit()
    organizer, organizer_password = make_user(campaigns=[campaign])
    login(client, organizer.email, organizer_password)
    assert client.get("/organize/audit").status_code == 403

    fresh = app.test_client()
    login(fresh, admin.email, password)
    first = fresh.get("/organize/audit").get_data(as_text=True)
    assert first.index("item 104") < first.index("item 103")
    assert "item 4<" not in first and 'rel="next"' in first
    oldest_shown = db.session.scalars(db.select(AuditEntry.id).order_by(
        AuditEntry.id.desc()).limit(100)).all()[-1]
    second = fresh.get(f"/organize/audit?before={oldest_shown}").get_data(as_text=True)
    assert "item 4<" in second and "item 0<" in second and "item 104" not in second


def test_a_campaigns_history_shows_only_that_campaign(client, app):
    mine, theirs = make_campaign(), make_campaign()
    user, password = make_user(campaigns=[mine])
    signature = make_signature(mine)
    from campaign.petitions.console import moderation
    moderation.invalidate(user, signature, "duplicate")
    audit.record(user, "elsewhere.action", campaign_id=theirs.id, target="not mine")
    db.session.commit()
    login(client, user.email, password)
    page = client.get(f"/organize/c/{mine.slug}/history").get_data(as_text=True)
    assert "signature.invalidate" in page and "duplicate" in page
    assert "not mine" not in page
    assert client.get(f"/organize/c/{theirs.slug}/history").status_code == 403

"""Milestones: crossing a step e-mails the organizers once (even when confirmations race),
the steps show on the campaign page's progress bar, a reached step can become an update
draft, and the goal can be raised with a note in the page's language."""
import re
import threading

import pytest
from sqlalchemy import select

from campaign.extensions import db
from campaign.milestones import service as milestones
from campaign.milestones.models import Milestone
from campaign.organizers.models import CampaignUpdate
from campaign.outbox.models import OutboxMessage
from campaign.petitions import service as petitions
from tests.conftest import csrf_from, login
from tests.factories import make_campaign, make_signature, make_user
from tests.organizers.conftest import post_form


def milestone_mail():
    db.session.expire_all()
    return list(db.session.scalars(select(OutboxMessage).where(
        OutboxMessage.kind == "milestone_reached").order_by(OutboxMessage.id)))


@pytest.fixture
def organizer(client, app):
    campaign = make_campaign(goal=20, locales=("en", "ru"))
    user, password = make_user(campaigns=[campaign])
    login(client, user.email, password)
    return user, campaign


@pytest.mark.parametrize("text, steps", [
    ("1,000 / 10 000", [1000, 10000]), ("5;5\n50", [5, 50]), ("", []),
    ("1\u00a0000", [1000])])
def test_steps_are_read_from_what_organizers_type(text, steps):
    assert milestones.parse_thresholds(text) == steps


@pytest.mark.parametrize("text", ["ten", "-5", "0", "1.5e3x", "/".join(map(str, range(1, 30)))])
def test_bad_steps_are_refused(text):
    with pytest.raises(milestones.MilestoneError):
        milestones.parse_thresholds(text)


def test_crossing_a_step_emails_each_organizer_once(organizer, client, app):
    user, campaign = organizer
    second, _ = make_user(campaigns=[campaign])
    response = post_form(client, f"/organize/c/{campaign.slug}/milestones",
                         {"thresholds": "3 / 5"})
    assert response.status_code == 303
    for _ in range(2):
        make_signature(campaign)
    assert milestone_mail() == []
    make_signature(campaign)  # the third confirmation crosses 3
    mail = milestone_mail()
    assert sorted(m.to_addr for m in mail) == sorted([user.email, second.email])
    assert "3 signatures" in mail[0].subject and "Title" in mail[0].subject
    assert f"/organize/c/{campaign.slug}/milestones" in mail[0].body_text
    pending = make_signature(campaign, confirmed=False)
    assert len(milestone_mail()) == 2
    make_signature(campaign)
    petitions.confirm(petitions.signature_token("confirm", pending))  # the fifth
    assert len(milestone_mail()) == 4
    # Re-confirming, invalidating and restoring never send a step twice.
    petitions.confirm(petitions.signature_token("confirm", pending))
    assert len(milestone_mail()) == 4
    page = client.get(f"/organize/c/{campaign.slug}/milestones").get_data(as_text=True)
    assert page.count("Draft an update about it") == 2


def test_steps_already_under_the_count_are_reached_without_mail(organizer, app):
    user, campaign = organizer
    for _ in range(4):
        make_signature(campaign)
    milestones.set_milestones(user, campaign, [2, 10])
    reached = {m.threshold: m.reached_at is not None for m in milestones.milestones(campaign.id)}
    assert reached == {2: True, 10: False} and milestone_mail() == []


def test_bad_steps_get_a_translated_error(organizer, client):
    _user, campaign = organizer
    url = f"/organize/c/{campaign.slug}/milestones"
    russian = {"Accept-Language": "ru"}
    page = client.get(url, headers=russian).get_data(as_text=True)
    response = client.post(url, headers=russian, data={
        "thresholds": "десять", "csrf_token": csrf_from(page)})
    assert response.status_code == 422
    assert "«десять» — не число подписей" in response.get_data(as_text=True)


def test_concurrent_confirmations_send_each_step_once(app, database_url):
    campaign = make_campaign(goal=100)
    user, _ = make_user(campaigns=[campaign])
    milestones.set_milestones(user, campaign, [4, 8])
    tokens = [petitions.signature_token("confirm", make_signature(campaign, confirmed=False))
              for _ in range(12)]
    db.session.remove()
    barrier = threading.Barrier(len(tokens))
    errors = []

    def confirm(token):
        with app.app_context():
            try:
                barrier.wait(timeout=30)
                petitions.confirm(token)
            except Exception as exc:
                errors.append(exc)
            finally:
                db.session.remove()

    threads = [threading.Thread(target=confirm, args=(t,)) for t in tokens]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not errors, errors
    # A step crossed by racing confirmations that each saw only their own increment is
    # claimed by the next one: one more confirmation settles it.
    make_signature(campaign)
    db.session.expire_all()
    assert db.session.get(type(campaign), campaign.id).signature_count == 13
    mail = milestone_mail()
    subjects = sorted(m.subject for m in mail)
    assert len(mail) == 2, subjects
    assert any(" 4 " in s for s in subjects) and any(" 8 " in s for s in subjects)
    assert all(m.reached_at is not None for m in db.session.scalars(select(Milestone)))


def test_page_shows_steps_on_the_progress_bar_and_the_note_in_its_language(organizer, client):
    user, campaign = organizer
    milestones.set_milestones(user, campaign, [5, 10])
    for _ in range(5):
        make_signature(campaign)
    page = client.get(f"/en/c/{campaign.slug}").get_data(as_text=True)
    box = page.split('class="progress-box"')[1].split("</section>")[0]
    assert re.search(r'class="reached" data-percent="25">5', box)
    assert re.search(r'class="ahead" data-percent="50">10', box)
    response = post_form(client, f"/organize/c/{campaign.slug}/milestones", {
        "goal": "40", "note_en": "We reached 5 — help us reach 40",
        "note_ru": "Нас уже 5 — помогите дойти до 40"},
        action=f"/organize/c/{campaign.slug}/milestones/goal")
    assert response.status_code == 303
    db.session.expire_all()
    assert db.session.get(type(campaign), campaign.id).goal == 40
    assert "help us reach 40" in client.get(f"/en/c/{campaign.slug}").get_data(as_text=True)
    ru = client.get(f"/ru/c/{campaign.slug}").get_data(as_text=True)
    assert "помогите дойти до 40" in ru and "help us reach" not in ru
    assert "help us reach" not in client.get(f"/de/c/{campaign.slug}").get_data(as_text=True)
    # A goal under the count is refused, with a message.
    low = post_form(client, f"/organize/c/{campaign.slug}/milestones", {"goal": "3"},
                    action=f"/organize/c/{campaign.slug}/milestones/goal")
    assert low.status_code == 422 and "higher than the count" in low.get_data(as_text=True)


def test_a_reached_step_becomes_an_update_draft_in_each_language(organizer, client):
    user, campaign = organizer
    milestones.set_milestones(user, campaign, [2])
    for _ in range(2):
        make_signature(campaign)
    url = f"/organize/c/{campaign.slug}/milestones"
    response = post_form(client, url, {}, action=f"{url}/2/draft")
    assert response.status_code == 303 and "/updates" in response.location
    draft = db.session.scalar(select(CampaignUpdate))
    assert draft.sent_at is None and set(draft.texts) == {"en", "ru"}
    assert "2 signatures" in draft.texts["en"]["subject"]
    assert "подпис" in draft.texts["ru"]["subject"]
    assert post_form(client, url, {}, action=f"{url}/7/draft").status_code == 404

"""Start a new campaign from an existing one: texts in every language, settings, targets,
letter templates; never signatures, updates or letters. One action, one audit entry."""
from __future__ import annotations

from sqlalchemy import func, select

from campaign.audit.models import AuditEntry
from campaign.campaigns.models import Campaign
from campaign.donations.models import DonationSettings
from campaign.extensions import db
from campaign.letters import service as letters
from campaign.letters.models import CampaignTarget, LetterTemplate
from campaign.organizers.models import CampaignMember, CampaignUpdate
from campaign.petitions.console import updates
from campaign.petitions.models import Signature
from campaign.targets import service as targets
from campaign.targets.models import Target
from campaign.widget.models import WidgetSettings
from tests.conftest import login
from tests.factories import make_campaign, make_signature, make_user
from tests.organizers.conftest import post_form


def test_new_campaign_from_an_existing_one(app, client):
    source = make_campaign("korday-2020", locales=("ru", "en", "zh"), goal=5000)
    user, password = make_user(campaigns=[source])
    make_signature(source, email="signer@example.org", updates=True)
    updates.save(user, source, {"ru": {"subject": "Новость", "body": "Текст"}})
    letters.save_template(source, "letter", "ru", "Обращение о {{ campaign_title }}",
                          "Подписей уже {{ signature_count }}.")
    targets.load_starting_set()
    offered = db.session.scalars(select(Target.id).limit(3)).all()
    letters.set_campaign_targets(source, set(offered), {offered[0]})
    db.session.add(DonationSettings(campaign_id=source.id, currencies="KZT,EUR",
                                    goal_currency="KZT"))
    db.session.add(WidgetSettings(campaign_id=source.id, allowed_origins="https://partner.kz"))
    db.session.commit()
    login(client, user.email, password)

    response = post_form(client, "/organize/c/korday-2020/", {"new_slug": "korday-2021"},
                         "/organize/c/korday-2020/copy")
    assert response.status_code == 302
    assert response.headers["Location"].endswith("/organize/c/korday-2021/")
    new = db.session.scalar(select(Campaign).where(Campaign.slug == "korday-2021"))
    assert (new.status, new.goal, new.default_locale, new.deadline) == ("draft", 5000, "ru",
                                                                        None)
    assert {(t.locale, t.title, t.body_markdown) for t in new.texts} == {
        (t.locale, t.title, t.body_markdown) for t in source.texts}
    assert db.session.scalars(select(LetterTemplate.body).where(
        LetterTemplate.campaign_id == new.id)).all() == [
            "Подписей уже {{ signature_count }}."]
    assert {(row.target_id, row.preselected) for row in db.session.scalars(
        select(CampaignTarget).where(CampaignTarget.campaign_id == new.id))} == {
            (target_id, target_id == offered[0]) for target_id in offered}
    assert db.session.get(DonationSettings, new.id).currencies == "KZT,EUR"
    assert db.session.get(WidgetSettings, new.id).allowed_origins == "https://partner.kz"
    # What belongs to people stays with the first campaign.
    for model in (Signature, CampaignUpdate):
        assert db.session.scalar(select(func.count()).select_from(model).where(
            model.campaign_id == new.id)) == 0
    assert new.signature_count == 0
    assert db.session.scalar(select(CampaignMember.user_id).where(
        CampaignMember.campaign_id == new.id)) == user.id
    entry = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "campaign.copy"))
    assert entry.campaign_id == new.id and entry.detail["source"] == "korday-2020"
    assert entry.detail["parts"] == ["donations", "letters", "photo", "widget"]
    assert "korday-2021" in client.get("/organize/").get_data(as_text=True)


def test_copy_refuses_a_bad_or_taken_address(app, client):
    source = make_campaign("first", locales=("en",))
    make_campaign("taken", locales=("en",))
    user, password = make_user(campaigns=[source])
    login(client, user.email, password)
    before = db.session.scalar(select(func.count()).select_from(Campaign))
    for slug, message in (("taken", "Another campaign uses this address."),
                          ("Not A Slug!", "Use 1 to 80 lower-case letters"),
                          ("", "This field is required.")):
        response = post_form(client, "/organize/c/first/", {"new_slug": slug},
                             "/organize/c/first/copy")
        assert response.status_code == 422 and message in response.get_data(as_text=True)
    assert db.session.scalar(select(func.count()).select_from(Campaign)) == before
    response = post_form(client, "/organize/c/first/", {"new_slug": "x"},
                         "/organize/c/first/copy", headers={"Accept-Language": "ru"})
    assert response.status_code == 302  # a one-letter address is fine


def test_only_members_may_copy(app, client):
    source = make_campaign("private-one", locales=("en",))
    outsider, password = make_user()
    login(client, outsider.email, password)
    response = post_form(client, "/organize/", {"new_slug": "stolen"},
                         "/organize/c/private-one/copy")
    assert response.status_code == 403
    assert db.session.scalar(select(Campaign).where(Campaign.slug == "stolen")) is None
    assert source.id

"""Comments: optional pre-moderation, a keyboard-friendly queue, and a public name an
organizer can hide without touching the signature's count."""
from __future__ import annotations

import re

import pytest

from campaign.extensions import db
from campaign.letters import delivery
from campaign.petitions import service as petitions
from campaign.petitions.models import Signature
from tests.conftest import csrf_from, login
from tests.factories import make_campaign, make_signature, make_user


def page_of(client, campaign, lang="en"):
    return client.get(f"/{lang}/c/{campaign.slug}").get_data(as_text=True)


def count_of(campaign):
    db.session.expire_all()
    return db.session.get(type(campaign), campaign.id).signature_count


@pytest.fixture
def organizer(client, app):
    campaign = make_campaign(locales=("en", "ru"))
    user, password = make_user(campaigns=[campaign])
    login(client, user.email, password)
    return campaign


def test_comments_show_at_once_without_premoderation(client, organizer):
    make_signature(organizer, comment="Free the prisoners", full_name="Aisha Vanahun")
    page = page_of(client, organizer)
    assert "Free the prisoners" in page and "Aisha Vanahun" in page


def test_premoderation_hides_comments_until_approved(client, organizer):
    url = f"/organize/c/{organizer.slug}/comments"
    console = client.get(url).get_data(as_text=True)
    assert client.post(url, data={"csrf_token": csrf_from(console),
                                  "premoderated": "y"}).status_code == 303
    assert petitions.comments_premoderated(organizer.id)
    signature = make_signature(organizer, comment="Free the prisoners")
    make_signature(organizer, comment="Pending only", confirmed=False)
    assert "Free the prisoners" not in page_of(client, organizer)
    # The queue lists confirmed signatures' comments, with real buttons in order.
    console = client.get(url).get_data(as_text=True)
    assert "Free the prisoners" in console and "Pending only" not in console
    item = re.search(rf'<li id="comment-{signature.id}">(.*?)</li>', console, re.DOTALL).group(1)
    assert re.findall(r'<button type="submit"[^>]*>([^<]+)</button>', item) == [
        "Approve", "Hide", "Hide the name"]
    assert "tabindex" not in item  # the document order is the tab order
    response = client.post(f"{url}/{signature.id}/approve",
                           data={"csrf_token": csrf_from(console)})
    assert response.status_code == 303
    assert "Free the prisoners" in page_of(client, organizer)
    assert "Free the prisoners" not in client.get(url).get_data(as_text=True)
    # The dossier follows the same rule.
    make_signature(organizer, comment="Not yet approved")
    comments = [text for _name, text in delivery.gather(organizer, "en").comments]
    assert comments == ["Free the prisoners"]


def test_hiding_a_comment_from_the_queue(client, organizer):
    petitions.set_comments_premoderated(organizer.id, True)
    signature = make_signature(organizer, comment="Abusive words")
    url = f"/organize/c/{organizer.slug}/comments"
    console = client.get(url).get_data(as_text=True)
    client.post(f"{url}/{signature.id}/hide", data={"csrf_token": csrf_from(console)})
    assert "Abusive words" not in client.get(url).get_data(as_text=True)
    petitions.set_comments_premoderated(organizer.id, False)
    assert "Abusive words" not in page_of(client, organizer)


def test_hiding_a_name_keeps_the_signature_counted(client, organizer):
    signature = make_signature(organizer, full_name="Aisha Vanahun", comment="Justice")
    assert count_of(organizer) == 1
    console = client.get(f"/organize/c/{organizer.slug}/signatures").get_data(as_text=True)
    response = client.post(
        f"/organize/c/{organizer.slug}/comments/{signature.id}/hide_name",
        data={"csrf_token": csrf_from(console), "next": "signatures"})
    assert response.status_code == 303
    assert "/signatures" in response.headers["Location"]
    page = page_of(client, organizer)
    assert "Aisha Vanahun" not in page and "Justice" in page
    assert count_of(organizer) == 1
    db.session.expire_all()
    stored = db.session.get(Signature, signature.id)
    assert stored.status == "confirmed" and stored.name_hidden
    assert stored.public_name is None
    # The dossier leaves the hidden name out too (its comment stays, unsigned).
    facts = delivery.gather(organizer, "en")
    assert "Aisha Vanahun" not in facts.names and facts.comments == [("", "Justice")]
    client.post(f"/organize/c/{organizer.slug}/comments/{signature.id}/show_name",
                data={"csrf_token": csrf_from(console)})
    assert "Aisha Vanahun" in page_of(client, organizer)


def test_actions_need_csrf_and_the_campaign(client, organizer):
    signature = make_signature(organizer, comment="x")
    other = make_campaign()
    url = f"/organize/c/{organizer.slug}/comments/{signature.id}/approve"
    assert client.post(url, data={}).status_code == 400
    console = client.get(f"/organize/c/{organizer.slug}/comments").get_data(as_text=True)
    assert client.post(f"/organize/c/{organizer.slug}/comments/999999/approve",
                       data={"csrf_token": csrf_from(console)}).status_code == 404
    assert client.post(f"/organize/c/{other.slug}/comments/{signature.id}/approve",
                       data={"csrf_token": csrf_from(console)}).status_code in (403, 404)

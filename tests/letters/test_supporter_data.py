"""A supporter's letters are part of the data the privacy link copies and deletes."""
from sqlalchemy import func, select

from campaign.extensions import db
from campaign.letters import service
from campaign.letters.models import Letter
from campaign.outbox.models import OutboxMessage
from campaign.privacy import service as privacy
from tests.factories import make_signature
from tests.letters.conftest import confirm_by_outbox


def test_letters_are_exported_and_erased_with_the_person(app, client, live, campaign, bodies):
    make_signature(campaign, email="dana.k@gmail.com")
    make_signature(campaign, email="other@example.org")
    for name, email in (("Dana", "dana.k@gmail.com"), ("Other", "other@example.org")):
        service.send_letters(campaign, targets=[bodies["un_min"]], name=name, email=email,
                             place="Bishkek", subject=f"From {name}", body="Please act.",
                             locale="en")
        confirm_by_outbox(client, email)
    key = privacy.email_key_of("Dana.K+x@googlemail.com")  # the same person, spelt otherwise

    exported = privacy.export(key)["letters"]
    assert [letter["subject"] for letter in exported] == ["From Dana"]
    assert exported[0]["place"] == "Bishkek" and exported[0]["email"] == "dana.k@gmail.com"

    assert privacy.erase(key)["letters"] == 1
    assert db.session.scalars(select(Letter.sender_name)).all() == ["Other"]
    # Our copy of the e-mail that carried Dana's letter alone is gone; the other stays.
    replies_to = db.session.scalars(select(OutboxMessage.reply_to).where(
        OutboxMessage.reply_to.is_not(None))).all()
    assert len(replies_to) == 1 and "other@example.org" in replies_to[0]
    assert db.session.scalar(select(func.count()).select_from(Letter)) == 1

"""The worker renders a batch of signer e-mails once per kind, campaign and language and puts
each signer's name and links in: every message is what rendering it alone gives, in every
language, escaped where the template escapes (a name with markup stays text)."""
from __future__ import annotations

import pytest
from itsdangerous.timed import TimestampSigner
from sqlalchemy import select

from campaign.extensions import db
from campaign.outbox import service as outbox
from campaign.outbox.models import OutboxMessage
from campaign.petitions import service as petitions
from campaign.petitions.models import Signature
from campaign.petitions.signer_mail import render_signer_emails
from tests.factories import make_campaign


@pytest.fixture
def fixed_clock(monkeypatch):
    # Tokens carry a timestamp: both renderings must sign in the same second.
    monkeypatch.setattr(TimestampSigner, "get_timestamp", lambda self: 1_800_000_000)


def _sign(campaign, email, name, locale):
    petitions.sign(campaign, petitions.SignatureInput(
        full_name=name, email=email, country="KZ", locale=locale))
    db.session.commit()
    return db.session.scalar(select(Signature).where(Signature.email == email))


def test_batch_rendering_gives_each_message_as_rendered_alone(app, fixed_clock):
    campaign = make_campaign(locales=("en", "ru", "fr"))
    other = make_campaign(locales=("en",))
    names = ["O'Brien <b>bold</b> & \"quoted\"", "Айгерим Сәтбаева", "Zoé d’Arc",
             "Percent %(name)s {{ braces }}"]
    signatures = []
    for number, name in enumerate(names):
        for lang in ("en", "ru", "fr"):
            signatures.append(_sign(campaign, f"s{number}-{lang}@example.org", name, lang))
    signatures.append(_sign(other, "other@example.org", names[0], "en"))
    # A confirmed signer gets the thank-you e-mail (and, signing again, the "already" one).
    confirmed = signatures[0]
    petitions.confirm(petitions.signature_token("confirm", confirmed))
    outbox.enqueue_deferred(kind="signature_already", to=confirmed.email, lang="fr",
                            ref=confirmed.id, campaign_id=campaign.id)
    # The reminder reads the signing date: rendered per message, still the same result.
    reminded = signatures[1]
    outbox.enqueue_deferred(kind="signature_reminder", to=reminded.email, lang="ru",
                            ref=reminded.id, campaign_id=campaign.id)
    db.session.commit()

    rows = list(db.session.scalars(select(OutboxMessage).order_by(OutboxMessage.id)))
    assert {row.kind for row in rows} == {"signature_confirm", "signature_thanks",
                                          "signature_already", "signature_reminder"}
    batch = render_signer_emails(rows)
    assert set(batch) == {row.id for row in rows}
    for row in rows:
        signature = db.session.get(Signature, row.render_ref)
        alone = petitions.signer_email(row.kind, signature, signature.campaign,
                                       row.render_lang)
        assert batch[row.id] == alone, (row.kind, row.render_lang, signature.full_name)
    html = batch[rows[0].id].body_html
    assert "O&#39;Brien &lt;b&gt;bold&lt;/b&gt; &amp; &#34;quoted&#34;" in html
    assert "<b>bold" not in html
    assert "O'Brien <b>bold</b>" in batch[rows[0].id].body_text
    # Each message has its own links.
    confirm_links = {batch[row.id].headers["List-Unsubscribe"] for row in rows}
    assert len(confirm_links) == len({row.render_ref for row in rows})


def test_a_row_whose_signature_changed_hands_is_not_rendered(app):
    campaign = make_campaign()
    signature = _sign(campaign, "first@example.org", "First", "en")
    row = db.session.scalar(select(OutboxMessage))
    row.to_addr = "someone-else@example.org"  # as if the id now named another signer
    db.session.commit()
    assert render_signer_emails([row]) == {}
    assert signature.id == row.render_ref

"""`flask campaigns recount` (run nightly, per the README): exact while people sign."""
from __future__ import annotations

import threading

from campaign.campaigns.models import Campaign
from campaign.extensions import db
from campaign.petitions import lifecycle
from campaign.petitions import service as petitions
from tests.factories import make_campaign, make_signature


def _recount_cli(app, *args):
    result = app.test_cli_runner().invoke(args=["campaigns", "recount", *args])
    assert result.exit_code == 0, result.output
    return result.output


def test_recount_repairs_a_drifted_count_and_says_what_it_was(app):
    campaign, other = make_campaign(), make_campaign()
    for _ in range(3):
        make_signature(campaign)
    make_signature(campaign, confirmed=False)
    lifecycle.add_to_count(campaign.id, 7)  # drift, as a lost update or a manual edit would
    db.session.commit()
    db.session.refresh(campaign)
    assert campaign.signature_count == 10
    assert _recount_cli(app, campaign.slug) == f"{campaign.slug}\t3 (was 10)\n"
    db.session.refresh(campaign)
    assert campaign.signature_count == 3
    # Every campaign without a slug; a correct count says nothing more.
    output = _recount_cli(app)
    assert f"{campaign.slug}\t3\n" in output and f"{other.slug}\t0\n" in output


def test_recount_during_confirmations_keeps_the_count_exact(app):
    """Confirmations in three threads while a fourth recounts again and again: each
    confirmation is either counted before a recount's lock (and recounted) or after it."""
    campaign = make_campaign()
    pending = [make_signature(campaign, confirmed=False) for _ in range(45)]
    tokens = [petitions.signature_token("confirm", signature) for signature in pending]
    campaign_id, slug = campaign.id, campaign.slug
    db.session.commit()
    errors: list[BaseException] = []
    signing_done = threading.Event()

    def confirm(batch):
        try:
            with app.app_context():
                for token in batch:
                    outcome, _signature = petitions.confirm(token)
                    assert outcome is petitions.ConfirmOutcome.CONFIRMED
                db.session.remove()
        except BaseException as exc:
            errors.append(exc)

    def recount_until_done():
        try:
            with app.app_context():
                rounds = 0
                while not signing_done.is_set() or rounds < 2:
                    lifecycle.recount(campaign_id)
                    rounds += 1
                db.session.remove()
        except BaseException as exc:
            errors.append(exc)

    signers = [threading.Thread(target=confirm, args=(tokens[i::3],)) for i in range(3)]
    recounter = threading.Thread(target=recount_until_done)
    recounter.start()
    for thread in signers:
        thread.start()
    for thread in signers:
        thread.join(120)
    signing_done.set()
    recounter.join(120)
    assert not errors, errors
    db.session.expire_all()
    campaign = db.session.get(Campaign, campaign_id)
    assert campaign.signature_count == 45 == lifecycle.true_count(campaign_id)
    assert _recount_cli(app, slug) == f"{slug}\t45\n"

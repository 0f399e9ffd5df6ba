"""`flask bench seed` keeps the counter exact and makes working confirmation links."""
from campaign.bench import service as bench
from campaign.campaigns import service as campaigns
from campaign.petitions import service as petitions
from tests.factories import make_campaign


def test_seeded_signatures_are_counted_and_pending_ones_confirm(app):
    campaign = make_campaign()
    bench.seed_signatures(campaign.id, 250)
    tag = bench.seed_signatures(campaign.id, 5, status="pending")
    assert campaigns.campaign_summary(campaign.slug)["count"] == 250
    assert petitions.true_count(campaign.id) == 250
    tokens = list(bench.confirm_tokens(campaign.id, tag))
    assert len(tokens) == 5
    outcome, _ = petitions.confirm(tokens[0])
    assert outcome is petitions.ConfirmOutcome.CONFIRMED
    assert campaigns.campaign_summary(campaign.slug)["count"] == 251

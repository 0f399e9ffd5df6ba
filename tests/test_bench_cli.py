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


def test_export_and_pages_figures_time_the_console_routes(app):
    """`flask bench export` and `pages` go through the console as a logged-in organizer:
    the export is the route's CSV (BOM, every column), the table the route's HTML pages."""
    import json

    campaign = make_campaign()
    bench.seed_signatures(campaign.id, 120)
    runner = app.test_cli_runner()
    exported = runner.invoke(args=["bench", "export", "--slug", campaign.slug])
    assert exported.exit_code == 0, exported.output
    figures = json.loads(exported.output.strip().splitlines()[-1])
    assert figures["rows"] == 120 and figures["rows_per_s"] > 0
    pages = runner.invoke(args=["bench", "pages", "--slug", campaign.slug])
    assert pages.exit_code == 0, pages.output
    timed = json.loads(pages.output.strip().splitlines()[-1])
    assert timed["signatures"] == 120
    assert {label: page["rows"] for label, page in timed["pages"].items()} == {
        "first": 50, "middle": 50, "last": 50}
    from campaign.audit.service import entries
    assert any(entry.action == "signature.export_csv" for entry in entries(
        campaign_id=campaign.id))  # the real route ran (it audits every export)

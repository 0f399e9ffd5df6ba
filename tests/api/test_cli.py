from campaign.api import service as api
from campaign.widget import service as widget
from tests.factories import make_campaign, make_user


def test_cli_creates_a_key_and_sets_widget_sites(app):
    campaign = make_campaign()
    user, _ = make_user(campaigns=[campaign])
    runner = app.test_cli_runner()
    result = runner.invoke(args=["api", "create-key", user.email, "partner", campaign.slug])
    token = result.output.strip()
    assert result.exit_code == 0 and api.authenticate(token) is not None
    assert runner.invoke(args=["api", "create-key", user.email, "x", "nope"]).exit_code != 0

    result = runner.invoke(args=["widget", "allow", campaign.slug, "https://partner.org/a"])
    assert result.exit_code == 0
    assert widget.frame_ancestors(campaign.id) == ["https://partner.org"]
    bad = runner.invoke(args=["widget", "allow", campaign.slug, "ftp://x"])
    assert bad.exit_code != 0 and widget.frame_ancestors(campaign.id) == ["https://partner.org"]


def test_only_admins_make_trusted_import_keys_from_the_cli(app):
    campaign = make_campaign()
    organizer, _ = make_user(campaigns=[campaign])
    admin, _ = make_user(role="admin")
    runner = app.test_cli_runner()
    refused = runner.invoke(args=["api", "create-key", organizer.email, "bulk", campaign.slug,
                                  "--trusted-import"])
    assert refused.exit_code != 0 and "admin" in refused.output
    assert api.keys_of(organizer) == []
    made = runner.invoke(args=["api", "create-key", admin.email, "bulk", campaign.slug,
                               "--trusted-import"])
    assert made.exit_code == 0
    assert api.authenticate(made.output.strip()).trusted_import

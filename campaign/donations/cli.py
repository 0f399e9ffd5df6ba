import click
from flask.cli import AppGroup

from ..campaigns import service as campaigns
from ..campaigns.models import Campaign
from . import service

donations_cli = AppGroup("donations", help="Donations for legal aid.")


def _campaign(slug: str) -> Campaign:
    campaign = campaigns.campaign_by_slug(slug, public=False)
    if campaign is None:
        raise click.ClickException(f"no campaign {slug!r}")
    return campaign


@donations_cli.command("totals")
@click.argument("slug")
def totals_command(slug: str) -> None:
    """Money received (net of refunds) and pledged, per currency."""
    campaign = _campaign(slug)
    progress = service.progress(campaign.id)
    for money in progress.raised.values():
        click.echo(f"raised\t{money}")
    for money in progress.pledged.values():
        click.echo(f"pledged\t{money}")
    if progress.goal:
        click.echo(f"goal\t{progress.goal}\tcounted {progress.counted} "
                   f"({progress.percent}%)")


@donations_cli.command("export")
@click.argument("slug")
def export_command(slug: str) -> None:
    """Every donation of a campaign as CSV on standard output."""
    campaign = _campaign(slug)
    click.echo(service.donations_csv(service.list_donations(campaign.id)), nl=False)


@donations_cli.command("status")
def status_command() -> None:
    """Whether card payments are configured, or only offline giving is offered."""
    from flask import current_app
    config = current_app.config
    click.echo(f"stripe: {'on' if config.get('STRIPE_SECRET_KEY') else 'off (offline only)'}")
    click.echo(f"webhook secret: {'set' if config.get('STRIPE_WEBHOOK_SECRET') else 'unset'}")

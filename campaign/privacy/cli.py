import click
from flask.cli import AppGroup

from ..campaigns import service as campaigns
from . import service

privacy_cli = AppGroup("privacy", help="Personal data: retention and anonymisation.")


@privacy_cli.command("purge")
def purge_command() -> None:
    """Anonymise signatures of campaigns delivered longer ago than their retention period."""
    done = service.purge()
    for slug, count in sorted(done.items()):
        click.echo(f"{slug}\t{count} signature(s) anonymised")
    click.echo(f"privacy purge: {sum(done.values())} signature(s) anonymised")


@privacy_cli.command("retention")
@click.argument("slug")
@click.argument("days", type=click.IntRange(0, 36500))
def retention_command(slug: str, days: int) -> None:
    """Keep SLUG's signers' personal data DAYS days after delivery."""
    campaign = campaigns.campaign_by_slug(slug, public=False)
    if campaign is None:
        raise click.ClickException(f"no campaign {slug!r}")
    service.set_retention(campaign.id, days)
    click.echo(f"{slug}: personal data kept {days} day(s) after delivery")

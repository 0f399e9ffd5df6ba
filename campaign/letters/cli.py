import click
from flask.cli import AppGroup

from ..campaigns import service as campaigns
from . import service

letters_cli = AppGroup("letters", help="Letters to institutions and petition delivery.")


@letters_cli.command("digest")
def digest_command():
    """Send each target one digest of the letters held over its daily cap (run daily)."""
    sent = service.send_digests()
    for short_id, count in sorted(sent.items()):
        click.echo(f"{short_id}\t{count}")
    click.echo(f"digests queued: {len(sent)}")


@letters_cli.command("export")
@click.argument("slug")
@click.option("--output", "-o", type=click.File("wb"), default="-")
def export_command(slug, output):
    """Write the canonical signature export of SLUG (its SHA-256 is in the dossier)."""
    campaign = campaigns.campaign_by_slug(slug, public=False)
    if campaign is None:
        raise click.ClickException(f"no campaign {slug!r}")
    output.write(service.canonical_export(campaign.id))


@letters_cli.command("prune")
@click.option("--days", type=int, default=None,
              help="Age in days (default: CONFIRM_MAX_AGE_DAYS, when their link expires).")
def prune_command(days):
    """Delete letters never confirmed by their sender."""
    from flask import current_app

    days = days if days is not None else current_app.config["CONFIRM_MAX_AGE_DAYS"]
    click.echo(f"deleted {service.prune_unconfirmed(days)} unconfirmed letter(s)")

"""`flask campaigns recount` (petitions own the count, so the command is theirs; it joins the
`campaigns` group from petitions.init_app, the name the README's nightly job uses) and
`flask petitions remind`."""
from __future__ import annotations

import click
from flask.cli import AppGroup, with_appcontext
from sqlalchemy import select

from ..campaigns.models import Campaign
from ..extensions import db
from . import service
from .lifecycle import recount


@click.command("recount")
@click.argument("slug", required=False)
@with_appcontext
def recount_command(slug: str | None) -> None:
    """Reconcile cached counts with the signatures (all campaigns, or SLUG). Safe at any time."""
    query = select(Campaign.id, Campaign.slug)
    if slug:
        query = query.where(Campaign.slug == slug)
    for campaign_id, campaign_slug in db.session.execute(query).all():
        old, new = recount(campaign_id)
        note = "" if old == new else f" (was {old})"
        click.echo(f"{campaign_slug}\t{new}{note}")


@click.command("wipe-delivery-fields")
@click.argument("slug")
@with_appcontext
def wipe_delivery_fields_command(slug: str) -> None:
    """Delete the answers to SLUG's "deleted at delivery" custom fields (the petition
    delivery does this by itself; this is for a petition handed over outside the site)."""
    from .custom_fields import wipe_delivery_values

    campaign_id = db.session.scalar(select(Campaign.id).where(Campaign.slug == slug))
    if campaign_id is None:
        raise click.ClickException(f"no campaign {slug!r}")
    count = wipe_delivery_values(campaign_id)
    db.session.commit()
    click.echo(f"{slug}\t{count} answer(s) deleted")


petitions_cli = AppGroup(
    "petitions", help="Petition jobs: reminders to confirm, scheduled updates.")


@petitions_cli.command("remind")
def remind_command() -> None:
    """Send the one reminder to signers who have not confirmed 24 hours after signing.

    Safe to run as often as you like (hourly from a timer): nobody gets a second reminder.
    """
    sent = service.send_reminders()
    click.echo(f"petitions remind: {sent} reminder(s) queued")


@petitions_cli.command("send-scheduled")
def send_scheduled_command() -> None:
    """Send the updates whose scheduled time has come (run every minute from a timer)."""
    from .console import updates

    for item, count in updates.send_due():
        click.echo(f"update {item.id}\t{count}")

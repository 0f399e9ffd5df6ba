"""`flask campaigns recount`: petitions own the count, so the command is theirs; it joins the
`campaigns` group from petitions.init_app (the name the README's nightly job uses)."""
from __future__ import annotations

import click
from flask.cli import with_appcontext
from sqlalchemy import select

from ..campaigns.models import Campaign
from ..extensions import db
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

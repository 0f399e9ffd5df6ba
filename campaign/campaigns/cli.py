import click
from flask.cli import AppGroup
from sqlalchemy import select

from ..extensions import db
from .models import Campaign

# `recount` is added by petitions (petitions/cli.py), which owns the count.
campaigns_cli = AppGroup("campaigns", help="Campaigns.")


@campaigns_cli.command("list")
def list_command() -> None:
    """Every campaign with its status and count."""
    for campaign in db.session.scalars(select(Campaign).order_by(Campaign.id)):
        click.echo(f"{campaign.slug}\t{campaign.status}\t{campaign.signature_count}"
                   f"/{campaign.goal}\t{','.join(campaign.locales)}")

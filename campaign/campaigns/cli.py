import click
from flask.cli import AppGroup
from sqlalchemy import select

from ..extensions import db
from . import demo, service
from .models import Campaign

campaigns_cli = AppGroup("campaigns", help="Campaigns.")
demo_cli = AppGroup("demo", help="Demo content.")


@campaigns_cli.command("list")
def list_command():
    """Every campaign with its status and count."""
    for campaign in db.session.scalars(select(Campaign).order_by(Campaign.id)):
        click.echo(f"{campaign.slug}\t{campaign.status}\t{campaign.signature_count}"
                   f"/{campaign.goal}\t{','.join(campaign.locales)}")


@campaigns_cli.command("recount")
@click.argument("slug", required=False)
def recount_command(slug):
    """Reconcile cached counts with the signatures (all campaigns, or SLUG). Safe at any time."""
    from ..petitions.service import (
        recount,  # petitions depend on campaigns, not the reverse
    )

    query = select(Campaign.id, Campaign.slug)
    if slug:
        query = query.where(Campaign.slug == slug)
    for campaign_id, campaign_slug in db.session.execute(query).all():
        old, new = recount(campaign_id)
        note = "" if old == new else f" (was {old})"
        click.echo(f"{campaign_slug}\t{new}{note}")


def load_demo() -> tuple[Campaign, str, str] | None:
    """Create the flagship campaign and a demo organizer; None if it exists already."""
    from ..organizers import service as organizers

    if service.campaign_by_slug(demo.FLAGSHIP_SLUG, public=False):
        return None
    campaign = service.create_campaign(
        demo.FLAGSHIP_SLUG, goal=demo.FLAGSHIP_GOAL,
        default_locale=demo.FLAGSHIP_DEFAULT_LOCALE, status="live")
    for locale, text in demo.FLAGSHIP_TEXTS.items():
        service.set_text(campaign, locale, **text,
                         review_note=demo.FLAGSHIP_REVIEW_NOTES.get(locale))
    user, password = organizers.create_user("organizer@example.org", role="admin",
                                            name="Demo organizer")
    organizers.add_member(campaign.id, user.id)
    db.session.commit()
    _load_letters_demo(campaign)
    return campaign, user.email, password


def _load_letters_demo(campaign: Campaign) -> None:
    """The sourced target directory and starting letter templates (letters feature)."""
    from ..letters import service as letters
    from ..targets import service as targets

    targets.load_starting_set()
    letters.install_default_templates(campaign)
    db.session.commit()
    # The CoE Commissioner and the FCNM Advisory Committee do not cover Kazakhstan.
    by_short_id = {t.short_id: t for t in targets.all_targets()}
    offered = {t.id for key, t in by_short_id.items()
               if key not in ("coe_commissioner", "coe_fcnm_acfc")}
    preselected = {by_short_id[key].id for key in ("sr_minority_issues", "wgad", "osce_hcnm")
                   if key in by_short_id}
    letters.set_campaign_targets(campaign, offered, preselected)


@demo_cli.command("load")
def load_command():
    """Create the flagship campaign and a demo organizer (prints the password once)."""
    created = load_demo()
    if created is None:
        click.echo("demo content exists already")
        return
    campaign, email, password = created
    click.echo(f"campaign: {campaign.slug}")
    click.echo(f"organizer login: {email}  password: {password}  (shown only this once)")

"""Demo content across features: the flagship campaign, a demo organizer, the sourced
institutions and starting letter templates. App-level (like `flask setup`, which calls it):
it composes features, so no feature has to import the others."""
from __future__ import annotations

import click
from flask.cli import AppGroup

from .campaigns import demo, service
from .campaigns.models import Campaign
from .extensions import db

demo_cli = AppGroup("demo", help="Demo content.")


def load_demo() -> tuple[Campaign, str, str] | None:
    """Create the flagship campaign and a demo organizer; None if it exists already."""
    from .organizers import service as organizers

    if service.campaign_by_slug(demo.FLAGSHIP_SLUG, public=False):
        return None
    campaign = service.create_campaign(
        demo.FLAGSHIP_SLUG, goal=demo.FLAGSHIP_GOAL,
        default_locale=demo.FLAGSHIP_DEFAULT_LOCALE, status="live")
    for locale, text in demo.FLAGSHIP_TEXTS.items():
        service.set_text(campaign, locale, **text)
    user, password = organizers.create_user("organizer@example.org", role="admin",
                                            name=demo.DEMO_ORGANIZER_NAME)
    organizers.add_member(campaign.id, user.id)
    db.session.commit()
    _load_organization_demo()
    _load_letters_demo(campaign)
    return campaign, user.email, password


def _load_organization_demo() -> None:
    """A plausible organization profile, marked as demo (only if none was written)."""
    from .organization import service as organization

    if organization.is_set_up(organization.get()):
        return
    organization.save(None, **demo.DEMO_ORGANIZATION, is_demo=True)


def _load_letters_demo(campaign: Campaign) -> None:
    """The sourced target directory and starting letter templates (letters feature)."""
    from .letters import service as letters
    from .targets import service as targets

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
def load_command() -> None:
    """Create the flagship campaign and a demo organizer (prints the password once)."""
    created = load_demo()
    if created is None:
        click.echo("demo content exists already")
        return
    campaign, email, password = created
    click.echo(f"campaign: {campaign.slug}")
    click.echo(f"organizer login: {email}  password: {password}  (shown only this once)")

"""`flask widget allow SLUG ORIGIN...`: which sites may frame a campaign's widget."""
import click
from flask.cli import AppGroup

from ..campaigns import service as campaigns
from . import service

widget_cli = AppGroup("widget", help="The embeddable petition widget.")


@widget_cli.command("allow")
@click.argument("slug")
@click.argument("origins", nargs=-1)
@click.option("--any", "allow_any", is_flag=True, help="Any site may frame the widget.")
def allow_command(slug: str, origins: tuple[str, ...], allow_any: bool) -> None:
    """Set the sites (e.g. https://partner.org) that may show SLUG's widget; none: nobody."""
    campaign = campaigns.campaign_by_slug(slug, public=False)
    if campaign is None:
        raise click.ClickException(f"no campaign {slug}")
    try:
        service.set_framing(campaign.id, list(origins), allow_any=allow_any)
    except service.BadOrigin as exc:
        raise click.ClickException(f"not a site address: {exc}") from exc
    click.echo(" ".join(service.frame_ancestors(campaign.id)))

"""`flask api ...`: API keys from the command line (the console does the same)."""
import click
from flask.cli import AppGroup
from sqlalchemy import select

from ..campaigns.models import Campaign
from ..extensions import db
from ..organizers.service import user_by_email
from . import service
from .models import ApiKey

api_cli = AppGroup("api", help="API keys.")


@api_cli.command("create-key")
@click.argument("email")
@click.argument("name")
@click.argument("slugs", nargs=-1, required=True)
@click.option("--trusted-import", is_flag=True,
              help="Signatures added with the key count without a confirmation e-mail.")
def create_key_command(email: str, name: str, slugs: tuple[str, ...],
                       trusted_import: bool) -> None:
    """Create a key for the organizer EMAIL, scoped to SLUGS (prints the key once)."""
    user = user_by_email(email)
    if user is None:
        raise click.ClickException(f"no organizer {email}")
    ids = list(db.session.scalars(select(Campaign.id).where(Campaign.slug.in_(slugs))))
    try:
        _key, token = service.create_key(user, name, ids, trusted_import=trusted_import)
    except PermissionError as exc:
        raise click.ClickException(
            "only an admin's key may be a trusted-import key") from exc
    except ValueError as exc:
        raise click.ClickException("the organizer manages none of these campaigns") from exc
    click.echo(token)


@api_cli.command("list-keys")
def list_keys_command() -> None:
    """Every key: prefix, owner, name, campaigns, state."""
    for key in db.session.scalars(select(ApiKey).order_by(ApiKey.id)):
        state = "revoked" if key.revoked_at else "active"
        click.echo(f"kjc_{key.prefix}_…\t{key.user.email}\t{key.name}\t"
                   f"{','.join(c.slug for c in key.campaigns)}\t{state}"
                   f"{'  trusted-import' if key.trusted_import else ''}")


@api_cli.command("revoke-key")
@click.argument("prefix")
def revoke_key_command(prefix: str) -> None:
    """Revoke the key whose prefix is PREFIX."""
    key = db.session.scalar(select(ApiKey).where(ApiKey.prefix == prefix))
    if key is None:
        raise click.ClickException("no such key")
    service.revoke_key(key.user, key.id)
    click.echo("revoked")

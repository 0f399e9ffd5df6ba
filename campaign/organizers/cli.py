"""`flask users ...`: what an operator needs to manage console accounts from a shell."""
import click
from flask.cli import AppGroup

from ..extensions import db
from . import service
from .models import User

users_cli = AppGroup("users", help="Organizer console accounts.")


def _user(email: str) -> User:
    user = service.user_by_email(email)
    if user is None:
        raise click.ClickException(f"no account with the address {email}")
    return user


@users_cli.command("create-admin")
@click.argument("email")
@click.option("--name", default="")
def create_admin(email: str, name: str) -> None:
    """Create an administrator; prints a generated password once."""
    if service.user_by_email(email):
        raise click.ClickException(f"an account with the address {email} exists already")
    user, password = service.create_user(email, role="admin", name=name)
    db.session.commit()
    click.echo(f"admin: {user.email}")
    click.echo(f"password: {password}  (shown only this once; change it after logging in)")


@users_cli.command("list")
def list_users() -> None:
    """Every account: e-mail, role, state, two-factor."""
    for user in service.all_users():
        state = "active" if user.is_active else "disabled"
        if user.invited_at and not user.accepted_at:
            state = "invited"
        if user.locked_until:
            state += f" locked-until={user.locked_until:%Y-%m-%dT%H:%M}"
        twofa = "2fa" if user.totp_secret else ("2fa-required" if user.totp_required else "-")
        click.echo(f"{user.email}\t{user.role}\t{state}\t{twofa}")


@users_cli.command("disable")
@click.argument("email")
def disable(email: str) -> None:
    """Disable an account: it can no longer log in, and its sessions end."""
    service.set_active(None, _user(email), False)
    click.echo(f"disabled {email}")


@users_cli.command("enable")
@click.argument("email")
def enable(email: str) -> None:
    service.set_active(None, _user(email), True)
    click.echo(f"enabled {email}")


@users_cli.command("reset-2fa")
@click.argument("email")
def reset_2fa(email: str) -> None:
    """Remove an account's two-factor secret (lost phone); it sets up a new one at login if
    two-factor is required."""
    service.reset_totp(None, _user(email))
    click.echo(f"two-factor reset for {email}")


@users_cli.command("unlock")
@click.argument("email")
def unlock(email: str) -> None:
    """Lift a lock-out after too many wrong passwords."""
    service.unlock(None, _user(email))
    click.echo(f"unlocked {email}")


@users_cli.command("set-password")
@click.argument("email")
def set_password(email: str) -> None:
    """Set a new generated password for an account; prints it once."""
    import secrets

    user = _user(email)
    password = secrets.token_urlsafe(12)
    service.set_password(user, password)
    if user.accepted_at is None and user.invited_at:
        user.accepted_at = user.invited_at
    db.session.commit()
    click.echo(f"password: {password}  (shown only this once)")

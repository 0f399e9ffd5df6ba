"""`flask backup`: a consistent copy of the embedded SQLite database, safe while people sign."""
from __future__ import annotations

from pathlib import Path

import click
from flask import current_app
from flask.cli import with_appcontext

from .backup import BackupError, backup_sqlite, default_target, sqlite_path


@click.command("backup")
@click.argument("target", required=False, type=click.Path(dir_okay=False, path_type=Path))
@with_appcontext
def backup_command(target: Path | None) -> None:
    """Copy the SQLite database to TARGET (default: instance/backups/campaign-<time>.db)."""
    try:
        source = sqlite_path(current_app.config["SQLALCHEMY_DATABASE_URI"])
        written = backup_sqlite(source, target or default_target(current_app.instance_path))
    except BackupError as exc:
        raise click.ClickException(str(exc)) from None
    click.echo(f"backup written to {written} ({written.stat().st_size} bytes)")

"""`flask setup`: what the README's run command does before serving."""
import subprocess
import sys
from pathlib import Path

import click
from flask import current_app
from flask.cli import with_appcontext
from flask_migrate import upgrade
from sqlalchemy import func, select

from .extensions import db


@click.command("setup")
@with_appcontext
def setup_command() -> None:
    """Compile translations, build or upgrade the database, load demo content if empty."""
    translations = Path(current_app.config["BABEL_TRANSLATION_DIRECTORIES"])
    if any(translations.glob("*/LC_MESSAGES/messages.po")):
        subprocess.run([sys.executable, "-m", "babel.messages.frontend", "-q", "compile",
                        "-d", str(translations)], check=True)
    upgrade()
    from .campaigns.models import Campaign
    from .demo import load_demo

    if db.session.scalar(select(func.count()).select_from(Campaign)) == 0:
        created = load_demo()
        if created:
            campaign, email, password = created
            click.echo(f"demo campaign: {campaign.slug}")
            click.echo(f"organizer login: {email}  password: {password}  "
                       "(shown only this once)")
            click.echo(f"console: {current_app.config['SITE_URL']}/organize/  (lost the "
                       "password? flask --app wsgi users set-password EMAIL)")
    from .targets import service as targets

    if not targets.all_targets():
        loaded, _updated, _skipped = targets.load_starting_set()
        click.echo(f"targets loaded: {loaded}")
    # The dossier's Chinese weights are made once from the variable font (tens of seconds).
    from .letters.dossier import prepare_fonts
    prepare_fonts()
    click.echo("setup done")


@click.command("config-table")
def config_table_command() -> None:
    """Print the configuration table in Markdown (for the README)."""
    from .config import markdown_table

    click.echo(markdown_table())

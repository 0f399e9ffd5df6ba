from typing import TextIO

import click
from flask.cli import AppGroup

from . import service

targets_cli = AppGroup("targets", help="The directory of institutions letters go to.")


@targets_cli.command("import")
@click.argument("file", type=click.File("r", encoding="utf-8"))
def import_command(file: TextIO) -> None:
    """Create or update targets from a CSV FILE (rows without source_url are left out)."""
    try:
        created, updated, skipped = service.import_csv(file.read())
    except service.ImportProblem as exc:
        raise click.ClickException(f"nothing imported: {exc}") from exc
    click.echo(f"created {created}, updated {updated}, left out without source {skipped}")


@targets_cli.command("export")
def export_command() -> None:
    """Write every target as CSV to standard output."""
    click.echo(service.export_csv(), nl=False)


@targets_cli.command("names")
@click.argument("file", type=click.File("r", encoding="utf-8"), required=False)
def names_command(file: TextIO | None) -> None:
    """Load the bodies' names and descriptions in the site's languages (with their sources)
    from FILE, by default the file shipped in campaign/targets/data/target_names.csv."""
    text = file.read() if file else service.STARTING_NAMES.read_text(encoding="utf-8")
    try:
        count = service.import_names_csv(text)
    except service.ImportProblem as exc:
        raise click.ClickException(f"nothing imported: {exc}") from exc
    click.echo(f"names loaded: {count}")

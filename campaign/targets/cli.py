import click
from flask.cli import AppGroup

from . import service

targets_cli = AppGroup("targets", help="The directory of institutions letters go to.")


@targets_cli.command("import")
@click.argument("file", type=click.File("r", encoding="utf-8"))
def import_command(file):
    """Create or update targets from a CSV FILE (rows without source_url are left out)."""
    try:
        created, updated, skipped = service.import_csv(file.read())
    except service.ImportProblem as exc:
        raise click.ClickException(f"nothing imported: {exc}") from exc
    click.echo(f"created {created}, updated {updated}, left out without source {skipped}")


@targets_cli.command("export")
def export_command():
    """Write every target as CSV to standard output."""
    click.echo(service.export_csv(), nl=False)

import click
from flask.cli import AppGroup

from . import service

petitions_cli = AppGroup("petitions", help="Signatures: reminders to confirm.")


@petitions_cli.command("remind")
def remind_command():
    """Send the one reminder to signers who have not confirmed 24 hours after signing.

    Safe to run as often as you like (hourly from a timer): nobody gets a second reminder.
    """
    sent = service.send_reminders()
    click.echo(f"petitions remind: {sent} reminder(s) queued")

import signal
import threading

import click
from flask.cli import AppGroup

from . import service

outbox_cli = AppGroup("outbox", help="Deliver queued e-mail.")


@outbox_cli.command("work")
@click.option("--once", is_flag=True, help="Deliver what is due, then exit.")
@click.option("--idle", default=1.0, show_default=True, help="Seconds to wait when idle.")
def work_command(once, idle):
    """Deliver queued e-mail with retries; stops cleanly on SIGTERM or Ctrl-C."""
    stop = threading.Event()

    def _stop(signum, frame):
        click.echo(f"outbox: signal {signum}, finishing the current batch", err=True)
        stop.set()

    signal.signal(signal.SIGTERM, _stop)
    signal.signal(signal.SIGINT, _stop)
    handled = service.work(once=once, stop=stop, idle_seconds=idle)
    click.echo(f"outbox: handled {handled} message(s)")


@outbox_cli.command("status")
def status_command():
    """How many messages are in each state."""
    for status, count in sorted(service.counts_by_status().items()):
        click.echo(f"{status}\t{count}")


@outbox_cli.command("retry-failed")
def retry_failed_command():
    """Queue failed messages again."""
    click.echo(f"requeued {service.retry_failed()} message(s)")


@outbox_cli.command("prune")
@click.option("--days", default=30, show_default=True)
def prune_command(days):
    """Delete sent messages older than DAYS (they hold personal data)."""
    click.echo(f"deleted {service.prune_sent(days)} message(s)")

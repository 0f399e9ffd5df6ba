import mailbox
import signal
import threading
from types import FrameType

import click
from flask import current_app
from flask.cli import AppGroup

from . import bounces, service, signing

outbox_cli = AppGroup("outbox", help="Deliver queued e-mail.")


@outbox_cli.command("work")
@click.option("--once", is_flag=True, help="Deliver what is due, then exit.")
@click.option("--idle", default=1.0, show_default=True, help="Seconds to wait when idle.")
def work_command(once: bool, idle: float) -> None:
    """Deliver queued e-mail with retries; stops cleanly on SIGTERM or Ctrl-C."""
    stop = threading.Event()

    def _stop(signum: int, frame: FrameType | None) -> None:
        click.echo(f"outbox: signal {signum}, finishing the current batch", err=True)
        stop.set()

    signal.signal(signal.SIGTERM, _stop)
    signal.signal(signal.SIGINT, _stop)
    handled = service.work(once=once, stop=stop, idle_seconds=idle)
    click.echo(f"outbox: handled {handled} message(s)")


@outbox_cli.command("status")
def status_command() -> None:
    """How many messages are in each state."""
    for status, count in sorted(service.counts_by_status().items()):
        click.echo(f"{status}\t{count}")


@outbox_cli.command("retry-failed")
def retry_failed_command() -> None:
    """Queue failed messages again."""
    click.echo(f"requeued {service.retry_failed()} message(s)")


@outbox_cli.command("prune")
@click.option("--days", default=30, show_default=True)
def prune_command(days: int) -> None:
    """Delete sent messages older than DAYS (they hold personal data)."""
    click.echo(f"deleted {service.prune_sent(days)} message(s)")


@outbox_cli.command("bounces")
@click.option("--path", help="Maildir folder or mbox file. Default: MAIL_BOUNCE_MAILBOX.")
@click.option("--keep", is_flag=True, help="Leave the reports in the mailbox.")
def bounces_command(path: str | None, keep: bool) -> None:
    """Read bounces and complaints from the bounce mailbox; suppress what they say."""
    path = path or current_app.config.get("MAIL_BOUNCE_MAILBOX")
    if not path:
        raise click.UsageError("Set MAIL_BOUNCE_MAILBOX or give --path.")
    try:
        summary = bounces.read_mailbox(path, keep=keep)
    except (FileNotFoundError, NotADirectoryError, mailbox.NoSuchMailboxError) as exc:
        raise click.ClickException(f"no mailbox at {path}: {exc}") from exc
    click.echo(f"read {summary.read}: {summary.hard} hard bounce(s), {summary.soft} soft, "
               f"{summary.complaints} complaint(s), {summary.ignored} not ours")


mail_cli = AppGroup("mail", help="Mail set-up: what to publish in DNS.")


@mail_cli.command("dns")
def dns_command() -> None:
    """Print the DKIM, SPF and DMARC records to publish for the sending domain."""
    if signing.dkim_key() is None:
        click.echo("; DKIM is off: set DKIM_SELECTOR and DKIM_PRIVATE_KEY_FILE "
                   "(openssl genrsa -out dkim.pem 2048)")
    for name, kind, value in signing.dns_records():
        # TXT strings longer than 255 bytes are split into quoted pieces (RFC 7208 3.3).
        pieces = " ".join(f'"{value[i:i + 250]}"' for i in range(0, len(value), 250))
        click.echo(f"{name}.\tIN\t{kind}\t{pieces}")

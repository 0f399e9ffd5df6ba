"""`flask bench ...`: seeding and in-process measurements used by bench/run.py."""
from __future__ import annotations

import json
import re
import resource
import secrets
import time
from collections.abc import Iterable, Iterator
from typing import Any, cast

import click
import pyotp
from flask.cli import AppGroup
from sqlalchemy import delete, func, select
from werkzeug.test import TestResponse

from ..campaigns import service as campaigns
from ..extensions import db
from ..outbox.models import OutboxMessage
from ..petitions import service as petitions
from ..petitions.console.moderation import PAGE_SIZE
from ..petitions.lifecycle import counted
from ..petitions.models import Signature, SignatureStatus
from . import service

bench_cli = AppGroup("bench", help="Benchmark support (seeding, measurements).")


def _campaign_id(slug: str) -> int:
    campaign = campaigns.campaign_by_slug(slug, public=False)
    if campaign is None:
        raise click.ClickException(f"no campaign {slug!r}")
    return campaign.id


@bench_cli.command("seed")
@click.option("--slug", default="korday-sentences-review", show_default=True)
@click.option("--signatures", default=1_000_000, show_default=True)
@click.option("--pending", is_flag=True, help="Pending (unconfirmed) instead of confirmed.")
@click.option("--tokens-out", type=click.Path(dir_okay=False),
              help="Write each seeded signature's confirmation token to this file.")
def seed_command(slug: str, signatures: int, pending: bool, tokens_out: str | None) -> None:
    """Add SIGNATURES synthetic signatures to a campaign (COPY on PostgreSQL)."""
    campaign_id = _campaign_id(slug)
    started = time.perf_counter()
    tag = service.seed_signatures(campaign_id, signatures,
                                  status=(SignatureStatus.PENDING if pending
                                          else SignatureStatus.CONFIRMED).value)
    seconds = time.perf_counter() - started
    if tokens_out:
        with open(tokens_out, "w") as out:
            out.writelines(token + "\n" for token in service.confirm_tokens(campaign_id, tag))
    click.echo(json.dumps({"rows": signatures, "seconds": round(seconds, 2),
                           "rows_per_s": round(signatures / seconds)}))


@bench_cli.command("seed-outbox")
@click.option("--messages", default=10_000, show_default=True)
@click.option("--kind", default="bench", show_default=True)
@click.option("--priority", default=0, show_default=True,
              help="Claim priority (10: bulk, as campaign updates).")
@click.option("--render", "render_slug", metavar="SLUG",
              help="Instead: MESSAGES new pending signatures of campaign SLUG, each with its "
              "confirmation e-mail queued for the worker to render (as the sign path does).")
def seed_outbox_command(messages: int, kind: str, priority: int,
                        render_slug: str | None) -> None:
    """Queue MESSAGES e-mails the size of a real confirmation e-mail (pre-rendered), or with
    --render, confirmation e-mails of new signers that the worker renders."""
    if render_slug:
        service.seed_signer_mail(_campaign_id(render_slug), messages)
        click.echo(json.dumps({"messages": messages, "rendered_by_worker": True}))
        return
    from ..campaigns.models import Campaign
    from ..emails import render_email
    campaign = db.session.scalar(select(Campaign).limit(1))
    fake = Signature(id=1, email_key="x@bench.example.org", full_name="Bench Signer",
                     email="x@bench.example.org", locale="en")
    links = petitions.signer_links(fake)
    subject, text, html = render_email(
        "signature_confirm", "en", signature=fake, campaign=campaign,
        campaign_title="Bench campaign", campaign_url="http://127.0.0.1/", **links)
    service.seed_outbox(messages, body_text=text, body_html=html, subject=subject, kind=kind,
                        priority=priority)
    click.echo(json.dumps({"messages": messages}))


@bench_cli.command("empty-outbox")
def empty_outbox_command() -> None:
    """Delete every outbox message (a benchmark round starts from an empty queue)."""
    from ..outbox.models import OutboxAttachment
    db.session.execute(delete(OutboxAttachment))
    db.session.execute(delete(OutboxMessage))
    db.session.commit()
    click.echo(json.dumps({"emptied": True}))


@bench_cli.command("counts")
@click.option("--slug", default="korday-sentences-review", show_default=True)
def counts_command(slug: str) -> None:
    """Signatures by status, the counter, and outbox messages by status, as JSON."""
    campaign_id = _campaign_id(slug)
    by_status = dict(db.session.execute(
        select(Signature.status, func.count()).where(Signature.campaign_id == campaign_id)
        .group_by(Signature.status)).all())
    outbox = dict(db.session.execute(
        select(OutboxMessage.status, func.count()).group_by(OutboxMessage.status)).all())
    outbox_confirm = db.session.scalar(select(func.count()).select_from(OutboxMessage).where(
        OutboxMessage.kind == "signature_confirm"))
    click.echo(json.dumps({
        "signatures": by_status,
        "counter": cast("dict[str, Any]", campaigns.campaign_summary(slug))["count"],
        "outbox": outbox, "outbox_signature_confirm": outbox_confirm}))


class _Console:
    """A logged-in organizer's browser, in process: requests go through the whole app (the
    console's session rules, access check, view, template, streaming), as the console's
    users' requests do, so the figures are of the routes, not of a helper."""

    EMAIL = "bench-organizer@bench.example.org"

    def __init__(self, campaign_id: int):
        from flask import current_app

        from ..organizers import service as organizers

        password = secrets.token_urlsafe(16)
        user = organizers.user_by_email(self.EMAIL)
        if user is None:
            user, _ = organizers.create_user(self.EMAIL, name="Bench organizer",
                                             password=password)
        else:
            organizers.set_password(user, password)
        if organizers.needs_2fa_setup(user) or user.totp_secret:
            user.totp_secret = user.totp_secret or pyotp.random_base32()
        organizers.add_member(campaign_id, user.id)
        db.session.commit()
        secure = current_app.config.get("SESSION_COOKIE_SECURE")
        self.base_url = "https://localhost" if secure else "http://localhost"
        self.client = current_app.test_client()
        login_page = self.get("/organize/login").get_data(as_text=True)
        response = self.post("/organize/login", {"email": self.EMAIL, "password": password,
                                                  "csrf_token": _csrf(login_page)})
        if response.headers.get("Location", "").endswith("/organize/login/2fa"):
            page = self.get("/organize/login/2fa").get_data(as_text=True)
            assert user.totp_secret is not None  # set above
            response = self.post("/organize/login/2fa", {
                "code": pyotp.TOTP(user.totp_secret).now(), "csrf_token": _csrf(page)})
        if response.status_code != 302:
            raise click.ClickException(f"bench organizer could not log in: {response.status}")

    def get(self, path: str, **kwargs: Any) -> TestResponse:
        return self.client.get(path, base_url=self.base_url, **kwargs)

    def post(self, path: str, data: dict[str, str]) -> TestResponse:
        return self.client.post(path, data=data, base_url=self.base_url)


def _csrf(html: str) -> str:
    found = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', html)
    if not found:
        raise click.ClickException("no CSRF token on the login page")
    return found.group(1)


@bench_cli.command("export")
@click.option("--slug", default="korday-sentences-review", show_default=True)
@click.option("--format", "kind", type=click.Choice(["csv", "xlsx"]), default="csv",
              show_default=True, help="csv or xlsx: the console's export route of that kind.")
def export_command(slug: str, kind: str) -> None:
    """Download the console's export of the confirmed signatures (the route an organizer
    clicks, streamed) to nowhere; print rows/s, the time to the first byte, CPU seconds and
    this process's peak memory."""
    campaign_id = _campaign_id(slug)
    console = _Console(campaign_id)
    started = time.perf_counter()
    cpu_started = time.process_time()
    rows = size = 0
    first_byte = None
    response = console.get(f"/organize/c/{slug}/signatures.{kind}?status=confirmed",
                           buffered=False)
    if response.status_code != 200:
        raise click.ClickException(f"export answered {response.status}")
    for chunk in cast("Iterable[bytes]", response.response):  # the WSGI body: bytes
        if first_byte is None and chunk:
            first_byte = time.perf_counter() - started
        if kind == "csv":
            rows += chunk.count(b"\n")
        size += len(chunk)
    response.close()
    cpu = time.process_time() - cpu_started
    if kind == "xlsx":  # a workbook has no line count: the rows the route exported
        rows = 1 + (db.session.scalar(select(func.count()).select_from(Signature).where(
            Signature.campaign_id == campaign_id, counted())) or 0)
    seconds = time.perf_counter() - started
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    click.echo(json.dumps({"rows": rows - 1, "seconds": round(seconds, 2),
                           "rows_per_s": round((rows - 1) / seconds), "mb": round(size / 2**20),
                           "peak_rss_mb": round(peak_mb),
                           # From the request to the first byte of the body, and this
                           # process's CPU time (the figure a busy machine distorts least).
                           "first_byte_s": round(first_byte or seconds, 3),
                           "cpu_s": round(cpu, 2)}))


class _counting:  # noqa: N801 - used like a function in a pipeline
    """Rows passed through, counted on the way."""

    def __init__(self, rows: Iterable[Any]) -> None:
        self.rows, self.count = rows, 0

    def __iter__(self) -> Iterator[Any]:
        for row in self.rows:
            self.count += 1
            yield row


@bench_cli.command("organizer")
@click.option("--slug", default="korday-sentences-review", show_default=True)
def organizer_command(slug: str) -> None:
    """Create an organizer of the campaign with a random password; print e-mail and password
    (for a benchmark's console session)."""
    import secrets

    from ..organizers import service as organizers

    user, password = organizers.create_user(
        f"bench-{secrets.token_hex(4)}@bench.example.org", role="organizer",
        password=secrets.token_urlsafe(16))
    organizers.add_member(_campaign_id(slug), user.id)
    db.session.commit()
    click.echo(json.dumps({"email": user.email, "password": password}))


@bench_cli.command("pages")
@click.option("--slug", default="korday-sentences-review", show_default=True)
def pages_command(slug: str) -> None:
    """Time the console's signature table (GET /organize/c/SLUG/signatures, keyset pages
    of 50) at the first, middle and last page, best of five."""
    campaign_id = _campaign_id(slug)
    console = _Console(campaign_id)
    total = db.session.scalar(select(func.count()).select_from(Signature).where(
        Signature.campaign_id == campaign_id)) or 0
    timings = {}
    for label, position in (("first", 0), ("middle", total // 2),
                            ("last", max(total - PAGE_SIZE, 0))):
        path = f"/organize/c/{slug}/signatures"
        if position:
            # The cursor a reader paging down would hold (found with OFFSET, not timed).
            before = db.session.scalar(
                select(Signature.id).where(Signature.campaign_id == campaign_id)
                .order_by(Signature.id.desc()).offset(position - 1).limit(1))
            path += f"?before={before}"
        db.session.rollback()
        best = None
        for _ in range(5):
            started = time.perf_counter()
            response = console.get(path)
            elapsed = (time.perf_counter() - started) * 1000
            if response.status_code != 200:
                raise click.ClickException(f"{path} answered {response.status}")
            best = elapsed if best is None else min(best, elapsed)
        rows = response.get_data(as_text=True).count('<tr id="signature-')
        assert best is not None  # five runs
        timings[label] = {"ms": round(best, 1), "rows": rows}
    click.echo(json.dumps({"signatures": total, "pages": timings}))

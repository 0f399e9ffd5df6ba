"""`flask bench ...`: seeding and in-process measurements used by bench/run.py."""
from __future__ import annotations

import json
import resource
import time

import click
from flask.cli import AppGroup
from sqlalchemy import func, select

from ..campaigns import service as campaigns
from ..extensions import db
from ..outbox.models import OutboxMessage
from ..petitions import service as petitions
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
def seed_command(slug, signatures, pending, tokens_out):
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
def seed_outbox_command(messages, kind, priority):
    """Queue MESSAGES e-mails the size of a real confirmation e-mail."""
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


@bench_cli.command("counts")
@click.option("--slug", default="korday-sentences-review", show_default=True)
def counts_command(slug):
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
        "counter": campaigns.campaign_summary(slug)["count"],
        "outbox": outbox, "outbox_signature_confirm": outbox_confirm}))


@bench_cli.command("export")
@click.option("--slug", default="korday-sentences-review", show_default=True)
@click.option("--format", "kind", type=click.Choice(["csv", "xlsx"]), default="csv",
              show_default=True, help="csv: the public-facing streamed export; xlsx: the "
              "console's workbook (every column).")
def export_command(slug, kind):
    """Stream an export to nowhere; print rows/s and this process's peak memory."""
    campaign_id = _campaign_id(slug)
    started = time.perf_counter()
    rows = size = 0
    if kind == "xlsx":
        from ..petitions.console import moderation
        from ..spreadsheet import iter_xlsx

        counted_rows = _counting(moderation.export_rows(
            campaign_id, moderation.SignatureFilter()))
        for chunk in iter_xlsx(moderation.EXPORT_FIELDS, counted_rows):
            size += len(chunk)
        rows = counted_rows.count + 1  # as the CSV count, the header included
    else:
        for chunk in petitions.iter_signatures_csv(campaign_id):
            rows += chunk.count("\r\n")
            size += len(chunk)
    seconds = time.perf_counter() - started
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    click.echo(json.dumps({"rows": rows - 1, "seconds": round(seconds, 2),
                           "rows_per_s": round((rows - 1) / seconds), "mb": round(size / 2**20),
                           "peak_rss_mb": round(peak_mb)}))


class _counting:
    """Rows passed through, counted on the way."""

    def __init__(self, rows):
        self.rows, self.count = rows, 0

    def __iter__(self):
        for row in self.rows:
            self.count += 1
            yield row


@bench_cli.command("organizer")
@click.option("--slug", default="korday-sentences-review", show_default=True)
def organizer_command(slug):
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
@click.option("--per-page", default=50, show_default=True)
def pages_command(slug, per_page):
    """Time the organizer's signature table (keyset pages) at the start, middle and end."""
    campaign_id = _campaign_id(slug)
    total = db.session.scalar(select(func.count()).select_from(Signature).where(
        Signature.campaign_id == campaign_id, counted()))
    timings = {}
    for label, position in (("first", 0), ("middle", total // 2),
                            ("last", max(total - per_page, 0))):
        after = None
        if position:
            # Where the reader's cursor would be (found once with OFFSET, not timed).
            row = db.session.execute(
                select(Signature.confirmed_at, Signature.id)
                .where(Signature.campaign_id == campaign_id, counted())
                .order_by(Signature.confirmed_at.desc(), Signature.id.desc())
                .offset(position - 1).limit(1)).first()
            after = tuple(row)
        best = None
        for _ in range(5):
            db.session.rollback()
            started = time.perf_counter()
            page = petitions.signatures_page(campaign_id, after=after, limit=per_page)
            elapsed = (time.perf_counter() - started) * 1000
            best = elapsed if best is None else min(best, elapsed)
        timings[label] = {"ms": round(best, 2), "rows": len(page)}
    click.echo(json.dumps({"confirmed": total, "pages": timings}))

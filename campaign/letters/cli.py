from typing import IO

import click
from flask.cli import AppGroup

from ..campaigns import service as campaigns
from . import delivery, service

letters_cli = AppGroup("letters", help="Letters to institutions and petition delivery.")


@letters_cli.command("digest")
def digest_command() -> None:
    """Send each target one digest of the letters held over its daily cap (run daily)."""
    sent = service.send_digests()
    for short_id, count in sorted(sent.items()):
        click.echo(f"{short_id}\t{count}")
    click.echo(f"digests queued: {len(sent)}")


@letters_cli.command("export")
@click.argument("slug")
@click.option("--output", "-o", type=click.File("wb"), default="-")
def export_command(slug: str, output: IO[bytes]) -> None:
    """Write the canonical signature export of SLUG (its SHA-256 is in the dossier)."""
    campaign = campaigns.campaign_by_slug(slug, public=False)
    if campaign is None:
        raise click.ClickException(f"no campaign {slug!r}")
    for chunk in delivery.export_chunks(campaign.id):
        output.write(chunk)


@letters_cli.command("dossiers")
@click.option("--watch", is_flag=True, help="Keep running, looking for new jobs every 5 s.")
def dossiers_command(watch: bool) -> None:
    """Build the delivery dossiers organizers asked for (big campaigns are built here)."""
    import time

    while True:
        built = delivery.run_pending_jobs()
        if built:
            click.echo(f"built {built} dossier(s)")
        if not watch:
            break
        if not built:
            time.sleep(5)


@letters_cli.command("fonts")
def fonts_command() -> None:
    """Make the dossier's Chinese weights from the variable font (once; `flask setup` does)."""
    from .dossier import prepare_fonts

    for path in prepare_fonts():
        click.echo(path)


@letters_cli.command("dossier")
@click.argument("slug")
@click.option("--locale", default=None, help="Language (default: the campaign's).")
@click.option("--output", "-o", type=click.File("wb"), required=True)
@click.option("--to", "short_ids", multiple=True, help="An institution (short id) to address.")
@click.option("--signed-by", default="", help="The organizer's name on the cover page.")
def dossier_command(slug: str, locale: str | None, output: IO[bytes], short_ids: tuple[str, ...],
                    signed_by: str) -> None:
    """Build SLUG's dossier PDF now and write it to OUTPUT (prints seconds, pages, size)."""
    import json
    import resource
    import time

    campaign = campaigns.campaign_by_slug(slug, public=False)
    if campaign is None:
        raise click.ClickException(f"no campaign {slug!r}")
    started = time.perf_counter()
    from ..targets import service as targets

    by_short_id = {t.short_id: t for t in targets.all_targets()}
    unknown = [key for key in short_ids if key not in by_short_id]
    if unknown:
        raise click.ClickException(f"no institution {', '.join(unknown)}")
    pdf, facts = delivery.build_dossier(campaign, locale or campaign.default_locale,
                                        targets=[by_short_id[key] for key in short_ids],
                                        signed_by=signed_by)
    output.write(pdf)
    click.echo(json.dumps({
        "signatures": facts.total, "seconds": round(time.perf_counter() - started, 2),
        "bytes": len(pdf),
        "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)}))


@letters_cli.command("prune")
@click.option("--days", type=int, default=None,
              help="Age in days (default: CONFIRM_MAX_AGE_DAYS, when their link expires).")
def prune_command(days: int | None) -> None:
    """Delete letters never confirmed by their sender."""
    from flask import current_app

    days = days if days is not None else current_app.config["CONFIRM_MAX_AGE_DAYS"]
    click.echo(f"deleted {service.prune_unconfirmed(days)} unconfirmed letter(s)")

from typing import Any, cast

from flask import (
    Blueprint,
    Response,
    abort,
    current_app,
    make_response,
    render_template,
    request,
    send_from_directory,
    url_for,
)
from flask.typing import ResponseReturnValue

from .. import i18n
from . import page_cache, photo, service, share_card, sharing
from .addressees import addressees, list_separator
from .models import Campaign
from .sections import build_sections

bp = Blueprint("campaigns", __name__)
bp.add_app_template_global(list_separator, "list_separator")


@bp.get("/<lang:lang>/")
def index() -> ResponseReturnValue:
    campaigns = service.live_campaigns(featured=current_app.config["FEATURED_CAMPAIGN"])
    return render_template("campaigns/index.html", campaigns=campaigns,
                           addressees=addressees, photo_of=photo_view)


def public_url(endpoint: str, **values: Any) -> str:
    """An absolute URL on the public site (SITE_URL), for sharing and printing."""
    return cast(str, current_app.config["SITE_URL"]) + url_for(endpoint, **values)


def render_campaign_page(campaign: Campaign, *, status: int = 200,
                         overrides: dict[str, Any] | None = None) -> tuple[str, int]:
    """The campaign page; features re-render it with their own section context on errors."""
    lang = i18n.current_language()
    text = campaign.text_for(lang)
    # The story may exist in fewer languages than the title: then it comes from the default
    # language (or the next one that has it), marked, rather than as an empty block.
    body_text = campaign.body_text_for(lang)
    title = text.title if text else campaign.slug
    summary = text.summary if text else ""
    page_url = public_url("campaigns.show", slug=campaign.slug)
    picture = photo_view(campaign, lang)
    return render_template(
        "campaigns/show.html", campaign=campaign, text=text, body_text=body_text,
        body_html=service.render_markdown(body_text.body_markdown if body_text else ""),
        page_url=page_url, share_links=sharing.share_links(page_url, title, summary),
        addressees=addressees(campaign, lang), photo=picture,
        card_url=public_url("campaigns.card", slug=campaign.slug, v=share_card.card_key(
            campaign, lang, title, picture.digest if picture else None)),
        card_alt=card_alt(campaign, title),
        sections=build_sections(campaign, lang, overrides)), status


def photo_view(campaign: Campaign, lang: str) -> photo.PhotoView | None:
    """The campaign's photo for a page in `lang` (URLs, sizes, alt text), or None."""
    row = photo.get(campaign.id)
    if row is None:
        return None
    alt_lang, alt = row.alt_for(lang, campaign.default_locale)
    return photo.PhotoView(
        url=url_for("campaigns.photo_file", slug=campaign.slug, digest=row.digest),
        small_url=url_for("campaigns.photo_file", slug=campaign.slug, digest=row.digest,
                          size="small"),
        width=row.width, height=row.height, small_width=row.small_width,
        small_height=row.small_height, alt=alt, alt_lang=alt_lang, digest=row.digest)


def card_alt(campaign: Campaign, title: str) -> str:
    """What the share card shows, as text: the title and the count."""
    return f"{title}: {share_card.count_line(campaign.signature_count)}"


@bp.get("/<lang:lang>/c/<slug>")
def show(slug: str) -> ResponseReturnValue:
    def render() -> tuple[str, int]:
        campaign = service.campaign_by_slug(slug)
        if campaign is None:
            abort(404)
        return render_campaign_page(campaign)

    # Served from a few-second cache (see page_cache): the count may be that much behind.
    key: tuple[str, ...] = (i18n.current_language(), slug)
    variant = page_cache.variant_of(slug, request.args) if request.args else None
    shell = page_cache.get_shell(key + (variant,) if variant else key, render)
    etag = page_cache.reader_etag(shell)
    if etag and request.if_none_match.contains_weak(etag):
        response = make_response("", 304)
    elif shell.status == 200 and page_cache.accepts_gzip():
        # Compressed once per shell, this reader's tokens spliced in (page_cache.gzip_body).
        response = make_response(page_cache.gzip_body(shell), shell.status)
        response.mimetype = "text/html"
        response.headers["Content-Encoding"] = "gzip"
        response.vary.add("Accept-Encoding")
        etag = page_cache.reader_etag(shell)
    else:
        response = make_response(page_cache.fill(shell), shell.status)
        etag = page_cache.reader_etag(shell)  # the reader may have just got a session
    if etag:
        # Weak: the compressed and plain bodies differ but mean the same page.
        response.set_etag(etag, weak=True)
    # Holds the reader's CSRF token: never in a shared cache; browsers revalidate each time.
    response.cache_control.private = True
    response.cache_control.no_cache = True
    return response


@bp.get("/<lang:lang>/c/<slug>/qr.svg")
def qr(slug: str) -> ResponseReturnValue:
    """The campaign link (in this language) as a QR code, for printed leaflets."""
    campaign = service.campaign_by_slug(slug)
    if campaign is None:
        abort(404)
    svg = sharing.qr_svg(public_url("campaigns.show", slug=campaign.slug))
    response = Response(svg, mimetype="image/svg+xml")
    response.headers["Content-Disposition"] = f'inline; filename="{campaign.slug}-qr.svg"'
    response.cache_control.public = True
    response.cache_control.max_age = 86400
    return response


@bp.get("/media/c/<slug>/<digest>.jpg")
@bp.get("/media/c/<slug>/<digest>-<size>.jpg")
def photo_file(slug: str, digest: str, size: str | None = None) -> Response:
    """A campaign's photo, as we stored it. The URL names the photo's digest, so it never
    changes: browsers and caches keep it for a year."""
    if size not in (None, "small"):
        abort(404)
    campaign = service.campaign_by_slug(slug, public=False)
    data = None if campaign is None else photo.image_bytes(campaign.id, digest,
                                                            small=size == "small")
    if data is None:
        abort(404)
    response = Response(data, mimetype="image/jpeg")
    response.cache_control.public = True
    response.cache_control.max_age = 31536000
    response.cache_control.immutable = True
    response.set_etag(digest + ("-small" if size else ""))
    response.make_conditional(request)
    return response


@bp.get("/<lang:lang>/c/<slug>/card.png")
def card(slug: str) -> Response:
    """The share card (og:image) in this language: title, live count, photo."""
    campaign = service.campaign_by_slug(slug)
    if campaign is None:
        abort(404)
    lang = i18n.current_language()
    text = campaign.text_for(lang)
    title = text.title if text else campaign.slug
    row = photo.get(campaign.id)
    key = share_card.card_key(campaign, lang, title, row.digest if row else None)
    # The ETag names the key and the count drawn: a client holding the card of this count
    # gets a 304 without the card being read or drawn.
    if f"{key}-{campaign.signature_count}" in request.if_none_match:
        response = Response(status=304)
        response.set_etag(f"{key}-{campaign.signature_count}")
    else:
        def photo_jpeg() -> bytes | None:
            stored = photo.full_image(campaign.id)
            return stored.jpeg if stored else None

        made = share_card.get(campaign, lang, title, row.digest if row else None, photo_jpeg)
        response = Response(made.data, mimetype="image/png")
        response.set_etag(made.etag)
        response.make_conditional(request)
    response.cache_control.public = True
    response.cache_control.max_age = 600
    return response


@bp.get("/favicon.ico")
def favicon() -> ResponseReturnValue:
    """Browsers ask for /favicon.ico whatever the page says; answer with the SVG icon."""
    assert current_app.static_folder is not None
    return send_from_directory(current_app.static_folder, "img/favicon.svg",
                               mimetype="image/svg+xml", max_age=86400)

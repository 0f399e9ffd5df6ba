from collections.abc import Callable, Mapping
from functools import lru_cache
from typing import Any

from flask import (
    Blueprint,
    Request,
    Response,
    abort,
    current_app,
    g,
    make_response,
    redirect,
    render_template,
    request,
    url_for,
)
from flask.typing import ResponseReturnValue

from .. import i18n
from ..abuse.bots import is_bot_post
from ..abuse.limits import peek_rate
from ..campaigns import page_cache, sharing
from ..campaigns import service as campaigns
from ..campaigns.models import Campaign
from ..campaigns.next_steps import next_steps
from ..campaigns.views import public_url, render_campaign_page
from ..extensions import csrf, db
from ..outbox.views import protect_unless_one_click
from ..tokens import ExpiredToken, InvalidToken
from . import custom_fields, service, sources
from .forms import SignForm, checked_sign_values, sign_form_for
from .models import Signature

bp = Blueprint("petitions", __name__)


def _named_partner(partner: sources.LinkPartner | None) -> sources.LinkPartner | None:
    return partner if partner is not None and partner.credited else None


def petition_section(campaign: Campaign, lang: str) -> dict[str, Any]:
    form = sign_form_for(campaign, custom_fields.form_for_campaign(SignForm, campaign))
    # A visit through a partner's campaign link: the page is cached per tag (page_variant),
    # the form keeps the tag, and a named partner's opt-in box is offered.
    ref = sources.ref_from_query(request.args)
    partner = sources.partner_for_ref(campaign.id, ref)
    if partner is not None:
        form.ref.data = ref
    return {"form": form, "recent": service.public_recent_signers(campaign),
            "comments": service.public_comments(campaign.id),
            "partner": _named_partner(partner)}


def page_variant(slug: str, args: Mapping[str, str]) -> str | None:
    """The campaign page's cache variant: a tag of a partner's link (so few variants, never
    one per made-up tag), else None (the one shared page)."""
    ref = sources.ref_from_query(args)
    if not ref:
        return None
    campaign = campaigns.campaign_by_slug(slug)
    if campaign is None or sources.partner_for_ref(campaign.id, ref) is None:
        return None
    return f"ref:{ref}"


def _open_campaign(slug: str) -> Campaign:
    campaign = campaigns.campaign_by_slug(slug)
    if campaign is None:
        abort(404)
    return campaign


@bp.post("/<lang:lang>/c/<slug>/sign")
@csrf.exempt  # checked below, after the cheap limit check
def sign(slug: str) -> ResponseReturnValue:
    # The request and the app read once: every use of Flask's proxies costs a context lookup.
    req: Request = request._get_current_object()  # type: ignore[attr-defined]  # a LocalProxy
    ip = req.remote_addr
    # Limits first: a client over its address or network quota costs a counter read, not a
    # CSRF check and a form. Reading counts nothing; the attempt is counted once the form is
    # valid (service.sign), so invalid requests cannot use up anyone's quota (security.md).
    peek_rate("sign", ip=ip)
    # The whole CSRFProtect check (token, and Referer over HTTPS), once: it marks the request
    # valid, so the form does not check the token again. (WTF_CSRF_ENABLED as CSRFProtect.)
    if current_app.config.get("WTF_CSRF_ENABLED", True):
        csrf.protect()
    # The common case, a valid post to an open campaign without custom fields: no ORM
    # campaign, no form object. The campaign comes from the process's short-lived snapshot
    # (service.sign_target) and its INSERT checks, in the database, that the campaign still
    # takes signatures; if not, the full path below answers as it always did.
    target = service.sign_target(slug)
    if target is None:
        abort(404)
    if target.is_open and not target.has_fields:
        data = checked_sign_values(SignForm, req.form)
        if data is not None:
            try:
                return _accept(slug, target.id, data, None, lambda signer: service.sign(
                    target, signer), req)
            except service.CampaignNotOpen:
                service.forget_sign_target(slug)
                return _sign_in_full(slug, count_attempt=False)
    return _sign_in_full(slug)


def _accept(slug: str, campaign_id: int, data: Mapping[str, Any], form: SignForm | None,
            sign_as: Callable[[service.SignatureInput], object], req: Request
            ) -> ResponseReturnValue:
    """Store a valid post (or silently drop a bot's) and answer with the thanks page."""
    ref, partner = _ref_and_partner(campaign_id, data["ref"], req)
    lang = i18n.current_language()
    if is_bot_post(data["website"], data["form_started"]):
        # Same answer as a real signature, nothing stored: a bot learns nothing.
        return redirect(_thanks_url(req.script_root, lang, slug), code=303)
    sign_as(service.SignatureInput(
        full_name=data["full_name"], email=data["email"], country=data["country"],
        comment=data["comment"], display=data["display"], updates=data["updates"],
        locale=lang, ip=req.remote_addr,
        custom=custom_fields.answers(form) if form is not None else {}, ref=ref,
        partner_id=partner.id if partner is not None else None,
        # Offered only to a visit through a named partner's link; anything else is ignored.
        partner_opt_in=bool(_named_partner(partner) and data["partner_opt_in"])))
    # Post/redirect/get: a reload does not post again. The answer is the same for everyone.
    return redirect(_thanks_url(req.script_root, lang, slug), code=303)


@lru_cache(maxsize=1024)
def _thanks_url(script_root: str, lang: str, slug: str) -> str:
    """url_for("petitions.thanks") for a campaign and language, built once per process (a
    URL build costs more than the rest of the redirect): only its script root varies with
    the request. Slugs reaching it are campaigns' (sign_target), so the cache stays small."""
    return url_for("petitions.thanks", lang=lang, slug=slug)


def _ref_and_partner(campaign_id: int, posted_ref: str | None, req: Request
                     ) -> tuple[str | None, sources.LinkPartner | None]:
    ref = sources.clean_ref(posted_ref) or sources.ref_from_referrer(req.referrer, req.host)
    return ref, sources.partner_for_ref(campaign_id, ref)


def _sign_in_full(slug: str, *, count_attempt: bool = True) -> ResponseReturnValue:
    """Sign with the campaign read now as an ORM object: custom fields, posts the quick
    check does not take (errors are shown with the form), and closed campaigns."""
    campaign, has_fields = service.campaign_to_sign(slug)
    if campaign is None:
        abort(404)
    form_class = (custom_fields.form_for_campaign(SignForm, campaign) if has_fields
                  else SignForm)
    # A valid post to an open campaign is checked by the form's own validators without
    # building the form (forms.checked_sign_values); anything else builds it.
    data = checked_sign_values(form_class, request.form) if campaign.is_open else None
    form, valid = None, True
    if data is None:
        form = form_class()
        valid = form.validate()
        if not campaign.is_open:
            return _closed(campaign, form)
        data = form.data
    if form is not None and not valid:
        ref, partner = _ref_and_partner(campaign.id, data["ref"], request)
        form.ref.data = ref or ""
        return render_campaign_page(campaign, status=422, overrides={"petition": {
            "form": form, "recent": service.public_recent_signers(campaign),
            "comments": service.public_comments(campaign.id),
            "partner": _named_partner(partner)}})
    try:
        return _accept(slug, campaign.id, data, form, lambda signer: service.sign(
            campaign, signer, count_attempt=count_attempt), request)
    except service.CampaignNotOpen:
        # Closed between the read above and the INSERT: the page reads it again (rolled
        # back, so the campaign's attributes are loaded anew).
        return _closed(campaign, form if form is not None else form_class())


def _closed(campaign: Campaign, form: SignForm) -> ResponseReturnValue:
    return render_campaign_page(campaign, status=403, overrides={"petition": {
        "form": form, "recent": service.public_recent_signers(campaign), "closed": True}})


@bp.get("/<lang:lang>/c/<slug>/thanks")
def thanks(slug: str) -> ResponseReturnValue:
    """The same page for every signer of a campaign in a language: served from the page cache.

    It holds nothing of the reader (no form, no name); the shell is kept like the campaign
    page's, CAMPAIGN_PAGE_CACHE_SECONDS per (language, slug) in each process.
    """
    def render() -> tuple[str, int]:
        campaign = _open_campaign(slug)
        return render_template("petitions/thanks.html", campaign=campaign,
                               text=campaign.text_for(i18n.current_language())), 200

    shell = page_cache.get_shell(("thanks", i18n.current_language(), slug), render)
    if request.if_none_match.contains_weak(shell.etag):
        response = make_response("", 304)
    elif page_cache.accepts_gzip():
        response = _gzipped(shell)
    else:
        response = make_response(page_cache.fill(shell), shell.status)
    response.set_etag(shell.etag, weak=True)
    response.cache_control.private = True
    response.cache_control.no_cache = True
    return response


_LINK_PROBLEM_STATUS = {"expired": 410, "invalid": 400, "gone": 404}


def _link_problem(problem: str) -> tuple[str, int]:
    return (render_template("petitions/link_problem.html", problem=problem),
            _LINK_PROBLEM_STATUS[problem])


def _signature_or_error(purpose: str, token: str
                        ) -> tuple[Signature | None, tuple[str, int] | None]:
    """The signature for a link, or an error page response (bad, expired or removed link)."""
    try:
        signature = service.signature_from_token(purpose, token)
    except ExpiredToken:
        return None, _link_problem("expired")
    except InvalidToken:
        return None, _link_problem("invalid")
    if signature is None:
        return None, _link_problem("gone")
    g.lang = signature.locale
    return signature, None


@bp.get("/confirm/<token>")
def confirm(token: str) -> ResponseReturnValue:
    """Count the signature once; the page after it is the same for every signer of a
    campaign in a language (and outcome), so it comes from the page cache like the thanks
    page (its count at most CAMPAIGN_PAGE_CACHE_SECONDS old). A first click reads no
    campaign and opens no ORM session: the confirmation's statement returns what the page's
    cache key needs."""
    try:
        done = service.confirm_link(token)
    except ExpiredToken:
        return _link_problem("expired")
    except InvalidToken:
        return _link_problem("invalid")
    if done.outcome is service.ConfirmOutcome.NOT_FOUND:
        return _link_problem("gone")
    assert done.campaign_id is not None  # found
    assert done.locale is not None
    campaign_id, outcome = done.campaign_id, done.outcome
    lang = g.lang = done.locale
    status = 409 if outcome is service.ConfirmOutcome.CLOSED else 200

    def render() -> tuple[str, int]:
        campaign = db.session.get(Campaign, campaign_id)
        if campaign is None:  # deleted since the click
            abort(404)
        text = campaign.text_for(lang)
        campaign_url = public_url("campaigns.show", slug=campaign.slug)
        return render_template(
            "petitions/confirmed.html", outcome=outcome.value, campaign=campaign, text=text,
            steps=next_steps(campaign, lang) if status == 200 else [],
            share_links=sharing.share_links(campaign_url, text.title if text else campaign.slug,
                                            text.summary if text else ""),
            campaign_url=campaign_url), status

    shell = page_cache.get_shell(("confirmed", outcome.value, lang, str(campaign_id)), render)
    if shell.status == 200 and page_cache.accepts_gzip():
        return _gzipped(shell)
    return page_cache.fill(shell), shell.status


def _gzipped(shell: page_cache.Shell) -> Response:
    """A browser's copy of a cached page: compressed once per shell like the campaign page
    (page_cache.gzip_body), not by Flask-Compress on every request."""
    response = make_response(page_cache.gzip_body(shell), shell.status)
    response.mimetype = "text/html"
    response.headers["Content-Encoding"] = "gzip"
    response.vary.add("Accept-Encoding")
    return response


@bp.route("/unsubscribe/<token>", methods=["GET", "POST"])
@csrf.exempt  # only the RFC 8058 one-click POST: every other POST is checked here
def unsubscribe(token: str) -> ResponseReturnValue:
    protect_unless_one_click()
    signature, error = _signature_or_error("unsubscribe", token)
    if error:
        return error
    assert signature is not None
    done = request.method == "POST"
    if done:
        service.unsubscribe(signature)
    return render_template("petitions/unsubscribe.html", done=done, signature=signature,
                           text=signature.campaign.text_for(signature.locale))


@bp.route("/forget/<token>", methods=["GET", "POST"])
def forget(token: str) -> ResponseReturnValue:
    signature, error = _signature_or_error("forget", token)
    if error:
        return error
    assert signature is not None
    text = signature.campaign.text_for(signature.locale)
    if request.method == "POST":
        service.forget(signature)
        return render_template("petitions/forget.html", done=True, text=text)
    return render_template("petitions/forget.html", done=False, text=text)

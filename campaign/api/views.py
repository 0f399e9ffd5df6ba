"""/api/v1: public read endpoints (open CORS, cacheable) and the organizer API (API keys).

The API reads no cookies: organizer endpoints authenticate by key only, so the blueprint is
CSRF-exempt. Nothing here returns personal data except to a key scoped to the campaign.
"""
from __future__ import annotations

import time
from datetime import datetime
from typing import Any, cast

from flask import Blueprint, Response, current_app, jsonify, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import force_locale
from werkzeug.datastructures import MultiDict

from .. import i18n
from ..abuse.limits import address_key
from ..addresses import InvalidEmail
from ..campaigns import service as campaigns
from ..campaigns.models import Campaign
from ..countries import country_name
from ..extensions import csrf, limiter
from ..petitions import custom_fields
from ..petitions import service as petitions
from ..petitions.forms import SignForm
from ..petitions.models import Signature
from ..petitions.sources import clean_ref
from ..spreadsheet import csv_text
from . import registry, service
from .models import ApiKey
from .openapi import MAX_ID, document

bp = Blueprint("api", __name__, url_prefix="/api/v1")
csrf.exempt(bp)
open_data_bp = Blueprint("open_data", __name__)

# Endpoints anyone may read from any origin: no personal data, no credentials.
PUBLIC_ENDPOINTS = {"api.campaigns_list", "api.campaign", "api.campaign_count", "api.by_country",
                    "api.by_day", "api.openapi"}
# The count endpoint reuses its answer this long per process (it says max-age=1 anyway): under
# a surge of widget polls it saves the query, and the count is at most this stale.
COUNT_FRESH_SECONDS = 1.0
MAX_PER_PAGE = 100
DEFAULT_PER_PAGE = 25


def _iso(value: datetime | None) -> str | None:
    return value.replace(microsecond=0).isoformat() + "Z" if value else None


def _error(status: int, reason: str, **extra: Any) -> Response:
    response = jsonify({"error": {"status": status, "reason": reason, **extra}})
    response.status_code = status
    if status == 401:
        response.headers["WWW-Authenticate"] = 'Bearer realm="api"'
    return response


def _public(payload: Any) -> Response:
    response = jsonify(payload)
    if request.environ.get(_KEY_SLOT) is not None:
        # Read with a key (a draft's counts): for that client only, never a shared cache.
        response.cache_control.private = True
        response.cache_control.no_store = True
        return response
    response.cache_control.public = True
    response.cache_control.max_age = current_app.config["API_CACHE_MAX_AGE"]
    response.add_etag()
    return cast(Response, response.make_conditional(request))


@bp.after_request
def _headers(response: Response) -> Response:
    if request.endpoint in PUBLIC_ENDPOINTS:
        response.headers["Access-Control-Allow-Origin"] = "*"
        response.headers["Access-Control-Expose-Headers"] = "ETag"
    else:
        response.headers["Cache-Control"] = "no-store"
    return response


# --- public -------------------------------------------------------------------------------

def _campaign_links(campaign: Campaign) -> dict[str, Any]:
    slug = campaign.slug
    return {
        "self": {"href": url_for("api.campaign", slug=slug)},
        "by-country": {"href": url_for("api.by_country", slug=slug)},
        "by-day": {"href": url_for("api.by_day", slug=slug)},
        "page": {"href": url_for("campaigns.show", lang=campaign.default_locale
                                 if campaign.default_locale in i18n.INTERFACE_LANGUAGES
                                 else "ru", slug=slug)},
    }


def _campaign_summary(campaign: Campaign) -> dict[str, Any]:
    return {
        "slug": campaign.slug,
        "status": campaign.status,
        "count": campaign.signature_count,
        "goal": campaign.goal,
        "deadline": _iso(campaign.deadline),
        "default_language": campaign.default_locale,
        "texts": {text.locale: {"title": text.title, "summary": text.summary}
                  for text in campaign.texts},
        "_links": {"self": {"href": url_for("api.campaign", slug=campaign.slug)}},
    }


def _public_campaign_or_404(slug: str) -> tuple[Campaign | None, Response | None]:
    campaign = service.public_campaign(slug)
    return campaign, (None if campaign else _error(404, "not_found"))


@bp.get("/campaigns")
def campaigns_list() -> ResponseReturnValue:
    return _public({"campaigns": [_campaign_summary(c) for c in service.public_campaigns()],
                    "_links": {"self": {"href": url_for("api.campaigns_list")}}})


@bp.get("/campaigns/<slug>")
def campaign(slug: str) -> ResponseReturnValue:
    campaign, error = _public_campaign_or_404(slug)
    if error:
        return error
    assert campaign is not None
    body = _campaign_summary(campaign)
    body.update(progress_percent=campaign.progress_percent,
                delivered_at=_iso(campaign.delivered_at), _links=_campaign_links(campaign))
    extensions: dict[str, Any] = {}
    for name, fn in registry.campaign_extensions().items():
        value = fn(campaign)
        if value is not None:
            extensions[name] = value
    body["extensions"] = extensions
    return _public(body)


@bp.get("/campaigns/<slug>/count")
def campaign_count(slug: str) -> ResponseReturnValue:
    """Slug, status, exact count and goal: the small answer widgets poll."""
    now = time.monotonic()
    recent = current_app.extensions.setdefault("api_campaign_counts", {})
    cached = recent.get(slug)
    if cached and cached[0] > now:
        summary = cached[1]
    else:
        summary = campaigns.campaign_summary(slug)
        if summary is None:
            return _error(404, "not_found")
        if len(recent) > 10_000:  # bounded: unknown slugs are never stored
            recent.clear()
        recent[slug] = (now + COUNT_FRESH_SECONDS, summary)
    response = jsonify(summary)
    response.cache_control.public = True
    response.cache_control.max_age = 1
    return response


def _country_rows(campaign: Campaign, lang: str) -> list[dict[str, Any]]:
    locale = str(i18n.babel_locale(lang))
    return [{"country": code, "name": country_name(code, locale), "count": n}
            for code, n in service.counts_by_country(campaign.id)]


def _day_rows(campaign: Campaign) -> list[dict[str, Any]]:
    return [{"date": day, "count": n} for day, n in service.counts_by_day(campaign.id)]


def _aggregate_campaign(slug: str) -> tuple[Campaign | None, Response | None]:
    """Counts are public for public campaigns; a key with the read_aggregates scope also
    reads them for its own campaigns before they are public (drafts)."""
    campaign, error = _public_campaign_or_404(slug)
    if campaign is not None or _request_token() is None:
        return campaign, error  # public counts: the same for everyone, key or not
    campaign, _key, error = _authorized_campaign(slug, "read_aggregates")
    return campaign, error


@bp.get("/campaigns/<slug>/signatures/by-country")
def by_country(slug: str) -> ResponseReturnValue:
    campaign, error = _aggregate_campaign(slug)
    if error:
        return error
    assert campaign is not None
    lang = request.args.get("lang", "en")
    if lang not in i18n.LANGUAGES:
        return _error(400, "unknown_language")
    return _public({"slug": campaign.slug, "count": campaign.signature_count,
                    "by_country": _country_rows(campaign, lang)})


@bp.get("/campaigns/<slug>/signatures/by-day")
def by_day(slug: str) -> ResponseReturnValue:
    campaign, error = _aggregate_campaign(slug)
    if error:
        return error
    assert campaign is not None
    return _public({"slug": campaign.slug, "count": campaign.signature_count,
                    "by_day": _day_rows(campaign)})


@bp.get("/openapi.json")
def openapi() -> ResponseReturnValue:
    return _public(document())


# --- organizer API (OSDI-shaped) ---------------------------------------------------------

def _request_token() -> str | None:
    header = request.headers.get("Authorization", "")
    if header[:7].lower() == "bearer ":
        return header[7:].strip()
    return request.headers.get("OSDI-API-Token")


_KEY_SLOT = "campaign.api_key"


def _verified_key() -> ApiKey | None:
    """The request's key, checked once per request (the limiter and the view share it).

    Kept in the WSGI environ, which lives exactly as long as the request."""
    if _KEY_SLOT not in request.environ:
        request.environ[_KEY_SLOT] = service.authenticate(_request_token())
    return cast("ApiKey | None", request.environ[_KEY_SLOT])


def _key_for_limits() -> str:
    # The verified key's id, never the prefix a client claims: knowing a key's prefix must
    # not let anyone use up its budget. Unverified callers: the keyed hash of their address
    # (IPv6 /64), never the address itself.
    key = _verified_key()
    if key is not None:
        return f"apikey:{key.id}"
    return f"ip:{address_key()}"


def _authorized_campaign(slug: str, scope: str
                         ) -> tuple[Campaign | None, ApiKey | None, Response | None]:
    """(campaign, key, None) or (None, None, error response): 401, then 404, then 403 (not
    the key's campaign, or not what the key was made for)."""
    key = _verified_key()
    if key is None:
        return None, None, _error(401, "invalid_api_key")
    campaign = campaigns.campaign_by_slug(slug, public=False)
    if campaign is None:
        return None, None, _error(404, "not_found")
    if not service.key_may_use(key, campaign):
        return None, None, _error(403, "key_not_scoped_to_campaign")
    if not key.allows(scope):
        return None, None, _error(403, "key_scope_missing", scope=scope)
    return campaign, key, None


def _signature_json(signature: Signature, slug: str,
                    answers: dict[str, str] | None = None) -> dict[str, Any]:
    if answers is None:
        answers = custom_fields.answers_of([signature.id]).get(signature.id, {})
    return {
        "id": signature.id,
        "identifiers": [f"korday:{signature.id}"],
        "created_date": _iso(signature.created_at),
        "confirmed_date": _iso(signature.confirmed_at),
        "status": signature.status,
        "origin_system": signature.source,
        # OSDI referrer data: the campaign link's tag and the partner's site (widget).
        "referrer_data": {"source": signature.ref, "website": signature.source_origin},
        "partner_id": signature.partner_id,
        "comments": None if signature.comment_hidden else signature.comment,
        "display": signature.display,
        "updates_opt_in": bool(signature.updates_opt_in),
        "_embedded": {"osdi:person": {
            "name": signature.full_name,
            "email_addresses": [{"address": signature.email, "primary": True}],
            "postal_addresses": [{"country": signature.country}],
            "languages_spoken": [signature.locale],
            "custom_fields": answers,
        }},
        "_links": {
            "self": {"href": url_for("api.signature", slug=slug, signature_id=signature.id)},
            "osdi:petition": {"href": url_for("api.campaign", slug=slug)},
        },
    }


def _page_params(kind: str, campaign: Campaign) -> tuple[int | None, int | None, Response | None]:
    """(after_id, per_page, None) or (None, None, error response)."""
    try:
        per_page = int(request.args.get("per_page", DEFAULT_PER_PAGE))
    except ValueError:
        return None, None, _error(400, "bad_per_page")
    if not 1 <= per_page <= MAX_PER_PAGE:
        return None, None, _error(400, "bad_per_page")
    cursor = request.args.get("cursor")
    after_id: int | None = 0
    if cursor is not None:
        after_id = service.read_cursor(kind, campaign.id, cursor)
        if after_id is None:
            return None, None, _error(400, "bad_cursor")
    return after_id, per_page, None


def _page_links(endpoint: str, slug: str, items_last_id: int | None, after_id: int,
                per_page: int, full: bool, kind: str, campaign: Campaign
                ) -> tuple[str, dict[str, Any]]:
    next_cursor = service.make_cursor(kind, campaign.id, items_last_id or after_id)
    links = {"self": {"href": url_for(endpoint, slug=slug,
                                      **cast("dict[str, Any]", request.args))}}
    if full:
        links["next"] = {"href": url_for(endpoint, slug=slug, cursor=next_cursor,
                                         per_page=per_page)}
    return next_cursor, links


@bp.get("/campaigns/<slug>/signatures")
def signatures(slug: str) -> ResponseReturnValue:
    campaign, _key, error = _authorized_campaign(slug, "read_signatures")
    if error:
        return error
    assert campaign is not None
    after_id, per_page, error = _page_params("signatures", campaign)
    if error:
        return error
    assert after_id is not None
    assert per_page is not None
    rows = service.signatures_after(campaign.id, after_id, per_page)
    answers = custom_fields.answers_of([row.id for row in rows])
    next_cursor, links = _page_links("api.signatures", slug, rows[-1].id if rows else None,
                                     after_id, per_page, len(rows) == per_page,
                                     "signatures", campaign)
    return jsonify({"per_page": per_page, "next_cursor": next_cursor, "_links": links,
                    "_embedded": {"osdi:signatures": [
                        _signature_json(s, slug, answers.get(s.id, {})) for s in rows]}})


@bp.get("/campaigns/<slug>/signatures/<int:signature_id>")
def signature(slug: str, signature_id: int) -> ResponseReturnValue:
    campaign, _key, error = _authorized_campaign(slug, "read_signatures")
    if error:
        return error
    assert campaign is not None
    # Larger than any id (and than the column's type): not found, not a database error.
    row = service.signature_of(campaign.id, signature_id) if signature_id <= MAX_ID else None
    if row is None:
        return _error(404, "not_found")
    return jsonify(_signature_json(row, slug))


def _first(items: Any, field: str) -> str | None:
    if isinstance(items, list) and items and isinstance(items[0], dict):
        value = items[0].get(field)
        return value if isinstance(value, str) else None
    return None


def _signature_input(body: dict[str, Any], campaign: Campaign  # noqa: C901 - one check per field, in order
                     ) -> tuple[petitions.SignatureInput | None, Response | None]:
    """(SignatureInput, None) or (None, error response), validated by the sign form's rules."""
    person = (cast("dict[str, Any]", body.get("person")) if isinstance(body.get("person"), dict)
              else {})
    name = person.get("name")
    if not isinstance(name, str):
        name = " ".join(part for part in (person.get("given_name"), person.get("family_name"))
                        if isinstance(part, str) and part)
    languages = person.get("languages_spoken")
    locale = languages[0] if isinstance(languages, list) and languages else None
    if locale not in i18n.CONTENT_LANGUAGES:
        locale = campaign.default_locale
    display = body.get("display", campaign.default_display)
    updates = body.get("updates_opt_in", False)
    comments = body.get("comments") or ""
    if not isinstance(display, str) or not isinstance(updates, bool) or not isinstance(
            comments, str):
        return None, _error(422, "invalid", fields={"body": ["wrong type"]})
    formdata = MultiDict({
        "full_name": name or "", "email": _first(person.get("email_addresses"), "address") or "",
        "country": (_first(person.get("postal_addresses"), "country") or "").upper(),
        "comment": comments, "display": display})
    if updates:
        formdata["updates"] = "y"
    definitions = custom_fields.fields_of(campaign.id)
    answers = person.get("custom_fields", {})
    if not isinstance(answers, dict):
        return None, _error(422, "invalid", fields={"custom_fields": ["wrong type"]})
    known = {d.key for d in definitions}
    for key, value in answers.items():
        if key not in known:
            return None, _error(422, "invalid", fields={"custom_fields": [
                f"unknown field: {str(key)[:40]}"]})
        if isinstance(value, bool):
            value = "y" if value else ""
        elif isinstance(value, int | float):
            value = str(value)
        elif not isinstance(value, str):
            return None, _error(422, "invalid", fields={f"custom_fields.{key}": ["wrong type"]})
        if value:
            formdata[custom_fields.PREFIX + key] = value
    with force_locale(i18n.catalog_locale(locale)):
        form_class = custom_fields.form_with_fields(SignForm, definitions, locale,
                                                    campaign.default_locale)
        form = form_class(formdata=formdata, meta={"csrf": False})
        if not form.validate():
            return None, _error(422, "invalid", fields={
                _api_field_name(field): [str(m) for m in messages]
                for field, messages in form.errors.items()})
    return petitions.SignatureInput(
        full_name=form.full_name.data, email=form.email.data, country=form.country.data,
        comment=form.comment.data, display=form.display.data, updates=form.updates.data,
        locale=locale, source="api", custom=custom_fields.answers(form)), None


def _api_field_name(name: str) -> str:
    """A form field's name as the API client wrote it (custom_fields.<key>)."""
    if name.startswith(custom_fields.PREFIX):
        return "custom_fields." + name[len(custom_fields.PREFIX):]
    return name


@bp.post("/campaigns/<slug>/signatures")
@limiter.limit(lambda: current_app.config["API_WRITE_RATE_LIMIT"], key_func=_key_for_limits)
def add_signature(slug: str) -> ResponseReturnValue:
    campaign, key, error = _authorized_campaign(
        slug, "trusted_import" if (_verified_key() and _verified_key().trusted_import)  # type: ignore[union-attr]  # the first call checked it
        else "write_signatures")
    if error:
        return error
    assert campaign is not None
    assert key is not None
    body = request.get_json(silent=True)
    if not isinstance(body, dict):
        return _error(400, "json_object_expected")
    data, error = _signature_input(body, campaign)
    if error:
        return error
    assert data is not None
    # Credit the partner the key belongs to; OSDI's referrer_data.source is the link's tag.
    data.api_key_id = key.id
    data.partner_id = registry.partner_for_key(campaign.id, key.id)
    referrer = body.get("referrer_data")
    data.ref = clean_ref(referrer.get("source")) if isinstance(referrer, dict) else None
    try:
        if key.trusted_import:
            outcome, row = petitions.import_confirmed(campaign, data)
            status = 201 if outcome is petitions.SignOutcome.IMPORTED else 200
            return jsonify(_signature_json(row, slug)), status
        petitions.sign(campaign, data)
    except petitions.CampaignNotOpen:
        return _error(409, "campaign_not_open")
    except InvalidEmail:
        return _error(422, "invalid", fields={"email": ["invalid"]})
    # The same answer whether or not the address had signed: nobody learns who signed.
    return jsonify({"status": "pending_confirmation"}), 202


@bp.get("/campaigns/<slug>/donations")
def donations(slug: str) -> ResponseReturnValue:
    # Donors' names and addresses: personal data, like signers'.
    campaign, _key, error = _authorized_campaign(slug, "read_signatures")
    if error:
        return error
    assert campaign is not None
    provider = registry.donations_provider()
    if provider is None:
        return _error(404, "donations_not_available")
    after_id, per_page, error = _page_params("donations", campaign)
    if error:
        return error
    assert after_id is not None
    assert per_page is not None
    rows = provider(campaign.id, after_id, per_page)
    next_cursor, links = _page_links("api.donations", slug, rows[-1]["id"] if rows else None,
                                     after_id, per_page, len(rows) == per_page,
                                     "donations", campaign)
    return jsonify({"per_page": per_page, "next_cursor": next_cursor, "_links": links,
                    "_embedded": {"osdi:donations": rows}})


# --- open data files (like petition.parliament.uk's JSON/CSV) ----------------------------

@open_data_bp.get("/<lang:lang>/c/<slug>/data.json")
def data_json(slug: str) -> ResponseReturnValue:
    campaign, error = _public_campaign_or_404(slug)
    if error:
        return error
    assert campaign is not None
    lang = i18n.current_language()
    body = _campaign_summary(campaign)
    body.update(by_country=_country_rows(campaign, lang), by_day=_day_rows(campaign))
    response = _public(body)
    response.headers["Access-Control-Allow-Origin"] = "*"
    return response


@open_data_bp.get("/<lang:lang>/c/<slug>/data.csv")
def data_csv(slug: str) -> ResponseReturnValue:
    """?by=country (default) or ?by=day."""
    campaign, error = _public_campaign_or_404(slug)
    if error:
        return error
    assert campaign is not None
    by = request.args.get("by", "country")
    if by == "day":
        body = csv_text(["date", "count"], service.counts_by_day(campaign.id))
    elif by == "country":
        body = csv_text(["country", "name", "count"], (
            (row["country"], row["name"], row["count"])
            for row in _country_rows(campaign, i18n.current_language())))
    else:
        return _error(400, "bad_by")
    response = Response(body, mimetype="text/csv")
    response.headers["Content-Disposition"] = (
        f'attachment; filename="{campaign.slug}-by-{by}.csv"')
    response.headers["Access-Control-Allow-Origin"] = "*"
    response.cache_control.public = True
    response.cache_control.max_age = current_app.config["API_CACHE_MAX_AGE"]
    response.add_etag()
    return response.make_conditional(request)

import logging
import re
from datetime import datetime, time
from decimal import Decimal
from typing import Any, cast

from flask import (
    Blueprint,
    abort,
    flash,
    g,
    redirect,
    render_template,
    request,
    url_for,
)
from flask.typing import ResponseReturnValue
from flask_babel import format_currency, get_locale
from flask_babel import gettext as _
from flask_login import current_user

from .. import i18n
from ..audit import service as audit
from ..campaigns import service as campaigns
from ..campaigns.models import Campaign
from ..campaigns.next_steps import NextStep
from ..emails import external_url
from ..extensions import csrf, db, limiter
from ..organizers import exports
from ..organizers.access import campaign_access
from ..tokens import InvalidToken
from . import gateway, service
from .forms import DonateForm, DonationSettingsForm, OfflineDonationForm
from .models import CHANNELS, DONATION_STATUSES, KINDS, Donation, DonationSettings
from .money import Money

log = logging.getLogger(__name__)
bp = Blueprint("donations", __name__)


@bp.app_template_filter("preset_amount")
def _preset_amount(value: str | int | Decimal, currency: str) -> str:
    """A preset amount as money in the page's locale, without decimals: "5 000 ₸", "€25"."""
    pattern = get_locale().currency_formats["standard"].pattern
    whole = re.sub(r"[.,]0+", "", pattern.split(";")[0])  # drop the fraction digits
    return cast(str, format_currency(Decimal(value), currency, format=whole,
                                     currency_digits=False))


@bp.app_template_filter("money")
def _money(value: object) -> str:
    if not isinstance(value, Money):
        return ""
    money = value.rounded()
    return cast(str, format_currency(money.amount, money.currency))


def donations_section(campaign: Campaign, lang: str) -> dict[str, Any] | None:
    settings = service.settings_for(campaign.id)
    progress = service.progress(campaign.id)
    can_give = service.stripe_enabled() or bool(service.offline_instructions(settings))
    if not can_give and not progress.raised:
        return None
    return {"progress": progress, "donors": service.donor_wall(campaign.id),
            "can_give": can_give}


def give_step(campaign: Campaign, lang: str) -> NextStep | None:
    """After signing: give to the legal-aid fund (when there is a way to give)."""
    if not (service.stripe_enabled() or service.offline_instructions(
            service.settings_for(campaign.id))):
        return None
    return NextStep("donate", _("Give to the legal-aid fund"),
                    _("It pays the lawyers who work on the appeals."),
                    external_url("donations.donate", lang=lang, slug=campaign.slug))


def _campaign(slug: str) -> Campaign:
    campaign = campaigns.campaign_by_slug(slug)
    if campaign is None:
        abort(404)
    return campaign


def _render_donate(campaign: Campaign, form: DonateForm, settings: DonationSettings, *,
                   status: int = 200, problem: str | None = None) -> ResponseReturnValue:
    return render_template(
        "donations/donate.html", campaign=campaign, form=form,
        text=campaign.text_for(i18n.current_language()),
        stripe_enabled=service.stripe_enabled(),
        offline=service.offline_instructions(settings), problem=problem,
        canceled=request.args.get("canceled") == "1"), status


# The currency a reader of this language most likely pays in, when the campaign offers it;
# otherwise (and for ru, ky: readers in several countries) the campaign's first currency.
LANGUAGE_CURRENCY = {"kk": "KZT", "fr": "EUR", "de": "EUR"}


def _selected_currency(settings: DonationSettings) -> str:
    wanted = (request.args.get("currency") or "").upper()
    currencies = settings.currency_list
    if wanted in currencies:
        return wanted
    by_language = LANGUAGE_CURRENCY.get(i18n.current_language())
    if by_language in currencies:
        return by_language
    return currencies[0] if currencies else "EUR"


@bp.get("/<lang:lang>/c/<slug>/donate")
def donate(slug: str) -> ResponseReturnValue:
    campaign = _campaign(slug)
    settings = service.settings_for(campaign.id)
    form = DonateForm(settings.currency_list, _selected_currency(settings), formdata=None)
    return _render_donate(campaign, form, settings)


@bp.post("/<lang:lang>/c/<slug>/donate")
@limiter.limit("20 per hour")
def start(slug: str) -> ResponseReturnValue:
    campaign = _campaign(slug)
    settings = service.settings_for(campaign.id)
    form = DonateForm(settings.currency_list, _selected_currency(settings))
    if not service.stripe_enabled():
        return _render_donate(campaign, form, settings, status=503, problem="unavailable")
    if not form.validate():
        return _render_donate(campaign, form, settings, status=422)
    assert form.money is not None  # validate_amount set it
    try:
        url = service.start_checkout(campaign, service.DonationInput(
            amount=form.money, monthly=form.frequency.data == "monthly",
            locale=i18n.current_language(), donor_name=form.donor_name.data,
            public=form.public.data))
    except service.AmountOutOfRange as exc:
        form.amount.errors = [_("Please give between %(low)s and %(high)s.",
                                low=_money(exc.low), high=_money(exc.high))]
        return _render_donate(campaign, form, settings, status=422)
    except service.CurrencyNotEnabled:
        form.currency.errors = [_("Please choose one of the currencies offered.")]
        return _render_donate(campaign, form, settings, status=422)
    except service.PaymentsUnavailable:
        return _render_donate(campaign, form, settings, status=503, problem="unavailable")
    return redirect(url, code=303)


@bp.get("/<lang:lang>/c/<slug>/donate/thanks")
def thanks(slug: str) -> ResponseReturnValue:
    # Deliberately changes nothing: only Stripe's signed events record money.
    campaign = _campaign(slug)
    donation = service.donation_for_session(campaign.id, request.args.get("session_id", ""))
    return render_template("donations/thanks.html", campaign=campaign, donation=donation,
                           text=campaign.text_for(i18n.current_language()))


@bp.get("/donations/manage/<token>")
def manage(token: str) -> ResponseReturnValue:
    """A monthly donor's link from the receipt: opens Stripe's customer portal."""
    try:
        donation = service.donation_from_manage_token(token)
    except InvalidToken:
        donation = None
    if donation is None:
        return render_template("donations/manage_problem.html", problem="invalid"), 404
    g.lang = donation.locale
    try:
        return redirect(service.portal_url(donation), code=303)
    except service.PaymentsUnavailable:
        return render_template("donations/manage_problem.html", problem="unavailable"), 503


@bp.post("/stripe/webhook")
@csrf.exempt
@limiter.exempt
def webhook() -> ResponseReturnValue:
    try:
        event = gateway.verify_event(request.get_data(cache=False),
                                     request.headers.get("Stripe-Signature"))
    except gateway.InvalidEvent as exc:
        log.warning("refused a Stripe webhook: %s", exc)
        return {"error": "invalid signature"}, 400
    parsed = gateway.parse_event(event)
    try:
        outcome = service.handle_event(parsed)
    except service.EventMismatch:
        # Logged with the reason by the service; Stripe will show the refusal.
        return {"error": "event does not match its donation"}, 400
    except service.RetryLater:
        return {"error": "busy, retry"}, 503
    log.info("stripe event %s %s: %s", parsed.id, parsed.type, outcome)
    return {"received": True, "outcome": outcome}


# --- organizer console --------------------------------------------------------------------

def _filter_from_args() -> service.DonationFilter:
    args = request.args
    return service.DonationFilter(
        status=args.get("status") if args.get("status") in DONATION_STATUSES else None,
        channel=args.get("channel") if args.get("channel") in CHANNELS else None,
        kind=args.get("kind") if args.get("kind") in KINDS else None,
        currency=(args.get("currency") or "").upper()[:3] or None,
        month=(args.get("month") or "")[:7] or None)


def _console(campaign: Campaign, *, offline_form: OfflineDonationForm | None = None,
             settings_form: DonationSettingsForm | None = None, status: int = 200
             ) -> ResponseReturnValue:
    settings = service.settings_for(campaign.id)
    flt = _filter_from_args()
    if settings_form is None:
        settings_form = DonationSettingsForm(formdata=None, data={
            "currencies": settings.currency_list, "goal_amount": settings.goal_amount,
            "goal_currency": settings.goal_currency,
            "rates": "\n".join(f"{code} {rate}" for code, rate in
                               sorted((settings.rates or {}).items())),
            "offline_instructions": settings.offline_instructions})
    return render_template(
        "donations/console.html", campaign=campaign, filter=flt,
        donations=service.list_donations(campaign.id, flt),
        progress=service.progress(campaign.id),
        monthly=service.monthly_totals(campaign.id),
        offline_form=offline_form or OfflineDonationForm(formdata=None),
        settings_form=settings_form, statuses=DONATION_STATUSES, channels=CHANNELS,
        kinds=KINDS, stripe_enabled=service.stripe_enabled()), status


@bp.get("/organize/c/<slug>/donations")
@campaign_access
def console(campaign: Campaign) -> ResponseReturnValue:
    return _console(campaign)


@bp.get("/organize/c/<slug>/donations.<any(csv, xlsx):kind>")
@campaign_access
def export(campaign: Campaign, kind: str) -> ResponseReturnValue:
    donations = service.list_donations(campaign.id, _filter_from_args())
    audit.note(current_user, "donations.export", campaign_id=campaign.id, format=kind)
    return exports.download(kind, service.DONATION_EXPORT_COLUMNS,
                            service.donation_export_rows(donations), f"donations-{campaign.slug}")


@bp.post("/organize/c/<slug>/donations/offline")
@campaign_access
def record_offline(campaign: Campaign) -> ResponseReturnValue:
    form = OfflineDonationForm()
    if not form.validate():
        return _console(campaign, offline_form=form, status=422)
    received_on = None
    if form.received_on.data:
        received_on = datetime.combine(form.received_on.data, time(12))
    service.record_offline(campaign, amount=form.money,
                           received=form.received.data == "received",
                           donor_name=form.donor_name.data, public=form.public.data,
                           note=form.note.data, received_on=received_on)
    flash(_("The donation was recorded."))
    return redirect(url_for("donations.console", slug=campaign.slug), code=303)


def _offline_donation(campaign: Campaign, donation_id: int) -> Donation:
    donation = db.session.get(Donation, donation_id)
    if donation is None or donation.campaign_id != campaign.id:
        abort(404)
    return donation


@bp.post("/organize/c/<slug>/donations/<int:donation_id>/received")
@campaign_access
def pledge_received(campaign: Campaign, donation_id: int) -> ResponseReturnValue:
    service.mark_pledge_received(_offline_donation(campaign, donation_id))
    return redirect(url_for("donations.console", slug=campaign.slug), code=303)


@bp.post("/organize/c/<slug>/donations/<int:donation_id>/delete")
@campaign_access
def delete(campaign: Campaign, donation_id: int) -> ResponseReturnValue:
    if not service.delete_offline(_offline_donation(campaign, donation_id)):
        abort(403)
    return redirect(url_for("donations.console", slug=campaign.slug), code=303)


@bp.post("/organize/c/<slug>/donations/settings")
@campaign_access
def save_settings(campaign: Campaign) -> ResponseReturnValue:
    form = DonationSettingsForm()
    if not form.validate():
        return _console(campaign, settings_form=form, status=422)
    service.save_settings(
        campaign.id, currencies=form.currencies.data, goal_amount=form.goal_amount.data,
        goal_currency=form.goal_currency.data, rates=form.parsed_rates,
        offline_instructions=form.offline_instructions.data)
    flash(_("The donation settings were saved."))
    return redirect(url_for("donations.console", slug=campaign.slug), code=303)

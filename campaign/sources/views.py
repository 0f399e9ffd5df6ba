"""Console pages of partners, the sources panel on the analytics page, and the public map
section of the campaign page (thin: the rules are in service.py, the drawing in charts.py)."""
from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from flask import (
    Response,
    abort,
    current_app,
    flash,
    redirect,
    stream_with_context,
    url_for,
)
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from markupsafe import Markup

from .. import i18n
from ..campaigns.models import Campaign
from ..countries import country_name
from ..organizers.access import campaign_access
from ..organizers.console import ConsolePages
from ..organizers.console import render_page as _render
from ..organizers.forms import EmptyForm
from . import charts, service
from .forms import PartnerForm, PublicMapForm
from .models import Partner

pages = ConsolePages()
TAB_LABEL = _l("Partners")
SOURCE_LABELS = {"web": _l("Campaign page"), "widget": _l("Widget on a partner's site"),
                 "api": _l("API"), "paper": _l("Paper")}


def _country_names(codes: Iterable[str]) -> dict[str, str]:
    locale = str(i18n.babel_locale(i18n.current_language()))
    return {code: country_name(code, locale) for code in codes}


def _map(counts: dict[str, int], title: str
         ) -> tuple[Markup, list[tuple[str, str, int]], list[tuple[str, str]]]:
    names = _country_names(charts.world()["shapes"].keys() | counts.keys())
    svg = charts.world_map_svg(counts, title=title, names=names)
    rows = sorted(((names.get(code, code), code, n) for code, n in counts.items()),
                  key=lambda row: (-row[2], row[0].casefold()))
    return svg, rows, charts.legend(counts) + [(charts.NO_DATA, _("none"))]


# --- analytics panel and public map ---------------------------------------------------------

def analytics_panel(campaign: Campaign) -> dict[str, Any]:
    by_source = [(str(SOURCE_LABELS.get(s, s)), n) for s, n in service.by_source(campaign.id)]
    by_partner = [(p.name, n) for p, n in service.by_partner(campaign.id)]
    svg, rows, legend = _map(service.by_country(campaign.id),
                             _("Confirmed signatures by country"))
    return {
        "by_source": by_source,
        "source_chart": charts.hbar_chart_svg(by_source, title=_("Signatures by source")),
        "by_partner": by_partner,
        "partner_chart": charts.hbar_chart_svg(by_partner, title=_("Signatures by partner"))
        if by_partner else None,
        "by_ref": service.by_ref(campaign.id),
        # The language table is on the analytics page itself; this draws it.
        "language_chart": charts.hbar_chart_svg(
            [(i18n.LANGUAGES[code].native_name if code in i18n.LANGUAGES else code, n)
             for code, n in service.by_language(campaign.id)],
            title=_("Signatures by language")),
        "map_svg": svg, "map_rows": rows, "map_legend": legend,
        "map_form": PublicMapForm(formdata=None,
                                  data={"public_map": service.public_map_on(campaign.id)}),
    }


def public_map_section(campaign: Campaign, lang: str) -> dict[str, Any] | None:
    """The map on the campaign page, if the organizers chose it: countries under the
    minimum count are one "other" figure (see service.merge_small)."""
    if not service.public_map_on(campaign.id):
        return None
    minimum = current_app.config["PUBLIC_MAP_MIN_COUNT"]
    shown, other = service.merge_small(service.by_country(campaign.id), minimum)
    svg, rows, legend = _map(shown, _("Signatures by country"))
    return {"map_svg": svg, "map_rows": rows, "map_legend": legend, "other": other,
            "minimum": minimum}


@pages.post("/c/<slug>/map")
@campaign_access
def public_map_toggle(campaign: Campaign) -> ResponseReturnValue:
    form = PublicMapForm()
    if not form.validate_on_submit():
        abort(400)
    service.set_public_map(current_user, campaign.id, form.public_map.data)
    flash(_("The map is shown on the campaign page.") if form.public_map.data
          else _("The map is not shown on the campaign page."))
    return redirect(url_for("organizers.analytics_page", slug=campaign.slug,
                            _anchor="map"), code=303)


# --- partners -------------------------------------------------------------------------------

def _partner_form(campaign: Campaign, partner: Partner | None = None,
                  formdata: object = ...) -> PartnerForm:
    data = None
    if partner is not None:
        data = {"name": partner.name, "website": partner.website,
                "origins": "\n".join(partner.origins), "credited": partner.credited,
                "refs": "\n".join(partner.refs),
                "api_keys": [k.id for k in partner.api_keys]}
    form = PartnerForm() if formdata is ... else PartnerForm(formdata=formdata, data=data)
    keys = {k.id: k for k in service.usable_keys(current_user, campaign.id)}
    if partner is not None:
        keys.update({k.id: k for k in partner.api_keys})
    form.api_keys.choices = [(k.id, f"{k.name} (kjc_{k.prefix}_…)") for k in keys.values()]
    return form


def _save(campaign: Campaign, form: PartnerForm, partner: Partner | None = None
          ) -> Partner | None:
    """The partner saved, or None with the error put on the form."""
    try:
        return service.save_partner(
            current_user, campaign.id, name=form.name.data, website=form.website.data or "",
            origins=(form.origins.data or "").splitlines(), credited=form.credited.data,
            api_key_ids=form.api_keys.data or [], partner=partner,
            refs=(form.refs.data or "").splitlines())
    except service.BadRef as exc:
        form.refs.errors.append(_("“%(tag)s” is not a link tag: use 1 to 32 of a-z, 0-9, "
                                  "dot, dash and underscore.", tag=str(exc)[:40]))
    except service.BadOrigin as exc:
        form.origins.errors.append(_("“%(origin)s” is not a site address such as "
                                     "https://partner.org.", origin=str(exc)[:100]))
    except service.PartnerError as exc:
        field = {"key": form.api_keys, "ref": form.refs}.get(str(exc), form.origins)
        field.errors.append(_("This is already credited to another partner."))
    return None


@pages.route("/c/<slug>/partners", methods=["GET", "POST"])
@campaign_access
def partners_page(campaign: Campaign) -> ResponseReturnValue:
    form = _partner_form(campaign)
    if form.validate_on_submit() and _save(campaign, form) is not None:
        flash(_("Partner saved."))
        return redirect(url_for("organizers.partners_page", slug=campaign.slug), code=303)
    listing = [(p, n, service.opt_in_count(p)) for p, n in service.by_partner(campaign.id)]
    return _render("sources/partners.html", campaign, 422 if form.errors else 200,
                   form=form, partners=listing, action_form=EmptyForm())


def _partner(campaign: Campaign, partner_id: int) -> Partner:
    partner = service.partner_in(campaign.id, partner_id)
    if partner is None:
        abort(404)
    return partner


@pages.route("/c/<slug>/partners/<int:partner_id>", methods=["GET", "POST"])
@campaign_access
def partner_edit(campaign: Campaign, partner_id: int) -> ResponseReturnValue:
    partner = _partner(campaign, partner_id)
    form = _partner_form(campaign, partner, formdata=None)
    if form.is_submitted():
        form = _partner_form(campaign, partner)
        if form.validate() and _save(campaign, form, partner) is not None:
            flash(_("Partner saved."))
            return redirect(url_for("organizers.partners_page", slug=campaign.slug),
                            code=303)
    return _render("sources/partner_edit.html", campaign, 422 if form.errors else 200,
                   form=form, partner=partner)


@pages.post("/c/<slug>/partners/<int:partner_id>/delete")
@campaign_access
def partner_delete(campaign: Campaign, partner_id: int) -> ResponseReturnValue:
    partner = _partner(campaign, partner_id)
    if not EmptyForm().validate_on_submit():
        abort(400)
    service.delete_partner(current_user, partner)
    flash(_("Partner removed."))
    return redirect(url_for("organizers.partners_page", slug=campaign.slug), code=303)


@pages.get("/c/<slug>/partners/<int:partner_id>/opt-ins.csv")
@campaign_access
def partner_export(campaign: Campaign, partner_id: int) -> ResponseReturnValue:
    partner = _partner(campaign, partner_id)
    response = Response(stream_with_context(service.export_opt_ins(current_user, partner)),
                        mimetype="text/csv; charset=utf-8")
    response.headers["Content-Disposition"] = (
        f'attachment; filename="{campaign.slug}-partner-{partner.id}-opt-ins.csv"')
    response.headers["Cache-Control"] = "no-store"
    return response

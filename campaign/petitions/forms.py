from __future__ import annotations

from functools import lru_cache
from typing import Any

from babel import support
from flask import current_app
from flask_babel import get_locale
from flask_babel import lazy_gettext as _l
from markupsafe import Markup, escape
from werkzeug.datastructures import MultiDict
from wtforms import (
    BooleanField,
    EmailField,
    Form,
    HiddenField,
    RadioField,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.i18n import messages_path
from wtforms.validators import DataRequired, InputRequired, Length, ValidationError
from wtforms.widgets import Select, html_params

from .. import i18n
from ..abuse.bots import BotTrapForm, NotDisposable
from ..addresses import InvalidEmail, normalize_email
from ..campaigns.models import DEFAULT_SIGNER_DISPLAY, Campaign
from ..countries import COUNTRY_CODES, country_choices
from ..validators import NoControlCharacters, NoInvisibleCharacters, spaces_as_plain


def _strip(value: object) -> object:
    return value.strip() if isinstance(value, str) else value


class ValidEmail:
    def __call__(self, form: Any, field: Any) -> None:
        try:
            normalize_email(field.data or "")
        except InvalidEmail as exc:
            raise ValidationError(_l("Please enter a valid e-mail address.")) from exc


@lru_cache(maxsize=64)
def _country_options(babel_locale: str, placeholder: str) -> str:
    """The <option> list of one language (about 250 countries), rendered once per process."""
    return "".join(f'<option value="{escape(code)}">{escape(name)}</option>'
                   for code, name in (("", placeholder), *country_choices(babel_locale)))


class CountrySelect(Select):
    """The country <select> from the cached options; only the chosen one is marked per form.

    Rendering 250 options through WTForms cost more than the rest of a re-shown sign form.
    """

    def __call__(self, field: Any, **kwargs: Any) -> Markup:
        kwargs.setdefault("id", field.id)
        if field.flags.required and "required" not in kwargs:
            kwargs["required"] = True
        options = _country_options(field.options_locale, str(field.choices[0][1]))
        if field.data:
            chosen = f'<option value="{escape(field.data)}">'
            options = options.replace(chosen, chosen.replace("<option ", "<option selected "), 1)
        # html_params escapes its values; the options are escaped where they are built.
        return Markup(f"<select {html_params(name=field.name, **kwargs)}>{options}</select>")  # noqa: S704



class SignatureFields:
    """The one schema of what a signer gives, shared by the web form (SignForm) and the
    paper import (PaperRowForm): the same checks and messages on both front ends."""

    full_name = StringField(
        _l("Full name"), filters=[spaces_as_plain, _strip],
        validators=[DataRequired(_l("Please enter your name.")),
                    Length(max=120, message=_l("Your name can be at most 120 characters.")),
                    NoControlCharacters(), NoInvisibleCharacters()])
    email = EmailField(
        _l("E-mail"), filters=[_strip],
        validators=[DataRequired(_l("Please enter your e-mail address.")),
                    Length(max=254, message=_l("Please enter a valid e-mail address.")),
                    NoControlCharacters(), ValidEmail(), NotDisposable()])
    country = SelectField(
        _l("Country"),
        validators=[InputRequired(_l("Please choose your country."))],
        validate_choice=False, widget=CountrySelect())
    comment = TextAreaField(
        _l("Comment (optional)"), filters=[_strip],
        validators=[Length(max=1000, message=_l("Your comment can be at most 1,000 characters.")),
                    NoControlCharacters(multiline=True)])

    def validate_country(self, field: Any) -> None:
        if field.data not in COUNTRY_CODES:
            raise ValidationError(_l("Please choose your country."))


@lru_cache(maxsize=16)
def _wtforms_translations(locale: str) -> support.NullTranslations:
    return support.Translations.load(messages_path(), [locale], domain="wtforms")


class SignForm(SignatureFields, BotTrapForm):
    class Meta:
        def get_translations(self, form: Form) -> object:
            """WTForms' own messages in the reader's language, read once per process
            (Flask-WTF reads and parses the catalog file again in every request)."""
            if not current_app.config.get("WTF_I18N_ENABLED", True):
                return super().get_translations(form)  # type: ignore[misc]
            return _wtforms_translations(str(get_locale()))

    display = RadioField(
        _l("Show my name"),
        choices=[("full", _l("Show my full name")),
                 ("initial", _l("Show my first name and initials")),
                 ("anonymous", _l("Do not show my name"))],
        # The least exposure that still shows a real person signed; the campaign may choose
        # another default (sign_form_for), the signer always chooses in the end.
        default=DEFAULT_SIGNER_DISPLAY,
        validators=[InputRequired(_l("Please choose how your name is shown."))])
    updates = BooleanField(_l("E-mail me news about this campaign"))
    # The campaign link's tag, kept when the form comes back with errors (the page's own
    # URL then no longer carries it); cleaned like any tag (petitions/sources.py).
    ref = HiddenField()
    # Shown only when the visit came through a named partner's campaign link (unticked: the
    # signer must choose it; the label, naming the partner, is the widget's).
    partner_opt_in = BooleanField()

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        locale = str(i18n.babel_locale(i18n.current_language()))
        self.country.options_locale = locale
        self.country.choices = _country_field_choices(locale)


@lru_cache(maxsize=64)
def _country_field_choices(babel_locale: str) -> list[tuple[str, object]]:
    """The country field's choices in one language, built once per process (read only:
    the widget renders from `_country_options`, validation checks COUNTRY_CODES)."""
    return [("", _l("Choose your country")), *country_choices(babel_locale)]


class PaperRowForm(SignatureFields, Form):
    """One row of a paper import, checked as the sign form checks it (no request, no CSRF:
    the upload form around it has those)."""

    @classmethod
    def of_row(cls, row: dict[str, str], extra: dict[str, str] | None = None) -> PaperRowForm:
        return cls(MultiDict({**{name: row.get(name, "") for name in PAPER_FIELDS},
                              **(extra or {})}))


PAPER_FIELDS = ("full_name", "email", "country", "comment")


def sign_form_for(campaign: Campaign, form_class: type[SignForm] = SignForm) -> SignForm:
    """A blank sign form pre-set to the campaign's display default."""
    form = form_class(formdata=None)
    form.display.data = campaign.default_display
    return form

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from babel import support
from flask import current_app, g, has_request_context, request
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
from wtforms.fields.core import UnboundField
from wtforms.i18n import messages_path
from wtforms.validators import (
    DataRequired,
    InputRequired,
    Length,
    StopValidation,
    ValidationError,
)
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


# --- the sign form's checks without building the form (the common, valid case) ---------------
# Building a WTForms form binds a field object per field (with its label, widget and
# translations) and costs about 1 ms a sign: more than the INSERTs. A valid post needs none
# of that. `checked_sign_values` runs the very validator objects the form declares, in the
# form's order and with WTForms' rules for reading each kind of field, on the posted values;
# whenever a check fails, or the post or the form class is anything but plain, it answers
# None and the view builds the real form, which checks again and shows the translated
# errors. So it never accepts what the form refuses (tests/petitions/test_sign_checks.py
# holds it to that), and every rule stays declared in one place: the form.

_TEXT_FIELDS = (StringField, EmailField, TextAreaField, HiddenField)
_CHOICE_FIELDS = (SelectField, RadioField)
# The validators known to need nothing of a bound field but data, raw_data and errors.
_PLAIN_VALIDATORS: tuple[type, ...] = (
    DataRequired, InputRequired, Length, NoControlCharacters, NoInvisibleCharacters,
    ValidEmail, NotDisposable)
_KNOWN_KWARGS = frozenset({"filters", "validators", "choices", "default", "validate_choice",
                           "widget", "false_values"})


@dataclass(frozen=True)
class _FieldRule:
    name: str
    kind: str                       # "text", "choice" or "bool"
    filters: tuple[Any, ...]
    validators: tuple[Any, ...]     # the field's, then the form's validate_<name>
    default: Any
    choice_values: tuple[str, ...] | None  # checked against, when the field validates choices
    false_values: tuple[str, ...]


class _PostedField:
    """What a validator sees of a field: its data, what was posted, its errors."""

    __slots__ = ("data", "errors", "name", "raw_data")

    def __init__(self, name: str, data: Any, raw_data: list[str]) -> None:
        self.name = name
        self.data = data
        self.raw_data = raw_data
        self.errors: list[Any] = []

    def gettext(self, string: str) -> str:
        return string

    def ngettext(self, singular: str, plural: str, n: int) -> str:
        return singular if n == 1 else plural


def _rule_of(form_class: type, name: str, unbound: UnboundField) -> _FieldRule | None:
    kwargs = dict(unbound.kwargs)
    if set(kwargs) - _KNOWN_KWARGS or len(unbound.args) > 1:
        return None
    field_class = unbound.field_class
    validators = tuple(kwargs.get("validators") or ())
    if not all(isinstance(v, _PLAIN_VALIDATORS) for v in validators):
        return None
    inline = getattr(form_class, f"validate_{name}", None)
    if inline is not None:
        if getattr(inline, "__module__", None) != __name__:
            return None
        validators = (*validators, inline)
    choice_values = None
    if field_class in (BooleanField,):
        kind = "bool"
    elif field_class in _CHOICE_FIELDS:
        kind = "choice"
        choices = kwargs.get("choices")
        if kwargs.get("validate_choice", True):
            if not isinstance(choices, list | tuple) or not all(
                    isinstance(choice, tuple) for choice in choices):
                return None
            choice_values = tuple(str(choice[0]) for choice in choices)
    elif field_class in _TEXT_FIELDS:
        kind = "text"
    else:
        return None
    return _FieldRule(
        name=name, kind=kind, filters=tuple(kwargs.get("filters") or ()),
        validators=validators, default=kwargs.get("default"), choice_values=choice_values,
        false_values=tuple(kwargs.get("false_values") or BooleanField.false_values))


@lru_cache(maxsize=8)
def _rules(form_class: type) -> tuple[_FieldRule, ...] | None:
    """The fields of a form class as rules, in the form's order; None when one of them is
    not a plain field (then the form itself checks every post)."""
    unbound = sorted(((name, value) for name in dir(form_class)
                      if not name.startswith("_")
                      and isinstance(value := getattr(form_class, name), UnboundField)),
                     key=lambda item: item[1].creation_counter)
    rules = []
    for name, field in unbound:
        rule = _rule_of(form_class, name, field)
        if rule is None:
            return None
        rules.append(rule)
    return tuple(rules)


def _posted_value(rule: _FieldRule, values: list[str]) -> Any:
    """One field's data, read as WTForms reads it."""
    if rule.kind == "bool":
        return bool(values) and values[0] not in rule.false_values
    if values:
        return values[0]  # coerced by str(): form values are str already
    if callable(rule.default):
        # A default made per form (the bot trap's start token, read only by is_bot_post): not
        # posted is None, which the bot check drops as the fresh token the form would make.
        return None
    return rule.default


def _passes(rule: _FieldRule, field: _PostedField) -> bool:
    if rule.choice_values is not None and field.data not in rule.choice_values:
        return False
    for validator in rule.validators:
        try:
            validator(None, field)
        except StopValidation as stop:
            return not (stop.args and stop.args[0])
        except ValueError:      # ValidationError is one
            return False
    return True


def checked_sign_values(form_class: type, formdata: Any) -> dict[str, Any] | None:
    """The posted values of a sign form as the form would hold them after a successful
    validate(), or None when the form must be built: a check failed, the campaign has its own
    fields, the CSRF check was not passed in this request, or the post is not plain form
    data (files, JSON, a field sent twice)."""
    if getattr(form_class, "custom_field_definitions", None) or not has_request_context():
        return None
    rules = _rules(form_class)
    if rules is None or request.files or not formdata:
        return None
    csrf_on = current_app.config.get("WTF_CSRF_ENABLED", True)
    if csrf_on and not g.get("csrf_valid", False):
        return None
    if csrf_on and len(formdata.getlist(
            current_app.config.get("WTF_CSRF_FIELD_NAME", "csrf_token"))) > 1:
        return None
    data: dict[str, Any] = {}
    for rule in rules:
        values = formdata.getlist(rule.name)
        if len(values) > 1:
            return None
        value = _posted_value(rule, values)
        try:
            for filter_ in rule.filters:
                value = filter_(value)
        except ValueError:
            return None
        field = _PostedField(rule.name, value, values)
        if not _passes(rule, field):
            return None
        data[rule.name] = field.data
    return data

from __future__ import annotations

from typing import Any

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    DateTimeLocalField,
    IntegerField,
    RadioField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.validators import (
    DataRequired,
    Length,
    NumberRange,
    Optional,
    ValidationError,
)

from ... import i18n
from ...validators import NoControlCharacters


class InvalidateForm(FlaskForm):
    kind = RadioField(_l("Signatures from"), choices=[
        ("domain", _l("one e-mail domain")), ("network", _l("one network"))],
        validators=[DataRequired()])
    value = StringField(_l("Domain or network"), validators=[DataRequired(), Length(max=254)])
    hours = IntegerField(_l("Within the last hours"), default=24,
                         validators=[DataRequired(), NumberRange(min=1, max=24 * 365)])
    reason = StringField(_l("Reason (kept with the signatures)"),
                         validators=[DataRequired(), Length(max=200)])


class FieldForm(FlaskForm):
    """A new custom signature field. Labels and option labels per language are added as
    label_<lang> and options_<lang> below (one line per option, in the order of `options`)."""

    key = StringField(_l("Key (a-z, 0-9, _; the column name in exports and paper files)"),
                      validators=[DataRequired(_l("Please answer this question.")),
                                  Length(max=40)])
    kind = SelectField(_l("Type"), choices=[
        ("text", _l("Text")), ("number", _l("Number")), ("choice", _l("Choice")),
        ("checkbox", _l("Checkbox"))], default="text")
    required = BooleanField(_l("Required"))
    privacy = SelectField(_l("Privacy"), choices=[
        ("organizers", _l("Organizers only")), ("public", _l("Public")),
        ("delivery", _l("Organizers only, deleted at delivery"))], default="organizers")
    options = TextAreaField(_l("Options of a choice field (one value per line)"),
                            validators=[Length(max=4000)])

    def labels(self) -> dict[str, str]:
        return {lang: self[f"label_{lang}"].data or "" for lang in FIELD_LANGUAGES}

    def choices(self) -> list[dict[str, Any]]:
        values = [line.strip() for line in (self.options.data or "").splitlines()]
        per_lang = {lang: [line.strip() for line in (self[f"options_{lang}"].data or "")
                           .splitlines()] for lang in FIELD_LANGUAGES}
        return [{"value": value[:100], "labels": {
            lang: lines[i][:200] for lang, lines in per_lang.items()
            if i < len(lines) and lines[i]}} for i, value in enumerate(values) if value]


FIELD_LANGUAGES = list(i18n.LANGUAGES)
for _code in FIELD_LANGUAGES:
    _name = i18n.LANGUAGES[_code].native_name
    setattr(FieldForm, f"label_{_code}", StringField(
        _l("Label (%(language)s)", language=_name),
        validators=[Length(max=200), NoControlCharacters()]))
    setattr(FieldForm, f"options_{_code}", TextAreaField(
        _l("Option labels (%(language)s), one per line", language=_name),
        validators=[Length(max=4000), NoControlCharacters(multiline=True)]))


class PremoderationForm(FlaskForm):
    premoderated = BooleanField(_l("Show comments publicly only after an organizer "
                                   "approved them"))


class _Choices(SelectMultipleField):
    """Several of the listed values; anything else gets one translated message."""

    def pre_validate(self, form: Any) -> None:
        allowed = {value for value, _label in self.choices or ()}
        if any(value not in allowed for value in self.data or ()):
            raise ValidationError(_l("Choose among the listed values."))


class UpdateAudienceForm(FlaskForm):
    """Who gets an update and when. Choices are the values present among the campaign's
    opted-in signers (`with_choices`); a value outside them is refused with an error."""

    languages = _Choices(_l("Only signers who signed in"), choices=[])
    countries = _Choices(_l("Only signers from"), choices=[])
    sources = _Choices(_l("Only signatures collected"), choices=[])
    send_at = DateTimeLocalField(_l("Send at (UTC; leave empty to send now)"),
                                 format="%Y-%m-%dT%H:%M", validators=[Optional()])

    def with_choices(self, choices: dict[str, list[tuple[str, str]]]) -> UpdateAudienceForm:
        for key, options in choices.items():
            self[key].choices = options
        return self

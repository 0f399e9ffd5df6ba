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


class _Choice(SelectField):
    """One of the listed values (groups allowed); anything else gets the translated message."""

    def pre_validate(self, form: object) -> None:
        choices = self.choices or ()
        if isinstance(choices, dict):
            choices = [option for group in choices.values() for option in group]
        if self.data and self.data not in {value for value, _label in choices}:
            raise ValidationError(_l("Choose among the listed values."))


class UpdateAudienceForm(FlaskForm):
    """Who gets an update and when. Choices are the values present among the campaign's
    opted-in signers (`with_choices`); a value outside them is refused with an error.
    `answer` is "<field key>:<value>" of a custom field ("<key>:" for a text or number
    field, whose value is then typed into `answer_text`)."""

    languages = _Choices(_l("Only signers who signed in"), choices=[])
    countries = _Choices(_l("Only signers from"), choices=[])
    sources = _Choices(_l("Only signatures collected"), choices=[])
    answer = _Choice(_l("Only signers whose answer is"), choices=[], default="")
    answer_text = StringField(_l("The answer to match (text and number questions)"),
                              validators=[Length(max=500), NoControlCharacters()])
    send_at = DateTimeLocalField(_l("Send at (UTC; leave empty to send now)"),
                                 format="%Y-%m-%dT%H:%M", validators=[Optional()])

    def with_choices(self, choices: dict[str, list[tuple[str, str]]]) -> UpdateAudienceForm:
        for key, options in choices.items():
            self[key].choices = options
        return self

    def with_answers(self, groups: dict[str, list[tuple[str, str]]],
                     kinds: dict[str, str]) -> UpdateAudienceForm:
        """The custom-field answers an audience may be narrowed to, grouped by field label;
        `kinds` maps each field key to its kind."""
        self.answer.choices = {"": [("", str(_l("Anyone (no custom field)")))], **groups}
        self.answer_kinds = kinds
        return self

    def field_segment(self) -> tuple[str, str]:
        """(key, value) of the chosen custom-field answer, or ("", "")."""
        key, _sep, value = (self.answer.data or "").partition(":")
        if key and not value:
            value = (self.answer_text.data or "").strip()
        return (key, value) if key else ("", "")

    def validate_answer_text(self, field: StringField) -> None:
        key, _sep, value = (self.answer.data or "").partition(":")
        if not key or value:
            return
        text = (field.data or "").strip()
        if not text:
            raise ValidationError(_l("Please type the answer to match."))
        if getattr(self, "answer_kinds", {}).get(key) == "number":
            try:
                number = float(text.replace(",", "."))
            except ValueError:
                number = float("nan")
            if number != number or abs(number) == float("inf"):
                raise ValidationError(_l("Please enter a number."))

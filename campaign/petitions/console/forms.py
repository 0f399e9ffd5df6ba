from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    DateTimeLocalField,
    IntegerField,
    RadioField,
    SelectMultipleField,
    StringField,
)
from wtforms.validators import (
    DataRequired,
    Length,
    NumberRange,
    Optional,
    ValidationError,
)


class InvalidateForm(FlaskForm):
    kind = RadioField(_l("Signatures from"), choices=[
        ("domain", _l("one e-mail domain")), ("network", _l("one network"))],
        validators=[DataRequired()])
    value = StringField(_l("Domain or network"), validators=[DataRequired(), Length(max=254)])
    hours = IntegerField(_l("Within the last hours"), default=24,
                         validators=[DataRequired(), NumberRange(min=1, max=24 * 365)])
    reason = StringField(_l("Reason (kept with the signatures)"),
                         validators=[DataRequired(), Length(max=200)])


class _Choices(SelectMultipleField):
    """Several of the listed values; anything else gets one translated message."""

    def pre_validate(self, form):
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

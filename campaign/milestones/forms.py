from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import IntegerField, StringField, TextAreaField
from wtforms.validators import InputRequired, Length, NumberRange

from .. import i18n
from ..validators import NoControlCharacters


class MilestonesForm(FlaskForm):
    thresholds = StringField(
        _l("Steps (signature counts, separated by /)"),
        validators=[Length(max=300), NoControlCharacters()])


class RaiseGoalForm(FlaskForm):
    """The new goal and a note per content language (note_en, note_ru, ...)."""

    goal = IntegerField(_l("New goal"), validators=[
        InputRequired(), NumberRange(min=1, max=1_000_000_000)])

    def notes(self) -> dict[str, str]:
        return {code: self[f"note_{code}"].data or "" for code in i18n.CONTENT_LANGUAGES}


for _code in i18n.CONTENT_LANGUAGES:
    setattr(RaiseGoalForm, f"note_{_code}", TextAreaField(
        _l("Note to readers"),
        validators=[Length(max=500), NoControlCharacters(multiline=True)]))

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import IntegerField, RadioField, StringField
from wtforms.validators import DataRequired, Length, NumberRange


class InvalidateForm(FlaskForm):
    kind = RadioField(_l("Signatures from"), choices=[
        ("domain", _l("one e-mail domain")), ("network", _l("one network"))],
        validators=[DataRequired()])
    value = StringField(_l("Domain or network"), validators=[DataRequired(), Length(max=254)])
    hours = IntegerField(_l("Within the last hours"), default=24,
                         validators=[DataRequired(), NumberRange(min=1, max=24 * 365)])
    reason = StringField(_l("Reason (kept with the signatures)"),
                         validators=[DataRequired(), Length(max=200)])

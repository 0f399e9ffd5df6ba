from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import EmailField, IntegerField
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange

from ..abuse.bots import BotTrapForm
from ..petitions.forms import ValidEmail
from ..validators import NoControlCharacters


class DataRequestForm(BotTrapForm):
    email = EmailField(
        _l("Your e-mail address"), filters=[lambda v: v.strip() if isinstance(v, str) else v],
        validators=[DataRequired(_l("Please enter your e-mail address.")),
                    Length(max=254, message=_l("Please enter a valid e-mail address.")),
                    NoControlCharacters(), ValidEmail()])


class RetentionForm(FlaskForm):
    days = IntegerField(_l("Days after delivery to keep signers' names, addresses and comments"),
                        validators=[InputRequired(), NumberRange(min=0, max=3650)])

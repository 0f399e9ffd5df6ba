from flask_babel import lazy_gettext as _l
from wtforms import EmailField
from wtforms.validators import DataRequired, Length

from ..abuse.bots import BotTrapForm
from ..petitions.forms import ValidEmail
from ..validators import NoControlCharacters


class DataRequestForm(BotTrapForm):
    email = EmailField(
        _l("Your e-mail address"), filters=[lambda v: v.strip() if isinstance(v, str) else v],
        validators=[DataRequired(_l("Please enter your e-mail address.")),
                    Length(max=254, message=_l("Please enter a valid e-mail address.")),
                    NoControlCharacters(), ValidEmail()])

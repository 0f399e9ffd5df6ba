from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, SelectMultipleField, StringField, widgets
from wtforms.validators import DataRequired, Length

from ..validators import NoControlCharacters


class ApiKeyForm(FlaskForm):
    name = StringField(_l("Name (who uses this key)"), filters=[lambda v: v.strip() if v else v],
                       validators=[DataRequired(_l("Please give the key a name.")),
                                   Length(max=80), NoControlCharacters()])
    campaigns = SelectMultipleField(
        _l("Campaigns this key may use"), coerce=int,
        option_widget=widgets.CheckboxInput(), widget=widgets.ListWidget(prefix_label=False),
        validators=[DataRequired(_l("Please choose at least one campaign."))])
    trusted_import = BooleanField(_l(
        "Trusted import: signatures added with this key count at once, without a "
        "confirmation e-mail (only for partners who confirmed the addresses themselves)"))


class RevokeForm(FlaskForm):
    pass

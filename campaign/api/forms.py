from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, DateField, SelectMultipleField, StringField, widgets
from wtforms.validators import DataRequired, Length, Optional

from ..validators import NoControlCharacters


class ApiKeyForm(FlaskForm):
    name = StringField(_l("Name (who uses this key)"), filters=[lambda v: v.strip() if v else v],
                       validators=[DataRequired(_l("Please give the key a name.")),
                                   Length(max=80), NoControlCharacters()])
    campaigns = SelectMultipleField(
        _l("Campaigns this key may use"), coerce=int,
        option_widget=widgets.CheckboxInput(), widget=widgets.ListWidget(prefix_label=False),
        validators=[DataRequired(_l("Please choose at least one campaign."))])
    scopes = SelectMultipleField(
        _l("What this key may do"), default=["read_aggregates"],
        choices=[("read_signatures", _l("Read signers and donors (names and e-mail addresses)")),
                 ("read_aggregates", _l("Read counts by day and by country")),
                 ("write_signatures", _l("Add signatures (each confirmed by e-mail)"))],
        option_widget=widgets.CheckboxInput(), widget=widgets.ListWidget(prefix_label=False))
    expires_on = DateField(_l("Valid until (optional; the key stops working after that day)"),
                           validators=[Optional()])
    # Shown to admins only; the service refuses it for anyone else.
    trusted_import = BooleanField(_l(
        "Trusted import: signatures added with this key count at once, without a "
        "confirmation e-mail (only for partners who confirmed the addresses themselves)"))


class RevokeForm(FlaskForm):
    pass

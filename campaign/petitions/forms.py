from flask_babel import lazy_gettext as _l
from wtforms import (
    BooleanField,
    EmailField,
    RadioField,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.validators import DataRequired, InputRequired, Length, ValidationError

from .. import i18n
from ..abuse.bots import BotTrapForm, NotDisposable
from ..addresses import InvalidEmail, normalize_email
from ..campaigns.models import DEFAULT_SIGNER_DISPLAY
from ..countries import COUNTRY_CODES, country_choices
from ..validators import NoControlCharacters, NoInvisibleCharacters, spaces_as_plain


def _strip(value):
    return value.strip() if isinstance(value, str) else value


class ValidEmail:
    def __call__(self, form, field):
        try:
            normalize_email(field.data or "")
        except InvalidEmail as exc:
            raise ValidationError(_l("Please enter a valid e-mail address.")) from exc


class SignForm(BotTrapForm):
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
        validate_choice=False)
    comment = TextAreaField(
        _l("Comment (optional)"), filters=[_strip],
        validators=[Length(max=1000, message=_l("Your comment can be at most 1,000 characters.")),
                    NoControlCharacters(multiline=True)])
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

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        locale = i18n.babel_locale(i18n.current_language())
        self.country.choices = [("", _l("Choose your country"))] + list(
            country_choices(str(locale)))

    def validate_country(self, field):
        if field.data not in COUNTRY_CODES:
            raise ValidationError(_l("Please choose your country."))


def sign_form_for(campaign, form_class=SignForm):
    """A blank sign form pre-set to the campaign's display default."""
    form = form_class(formdata=None)
    form.display.data = campaign.default_display
    return form

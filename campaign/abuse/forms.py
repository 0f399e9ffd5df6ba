from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from limits import parse_many
from wtforms import IntegerField, RadioField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, NumberRange, ValidationError

from ..validators import NoControlCharacters
from .limits import parse_networks


class InvalidateForm(FlaskForm):
    kind = RadioField(_l("Signatures from"), choices=[
        ("domain", _l("one e-mail domain")), ("network", _l("one network"))],
        validators=[DataRequired()])
    value = StringField(_l("Domain or network"), validators=[DataRequired(), Length(max=254)])
    hours = IntegerField(_l("Within the last hours"), default=24,
                         validators=[DataRequired(), NumberRange(min=1, max=24 * 365)])
    reason = StringField(_l("Reason (kept with the signatures)"),
                         validators=[DataRequired(), Length(max=200)])


class LimitSpec:
    """A limit in the `limits` syntax ("30/minute;300/hour"); empty means the default."""

    def __call__(self, form, field):
        value = (field.data or "").strip()
        field.data = value or None
        if not value:
            return
        try:
            items = parse_many(value)
        except ValueError:
            items = []
        if not items or any(item.amount < 1 for item in items):
            raise ValidationError(_l('Write a limit like "30/minute" or '
                                     '"30/minute;300/hour", or leave it empty.'))


class NetworkList:
    def __call__(self, form, field):
        try:
            networks = parse_networks(field.data or "")
        except ValueError as exc:
            raise ValidationError(_l("Not a network: %(line)s", line=str(exc))) from exc
        if len(networks) > 500:
            raise ValidationError(_l("At most 500 networks."))


_LIMIT_FIELD_HELP = _l('Empty: the default. Syntax: "30/minute;300/hour".')


class LimitSettingsForm(FlaskForm):
    sign_per_address = StringField(_l("Sign attempts per address (IPv4 address, IPv6 /64)"),
                                   validators=[Length(max=100), NoControlCharacters(), LimitSpec()],
                                   description=_LIMIT_FIELD_HELP)
    sign_per_network = StringField(_l("Sign attempts per network (IPv4 /24, IPv6 /48)"),
                                   validators=[Length(max=100), NoControlCharacters(), LimitSpec()],
                                   description=_LIMIT_FIELD_HELP)
    sign_per_email = StringField(_l("Sign attempts per e-mail address"),
                                 validators=[Length(max=100), NoControlCharacters(), LimitSpec()],
                                 description=_LIMIT_FIELD_HELP)
    sign_per_domain = StringField(_l("Sign attempts per e-mail domain (big webmail exempt)"),
                                  validators=[Length(max=100), NoControlCharacters(), LimitSpec()],
                                  description=_LIMIT_FIELD_HELP)
    allowed_networks = TextAreaField(
        _l("Allow-listed networks (no address or network limit), one per line"),
        validators=[Length(max=20000), NoControlCharacters(multiline=True),
                    NetworkList()])

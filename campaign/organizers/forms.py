from typing import Any

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from limits import parse_many
from wtforms import (
    BooleanField,
    DateTimeLocalField,
    EmailField,
    HiddenField,
    IntegerField,
    PasswordField,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.validators import DataRequired, Length, NumberRange, Optional, ValidationError

from .. import i18n
from ..abuse.limits import parse_networks
from ..validators import NoControlCharacters


def _strip(value: object) -> object:
    return value.strip() if isinstance(value, str) else value


def _language_choices() -> list[tuple[str, str]]:
    return [(code, f"{lang.native_name} ({code})") for code, lang in i18n.LANGUAGES.items()]


class LoginForm(FlaskForm):
    email = EmailField(_l("E-mail"), validators=[DataRequired(), Length(max=254)])
    password = PasswordField(_l("Password"), validators=[DataRequired(), Length(max=200)])


class CodeForm(FlaskForm):
    # Long enough for a recovery code typed with spaces (XXXX-XXXX-XXXX-XXXX).
    code = StringField(_l("Six-digit code from your authenticator app"), filters=[_strip],
                       validators=[DataRequired(), Length(max=40)])


class TotpSetupForm(CodeForm):
    secret = HiddenField()


class ProfileForm(FlaskForm):
    name = StringField(_l("Your name, as it signs letters and deliveries"), filters=[_strip],
                       validators=[DataRequired(), Length(max=120), NoControlCharacters()])
    email = EmailField(_l("E-mail"), filters=[_strip],
                       validators=[DataRequired(), Length(max=254)])
    new_password = PasswordField(_l("New password (optional, at least 10 characters)"),
                                 validators=[Optional(), Length(
                                     min=10, max=200,
                                     message=_l("The password must have 10 to 200 characters."))])
    current_password = PasswordField(_l("Current password (needed to change the e-mail or "
                                        "the password)"), validators=[Optional(), Length(max=200)])

    def validate_email(self, field: Any) -> None:
        from wtforms.validators import ValidationError

        from ..addresses import InvalidEmail, normalize_email
        try:
            normalize_email(field.data or "")
        except InvalidEmail as exc:
            raise ValidationError(_l("Please enter a valid e-mail address.")) from exc


class PasswordForm(FlaskForm):
    password = PasswordField(_l("New password (at least 10 characters)"), validators=[
        DataRequired(), Length(min=10, max=200,
                               message=_l("The password must have 10 to 200 characters."))])


class ResetRequestForm(FlaskForm):
    email = EmailField(_l("E-mail"), filters=[_strip],
                       validators=[DataRequired(), Length(max=254)])


class InviteForm(FlaskForm):
    email = EmailField(_l("E-mail"), filters=[_strip],
                       validators=[DataRequired(), Length(max=254), NoControlCharacters()])
    name = StringField(_l("Name"), filters=[_strip],
                       validators=[Length(max=120), NoControlCharacters()])
    role = SelectField(_l("Role"), choices=[("organizer", _l("Organizer")),
                                            ("admin", _l("Administrator"))])


class CampaignSettingsForm(FlaskForm):
    slug = StringField(_l("Address (lower-case letters, digits and hyphens)"),
                       filters=[_strip], validators=[DataRequired(), Length(max=80)])
    goal = IntegerField(_l("Goal (signatures)"),
                        validators=[DataRequired(), NumberRange(min=1, max=100_000_000)])
    deadline = DateTimeLocalField(_l("Deadline (UTC, optional)"), format="%Y-%m-%dT%H:%M",
                                  validators=[Optional()])
    default_locale = SelectField(_l("Default language"))

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.default_locale.choices = _language_choices()


class CampaignTextForm(FlaskForm):
    title = StringField(_l("Title"), filters=[_strip],
                        validators=[Length(max=200), NoControlCharacters()])
    summary = TextAreaField(_l("Summary"), filters=[_strip],
                            validators=[Length(max=2000), NoControlCharacters(multiline=True)])
    body_markdown = TextAreaField(_l("Text (Markdown)"), validators=[
        Length(max=100_000), NoControlCharacters(multiline=True)])


class ReasonForm(FlaskForm):
    reason = StringField(_l("Reason"), filters=[_strip], validators=[
        DataRequired(_l("Please give a reason.")), Length(max=200), NoControlCharacters()])


class EmptyForm(FlaskForm):
    """A POST button: only the CSRF token."""


class CopyCampaignForm(FlaskForm):
    new_slug = StringField(_l("Address of the new campaign"), filters=[_strip],
                           validators=[DataRequired(), Length(max=80)])


class MemberForm(FlaskForm):
    email = EmailField(_l("E-mail of an existing account"), filters=[_strip],
                       validators=[DataRequired(), Length(max=254)])


class PaperImportForm(FlaskForm):
    file = FileField(_l("CSV file"), validators=[FileRequired(_l("Please choose a file."))])
    note = StringField(_l("Note on this batch (e.g. where the sheets were collected)"),
                       filters=[_strip], validators=[Length(max=200), NoControlCharacters()])
    valid_only = BooleanField(_l("If some rows have errors, import only the valid rows"))


class UpdateForm(FlaskForm):
    """One subject and body per content language (subject_en, body_en, ...)."""

    def texts(self) -> dict[str, dict[str, str]]:
        return {code: {"subject": self[f"subject_{code}"].data or "",
                       "body": self[f"body_{code}"].data or ""}
                for code in i18n.CONTENT_LANGUAGES}


for _code in i18n.CONTENT_LANGUAGES:
    setattr(UpdateForm, f"subject_{_code}", StringField(
        _l("Subject"), filters=[_strip], validators=[Length(max=200), NoControlCharacters()]))
    setattr(UpdateForm, f"body_{_code}", TextAreaField(
        _l("Message"), validators=[Length(max=20_000), NoControlCharacters(multiline=True)]))


class LimitSpec:
    """A limit in the `limits` syntax ("30/minute;300/hour"); empty means the default."""

    def __call__(self, form: Any, field: Any) -> None:
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
    def __call__(self, form: Any, field: Any) -> None:
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

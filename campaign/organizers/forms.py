from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
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
from wtforms.validators import DataRequired, Length, NumberRange, Optional

from .. import i18n
from ..validators import NoControlCharacters


def _strip(value):
    return value.strip() if isinstance(value, str) else value


def _language_choices():
    return [(code, f"{lang.native_name} ({code})") for code, lang in i18n.LANGUAGES.items()]


class LoginForm(FlaskForm):
    email = EmailField(_l("E-mail"), validators=[DataRequired(), Length(max=254)])
    password = PasswordField(_l("Password"), validators=[DataRequired(), Length(max=200)])


class CodeForm(FlaskForm):
    code = StringField(_l("Six-digit code from your authenticator app"), filters=[_strip],
                       validators=[DataRequired(), Length(max=10)])


class TotpSetupForm(CodeForm):
    secret = HiddenField()


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

    def __init__(self, *args, **kwargs):
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

    def texts(self) -> dict[str, dict]:
        return {code: {"subject": self[f"subject_{code}"].data or "",
                       "body": self[f"body_{code}"].data or ""}
                for code in i18n.CONTENT_LANGUAGES}


for _code in i18n.CONTENT_LANGUAGES:
    setattr(UpdateForm, f"subject_{_code}", StringField(
        _l("Subject"), filters=[_strip], validators=[Length(max=200), NoControlCharacters()]))
    setattr(UpdateForm, f"body_{_code}", TextAreaField(
        _l("Message"), validators=[Length(max=20_000), NoControlCharacters(multiline=True)]))

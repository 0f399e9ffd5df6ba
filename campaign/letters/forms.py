from typing import Any

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import (
    BooleanField,
    DateField,
    EmailField,
    SelectField,
    StringField,
    TextAreaField,
    URLField,
)
from wtforms.validators import URL, DataRequired, Length, Optional, ValidationError

from ..addresses import InvalidEmail, normalize_email


class LetterForm(FlaskForm):
    full_name = StringField(_l("Your name"), validators=[DataRequired(), Length(max=120)])
    email = EmailField(_l("Your e-mail address"), validators=[DataRequired(), Length(max=254)])
    place = StringField(_l("City or country"), validators=[Optional(), Length(max=120)])
    subject = StringField(_l("Subject"), validators=[DataRequired(), Length(max=300)])
    body = TextAreaField(_l("Your letter"), validators=[DataRequired(), Length(max=20000)])

    def validate_email(self, field: Any) -> None:
        try:
            normalize_email(field.data or "")
        except InvalidEmail as exc:
            raise ValidationError(_l("Please enter a valid e-mail address.")) from exc


class TemplateForm(FlaskForm):
    kind = SelectField(_l("Kind"), choices=[("letter", _l("Supporters' letter")),
                                            ("cover", _l("Petition cover letter"))])
    locale = SelectField(_l("Language"))
    subject = StringField(_l("Subject"), validators=[DataRequired(), Length(max=300)])
    body = TextAreaField(_l("Body"), validators=[DataRequired(), Length(max=20000)])


class DeliverForm(FlaskForm):
    locale = SelectField(_l("Language of the cover letter and dossier"))


class ReplyForm(FlaskForm):
    target_id = SelectField(_l("Institution"), coerce=int)
    received_on = DateField(_l("Date of the reply"), validators=[DataRequired()])
    summary = TextAreaField(_l("Summary"), validators=[DataRequired(), Length(max=2000)])
    link = URLField(_l("Link (optional)"), validators=[Optional(), Length(max=500),
                                                       URL(require_tld=True)])

    def validate_link(self, field: Any) -> None:
        if field.data and not field.data.lower().startswith(("https://", "http://")):
            raise ValidationError(_l("The link must start with https://"))


class PlainForm(FlaskForm):
    """Only the CSRF token: for forms whose other fields are checkbox lists."""


class DeliveryForm(FlaskForm):
    """Step one of a delivery: language, institutions (a checkbox list) and what follows."""
    locale = SelectField(_l("Language of the cover letter and dossier"))


class SendDeliveryForm(FlaskForm):
    """Step two: send what the preview showed."""
    mode = SelectField(_l("After delivering"), choices=[
        ("keep", _l("Deliver and keep collecting signatures")),
        ("close", _l("Deliver and close the petition"))])


class ReplyDetailsForm(FlaskForm):
    """A reply's summary in the campaign's languages (fields added per language) and its PDF."""
    attachment = FileField(_l("The reply as a PDF (optional, at most 1.5 MB)"))
    remove_attachment = BooleanField(_l("Remove the PDF"))


def reply_details_form(languages: list[str], **kwargs: Any) -> ReplyDetailsForm:
    from .. import i18n

    class Form(ReplyDetailsForm):
        pass

    for code in languages:
        setattr(Form, f"summary_{code}", TextAreaField(
            i18n.LANGUAGES[code].native_name, validators=[Optional(), Length(max=2000)]))
    return Form(**kwargs)

from typing import Any

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import BooleanField, EmailField, StringField, TextAreaField, URLField
from wtforms.validators import URL, DataRequired, Length, Optional, ValidationError

from .. import i18n
from ..addresses import InvalidEmail, normalize_email
from ..validators import NoControlCharacters


def _strip(value: Any) -> Any:
    return value.strip() if isinstance(value, str) else value


class OrganizationForm(FlaskForm):
    name = StringField(_l("Name of the organization"), filters=[_strip],
                       validators=[DataRequired(), Length(max=200), NoControlCharacters()])
    postal_address = TextAreaField(_l("Postal address"), filters=[_strip],
                                   validators=[Optional(), Length(max=500)])
    contact_email = EmailField(_l("Contact e-mail"), filters=[_strip],
                               validators=[DataRequired(), Length(max=254)])
    website = URLField(_l("Website (optional)"), filters=[_strip],
                       validators=[Optional(), Length(max=300), URL(require_tld=True)])
    logo = FileField(_l("Logo (optional; PNG, JPEG, GIF or WebP, at most 1 MB)"))
    remove_logo = BooleanField(_l("Remove the logo"))

    def validate_contact_email(self, field: Any) -> None:
        try:
            normalize_email(field.data or "")
        except InvalidEmail as exc:
            raise ValidationError(_l("Please enter a valid e-mail address.")) from exc

    def validate_website(self, field: Any) -> None:
        if field.data and not field.data.lower().startswith(("https://", "http://")):
            raise ValidationError(_l("The link must start with https://"))


def about_field_name(code: str) -> str:
    return f"about_{code}"


# "Who we are" in every interface language, one text area each.
for _code in i18n.INTERFACE_LANGUAGES:
    setattr(OrganizationForm, about_field_name(_code), TextAreaField(
        i18n.LANGUAGES[_code].native_name, filters=[_strip],
        validators=[Optional(), Length(max=3000)]))

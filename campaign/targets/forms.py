from typing import Any

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, EmailField, StringField
from wtforms.validators import Length, Optional, Regexp, ValidationError

from .. import i18n


class TargetForm(FlaskForm):
    email = EmailField(_l("E-mail"), validators=[Optional(), Length(max=254)])
    languages = StringField(_l("Languages it reads (codes, comma-separated)"), validators=[
        Length(max=60), Regexp(r"^\s*[a-z]{2,3}(\s*,\s*[a-z]{2,3})*\s*$",
                               message=_l("Use language codes such as en,fr,ru."))])
    active = BooleanField(_l("Active"))
    verified = BooleanField(_l("I checked this address against its source today"))

    def validate_languages(self, field: Any) -> None:
        unknown = [c.strip() for c in field.data.split(",") if c.strip() not in i18n.LANGUAGES]
        if unknown:
            raise ValidationError(_l("Unknown language code."))

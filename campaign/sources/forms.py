from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, SelectMultipleField, StringField, TextAreaField
from wtforms.validators import URL, DataRequired, Length, Optional
from wtforms.widgets import CheckboxInput, ListWidget

from ..validators import NoControlCharacters


def _strip(value: object) -> object:
    return value.strip() if isinstance(value, str) else value


class PartnerForm(FlaskForm):
    name = StringField(_l("Name of the organization"), filters=[_strip], validators=[
        DataRequired(), Length(max=120), NoControlCharacters()])
    website = StringField(_l("Website"), filters=[_strip], validators=[
        Optional(), Length(max=255), URL(require_tld=False)])
    origins = TextAreaField(
        _l("Sites where the partner shows the widget (one per line, e.g. https://partner.org)"),
        validators=[Length(max=2000), NoControlCharacters(multiline=True)])
    refs = TextAreaField(
        _l("Tags of the partner's campaign links (one per line: the value of ?ref= or "
           "?utm_source=, e.g. partner-x)"),
        validators=[Length(max=1000), NoControlCharacters(multiline=True)])
    api_keys = SelectMultipleField(_l("API keys the partner signs with"), coerce=int,
                                   option_widget=CheckboxInput(),
                                   widget=ListWidget(prefix_label=False))
    credited = BooleanField(_l("Name the partner on its widget (“with …”) and let signers "
                               "there and through its links choose to hear from it"))


class PublicMapForm(FlaskForm):
    public_map = BooleanField(_l("Show the map of signatures by country on the campaign page"))

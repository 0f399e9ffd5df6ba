from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, HiddenField, TextAreaField

from ..petitions.forms import SignForm


class WidgetSignForm(SignForm):
    """The sign form, with the widget's own signed token instead of the session CSRF token
    (see widget/service.py: the iframe gets no cookies)."""

    class Meta:
        csrf = False

    widget_token = HiddenField()
    # Shown only when the widget credits a partner (unticked: the signer must choose it).
    partner_opt_in = BooleanField()


class FramingForm(FlaskForm):
    origins = TextAreaField(
        _l("Sites that may show the widget (one per line, e.g. https://partner.org)"))
    allow_any = BooleanField(_l("Any site may show the widget"))

"""Form validators shared by features."""
from __future__ import annotations

import unicodedata

from flask_babel import lazy_gettext as _l
from wtforms.validators import ValidationError

_ALLOWED_CONTROLS = {"\n", "\r", "\t"}


class NoControlCharacters:
    """Refuse NUL and other control characters (PostgreSQL cannot even store NUL), and the
    replacement character that stands where a client sent bytes that were not UTF-8."""

    def __init__(self, multiline: bool = False):
        self.allowed = _ALLOWED_CONTROLS if multiline else set()

    def __call__(self, form, field):
        value = field.data or ""
        for char in value:
            if char == "\ufffd" or (
                    char not in self.allowed and unicodedata.category(char) in ("Cc", "Cs")):
                raise ValidationError(_l("This field contains characters that are not allowed."))

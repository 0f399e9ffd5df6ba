"""Form validators shared by features."""
from __future__ import annotations

import unicodedata

from flask_babel import lazy_gettext as _l
from wtforms.validators import ValidationError

_ALLOWED_CONTROLS = {"\n", "\r", "\t"}
# U+FFFD stands in for bytes that were not valid UTF-8; U+FFFE/U+FFFF are not characters.
_REFUSED = {"\ufffd", "\ufffe", "\uffff"}


class NoControlCharacters:
    """Refuse NUL and other control characters (PostgreSQL cannot even store NUL)."""

    def __init__(self, multiline: bool = False):
        self.allowed = _ALLOWED_CONTROLS if multiline else set()

    def __call__(self, form, field):
        value = field.data or ""
        for char in value:
            if char in _REFUSED or (char not in self.allowed
                                    and unicodedata.category(char) in ("Cc", "Cs")):
                raise ValidationError(_l("This field contains characters that are not allowed."))

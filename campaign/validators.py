"""Form validators shared by features."""
from __future__ import annotations

import unicodedata
from typing import Any

from flask_babel import lazy_gettext as _l
from wtforms.validators import ValidationError

_ALLOWED_CONTROLS = {"\n", "\r", "\t"}
# U+FFFD stands in for bytes that were not valid UTF-8; U+FFFE/U+FFFF are not characters.
_REFUSED = {"\ufffd", "\ufffe", "\uffff"}


class NoControlCharacters:
    """Refuse NUL and other control characters (PostgreSQL cannot even store NUL)."""

    def __init__(self, multiline: bool = False):
        self.allowed = _ALLOWED_CONTROLS if multiline else set()

    def __call__(self, form: Any, field: Any) -> None:
        value = field.data or ""
        for char in value:
            if char in _REFUSED or (char not in self.allowed
                                    and unicodedata.category(char) in ("Cc", "Cs")):
                raise ValidationError(_l("This field contains characters that are not allowed."))


# Characters that draw nothing yet change what a reader sees: bidi controls can reorder a
# name on the page ("Anna" that displays as someone else's words), and blanks such as the
# Hangul filler make a name look empty or like another. Category Cf covers the bidi controls
# (U+202A-U+202E, U+2066-U+2069, U+200E/F, U+061C), zero-width space/joiners, word joiner,
# BOM and soft hyphen; the others are letters by category but print as blank.
_INVISIBLE_LETTERS = {"\u115f", "\u1160", "\u3164", "\uffa0", "\u2800", "\u180e"}
# Zero-width (non-)joiners are part of correct spelling in Persian and Indic scripts: allowed
# between two letters, where they shape the text instead of hiding anything.
_JOINERS = {"\u200c", "\u200d"}


def invisible_character(value: str) -> str | None:
    """The first character of `value` that a reader could not see, or None."""
    for index, char in enumerate(value):
        if char in _JOINERS and 0 < index < len(value) - 1 \
                and value[index - 1].isalpha() and value[index + 1].isalpha():
            continue
        if char in _INVISIBLE_LETTERS or unicodedata.category(char) == "Cf":
            return char
        if char.isspace() and char != " ":
            return char
    return None


def spaces_as_plain(value: Any) -> Any:
    """No-break and other typographic spaces (often pasted with a name) as plain spaces."""
    if not isinstance(value, str):
        return value
    return "".join(" " if unicodedata.category(char) == "Zs" and char not in _INVISIBLE_LETTERS
                   else char for char in value)


class NoInvisibleCharacters:
    """Refuse names with bidi controls or invisible characters: every front end (page,
    widget, API) signs through the same form, so each gets this check."""

    def __call__(self, form: Any, field: Any) -> None:
        if invisible_character(field.data or ""):
            raise ValidationError(_l(
                "Your name contains invisible or text-direction characters. "
                "Please type it again without them."))

"""Countries for forms: ISO 3166-1 codes from pycountry, names in the reader's language (CLDR)."""
from __future__ import annotations

from functools import lru_cache

import pycountry
from babel import Locale

COUNTRY_CODES = frozenset(country.alpha_2 for country in pycountry.countries)


@lru_cache(maxsize=16)
def country_choices(babel_locale: str) -> tuple[tuple[str, str], ...]:
    """(code, localised name) pairs sorted by name, for a <select>."""
    names = Locale.parse(babel_locale).territories
    pairs = [(code, names.get(code) or pycountry.countries.get(alpha_2=code).name)
             for code in COUNTRY_CODES]
    return tuple(sorted(pairs, key=lambda pair: pair[1].casefold()))


def country_name(code: str, babel_locale: str) -> str:
    names = Locale.parse(babel_locale).territories
    return names.get(code, code)

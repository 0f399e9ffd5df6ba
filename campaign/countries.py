"""Countries for forms: ISO 3166-1 codes from pycountry, names in the reader's language (CLDR),
sorted as a reader of that language expects (ICU collation: Kazakh Ұ before Ү and І after Ы,
Chinese by pinyin), not by code point."""
from __future__ import annotations

from functools import lru_cache

import icu
import pycountry
from babel import Locale

COUNTRY_CODES = frozenset(country.alpha_2 for country in pycountry.countries)


@lru_cache(maxsize=16)
def country_choices(babel_locale: str) -> tuple[tuple[str, str], ...]:
    """(code, localised name) pairs sorted by name, for a <select>."""
    names = Locale.parse(babel_locale).territories
    pairs = [(code, names.get(code) or pycountry.countries.get(alpha_2=code).name)
             for code in COUNTRY_CODES]
    collator = _collator(babel_locale)
    return tuple(sorted(pairs, key=lambda pair: collator.getSortKey(pair[1])))


def _collator(babel_locale: str) -> icu.Collator:
    """ICU's collator for the language; Chinese explicitly by pinyin (Hans)."""
    language = babel_locale.split("_")[0]
    name = "zh@collation=pinyin" if language == "zh" else language
    return icu.Collator.createInstance(icu.Locale(name))


def country_name(code: str, babel_locale: str) -> str:
    names = Locale.parse(babel_locale).territories
    return names.get(code, code)

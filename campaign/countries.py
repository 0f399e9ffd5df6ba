"""Countries for forms: ISO 3166-1 codes from pycountry, names in the reader's language (CLDR),
sorted as a reader of that language expects (ICU collation: Kazakh Ұ before Ү and І after Ы,
Chinese by pinyin), not by code point. The orders are computed with ICU ahead of time
(campaign/country_order.py) and shipped in campaign/data/country_order.json, so the site needs
no ICU library at run time."""
from __future__ import annotations

import json
from functools import lru_cache
from typing import TYPE_CHECKING, cast

import pycountry
from babel import Locale

from .country_order import FILE as ORDER_FILE

if TYPE_CHECKING:
    from pycountry.db import Country

COUNTRY_CODES = frozenset(country.alpha_2 for country in pycountry.countries)


@lru_cache(maxsize=16)
def country_choices(babel_locale: str) -> tuple[tuple[str, str], ...]:
    """(code, localised name) pairs sorted by name, for a <select>."""
    names = Locale.parse(babel_locale).territories
    pairs = [(code, names.get(code) or cast("Country", pycountry.countries.get(alpha_2=code)).name)
             for code in COUNTRY_CODES]
    order = _orders().get(babel_locale)
    if order is None:  # a locale added later, before the file is rebuilt: plain name order
        return tuple(sorted(pairs, key=lambda pair: pair[1].casefold()))
    rank = {code: index for index, code in enumerate(order)}
    return tuple(sorted(pairs, key=lambda pair: (rank.get(pair[0], len(rank)), pair[1])))


@lru_cache(maxsize=1)
def _orders() -> dict[str, list[str]]:
    return cast(dict[str, list[str]], json.loads(ORDER_FILE.read_text(encoding="utf-8")))


def country_name(code: str, babel_locale: str) -> str:
    names = Locale.parse(babel_locale).territories
    return cast(str, names.get(code, code))

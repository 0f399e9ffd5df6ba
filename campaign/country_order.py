"""Build campaign/data/country_order.json: for each interface locale, the country codes in the
order a reader of that language sorts their names (ICU collation: Kazakh Ұ before Ү and І
after Ы, Chinese by pinyin). Run it when Babel's CLDR or pycountry changes:

    pip install PyICU   # needs the ICU library: apt-get install libicu-dev pkg-config g++
    python -m campaign.country_order

The site reads the file and needs no ICU at run time (no C++ build on a fresh machine).
"""
from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING, cast

if TYPE_CHECKING:
    from pycountry.db import Country

FILE = Path(__file__).resolve().parent / "data" / "country_order.json"


def build() -> dict[str, list[str]]:
    import icu  # only here: building the file needs PyICU, the site does not
    import pycountry
    from babel import Locale

    from . import i18n

    codes = sorted(country.alpha_2 for country in pycountry.countries)
    orders = {}
    for babel_locale in sorted({str(i18n.babel_locale(lang)) for lang in i18n.LANGUAGES}):
        names = Locale.parse(babel_locale).territories
        language = babel_locale.split("_")[0]
        collator = icu.Collator.createInstance(
            icu.Locale("zh@collation=pinyin" if language == "zh" else language))
        named = [(code, names.get(code)
                  or cast("Country", pycountry.countries.get(alpha_2=code)).name)
                 for code in codes]
        orders[babel_locale] = [code for code, name in
                                sorted(named, key=lambda pair: collator.getSortKey(pair[1]))]
    return orders


if __name__ == "__main__":
    FILE.parent.mkdir(exist_ok=True)
    FILE.write_text(json.dumps(build(), ensure_ascii=False, indent=0) + "\n", encoding="utf-8")
    print(f"wrote {FILE}")  # noqa: T201 - a build script

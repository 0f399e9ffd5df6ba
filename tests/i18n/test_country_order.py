"""Country lists read in the reader's own alphabetical order, names from CLDR."""
import re

import pytest

from campaign.countries import country_choices
from tests.factories import make_campaign


def names(babel_locale):
    return [name for _code, name in country_choices(babel_locale)]


def before(listing, first, second):
    return listing.index(first) < listing.index(second)


def test_kazakh_order_follows_the_kazakh_alphabet():
    kk = names("kk")
    # Kazakh alphabet: ... Т У Ұ Ү Ф ... Ы І ...; code point order puts І (U+0406) first.
    assert before(kk, "Ұлыбритания", "Үндістан")
    assert before(kk, "Қытай", "Үндістан") and not kk[0].startswith("І")
    assert "Қазақстан" in kk and "Қырғызстан" in kk


def test_chinese_is_ordered_by_pinyin():
    zh = names("zh_Hans")
    # 阿富汗 (Afuhan) < 澳大利亚 (Aodaliya) < 德国 (Deguo) < 法国 (Faguo) < 中国 (Zhongguo)
    positions = [zh.index(n) for n in ("阿富汗", "澳大利亚", "德国", "法国", "中国")]
    assert positions == sorted(positions)
    assert zh.index("中国") > len(zh) * 0.8   # Z comes last, not by stroke or code point


@pytest.mark.parametrize("babel_locale, first, second", [
    ("fr", "Égypte", "Érythrée"),          # accents sort with their letter, not after z
    ("fr", "Émirats arabes unis", "Espagne"),
    ("de", "Österreich", "Pakistan"),      # Ö sorts as O
    ("ru", "Египет", "Израиль"),
])
def test_latin_and_cyrillic_orders(babel_locale, first, second):
    listing = names(babel_locale)
    assert before(listing, first, second)
    assert listing[-1] not in ("Égypte", "Österreich", "Émirats arabes unis")


def test_the_sign_form_offers_countries_in_that_order(client, app):
    campaign = make_campaign(locales=("zh",))
    page = client.get(f"/zh/c/{campaign.slug}").get_data(as_text=True)
    options = re.findall(r'<option value="([A-Z]{2})"', page)
    assert options.index("AF") < options.index("DE") < options.index("CN")


def test_the_shipped_orders_are_what_icu_computes(app):
    """The order file cannot drift from ICU's collation (checked where PyICU is installed)."""
    pytest.importorskip("icu")
    import json

    from campaign.country_order import FILE, build
    assert json.loads(FILE.read_text(encoding="utf-8")) == build()

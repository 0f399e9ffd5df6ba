"""The wording a reader of each language asked for (issue 14) stays in the catalogs."""
from pathlib import Path

import pytest
from babel.messages.pofile import read_po

TRANSLATIONS = Path(__file__).resolve().parents[2] / "translations"


def catalog(code):
    with (TRANSLATIONS / code / "LC_MESSAGES" / "messages.po").open("rb") as fp:
        return read_po(fp)


def all_strings(code):
    for message in catalog(code):
        if message.id:
            strings = message.string if isinstance(message.string, tuple) else (message.string,)
            yield from strings


def translation(code, msgid, context=None):
    return catalog(code).get(msgid, context=context).string


@pytest.mark.parametrize("code, slips", [
    ("ru", ["Учреждени", "учреждени", "Киргизи", "длинные сроки"]),
    ("kk", ["қайырмалдық", "Қайырмалдық", "қайырмалдығ", "Мекеме", "мекеме", "7-нен 8"]),
    ("ky", ["Мекеме", "мекеме", "Басылма баракча", "жабык соттордон"]),
    ("zh", ["谢谢：", "活动", "东干族被告", "： "]),
    ("fr", ["Doungans", "doungans"]),
    ("de", ["Sehen Sie in Ihr Postfach"]),
])
def test_reported_slips_are_gone(code, slips):
    for text in all_strings(code):
        for slip in slips:
            assert slip not in text, (code, slip, text)


def test_reviewed_terms():
    assert translation("ru", "Institutions") == "Международные организации"
    assert translation("kk", "Institutions") == "Халықаралық ұйымдар"
    assert translation("ky", "Institutions") == "Эл аралык уюмдар"
    assert translation("ky", "QR code of this page for printed leaflets (SVG)").startswith(
        "Басып чыгаруу үчүн")
    assert "қайырымдылық" in " ".join(all_strings("kk")).lower()
    assert translation("de", "Check your inbox") == "Bitte prüfen Sie Ihr Postfach"
    assert translation("fr", "E-mail", "share button") == "E-mail"
    assert translation("de", "E-mail", "share button") == "E-Mail"
    assert translation("zh", "E-mail", "share button") == "电子邮件"
    assert translation("zh", "Thank you: your signature is confirmed").startswith("谢谢！")


def test_share_button_says_e_mail_while_the_form_asks_for_an_address(client, app):
    from tests.factories import make_campaign

    campaign = make_campaign(locales=("fr",))
    page = client.get(f"/fr/c/{campaign.slug}").get_data(as_text=True)
    assert 'class="share-email"' in page
    share = page.split('class="share-email"')[1].split("</a>")[0]
    assert share.endswith(">E-mail") and "Adresse e-mail" in page   # the form's label

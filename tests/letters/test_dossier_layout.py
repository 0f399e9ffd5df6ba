"""The dossier as a reader sees the page, in every language of the site: no line runs into
the next (wrapped Chinese lines overlapped at fpdf2's default spacing), a bullet stands beside
its text (not alone on a line above it), a title is not justified into gaps, and Chinese
prints in a Regular and a Bold weight. Positions come from poppler's `pdftotext -bbox-layout`
(each line's box spans its fonts' ascender to descender)."""
from __future__ import annotations

import io
import os
import re
import shutil
import subprocess
import xml.etree.ElementTree as ET
from dataclasses import dataclass

import pytest
from pypdf import PdfReader

from campaign.campaigns import demo
from campaign.campaigns import service as campaigns
from campaign.extensions import db
from campaign.letters import delivery
from campaign.letters.dossier import cjk_breaks, join_cjk_lines
from campaign.organization import service as organization
from tests.factories import make_signature

LANGS = ("en", "ru", "kk", "ky", "zh", "fr", "de", "dng")
CLOSING = set("，。、；：？！）」』】》")
BULLETS = re.compile(r"^(•|\d+\.|[a-z]\.)$")
LONG_COMMENTS = (
    "我们要求对科尔代事件后被定罪的东干人的判决进行独立、公开的复审，并保障所有被告获得公正审判的权利。",
    ("Мы требуем независимого и открытого пересмотра приговоров, вынесенных после событий в "
     "Кордае, и гарантий справедливого суда для всех подсудимых."),
)


@dataclass
class Line:
    page: int
    x0: float
    y0: float
    x1: float
    y1: float
    words: list[tuple[str, float, float]]  # text, xMin, xMax

    @property
    def text(self) -> str:
        return " ".join(word for word, _x0, _x1 in self.words)


def pdftotext() -> str:
    path = shutil.which("pdftotext")
    if not path:
        if os.environ.get("CI"):
            pytest.fail("pdftotext (poppler-utils) is missing under CI")
        pytest.skip("pdftotext (poppler-utils) is not installed")
    return path


def lines_of(pdf: bytes) -> list[Line]:
    xml = subprocess.run([pdftotext(), "-bbox-layout", "-", "-"], input=pdf,
                         capture_output=True, check=True, timeout=60).stdout
    # Our own pdftotext's output on a PDF we just built, not untrusted XML.
    root = ET.fromstring(re.sub(rb"<!DOCTYPE[^>]*>", b"", xml))  # noqa: S314
    lines = []
    for number, page in enumerate(root.iter("{http://www.w3.org/1999/xhtml}page"), 1):
        for line in page.iter("{http://www.w3.org/1999/xhtml}line"):
            words = [(word.text or "", float(word.get("xMin")), float(word.get("xMax")))
                     for word in line.iter("{http://www.w3.org/1999/xhtml}word")]
            lines.append(Line(number, *(float(line.get(k)) for k in
                                        ("xMin", "yMin", "xMax", "yMax")), words))
    return lines


@pytest.fixture
def demo_campaign(campaign):
    organization.save(None, name="Korday Justice Initiative",
                      postal_address="Rue de l'Exemple 1\n1200 Genève",
                      contact_email="contact@korday.example.org",
                      website="https://korday.example.org", about={"en": "We are."})
    for lang, text in demo.FLAGSHIP_TEXTS.items():
        campaigns.set_text(campaign, lang, **text)
    db.session.commit()
    names = ("Әсел Құрманғазиева", "王小明", "Marie Dupont", "Нурлан Абдыкалыков", "李华")
    for number, name in enumerate(names * 3):
        make_signature(campaign, full_name=f"{name} {number}",
                       country=("KZ", "CN", "FR")[number % 3],
                       comment=LONG_COMMENTS[number % 2] if number < 4 else None)
    return campaign


@pytest.mark.parametrize("lang", LANGS)
def test_no_line_of_the_dossier_runs_into_another(app, demo_campaign, bodies, lang):
    pdf, _facts = delivery.build_dossier(demo_campaign, lang,
                                         targets=[bodies["un_min"], bodies["osce_hcnm"]],
                                         signed_by="Dana Example")
    lines = lines_of(pdf)
    assert len({line.page for line in lines}) >= 3
    for index, line in enumerate(lines):
        for other in lines[index + 1:]:
            if other.page != line.page:
                break
            side_by_side = min(line.x1, other.x1) - max(line.x0, other.x0) <= 0.5
            overlap = min(line.y1, other.y1) - max(line.y0, other.y0)
            assert side_by_side or overlap <= 0.5, (
                f"page {line.page}: {line.text[:60]!r} and {other.text[:60]!r} overlap by "
                f"{overlap:.1f} pt")
    # A bullet or a list number stands beside its text, never alone on its line.
    alone = [line.text for line in lines if BULLETS.match(line.text)]
    assert not alone, alone
    # Chinese lines break between characters, never before closing punctuation.
    assert not [line.text for line in lines if line.text[:1] in CLOSING], lang
    # The title on the cover is set left, its words a space apart (not justified).
    title = demo.FLAGSHIP_TEXTS[lang]["title"]
    first_word = title.split()[0]
    title_lines = [line for line in lines if line.page == 1 and line.words
                   and line.words[0][0] == first_word]
    assert title_lines
    for line in title_lines:
        height = line.y1 - line.y0
        gaps = [b[1] - a[2] for a, b in zip(line.words, line.words[1:], strict=False)]
        assert all(gap < 0.4 * height for gap in gaps), (line.text, gaps)


def test_chinese_prints_in_regular_and_bold(app, demo_campaign, bodies):
    pdf, _facts = delivery.build_dossier(demo_campaign, "zh", targets=[bodies["un_min"]])
    fonts = set()
    for page in PdfReader(io.BytesIO(pdf)).pages:
        for font in page["/Resources"]["/Font"].values():
            fonts.add(str(font.get_object()["/BaseFont"]))
    # Subset names as "/MPDFAA+NotoSansSC" (Regular) and "/MPDFAB+NotoSansSCBold".
    cjk = sorted(name.split("+")[-1] for name in fonts if "NotoSansSC" in name)
    assert cjk == ["NotoSansSC", "NotoSansSCBold"], cjk
    # What a reader copies from the PDF is the text itself: no break marks left in it.
    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)
    assert "\u200b" not in text and "发生了什么" in text


def test_chinese_lines_break_between_characters_not_before_closing_punctuation():
    marked = cjk_breaks("被拘留，在（吉尔吉斯）ADC Memorial")
    breaks = marked.split("\u200b")
    assert "".join(breaks) == "被拘留，在（吉尔吉斯）ADC Memorial"
    assert not any(part.startswith(("，", "）")) or part.endswith("（") for part in breaks)
    assert "ADC Memorial" in marked  # Latin words keep their letters together
    assert cjk_breaks("Кордай, 2020") == "Кордай, 2020"


def test_a_line_end_inside_chinese_markdown_is_no_space():
    assert join_cjk_lines("<p>最初有47人被拘留。\n在哈萨克斯坦\nand English\nwords</p>") == \
        "<p>最初有47人被拘留。在哈萨克斯坦\nand English\nwords</p>"

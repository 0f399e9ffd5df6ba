"""The petition dossier as a PDF (fpdf2), in the delivery's language: a submission an
institution can file. Cover page, the petition text (Markdown rendered, headings, lists and
links kept), how the signatures were collected, counts by country and month (tables and a
chart), public names and comments, and how to verify the full list.

Fonts install with the project: DejaVu Sans (vendored in campaign/static/fonts, Bitstream Vera
licence: Latin, Cyrillic including Kazakh ә ғ қ ң ө ұ ү һ і) and Noto Sans SC (OFL, from the
`justmytype-intl-cjk` wheel) as fallback for Chinese. Noto Sans SC is a variable font whose
default instance is Thin (wght 100), so Regular and Bold instances are made once and cached
(`prepare_fonts`, run by `flask setup`): Chinese prints black, in the weight of the text around
it. fpdf2 embeds only the glyphs used. Lines are spaced for the taller Chinese glyphs and may
break between Chinese characters (`cjk_breaks`).
"""
from __future__ import annotations

import copy
import io
import logging
import os
import re
import tempfile
import threading
from importlib.resources import files
from pathlib import Path
from typing import TYPE_CHECKING, Any, cast

from flask import current_app, has_app_context
from flask_babel import format_date, format_decimal, ngettext
from flask_babel import gettext as _
from fontTools.ttLib import TTFont as TTFontFile
from fpdf import FPDF
from fpdf.enums import PDFResourceType, TextEmphasis
from fpdf.fonts import FontFace, SubsetMap, TextStyle, TTFFont
from fpdf.html import HTML2FPDF
from fpdf.line_break import TextLine

from .. import i18n
from ..countries import country_name

if TYPE_CHECKING:
    from .delivery import DossierFacts

# fontTools logs every subsetting step at INFO.
logging.getLogger("fontTools").setLevel(logging.WARNING)

FONTS = Path(__file__).resolve().parent.parent / "static" / "fonts"
INK = (20, 20, 20)
ACCENT = (23, 58, 94)   # the site's theme colour
MUTED = (90, 90, 90)


def cjk_font_path() -> str:
    return str(files("justmytype_intl_cjk") / "fonts" / "ofl" / "notosanssc" /
               "NotoSansSC[wght].ttf")


# fpdf2 style -> the weight of Noto Sans SC printed for it.
CJK_WEIGHTS = {"": 400, "B": 700}  # Regular, Bold


def _cache_dir() -> Path:
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "justice-for-korday" / "fonts"


def _cache_folders(*, building: bool) -> list[Path]:
    """Where the made weights are looked for, and (`building`) where they are written: the
    user's cache first (shared by every test run and checkout on a machine), then the site's
    instance folder (a service that may not write to home directories, as the systemd units,
    keeps them there across restarts), then the temporary folder."""
    cache = _cache_dir()
    instance = Path(current_app.instance_path) / "fonts" if has_app_context() else None
    temporary = Path(tempfile.gettempdir()) / "justice-for-korday-fonts"
    order = [cache, instance, temporary] if building else [instance, cache, temporary]
    return [folder for folder in order if folder is not None]


_FORMAT = "slim"  # changes when the made files change


def _instance_name(weight: int) -> str:
    source = Path(cjk_font_path())
    return (f"NotoSansSC-{source.stat().st_size}-{int(source.stat().st_mtime)}-{weight}-"
            f"{_FORMAT}.ttf")


def cjk_instance_path(weight: int, *, build: bool = True) -> str | None:
    """Noto Sans SC as a static font of `weight`, made once from the variable font and kept
    in a cache folder (instancing 17 MB takes tens of seconds and about 300 MB; fpdf2 would
    otherwise print the variable font's default instance, Thin, which reads as grey).
    None when it is not made yet and `build` is false."""
    name = _instance_name(weight)
    for folder in _cache_folders(building=False):
        if (folder / name).exists():
            return str(folder / name)
    if not build:
        return None
    for folder in _cache_folders(building=True):
        try:
            folder.mkdir(parents=True, exist_ok=True)
            _instance(Path(cjk_font_path()), folder / name, weight)
            return str(folder / name)
        except OSError:
            continue
    raise OSError("no writable folder for the font cache")


def cjk_regular_path() -> str:
    path = cjk_instance_path(CJK_WEIGHTS[""])
    assert path is not None
    return path


def fonts_ready() -> bool:
    """Whether every font the dossier prints with is made (building a dossier then costs
    seconds, not the minute of making the Chinese weights)."""
    try:
        return all(cjk_instance_path(weight, build=False) for weight in CJK_WEIGHTS.values())
    except OSError:  # the font package is missing: the worker records the failure
        return False


def prepare_fonts() -> list[str]:
    """Make the Chinese weights now (`flask setup`, `flask letters fonts`, the dossier
    worker), so that no request has to."""
    paths = [cjk_instance_path(weight) for weight in CJK_WEIGHTS.values()]
    return [path for path in paths if path]


# Tables fpdf2 does not read unless it shapes text (the dossier does not): dropped from the
# made weights, so that subsetting them for each PDF reads less.
_UNUSED_TABLES = ("GSUB", "GPOS", "GDEF", "BASE", "vhea", "vmtx", "VORG", "STAT", "DSIG")


def _instance(source: Path, target: Path, weight: int) -> None:
    from fontTools.ttLib import TTFont
    from fontTools.varLib import instancer

    # A weight made by an earlier version (all tables, no glyph names) is slimmed, not made
    # again (seconds instead of a minute).
    legacy = target.parent / target.name.replace(f"-{weight}-{_FORMAT}.ttf",
                                                 f"-{weight}-named.ttf")
    if legacy.exists():
        font = TTFont(str(legacy))
    else:
        font = instancer.instantiateVariableFont(TTFont(str(source)), {"wght": weight},
                                                 updateFontNames=True)
    font.getGlyphOrder()
    for tag in _UNUSED_TABLES:
        if tag in font:
            del font[tag]
    # Glyph names stored (post format 2): without them fontTools derives 30,000 names from
    # the character map each time the file is opened.
    post = font["post"]
    post.formatType, post.extraNames, post.mapping = 2.0, [], {}
    # Written beside and renamed: two processes building it at once both end with a whole file.
    with tempfile.NamedTemporaryFile(dir=target.parent, suffix=".tmp", delete=False) as out:
        font.save(out)
    os.replace(out.name, target)


# --- fonts parsed once per process ------------------------------------------------------------
# fpdf2 parses a font file for every document (Noto Sans SC: 10 MB, about a second, the bulk
# of a small campaign's build in the request). The measurements it reads (widths, character
# map, descriptor) are kept per process; each document gets them with its own lazily opened
# file, which fpdf2 subsets in place when it writes the PDF.
_PARSED: dict[tuple[str, str], TTFFont] = {}
_PARSED_LOCK = threading.Lock()


def _add_font(pdf: FPDF, family: str, style: str, path: str, *, chinese: bool = False) -> None:
    fontkey = f"{family.lower()}{style}"
    with _PARSED_LOCK:
        template = _PARSED.get((path, style))
        if template is None:
            template = TTFFont(pdf, Path(path), fontkey, style)
            template.close()
            _own_break_marks(template, chinese)
            _PARSED[(path, style)] = template
    font = copy.copy(template)
    font.i = len(pdf.fonts) + 1
    font.fontkey = fontkey
    font.ttfont = TTFontFile(path, recalcTimestamp=False, lazy=True)
    font.desc = copy.copy(template.desc)
    font.cw = copy.copy(template.cw)
    font.subset = SubsetMap(font)
    font.missing_glyphs = []
    font.biggest_size_pt = 0
    pdf.fonts[fontkey] = font


def _own_break_marks(font: TTFFont, chinese: bool) -> None:
    """The break marks (zero-width spaces, `cjk_breaks`) belong to the Chinese font, with no
    width: a run of Chinese then stays one piece of text in one font. Were they DejaVu's,
    fpdf2 would switch fonts around every character, and measuring a line of pieces grows
    with the square of their number (a Chinese dossier spent seconds there)."""
    mark = ord(ZWSP)
    font.cmap = {code: glyph for code, glyph in font.cmap.items() if code != mark}
    font.glyph_ids = {code: gid for code, gid in font.glyph_ids.items() if code != mark}
    if chinese:  # mapped to the empty glyph of a space; never printed (removed first)
        space = font.cmap.get(0x20, ".notdef")
        font.cmap[mark] = space
        font.glyph_ids[mark] = font.glyph_ids.get(0x20, 0)
        font.cw[mark] = 0


# Line spacing as a multiple of the font size, everywhere in the dossier. Noto Sans SC's
# glyph box (ascender to descender) is 1.45 em, DejaVu's 1.16 em: at fpdf2's default of 1.0
# (write_html) wrapped Chinese lines ran into each other.
LEADING = 1.5
PT = 25.4 / 72  # millimetres per point


def line_height(size_pt: float) -> float:
    """The distance between two lines of text of `size_pt`, in millimetres."""
    return size_pt * LEADING * PT


# --- where a line of Chinese may break ------------------------------------------------------
# fpdf2 breaks lines only at spaces, and Chinese has none: a whole sentence was one "word",
# so a list item's bullet stood alone on a line, and a long run was cut anywhere (a comma
# opened the next line). The dossier marks each place a line may break with a zero-width
# space (U+200B, a break opportunity for fpdf2) and removes the marks before the text is
# written to the page, so what a reader copies or searches is the text as given.
ZWSP = "\u200b"
_CJK_RANGES = ((0x2E80, 0x2FDF), (0x3000, 0x30FF), (0x3100, 0x31FF), (0x3400, 0x4DBF),
               (0x4E00, 0x9FFF), (0xF900, 0xFAFF), (0xFE30, 0xFE4F), (0xFF00, 0xFFEF),
               (0x20000, 0x3FFFF))
# No line starts with closing punctuation, and none ends with opening punctuation (the
# common Chinese rules, "避头尾").
_NO_BREAK_BEFORE = frozenset("，。、；：？！）」』】〉》〕］｝”’…—～％．·・,.;:?!)]}%")
_NO_BREAK_AFTER = frozenset("（「『【〈《〔［｛“‘([{")


def _is_cjk(char: str) -> bool:
    code = ord(char)
    return any(low <= code <= high for low, high in _CJK_RANGES)


def cjk_breaks(text: str) -> str:
    """`text` with a zero-width space at each place a line may break beside a Chinese (or
    Japanese) character; text without such characters comes back unchanged."""
    if not any(_is_cjk(char) for char in text):
        return text
    out: list[str] = []
    previous = ""
    for char in text:
        if previous and (_is_cjk(previous) or _is_cjk(char)) \
                and not previous.isspace() and not char.isspace() \
                and previous != ZWSP and char != ZWSP \
                and char not in _NO_BREAK_BEFORE and previous not in _NO_BREAK_AFTER:
            out.append(ZWSP)
        out.append(char)
        previous = char
    return "".join(out)


_CJK_CLASS = "[" + "".join(f"\\U{low:08x}-\\U{high:08x}" for low, high in _CJK_RANGES) + "]"
_CJK_LINE_END = re.compile(rf"(?<={_CJK_CLASS})[ \t]*\n[ \t]*(?={_CJK_CLASS})")


def join_cjk_lines(html: str) -> str:
    """A line end between two Chinese characters in the Markdown source is no space in the
    text (as a browser shows it), where write_html would print one."""
    return _CJK_LINE_END.sub("", html)


def _fit(pdf: FPDF, text: str, width: float) -> str:
    if pdf.get_string_width(text) <= width:
        return text
    while text and pdf.get_string_width(text + "…") > width:
        text = text[:-1]
    return text + "…"


class _Html(HTML2FPDF):
    """write_html with the dossier's line spacing: fpdf2 gives paragraphs and list items a
    line height of 1.0 unless the HTML sets one (0 is its spacer before a list: kept)."""

    def _new_paragraph(self, align: Any = None, line_height: float | None = 1.0,
                       top_margin: float = 0, bottom_margin: float = 0, indent: Any = 0,
                       bullet: str = "") -> None:
        if line_height is None or line_height == 1.0:
            line_height = LEADING
        super()._new_paragraph(align=align, line_height=line_height, top_margin=top_margin,
                               bottom_margin=bottom_margin, indent=indent, bullet=bullet)


class Dossier(FPDF):
    HTML2FPDF_CLASS = _Html
    running_title = ""

    def normalize_text(self, text: str) -> str:
        """Every text fpdf2 measures or lays out passes here: Chinese gets its break marks."""
        return cjk_breaks(super().normalize_text(text))

    def _render_styled_text_line(self, text_line: TextLine, *args: Any,
                                 **kwargs: Any) -> bool:
        """The break marks leave before the line is written (they are zero-width, so the
        line's measure is unchanged); the pieces they split are joined again."""
        fragments: list[Any] = []
        removed = 0
        for fragment in text_line.fragments:
            characters = [char for char in fragment.characters if char != ZWSP]
            removed += len(fragment.characters) - len(characters)
            if not characters:
                continue
            if fragments and fragments[-1].has_same_style(fragment) \
                    and fragments[-1].link == fragment.link:
                fragments[-1].characters.extend(characters)
            else:
                fragments.append(fragment.clone(characters=characters, link=fragment.link))
        if removed:
            text_line = text_line._replace(
                fragments=fragments,
                number_of_spaces=max(text_line.number_of_spaces - removed, 0))
        return super()._render_styled_text_line(text_line, *args, **kwargs)

    def set_font(self, family: str | None = None, style: str | TextEmphasis = "",
                 size: float = 0) -> None:
        """Write the font to the page at once. fpdf2 2.8 otherwise defers it to the first
        text, and when that text starts with a fallback (Chinese) glyph it sets the page's font
        inside a q/Q pair that is then undone: the rest of the page had no font ("No font in
        show") and its Latin and Cyrillic text vanished."""
        super().set_font(family, style, size)
        self._pin_font()

    def set_font_size(self, size: float) -> None:
        super().set_font_size(size)
        self._pin_font()

    def _pin_font(self) -> None:
        if self.page > 0 and self.current_font is not None \
                and not self.current_font_is_set_on_page:
            self._out(self._set_font_for_page(self.current_font, self.font_size_pt))

    def footer(self) -> None:
        self.set_y(-12)
        self.set_font("DejaVu", size=8)
        self.set_text_color(*MUTED)
        self.cell(self.epw * 0.8, 8, _fit(self, self.running_title, self.epw * 0.78))
        self.cell(self.epw * 0.2, 8, f"{self.page_no()}", align="R")
        self.set_text_color(*INK)


def _pdf() -> Dossier:
    pdf = Dossier(format="A4")
    pdf.set_auto_page_break(True, margin=18)
    pdf.set_margins(20, 18, 20)
    _add_font(pdf, "DejaVu", "", str(FONTS / "DejaVuSans.ttf"))
    _add_font(pdf, "DejaVu", "B", str(FONTS / "DejaVuSans-Bold.ttf"))
    # No oblique face is vendored: Markdown emphasis prints upright (bold stays bold).
    _add_font(pdf, "DejaVu", "I", str(FONTS / "DejaVuSans.ttf"))
    _add_font(pdf, "DejaVu", "BI", str(FONTS / "DejaVuSans-Bold.ttf"))
    # Chinese in the weight of the text around it: bold headings and emphasis in Bold.
    for style, weight in CJK_WEIGHTS.items():
        path = cjk_instance_path(weight)
        assert path is not None
        _add_font(pdf, "NotoSC", style, path, chinese=True)
    pdf.set_fallback_fonts(["NotoSC"], exact_match=False)
    pdf.set_font("DejaVu", size=11)
    pdf.set_text_color(*INK)
    return pdf


class _Writer:
    """Small named pieces of layout; every paragraph is left-aligned (a justified line of a
    long Russian word would open gaps)."""

    def __init__(self, pdf: Dossier):
        self.pdf = pdf
        self.width = pdf.epw

    def heading(self, text: str, size: float = 14) -> None:
        pdf = self.pdf
        if pdf.get_y() > pdf.h - 50:  # no heading alone at the foot of a page
            pdf.add_page()
        pdf.ln(4)
        pdf.set_font("DejaVu", "B", size)
        pdf.set_text_color(*ACCENT)
        pdf.multi_cell(self.width, line_height(size), text, align="L", new_x="LMARGIN",
                       new_y="NEXT")
        pdf.set_text_color(*INK)
        pdf.set_font("DejaVu", size=11)
        pdf.ln(2)

    def para(self, text: str, size: float = 10.5, style: str = "",
             color: tuple[int, int, int] = INK) -> None:
        pdf = self.pdf
        pdf.set_font("DejaVu", style, size)
        pdf.set_text_color(*color)
        pdf.multi_cell(self.width, line_height(size), text, align="L", new_x="LMARGIN",
                       new_y="NEXT")
        pdf.set_text_color(*INK)
        pdf.ln(1.5)

    def bullet(self, text: str, size: float = 10.5) -> None:
        """A list item: the bullet beside the first line, wrapped lines indented under the
        text (not under the bullet)."""
        pdf = self.pdf
        indent = 5.0
        pdf.set_font("DejaVu", "", size)
        y = pdf.get_y()
        pdf.set_text_color(*ACCENT)
        pdf.cell(indent, line_height(size), "•")
        pdf.set_text_color(*INK)
        pdf.set_xy(pdf.l_margin + indent, y)
        pdf.multi_cell(self.width - indent, line_height(size), text, align="L",
                       new_x="LMARGIN", new_y="NEXT")
        pdf.ln(1.5)

    def pairs(self, rows: list[tuple[str, str]], size: float = 10,
              label_share: float = 0.3) -> None:
        pdf = self.pdf
        for label, value in rows:
            if not value:
                continue
            pdf.set_font("DejaVu", "B", size)
            y = pdf.get_y()
            pdf.multi_cell(self.width * label_share, line_height(size), label, align="L",
                           new_x="RIGHT", new_y="TOP")
            pdf.set_font("DejaVu", "", size)
            pdf.multi_cell(self.width * (1 - label_share), line_height(size), value, align="L",
                           new_x="LMARGIN", new_y="NEXT")
            pdf.set_y(max(pdf.get_y(), y + line_height(size)) + 1.5)

    def table(self, header: tuple[str, str], rows: list[tuple[str, str]]) -> None:
        pdf = self.pdf
        pdf.set_font("DejaVu", size=9.5)
        pdf.set_fill_color(255, 255, 255)  # the bars leave the accent colour as fill
        with pdf.table(col_widths=(3, 1), text_align=("LEFT", "RIGHT"), line_height=5.5,
                       headings_style=FontFace(emphasis="BOLD", fill_color=(230, 236, 243)),
                       borders_layout="HORIZONTAL_LINES", first_row_as_headings=True,
                       cell_fill_mode="NONE") as table:
            table.row(header)
            for row in rows:
                table.row(row)
        pdf.ln(3)

    def bars(self, rows: list[tuple[str, int]]) -> None:
        """A horizontal bar per row (label, count), scaled to the largest."""
        pdf = self.pdf
        if not rows:
            return
        top = max(count for _label, count in rows) or 1
        label_w, count_w = self.width * 0.22, self.width * 0.16
        bar_w = self.width - label_w - count_w
        pdf.set_font("DejaVu", size=8.5)
        for label, count in rows:
            if pdf.get_y() > pdf.h - 25:
                pdf.add_page()
            y = pdf.get_y()
            pdf.cell(label_w, 5, _fit(pdf, label, label_w - 2))
            pdf.set_fill_color(*ACCENT)
            pdf.rect(pdf.l_margin + label_w, y + 0.8, max(bar_w * count / top, 0.4), 3.4,
                     style="F")
            pdf.set_x(pdf.l_margin + label_w + bar_w)
            pdf.cell(count_w, 5, format_decimal(count), align="R", new_x="LMARGIN",
                     new_y="NEXT")
        pdf.ln(3)


def _month_label(key: str) -> str:
    """"2026-03" -> "March 2026" / "март 2026 г." / "2026年3月" in the current locale."""
    from datetime import date

    year, month = (int(part) for part in key.split("-"))
    return cast(str, format_date(date(year, month, 1), "LLLL y"))


SOURCE_TEXTS = {
    "web": lambda n: ngettext(
        "%(count)s signature given on this website and confirmed by its signer, who clicked a "
        "link we e-mailed to the address given (double opt-in).",
        "%(count)s signatures given on this website, each confirmed by its signer, who clicked "
        "a link we e-mailed to the address given (double opt-in).", n, count=format_decimal(n)),
    "paper": lambda n: ngettext(
        "%(count)s signature collected on paper and entered by the organizers from the signed "
        "sheets, which they keep.",
        "%(count)s signatures collected on paper and entered by the organizers from the signed "
        "sheets, which they keep.", n, count=format_decimal(n)),
    "api": lambda n: ngettext(
        "%(count)s signature imported from partner organizations through the organizers' API; "
        "each partner collected and confirmed its signers itself.",
        "%(count)s signatures imported from partner organizations through the organizers' API; "
        "each partner collected and confirmed its signers itself.", n, count=format_decimal(n)),
}


def _cover(pdf: Dossier, w: _Writer, facts: DossierFacts) -> None:
    organization = facts.organization
    pdf.add_page()
    if organization.logo_png:
        pdf.image(io.BytesIO(organization.logo_png), x=pdf.l_margin, h=18)
        pdf.ln(4)
    if organization.name:
        w.para(organization.name, 12, "B", ACCENT)
    pdf.ln(18)
    w.para(_("Petition"), 12, "", MUTED)
    w.heading(facts.title, 20)
    if facts.summary:
        w.para(facts.summary, 11)
    pdf.ln(6)
    w.pairs([
        (_("To"), "\n".join(facts.addressees)),
        (_("Date"), format_date(facts.generated_at, "long")),
        (_("Signatures"), format_decimal(facts.total)),
        (_("Submitted by"), "\n".join(part for part in (facts.signed_by, organization.name)
                                      if part)),
        (_("Contact"), "\n".join(part for part in (
            organization.contact_email, organization.postal_address, organization.website)
            if part)),
    ])
    if facts.previous:
        change = facts.total - facts.previous.signature_count
        pdf.ln(4)
        w.para(_("This petition was first delivered on %(date)s with %(then)s signatures. "
                 "Since then the count has changed by %(change)s to %(now)s.",
                 date=format_date(facts.previous.delivered_on, "long"),
                 then=format_decimal(facts.previous.signature_count),
                 change=("+" if change >= 0 else "") + format_decimal(change),
                 now=format_decimal(facts.total)), 10)
    if organization.is_demo:
        pdf.ln(4)
        w.para(_("Demonstration: this dossier was made by a demo site with an example "
                 "organization."), 9, "B", (160, 0, 0))


def _text(pdf: Dossier, w: _Writer, facts: DossierFacts) -> None:
    pdf.add_page()
    w.heading(_("The petition"), 16)
    if facts.body_html.strip():
        size = 10.5
        pdf.set_font("DejaVu", size=size)
        heading = TextStyle(font_family="DejaVu", font_style="B", color=ACCENT,
                            t_margin=4, b_margin=1)
        pdf.write_html(
            join_cjk_lines(facts.body_html), font_family="DejaVu", li_prefix_color=ACCENT,
            tag_styles={
                "h1": TextStyle(font_family="DejaVu", font_style="B", color=ACCENT,
                                font_size_pt=15, t_margin=4, b_margin=1),
                "h2": heading.replace(font_size_pt=13),
                "h3": heading.replace(font_size_pt=12),
                "h4": heading.replace(font_size_pt=11),
                "a": FontFace(color=ACCENT, emphasis="UNDERLINE"),
                "code": FontFace(family="DejaVu"),
                "pre": TextStyle(font_family="DejaVu"),
                "blockquote": TextStyle(font_family="DejaVu", color=MUTED, l_margin=6,
                                        t_margin=2, b_margin=2),
            })
        pdf.set_text_color(*INK)
    else:
        w.para(facts.summary)


def _method(w: _Writer, facts: DossierFacts) -> None:
    w.heading(_("How the signatures were collected"))
    w.para(_("Only confirmed signatures are counted. Each signer gave a name, an e-mail "
             "address and a country, and chose whether their name may be shown; their e-mail "
             "addresses are never published."))
    for source in ("web", "paper", "api"):
        count = facts.by_source.get(source, 0)
        if count:
            w.bullet(SOURCE_TEXTS[source](count))
    if not facts.total:
        w.para(_("No confirmed signatures yet."))


def _counts(pdf: Dossier, w: _Writer, facts: DossierFacts) -> None:
    locale = str(i18n.babel_locale(facts.locale))
    w.heading(_("Signatures by country"))
    if facts.by_country:
        countries = [(country_name(code, locale), count) for code, count in facts.by_country]
        w.bars(countries[:12])
        w.table((_("Country"), _("Signatures")),
                [(name, format_decimal(count)) for name, count in countries])
    w.heading(_("Signatures by month"))
    if facts.by_month:
        months = [(_month_label(key), count) for key, count in facts.by_month]
        w.bars(months)
        w.table((_("Month"), _("Signatures")),
                [(name, format_decimal(count)) for name, count in months])


def _names(pdf: Dossier, w: _Writer, facts: DossierFacts) -> None:
    w.heading(_("Signers who chose to be named"))
    if not facts.names:
        w.para("—")
        return
    w.para(_("%(shown)s of %(total)s names, in the order the signatures were confirmed.",
             shown=format_decimal(len(facts.names)), total=format_decimal(facts.names_total)),
           9, color=MUTED)
    # Three columns of single-line cells: fpdf2's line breaking costs milliseconds per line,
    # which thousands of names in one paragraph would multiply.
    pdf.set_font("DejaVu", size=8)
    column = w.width / 3
    names = facts.names
    for start in range(0, len(names), 3):
        row = names[start:start + 3]
        for offset, name in enumerate(row):
            last = offset == len(row) - 1
            pdf.cell(column, 4.5, _fit(pdf, name, column - 2),
                     new_x="LMARGIN" if last else "RIGHT", new_y="NEXT" if last else "TOP")
    if facts.names_total > len(names):
        pdf.ln(2)
        w.para(_("The other %(num)s names are in the full export described under "
                 "“Verification”.", num=format_decimal(facts.names_total - len(names))), 9)


def _comments(pdf: Dossier, w: _Writer, facts: DossierFacts) -> None:
    if not facts.comments:
        return
    w.heading(_("Comments"))
    pdf.set_font("DejaVu", size=9)
    for name, comment in facts.comments:
        line = " ".join(comment.split()) + (f" — {name}" if name else "")
        if pdf.get_string_width(line) <= w.width:  # most comments: one line, no wrapping
            pdf.cell(w.width, 5, line, new_x="LMARGIN", new_y="NEXT")
        else:
            w.para(line, 9)
        pdf.ln(0.8)
    if facts.comments_total > len(facts.comments):
        w.para(_("%(num)s more comments are not printed here.",
                 num=format_decimal(facts.comments_total - len(facts.comments))), 9)


def _verification(pdf: Dossier, w: _Writer, facts: DossierFacts) -> None:
    from ..letters.delivery import EXPORT_COLUMNS

    organization = facts.organization
    w.heading(_("Verification"))
    w.para(_("The full list of confirmed signatures is a CSV file: UTF-8 without a byte order "
             "mark, one line per signature ending in a line feed, ordered by signature number, "
             "with the columns %(columns)s (times in UTC). It holds the signers' e-mail "
             "addresses, so it is not published.", columns=", ".join(EXPORT_COLUMNS)))
    w.para(_("To get it, write to %(contact)s. The campaign's organizers download it at:",
             contact=organization.contact_email or organization.name or "—"))
    w.para(facts.export_url, 9)
    w.para(_("Compute its SHA-256 fingerprint: on Linux “sha256sum FILE”, on macOS "
             "“shasum -a 256 FILE”, on Windows “certutil -hashfile FILE SHA256”. It must "
             "equal:"))
    pdf.set_font("DejaVu", "B", 9.5)
    pdf.multi_cell(w.width, line_height(9.5), facts.export_sha256, align="L", new_x="LMARGIN",
                   new_y="NEXT")
    pdf.ln(2)
    w.para(_("The fingerprint matches as long as no confirmed signature has been added, "
             "removed or invalidated since %(date)s.",
             date=format_date(facts.generated_at, "long")), 9.5)


def build_pdf(facts: DossierFacts) -> bytes:
    """`facts` is a delivery.DossierFacts; labels in the current (forced) locale."""
    pdf = _pdf()
    pdf.set_title(facts.title)
    if facts.organization.name:
        pdf.set_author(facts.organization.name)
    pdf.set_lang("zh-Hans" if facts.locale == "zh" else facts.locale)
    pdf.running_title = facts.title
    w = _Writer(pdf)
    _cover(pdf, w, facts)
    _text(pdf, w, facts)
    _method(w, facts)
    _counts(pdf, w, facts)
    _names(pdf, w, facts)
    _comments(pdf, w, facts)
    _verification(pdf, w, facts)
    _drop_unused_fonts(pdf)
    return bytes(pdf.output())


def _drop_unused_fonts(pdf: Dossier) -> None:
    """fpdf2 subsets and embeds every added font, used or not: a dossier without Chinese
    spent most of its build subsetting the two Chinese weights."""
    used = pdf._resource_catalog.get_used_resources(PDFResourceType.FONT)
    for key, font in list(pdf.fonts.items()):
        if font.i not in used:
            del pdf.fonts[key]

"""The petition dossier as a PDF (fpdf2), in the delivery's language: a submission an
institution can file. Cover page, the petition text (Markdown rendered, headings, lists and
links kept), how the signatures were collected, counts by country and month (tables and a
chart), public names and comments, and how to verify the full list.

Fonts install with the project: DejaVu Sans (vendored in campaign/static/fonts, Bitstream Vera
licence: Latin, Cyrillic including Kazakh ә ғ қ ң ө ұ ү һ і) and Noto Sans SC (OFL, from the
`justmytype-intl-cjk` wheel) as fallback for Chinese. Noto Sans SC is a variable font whose
default instance is Thin (wght 100), so a Regular instance is made once and cached
(`cjk_regular_path`): Chinese prints in a regular, black weight. fpdf2 embeds only the glyphs used.
"""
from __future__ import annotations

import io
import logging
import os
import tempfile
from importlib.resources import files
from pathlib import Path
from typing import TYPE_CHECKING, cast

from flask_babel import format_date, format_decimal, ngettext
from flask_babel import gettext as _
from fpdf import FPDF
from fpdf.enums import TextEmphasis
from fpdf.fonts import FontFace, TextStyle

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


CJK_WEIGHT = 400  # Regular


def _cache_dir() -> Path:
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "justice-for-korday" / "fonts"


def cjk_regular_path() -> str:
    """Noto Sans SC as a static Regular font, made once from the variable font and kept in a
    cache folder (instancing 17 MB takes tens of seconds; fpdf2 would otherwise print the
    variable font's default instance, Thin, which reads as grey)."""
    source = Path(cjk_font_path())
    key = f"{source.stat().st_size}-{int(source.stat().st_mtime)}-{CJK_WEIGHT}-named"
    for folder in (_cache_dir(), Path(tempfile.gettempdir()) / "justice-for-korday-fonts"):
        target = folder / f"NotoSansSC-{key}.ttf"
        if target.exists():
            return str(target)
        try:
            folder.mkdir(parents=True, exist_ok=True)
            _instance(source, target)
            return str(target)
        except OSError:
            continue
    raise OSError("no writable folder for the font cache")


def _instance(source: Path, target: Path) -> None:
    from fontTools.ttLib import TTFont
    from fontTools.varLib import instancer

    font = instancer.instantiateVariableFont(TTFont(str(source)), {"wght": CJK_WEIGHT},
                                             updateFontNames=True)
    # Written beside and renamed: two processes building it at once both end with a whole file.
    with tempfile.NamedTemporaryFile(dir=target.parent, suffix=".tmp", delete=False) as out:
        font.save(out)
    os.replace(out.name, target)


def _fit(pdf: FPDF, text: str, width: float) -> str:
    if pdf.get_string_width(text) <= width:
        return text
    while text and pdf.get_string_width(text + "…") > width:
        text = text[:-1]
    return text + "…"


class Dossier(FPDF):
    running_title = ""

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
    pdf.add_font("DejaVu", "", str(FONTS / "DejaVuSans.ttf"))
    pdf.add_font("DejaVu", "B", str(FONTS / "DejaVuSans-Bold.ttf"))
    # No oblique face is vendored: Markdown emphasis prints upright (bold stays bold).
    pdf.add_font("DejaVu", "I", str(FONTS / "DejaVuSans.ttf"))
    pdf.add_font("DejaVu", "BI", str(FONTS / "DejaVuSans-Bold.ttf"))
    # One weight: bold Chinese falls back to Regular (a second instance would double the
    # one-time cost for a few headings).
    pdf.add_font("NotoSC", "", cjk_regular_path())
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
        pdf.multi_cell(self.width, size * 0.5, text, align="L", new_x="LMARGIN", new_y="NEXT")
        pdf.set_text_color(*INK)
        pdf.set_font("DejaVu", size=11)
        pdf.ln(2)

    def para(self, text: str, size: float = 10.5, style: str = "",
             color: tuple[int, int, int] = INK) -> None:
        pdf = self.pdf
        pdf.set_font("DejaVu", style, size)
        pdf.set_text_color(*color)
        pdf.multi_cell(self.width, size * 0.5, text, align="L", new_x="LMARGIN", new_y="NEXT")
        pdf.set_text_color(*INK)
        pdf.ln(1.5)

    def pairs(self, rows: list[tuple[str, str]], size: float = 10,
              label_share: float = 0.3) -> None:
        pdf = self.pdf
        for label, value in rows:
            if not value:
                continue
            pdf.set_font("DejaVu", "B", size)
            y = pdf.get_y()
            pdf.multi_cell(self.width * label_share, size * 0.5, label, align="L",
                           new_x="RIGHT", new_y="TOP")
            pdf.set_font("DejaVu", "", size)
            pdf.multi_cell(self.width * (1 - label_share), size * 0.5, value, align="L",
                           new_x="LMARGIN", new_y="NEXT")
            pdf.set_y(max(pdf.get_y(), y + size * 0.5) + 1.5)

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
            facts.body_html, font_family="DejaVu", li_prefix_color=ACCENT,
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
            w.para("• " + SOURCE_TEXTS[source](count))
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
    pdf.multi_cell(w.width, 5.5, facts.export_sha256, align="L", new_x="LMARGIN",
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
    return bytes(pdf.output())

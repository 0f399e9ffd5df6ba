"""The petition dossier as a PDF (fpdf2), in the letter's language.

Fonts install with the project: DejaVu Sans (vendored in campaign/static/fonts, Bitstream Vera
licence: Latin, Cyrillic including Kazakh ә ғ қ ң ө ұ ү һ і) and Noto Sans SC (OFL, from the
`justmytype-intl-cjk` wheel) as fallback for Chinese. fpdf2 embeds only the glyphs used.
"""
from __future__ import annotations

import logging
from importlib.resources import files
from pathlib import Path

from flask_babel import format_date, format_decimal
from flask_babel import gettext as _
from fpdf import FPDF

from .. import i18n
from ..countries import country_name

# fontTools logs every subsetting step at INFO.
logging.getLogger("fontTools").setLevel(logging.WARNING)

FONTS = Path(__file__).resolve().parent.parent / "static" / "fonts"


def cjk_font_path() -> str:
    return str(files("justmytype_intl_cjk") / "fonts" / "ofl" / "notosanssc" /
               "NotoSansSC[wght].ttf")


# Comments are printed in full up to this many (each is a wrapped paragraph).
MAX_COMMENTS = 2000


def _fit(pdf: FPDF, text: str, width: float) -> str:
    if pdf.get_string_width(text) <= width:
        return text
    while text and pdf.get_string_width(text + "…") > width:
        text = text[:-1]
    return text + "…"


class Dossier(FPDF):
    def footer(self):
        self.set_y(-12)
        self.set_font("DejaVu", size=8)
        self.cell(0, 8, f"{self.page_no()}", align="C")


def _pdf() -> Dossier:
    pdf = Dossier(format="A4")
    pdf.set_auto_page_break(True, margin=16)
    pdf.add_font("DejaVu", "", str(FONTS / "DejaVuSans.ttf"))
    pdf.add_font("DejaVu", "B", str(FONTS / "DejaVuSans-Bold.ttf"))
    pdf.add_font("NotoSC", "", cjk_font_path())
    pdf.set_fallback_fonts(["NotoSC"], exact_match=False)
    pdf.set_font("DejaVu", size=11)
    return pdf


def build_pdf(data) -> bytes:
    """`data` is a service.DossierData; labels are in the current (forced) locale."""
    pdf = _pdf()
    pdf.set_title(data.title)
    pdf.set_lang("zh-Hans" if data.locale == "zh" else data.locale)
    pdf.add_page()
    width = pdf.epw

    def heading(text, size=14):
        pdf.ln(3)
        pdf.set_font("DejaVu", "B", size)
        pdf.multi_cell(width, size * 0.5, text, new_x="LMARGIN", new_y="NEXT")
        pdf.set_font("DejaVu", size=11)
        pdf.ln(1)

    def para(text, size=11):
        pdf.set_font("DejaVu", size=size)
        pdf.multi_cell(width, size * 0.5, text, new_x="LMARGIN", new_y="NEXT")

    heading(data.title, 17)
    para(_("Petition dossier, generated on %(date)s", date=format_date(data.generated_at,
                                                                       "long")), 9)
    para(_("%(num)s confirmed signatures", num=format_decimal(data.total)), 12)
    if data.summary:
        pdf.ln(2)
        para(data.summary)
    if data.body_text:
        heading(_("Campaign text"))
        para(data.body_text, 10)

    babel_locale = str(i18n.babel_locale(data.locale))
    heading(_("Signatures by country"))
    for code, count in data.by_country:
        pdf.cell(width * 0.7, 6, country_name(code, babel_locale))
        pdf.cell(width * 0.3, 6, format_decimal(count), align="R", new_x="LMARGIN",
                 new_y="NEXT")
    heading(_("Signatures by week"))
    for monday, count in data.by_week:
        pdf.cell(width * 0.7, 6, _("Week of %(date)s", date=format_date(monday, "medium")))
        pdf.cell(width * 0.3, 6, format_decimal(count), align="R", new_x="LMARGIN",
                 new_y="NEXT")

    heading(_("Signers who chose to be named"))
    if not data.names:
        para("—", 9)
    # Three columns of single-line cells: fpdf2's line breaking costs milliseconds per line,
    # which a list of thousands of names in one paragraph would multiply.
    pdf.set_font("DejaVu", size=8)
    column = width / 3
    for start in range(0, len(data.names), 3):
        for offset, name in enumerate(data.names[start:start + 3]):
            pdf.cell(column, 4.5, _fit(pdf, name, column - 2),
                     new_x="LMARGIN" if offset == 2 else "RIGHT",
                     new_y="NEXT" if offset == 2 else "TOP")
        if len(data.names[start:start + 3]) < 3:
            pdf.ln(4.5)
    if data.comments:
        heading(_("Comments"))
        shown = data.comments[:MAX_COMMENTS]
        pdf.set_font("DejaVu", size=9)
        for name, comment in shown:
            line = " ".join(comment.split()) + (f" — {name}" if name else "")
            if pdf.get_string_width(line) <= width:  # most comments: one line, no wrapping
                pdf.cell(width, 5, line, new_x="LMARGIN", new_y="NEXT")
            else:
                para(line, 9)
            pdf.ln(1)
        if len(data.comments) > len(shown):
            para(_("%(num)s more comments are not printed here.",
                   num=format_decimal(len(data.comments) - len(shown))), 9)

    heading(_("Verification"))
    para(_("SHA-256 of the full signature export (CSV of confirmed signatures, columns "
           "signature_id, full_name, email, country, locale, confirmed_at; see docs/letters.md):"),
         9)
    pdf.set_font("DejaVu", size=9)
    pdf.multi_cell(width, 5, data.export_sha256, new_x="LMARGIN", new_y="NEXT")
    return bytes(pdf.output())

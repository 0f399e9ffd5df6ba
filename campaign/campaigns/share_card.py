"""The share card: the picture a network shows with a shared campaign link (og:image,
twitter:image), 1200 × 630, drawn here with Pillow in the page's language: the site's name,
the campaign's title, its live count and progress, and the campaign photo when there is one.

Fonts come with the project: DejaVu Sans (vendored in campaign/static/fonts: Latin, Cyrillic
with Kazakh and Kyrgyz letters) and, for text DejaVu cannot draw (Chinese), Noto Sans SC from
the `justmytype-intl-cjk` wheel, the font the petition dossier uses.

Drawing takes a tenth of a second, so a card is kept as a file under the instance folder
(`share-cards/<campaign id>/`), named by its key: campaign, language, title, photo and the
count's *bucket* (about 1 % wide). A count that leaves its bucket makes a new key (and a new
og:image URL, so networks fetch it again); inside a bucket the card is drawn again at most
every SHARE_CARD_MAX_AGE_MINUTES, and only if the count moved. Each server keeps its own
files; a card is nobody's data (title and count are public).
"""
from __future__ import annotations

import hashlib
import io
import os
import re
import shutil
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache
from importlib.resources import files
from pathlib import Path

from flask import current_app
from flask_babel import format_decimal, get_translations
from flask_babel import gettext as _
from PIL import Image, ImageDraw, ImageFont, ImageOps

from .models import Campaign

WIDTH, HEIGHT = 1200, 630
VERSION = "1"  # part of every key: a new design draws every card again
THEME = (23, 58, 94)       # the site's theme colour (#173a5e)
INK = (255, 255, 255)
MUTED = (196, 214, 232)
BAR = (245, 183, 0)
FONTS = Path(__file__).resolve().parent.parent / "static" / "fonts"


@dataclass(frozen=True)
class Card:
    data: bytes
    etag: str            # key and the count drawn
    rendered: bool       # drawn for this request (False: from the stored file)


def count_line(count: int) -> str:
    """"1,234 signatures" in the current language, the number formatted for it."""
    text = str(get_translations().ngettext("%(num)s signature", "%(num)s signatures", count))
    return text % {"num": format_decimal(count)}


def count_bucket(count: int) -> int:
    """The count rounded down to about 1 % of itself (exact below 1,000)."""
    step: int = max(1, 10 ** (len(str(max(count, 0))) - 3))
    return int(count - count % step)


def card_key(campaign: Campaign, lang: str, title: str, photo_digest: str | None) -> str:
    raw = "|".join((VERSION, str(campaign.id), lang, title, str(campaign.goal),
                    str(count_bucket(campaign.signature_count)), photo_digest or ""))
    return hashlib.blake2b(raw.encode(), digest_size=8).hexdigest()


def _folder(campaign_id: int) -> Path:
    return Path(current_app.instance_path) / "share-cards" / str(int(campaign_id))


def forget(campaign_id: int) -> None:
    """Delete a campaign's stored cards (its purge)."""
    shutil.rmtree(_folder(campaign_id), ignore_errors=True)


# --- fonts -------------------------------------------------------------------------------

def _cjk_path() -> str:
    return str(files("justmytype_intl_cjk") / "fonts" / "ofl" / "notosanssc" /
               "NotoSansSC[wght].ttf")


@lru_cache(maxsize=1)
def _dejavu_chars() -> frozenset[int]:
    from fontTools.ttLib import TTFont

    with TTFont(str(FONTS / "DejaVuSans.ttf"), lazy=True) as font:
        return frozenset(font.getBestCmap())


@lru_cache(maxsize=64)
def _font(cjk: bool, bold: bool, size: int) -> ImageFont.FreeTypeFont:
    if cjk:
        font = ImageFont.truetype(_cjk_path(), size)
        font.set_variation_by_axes([700 if bold else 400])  # the file's default is Thin
        return font
    return ImageFont.truetype(str(FONTS / ("DejaVuSans-Bold.ttf" if bold else
                                           "DejaVuSans.ttf")), size)


def font_for(text: str, *, bold: bool, size: int) -> ImageFont.FreeTypeFont:
    """DejaVu Sans when it has every letter of `text`, else Noto Sans SC."""
    known = _dejavu_chars()
    cjk = any(ord(char) not in known for char in text if not char.isspace())
    return _font(cjk, bold, size)


_WIDE = "\u2e80-\u9fff\uac00-\ud7af\uf900-\ufaff\uff00-\uffef\u3000-\u303f"
_TOKENS = re.compile(rf"[{_WIDE}]|[^\s{_WIDE}]+\s*|\s+")


def wrap(text: str, font: ImageFont.FreeTypeFont, width: int) -> list[str]:
    """Lines no wider than `width`: broken between words, or between any two Chinese
    characters; a word wider than a line is cut."""
    lines: list[str] = []
    line = ""
    for token in _TOKENS.findall(text):
        candidate = line + token
        if font.getlength(candidate.rstrip()) <= width or not line.strip():
            line = candidate
            while font.getlength(line.rstrip()) > width and len(line) > 1:
                cut = len(line) - 1
                while cut > 1 and font.getlength(line[:cut]) > width:
                    cut -= 1
                lines.append(line[:cut])
                line = line[cut:]
        else:
            lines.append(line.rstrip())
            line = token.lstrip()
    if line.strip():
        lines.append(line.rstrip())
    return lines


def _fit_title(title: str, width: int, max_height: int) -> tuple[ImageFont.FreeTypeFont,
                                                                   list[str]]:
    for size in (68, 62, 56, 50, 46, 42, 38):
        font = font_for(title, bold=True, size=size)
        lines = wrap(title, font, width)
        if len(lines) * int(size * 1.22) <= max_height:
            return font, lines
    font = font_for(title, bold=True, size=38)
    lines = wrap(title, font, width)
    keep = max(1, max_height // int(38 * 1.22))
    if len(lines) > keep:
        lines = lines[:keep]
        last = lines[-1]
        while last and font.getlength(last + "…") > width:
            last = last[:-1]
        lines[-1] = last.rstrip() + "…"
    return font, lines


# --- drawing -----------------------------------------------------------------------------

def draw(campaign: Campaign, title: str, photo_jpeg: bytes | None) -> bytes:
    """The card as PNG, in the current request's language."""
    card = Image.new("RGB", (WIDTH, HEIGHT), THEME)
    text_width = WIDTH - 2 * 64
    if photo_jpeg:
        with Image.open(io.BytesIO(photo_jpeg), formats=["JPEG"]) as photo:
            picture = ImageOps.fit(photo.convert("RGB"), (460, HEIGHT),
                                   Image.Resampling.LANCZOS)
        card.paste(picture, (WIDTH - 460, 0))
        text_width = WIDTH - 460 - 2 * 56
    pen = ImageDraw.Draw(card)
    left = 64 if not photo_jpeg else 56

    site = _("Justice for Korday")
    site_font = font_for(site, bold=True, size=30)
    pen.text((left, 52), site, font=site_font, fill=MUTED)

    count = campaign.signature_count
    count_text = count_line(count)
    count_font = font_for(count_text, bold=True, size=54)

    title_font, lines = _fit_title(title, text_width, 300)
    line_height = int(title_font.size * 1.22)
    y = 120
    for line in lines:
        pen.text((left, y), line, font=title_font, fill=INK)
        y += line_height

    pen.text((left, 448), count_text, font=count_font, fill=INK)
    bar_top, bar_width = 530, text_width
    pen.rounded_rectangle((left, bar_top, left + bar_width, bar_top + 22), radius=11,
                          fill=(13, 36, 60))
    if campaign.goal:
        done = min(1.0, count / campaign.goal)
        if done > 0:
            pen.rounded_rectangle((left, bar_top, left + max(22, int(bar_width * done)),
                                   bar_top + 22), radius=11, fill=BAR)
    out = io.BytesIO()
    card.save(out, format="PNG")
    return out.getvalue()


def get(campaign: Campaign, lang: str, title: str, photo_digest: str | None,
        photo_jpeg_loader: Callable[[], bytes | None]) -> Card:
    """The card for (campaign, language): the stored file when it is still good, else drawn
    and stored. `photo_jpeg_loader()` gives the photo's bytes, read only when drawing."""
    key = card_key(campaign, lang, title, photo_digest)
    count = campaign.signature_count
    folder = _folder(campaign.id)
    max_age = 60 * int(current_app.config["SHARE_CARD_MAX_AGE_MINUTES"])
    stored = sorted(folder.glob(f"{lang}-{key}-*.png")) if folder.is_dir() else []
    for path in stored:
        drawn = path.stem.rsplit("-", 1)[-1]
        fresh = time.time() - path.stat().st_mtime < max_age
        if drawn == str(count) or fresh:
            try:
                return Card(path.read_bytes(), f"{key}-{drawn}", False)
            except OSError:
                break  # removed meanwhile: draw it
    data = draw(campaign, title, photo_jpeg_loader() if photo_digest else None)
    try:
        folder.mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile(dir=folder, suffix=".tmp", delete=False) as out:
            out.write(data)
        os.replace(out.name, folder / f"{lang}-{key}-{count}.png")
        for old in folder.glob(f"{lang}-*.png"):
            if old.name != f"{lang}-{key}-{count}.png":
                old.unlink(missing_ok=True)
    except OSError:
        current_app.logger.warning("share card not stored (instance folder not writable)")
    return Card(data, f"{key}-{count}", True)

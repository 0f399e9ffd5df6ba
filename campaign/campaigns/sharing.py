"""Sharing a campaign: plain share links and a QR code for printed leaflets.

Share buttons are ordinary links to each network's public share URL, so no third-party script
or pixel ever loads on our pages; a network learns of a visit only when the reader clicks.
"""
from __future__ import annotations

import io
from dataclasses import dataclass
from functools import lru_cache
from urllib.parse import quote, urlencode

import qrcode
import qrcode.image.svg


@dataclass(frozen=True)
class ShareLink:
    network: str   # stable key, used as a CSS class and in tests
    label: str     # the network's own name (not translated)
    url: str


def share_links(url: str, title: str, summary: str = "") -> list[ShareLink]:
    """Links that open each network's share dialog (or the mail program) with the campaign."""
    text = f"{title}\n{url}"
    return [
        ShareLink("telegram", "Telegram",
                  "https://t.me/share/url?" + urlencode({"url": url, "text": title})),
        ShareLink("whatsapp", "WhatsApp",
                  "https://wa.me/?" + urlencode({"text": text})),
        ShareLink("x", "X", "https://x.com/intent/tweet?" + urlencode(
            {"url": url, "text": title})),
        ShareLink("facebook", "Facebook",
                  "https://www.facebook.com/sharer/sharer.php?" + urlencode({"u": url})),
        ShareLink("vk", "VK", "https://vk.com/share.php?" + urlencode(
            {"url": url, "title": title})),
        # mailto: wants %20 for spaces, not "+", or mail programs show the plus signs.
        ShareLink("email", "E-mail", "mailto:?subject=" + quote(title) + "&body=" + quote(
            f"{summary}\n\n{url}" if summary else url)),
    ]


@lru_cache(maxsize=256)
def qr_svg(url: str) -> bytes:
    """The URL as a QR code in SVG: one path on white, so it prints at any size."""
    image = qrcode.make(url, image_factory=qrcode.image.svg.SvgPathFillImage,
                        error_correction=qrcode.constants.ERROR_CORRECT_M, border=4)
    buffer = io.BytesIO()
    image.save(buffer)
    return buffer.getvalue()

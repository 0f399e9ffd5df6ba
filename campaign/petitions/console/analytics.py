"""Numbers for organizers, and a bar chart drawn here as SVG (no chart script from a CDN)."""
from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from markupsafe import Markup, escape
from sqlalchemy import ColumnElement, func, select
from sqlalchemy.orm import InstrumentedAttribute

from ...extensions import db
from ...util import utcnow
from ..lifecycle import counted
from ..models import Signature, SignatureStatus


def per_day(campaign_id: int, days: int = 60) -> list[tuple[date, int]]:
    """Confirmed signatures per day (UTC) over the last `days` days, zeros included."""
    since = (utcnow() - timedelta(days=days - 1)).replace(hour=0, minute=0, second=0,
                                                          microsecond=0)
    day = func.date(Signature.confirmed_at)
    rows = db.session.execute(
        select(day, func.count()).where(
            Signature.campaign_id == campaign_id, counted(),
            Signature.confirmed_at >= since).group_by(day)).all()
    counts = {str(d)[:10]: n for d, n in rows}
    start = since.date()
    return [(start + timedelta(days=i), counts.get(str(start + timedelta(days=i)), 0))
            for i in range(days)]


def by_column(campaign_id: int, column: ColumnElement[Any] | InstrumentedAttribute[str],
              limit: int = 30) -> list[tuple[str, int]]:
    rows = db.session.execute(
        select(column, func.count()).where(
            Signature.campaign_id == campaign_id, counted())
        .group_by(column).order_by(func.count().desc()).limit(limit)).all()
    return [(value, count) for value, count in rows]


def status_counts(campaign_id: int) -> dict[str, int]:
    rows = db.session.execute(
        select(Signature.status, func.count()).where(Signature.campaign_id == campaign_id)
        .group_by(Signature.status)).all()
    counts = {status.value: 0 for status in SignatureStatus}
    counts.update(dict(rows))
    return counts


def confirmation_rate(counts: dict[str, int]) -> float | None:
    """Share of web signers who confirmed (invalidated ones had confirmed or not: left out)."""
    confirmed, pending = counts[SignatureStatus.CONFIRMED], counts[SignatureStatus.PENDING]
    asked = confirmed + pending
    return confirmed / asked if asked else None


def bar_chart_svg(points: list[tuple[date, int]], *, title: str, width: int = 720,
                  height: int = 200) -> Markup:
    """An accessible inline SVG bar chart: a <title>, and each bar's value in its tooltip."""
    top = max((n for _, n in points), default=0) or 1
    pad_left, pad_bottom = 40, 20
    plot_w, plot_h = width - pad_left, height - pad_bottom
    bar_w = plot_w / max(len(points), 1)
    parts = [(f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" '
              f'role="img" aria-label="{escape(title)}" class="chart">'),
             f"<title>{escape(title)}</title>",
             f'<text x="0" y="12" font-size="11">{top}</text>',
             f'<text x="0" y="{plot_h}" font-size="11">0</text>',
             (f'<line x1="{pad_left}" y1="{plot_h}" x2="{width}" y2="{plot_h}" '
              'stroke="#999"/>')]
    for i, (day, count) in enumerate(points):
        h = plot_h * count / top
        x = pad_left + i * bar_w
        parts.append(f'<rect x="{x:.1f}" y="{plot_h - h:.1f}" width="{max(bar_w - 1, 1):.1f}"'
                     f' height="{h:.1f}" fill="#0b5cad"><title>{day.isoformat()}: {count}'
                     "</title></rect>")
    for i in (0, len(points) - 1) if points else ():
        anchor = "start" if i == 0 else "end"
        x = pad_left + (i * bar_w if i == 0 else (i + 1) * bar_w)
        parts.append(f'<text x="{x:.1f}" y="{height - 4}" font-size="11" '
                     f'text-anchor="{anchor}">{points[i][0].isoformat()}</text>')
    parts.append("</svg>")
    return Markup("".join(parts))  # noqa: S704 - every text above is escape()d or a number

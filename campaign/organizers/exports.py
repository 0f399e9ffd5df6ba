"""Console downloads: one way to answer "give me this table as CSV or XLSX".

The CSV dialect defaults to what the console language's Excel opens in one click
(spreadsheet.CsvDialect.for_locale) and the organizer may pick the other
(`?sep=comma|semicolon&bom=0|1`). Every cell goes through spreadsheet.py's formula guard.
"""
from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from flask import Flask, Response, request, stream_with_context, url_for

from .. import i18n, spreadsheet

FORMATS = ("csv", "xlsx")


def csv_dialect() -> spreadsheet.CsvDialect:
    return spreadsheet.CsvDialect.from_args(request.args, i18n.current_language())


def download(kind: str, header: Sequence[str], rows: Iterable[Iterable[object]],
             filename: str) -> Response:
    """A streamed attachment of `rows` as `kind` ("csv" or "xlsx")."""
    if kind == "xlsx":
        body = spreadsheet.iter_xlsx(header, rows)
        mimetype = spreadsheet.XLSX_MIMETYPE
    else:
        dialect = csv_dialect()
        body = (chunk.encode("utf-8") for chunk in spreadsheet.iter_csv(
            header, rows, bom=dialect.bom, delimiter=dialect.delimiter))
        mimetype = "text/csv; charset=utf-8"
    response = Response(stream_with_context(body), mimetype=mimetype)
    response.headers["Content-Disposition"] = f'attachment; filename="{filename}.{kind}"'
    response.headers["Cache-Control"] = "no-store"
    return response


def csv_default_separator() -> str:
    """"semicolon" or "comma": what the console language's Excel expects."""
    return spreadsheet.CsvDialect.for_locale(i18n.current_language()).name


def export_url(endpoint: str, slug: str, kind: str, args: Mapping[str, Any] | None = None,
               sep: str | None = None) -> str:
    """A download link carrying the page's filters (minus any format choice they hold)."""
    params = {key: value for key, value in (args or {}).items()
              if key not in ("kind", "sep", "bom", "slug", "_anchor", "_external")}
    if sep:
        params["sep"] = sep
    return url_for(endpoint, slug=slug, kind=kind, **params)


def init_app(app: Flask) -> None:
    app.add_template_global(csv_default_separator)
    app.add_template_global(export_url)

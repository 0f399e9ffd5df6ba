"""Console downloads: one way to answer "give me this table as CSV or XLSX".

The CSV dialect defaults to what the console language's Excel opens in one click
(spreadsheet.CsvDialect.for_locale) and the organizer may pick the other
(`?sep=comma|semicolon&bom=0|1`). Every cell goes through spreadsheet.py's formula guard.
A CSV is streamed compressed (zstd or gzip, Content-Encoding) when the client accepts it.
"""
from __future__ import annotations

import itertools
import zlib
from collections.abc import Iterable, Iterator, Mapping, Sequence
from typing import Any

try:  # Python 3.14's standard library, else its backport (installed with Flask-Compress)
    from compression import zstd  # type: ignore[import-not-found,unused-ignore]
except ImportError:
    from backports import zstd  # type: ignore[no-redef,unused-ignore]

from flask import Flask, Response, request, stream_with_context, url_for

from .. import i18n, spreadsheet

FORMATS = ("csv", "xlsx")


def csv_dialect() -> spreadsheet.CsvDialect:
    return spreadsheet.CsvDialect.from_args(request.args, i18n.current_language())


def download(kind: str, header: Sequence[str], rows: Iterable[Iterable[object]],
             filename: str) -> Response:
    """A streamed attachment of `rows` as `kind` ("csv" or "xlsx")."""
    return download_chunks(kind, header, spreadsheet.batched(rows), filename)


def download_chunks(kind: str, header: Sequence[str],
                    chunks: Iterable[Sequence[Sequence[object]]], filename: str) -> Response:
    """A streamed attachment of rows given in chunks (lists of rows, as a cursor's fetchmany
    gives them) as `kind`. A CSV goes out compressed when the client accepts it."""
    encoding = None
    if kind == "xlsx":  # a zip already
        body: Iterator[bytes] = spreadsheet.iter_xlsx(header, itertools.chain.from_iterable(
            chunks))
        mimetype = spreadsheet.XLSX_MIMETYPE
    else:
        dialect = csv_dialect()
        body = spreadsheet.iter_csv_chunks(header, chunks, bom=dialect.bom,
                                           delimiter=dialect.delimiter)
        mimetype = "text/csv; charset=utf-8"
        encoding = request.accept_encodings.best_match(CSV_ENCODINGS)
        if encoding:
            body = _compressed(body, encoding)
    response = Response(stream_with_context(body), mimetype=mimetype)
    if encoding:
        response.headers["Content-Encoding"] = encoding
    if kind == "csv":
        response.vary.add("Accept-Encoding")
    response.headers["Content-Disposition"] = f'attachment; filename="{filename}.{kind}"'
    response.headers["Cache-Control"] = "no-store"
    return response


# A CSV export is text that compresses 5-20x, and a million signatures are ~150 MB: over a
# slow link the compressed download is minutes shorter. Streamed at fast levels, as the
# export is CPU-bound on the server (measured in bench/RESULTS.md, "CSV export over HTTP"):
# zstd level 1 costs ~0.2 us a row and compresses best, gzip level 1 ~0.6 us (every
# browser); zstd first when the client takes both equally, as Flask-Compress does for pages.
CSV_ENCODINGS = ("zstd", "gzip")
GZIP_LEVEL = 1
ZSTD_LEVEL = 1


def _compressed(body: Iterator[bytes], encoding: str) -> Iterator[bytes]:
    """`body` compressed as it streams. The header line is flushed at once, so the download
    starts before the first rows are read."""
    compressor: Any
    if encoding == "zstd":
        compressor = zstd.ZstdCompressor(level=ZSTD_LEVEL)
        flush_block, finish = zstd.ZstdCompressor.FLUSH_BLOCK, zstd.ZstdCompressor.FLUSH_FRAME
    else:
        compressor = zlib.compressobj(GZIP_LEVEL, zlib.DEFLATED, zlib.MAX_WBITS | 16)
        flush_block, finish = zlib.Z_SYNC_FLUSH, zlib.Z_FINISH
    first = True
    for data in body:
        out = compressor.compress(data)
        if first:
            out += compressor.flush(flush_block)
            first = False
        if out:
            yield out
    yield compressor.flush(finish)


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

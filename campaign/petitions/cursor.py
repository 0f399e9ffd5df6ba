"""Rows of a query read straight from the database driver's cursor, a chunk at a time.

For the big exports: SQLAlchemy's Row objects and result processing cost more per row than
writing the row out, so the query is built and compiled by SQLAlchemy and its rows are
fetched as the driver's plain tuples. PostgreSQL reads through a server-side (named) cursor
and SQLite steps its own cursor: memory holds one chunk whatever the size. No bind or
result processing runs: the query's parameters must be plain values (ints, text) and its
columns are what the driver returns (select them as text where that matters).
"""
from __future__ import annotations

import secrets
from collections.abc import Iterator
from typing import Any

from sqlalchemy import Select

from ..extensions import db


def chunks(query: Select[*tuple[Any, ...]], chunk_rows: int
           ) -> Iterator[list[tuple[Any, ...]]]:
    """The query's rows, `chunk_rows` at a time, in the session's transaction."""
    connection = db.session.connection()
    compiled = query.compile(dialect=connection.dialect,
                             compile_kwargs={"render_postcompile": True})
    raw: Any = connection.connection.driver_connection  # the DB-API driver: untyped
    params: Any
    if connection.dialect.name == "postgresql":
        cursor = raw.cursor(name=f"rows_{secrets.token_hex(4)}")
        params = compiled.params
    else:
        cursor = raw.cursor()
        params = tuple(compiled.params[name] for name in compiled.positiontup or ())
    try:
        cursor.execute(str(compiled), params)
        while batch := cursor.fetchmany(chunk_rows):
            yield batch
    finally:
        cursor.close()

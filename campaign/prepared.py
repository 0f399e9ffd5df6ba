"""Statements of the hottest write path (a confirmation link's first click), compiled once
per database and run on the DBAPI cursor of the session's connection, in its transaction.

Executing even a prebuilt Core statement through the session costs 40-70 µs of Python
(statement cache lookup, parameter processing, result wrapping: bench/RESULTS.md), about
ten times what SQLite itself takes for a one-row UPDATE; a confirmation runs four. A
`Prepared` statement is compiled by SQLAlchemy once per dialect; executing it is the
statement's own literal values plus the caller's parameters, each through SQLAlchemy's bind
processor for its type (dates on SQLite, JSON), and the DBAPI `execute`. The statement joins
the session's transaction (the caller commits through the session as usual), and the
driver's own statement cache (sqlite3, psycopg's prepared statements) does the rest.

Rows come back as the driver gives them, unprocessed: return only columns whose values need
no conversion (integers, strings, booleans). Anything that is not a hot path uses the session.

`own_transaction` goes one step further for a hot write that needs no ORM object at all (a
new signature, a confirmation's first click): a pool connection's own transaction, outside
the session's (its `connection()` and `commit()` cost ~0.3 ms of Python around a commit),
committed when the block ends; on PostgreSQL, with `autocommit`, each statement is its own
transaction, and a write made by one statement (data-modifying CTEs) is one round trip (no
BEGIN, no COMMIT).
"""
from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from typing import Any

from sqlalchemy import ClauseElement, Connection, Dialect
from sqlalchemy.exc import DBAPIError
from sqlalchemy.sql.compiler import SQLCompiler

from .extensions import db


class PoolTransaction:
    """A transaction on a pool connection of its own (`own_transaction`): run `Prepared`
    statements on it."""

    def __init__(self, dialect: Dialect, dbapi_connection: Any) -> None:
        self.dialect = dialect
        self.dbapi_connection = dbapi_connection
        self.rolled_back = False

    def rollback(self) -> None:
        """Undo what it wrote; nothing is committed at the end of the block."""
        self.dbapi_connection.rollback()
        self.rolled_back = True


# Where a Prepared statement runs: the session's (or a Core) connection, or a pool transaction.
Runner = Connection | PoolTransaction


@dataclass(frozen=True)
class _Form:
    """One statement compiled for one dialect."""
    sql: str
    names: Sequence[str] | None    # positional drivers: each placeholder's parameter name
    fixed: Mapping[str, Any]       # the statement's own values, already processed
    processors: Mapping[str, Callable[[Any], Any]]  # of the caller's parameters, by name
    taken: Sequence[str]           # the caller's parameters it takes (the rest are ignored)

    def parameters(self, given: Mapping[str, Any]) -> Sequence[Any] | Mapping[str, Any]:
        values = dict(self.fixed)
        processors = self.processors
        for name in self.taken:
            if name in given:
                value = given[name]
                process = processors.get(name)
                values[name] = process(value) if process is not None and value is not None \
                    else value
        if self.names is None:
            return values
        return [values[name] for name in self.names]


class Prepared:
    """A Core statement run with as little Python as its driver allows (module docstring).
    Build it once, at import, like any prebuilt statement."""

    def __init__(self, statement: ClauseElement) -> None:
        self.statement = statement
        self._forms: dict[str, _Form] = {}

    def _form(self, dialect: Dialect) -> _Form:
        form = self._forms.get(dialect.name)
        if form is None:
            form = self._forms[dialect.name] = self._compile(dialect)
        return form

    def _compile(self, dialect: Dialect) -> _Form:
        compiled = self.statement.compile(dialect=dialect)
        assert isinstance(compiled, SQLCompiler)
        binds = compiled.binds
        required = {name for name, bind in binds.items() if bind.required}
        processors: dict[str, Callable[[Any], Any]] = {}
        for name, bind in binds.items():
            bind_processor = bind.type.dialect_impl(dialect).bind_processor(dialect)
            if bind_processor is not None:
                processors[name] = bind_processor
        fixed: dict[str, Any] = {}
        for name, value in compiled.construct_params(dict.fromkeys(required)).items():
            if name in required:
                continue
            process = processors.get(name)
            fixed[name] = process(value) if process is not None and value is not None \
                else value
        names = list(compiled.positiontup) if compiled.positional and compiled.positiontup \
            else None
        return _Form(compiled.string, names, fixed,
                     {name: processors[name] for name in required if name in processors},
                     tuple(binds))

    def bind(self, params: Mapping[str, Any], dialect: Dialect) -> Bound:
        """It with `params` processed now: for a transaction that should hold its locks
        (SQLite's write lock) only while its statements run, not while Python prepares
        their parameters."""
        form = self._form(dialect)
        return Bound(form.sql, form.parameters(params))

    def _execute(self, params: Mapping[str, Any],
                 connection: Runner | None) -> Any:
        connection = connection if connection is not None else db.session.connection()
        form = self._form(connection.dialect)
        if isinstance(connection, PoolTransaction):
            cursor = connection.dbapi_connection.cursor()
        else:
            cursor = connection.connection.dbapi_connection.cursor()  # type: ignore[union-attr]  # a checked-out connection always has one
        cursor.execute(form.sql, form.parameters(params))
        return cursor

    def rowcount(self, params: Mapping[str, Any], connection: Runner | None = None
                 ) -> int:
        """Run it (an UPDATE or DELETE without RETURNING); how many rows it changed."""
        cursor = self._execute(params, connection)
        try:
            return int(cursor.rowcount)
        finally:
            cursor.close()

    def first(self, params: Mapping[str, Any], connection: Runner | None = None
              ) -> tuple[Any, ...] | None:
        """Run it; its first row (RETURNING or SELECT), or None. The rest are read and
        dropped, so the statement is finished either way."""
        cursor = self._execute(params, connection)
        try:
            rows = cursor.fetchall()
        finally:
            cursor.close()
        return tuple(rows[0]) if rows else None

    def all(self, params: Mapping[str, Any], connection: Runner | None = None
            ) -> list[tuple[Any, ...]]:
        cursor = self._execute(params, connection)
        try:
            return [tuple(row) for row in cursor.fetchall()]
        finally:
            cursor.close()

    def execute(self, params: Mapping[str, Any], connection: Runner | None = None
                ) -> None:
        """Run it for its effect (an INSERT without RETURNING)."""
        self._execute(params, connection).close()


@dataclass(frozen=True, slots=True)
class Bound:
    """A `Prepared` statement and its processed parameters (`Prepared.bind`), run on a
    pool transaction."""
    sql: str
    parameters: Sequence[Any] | Mapping[str, Any]

    def first(self, transaction: PoolTransaction) -> tuple[Any, ...] | None:
        """Run it; its first row (RETURNING or SELECT), or None (the rest are dropped)."""
        cursor = transaction.dbapi_connection.cursor()
        try:
            cursor.execute(self.sql, self.parameters)
            rows = cursor.fetchall()
        finally:
            cursor.close()
        return tuple(rows[0]) if rows else None

    def execute(self, transaction: PoolTransaction) -> None:
        """Run it for its effect (an INSERT without RETURNING)."""
        cursor = transaction.dbapi_connection.cursor()
        try:
            cursor.execute(self.sql, self.parameters)
        finally:
            cursor.close()


@contextmanager
def own_transaction(*, autocommit: bool = False) -> Iterator[PoolTransaction]:
    """A pool connection's own transaction, outside the ORM session (whatever the session
    holds, this neither sees its uncommitted writes nor ends its transaction), for
    `Prepared` statements: committed when the block ends (durable when it returns) unless
    rolled back, rolled back if it raises. With `autocommit` (PostgreSQL) the connection comes
    from the autocommit pool (extensions.AUTOCOMMIT_BIND) and every statement commits by
    itself: for a change one statement makes alone, which is atomic on its own.

    Driver errors come out as SQLAlchemy's (IntegrityError, OperationalError ...) as from
    the session, without the statement's parameters (they hold personal data); a
    connection the error shows dead is dropped from the pool."""
    engine = db.autocommit_engine if autocommit else db.engine
    if engine is None:
        raise RuntimeError("autocommit needs a database server (no autocommit pool)")
    dbapi_error = engine.dialect.loaded_dbapi.Error
    try:
        pooled = engine.raw_connection()
    except dbapi_error as error:
        # No connection (the server is down): the same error `engine.connect()` raises.
        raise DBAPIError.instance(None, None, error, dbapi_error,
                                  dialect=engine.dialect) from error
    dbapi_connection = pooled.dbapi_connection
    transaction = PoolTransaction(engine.dialect, dbapi_connection)
    try:
        yield transaction
        if not (autocommit or transaction.rolled_back):
            dbapi_connection.commit()  # type: ignore[union-attr]  # checked out
    except dbapi_error as error:
        invalidated = engine.dialect.is_disconnect(error, dbapi_connection, None)
        if invalidated:
            pooled.invalidate(error)
        else:
            _rollback(dbapi_connection)
        raise DBAPIError.instance(None, None, error, dbapi_error,
                                  connection_invalidated=invalidated,
                                  dialect=engine.dialect) from error
    except BaseException:
        _rollback(dbapi_connection)
        raise
    finally:
        pooled.close()


def _rollback(dbapi_connection: Any) -> None:
    # A failing rollback: the pool resets (or drops) the connection on its return anyway.
    with suppress(Exception):
        dbapi_connection.rollback()

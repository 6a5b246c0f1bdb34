"""The database session under ``SqlStore``: one engine, statements compiled once per
dialect, a connection held per thread, transactions at the DBAPI level, and the driver's
errors turned into ``StoreError`` (nothing written, or the outcome unknown).

Why the statements run on the DBAPI cursor rather than through ``Connection.execute``:
see ``partyflow.stores.sql``.
"""

from __future__ import annotations

import datetime as dt
import threading
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection, Dialect

from partyflow.canonical import canonical_json
from partyflow.errors import StoreError, Text
from partyflow.stores.schema import JSON_COLS, TIME_COLS
from partyflow.stores.sql_engine import checkpoint_wal, open_engine
from partyflow.stores.statements import PG_STATEMENTS, STATEMENTS

_UTC = dt.UTC
_SQLITE_TIME = "%Y-%m-%dT%H:%M:%S.%fZ"  # fixed width: sorts like the time it names


@dataclass(frozen=True)
class CompiledSql:
    """A statement compiled for one dialect: its text and how to pass parameters."""

    text: str
    names: tuple[str, ...] | None  # positional order, or None for named parameters
    defaults: Mapping[str, Any]  # values of parameters the compiler added (SQLite's OFFSET)


class Collision(Exception):
    """A unique key was taken (instance id, audit sequence or idempotency key)."""


class SqlSession:
    """An opened database (``open_engine``) and how every statement reaches it.

    One connection is held per thread; open it after forking a worker process.
    """

    def __init__(self, url: str, *, read_only: bool = False) -> None:
        opened = open_engine(url, read_only=read_only)
        self._engine, self._shown, parsed = opened.engine, opened.shown, opened.url
        self.url = parsed
        dialect = self._engine.dialect
        self._sqlite = dialect.name == "sqlite"
        self._pg = dialect.name == "postgresql"
        self._integrity_errors: type[Exception] = dialect.loaded_dbapi.IntegrityError
        self._driver_errors: type[Exception] = dialect.loaded_dbapi.Error
        statements = {**STATEMENTS, **(PG_STATEMENTS if self._pg else {})}
        self._sql = {key: self._compile(stmt, dialect) for key, stmt in statements.items()}
        self._convert = {name: fn for name in TIME_COLS | JSON_COLS
                         if (fn := self._converter(name)) is not None}
        self._plans = {key: tuple((k, self._convert.get(k)) for k in sql.names)
                       for key, sql in self._sql.items() if sql.names is not None}
        # in-memory SQLite: one connection shared by all threads, so one transaction at a time
        self._serial = threading.Lock() if opened.memory else None
        self._local = threading.local()
        self._held: list[Connection] = []
        self._held_lock = threading.Lock()
        self._stop = threading.Event()
        self._checkpointer: threading.Thread | None = None
        if opened.wal_file is not None:
            self._checkpointer = threading.Thread(
                target=checkpoint_wal, args=(opened.wal_file, self._stop),
                name="partyflow-wal-checkpoint", daemon=True)
            self._checkpointer.start()

    @staticmethod
    def _compile(stmt: Any, dialect: Dialect) -> CompiledSql:
        compiled = stmt.compile(dialect=dialect)
        names = tuple(compiled.positiontup) if compiled.positional else None
        defaults = {k: b.value for k, b in compiled.binds.items() if b.value is not None}
        return CompiledSql(str(compiled), names, defaults)

    @property
    def engine(self) -> sa.Engine:
        """The SQLAlchemy engine (for migrations and operations tools)."""
        return self._engine


    # -- plumbing ----------------------------------------------------------------------------

    def _conn(self) -> Connection:
        """This thread's held connection."""
        conn: Connection | None = getattr(self._local, "conn", None)
        if conn is None or conn.closed or conn.invalidated:
            conn = self._engine.connect()
            self._local.conn = conn
            dbapi: Any = conn.connection.dbapi_connection
            self._local.dbapi = dbapi
            if self._pg:  # single statements commit by themselves; _tx opens transactions
                dbapi.rollback()
                dbapi.autocommit = True
            with self._held_lock:
                self._held.append(conn)
        return conn

    def _converter(self, name: str) -> Callable[[Any], Any] | None:
        """How a parameter's Python value becomes the driver's, or None to pass it as is."""
        if name in TIME_COLS:
            if self._sqlite:
                return lambda v: None if v is None else (
                    v if v.tzinfo is _UTC else v.astimezone(_UTC)).strftime(_SQLITE_TIME)
            return lambda v: None if v is None else v.astimezone(_UTC)
        if name in JSON_COLS:
            return lambda v: None if v is None else canonical_json(v)
        return None

    def _run(self, conn: Connection, key: str, params: Mapping[str, Any]) -> Any:
        """Execute a precompiled statement inside the current transaction; return the cursor."""
        sql = self._sql[key]
        args: Any
        if sql.names is None:
            args = dict(sql.defaults)
            convert_of = self._convert.get
            for k, v in params.items():
                convert = convert_of(k)
                args[k] = v if convert is None else convert(v)
        else:  # positional: the plan pairs each parameter with its converter once per store
            plan = self._plans[key]
            defaults = sql.defaults
            args = [(params[k] if k in params else defaults[k]) if convert is None
                    else convert(params[k] if k in params else defaults[k])
                    for k, convert in plan]
        cursor = self._local.dbapi.cursor()  # the DBAPI connection under ``conn``
        try:
            cursor.execute(sql.text, args)
        except self._integrity_errors as exc:
            if not self._unique_violation(exc):
                raise  # another constraint (NOT NULL, CHECK, no partition): a StoreError
            raise Collision(key) from None
        return cursor


    @staticmethod
    def _time(value: Any) -> dt.datetime | None:
        if value is None:
            return None
        if isinstance(value, str):
            return dt.datetime.fromisoformat(value)
        moment: dt.datetime = value
        return moment.replace(tzinfo=_UTC) if moment.tzinfo is None else moment.astimezone(_UTC)


    def _unique_violation(self, exc: BaseException) -> bool:
        """Whether an integrity error is a taken unique key (PostgreSQL SQLSTATE 23505, a
        SQLite UNIQUE or PRIMARY KEY constraint), the one a concurrent writer causes."""
        if self._pg:
            return str(getattr(exc, "sqlstate", "") or "") == "23505"
        name = str(getattr(exc, "sqlite_errorname", ""))
        return name in ("SQLITE_CONSTRAINT_UNIQUE", "SQLITE_CONSTRAINT_PRIMARYKEY") or (
            not name and "UNIQUE constraint failed" in str(exc))

    @contextmanager
    def _tx(self) -> Iterator[Connection]:
        """A transaction on this thread's held connection, committed or rolled back at the
        DBAPI level (SQLAlchemy's own transaction bookkeeping costs ~30 µs per step).

        On in-memory SQLite every thread shares one connection, so transactions take turns.
        A connection found broken (server restart, dropped link) is discarded and the next
        call opens a new one.
        """
        serial = self._serial
        if serial is not None:
            serial.acquire()
        committing = False
        try:
            conn = self._conn()
            dbapi = self._local.dbapi
            try:
                if self._pg:  # an autocommit connection: BEGIN … COMMIT explicitly
                    with dbapi.transaction():
                        yield conn
                        committing = True
                else:
                    yield conn
                    committing = True
                    dbapi.commit()
            except BaseException:
                self._abort(conn, dbapi)
                raise
        except (self._driver_errors, sa.exc.DBAPIError) as exc:
            raise self._store_error(exc, committing) from exc
        finally:
            if serial is not None:
                serial.release()

    @contextmanager
    def _single(self, *, write: bool) -> Iterator[Connection]:
        """One statement outside an explicit transaction (PostgreSQL autocommit; a SQLite read): atomic by itself, one round
        trip. A failed write's outcome is reported as unknown (the link may have dropped
        after the server committed)."""
        try:
            conn = self._conn()
            try:
                yield conn
            except (self._driver_errors, sa.exc.DBAPIError):
                self._abort(conn, self._local.dbapi)
                raise
        except (self._driver_errors, sa.exc.DBAPIError) as exc:
            raise self._store_error(exc, committing=write) from exc

    def _store_error(self, exc: BaseException, committing: bool) -> StoreError:
        cause = str(getattr(exc, "orig", None) or exc).strip().splitlines()[0][:300]
        backend = "SQLite" if self._sqlite else "PostgreSQL"
        if committing and self._refused_for_certain(exc):
            committing = False  # the database said no: nothing was written
        if committing:
            text = Text(f"{backend} 在提交时出错，本步骤是否已记录无法确定：请用同一幂等键重试（{cause}）",
                        f"{backend} failed during the commit, so whether the step was recorded "
                        f"is unknown: retry with the same idempotency key ({cause})")
        else:
            text = Text(f"{backend} 出错，未写入任何内容（{cause}）",
                        f"{backend} failed; nothing was written ({cause})")
        return StoreError(text, outcome_unknown=committing, cause=cause)

    def _refused_for_certain(self, exc: BaseException) -> bool:
        """Whether a failure at commit time is the database refusing the work (then nothing
        was written) rather than a lost link or an I/O fault, after which the commit may have
        happened. SQLite commits locally and atomically: only an I/O error leaves doubt. A
        PostgreSQL error the server reported carries a SQLSTATE; only class 08 (connection)
        and 57P (shutdown) leave doubt, and a client-side failure carries none."""
        orig = getattr(exc, "orig", None) or exc
        if self._sqlite:
            name = str(getattr(orig, "sqlite_errorname", ""))
            return bool(name) and not name.startswith("SQLITE_IOERR")
        state = str(getattr(orig, "sqlstate", "") or "")
        return bool(state) and not state.startswith(("08", "57P"))

    def _abort(self, conn: Connection, dbapi: Any) -> None:
        """Roll back; if the connection is broken, discard it so the next call reconnects."""
        try:
            dbapi.rollback()
            broken = bool(getattr(dbapi, "broken", False) or getattr(dbapi, "closed", False))
        except Exception:
            broken = True
        if not broken:
            return
        self._local.conn = None
        with self._held_lock:
            if conn in self._held:
                self._held.remove(conn)
        with suppress(Exception):  # already gone
            conn.invalidate()

    def _read(self, fn: Callable[[Connection], Any]) -> Any:
        """Run a read; once more on a fresh connection if the held one was found broken
        (a server restart or a dropped idle link), since reading twice is harmless."""
        for attempt in (1, 2):
            try:
                if self._serial is None:  # PostgreSQL, SQLite file: a lone read needs no BEGIN
                    with self._single(write=False) as conn:
                        return fn(conn)
                with self._tx() as conn:  # in-memory SQLite: one shared connection, in turn
                    return fn(conn)
            except StoreError:
                if attempt == 2 or getattr(self._local, "conn", None) is not None:
                    raise  # not a dropped connection, or it failed again
        raise AssertionError("unreachable")  # pragma: no cover


    def _prepared(self, key: str, statement: Callable[[], Any]) -> str:
        """``key``, its statement compiled on first use and then kept like the others."""
        if key not in self._sql:
            sql = self._compile(statement(), self._engine.dialect)
            if sql.names is not None:
                self._plans[key] = tuple((k, self._convert.get(k)) for k in sql.names)
            self._sql[key] = sql
        return key


    def close(self) -> None:
        self._stop.set()
        if self._checkpointer is not None:
            self._checkpointer.join(timeout=5)
        with self._held_lock:
            held, self._held = self._held, []
        for conn in held:
            conn.close()
        self._engine.dispose()

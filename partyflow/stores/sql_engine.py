"""Opening a SQL database from a store URL: the URL checked, the SQLAlchemy engine made with
the options each database needs (SQLite pragmas, WAL and its checkpointer; PostgreSQL
read-only sessions), and a missing driver or a bad URL refused as ``UsageError`` before
anything is touched. ``SqlStore`` (``partyflow.stores.sql``) runs its statements on it."""

from __future__ import annotations

import sqlite3
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import make_url
from sqlalchemy.pool import StaticPool

from partyflow.errors import Text, UsageError

WAL_BOUND_PAGES = 10_000  # SQLite's own automatic checkpoint, if ours stops (default 1000)
CHECKPOINT_EVERY_S = 1.0


@dataclass(frozen=True)
class Opened:
    """A database opened for a store.

    Attributes:
        engine: the SQLAlchemy engine.
        url: the URL it connects with (a read-only SQLite file as a ``mode=ro`` URI).
        shown: the URL as given, its password hidden (for messages).
        memory: an in-memory SQLite database (one connection shared by all threads).
        wal_file: the SQLite file whose WAL this process checkpoints, or None.
    """

    engine: sa.Engine
    url: sa.URL
    shown: str
    memory: bool
    wal_file: str | None


def open_engine(url: str, *, read_only: bool = False) -> Opened:
    """The engine for a store URL (see ``SqlStore``)."""
    try:
        parsed = make_url(url)
    except (sa.exc.ArgumentError, ValueError) as exc:
        raise UsageError(Text(f"存储地址无效：{exc}", f"invalid store URL: {exc}")) from None
    shown = parsed.render_as_string()  # as given, its password hidden
    if parsed.get_backend_name() == "sqlite":
        return _sqlite(parsed, shown, read_only)
    return _postgres(parsed, shown, read_only)


def _sqlite(parsed: sa.URL, shown: str, read_only: bool) -> Opened:
    query = dict(parsed.query)
    sync = str(query.pop("synchronous", "NORMAL")).upper()
    if sync not in ("OFF", "NORMAL", "FULL", "EXTRA"):
        raise UsageError(Text(f"synchronous 取值无效：{sync}", f"invalid synchronous value: {sync}"))
    if query:
        raise UsageError(Text(
            f"SQLite 存储地址不认识参数 {', '.join(sorted(query))}（可用：synchronous）",
            f"the SQLite store URL does not know {', '.join(sorted(query))} "
            "(known: synchronous)"))
    parsed = parsed.set(query=query)
    memory = parsed.database in (None, "", ":memory:")
    kwargs: dict[str, Any] = (
        {"poolclass": StaticPool, "connect_args": {"check_same_thread": False}} if memory
        else {"connect_args": {"timeout": 30}})
    wal_file = None if memory or read_only else str(parsed.database)
    if read_only and not memory:
        path = Path(str(parsed.database)).resolve()
        if not path.exists():
            raise UsageError(Text(f"数据库文件不存在：{path}",
                                  f"the database file does not exist: {path}"))
        parsed = parsed.set(database=f"file:{path.as_posix()}?mode=ro", query={"uri": "true"})
    engine = create_engine(parsed, **kwargs)

    @sa.event.listens_for(engine, "connect")
    def _pragmas(dbapi_conn: Any, _record: Any) -> None:
        cur = dbapi_conn.cursor()
        if wal_file is not None:
            cur.execute("PRAGMA journal_mode=WAL")
            # a background thread checkpoints (checkpoint_wal); this bound (about 40 MB of
            # WAL) only applies if it stops
            cur.execute(f"PRAGMA wal_autocheckpoint={WAL_BOUND_PAGES}")
        cur.execute(f"PRAGMA synchronous={sync}")
        cur.execute("PRAGMA busy_timeout=30000")
        cur.close()

    return Opened(engine, parsed, shown, memory, wal_file)


def _postgres(parsed: sa.URL, shown: str, read_only: bool) -> Opened:
    try:  # a host name no resolver could look up fails here, not at connect time
        (parsed.host or "").encode("idna")
    except UnicodeError:
        raise UsageError(Text(f"存储地址的主机名无效：{parsed.host!r}",
                              f"the store URL's host name is invalid: {parsed.host!r}")) from None
    extra: dict[str, Any] = {}
    if read_only:  # every transaction of the session read-only (kept with given options)
        query = dict(parsed.query)
        given = str(query.pop("options", "") or "")
        parsed = parsed.set(query=query)
        extra["connect_args"] = {
            "options": f"{given} -c default_transaction_read_only=on".strip()}
    return Opened(create_engine(parsed, pool_pre_ping=True, **extra), parsed, shown, False, None)


def create_engine(url: sa.URL, **kwargs: Any) -> sa.Engine:
    """``sa.create_engine``, a URL naming a driver or option that does not exist, or a driver
    that is not installed, refused as ``UsageError`` (nothing was touched)."""
    shown = url.render_as_string(hide_password=True)
    try:
        engine = sa.create_engine(url, **kwargs)
        engine.dialect.loaded_dbapi  # noqa: B018 - the driver module is imported here
    except ImportError as exc:
        if url.get_backend_name() != "postgresql":
            raise UsageError(Text(f"存储地址 {shown} 所需的数据库驱动未安装：{exc}",
                                  f"the database driver for {shown} is not installed: "
                                  f"{exc}")) from None
        driver = url.get_driver_name()
        if driver != "psycopg":
            raise UsageError(Text(
                f"PostgreSQL 驱动 {driver} 未安装：partyflow 使用 postgresql+psycopg://（"
                "pip install 'partyflow[postgres]'）",
                f"the PostgreSQL driver {driver} is not installed: partyflow uses "
                "postgresql+psycopg:// (pip install 'partyflow[postgres]')")) from None
        raise UsageError(Text(
            "PostgreSQL 存储需要 psycopg 驱动，但未安装：请运行 pip install 'partyflow[postgres]'",
            "a PostgreSQL store needs the psycopg driver, which is not installed: "
            "pip install 'partyflow[postgres]'")) from None
    except (sa.exc.ArgumentError, sa.exc.NoSuchModuleError, ValueError, TypeError) as exc:
        raise UsageError(Text(f"存储地址无效（{shown}）：{exc}",
                              f"invalid store URL ({shown}): {exc}")) from None
    return engine



def checkpoint_wal(path: str, stop: threading.Event) -> None:
    """Checkpoint the WAL of ``path`` about once a second until ``stop`` is set, off the path
    of the steps: with SQLite's automatic checkpoint, every ~1000th commit paid for it
    (measured +21 % fires/s without, bench/README.md). PASSIVE never blocks writers; one
    such thread per process is fine."""
    conn: sqlite3.Connection | None = None
    try:
        while not stop.wait(CHECKPOINT_EVERY_S):
            try:
                if conn is None:
                    conn = sqlite3.connect(path, timeout=5, check_same_thread=False)
                conn.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchall()
            except sqlite3.Error:
                pass  # busy or not created yet: next time (the bound above still holds)
    finally:
        if conn is not None:
            conn.close()

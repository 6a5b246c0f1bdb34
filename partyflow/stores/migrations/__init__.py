"""Versioned schema migrations for ``SqlStore`` (Alembic), for SQLite and PostgreSQL.

``upgrade(engine)`` brings a database to the newest revision. It is what ``SqlStore`` runs with
``create=True``, and it is safe when several processes start at once: the whole upgrade runs in
one transaction that first takes a database-wide lock (``pg_advisory_xact_lock`` on PostgreSQL,
``BEGIN IMMEDIATE`` on SQLite), so one process migrates and the others wait, then find the
database at the newest revision and do nothing.

Databases created before migrations existed (``pf_schema`` version 1, no ``alembic_version``)
are stamped at the first revision, which created exactly those tables.

From a shell (operations)::

    python -m partyflow.stores.migrations postgresql+psycopg://user:pw@host/db   # upgrade
    python -m partyflow.stores.migrations URL current                           # show

New revisions go in ``versions/`` (``alembic -c <ini with script_location =
partyflow.stores:migrations> revision -m "…"``); each must be self-contained, not import
the live ``metadata``.
"""

from __future__ import annotations

import functools
import threading
from pathlib import Path

import sqlalchemy as sa
from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory

HERE = Path(__file__).resolve().parent
VERSION_TABLE = "alembic_version"
FIRST = "0001"
LOCK_KEY = 0x7066_6D69_6772  # "pfmigr": the advisory lock PostgreSQL migrations take


def config(connection: sa.Connection | None = None) -> Config:
    """An Alembic config pointing at these migrations (and at ``connection``, if given)."""
    cfg = Config()
    cfg.set_main_option("script_location", str(HERE))
    if connection is not None:
        cfg.attributes["connection"] = connection
    return cfg


@functools.cache
def head() -> str:
    """The newest revision id."""
    found = ScriptDirectory.from_config(config()).get_current_head()
    assert found is not None
    return found


_process_lock = threading.Lock()  # threads of one process: one migrates, the others wait


def current(conn: sa.Connection) -> str | None:
    """The revision the database is at, or None when it has no version table."""
    return MigrationContext.configure(conn).get_current_revision()


def lock(conn: sa.Connection) -> None:
    """Begin the migration transaction on ``conn`` and take the database-wide lock."""
    if conn.dialect.name == "sqlite":
        # pysqlite begins no transaction before DDL; BEGIN IMMEDIATE takes the write lock now
        # (other processes wait on busy_timeout) and makes the DDL atomic.
        conn.exec_driver_sql("BEGIN IMMEDIATE")
    elif conn.dialect.name == "postgresql":
        conn.execute(sa.text("SELECT pg_advisory_xact_lock(:k)"), {"k": LOCK_KEY})


def is_current(engine: sa.Engine) -> bool:
    """Whether the database is at the newest revision (one cheap query, no lock)."""
    with engine.connect() as conn:
        if not sa.inspect(conn).has_table(VERSION_TABLE):
            return False
        return conn.execute(sa.text(f"SELECT version_num FROM {VERSION_TABLE}")).scalar() == head()


def upgrade(engine: sa.Engine, revision: str = "head") -> None:
    """Upgrade the database behind ``engine`` to ``revision``, under the migration lock."""
    with _process_lock, engine.connect() as conn:
        lock(conn)
        inspector = sa.inspect(conn)
        if not inspector.has_table(VERSION_TABLE) and inspector.has_table("pf_instances"):
            command.stamp(config(conn), FIRST)  # created by create_all before migrations
        command.upgrade(config(conn), revision)
        conn.commit()

"""Alembic environment for partyflow's store.

``partyflow.stores.migrations.upgrade`` passes an open connection that already holds the
migration lock (``config.attributes["connection"]``). Run by the ``alembic`` command instead,
it connects to ``sqlalchemy.url`` (or ``-x url=…``) and takes the lock itself.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import context

from partyflow.stores.migrations import VERSION_TABLE, lock
from partyflow.stores.schema import metadata

config = context.config


def _run(connection: sa.Connection) -> None:
    context.configure(connection=connection, target_metadata=metadata,
                      version_table=VERSION_TABLE, render_as_batch=True)
    with context.begin_transaction():
        context.run_migrations()


def run_online() -> None:
    given = config.attributes.get("connection")
    if given is not None:
        _run(given)
        return
    url = context.get_x_argument(as_dictionary=True).get("url") \
        or config.get_main_option("sqlalchemy.url")
    if not url:
        raise SystemExit("give the database URL: alembic -x url=postgresql+psycopg://… upgrade head")
    engine = sa.create_engine(url)
    try:
        with engine.connect() as conn:
            lock(conn)
            _run(conn)
            conn.commit()
    finally:
        engine.dispose()


def run_offline() -> None:
    context.configure(url=config.get_main_option("sqlalchemy.url"), target_metadata=metadata,
                      version_table=VERSION_TABLE, literal_binds=True)
    with context.begin_transaction():
        context.run_migrations()


if context.is_offline_mode():
    run_offline()
else:
    run_online()

"""Helpers for tests, executable specs and benchmarks: a clock you move by hand, a scratch
PostgreSQL schema."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Iterator
from contextlib import contextmanager

from partyflow.workflows.clock import ManualClock

DEFAULT_START = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)
"""Where a ``FakeClock`` starts when not told otherwise."""


class FakeClock(ManualClock):
    """The library's ``ManualClock`` with a default start, for tests and specs.

    Args:
        start: the initial time (aware); defaults to 2026-01-01 00:00 UTC.
    """

    def __init__(self, start: dt.datetime | None = None) -> None:
        super().__init__(DEFAULT_START if start is None else start)


@contextmanager
def scratch_schema(base_url: str, prefix: str = "pf_test") -> Iterator[str]:
    """A fresh, empty schema on the PostgreSQL server of ``base_url``, dropped afterwards;
    yields a store URL whose connections use it (``search_path``)."""
    import sqlalchemy as sa

    base = sa.make_url(base_url)
    name = f"{prefix}_{uuid.uuid4().hex[:12]}"
    admin = sa.create_engine(base, poolclass=sa.pool.NullPool)
    with admin.begin() as conn:
        conn.exec_driver_sql(f"CREATE SCHEMA {name}")
    try:
        url = base.update_query_dict({"options": f"-csearch_path={name}"})
        yield url.render_as_string(hide_password=False)
    finally:
        with admin.begin() as conn:
            conn.exec_driver_sql(f"DROP SCHEMA {name} CASCADE")
        admin.dispose()


__all__ = ["DEFAULT_START", "FakeClock", "scratch_schema"]

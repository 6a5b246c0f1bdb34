"""Helpers for tests and executable specs: a clock you move by hand."""

from __future__ import annotations

import datetime as dt

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


__all__ = ["DEFAULT_START", "FakeClock"]

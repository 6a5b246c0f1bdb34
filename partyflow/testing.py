"""Helpers for tests and executable specs: a clock you move by hand."""

from __future__ import annotations

import datetime as dt

from partyflow.rules.durations import Duration
from partyflow.workflows.clock import require_aware


class FakeClock:
    """A clock that stands still until told to move.

    Args:
        start: the initial time (aware); defaults to 2026-01-01 00:00 UTC.
    """

    def __init__(self, start: dt.datetime | None = None) -> None:
        self._now = require_aware(start or dt.datetime(2026, 1, 1, tzinfo=dt.UTC), "start")

    def now(self) -> dt.datetime:
        """The time the clock was last set to."""
        return self._now

    def set(self, moment: dt.datetime) -> None:
        """Jump to ``moment`` (aware)."""
        self._now = require_aware(moment, "moment")

    def advance(self, by: dt.timedelta | str) -> dt.datetime:
        """Move forward by a timedelta or an ISO-8601 duration (``"P31D"``); return the new time."""
        if isinstance(by, str):
            self._now = Duration.parse(by).add_to(self._now)
        else:
            self._now = self._now + by
        return self._now


__all__ = ["FakeClock"]

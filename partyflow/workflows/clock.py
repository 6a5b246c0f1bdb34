"""Where the engine gets the time. Inject a clock; tests and specs never sleep."""

from __future__ import annotations

import datetime as dt
from typing import Protocol, runtime_checkable

from partyflow.errors import Text, UsageError
from partyflow.rules.durations import Duration


@runtime_checkable
class Clock(Protocol):
    """Anything with a ``now()`` that returns an aware UTC datetime."""

    def now(self) -> dt.datetime:
        """The current time, timezone-aware."""
        ...


class SystemClock:
    """The machine's clock, in UTC."""

    def now(self) -> dt.datetime:
        """The current time in UTC."""
        return dt.datetime.now(dt.UTC)


def require_aware(moment: dt.datetime, what: str = "time") -> dt.datetime:
    """Return ``moment`` in UTC; raise ``UsageError`` if it has no timezone."""
    if not isinstance(moment, dt.datetime) or moment.tzinfo is None:
        raise UsageError(
            Text(
                f"{what} 必须是带时区的 datetime（如 datetime.now(UTC)），实际为 {moment!r}",
                f"{what} must be a timezone-aware datetime (e.g. datetime.now(UTC)), "
                f"got {moment!r}",
            )
        )
    return moment.astimezone(dt.UTC)


class ManualClock:
    """A clock that stands still until told to move (手动时钟): for demos, replays and tests.

    Args:
        start: the initial time; must be timezone-aware (kept in UTC).
    """

    def __init__(self, start: dt.datetime) -> None:
        self._now = require_aware(start, "start")

    def now(self) -> dt.datetime:
        """The time the clock was last set to."""
        return self._now

    def set(self, moment: dt.datetime) -> None:
        """Jump to ``moment`` (aware)."""
        self._now = require_aware(moment, "moment")

    def advance(self, by: dt.timedelta | str) -> dt.datetime:
        """Move forward by a timedelta or an ISO-8601 duration (``"P31D"``); return the new time.

        A duration counts calendar months and years the way deadlines do
        (``Duration.add_to``), so ``"P1M"`` from 31 January lands on 28/29 February.
        """
        if isinstance(by, str):
            self._now = Duration.parse(by).add_to(self._now)
        else:
            self._now = self._now + by
        return self._now

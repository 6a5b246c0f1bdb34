"""Where the engine gets the time. Inject a clock; tests and specs never sleep."""

from __future__ import annotations

import datetime as dt
from typing import Protocol, runtime_checkable

from partyflow.errors import Text, UsageError


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

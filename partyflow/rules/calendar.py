"""How the rules count time (期间的计算, RULES.md §6): the one place a deadline is computed.

- C1 a period in days, months or years starts the day after the local day it starts on;
- C2 months and years end on the corresponding day, or the month's last day;
- C3 the last day ends at 24:00 local time: the deadline is the next local midnight, so a
  condition ``now < deadline_at`` holds all through the last day;
- C4 with ``extend_past_holidays``, a last day that is a rest day moves to the next working day;
- C5 ``P5WD`` counts working days (``WorkingDays``) after the starting day;
- C6 periods are compared by where they end on the calendar (``length``);
- C7 a date typed by a person is a local date (``start_of``).

An exact period (``PT48H``) is added to the instant. Every instant handed out is aware UTC.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from zoneinfo import ZoneInfo

from partyflow.rules.durations import Duration
from partyflow.rules.working_days import WorkingDays

DEFAULT_TIME_ZONE = "Asia/Shanghai"
_UTC = dt.UTC
_DAY = dt.timedelta(days=1)


class PeriodError(ValueError):
    """A period that cannot be counted from a given moment (it runs off the calendar)."""


@dataclass(frozen=True, slots=True)
class Deadline:
    """When a period has passed.

    Attributes:
        at: the instant (aware UTC): 24:00 local time of the last day, or the exact end.
        last_day: the local last day (None for an exact period).
        estimated: the count consulted a year whose holiday notice is not in the data (C5).
    """

    at: dt.datetime
    last_day: dt.date | None
    estimated: bool = False


@dataclass(frozen=True)
class Calendar:
    """The local time zone, the working days and ``extend_past_holidays`` (C4)."""

    time_zone: str = DEFAULT_TIME_ZONE
    extend_past_holidays: bool = False
    working: WorkingDays = field(default_factory=WorkingDays, compare=False)

    @property
    def zone(self) -> ZoneInfo:
        """The local zone (``Asia/Shanghai`` unless the rules file names another)."""
        return ZoneInfo(self.time_zone)

    def local_date(self, moment: dt.datetime) -> dt.date:
        """The local calendar day ``moment`` falls on."""
        return moment.astimezone(self.zone).date()

    def start_of(self, day: dt.date) -> dt.datetime:
        """00:00 local time of ``day``, as aware UTC (C7: how a typed date is read)."""
        return dt.datetime(day.year, day.month, day.day, tzinfo=self.zone).astimezone(_UTC)

    def deadline(self, period: Duration, start: dt.datetime) -> Deadline:
        """When ``period`` counted from ``start`` has passed (C1–C5).

        Raises:
            PeriodError: the end falls outside the calendar (past the year 9999).
        """
        try:
            if period.is_exact:
                return Deadline((start + period.exact_part).astimezone(_UTC), None)
            return self._after(self.local_date(start), period)
        except (OverflowError, ValueError) as exc:
            raise PeriodError(str(exc)) from None

    def following(self, period: Duration, previous: dt.datetime) -> Deadline:
        """The deadline of the period that follows one that passed at ``previous`` (the next
        escalation): an exact period from that instant, a calendar one from its last day."""
        if period.is_exact:
            return self.deadline(period, previous)
        try:
            return self._after(self.local_date(previous) - _DAY, period)
        except (OverflowError, ValueError) as exc:
            raise PeriodError(str(exc)) from None

    def remind_at(self, before: Duration, deadline: dt.datetime) -> dt.datetime:
        """When a reminder ``before`` a deadline is due: ``PT24H`` before it exactly; ``P3D``
        from the start of the third-to-last day (the last day and the two before it remain);
        ``P2WD`` from the start of the second-to-last working day."""
        if before.is_exact:
            return deadline - before.exact_part
        last = self.local_date(deadline) - _DAY
        if before.working_days:
            day, left = last + _DAY, before.working_days
            while left:
                day -= _DAY
                left -= self.working.is_working(day)
            return self.start_of(day)
        return self.start_of(last - before.date_part + _DAY)

    def length(self, period: Duration, at: dt.datetime) -> dt.timedelta:
        """How long ``period`` runs if it starts at ``at``, by the calendar (C6): ``P3M``
        from 1 February 2027 is 89 days, ``P90D`` 90, so "at most three months" compares
        their ends, never a 30-day month. Without C4's extension; exact periods as given."""
        if period.is_exact:
            return period.exact_part
        try:
            first = self.local_date(at)
            return self._last_day(first, period)[0] - first
        except (OverflowError, ValueError) as exc:
            raise PeriodError(str(exc)) from None

    def _after(self, first: dt.date, period: Duration) -> Deadline:
        last, estimated = self._last_day(first, period)
        if self.extend_past_holidays and not period.working_days:
            while not self.working.is_working(last):  # C4: a rest day moves to the next
                estimated = estimated or self.working.is_estimated(last)
                last += _DAY
            estimated = estimated or self.working.is_estimated(last)
        return Deadline(self.start_of(last + _DAY), last, estimated)

    def _last_day(self, first: dt.date, period: Duration) -> tuple[dt.date, bool]:
        if not period.working_days:
            return first + period.date_part, False
        day, left, estimated = first, period.working_days, False
        while left:
            day += _DAY
            left -= self.working.is_working(day)
            estimated = estimated or self.working.is_estimated(day)
        return day, estimated


__all__ = ["DEFAULT_TIME_ZONE", "Calendar", "Deadline", "PeriodError"]

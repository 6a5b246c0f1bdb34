"""ISO-8601 durations (``P30D``, ``P3M``, ``PT12H``) with calendar-aware addition.

``timedelta`` cannot hold months, and "within one month" (一个月内) in the regulations means a
calendar month, so deadlines are added with ``dateutil.relativedelta``. Comparisons inside
conditions use a nominal length (month = 30 days, year = 365 days), see ``nominal``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, timedelta

from dateutil.relativedelta import relativedelta

_ISO = re.compile(
    r"^P(?!$)(?:(?P<years>\d+)Y)?(?:(?P<months>\d+)M)?(?:(?P<weeks>\d+)W)?(?:(?P<days>\d+)D)?"
    r"(?:T(?=\d)(?:(?P<hours>\d+)H)?(?:(?P<minutes>\d+)M)?(?:(?P<seconds>\d+)S)?)?$"
)
_MAX_PART = 100_000


@dataclass(frozen=True, slots=True)
class Duration:
    """A parsed ISO-8601 duration; ``str()`` gives back the canonical text."""

    years: int = 0
    months: int = 0
    weeks: int = 0
    days: int = 0
    hours: int = 0
    minutes: int = 0
    seconds: int = 0

    @classmethod
    def parse(cls, text: str) -> Duration:
        """Parse ``text``; raise ``ValueError`` naming the expected form."""
        m = _ISO.match(text) if isinstance(text, str) else None
        if m is None:
            raise ValueError(
                f"{text!r} is not an ISO-8601 duration such as P30D, P3M, P1Y or PT12H"
            )
        parts = {k: int(v) for k, v in m.groupdict().items() if v is not None}
        if any(v > _MAX_PART for v in parts.values()):
            raise ValueError(f"{text!r} is too long a duration")
        return cls(**parts)

    def add_to(self, moment: datetime) -> datetime:
        """Return ``moment`` plus this duration, months and years by the calendar."""
        return moment + relativedelta(
            years=self.years,
            months=self.months,
            weeks=self.weeks,
            days=self.days,
            hours=self.hours,
            minutes=self.minutes,
            seconds=self.seconds,
        )

    @property
    def nominal(self) -> timedelta:
        """A fixed length for comparisons: a month counts 30 days, a year 365."""
        return timedelta(
            days=self.years * 365 + self.months * 30 + self.weeks * 7 + self.days,
            hours=self.hours,
            minutes=self.minutes,
            seconds=self.seconds,
        )

    def __str__(self) -> str:
        date = "".join(
            f"{v}{u}"
            for v, u in (
                (self.years, "Y"),
                (self.months, "M"),
                (self.weeks, "W"),
                (self.days, "D"),
            )
            if v
        )
        time = "".join(
            f"{v}{u}" for v, u in ((self.hours, "H"), (self.minutes, "M"), (self.seconds, "S")) if v
        )
        if not date and not time:
            return "PT0S"
        return "P" + date + (("T" + time) if time else "")

"""Periods (期间) as the rules file writes them: ISO-8601 durations and working days.

- ``P30D``, ``P3M``, ``P1Y``, ``P2W``: a period in calendar days, months or years, counted
  by ``partyflow.rules.calendar`` as RULES.md §6 says (C1–C3: from the next local day, ending
  at 24:00 local time of the last day);
- ``PT48H``: an exact period in hours, minutes or seconds;
- ``P5WD``: five working days (工作日, C5). ISO-8601 has no working-day unit; this is
  partyflow's one written form for it, and it cannot be combined with other units.

A period used as a deadline or typed into an input is either calendar or exact, not both
(``P1DT12H`` is refused: ``period_problem``), and at most ``MAX_PERIOD`` long.
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
_WORKING = re.compile(r"^P(?P<n>\d+)WD$")
_MAX_PART = 100_000
MAX_PERIOD = "P100Y"
"""The longest period a rules file or an input may give: 100 years (36,525 days, 876,600
hours, 26,100 working days)."""
_MAX_DAYS = 36_525
_MAX_WORKING_DAYS = 26_100


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
    working_days: int = 0

    @classmethod
    def parse(cls, text: str) -> Duration:
        """Parse ``text``; raise ``ValueError`` naming the expected form."""
        if not isinstance(text, str):
            raise ValueError(f"{text!r} is not a period such as P30D, P3M, P5WD or PT12H")
        w = _WORKING.match(text)
        if w is not None:
            if len(w["n"]) > 6:
                raise ValueError(f"{text!r} is too long a period")
            return cls(working_days=int(w["n"]))
        m = _ISO.match(text)
        if m is None:
            raise ValueError(
                f"{text!r} is not a period such as P30D, P3M, P1Y, P5WD (working days) or PT12H"
            )
        parts = {k: int(v) for k, v in m.groupdict().items() if v is not None}
        if any(v > _MAX_PART for v in parts.values()):
            raise ValueError(f"{text!r} is too long a duration")
        return cls(**parts)

    @property
    def is_exact(self) -> bool:
        """Hours, minutes and seconds only (``PT48H``): counted exactly, not by the calendar."""
        return not (self.years or self.months or self.weeks or self.days or self.working_days) \
            and bool(self.hours or self.minutes or self.seconds)

    @property
    def is_mixed(self) -> bool:
        """Calendar units and hours together (``P1DT12H``), which no deadline may be."""
        return bool(self.years or self.months or self.weeks or self.days) \
            and bool(self.hours or self.minutes or self.seconds)

    @property
    def date_part(self) -> relativedelta:
        """The calendar part (years, months, weeks, days) as a ``relativedelta``."""
        return relativedelta(years=self.years, months=self.months,
                             days=self.weeks * 7 + self.days)

    @property
    def exact_part(self) -> timedelta:
        """The hours, minutes and seconds as a ``timedelta``."""
        return timedelta(hours=self.hours, minutes=self.minutes, seconds=self.seconds)

    def add_to(self, moment: datetime) -> datetime:
        """Return ``moment`` plus this duration, months and years by the calendar, on the
        wall clock of ``moment``'s own zone (the fake clock's ``advance``; deadlines are
        counted by ``partyflow.rules.calendar``). Working days cannot be added here."""
        if self.working_days:
            raise ValueError(f"{self} counts working days: use the rules' calendar")
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
        """A fixed length, used only to type-check conditions at load time and to bound a
        period: a month counts 30 days, a year 365, a working day 1. Conditions compare
        periods by the calendar (``Calendar.length``)."""
        return timedelta(
            days=self.years * 365 + self.months * 30 + self.weeks * 7 + self.days
            + self.working_days,
            hours=self.hours,
            minutes=self.minutes,
            seconds=self.seconds,
        )

    def __str__(self) -> str:
        if self.working_days:
            return f"P{self.working_days}WD"
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


def period_problem(d: Duration) -> tuple[str, str] | None:
    """Why ``d`` cannot be a deadline or an input's period (zh, en), or None if it can."""
    if d.is_mixed:
        return (f"{d} 同时含日历单位（年、月、周、日）和时、分、秒：期限只能按日历（如 P30D）或按小时"
                "（如 PT48H）计算，不能混用",
                f"{d} mixes calendar units (years, months, weeks, days) with hours, minutes or "
                "seconds: a period is counted either by the calendar (P30D) or exactly (PT48H)")
    days = (d.years * 365.25 + d.months * 30.4375 + d.weeks * 7 + d.days
            + (d.hours * 3600 + d.minutes * 60 + d.seconds) / 86400)
    if days > _MAX_DAYS or d.working_days > _MAX_WORKING_DAYS:
        return (f"{d} 太长：期限最长 {MAX_PERIOD}（100 年，或 {_MAX_WORKING_DAYS} 个工作日）",
                f"{d} is too long: a period is at most {MAX_PERIOD} (100 years, or "
                f"{_MAX_WORKING_DAYS} working days)")
    return None


def period_text(d: Duration) -> tuple[str, str]:
    """``d`` in words (zh, en): ``30日`` / ``30 days``, ``5个工作日`` / ``5 working days``."""
    if d.working_days:
        return f"{d.working_days}个工作日", f"{d.working_days} working days"
    parts = [(d.years, "年", "year"), (d.months, "个月", "month"), (d.weeks, "周", "week"),
             (d.days, "日", "day"), (d.hours, "小时", "hour"), (d.minutes, "分钟", "minute"),
             (d.seconds, "秒", "second")]
    shown = [(v, zh, en) for v, zh, en in parts if v]
    if not shown:
        return "0日", "0 days"
    return ("".join(f"{v}{zh}" for v, zh, _ in shown),
            " ".join(f"{v} {en}{'s' if v != 1 else ''}" for v, _, en in shown))

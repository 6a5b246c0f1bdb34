"""Which days are working days (工作日) in China (RULES.md C5).

- Years the State Council has published (国务院办公厅关于部分节假日安排的通知): from
  ``chinese_calendar`` (package ``chinesecalendar``), which carries every notice since 2004
  with its make-up working days (调休上班), e.g. Saturdays 14 and 28 February 2026.
- Later years, whose notice is not out yet: an **estimate** — Monday to Friday, minus the
  statutory holidays of 全国年节及纪念日放假办法 as ``holidays`` (package ``holidays``)
  computes them from the lunar calendar, with no make-up days. A day so decided is
  ``estimated``.
- A locality's own file (``calendar.overrides`` in the rules file) adds holidays and working
  days and may declare years it has keyed in itself as published.

Both packages are imported only when a day needs them.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any


class WorkingDays:
    """The working-day calendar, with a locality's overrides.

    Args:
        holidays: extra rest days (they win over the data packages).
        working_days: extra working days, e.g. a make-up day the data does not have yet.
        published_years: years the overrides cover in full (not estimated).
    """

    def __init__(self, holidays: Iterable[dt.date] = (), working_days: Iterable[dt.date] = (),
                 published_years: Iterable[int] = ()) -> None:
        self.holidays = frozenset(holidays)
        self.working_days = frozenset(working_days)
        self.published_years = frozenset(published_years)
        self._estimates: dict[int, frozenset[dt.date]] = {}
        self._published: dict[int, bool] = {}

    def is_working(self, day: dt.date) -> bool:
        """Whether ``day`` is a working day (overrides first, then the notices or estimate)."""
        if day in self.holidays:
            return False
        if day in self.working_days:
            return True
        if self._notice_covers(day.year):
            return bool(_notices().is_workday(day))
        return day.weekday() < 5 and day not in self._estimated_holidays(day.year)

    def is_estimated(self, day: dt.date) -> bool:
        """Whether ``day``'s answer is an estimate (its year's notice is not in the data)."""
        if day in self.holidays or day in self.working_days:
            return False
        return day.year not in self.published_years and not self._notice_covers(day.year)

    def _notice_covers(self, year: int) -> bool:
        known = self._published.get(year)
        if known is None:
            try:
                _notices().is_workday(dt.date(year, 6, 1))
                known = True
            except NotImplementedError:  # the package's "no data for this year"
                known = False
            self._published[year] = known
        return known

    def _estimated_holidays(self, year: int) -> frozenset[dt.date]:
        days = self._estimates.get(year)
        if days is None:
            import holidays as statutory

            china: Any = statutory.country_holidays("CN", years=year)
            days = self._estimates[year] = frozenset(china)
        return days


def _notices() -> Any:
    import chinese_calendar

    return chinese_calendar


__all__ = ["WorkingDays"]

"""Counting periods as RULES.md §6 says (C1–C7): the calendar alone, no engine."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest

from partyflow.rules.calendar import Calendar, PeriodError
from partyflow.rules.durations import Duration, period_problem
from partyflow.rules.working_days import WorkingDays

SH = ZoneInfo("Asia/Shanghai")
CAL = Calendar()


def at(y: int, m: int, d: int, h: int = 10, mi: int = 0) -> dt.datetime:
    return dt.datetime(y, m, d, h, mi, tzinfo=SH)


def deadline(period: str, start: dt.datetime, cal: Calendar = CAL) -> dt.datetime:
    return cal.deadline(Duration.parse(period), start).at


def last_day(period: str, start: dt.datetime, cal: Calendar = CAL) -> dt.date | None:
    return cal.deadline(Duration.parse(period), start).last_day


@pytest.mark.parametrize("issued", [at(2026, 1, 10, 0, 0), at(2026, 1, 10, 10), at(2026, 1, 10, 23, 59)])
def test_c1_c3_a_30_day_letter_is_valid_all_through_its_last_day(issued: dt.datetime) -> None:
    end = deadline("P30D", issued)
    assert at(2026, 2, 9, 0, 0) < end and at(2026, 2, 9, 23, 59) < end  # 9 Feb: in time
    assert not at(2026, 2, 10, 0, 0) < end  # 10 Feb at any hour: late
    assert end == at(2026, 2, 10, 0, 0)
    assert end.tzinfo == dt.UTC


def test_c3_the_local_day_counts_not_the_utc_day() -> None:
    # 31 January 07:00 in Beijing is still 30 January in UTC
    start = at(2026, 1, 31, 7)
    assert last_day("P1M", start) == dt.date(2026, 2, 28)
    assert deadline("P1M", start) == at(2026, 3, 1, 0, 0)
    # another zone named in the rules counts by its own days
    utc = Calendar(time_zone="UTC")
    assert utc.local_date(start) == dt.date(2026, 1, 30)
    assert last_day("P1M", start, utc) == dt.date(2026, 2, 28)  # 30 Jan + 1 month
    assert deadline("P1M", start, utc) == dt.datetime(2026, 3, 1, tzinfo=dt.UTC)


@pytest.mark.parametrize(("start", "period", "last"), [
    (dt.date(2026, 1, 31), "P1M", dt.date(2026, 2, 28)),
    (dt.date(2028, 1, 31), "P1M", dt.date(2028, 2, 29)),
    (dt.date(2026, 1, 31), "P3M", dt.date(2026, 4, 30)),
    (dt.date(2026, 8, 31), "P6M", dt.date(2027, 2, 28)),
    (dt.date(2028, 2, 29), "P1Y", dt.date(2029, 2, 28)),
    (dt.date(2026, 3, 15), "P1M", dt.date(2026, 4, 15)),
])
def test_c2_months_and_years_end_on_the_corresponding_day_or_the_months_last(
        start: dt.date, period: str, last: dt.date) -> None:
    assert last_day(period, at(start.year, start.month, start.day)) == last


def test_exact_hour_periods_stay_exact() -> None:
    start = at(2026, 1, 10, 10, 30)
    assert deadline("PT48H", start) == start + dt.timedelta(hours=48)
    assert last_day("PT48H", start) is None


def test_c5_working_days_across_the_2026_spring_festival() -> None:
    # Thursday 12 February 2026: 13 Fri, 14 Sat (make-up day), then 15–23 off, 24, 25, 26
    d = CAL.deadline(Duration.parse("P5WD"), at(2026, 2, 12, 15))
    assert d.last_day == dt.date(2026, 2, 26)
    assert not d.estimated
    assert last_day("P1WD", at(2026, 2, 13)) == dt.date(2026, 2, 14)  # a working Saturday
    assert last_day("P1WD", at(2026, 2, 14)) == dt.date(2026, 2, 24)
    assert last_day("P1WD", at(2026, 2, 27)) == dt.date(2026, 2, 28)  # the second one
    assert last_day("P1WD", at(2026, 2, 28)) == dt.date(2026, 3, 2)


def test_c5_a_year_without_a_notice_is_estimated() -> None:
    d = CAL.deadline(Duration.parse("P5WD"), at(2026, 12, 28))
    # 29, 30, 31 December; 1 January 2027 is New Year's Day (estimated); 4, 5 January
    assert d.last_day == dt.date(2027, 1, 5)
    assert d.estimated
    assert not CAL.deadline(Duration.parse("P3WD"), at(2026, 12, 28)).estimated
    # a calendar-day period does not consult the working days: never estimated
    assert not CAL.deadline(Duration.parse("P30D"), at(2026, 12, 28)).estimated


def test_local_overrides_add_days_and_publish_a_year() -> None:
    working = WorkingDays(holidays=[dt.date(2026, 2, 13)], working_days=[dt.date(2027, 1, 2)],
                          published_years=[2027])
    cal = Calendar(working=working)
    assert last_day("P1WD", at(2026, 2, 12), cal) == dt.date(2026, 2, 14)
    d = cal.deadline(Duration.parse("P5WD"), at(2026, 12, 28))
    assert d.last_day == dt.date(2027, 1, 4)  # 2 January now works
    assert not d.estimated


def test_c4_extension_past_holidays_is_a_local_choice() -> None:
    start = at(2026, 2, 10)  # + 5 days = Sunday 15 February, in the Spring Festival
    assert last_day("P5D", start) == dt.date(2026, 2, 15)
    extended = Calendar(extend_past_holidays=True)
    assert last_day("P5D", start, extended) == dt.date(2026, 2, 24)
    assert last_day("P3D", at(2026, 2, 10), extended) == dt.date(2026, 2, 13)  # a Friday
    assert last_day("P4D", at(2026, 2, 10), extended) == dt.date(2026, 2, 14)  # works


@pytest.mark.parametrize(("issued", "days", "exceeds"), [
    (at(2027, 2, 1), "P90D", True),   # last day 2 May; three months end 1 May
    (at(2027, 2, 1), "P89D", False),  # 1 May: exactly three months
    (at(2026, 3, 1), "P92D", False),  # last day 1 June = three months
    (at(2026, 3, 1), "P93D", True),
])
def test_c6_at_most_three_months_compares_end_dates(issued: dt.datetime, days: str,
                                                     exceeds: bool) -> None:
    limit = CAL.length(Duration.parse("P3M"), issued)
    assert (CAL.length(Duration.parse(days), issued) > limit) is exceeds


def test_c6_lengths_compare_like_their_ends() -> None:
    start = at(2026, 1, 31)
    assert CAL.length(Duration.parse("P1M"), start) == dt.timedelta(days=28)
    assert CAL.length(Duration.parse("P0D"), start) == dt.timedelta(0)
    assert CAL.length(Duration.parse("PT48H"), start) == dt.timedelta(hours=48)


def test_c7_a_typed_date_is_local_midnight() -> None:
    assert CAL.start_of(dt.date(2026, 3, 1)) == at(2026, 3, 1, 0, 0)
    assert CAL.start_of(dt.date(2026, 3, 1)).tzinfo == dt.UTC


def test_reminders_count_back_from_the_last_day() -> None:
    end = deadline("P30D", at(2026, 1, 10))  # last day 9 February
    assert CAL.remind_at(Duration.parse("P3D"), end) == at(2026, 2, 7, 0, 0)
    assert CAL.remind_at(Duration.parse("PT24H"), end) == at(2026, 2, 9, 0, 0)
    wd_end = deadline("P5WD", at(2026, 2, 12))  # last day 26 February
    assert CAL.remind_at(Duration.parse("P2WD"), wd_end) == at(2026, 2, 25, 0, 0)
    assert CAL.remind_at(Duration.parse("P3WD"), wd_end) == at(2026, 2, 24, 0, 0)
    assert CAL.remind_at(Duration.parse("P4WD"), wd_end) == at(2026, 2, 14, 0, 0)


def test_the_next_period_follows_the_one_that_passed() -> None:
    first = CAL.deadline(Duration.parse("P30D"), at(2026, 1, 10))
    nxt = CAL.following(Duration.parse("P30D"), first.at)
    assert nxt.last_day == dt.date(2026, 3, 11)  # 30 days after 9 February
    exact = CAL.following(Duration.parse("PT48H"), first.at)
    assert exact.at == first.at + dt.timedelta(hours=48)


def test_a_period_past_the_calendar_is_a_period_error() -> None:
    with pytest.raises(PeriodError):
        CAL.deadline(Duration.parse("P100Y"), dt.datetime(9990, 1, 1, tzinfo=dt.UTC))
    with pytest.raises(PeriodError):
        CAL.length(Duration.parse("P100Y"), dt.datetime(9990, 1, 1, tzinfo=dt.UTC))


@pytest.mark.parametrize(("text", "ok"), [
    ("P100Y", True), ("P36525D", True), ("P101Y", False), ("P9000Y", False),
    ("PT99999H", True), ("P99999M", False), ("P26100WD", True), ("P26101WD", False),
    ("P1DT12H", False), ("P30D", True), ("P5WD", True), ("PT48H", True),
])
def test_periods_are_bounded_and_not_mixed(text: str, ok: bool) -> None:
    assert (period_problem(Duration.parse(text)) is None) is ok


def test_working_days_have_one_written_form() -> None:
    d = Duration.parse("P5WD")
    assert d.working_days == 5 and str(d) == "P5WD" and not d.is_exact
    for bad in ("P5WDT1H", "P1W5WD", "5WD", "PWD", "P1234567WD"):
        with pytest.raises(ValueError):
            Duration.parse(bad)

"""Deadlines in the engine (RULES.md §6): local days, bounded periods, reminders, isolated ticks,
time that never goes back. On every store."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest

from partyflow import (
    Actor,
    ClockWentBack,
    ConditionFailed,
    DeadlineError,
    Engine,
    InvalidEventData,
    RuleSet,
    Store,
    UsageError,
    load_rules_text,
)
from partyflow.testing import FakeClock

from .conftest import FIXTURES
from .edits import edited_text

SH = ZoneInfo("Asia/Shanghai")
SENDER = Actor("s-1", "sender", "org-1")
RECEIVER = Actor("r-1", "receiver", "org-2")
LETTER = FIXTURES / "letter.yaml"


def local(y: int, m: int, d: int, h: int = 0, mi: int = 0) -> dt.datetime:
    return dt.datetime(y, m, d, h, mi, tzinfo=SH)


def letter_rules(*edits: tuple[str, str]) -> RuleSet:
    return load_rules_text(edited_text(LETTER, *edits) if edits else LETTER.read_text("utf-8"),
                           str(LETTER))


@pytest.fixture
def letters(store: Store) -> tuple[Engine, FakeClock]:
    clock = FakeClock(local(2026, 1, 10, 10))
    return Engine(letter_rules(), store=store, clock=clock), clock


@pytest.mark.parametrize(("when", "fires"), [
    (local(2026, 2, 9, 23, 59), False),  # the last day, at any hour: still valid
    (local(2026, 2, 10, 0, 0), True),    # 24:00 of the last day
])
def test_a_30_day_letter_expires_after_its_last_local_day(
        letters: tuple[Engine, FakeClock], when: dt.datetime, fires: bool) -> None:
    engine, clock = letters
    inst = engine.start("letter", {}, SENDER)
    assert inst.deadline_at == local(2026, 2, 10)
    clock.set(when)
    report = engine.tick()
    assert bool(report.fired) is fires
    assert engine.get(inst.id).state == ("expired" if fires else "issued")


@pytest.mark.parametrize(("issued", "validity", "ok"), [
    (local(2027, 2, 1, 9), "P90D", False),  # ends 2 May: more than three months (1 May)
    (local(2027, 2, 1, 9), "P89D", True),
    (local(2026, 3, 1, 9), "P92D", True),   # ends 1 June: exactly three months
    (local(2026, 3, 1, 9), "P93D", False),
])
def test_at_most_three_months_is_counted_by_the_calendar(
        store: Store, issued: dt.datetime, validity: str, ok: bool) -> None:
    engine = Engine(letter_rules(), store=store, clock=FakeClock(issued))
    inst = engine.start("letter", {"validity": validity}, SENDER)
    if ok:
        assert engine.fire(inst.id, "receive", RECEIVER).state == "received"
    else:
        with pytest.raises(ConditionFailed) as refused:
            engine.fire(inst.id, "receive", RECEIVER)
        assert "P3M" in refused.value.failures[0].text.en


@pytest.mark.parametrize("validity", ["P9000Y", "P101Y", "P1DT12H"])
def test_a_period_out_of_bounds_is_refused_at_start(letters: tuple[Engine, FakeClock],
                                                    validity: str) -> None:
    engine, _ = letters
    with pytest.raises(InvalidEventData) as refused:
        engine.start("letter", {"validity": validity}, SENDER)
    assert refused.value.errors[0].field == "validity"
    assert engine.store.overdue(local(9999, 1, 1), None, 10) == []


def test_a_deadline_off_the_calendar_is_a_typed_refusal(store: Store) -> None:
    engine = Engine(letter_rules(), store=store, clock=FakeClock(local(9950, 1, 1)))
    with pytest.raises(DeadlineError) as refused:
        engine.start("letter", {"validity": "P100Y"}, SENDER)
    assert refused.value.period == "P100Y" and refused.value.state == "issued"


_TWO_STEP = (
    ("      received: {label: {zh: 已接收, en: Received}, terminal: true}",
     "      received: {label: {zh: 已接收, en: Received}, terminal: true}\n"
     "      waiting:\n"
     "        label: {zh: 等待, en: Waiting}\n"
     "        deadline: later\n"
     "        on_timeout: expire"),
    ("      validity: {type: duration, default: P30D, label: {zh: 有效期, en: Validity}}",
     "      validity: {type: duration, default: P30D, label: {zh: 有效期, en: Validity}}\n"
     "      later: {type: duration, default: P1D, label: {zh: 等待期, en: Wait}}"),
    ("      - trigger: expire\n        source: issued\n",
     "      - trigger: expire\n        source: [issued, waiting]\n"),
    ("        deadline: validity\n        on_timeout: expire",
     "        deadline: validity\n        on_timeout: wait"),
    ("    transitions:\n",
     "    transitions:\n      - trigger: wait\n        source: issued\n        dest: waiting\n"
     "        roles: [sender]\n"),
)


def test_one_instance_that_cannot_be_handled_does_not_stop_a_tick(store: Store) -> None:
    clock = FakeClock(local(9950, 1, 1))
    engine = Engine(letter_rules(*_TWO_STEP), store=store, clock=clock)
    bad = engine.start("letter", {"validity": "P1D", "later": "P100Y"}, SENDER, instance_id="a")
    good = engine.start("letter", {"validity": "P1D"}, SENDER, instance_id="b")
    clock.advance("P3D")
    report = engine.tick()
    assert [i for i, _ in report.refused] == [bad.id]
    assert isinstance(report.refused[0][1], DeadlineError)
    assert report.fired == [(good.id, "wait", "issued", "waiting")]
    assert engine.get(bad.id).state == "issued"  # nothing half-written


def test_an_unexpected_error_is_reported_and_the_tick_goes_on(
        letters: tuple[Engine, FakeClock], monkeypatch: pytest.MonkeyPatch) -> None:
    engine, clock = letters
    first = engine.start("letter", {}, SENDER, instance_id="a")
    second = engine.start("letter", {}, SENDER, instance_id="b")
    import partyflow.workflows.engine as engine_module

    real = engine_module.timeout_step

    def broken(ctx, inst, now):  # type: ignore[no-untyped-def]
        if inst.id == first.id:
            raise ValueError("a defect")
        return real(ctx, inst, now)

    monkeypatch.setattr(engine_module, "timeout_step", broken)
    clock.advance("P31D")
    report = engine.tick()
    assert [(i, type(e).__name__) for i, e in report.failed] == [(first.id, "ValueError")]
    assert [f[0] for f in report.fired] == [second.id]


def test_a_tick_cannot_run_ahead_of_the_clock(letters: tuple[Engine, FakeClock]) -> None:
    engine, clock = letters
    engine.start("letter", {}, SENDER)
    with pytest.raises(UsageError):
        engine.tick(now=clock.now() + dt.timedelta(days=40))
    assert engine.tick(now=clock.now() - dt.timedelta(days=1)).fired == []


def test_a_clock_that_went_back_is_refused(letters: tuple[Engine, FakeClock]) -> None:
    engine, clock = letters
    inst = engine.start("letter", {}, SENDER)
    clock.set(clock.now() - dt.timedelta(seconds=1))
    with pytest.raises(ClockWentBack) as refused:
        engine.fire(inst.id, "receive", RECEIVER)
    assert refused.value.last_at == local(2026, 1, 10, 10)
    assert len(engine.history(inst.id)) == 1
    clock.set(local(2026, 1, 10, 10))  # the same instant is not going back
    assert engine.fire(inst.id, "receive", RECEIVER).state == "received"


_REMIND = (("        deadline: validity\n        on_timeout: expire",
            "        deadline: validity\n        on_timeout: expire\n        remind_before: P3D"),)


def test_a_reminder_is_recorded_once_before_the_deadline(store: Store) -> None:
    clock = FakeClock(local(2026, 1, 10, 10))
    engine = Engine(letter_rules(*_REMIND), store=store, clock=clock)
    inst = engine.start("letter", {}, SENDER)  # last day 9 February
    assert inst.remind_at == local(2026, 2, 7)
    clock.set(local(2026, 2, 6, 23, 59))
    assert engine.tick().reminded == []
    clock.set(local(2026, 2, 7, 8))
    report = engine.tick()
    assert report.reminded == [(inst.id, "issued", local(2026, 2, 10))]
    assert engine.tick().reminded == []  # once per deadline
    after = engine.get(inst.id)
    assert (after.state, after.remind_at, after.deadline_at) == ("issued", None,
                                                                 local(2026, 2, 10))
    last = engine.history(inst.id)[-1]
    assert (last.trigger, last.from_state, last.to_state, last.actor_role) == (
        "remind_deadline", "issued", "issued", "system")
    assert last.data == {"deadline_at": local(2026, 2, 10).astimezone(dt.UTC).isoformat(),
                         "remind_before": "P3D"}
    assert engine.verify(inst.id) == 2


def test_a_deadline_that_passed_unreminded_times_out_without_a_reminder(store: Store) -> None:
    clock = FakeClock(local(2026, 1, 10, 10))
    engine = Engine(letter_rules(*_REMIND), store=store, clock=clock)
    inst = engine.start("letter", {}, SENDER)
    clock.set(local(2026, 2, 11))
    report = engine.tick()
    assert report.reminded == [] and [f[0] for f in report.fired] == [inst.id]


def test_due_within_lists_deadlines_by_their_last_day(letters: tuple[Engine, FakeClock]) -> None:
    engine, clock = letters
    soon = engine.start("letter", {"validity": "P3D"}, SENDER, instance_id="soon")
    engine.start("letter", {"validity": "P10D"}, SENDER, instance_id="later")
    past = engine.start("letter", {"validity": "P1D"}, SENDER, instance_id="past")
    clock.set(local(2026, 1, 12, 9))  # "past" ended 11 January; "soon" ends 13 January
    # as remind_before would: P2D = the last day and the day before it
    assert [i.id for i in engine.due_within("P2D")] == [soon.id]
    assert [i.id for i in engine.due_within("P1D")] == []  # from 13 January only
    assert [i.id for i in engine.due_within("PT40H")] == [soon.id]  # before 14 Jan 01:00
    assert past.id not in [i.id for i in engine.due_within("P30D")]
    assert [i.id for i in engine.due_within("P30D")] == ["soon", "later"]
    with pytest.raises(UsageError):
        list(engine.due_within("three days"))


def _receive_when(expr: str, message_en: str, date_input: str,
                  *edits: tuple[str, str]) -> RuleSet:
    """The letter rules with ``receive`` guarded by ``expr`` and a date input added."""
    receive = ("      - trigger: receive\n        source: issued\n        dest: received\n"
               "        roles: [receiver]\n        conditions:\n")
    validity = ("      validity: {type: duration, default: P30D, label: {zh: 有效期, "
                "en: Validity}}")
    return load_rules_text(edited_text(
        LETTER, (receive, f"{receive}          - expr: {expr}\n"
                          f"            message: {{zh: 不符, en: {message_en}}}\n"),
        (validity, f"{validity}\n      {date_input}: "
                   "{type: date, label: {zh: 日期, en: Date}}"), *edits), str(LETTER))


def test_dates_typed_by_people_are_local_dates(store: Store) -> None:
    rules = _receive_when("now < valid_until", "too late", "valid_until")
    clock = FakeClock(local(2026, 3, 1, 7, 59))  # 23:59 UTC on 28 February
    engine = Engine(rules, store=store, clock=clock)
    inst = engine.start("letter", {"valid_until": "2026-03-01"}, SENDER)
    with pytest.raises(ConditionFailed):  # 1 March has begun in Beijing
        engine.fire(inst.id, "receive", RECEIVER)


def test_within_counts_a_period_since_a_typed_date_by_the_calendar(store: Store) -> None:
    """``within(date, "period")`` (T10's yearly report): on or before the last day of the
    period counted from the day after the date (C1–C3), not a number of hours."""
    rules = _receive_when(
        'within(reported_on, "report_every")', "no report for over a year", "reported_on",
        ("    parameters:\n",
         "    parameters:\n      report_every:\n        type: duration\n        value: P1Y\n"
         "        basis: T10\n        label: {zh: 报告间隔, en: Report interval}\n"))
    for when, ok in ((local(2028, 9, 3, 23, 59), True), (local(2028, 9, 4), False)):
        clock = FakeClock(local(2028, 1, 5))
        engine = Engine(rules, store=store, clock=clock)
        # a leap year inside the period: 366 days from 3 September 2027 to 3 September 2028
        inst = engine.start("letter", {"reported_on": "2027-09-03"}, SENDER)
        clock.set(when)
        if ok:
            assert engine.fire(inst.id, "receive", RECEIVER).state == "received"
        else:
            with pytest.raises(ConditionFailed, match="over a year"):
                engine.fire(inst.id, "receive", RECEIVER)

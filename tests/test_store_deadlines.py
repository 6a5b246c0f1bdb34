"""The store's deadline columns (``deadline_estimated``, ``remind_at``, ``last_step_at``) and
its two deadline queries, ``reminders_due`` and ``due_between``, on every store.

Instances are written through the ``Store`` API directly (no engine), so these tests say what
a store keeps and returns, whatever the engine puts in the fields.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from partyflow import Store
from partyflow.stores.sql import SqlStore
from partyflow.workflows.records import AuditRecord, Instance

from .conftest import postgres_schema

T0 = dt.datetime(2027, 3, 1, 9, 0, tzinfo=dt.UTC)
H = "ab" * 32
DAY = dt.timedelta(days=1)
HOUR = dt.timedelta(hours=1)


def _instance(iid: str, *, deadline: dt.datetime | None = None,
              remind: dt.datetime | None = None, terminal: bool = False,
              estimated: bool = False, last_step: dt.datetime | None = None) -> Instance:
    return Instance(iid, "mini_election", "done" if terminal else "open", {"expected": 40}, 1,
                    "1", H, T0, T0, deadline, terminal, H, "community-1",
                    deadline_estimated=estimated, remind_at=remind, last_step_at=last_step)


def _record(inst: Instance, seq: int = 1, at: dt.datetime = T0) -> AuditRecord:
    return AuditRecord(inst.id, seq, at, "sec-1", "secretary", "community-1",
                       "start" if seq == 1 else "vote", None if seq == 1 else "open",
                       inst.state, {}, inst.rules_version, inst.rules_hash, None, None,
                       "" if seq == 1 else H, H)


def _put(store: Store, *instances: Instance) -> None:
    for inst in instances:
        store.create(inst, _record(inst))


def _ids(found: list[Instance]) -> list[str]:
    return [i.id for i in found]


Query = Callable[[tuple[dt.datetime, str] | None, int], list[Instance]]


def _walk(query: Query, key: Callable[[Instance], dt.datetime | None],
          limit: int) -> list[str]:
    """Every page of ``query``, each continuing after the last row of the one before."""
    found: list[str] = []
    after: tuple[dt.datetime, str] | None = None
    while True:
        page = query(after, limit)
        assert len(page) <= limit
        found += _ids(page)
        if len(page) < limit:
            return found
        moment = key(page[-1])
        assert moment is not None
        after = (moment, page[-1].id)


# -- the three columns ------------------------------------------------------------------------


def test_new_columns_round_trip(store: Store) -> None:
    plain = _instance("plain", deadline=T0 + DAY)
    _put(store, plain)
    assert store.get("plain") == plain
    got = store.get("plain")
    assert (got.deadline_estimated, got.remind_at, got.last_step_at) == (False, None, None)

    east8 = dt.timezone(dt.timedelta(hours=8))
    full = _instance("full", deadline=T0 + 10 * DAY, estimated=True,
                     remind=(T0 + 7 * DAY + dt.timedelta(microseconds=123456)).astimezone(east8),
                     last_step=T0 + dt.timedelta(microseconds=1))
    _put(store, full)
    got = store.get("full")
    assert got == full
    assert got.deadline_estimated is True
    assert got.remind_at is not None and got.remind_at.astimezone(dt.UTC).microsecond == 123456

    later = T0 + 2 * HOUR
    stepped = dataclasses.replace(full, version=2, state="voted", updated_at=later,
                                  deadline_estimated=False, remind_at=None, last_step_at=later)
    store.commit(stepped, 1, _record(stepped, 2, later))
    assert store.get("full") == stepped
    again = dataclasses.replace(stepped, version=3, deadline_estimated=True,
                                remind_at=later + DAY, last_step_at=later + HOUR)
    store.commit(again, 2, _record(again, 3, later + HOUR))
    assert store.get("full") == again
    assert store.get("plain") == plain  # the other row untouched
    assert {i.id: i for i in store.instances()} == {"full": again, "plain": plain}


# -- reminders_due ----------------------------------------------------------------------------


def _reminders(store: Store, now: dt.datetime) -> Query:
    return lambda after, limit: store.reminders_due(now, after, limit)


def test_reminders_due(store: Store) -> None:
    now = T0 + 5 * DAY
    _put(store,
         _instance("r-equal-now", remind=now, deadline=now + DAY),  # remind_at == now: due
         _instance("r-b", remind=now - DAY, deadline=now + 2 * DAY),
         _instance("r-a", remind=now - DAY, deadline=now + HOUR),  # same time: by id
         _instance("r-oldest", remind=now - 3 * DAY, deadline=now + dt.timedelta(seconds=1)),
         _instance("x-later", remind=now + dt.timedelta(microseconds=1), deadline=now + DAY),
         _instance("x-deadline-now", remind=now - DAY, deadline=now),  # deadline == now: not
         _instance("x-deadline-past", remind=now - 2 * DAY, deadline=now - DAY),
         _instance("x-no-deadline", remind=now - DAY),
         _instance("x-no-remind", deadline=now + DAY),
         _instance("x-terminal", remind=now - DAY, deadline=now + DAY, terminal=True))
    expected = ["r-oldest", "r-a", "r-b", "r-equal-now"]
    assert _ids(store.reminders_due(now, None, 100)) == expected
    assert _ids(store.reminders_due(now, None, 2)) == expected[:2]
    # after: strictly past (remind_at, id), ties broken by id
    assert _ids(store.reminders_due(now, (now - DAY, "r-a"), 100)) == ["r-b", "r-equal-now"]
    assert _ids(store.reminders_due(now, (now - DAY, "r-b"), 100)) == ["r-equal-now"]
    assert _ids(store.reminders_due(now, (now - DAY, ""), 100)) == ["r-a", "r-b", "r-equal-now"]
    assert _ids(store.reminders_due(now, (now - 10 * DAY, "zzz"), 100)) == expected
    assert store.reminders_due(now, (now, "r-equal-now"), 100) == []
    for limit in (1, 2, 3, 4, 5):
        assert _walk(_reminders(store, now), lambda i: i.remind_at, limit) == expected
    # the rows come back whole
    assert store.reminders_due(now, None, 1) == [store.get("r-oldest")]
    # a moment earlier or later moves both bounds
    assert _ids(store.reminders_due(now - dt.timedelta(microseconds=1), None, 100)) == \
        ["r-oldest", "r-a", "r-b", "x-deadline-now"]
    assert _ids(store.reminders_due(now + HOUR, None, 100)) == \
        ["r-b", "r-equal-now", "x-later"]  # r-oldest's and r-a's deadlines have come


def test_reminders_stop_when_the_instance_ends(store: Store) -> None:
    now = T0 + DAY
    inst = _instance("case", remind=now - HOUR, deadline=now + DAY)
    _put(store, inst)
    assert _ids(store.reminders_due(now, None, 10)) == ["case"]
    ended = dataclasses.replace(inst, version=2, state="done", terminal=True)
    store.commit(ended, 1, _record(ended, 2))
    assert store.reminders_due(now, None, 10) == []
    sent = dataclasses.replace(inst, version=3, remind_at=None)
    store.commit(sent, 2, _record(sent, 3))
    assert store.reminders_due(now, None, 10) == []


# -- due_between ------------------------------------------------------------------------------


def _between(store: Store, start: dt.datetime, end: dt.datetime) -> Query:
    return lambda after, limit: store.due_between(start, end, after, limit)


def test_due_between(store: Store) -> None:
    start, end = T0, T0 + 7 * DAY
    _put(store,
         _instance("x-at-start", deadline=start),  # deadline == start: not in
         _instance("d-first", deadline=start + dt.timedelta(microseconds=1)),
         _instance("d-b", deadline=start + DAY, remind=start - DAY),
         _instance("d-a", deadline=start + DAY),  # same time: by id
         _instance("d-at-end", deadline=end),  # deadline == end: in
         _instance("x-after-end", deadline=end + dt.timedelta(microseconds=1)),
         _instance("x-before", deadline=start - DAY),
         _instance("x-none"),
         _instance("x-terminal", deadline=start + 2 * DAY, terminal=True))
    expected = ["d-first", "d-a", "d-b", "d-at-end"]
    assert _ids(store.due_between(start, end, None, 100)) == expected
    assert _ids(store.due_between(start, end, None, 3)) == expected[:3]
    assert _ids(store.due_between(start, end, (start + DAY, "d-a"), 100)) == ["d-b", "d-at-end"]
    assert _ids(store.due_between(start, end, (start + DAY, "d-b"), 100)) == ["d-at-end"]
    assert _ids(store.due_between(start, end, (start + DAY, ""), 100)) == \
        ["d-a", "d-b", "d-at-end"]
    assert store.due_between(start, end, (end, "d-at-end"), 100) == []
    # an ``after`` at or before ``start`` leaves every row in the window after it
    assert _ids(store.due_between(start, end, (start, "zzz"), 100)) == expected
    assert _ids(store.due_between(start, end, (start - 10 * DAY, "zzz"), 100)) == expected
    for limit in (1, 2, 3, 4, 5):
        assert _walk(_between(store, start, end), lambda i: i.deadline_at, limit) == expected
    assert store.due_between(start, end, None, 1) == [store.get("d-first")]
    # both bounds move with their arguments
    assert _ids(store.due_between(start - dt.timedelta(microseconds=1), end, None, 100)) == \
        ["x-at-start", *expected]
    assert _ids(store.due_between(start, end + dt.timedelta(microseconds=1), None, 100)) == \
        [*expected, "x-after-end"]
    assert _ids(store.due_between(start + DAY, end, None, 100)) == ["d-at-end"]
    assert store.due_between(end, end, None, 100) == []
    assert store.due_between(end, start, None, 100) == []


def test_times_in_other_zones_compare_as_instants(store: Store) -> None:
    east8 = dt.timezone(dt.timedelta(hours=8))
    _put(store, _instance("a", deadline=T0 + DAY, remind=T0),
         _instance("b", deadline=T0 + 2 * DAY, remind=T0 + HOUR))
    now = (T0 + HOUR).astimezone(east8)
    assert _ids(store.reminders_due(now, None, 10)) == ["a", "b"]
    assert _ids(store.reminders_due(now, (T0.astimezone(east8), "a"), 10)) == ["b"]
    assert _ids(store.due_between(now, (T0 + DAY).astimezone(east8), None, 10)) == ["a"]
    assert _ids(store.due_between(now, (T0 + 3 * DAY).astimezone(east8),
                                  ((T0 + DAY).astimezone(east8), "a"), 10)) == ["b"]


# -- both queries read an index ---------------------------------------------------------------

ROWS = 3000


@pytest.fixture(params=["sqlite-file", "postgresql"])
def sql_store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[SqlStore]:
    if request.param == "postgresql":
        with postgres_schema() as url:
            store = SqlStore(url)
            yield store
            store.close()
        return
    store = SqlStore(f"sqlite:///{tmp_path / 'pf.db'}")
    yield store
    store.close()


def _fill(store: SqlStore, now: dt.datetime) -> None:
    """ROWS instances: deadlines spread over a year around ``now``, a third of them ended,
    reminders three days before a deadline still to come (sent ones cleared)."""
    with store._tx() as conn:
        for n in range(ROWS):
            deadline = now + dt.timedelta(hours=3 * (n - ROWS // 2))
            terminal = n % 3 == 0
            remind = deadline - 3 * DAY if deadline > now and not terminal else None
            inst = _instance(f"i{n:05d}", deadline=deadline, remind=remind, terminal=terminal)
            store._run(conn, "insert_instance",
                       {f.name: getattr(inst, f.name) for f in dataclasses.fields(inst)})
    with store._tx():  # statistics, as a database in service has them
        store._local.dbapi.cursor().execute("ANALYZE")


def _plan(store: SqlStore, key: str, params: dict[str, Any]) -> str:
    sql = store._sql[key]
    args: Any
    if sql.names is None:
        args = {k: (c(v) if (c := store._convert.get(k)) else v)
                for k, v in {**sql.defaults, **params}.items()}
    else:
        values = {**sql.defaults, **params}
        args = [c(values[k]) if c else values[k] for k, c in store._plans[key]]
    prefix = "EXPLAIN QUERY PLAN " if store._sqlite else "EXPLAIN "
    with store._tx():
        cursor = store._local.dbapi.cursor()
        cursor.execute(prefix + sql.text, args)
        return "\n".join(str(row[-1] if store._sqlite else row[0]) for row in cursor.fetchall())


def test_queries_read_an_index_in_order(sql_store: SqlStore) -> None:
    now = T0 + 100 * DAY
    _fill(sql_store, now)
    end = now + 7 * DAY
    due = sql_store.reminders_due(now, None, 1000)
    assert len(due) == 16  # deadlines 3 h apart in (now, now + 3 days]: 24, 8 of them ended
    window = sql_store.due_between(now, end, None, 1000)
    assert len(window) == 38  # in (now, now + 7 days]: 56, 18 ended
    after_r = (due[5].remind_at, due[5].id)
    after_d = (window[5].deadline_at, window[5].id)
    cases = {
        "reminders_due": ("ix_pf_instances_remind", {"b_now": now, "b_limit": 10}),
        "reminders_due_after": ("ix_pf_instances_remind", {
            "b_now": now, "b_limit": 10, "b_after_at": after_r[0], "b_after_id": after_r[1]}),
        "due_between": ("ix_pf_instances_deadline", {
            "b_start": now, "b_end": end, "b_limit": 10}),
        "due_between_after": ("ix_pf_instances_deadline", {
            "b_end": end, "b_limit": 10, "b_after_at": after_d[0], "b_after_id": after_d[1]}),
    }
    for key, (index, params) in cases.items():
        plan = _plan(sql_store, key, params)
        assert index in plan, (key, plan)
        assert "SCAN pf_instances" not in plan and "Seq Scan" not in plan, (key, plan)
        assert "TEMP B-TREE" not in plan and "Sort" not in plan, (key, plan)  # index order
        if key.endswith("_after"):  # the page starts at ``after`` in the index
            assert ("id)>(?,?)" if sql_store._sqlite else "ROW(") in plan, (key, plan)
    assert _ids(sql_store.reminders_due(now, after_r, 1000)) == _ids(due[6:])
    assert _ids(sql_store.due_between(now, end, after_d, 1000)) == _ids(window[6:])


def test_a_page_deep_in_the_results_costs_what_the_first_does(tmp_path: Path) -> None:
    """On SQLite, counted in virtual-machine steps: a page starts at its ``after`` in the
    index, not by filtering every row before it."""
    now = T0 + 100 * DAY
    store = SqlStore(f"sqlite:///{tmp_path / 'pf.db'}")
    try:
        with store._tx() as conn:
            for n in range(ROWS):  # all due: reminders an hour apart, deadlines a month on
                inst = _instance(f"i{n:05d}", remind=now - n * HOUR, deadline=now + 30 * DAY)
                store._run(conn, "insert_instance",
                           {f.name: getattr(inst, f.name) for f in dataclasses.fields(inst)})
        store.get("i00000")  # this thread's connection
        steps = [0]

        def count() -> int:
            steps[0] += 1
            return 0

        def cost(query: Callable[[], list[Instance]]) -> int:
            steps[0] = 0
            assert len(query()) == 20
            return steps[0]

        store._local.dbapi.set_progress_handler(count, 1)
        early, late = now - (ROWS - 10) * HOUR, now - 10 * HOUR
        first = cost(lambda: store.reminders_due(now, (early, ""), 20))
        deep = cost(lambda: store.reminders_due(now, (late - 20 * HOUR, ""), 20))
        assert deep < 2 * first, (first, deep)
        start, end = now, now + 60 * DAY
        first = cost(lambda: store.due_between(start - DAY, end, None, 20))
        deep = cost(lambda: store.due_between(start - DAY, end,
                                              (now + 30 * DAY, "i02900"), 20))
        assert deep < 2 * first, (first, deep)
    finally:
        store.close()

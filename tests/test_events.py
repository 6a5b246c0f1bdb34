"""The outbox (事件): every committed step is an event, written in the step's own transaction,
delivered in order and at least once with a consumer cursor — on every store."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from partyflow import Actor, ConditionFailed, Engine, RuleSet, Store, UsageError
from partyflow.testing import FakeClock

SEC = Actor("wang", "secretary", "org-1")
SUP = Actor("li", "superior", "org-0")


def _drain(engine: Engine, after: str = "", limit: int = 2) -> tuple[list[tuple[str, int]], str]:
    seen: list[tuple[str, int]] = []
    while page := engine.events(after, limit=limit):
        seen += [(e.record.instance_id, e.record.seq) for e in page]
        after = page[-1].cursor
    return seen, after


def test_every_committed_step_is_one_event_in_order(mini_rules: RuleSet, store: Store,
                                                    clock: FakeClock) -> None:
    engine = Engine(mini_rules, store=store, clock=clock)
    a = engine.start("mini_election", {"expected": 10}, SEC)
    b = engine.start("mini_election", {"expected": 10}, SEC)
    engine.fire(a.id, "vote", SEC, {"present": 9})
    with pytest.raises(ConditionFailed):  # a refused step writes no event
        engine.fire(b.id, "vote", SEC, {"present": 1})
    engine.fire(b.id, "vote", SEC, {"present": 9}, idempotency_key="k")
    engine.fire(b.id, "vote", SEC, {"present": 9}, idempotency_key="k")  # replay: no event
    seen, cursor = _drain(engine)
    assert seen == [(a.id, 1), (b.id, 1), (a.id, 2), (b.id, 2)]
    [first] = engine.events(limit=1)
    assert first.record.trigger == "start" and first.record.actor_id == "wang"
    # a consumer resuming from its cursor gets only what came after
    engine.fire(a.id, "report", SEC)
    later, cursor = _drain(engine, cursor)
    assert later == [(a.id, 3)]
    assert engine.events(cursor) == []
    clock.advance("P2M")
    engine.tick()  # a timeout (escalate) is an event too
    ticked, _ = _drain(engine, cursor)
    assert ticked and ticked[0][0] == a.id
    with pytest.raises(UsageError):
        engine.events("not a cursor")


def test_an_event_of_a_slow_transaction_is_not_passed_over(mini_rules: RuleSet,
                                                            clock: FakeClock) -> None:
    """PostgreSQL: a step committed after a later-numbered one is still delivered, because
    events are handed out only once every older transaction has ended."""
    from .conftest import postgres_schema

    with postgres_schema() as url:
        engine = Engine(mini_rules, store=url, clock=clock)
        inst = engine.start("mini_election", {"expected": 10}, SEC)
        _, cursor = _drain(engine)
        store = engine.store
        slow = store.engine.connect()  # type: ignore[attr-defined]
        tx = slow.begin()
        slow.exec_driver_sql(
            "INSERT INTO pf_audit (instance_id, seq, at, actor_id, actor_role, trigger, "
            "to_state, data, rules_version, rules_hash, prev_hash, hash) VALUES "
            "('slow', 1, now(), 'x', 'r', 't', 's', '{}', 'v', 'h', 'p', 'h')")
        engine.fire(inst.id, "vote", SEC, {"present": 9})  # commits while `slow` is open
        assert engine.events(cursor) == []  # held back: an older transaction is running
        tx.commit()
        slow.close()
        seen, _ = _drain(engine, cursor)
        assert seen == [("slow", 1), (inst.id, 2)]
        engine.close()


def test_a_store_upgraded_to_the_outbox_lists_its_old_steps(mini_rules: RuleSet,
                                                            tmp_path: Path) -> None:
    import sqlalchemy as sa
    from alembic import command

    from partyflow.stores.migrations import config, upgrade

    path = f"{tmp_path}/old.db"
    engine = Engine(mini_rules, store=f"sqlite:///{path}",
                    clock=FakeClock(dt.datetime(2026, 3, 2, tzinfo=dt.UTC)))
    inst = engine.start("mini_election", {"expected": 10}, SEC)
    engine.close()
    raw = sa.create_engine(f"sqlite:///{path}")
    with raw.begin() as conn:  # back to before the outbox, then up again: 0006 backfills
        command.downgrade(config(conn), "0005")
    assert not sa.inspect(raw).has_table("pf_events")
    upgrade(raw)
    raw.dispose()
    again = Engine(mini_rules, store=f"sqlite:///{path}")
    assert [(e.record.instance_id, e.record.seq) for e in again.events()] == [(inst.id, 1)]
    again.close()

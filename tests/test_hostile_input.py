"""Hostile input at the engine's boundary (#15): every value a caller hands in is refused with
a typed error naming it — never a raw Python exception — and the same limits hold on every
store, checked before the store is touched."""

from __future__ import annotations

import pytest

from partyflow import Actor, Engine, InvalidEventData, RuleSet, Store, UsageError
from partyflow.limits import MAX_ACTOR_ID, MAX_IDEMPOTENCY_KEY, MAX_ORG_ID, MAX_ROLE
from partyflow.testing import FakeClock

SECRETARY = Actor("wang", "secretary", "org-1")


def _deep(levels: int) -> list[object]:
    value: list[object] = []
    for _ in range(levels):
        value = [value]
    return value


@pytest.mark.parametrize(("data", "field", "en"), [
    ({"reason": "a\ud800b"}, "reason", "lone surrogate"),
    ({"reason": "a\x00b"}, "reason", "NUL"),
    ({"reason": _deep(100_000)}, "reason", "must be text"),
    ({"expected": float("nan")}, "expected", "integer"),
    ({"\ud800": 1}, "'\\ud800'", "is not an input"),
    ({"x" * 100_000: 1}, None, "is not an input"),
    ({f"f{i}": i for i in range(5000)}, "data", "too many fields"),
])
def test_hostile_event_data_is_refused_and_nothing_is_stored(
        mini_rules: RuleSet, store: Store, clock: FakeClock, data: dict[str, object],
        field: str | None, en: str) -> None:
    engine = Engine(mini_rules, store=store, clock=clock)
    with pytest.raises(InvalidEventData) as info:
        engine.start("mini_election", data, SECRETARY)
    err = info.value.errors[0]
    assert field is None or err.field == field
    assert en in err.text.en
    str(info.value).encode("utf-8")  # the message itself is printable and encodable
    assert len(str(info.value)) < 2000  # a caller's huge value is not echoed back whole
    assert list(store.instances()) == []


@pytest.mark.parametrize(("kwargs", "en"), [
    ({"id": "x" * (MAX_ACTOR_ID + 1), "role": "secretary"}, "at most 200"),
    ({"id": "x", "role": "r" * (MAX_ROLE + 1)}, "at most 64"),
    ({"id": "x", "role": "secretary", "org": "o" * (MAX_ORG_ID + 1)}, "at most 200"),
    ({"id": "a\x00", "role": "secretary"}, "NUL"),
    ({"id": "\udcff", "role": "secretary"}, "lone surrogate"),
    ({"id": _deep(10_000), "role": "secretary"}, "non-empty text"),
])
def test_an_actor_that_no_store_could_record_is_refused(kwargs: dict[str, object],
                                                         en: str) -> None:
    with pytest.raises(UsageError) as info:
        Actor(**kwargs)  # type: ignore[arg-type]
    assert en in str(info.value)
    assert len(str(info.value)) < 1000


@pytest.mark.parametrize("key", ["k" * (MAX_IDEMPOTENCY_KEY + 1), "a\x00", "\ud800", ""])
def test_an_idempotency_key_no_store_could_record_is_refused_before_the_store(
        mini_rules: RuleSet, store: Store, clock: FakeClock, key: str) -> None:
    engine = Engine(mini_rules, store=store, clock=clock)
    inst = engine.start("mini_election", {"expected": 10, "present": 9}, SECRETARY)
    with pytest.raises(UsageError):
        engine.fire(inst.id, "vote", SECRETARY, idempotency_key=key)
    with pytest.raises(UsageError):
        engine.start("mini_election", {"expected": 10}, SECRETARY, instance_id=key or "a\x00")
    assert [i.id for i in store.instances()] == [inst.id]
    assert len(engine.history(inst.id)) == 1


@pytest.mark.parametrize("url", [
    "memory://?x=1", "sqlite://?bogus=1", "sqlite:///:memory:?synchronous=sometimes",
    "sqlite+nodriver:///x.db", "postgresql+nodriver://h/db", "postgresql://u@h:notaport/db",
    "sqlite:///a\x00b.db", "sqlite:///\ud800.db", "mysql://h/db",
])
def test_a_bad_store_url_is_a_usage_error(mini_rules: RuleSet, url: str) -> None:
    with pytest.raises(UsageError) as info:
        Engine(mini_rules, store=url)
    str(info.value).encode("utf-8")

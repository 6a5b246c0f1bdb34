"""Idempotency keys that cannot be abused (issue: who may act, item 3): a replay comes from the
same actor, for the same trigger, with the same data, and is authorized like a first attempt;
the engine's own keys live in a namespace no caller can write. On every store."""

from __future__ import annotations

import pytest

from partyflow import (
    Actor,
    Engine,
    IdempotencyConflict,
    NotAuthorized,
    Organization,
    UsageError,
    load_hierarchy,
    load_rules,
)
from partyflow.testing import FakeClock

from .conftest import ROOT


def _two_steps(engine: Engine, secretary: Actor) -> str:
    iid = engine.start("mini_election", {"expected": 40}, secretary).id
    engine.fire(iid, "vote", secretary, {"present": 39}, idempotency_key="req-1")
    return iid


def _unchanged(engine: Engine, iid: str) -> tuple[object, object]:
    return engine.get(iid), engine.history(iid)


def test_the_same_request_again_is_a_no_op(engine: Engine, secretary: Actor) -> None:
    iid = _two_steps(engine, secretary)
    before = _unchanged(engine, iid)
    again = engine.fire(iid, "vote", secretary, {"present": 39}, idempotency_key="req-1")
    assert again == before[0] and _unchanged(engine, iid) == before


def test_another_actor_replaying_a_key_is_refused_without_naming_the_first(
        engine: Engine, secretary: Actor) -> None:
    iid = _two_steps(engine, secretary)
    before = _unchanged(engine, iid)
    for other, first in ((Actor("sec-2", "secretary", "community-1"), "sec-1"),  # another person
                         (Actor("sec-1", "secretary", "community-2"), "community-1")):  # org
        with pytest.raises(IdempotencyConflict) as caught:
            engine.fire(iid, "vote", other, {"present": 39}, idempotency_key="req-1")
        assert caught.value.reason == "other_actor"
        assert first not in str(caught.value)  # who used the key first is not disclosed
    assert _unchanged(engine, iid) == before


def test_the_same_key_with_other_data_is_refused(engine: Engine, secretary: Actor) -> None:
    iid = _two_steps(engine, secretary)
    before = _unchanged(engine, iid)
    for data in ({"present": 38}, None, {"present": "39"}):
        with pytest.raises(IdempotencyConflict) as caught:
            engine.fire(iid, "vote", secretary, data, idempotency_key="req-1")
        assert caught.value.reason == "other_data"
    with pytest.raises(IdempotencyConflict) as caught:
        engine.fire(iid, "report", secretary, idempotency_key="req-1")
    assert caught.value.reason == "other_trigger"
    assert _unchanged(engine, iid) == before


@pytest.mark.parametrize("key", ["partyflow:timeout:2", "partyflow:anything"])
def test_a_key_in_the_engines_namespace_is_refused(engine: Engine, secretary: Actor,
                                                   key: str) -> None:
    iid = _two_steps(engine, secretary)
    before = _unchanged(engine, iid)
    with pytest.raises(IdempotencyConflict) as caught:
        engine.fire(iid, "report", secretary, idempotency_key=key)
    assert caught.value.reason == "reserved"
    assert _unchanged(engine, iid) == before


@pytest.mark.parametrize("key", ["", "x" * 129, 42])
def test_a_malformed_key_is_a_usage_error(engine: Engine, secretary: Actor, key: object) -> None:
    iid = _two_steps(engine, secretary)
    with pytest.raises(UsageError):
        engine.fire(iid, "report", secretary, idempotency_key=key)  # type: ignore[arg-type]


def test_a_callers_key_shaped_like_the_old_engine_keys_cannot_switch_a_deadline_off(
        engine: Engine, secretary: Actor, clock: FakeClock) -> None:
    """`timeout:3` used to be the engine's key for the timeout at version 3: a caller who
    sent it with the step to version 3 made tick report a conflict and never time it out."""
    iid = _two_steps(engine, secretary)
    engine.fire(iid, "report", secretary, idempotency_key="timeout:3")
    clock.advance("P2M")
    report = engine.tick()
    assert report.fired == [(iid, "escalate", "under_review", "escalated")]
    assert report.conflicts == []
    assert engine.history(iid)[-1].idempotency_key == "partyflow:timeout:3"


def test_a_replay_is_authorized_like_a_first_attempt() -> None:
    """The sending branch's secretary leaves office: replaying the key of the step they took
    is refused like a first attempt would be, not handed a success."""
    rules = load_rules(ROOT / "config" / "rules.yaml")
    engine = Engine(rules, store="memory://", clock=FakeClock())
    engine.import_organizations(load_hierarchy(ROOT / "examples" / "hierarchy.csv", rules))
    member = Actor("li.hong", "party_member", org="xingguang")
    branch = Actor("吴晓梅", "sending_branch", org="xingguang")
    case = engine.start("member_transfer", {
        "member_name": "李红", "member_kind": "full_member", "move_reason": "residence_changed",
        "stable_job": True, "fixed_residence": True, "employer_has_party_org": False,
        "destination_kind": "community", "destination_org": "新街北社区党支部",
        "sending_org": "xingguang", "receiving_org": "xinjie-north", "member_id": "li.hong"},
        member)
    engine.fire(case.id, "submit", branch, idempotency_key="submit-1")
    assert engine.fire(case.id, "submit", branch, idempotency_key="submit-1").version == 2
    org = engine.organization("xingguang")
    engine.store.put_organizations([Organization(org.id, org.name, org.level, org.parent,
                                                 "新书记", dict(org.attrs))])
    with pytest.raises(NotAuthorized) as caught:
        engine.fire(case.id, "submit", branch, idempotency_key="submit-1")
    assert caught.value.acts_for == "xingguang"
    assert engine.get(case.id).version == 2

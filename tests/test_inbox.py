"""Queries and the inbox (待办), on every store: instances by subtree, procedure, state,
overdue and due soon, paged; what each actor may do now, decided by the same authority a fire
checks; an organization's 待办 / 即将到期 / 超时."""

from __future__ import annotations

import datetime as dt

import pytest

from partyflow import (
    Actor,
    Engine,
    InstanceQuery,
    Store,
    UnknownOrganization,
    UsageError,
    load_hierarchy,
    load_rules,
)
from partyflow.testing import FakeClock

from .conftest import ROOT

T0 = dt.datetime(2026, 3, 2, 1, 0, tzinfo=dt.UTC)
MEMBER = {"member_kind": "full_member", "move_reason": "residence_changed", "stable_job": True,
          "fixed_residence": True, "employer_has_party_org": False,
          "destination_kind": "community"}
BRANCH = Actor("吴晓梅", "sending_branch", "xingguang")  # xingguang's secretary
STREET = Actor("zhao.min", "sending_committee", "dongcheng-street")
OTHER_STREET = Actor("sun.lihua", "sending_committee", "hepingli-street")
RECEIVER = Actor("zhou", "receiving_committee", "xinjie-street")


@pytest.fixture
def engine(store: Store) -> Engine:
    rules = load_rules(ROOT / "config" / "rules.yaml")
    eng = Engine(rules, store=store, clock=FakeClock(T0))
    eng.import_organizations(load_hierarchy(ROOT / "examples" / "hierarchy.csv", rules))
    return eng


def _transfer(engine: Engine, member: str, sending: str = "xingguang") -> str:
    branch = BRANCH if sending == "xingguang" else Actor("冯丽", "sending_branch", sending)
    inst = engine.start("member_transfer", {**MEMBER, "member_id": member,
                                            "sending_org": sending,
                                            "receiving_org": "xinjie-north"}, branch)
    engine.fire(inst.id, "submit", branch)
    return inst.id


def test_an_actor_sees_what_it_may_do_now_and_nothing_else(engine: Engine) -> None:
    ours = [_transfer(engine, f"m{i}") for i in range(3)]
    theirs = _transfer(engine, "m9", sending="hepingli-1")
    mine = engine.inbox(STREET)
    assert [i.instance.id for i in mine] == sorted(ours)
    assert {i.triggers for i in mine} == {("issue_letter", "reject")}
    assert [i.instance.id for i in engine.inbox(OTHER_STREET)] == [theirs]
    assert engine.inbox(RECEIVER) == []  # nothing reported yet
    assert engine.inbox(Actor("x", "sending_committee", "xicheng")) == []  # wrong organization
    engine.fire(ours[0], "issue_letter", STREET)
    member = Actor("m0", "party_member")
    assert [(i.instance.id, set(i.triggers)) for i in engine.inbox(member)] == [
        (ours[0], {"report", "withdraw"})]
    engine.fire(ours[0], "report", member)
    assert [i.instance.id for i in engine.inbox(RECEIVER)] == [ours[0]]
    # every trigger offered is one the engine accepts from this actor (authority-wise)
    for item in engine.inbox(STREET):
        assert set(item.triggers) <= set(engine.available_triggers(item.instance.id, STREET))


def test_overdue_first_then_by_deadline_with_due_soon_marked(engine: Engine) -> None:
    clock = engine.clock
    assert isinstance(clock, FakeClock)
    first = _transfer(engine, "m1")
    engine.fire(first, "issue_letter", STREET, {"letter_valid_for": "P5D"})
    clock.advance("P1D")
    second = _transfer(engine, "m2")
    engine.fire(second, "issue_letter", STREET, {"letter_valid_for": "P30D"})
    clock.advance("P5D")  # the first letter's validity has passed
    member1, member2 = Actor("m1", "party_member"), Actor("m2", "party_member")
    [item] = engine.inbox(member1)
    assert item.overdue and not item.due_soon
    [item] = engine.inbox(member2, due_within="P30D")
    assert item.due_soon and not item.overdue
    [item] = engine.inbox(member2, due_within="P1D")
    assert not item.due_soon
    todo = engine.todo("dongcheng-street", due_within="P30D")
    assert (todo.open_count, todo.overdue_count, todo.due_soon_count) == (2, 1, 1)
    assert [i.id for i in todo.overdue] == [first] and [i.id for i in todo.due_soon] == [second]
    assert engine.todo("xinjie-street").open_count == 0
    with pytest.raises(UnknownOrganization):
        engine.todo("nowhere")
    with pytest.raises(UsageError):
        engine.inbox(STREET, due_within="soon")


def test_find_pages_by_id_and_narrows_by_every_field(engine: Engine) -> None:
    by_member = {f"m{i}": _transfer(engine, f"m{i}") for i in range(7)}
    ids = sorted(by_member.values())
    other = _transfer(engine, "m9", sending="hepingli-1")
    pages, after = [], ""
    while page := engine.find(InstanceQuery(org="dongcheng-street"), after=after, limit=3):
        pages.append([i.id for i in page])
        after = page[-1].id
    assert [len(p) for p in pages] == [3, 3, 1]
    assert [i for p in pages for i in p] == ids
    assert [i.id for i in engine.find(InstanceQuery(org="hepingli-street"))] == [other]
    assert len(engine.find(InstanceQuery(org="dongcheng"))) == 8  # the district above both
    assert len(engine.find(InstanceQuery(procedure="member_transfer", state="out_review"))) == 8
    assert engine.find(InstanceQuery(state="letter_issued")) == []
    assert engine.find(InstanceQuery(procedure="branch_establishment")) == []
    gone = by_member["m0"]
    engine.fire(gone, "withdraw", Actor("m0", "party_member"), {"withdraw_reason": "不再调动"})
    assert gone not in [i.id for i in engine.find()]
    assert gone in [i.id for i in engine.find(InstanceQuery(open_only=False))]
    assert engine.find(InstanceQuery(overdue_at=T0)) == []
    with pytest.raises(UsageError):
        engine.find(limit=0)


def test_count_is_the_number_find_pages_through_for_every_filter(engine: Engine) -> None:
    for i in range(5):
        _transfer(engine, f"m{i}")
    _transfer(engine, "m8", sending="hepingli-1")
    late = _transfer(engine, "m9")
    engine.fire(late, "withdraw", Actor("m9", "party_member"), {"withdraw_reason": "不再调动"})
    later = T0 + dt.timedelta(days=40)
    queries = [InstanceQuery(org=org, procedure=proc, state=state, open_only=open_only,
                             overdue_at=overdue, due_by=due)
               for org in (None, "dongcheng", "dongcheng-street", "hepingli-street")
               for proc in (None, "member_transfer", "branch_establishment")
               for state in (None, "out_review")
               for open_only in (True, False)
               for overdue in (None, T0, later)
               for due in (None, later)]
    for query in queries:
        found, after = [], ""
        while page := engine.store.find(query, after=after, limit=2):
            found += page
            after = page[-1].id
        assert engine.store.count(query) == len(found), query
    assert engine.store.count(InstanceQuery(org="dongcheng")) == 6
    assert engine.store.count(InstanceQuery(org="dongcheng", open_only=False)) == 7


def test_the_engine_closes_its_store_and_is_a_context_manager(
        engine: Engine, monkeypatch: pytest.MonkeyPatch) -> None:
    closed: list[bool] = []
    real = engine.store.close
    monkeypatch.setattr(engine.store, "close", lambda: (closed.append(True), real())[1])
    with engine as e:
        assert e is engine
        _transfer(engine, "m1")
        assert closed == []
    assert closed == [True]  # leaving the block released the store's connections
    with pytest.raises(RuntimeError), engine:
        raise RuntimeError("a failing block still closes it")
    assert closed == [True, True]

"""The hierarchy at run time, on every store: organizations in the store, authority from the
hierarchy, four-eyes, escalation along the responsibility chain, reports, establishment."""

from __future__ import annotations

import dataclasses
import datetime as dt
from zoneinfo import ZoneInfo

import pytest

from partyflow import (
    Actor,
    ConcurrentUpdate,
    Engine,
    InvalidEventData,
    NotAuthorized,
    Organization,
    RulesError,
    UnknownOrganization,
    load_hierarchy,
    load_rules,
    load_rules_text,
)
from partyflow.stores.base import Store
from partyflow.testing import FakeClock

from .conftest import FIXTURES, ROOT

AUTHORITY = FIXTURES / "authority.yaml"
T0 = dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.UTC)
BEIJING = ZoneInfo("Asia/Shanghai")

# examples/hierarchy.csv: xinghai (city) > dongcheng (district) > dongcheng-street (street)
# > xingguang (community, secretary 吴晓梅); hepingli-street is another street of dongcheng.
APPLICANT = Actor("a-1", "applicant")
SECRETARY = Actor("吴晓梅", "branch_secretary", "xingguang")
STREET = Actor("zhao.min", "reviewer", "dongcheng-street")
OTHER_STREET = Actor("sun.lihua", "reviewer", "hepingli-street")
DISTRICT = Actor("li.weidong", "superior", "dongcheng")


@pytest.fixture
def h_engine(store: Store) -> Engine:
    rules = load_rules(AUTHORITY)
    engine = Engine(rules, store=store, clock=FakeClock(T0))
    engine.import_organizations(load_hierarchy(ROOT / "examples" / "hierarchy.csv", rules))
    return engine


def _start(engine: Engine, org: str = "xingguang") -> str:
    return engine.start("request", {"home_org": org}, APPLICANT).id


def test_organizations_round_trip_through_the_store(h_engine: Engine) -> None:
    orgs = {o.id: o for o in h_engine.store.organizations()}
    assert len(orgs) == 17
    grid = orgs["xg-grid-1"]
    assert (grid.level, grid.parent, grid.secretary) == ("grid", "xingguang", None)
    assert grid.attrs["workers"] == "张伟;陈静"
    # importing again replaces by id, it does not duplicate
    changed = dataclasses.replace(orgs["xingguang"], secretary="新书记")
    assert h_engine.store.put_organizations([changed]).updated == 1
    assert h_engine.organization("xingguang").secretary == "新书记"
    assert sum(1 for _ in h_engine.store.organizations()) == 17
    with pytest.raises(UnknownOrganization):
        h_engine.organization("nowhere")


def test_responsibility_chain_and_who_is_responsible(h_engine: Engine) -> None:
    chain = h_engine.responsibility_chain("xg-grid-1")
    assert [c.org_id for c in chain] == ["xg-grid-1", "xingguang", "dongcheng-street",
                                         "dongcheng", "xinghai"]
    assert [c.duty.zh if c.duty else None for c in chain] == [
        None, "落实责任", "直接责任", "第一责任", "主体责任"]
    assert chain[1].secretary == "吴晓梅"
    iid = _start(h_engine)
    assert [c.org_id for c in h_engine.responsible(iid)] == [
        "xingguang", "dongcheng-street", "dongcheng", "xinghai"]
    assert h_engine.subtree("dongcheng-street") == {
        "dongcheng-street", "xingguang", "chaoyang", "xg-grid-1", "xg-grid-2", "cy-grid-1"}


def test_an_unknown_organization_is_refused_at_start(h_engine: Engine) -> None:
    with pytest.raises(InvalidEventData) as exc:
        _start(h_engine, "no-such-org")
    assert exc.value.errors[0].field == "home_org"
    assert "no-such-org" in str(exc.value)
    assert list(h_engine.store.instances()) == []


def test_the_right_organization_acts_the_wrong_one_is_refused_and_told_who(
        h_engine: Engine) -> None:
    iid = _start(h_engine)
    with pytest.raises(NotAuthorized) as exc:
        h_engine.fire(iid, "check", OTHER_STREET)
    assert (exc.value.acts_for, exc.value.reason) == ("dongcheng-street", "organization")
    assert "东城街道党工委（dongcheng-street）" in exc.value.message("zh")
    assert "hepingli-street" in exc.value.message("en")
    assert h_engine.available_triggers(iid, OTHER_STREET) == []
    assert h_engine.available_triggers(iid, STREET) == ["check", "move"]
    assert h_engine.fire(iid, "check", STREET).state == "checked"
    assert len(h_engine.history(iid)) == 2


def test_secretary_roles_need_the_secretary_in_person(h_engine: Engine) -> None:
    iid = _start(h_engine)
    impostor = Actor("张伟", "branch_secretary", "xingguang")
    with pytest.raises(NotAuthorized) as exc:
        h_engine.fire(iid, "check", impostor)
    # the refusal names the post, never the person who holds it
    assert (exc.value.acts_for, exc.value.person, exc.value.reason) == (
        "xingguang", "secretary", "person")
    assert "吴晓梅" not in str(exc.value)
    assert h_engine.fire(iid, "check", SECRETARY).state == "checked"


def test_a_vacant_secretary_means_nobody_may_act_in_that_role(h_engine: Engine) -> None:
    org = h_engine.organization("xingguang")
    h_engine.store.put_organizations([dataclasses.replace(org, secretary=None)])
    iid = _start(h_engine)
    with pytest.raises(NotAuthorized) as exc:
        h_engine.fire(iid, "check", SECRETARY)
    assert "书记空缺" in exc.value.message("zh")
    assert (exc.value.reason, exc.value.person) == ("vacant", "secretary")


def test_forged_organization_fields_in_event_data_are_refused(h_engine: Engine) -> None:
    iid = _start(h_engine)
    # the other street tries to make the instance its own by sending home_org with a step
    with pytest.raises(NotAuthorized):
        h_engine.fire(iid, "check", OTHER_STREET, {"home_org": "hepingli-1"})
    with pytest.raises(InvalidEventData) as exc:  # a step not naming it in accepts
        h_engine.fire(iid, "check", STREET, {"home_org": "hepingli-1"})
    assert exc.value.errors[0].field == "home_org"
    assert h_engine.get(iid).data["home_org"] == "xingguang"
    assert len(h_engine.history(iid)) == 1
    # a step that names it in accepts may move the instance, checked against the hierarchy
    moved = h_engine.fire(iid, "move", STREET, {"home_org": "chaoyang"})
    assert (moved.data["home_org"], moved.org) == ("chaoyang", "chaoyang")
    with pytest.raises(InvalidEventData):
        h_engine.fire(iid, "move", STREET, {"home_org": "nowhere"})


def test_four_eyes_refuses_the_same_person_twice(h_engine: Engine) -> None:
    iid = _start(h_engine)
    h_engine.fire(iid, "check", STREET)
    with pytest.raises(NotAuthorized) as exc:
        h_engine.fire(iid, "submit", STREET)
    assert "four-eyes" in exc.value.message("en")
    assert exc.value.reason == "four_eyes"
    colleague = Actor("qian.li", "reviewer", "dongcheng-street")
    assert h_engine.fire(iid, "submit", colleague).state == "in_review"


def test_overdue_escalates_one_level_per_period_and_is_audited(h_engine: Engine) -> None:
    clock = h_engine.clock
    assert isinstance(clock, FakeClock)
    iid = _start(h_engine)
    h_engine.fire(iid, "check", SECRETARY)
    h_engine.fire(iid, "submit", STREET)
    assert h_engine.tick().escalated == []
    # submitted 2 March (17:00 Beijing): P10D ends with 12 March, 24:00 local (C1–C3)
    clock.set(dt.datetime(2026, 3, 12, 23, 59, tzinfo=BEIJING))
    assert h_engine.tick().escalated == []
    clock.set(dt.datetime(2026, 3, 13, tzinfo=BEIJING))
    assert h_engine.tick().escalated == [(iid, "in_review", 1, "dongcheng-street")]
    assert h_engine.tick().escalated == []  # not again within the same period
    clock.set(dt.datetime(2026, 3, 22, 23, 59, tzinfo=BEIJING))  # the next period's last day
    assert h_engine.tick().escalated == []
    clock.set(dt.datetime(2026, 3, 23, tzinfo=BEIJING))
    assert h_engine.tick().escalated == [(iid, "in_review", 2, "dongcheng")]
    clock.set(dt.datetime(2026, 4, 2, tzinfo=BEIJING))
    assert h_engine.tick().escalated == [(iid, "in_review", 3, "xinghai")]
    inst = h_engine.get(iid)
    assert (inst.state, inst.escalation, inst.escalated_to, inst.deadline_at) == (
        "in_review", 3, "xinghai", None)  # the top: nothing further to escalate to
    assert inst.overdue_since == dt.datetime(2026, 3, 13, tzinfo=BEIJING)
    clock.advance("P10D")
    assert h_engine.tick().escalated == []
    escalations = [r for r in h_engine.history(iid) if r.trigger == "escalate_overdue"]
    assert [(r.data["escalation"], r.data["escalated_to"], r.actor_id, r.basis)
            for r in escalations] == [
        (1, "dongcheng-street", "partyflow.tick", "H2"), (2, "dongcheng", "partyflow.tick", "H2"),
        (3, "xinghai", "partyflow.tick", "H2")]
    assert h_engine.verify(iid) == 6
    # a step that stays in the state keeps the escalation; leaving the state clears it
    kept = h_engine.fire(iid, "comment", STREET, {"note": "催办"})
    assert (kept.escalation, kept.overdue_since) == (3, inst.overdue_since)
    done = h_engine.fire(iid, "withdraw", STREET)
    assert (done.escalation, done.escalated_to, done.overdue_since) == (0, None, None)


def test_report_counts_open_overdue_and_escalated_per_subtree(h_engine: Engine) -> None:
    clock = h_engine.clock
    assert isinstance(clock, FakeClock)
    late = _start(h_engine, "xingguang")
    h_engine.fire(late, "check", SECRETARY)
    h_engine.fire(late, "submit", STREET)
    _start(h_engine, "chaoyang")
    _start(h_engine, "xinjie-north")  # another district
    clock.advance("P11D")
    h_engine.tick()
    rows = {(r.procedure, r.state): (r.open, r.overdue, r.escalated)
            for r in h_engine.report("dongcheng-street")}
    assert rows == {("request", "drafted"): (1, 0, 0), ("request", "in_review"): (1, 1, 1)}
    everything = h_engine.report("xinghai")
    assert sum(r.open for r in everything) == 3
    assert h_engine.report("xg-grid-1") == []
    with pytest.raises(UnknownOrganization):
        h_engine.report("nowhere")


def test_establishing_adds_the_organization_with_the_step(h_engine: Engine) -> None:
    iid = _start(h_engine, "dongcheng-street")
    h_engine.fire(iid, "check", Actor("x", "reviewer", "dongcheng"))
    h_engine.fire(iid, "submit", Actor("y", "reviewer", "dongcheng"))
    with pytest.raises(InvalidEventData) as exc:  # an id already in the hierarchy
        h_engine.fire(iid, "finish", Actor("y", "reviewer", "dongcheng"),
                      {"new_id": "chaoyang", "new_name": "重名"})
    assert "chaoyang" in str(exc.value)
    assert h_engine.get(iid).state == "in_review"
    done = h_engine.fire(iid, "finish", Actor("y", "reviewer", "dongcheng"),
                         {"new_id": "dc-new", "new_name": "新社区党支部"})
    assert done.state == "done"
    new = h_engine.organization("dc-new")
    assert (new.parent, new.level, new.added_by) == ("dongcheng-street", "community", iid)
    assert [c.org_id for c in h_engine.responsibility_chain("dc-new")][1:] == [
        "dongcheng-street", "dongcheng", "xinghai"]


def test_an_organization_id_taken_by_a_racing_step_writes_nothing(h_engine: Engine) -> None:
    iid = _start(h_engine)
    inst = h_engine.get(iid)
    history = h_engine.history(iid)
    stale = dataclasses.replace(inst, version=2, state="drafted")
    record = dataclasses.replace(history[0], seq=2, prev_hash=inst.last_hash, hash="x" * 64)
    taken = Organization("chaoyang", "重名", "community", "dongcheng-street", None)
    with pytest.raises(ConcurrentUpdate):
        h_engine.store.commit(stale, 1, record, organization=taken)
    assert h_engine.get(iid) == inst
    assert h_engine.history(iid) == history
    assert h_engine.organization("chaoyang").name == "朝阳社区党总支"


def test_rules_errors_for_hierarchy_settings_are_reported_with_lines() -> None:
    text = AUTHORITY.read_text(encoding="utf-8")
    broken = (text.replace("reviewer: {org: home_org, up: 1", "reviewer: {org: note, up: 1")
              .replace("escalate: true", "escalate: true\n        on_timeout: finish")
              .replace("distinct_from: [check]", "distinct_from: [chek]"))
    with pytest.raises(RulesError) as exc:
        load_rules_text(broken, "authority.yaml")
    kinds = {(p.type, p.line) for p in exc.value.problems}
    lines = broken.splitlines()

    def line_of(fragment: str) -> int:
        return next(n for n, line in enumerate(lines, 1) if fragment in line)

    assert ("org_input_type", line_of("reviewer: {org: note")) in kinds
    assert ("escalate_with_timeout", line_of("escalate: true")) in kinds
    assert ("unknown_name", line_of("distinct_from: [chek]")) in kinds


def test_four_eyes_can_name_the_starter_and_compares_normalized_ids() -> None:
    """`distinct_from: [start]`: the branch request's approver is not whoever requested it,
    however the same id is written (case, full-width letters, spaces)."""
    from partyflow import load_hierarchy, load_rules
    from partyflow.testing import FakeClock

    from .conftest import ROOT

    rules = load_rules(ROOT / "config" / "rules.yaml")
    engine = Engine(rules, store="memory://", clock=FakeClock())
    engine.import_organizations(load_hierarchy(ROOT / "examples" / "hierarchy.csv", rules))
    requester = Actor("zhao.min", "applicant", org="xingguang")
    case = engine.start("branch_establishment",
                        {"unit_name": "星光社区物业公司", "full_members": 9, "org_form": "branch"},
                        requester)
    assert case.data["parent_org"] == "dongcheng-street"  # from the hierarchy
    engine.fire(case.id, "submit", requester)
    for same in ("zhao.min", "ZHAO.MIN", "ｚｈａｏ.ｍｉｎ ", " Zhao.Min"):
        with pytest.raises(NotAuthorized) as exc:
            engine.fire(case.id, "approve", Actor(same, "street_committee", "dongcheng-street"))
        assert exc.value.reason == "four_eyes"
    approved = engine.fire(case.id, "approve",
                           Actor("qian.li", "street_committee", "dongcheng-street"))
    assert approved.state == "approved"


def test_the_reviewer_of_a_branch_request_comes_from_the_hierarchy() -> None:
    """parent_org is the applicant's organization's direct superior (superior_of_starter: 1):
    filled in when omitted, a different one refused; typed only for a unit outside the list."""
    from partyflow import InvalidEventData, load_hierarchy, load_rules
    from partyflow.testing import FakeClock

    from .conftest import ROOT

    rules = load_rules(ROOT / "config" / "rules.yaml")
    engine = Engine(rules, store="memory://", clock=FakeClock())
    engine.import_organizations(load_hierarchy(ROOT / "examples" / "hierarchy.csv", rules))
    data = {"unit_name": "星光社区物业公司", "full_members": 9, "org_form": "branch"}
    inside = Actor("wu.xm", "applicant", org="xingguang")
    with pytest.raises(InvalidEventData) as exc:  # picking a friendlier street
        engine.start("branch_establishment", {**data, "parent_org": "hepingli-street"}, inside)
    assert exc.value.errors[0].field == "parent_org"
    assert "dongcheng-street" in str(exc.value)
    assert list(engine.store.instances()) == []
    outside = Actor("wang.li", "applicant", org="a-company-not-in-the-list")
    case = engine.start("branch_establishment", {**data, "parent_org": "hepingli-street"},
                        outside)
    assert case.data["parent_org"] == "hepingli-street"


def _transfer_engine(store: Store) -> Engine:
    rules = load_rules(ROOT / "config" / "rules.yaml")
    engine = Engine(rules, store=store, clock=FakeClock(T0))
    engine.import_organizations(load_hierarchy(ROOT / "examples" / "hierarchy.csv", rules))
    return engine


_TRANSFER = {"member_id": "li.hong", "member_kind": "full_member",
             "move_reason": "residence_changed", "stable_job": True, "fixed_residence": True,
             "employer_has_party_org": False, "destination_kind": "community"}


def test_facts_from_the_hierarchy_are_read_at_start_and_cannot_be_typed(store: Store) -> None:
    """T11: each side's county and its committee's power to approve probationary members come
    from the organization list, as it is at start; typing one is refused, and a sending
    organization with no county above it is refused naming the level."""
    engine = _transfer_engine(store)
    branch = Actor("冯丽", "sending_branch", "hepingli-1")
    inst = engine.start("member_transfer", {**_TRANSFER, "sending_org": "hepingli-1",
                                            "receiving_org": "xinjie-north"}, branch)
    assert {k: inst.data[k] for k in (
        "sending_county", "receiving_county", "sending_committee_approves_probationary",
        "receiving_committee_approves_probationary")} == {
        "sending_county": "dongcheng", "receiving_county": "xicheng",
        "sending_committee_approves_probationary": False,
        "receiving_committee_approves_probationary": True}
    with pytest.raises(InvalidEventData) as typed:
        engine.start("member_transfer", {**_TRANSFER, "sending_org": "hepingli-1",
                                         "receiving_org": "xinjie-north",
                                         "sending_committee_approves_probationary": True},
                     branch)
    assert [e.field for e in typed.value.errors] == ["sending_committee_approves_probationary"]
    city = Actor("陈建国", "sending_branch", "xinghai")
    with pytest.raises(InvalidEventData) as no_county:
        engine.start("member_transfer", {**_TRANSFER, "sending_org": "xinghai",
                                         "receiving_org": "xinjie-north"}, city)
    errs = {e.field: e for e in no_county.value.errors}
    assert set(errs) == {"sending_county", "sending_committee_approves_probationary"}
    assert "district" in errs["sending_county"].text.en
    assert sum(1 for _ in store.instances()) == 1  # only the first start was written
    # the county department issues the letter for a transfer beyond the county
    engine.fire(inst.id, "submit", branch)
    with pytest.raises(NotAuthorized):  # another county's department
        engine.fire(inst.id, "issue_letter", Actor("wang", "sending_department", "xicheng"))
    done = engine.fire(inst.id, "issue_letter",
                       Actor("li.weidong", "sending_department", "dongcheng"))
    assert done.state == "letter_issued"

"""Policy change edge cases (规则变更) on every store, beyond ``test_policy_change.py``.

Seven of these once reproduced defects of impact/migrate as strict xfails (step-reading
conditions reported as passing, instances with unreadable rules skipped, an unknown or
finished named instance without an outcome, a reused idempotency key, an unchecked map, a
map problem naming its place twice); they now pin the fixes.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from partyflow import (
    Actor,
    Engine,
    InstanceNotFound,
    RulesError,
    RuleSet,
)
from partyflow.policy import (
    MIGRATE_TRIGGER,
    MigrationMap,
    impact,
    load_migration_map,
    migrate,
)
from partyflow.rules.diff import diff_rules
from partyflow.stores.base import Store
from partyflow.testing import FakeClock

from .conftest import MINI
from .edits import edited_rules

SEC = Actor("sec-1", "secretary", "community-1")
SUP = Actor("sup-1", "superior", "street-1")
T0 = dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.UTC)
SAME_NAMES = MigrationMap({}, {}, "test-map")


def _rules(version: str, *replacements: tuple[str, str]) -> RuleSet:
    return edited_rules(MINI, ('version: "test-1"', f'version: "{version}"'), *replacements,
                        file=f"mini-{version}.yaml")


def _under_review(engine: Engine, data: dict[str, int] | None = None) -> str:
    iid = engine.start("mini_election", data or {"expected": 40}, SEC).id
    engine.fire(iid, "vote", SEC, {"present": 39})
    engine.fire(iid, "report", SEC)
    return iid


@pytest.fixture
def engine(mini_rules: RuleSet, store: Store) -> Engine:
    return Engine(mini_rules, store=store, clock=FakeClock(T0))


def _snapshot(engine: Engine, iid: str) -> tuple[object, object]:
    return engine.get(iid), engine.history(iid)


def test_examples_are_capped_while_counts_are_exact(engine: Engine) -> None:
    new = _rules("test-2", ('value: "4/5"', 'value: "5/6"'))
    ids = [engine.start("mini_election", {"expected": 40, "present": 33}, SEC).id
           for _ in range(5)]
    (group,) = impact(engine.store, new, now=T0, examples=2).rows()
    assert (group.kind, group.count, len(group.examples)) == ("now_fails", 5, 2)
    assert set(group.examples) <= set(ids)


def test_a_dry_run_writes_nothing_not_even_the_rules_text(engine: Engine) -> None:
    new = _rules("test-2", ("value: P1M", "value: P10D"))
    iid = _under_review(engine)
    before = _snapshot(engine, iid)
    report = migrate(engine.store, new, SAME_NAMES, now=T0)
    assert [o.status for o in report.outcomes] == ["would_move"]
    assert _snapshot(engine, iid) == before
    assert engine.store.rules_source(new.content_hash) is None


def test_step_dependent_conditions_are_not_reported_as_passing(engine: Engine) -> None:
    new = _rules("test-2", ('expr: "!blank(reason)"', 'expr: "!blank(event.reason)"'))
    _under_review(engine)  # no reason stored: under test-1 `reject` does not hold
    kinds = {(g.kind, g.detail) for g in impact(engine.store, new, now=T0).rows()}
    assert ("now_passes", "reject") not in kinds


def test_an_instance_whose_rules_are_not_in_the_store_is_reported(engine: Engine) -> None:
    new = _rules("test-2", ('value: "4/5"', 'value: "5/6"'))
    engine.start("mini_election", {"expected": 40, "present": 33}, SEC)

    class Forgetful:
        def __init__(self, inner: Store) -> None:
            self.inner = inner

        def __getattr__(self, name: str) -> object:
            return getattr(self.inner, name)

        def rules_source(self, content_hash: str) -> str | None:
            return None

    store = Forgetful(engine.store)
    (outcome,) = migrate(store, new, SAME_NAMES).outcomes  # type: ignore[arg-type]
    assert outcome.reason is not None and "mini_election" not in outcome.reason.en
    assert impact(store, new, now=T0).total_affected == 1  # type: ignore[arg-type]


def test_an_unknown_instance_id_is_refused_and_the_rest_go_on(engine: Engine) -> None:
    new = _rules("test-2", ("value: P1M", "value: P10D"))
    iid = _under_review(engine)
    report = migrate(engine.store, new, SAME_NAMES, instance_ids=[iid, "no-such-case"],
                     apply=True, now=T0)
    assert [(o.instance_id, o.status) for o in report.outcomes] == [
        (iid, "moved"), ("no-such-case", "refused")]


def test_a_named_finished_instance_is_reported_as_skipped(engine: Engine) -> None:
    new = _rules("test-2", ("value: P1M", "value: P10D"))
    done = _under_review(engine)
    engine.fire(done, "approve", SUP)
    report = migrate(engine.store, new, SAME_NAMES, instance_ids=[done])
    assert [o.instance_id for o in report.outcomes] == [done]


def test_migrating_back_and_forth_and_forward_again_works(engine: Engine,
                                                          mini_rules: RuleSet) -> None:
    new = _rules("test-2", ("value: P1M", "value: P10D"))
    iid = _under_review(engine)
    for target in (new, mini_rules, new):
        report = migrate(engine.store, target, SAME_NAMES, apply=True, now=T0)
        assert [o.status for o in report.outcomes] == ["moved"], report.outcomes
    assert [r.trigger for r in engine.history(iid)][-3:] == [MIGRATE_TRIGGER] * 3
    engine.verify(iid)


def test_a_map_naming_unknown_procedures_or_states_is_refused(engine: Engine,
                                                              tmp_path: Path) -> None:
    new = _rules("test-2", ("value: P1M", "value: P10D"))
    _under_review(engine)
    path = tmp_path / "map.yaml"
    path.write_text("procedures:\n  mini_electoin:\n    states: {under_reveiw: approved}\n",
                    encoding="utf-8")
    with pytest.raises(RulesError):
        migrate(engine.store, new, load_migration_map(path))


def test_a_map_problem_names_its_place_once(tmp_path: Path) -> None:
    path = tmp_path / "map.yaml"
    path.write_text("procedures:\n  mini_election:\n    states: [a]\n", encoding="utf-8")
    with pytest.raises(RulesError) as exc:
        load_migration_map(path)
    assert exc.value.format("en").count("procedures.mini_election.states") == 1


def test_step_dependent_conditions_are_counted_as_not_evaluated(engine: Engine) -> None:
    new = _rules("test-2", ('expr: "!blank(reason)"', 'expr: "!blank(event.reason)"'))
    iid = _under_review(engine)
    report = impact(engine.store, new, now=T0)
    (group,) = report.rows()
    assert (group.kind, group.detail, group.examples) == (
        "not_evaluated", "reject: !blank(event.reason)", [iid])
    assert group.kind_text.en.endswith("not evaluated")
    assert (report.not_evaluated, report.total_affected) == (1, 0)
    assert "1 with conditions reading the step itself" in report.to_markdown("en")


def test_stored_data_that_no_longer_suffices_is_reported_beside_step_conditions(
        engine: Engine) -> None:
    # the stored part of the guard fails now; its step part cannot change that
    new = _rules("test-2", ('expr: "!blank(reason)"',
                            'expr: "present <= expected"\n'
                            '            message: {zh: 人数不符, en: Too many present}\n'
                            '          - expr: "!blank(event.reason)"'))
    engine.fire(_under_review(engine), "reject", SUP, {"reason": "x"})  # finished: not open
    iid = _under_review(engine, {"expected": 38, "reason": "late"})  # 39 present
    kept = _under_review(engine, {"expected": 40, "reason": "late"})
    kinds = {(g.kind, g.detail, tuple(g.examples))
             for g in impact(engine.store, new, now=T0).rows()}
    assert kinds == {("now_fails", "reject: present <= expected", (iid,)),
                     ("not_evaluated", "reject: !blank(event.reason)", (kept,))}


def test_unchanged_guards_are_not_evaluated_again(engine: Engine) -> None:
    new = _rules("test-2", ("value: P1M", "value: P10D"))
    _under_review(engine)
    report = impact(engine.store, new, now=T0)
    assert {g.kind for g in report.rows()} == {"deadline_moved"}
    assert report.not_evaluated == 0


def test_an_instance_whose_stored_rules_were_edited_is_reported(engine: Engine) -> None:
    new = _rules("test-2", ('value: "4/5"', 'value: "5/6"'))
    iid = engine.start("mini_election", {"expected": 40, "present": 33}, SEC).id
    inst = engine.get(iid)

    class Edited:
        def __init__(self, inner: Store) -> None:
            self.inner = inner

        def __getattr__(self, name: str) -> object:
            return getattr(self.inner, name)

        def rules_source(self, content_hash: str) -> str | None:
            text = self.inner.rules_source(content_hash)
            return None if text is None else text.replace("value: P1M", "value: P2M")

    store = Edited(engine.store)
    (group,) = impact(store, new, now=T0).rows()  # type: ignore[arg-type]
    assert (group.kind, group.detail, group.examples) == (
        "rules_unavailable", "test-1: hash_mismatch", [iid])
    (outcome,) = migrate(store, new, SAME_NAMES, apply=True, now=T0).outcomes  # type: ignore[arg-type]
    assert outcome.status == "refused" and outcome.reason is not None
    assert "content hash" in outcome.reason.en
    assert engine.get(iid) == inst


def test_an_unknown_instance_id_says_so(engine: Engine) -> None:
    new = _rules("test-2", ("value: P1M", "value: P10D"))
    (outcome,) = migrate(engine.store, new, SAME_NAMES, instance_ids=["no-such-case"]).outcomes
    with pytest.raises(InstanceNotFound) as exc:
        engine.get("no-such-case")
    assert (outcome.status, outcome.reason, outcome.procedure) == (
        "refused", exc.value.text, "")


def test_a_named_instance_already_on_the_new_rules_is_skipped(engine: Engine) -> None:
    new = _rules("test-2", ("value: P1M", "value: P10D"))
    done, iid = _under_review(engine), _under_review(engine)
    engine.fire(done, "approve", SUP)
    migrate(engine.store, new, SAME_NAMES, instance_ids=[iid], apply=True, now=T0)
    report = migrate(engine.store, new, SAME_NAMES, instance_ids=[done, iid], apply=True)
    assert [(o.instance_id, o.status) for o in report.outcomes] == [
        (done, "skipped"), (iid, "skipped")]
    reasons = [o.reason.en for o in report.outcomes if o.reason is not None]
    assert "finished" in reasons[0] and "already runs under rules version test-2" in reasons[1]
    assert [o.status_text.zh for o in report.outcomes] == ["跳过", "跳过"]


def test_a_concurrent_second_migration_conflicts_instead_of_doubling(engine: Engine) -> None:
    new = _rules("test-2", ("value: P1M", "value: P10D"))
    iid = _under_review(engine)

    class Racing:  # another process migrates the same instance between our read and write
        def __init__(self, inner: Store) -> None:
            self.inner = inner

        def __getattr__(self, name: str) -> object:
            return getattr(self.inner, name)

        def get(self, instance_id: str) -> object:
            inst = self.inner.get(instance_id)
            (other,) = migrate(self.inner, new, SAME_NAMES, instance_ids=[instance_id],
                               apply=True, now=T0).outcomes
            assert other.status == "moved"
            return inst

    report = migrate(Racing(engine.store), new, SAME_NAMES,  # type: ignore[arg-type]
                     instance_ids=[iid], apply=True, now=T0)
    assert [o.status for o in report.outcomes] == ["conflict"]
    history = engine.history(iid)
    assert [r.trigger for r in history].count(MIGRATE_TRIGGER) == 1
    assert history[-1].idempotency_key == (
        f"partyflow:migrate:{history[-2].rules_hash}:{new.content_hash}:{history[-2].seq}")
    engine.verify(iid)


def test_map_problems_name_the_misspelt_state_with_its_line(engine: Engine,
                                                           tmp_path: Path) -> None:
    new = _rules("test-2", ("value: P1M", "value: P10D"))
    iid = _under_review(engine)
    before = engine.get(iid)
    path = tmp_path / "map.yaml"
    path.write_text("procedures:\n  mini_election:\n    states:\n      under_reveiw: approved\n"
                    "      voted: aproved\n  mini_electoin: {}\n", encoding="utf-8")
    with pytest.raises(RulesError) as exc:
        migrate(engine.store, new, load_migration_map(path), apply=True, now=T0)
    got = [(p.line, p.type, p.path) for p in exc.value.problems]
    assert got == [(4, "unknown_state", "procedures.mini_election.states.under_reveiw"),
                   (5, "unknown_state", "procedures.mini_election.states.voted"),
                   (6, "unknown_procedure", "procedures.mini_electoin")]
    text = exc.value.format("en")
    assert "did you mean 'under_review'?" in text and "did you mean 'approved'?" in text
    assert "did you mean 'mini_election'?" in text
    assert engine.get(iid) == before
    assert engine.store.rules_source(new.content_hash) is None


def test_impact_and_migrate_take_the_engines_clock(engine: Engine) -> None:
    new = _rules("test-2", ("value: P1M", "value: P10D"))
    iid = _under_review(engine)
    later = FakeClock(T0 + dt.timedelta(days=11))
    kinds = {g.kind for g in impact(engine.store, new, clock=later).rows()}
    assert kinds == {"deadline_moved", "overdue_at_once"}
    assert {g.kind for g in impact(engine.store, new, clock=FakeClock(T0)).rows()} == {
        "deadline_moved"}
    migrate(engine.store, new, SAME_NAMES, apply=True, clock=later)
    assert engine.history(iid)[-1].at == later.now()


def test_impact_and_diff_agree_on_what_continues_a_step(engine: Engine,
                                                        mini_rules: RuleSet) -> None:
    # approve no longer starts from `escalated` and opens to the secretary: the same step
    new = _rules("test-2", ("""      - trigger: approve
        source: [under_review, escalated]
        dest: approved
        roles: [superior]""", """      - trigger: approve
        source: under_review
        dest: approved
        roles: [secretary, superior]"""))
    changed = {(c.kind, ".".join(c.path[:2])) for c in diff_rules(mini_rules, new).changes}
    assert {("transition_changed", "transitions.approve@under_review"),
            ("roles_changed", "transitions.approve@under_review")} <= changed
    assert not any(k in ("transition_added", "transition_removed") for k, _ in changed)
    review = _under_review(engine)
    escalated = _under_review(engine)
    engine.fire(escalated, "escalate", SUP)
    rows = {(g.kind, g.detail): g.examples for g in impact(engine.store, new, now=T0).rows()}
    assert rows == {("roles_changed", "approve: superior → secretary, superior"): [review]}


def test_impact_reports_a_role_bound_to_someone_else(engine: Engine) -> None:
    """The same roles, but `superior` now bound to the starter only: who may approve changes."""
    iid = _under_review(engine)
    new = _rules("test-2", (
        '      superior: {open: {zh: 测试用规则，不接组织体系, en: "a test fixture without a hierarchy"}}',
        "      superior: {person: starter}"))
    groups = [g for g in impact(engine.store, new, now=T0).rows() if g.kind == "roles_changed"]
    assert groups, "a rebinding must be reported"
    for g in groups:  # one group per pending step the superior takes
        assert (g.state, g.count, g.examples) == ("under_review", 1, [iid])
        assert "superior" in g.detail and "person: starter" in g.detail, g.detail

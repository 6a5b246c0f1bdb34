"""Policy change edge cases (规则变更) on every store, beyond ``test_policy_change.py``.

The tests marked ``xfail(strict=True)`` reproduce known defects of
``partyflow.policy.change`` (impact/migrate); each reason says what is wrong. A fix
turns the xfail into an XPASS failure: remove the marker then.
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
    load_rules_text,
)
from partyflow.policy.change import (
    MIGRATE_TRIGGER,
    MigrationMap,
    impact,
    load_migration_map,
    migrate,
)
from partyflow.stores.base import Store
from partyflow.testing import FakeClock

from .conftest import MINI

SEC = Actor("sec-1", "secretary", "community-1")
SUP = Actor("sup-1", "superior", "street-1")
T0 = dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.UTC)
SAME_NAMES = MigrationMap({}, {}, "test-map")


def _rules(version: str, *replacements: tuple[str, str]) -> RuleSet:
    text = MINI.read_text(encoding="utf-8").replace('version: "test-1"', f'version: "{version}"')
    for old, new in replacements:
        assert old in text, old
        text = text.replace(old, new)
    return load_rules_text(text, f"mini-{version}.yaml")


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


@pytest.mark.xfail(strict=True, reason=(
    "impact skips conditions that read the step (actor/event) on both sides, so a guard "
    "whose new conditions all read the step holds vacuously: a false 'now_passes' is "
    "reported, and step-dependent conditions are not counted as 'not evaluated'"))
def test_step_dependent_conditions_are_not_reported_as_passing(engine: Engine) -> None:
    new = _rules("test-2", ('expr: "!blank(reason)"', 'expr: "!blank(event.reason)"'))
    _under_review(engine)  # no reason stored: under test-1 `reject` does not hold
    kinds = {(g.kind, g.detail) for g in impact(engine.store, new, now=T0).rows()}
    assert ("now_passes", "reject") not in kinds


@pytest.mark.xfail(strict=True, reason=(
    "an instance whose own rules text is missing from the store is silently left out of "
    "impact (neither counted nor reported), and migrate refuses it saying the NEW rules "
    "lack its procedure"))
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


@pytest.mark.xfail(strict=True, raises=InstanceNotFound, reason=(
    "an unknown id among instance_ids raises InstanceNotFound mid-run: instances before it "
    "were already migrated with --apply, but the report saying so is lost"))
def test_an_unknown_instance_id_is_refused_and_the_rest_go_on(engine: Engine) -> None:
    new = _rules("test-2", ("value: P1M", "value: P10D"))
    iid = _under_review(engine)
    report = migrate(engine.store, new, SAME_NAMES, instance_ids=[iid, "no-such-case"],
                     apply=True, now=T0)
    assert [(o.instance_id, o.status) for o in report.outcomes] == [
        (iid, "moved"), ("no-such-case", "refused")]


@pytest.mark.xfail(strict=True, reason=(
    "a finished instance named with instance_ids gets no outcome at all; the operator is "
    "not told that it was skipped, or why"))
def test_a_named_finished_instance_is_reported_as_skipped(engine: Engine) -> None:
    new = _rules("test-2", ("value: P1M", "value: P10D"))
    done = _under_review(engine)
    engine.fire(done, "approve", SUP)
    report = migrate(engine.store, new, SAME_NAMES, instance_ids=[done])
    assert [o.instance_id for o in report.outcomes] == [done]


@pytest.mark.xfail(strict=True, reason=(
    "the migrate audit record's idempotency key is 'migrate:<new hash>' per instance, so "
    "migrating forward, back and forward again hits the used key: a permanent 'conflict' "
    "whose message says to run again"))
def test_migrating_back_and_forth_and_forward_again_works(engine: Engine,
                                                          mini_rules: RuleSet) -> None:
    new = _rules("test-2", ("value: P1M", "value: P10D"))
    iid = _under_review(engine)
    for target in (new, mini_rules, new):
        report = migrate(engine.store, target, SAME_NAMES, apply=True, now=T0)
        assert [o.status for o in report.outcomes] == ["moved"], report.outcomes
    assert [r.trigger for r in engine.history(iid)][-3:] == [MIGRATE_TRIGGER] * 3
    engine.verify(iid)


@pytest.mark.xfail(strict=True, reason=(
    "the map is not checked against the rules: a misspelt procedure or state is accepted "
    "and silently ignored (unlisted procedures then migrate by same names)"))
def test_a_map_naming_unknown_procedures_or_states_is_refused(engine: Engine,
                                                              tmp_path: Path) -> None:
    new = _rules("test-2", ("value: P1M", "value: P10D"))
    _under_review(engine)
    path = tmp_path / "map.yaml"
    path.write_text("procedures:\n  mini_electoin:\n    states: {under_reveiw: approved}\n",
                    encoding="utf-8")
    with pytest.raises(RulesError):
        migrate(engine.store, new, load_migration_map(path))


@pytest.mark.xfail(strict=True, reason=(
    "a map problem's text repeats its location, which RulesError.format already prints: "
    "'procedures.x.states: procedures.x.states: Input should be a valid dictionary'"))
def test_a_map_problem_names_its_place_once(tmp_path: Path) -> None:
    path = tmp_path / "map.yaml"
    path.write_text("procedures:\n  mini_election:\n    states: [a]\n", encoding="utf-8")
    with pytest.raises(RulesError) as exc:
        load_migration_map(path)
    assert exc.value.format("en").count("procedures.mini_election.states") == 1

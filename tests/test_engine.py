"""Runtime behaviour of the engine, on every store."""

from __future__ import annotations

import dataclasses
import datetime as dt
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

import partyflow
from partyflow import (
    Actor,
    AuditChainBroken,
    ConcurrentUpdate,
    ConditionFailed,
    Engine,
    IdempotencyConflict,
    Instance,
    InstanceNotFound,
    InvalidEventData,
    InvalidTrigger,
    MemoryStore,
    NotAuthorized,
    RuleSet,
    Store,
    UnknownProcedure,
    UsageError,
    load_rules_text,
)
from partyflow.testing import FakeClock
from partyflow.workflows.records import AuditRecord, Event
from partyflow.workflows.step import StepContext, commit, seal, timeout_step

from .conftest import MINI
from .edits import edited_rules

BEIJING = ZoneInfo("Asia/Shanghai")


def _to_review(engine: Engine, secretary: Actor) -> Instance:
    inst = engine.start("mini_election", {"expected": 40}, secretary)
    engine.fire(inst.id, "vote", secretary, {"present": 33})
    return engine.fire(inst.id, "report", secretary)


def test_happy_path_records_every_step(engine: Engine, secretary: Actor, superior: Actor,
                                       clock: FakeClock) -> None:
    inst = engine.start("mini_election", {"expected": 40, "held_on": dt.date(2026, 1, 5)},
                        secretary)
    assert (inst.state, inst.version) == ("convened", 1)
    clock.advance(dt.timedelta(hours=1))
    engine.fire(inst.id, "vote", secretary, {"present": 33})
    engine.fire(inst.id, "report", secretary)
    done = engine.fire(inst.id, "approve", superior)
    assert done.state == "approved" and done.terminal and done.version == 4
    assert done.data == {"expected": 40, "held_on": "2026-01-05", "present": 33}
    history = engine.history(inst.id)
    assert [(r.seq, r.trigger, r.from_state, r.to_state) for r in history] == [
        (1, "start", None, "convened"),
        (2, "vote", "convened", "voted"),
        (3, "report", "voted", "under_review"),
        (4, "approve", "under_review", "approved"),
    ]
    vote = history[1]
    assert (vote.actor_id, vote.actor_role, vote.actor_org) == ("sec-1", "secretary",
                                                                 "community-1")
    assert vote.data == {"present": 33}
    assert vote.basis == "E2"
    assert vote.at == dt.datetime(2026, 1, 1, 1, tzinfo=dt.UTC)
    assert vote.rules_version == "test-1" and vote.rules_hash == engine.rules.content_hash
    assert vote.prev_hash == history[0].hash
    assert engine.verify(inst.id) == 4
    assert engine.get(inst.id) == done


def test_invalid_trigger_names_what_is_available(engine: Engine, secretary: Actor) -> None:
    inst = engine.start("mini_election", {"expected": 40}, secretary)
    with pytest.raises(InvalidTrigger) as wrong_state:
        engine.fire(inst.id, "approve", secretary)
    assert wrong_state.value.available == ("vote",)
    assert wrong_state.value.state == "convened" and wrong_state.value.trigger == "approve"
    assert "已召集" in wrong_state.value.message("zh")
    with pytest.raises(InvalidTrigger) as unknown:
        engine.fire(inst.id, "vot", secretary)
    assert "did you mean 'vote'?" in unknown.value.message("en")
    assert engine.get(inst.id).version == 1


def test_refused_role(engine: Engine, secretary: Actor, superior: Actor) -> None:
    inst = engine.start("mini_election", {"expected": 40}, secretary)
    with pytest.raises(NotAuthorized) as exc:
        engine.fire(inst.id, "vote", superior, {"present": 33})
    assert exc.value.role == "superior" and exc.value.allowed == ("secretary",)
    assert "书记" in exc.value.message("zh")
    assert len(engine.history(inst.id)) == 1


def test_role_is_checked_before_conditions(engine: Engine, secretary: Actor,
                                           superior: Actor) -> None:
    inst = engine.start("mini_election", {"expected": 40}, secretary)
    with pytest.raises(NotAuthorized):
        engine.fire(inst.id, "vote", superior, {"present": 1})


@pytest.mark.parametrize(("present", "ok"), [(32, False), (33, True)])
def test_quorum_boundary_is_strict(engine: Engine, secretary: Actor, present: int,
                                   ok: bool) -> None:
    inst = engine.start("mini_election", {"expected": 40}, secretary)
    if ok:
        assert engine.fire(inst.id, "vote", secretary, {"present": present}).state == "voted"
        return
    with pytest.raises(ConditionFailed) as exc:
        engine.fire(inst.id, "vote", secretary, {"present": present})
    assert exc.value.message("zh") == "到会 32 人，未超过应到 40 人的 4/5"
    assert exc.value.message("en") == "32 present, not more than 4/5 of 40"
    (failure,) = exc.value.failures
    assert failure.basis == "E2" and failure.dest == "voted"
    assert failure.expression == "exceeds(present, expected, election_quorum)"
    assert engine.get(inst.id).state == "convened"
    assert engine.get(inst.id).data == {"expected": 40}  # refused data is not kept


def test_missing_input_is_named(engine: Engine, secretary: Actor) -> None:
    inst = engine.start("mini_election", {}, secretary)
    with pytest.raises(ConditionFailed) as exc:
        engine.fire(inst.id, "vote", secretary, {"present": 10})
    assert "应到人数（expected）" in exc.value.message("zh")


def test_reason_required_on_reject(engine: Engine, secretary: Actor, superior: Actor) -> None:
    inst = _to_review(engine, secretary)
    for data in ({}, {"reason": "   "}):
        with pytest.raises(ConditionFailed) as exc:
            engine.fire(inst.id, "reject", superior, data)
        assert exc.value.failures[0].basis == "T4"
    assert engine.fire(inst.id, "reject", superior, {"reason": "材料不全"}).state == "rejected"


def test_event_data_checked_against_inputs(engine: Engine, secretary: Actor) -> None:
    inst = engine.start("mini_election", {"expected": 40}, secretary)
    with pytest.raises(InvalidEventData) as exc:
        engine.fire(inst.id, "vote", secretary,
                    {"present": "33", "actor": "someone-else", "held_on": "yesterday"})
    fields = {e.field for e in exc.value.errors}
    assert fields == {"present", "actor", "held_on"}
    assert "整数" in exc.value.message("zh")
    with pytest.raises(InvalidEventData):
        engine.fire(inst.id, "vote", secretary, {"present": -1})  # min: 0
    with pytest.raises(InvalidEventData):
        engine.fire(inst.id, "vote", secretary, {"present": True})  # bool is not int
    assert len(engine.history(inst.id)) == 1


def test_actor_cannot_be_forged_through_event_data(engine: Engine, secretary: Actor) -> None:
    inst = engine.start("mini_election", {"expected": 40}, secretary)
    with pytest.raises(InvalidEventData):
        engine.fire(inst.id, "vote", secretary, {"present": 33, "actor_org": "street-1"})


def test_start_checks(engine: Engine, secretary: Actor, superior: Actor) -> None:
    with pytest.raises(UnknownProcedure) as exc:
        engine.start("mini_electon", {}, secretary)
    assert "mini_election" in exc.value.message("en")
    with pytest.raises(NotAuthorized):
        engine.start("mini_election", {}, superior)
    with pytest.raises(InvalidEventData):
        engine.start("mini_election", {"expected": "forty"}, secretary)
    engine.start("mini_election", {}, secretary, instance_id="case-1")
    with pytest.raises(ConcurrentUpdate) as dup:
        engine.start("mini_election", {}, secretary, instance_id="case-1")
    assert dup.value.expected_version == 0
    with pytest.raises(InstanceNotFound):
        engine.fire("no-such-case", "vote", secretary)
    with pytest.raises(InstanceNotFound):
        engine.history("no-such-case")


class _StaleOnce(Store):
    """Delegates to a store but hands out one stale read, as a racing process would see."""

    def __init__(self, inner: Store) -> None:
        self.inner = inner
        self.stale: Instance | None = None

    def get(self, instance_id: str) -> Instance:
        if self.stale is not None:
            stale, self.stale = self.stale, None
            return stale
        return self.inner.get(instance_id)

    def save_rules(self, *a: object) -> None:
        self.inner.save_rules(*a)  # type: ignore[arg-type]

    def rules_source(self, h: str) -> str | None:
        return self.inner.rules_source(h)

    def events(self, after: str, limit: int) -> list[Event]:
        return self.inner.events(after, limit)

    def create(self, i: Instance, r: AuditRecord) -> None:
        self.inner.create(i, r)

    def commit(self, i: Instance, v: int, r: AuditRecord) -> None:
        self.inner.commit(i, v, r)

    def history(self, iid: str) -> list[AuditRecord]:
        return self.inner.history(iid)

    def find_step(self, iid: str, key: str) -> AuditRecord | None:
        return self.inner.find_step(iid, key)

    def record(self, iid: str, seq: int) -> AuditRecord | None:
        return self.inner.record(iid, seq)

    def overdue(self, now, after, limit):  # type: ignore[no-untyped-def]
        return self.inner.overdue(now, after, limit)

    def reminders_due(self, now, after, limit):  # type: ignore[no-untyped-def]
        return self.inner.reminders_due(now, after, limit)

    def due_between(self, start, end, after, limit):  # type: ignore[no-untyped-def]
        return self.inner.due_between(start, end, after, limit)

    def instances(self, procedure=None, *, open_only=False, batch=1000):  # type: ignore[no-untyped-def]
        return self.inner.instances(procedure, open_only=open_only, batch=batch)


def test_concurrent_update_writes_nothing(mini_rules: RuleSet, store: Store, clock: FakeClock,
                                          secretary: Actor) -> None:
    racing = _StaleOnce(store)
    engine = Engine(mini_rules, store=racing, clock=clock)
    inst = engine.start("mini_election", {"expected": 40}, secretary)
    engine.fire(inst.id, "vote", secretary, {"present": 33})
    racing.stale = inst  # this writer still believes the instance is at version 1
    with pytest.raises(ConcurrentUpdate) as exc:
        engine.fire(inst.id, "vote", secretary, {"present": 40})
    assert exc.value.expected_version == 1
    assert [r.seq for r in store.history(inst.id)] == [1, 2]
    assert store.get(inst.id).data["present"] == 33
    assert engine.verify(inst.id) == 2


def test_idempotent_retry_is_a_no_op(engine: Engine, secretary: Actor) -> None:
    inst = engine.start("mini_election", {"expected": 40}, secretary)
    first = engine.fire(inst.id, "vote", secretary, {"present": 33}, idempotency_key="req-1")
    again = engine.fire(inst.id, "vote", secretary, {"present": 33}, idempotency_key="req-1")
    assert first == again
    assert len(engine.history(inst.id)) == 2
    assert engine.history(inst.id)[1].idempotency_key == "req-1"
    with pytest.raises(IdempotencyConflict):
        engine.fire(inst.id, "report", secretary, idempotency_key="req-1")


def test_retry_that_races_its_own_first_attempt_replays(mini_rules: RuleSet, store: Store,
                                                        clock: FakeClock,
                                                        secretary: Actor) -> None:
    racing = _StaleOnce(store)
    engine = Engine(mini_rules, store=racing, clock=clock)
    inst = engine.start("mini_election", {"expected": 40}, secretary)
    engine.fire(inst.id, "vote", secretary, {"present": 33}, idempotency_key="k")

    # the retry read the instance before the first attempt committed and missed the key
    class Blind(_StaleOnce):
        calls = 0

        def find_step(self, iid: str, key: str) -> AuditRecord | None:
            self.calls += 1
            return None if self.calls == 1 else self.inner.find_step(iid, key)

    blind = Blind(store)
    blind.stale = inst
    retry = Engine(mini_rules, store=blind, clock=clock)
    after = retry.fire(inst.id, "vote", secretary, {"present": 33}, idempotency_key="k")
    assert after.version == 2 and len(store.history(inst.id)) == 2


def test_deadline_fires_on_tick(engine: Engine, secretary: Actor, clock: FakeClock) -> None:
    inst = _to_review(engine, secretary)
    # entered 1 January 08:00 Beijing time: P1M ends with 1 February, 24:00 local (C1–C3)
    assert inst.deadline_at == dt.datetime(2026, 2, 2, tzinfo=BEIJING)
    assert engine.tick().fired == []
    clock.set(dt.datetime(2026, 2, 1, 23, 59, tzinfo=BEIJING))  # the last day, still in time
    assert engine.tick().fired == []
    clock.set(dt.datetime(2026, 2, 2, tzinfo=BEIJING))
    report = engine.tick()
    assert report.fired == [(inst.id, "escalate", "under_review", "escalated")]
    after = engine.get(inst.id)
    assert after.state == "escalated" and after.deadline_at is None
    last = engine.history(inst.id)[-1]
    assert (last.actor_id, last.actor_role, last.trigger) == ("partyflow.tick", "system",
                                                              "escalate")
    assert engine.tick().fired == []  # nothing fires twice
    assert engine.verify(inst.id) == 4


def test_two_tick_runners_never_double_fire(mini_rules: RuleSet, tmp_path: Path,
                                            clock: FakeClock, secretary: Actor) -> None:
    url = f"sqlite:///{tmp_path / 'shared.db'}"
    a = Engine(mini_rules, store=url, clock=clock)
    b = Engine(mini_rules, store=url, clock=clock)
    ids = [_to_review(a, secretary).id for _ in range(5)]
    clock.advance("P2M")
    stale = b.store.overdue(clock.now(), None, 100)
    first = a.tick()
    assert len(first.fired) == 5
    # b read the same overdue instances before a committed: replaying them must not fire
    for inst in stale:  # the same pipeline tick uses: decide the timeout, seal, commit
        ctx = StepContext(b.versions.of(inst), b.versions.machine(inst), b.hierarchy, list)
        with pytest.raises(ConcurrentUpdate):
            commit(b.store, seal(timeout_step(ctx, inst, clock.now())))
    assert b.tick().fired == []
    for iid in ids:
        assert [r.trigger for r in a.history(iid)].count("escalate") == 1


def test_tick_rejects_naive_time(engine: Engine) -> None:
    with pytest.raises(UsageError):
        engine.tick(dt.datetime(2026, 1, 1))


def test_available_triggers(engine: Engine, secretary: Actor, superior: Actor) -> None:
    inst = _to_review(engine, secretary)
    assert engine.available_triggers(inst.id, superior) == ["approve", "reject", "escalate"]
    assert engine.available_triggers(inst.id, secretary) == []


def _tamper(store: Store, instance_id: str, how: str) -> None:
    """Change the stored trail as someone with database access could."""
    records = store.history(instance_id)
    if isinstance(store, MemoryStore):
        if how == "edit":
            store._replace_record(instance_id, 1, dataclasses.replace(
                records[1], data={"present": 40}))
        elif how == "delete_middle":
            store._replace_record(instance_id, 1, None)
        elif how == "delete_last":
            store._replace_record(instance_id, len(records) - 1, None)
        elif how == "reorder":
            store._replace_record(instance_id, 1, dataclasses.replace(records[2], seq=2))
            store._replace_record(instance_id, 2, dataclasses.replace(records[1], seq=3))
        return
    from partyflow.stores.schema import audit_table

    t = audit_table.c
    with store.engine.begin() as conn:  # type: ignore[attr-defined]
        where = (t.instance_id == instance_id)
        if how == "edit":
            conn.execute(audit_table.update().where(where, t.seq == 2)
                         .values(data='{"present":40}'))
        elif how == "delete_middle":
            conn.execute(audit_table.delete().where(where, t.seq == 2))
        elif how == "delete_last":
            conn.execute(audit_table.delete().where(where, t.seq == len(records)))
        elif how == "reorder":
            conn.execute(audit_table.update().where(where, t.seq == 2).values(seq=-1))
            conn.execute(audit_table.update().where(where, t.seq == 3).values(seq=2))
            conn.execute(audit_table.update().where(where, t.seq == -1).values(seq=3))


@pytest.mark.parametrize(("how", "reason", "seq"), [
    ("edit", "hash_mismatch", 2),
    ("delete_middle", "sequence_gap", 2),
    ("delete_last", "head_mismatch", 3),
    ("reorder", "link_mismatch", 2),
])
def test_tampering_is_detected(engine: Engine, store: Store, secretary: Actor, how: str,
                               reason: str, seq: int) -> None:
    inst = _to_review(engine, secretary)
    assert engine.verify(inst.id) == 3
    _tamper(store, inst.id, how)
    with pytest.raises(AuditChainBroken) as exc:
        engine.verify(inst.id)
    assert (exc.value.reason, exc.value.seq) == (reason, seq)


def test_running_instances_keep_their_rules_version(mini_rules: RuleSet, store: Store,
                                                    clock: FakeClock,
                                                    secretary: Actor) -> None:
    old_engine = Engine(mini_rules, store=store, clock=clock)
    old = old_engine.start("mini_election", {"expected": 40}, secretary)
    relaxed = edited_rules(MINI, ('version: "test-1"', 'version: "test-2"'),
                           ('value: "4/5"', 'value: "1/2"'), file="relaxed.yaml")
    assert relaxed.content_hash != mini_rules.content_hash
    new_engine = Engine(relaxed, store=store, clock=clock)  # knows only the new rules
    new = new_engine.start("mini_election", {"expected": 40}, secretary)
    assert new.rules_version == "test-2"
    assert new_engine.fire(new.id, "vote", secretary, {"present": 21}).state == "voted"
    with pytest.raises(ConditionFailed):  # still 4/5: reloaded from the store's copy
        new_engine.fire(old.id, "vote", secretary, {"present": 21})
    voted = new_engine.fire(old.id, "vote", secretary, {"present": 33})
    assert voted.rules_version == "test-1"
    assert new_engine.history(old.id)[-1].rules_hash == mini_rules.content_hash


def test_public_api_is_pinned() -> None:
    assert sorted(partyflow.__all__) == sorted([
        "Actor", "AuditChainBroken", "AuditRecord", "Clock", "ConcurrentUpdate",
        "ConditionFailed", "ConditionFailure", "Duration", "Engine", "FieldError",
        "IdempotencyConflict", "Instance", "InstanceNotFound", "InvalidEventData",
        "InvalidTrigger", "MemoryStore", "NotAuthorized", "PartyflowError", "Problem",
        "ProcedureDef", "RuleSet", "RulesError", "RulesVersionUnavailable", "Store",
        "SystemClock", "Text", "TickReport", "AuthorityDef", "ConditionDef", "EstablishesDef",
        "InputDef", "ParameterDef", "StateDef", "TransitionDef", "HierarchyView", "Org",
        "ManualClock", "Calendar", "ClockWentBack", "Deadline", "DeadlineError", "MAX_PERIOD",
        "UnknownProcedure", "UsageError", "WorkflowError", "__version__", "check_rules_text",
        "load_rules", "load_rules_text", "open_store",
        "ChainLink", "Hierarchy", "HierarchyError", "Organization", "ReportRow",
        "InboxItem", "InstanceQuery", "OrgTodo", "Event", "OrgImport", "OrgImportRefused",
        "UnknownOrganization", "load_hierarchy", "StoreError",
        "Change", "DiffWarning", "ImpactGroup", "ImpactReport", "MigrationMap", "MigrationOutcome",
        "MigrationReport", "RulesDiff", "diff_rules",
        "impact", "load_migration_map", "migrate",
    ])
    for name in partyflow.__all__:
        obj = getattr(partyflow, name)
        if isinstance(obj, type) and issubclass(obj, Exception):
            assert issubclass(obj, partyflow.PartyflowError), name


def test_actor_is_validated() -> None:
    with pytest.raises(UsageError):
        Actor("", "secretary")
    with pytest.raises(UsageError):
        Actor("x", "")


def test_bad_store_url() -> None:
    with pytest.raises(UsageError):
        partyflow.open_store("mysql://nowhere")


def test_deadline_from_instance_data(store: Store, clock: FakeClock) -> None:
    rules = partyflow.load_rules(MINI.parent / "letter.yaml")
    engine = Engine(rules, store=store, clock=clock)
    sender, receiver = Actor("s", "sender"), Actor("r", "receiver")
    short = engine.start("letter", {"validity": "P10D"}, sender)
    default = engine.start("letter", {}, sender)
    # from 1 January (Beijing): the last days are 11 and 31 January, ending at 24:00 local
    assert short.deadline_at == dt.datetime(2026, 1, 12, tzinfo=BEIJING)
    assert default.deadline_at == dt.datetime(2026, 2, 1, tzinfo=BEIJING)
    assert default.data["validity"] == "P30D"
    too_long = engine.start("letter", {"validity": "P4M"}, sender)
    with pytest.raises(ConditionFailed) as exc:
        engine.fire(too_long.id, "receive", receiver)
    assert exc.value.message("zh") == "有效期 P4M 超过上限 P3M"
    clock.advance("P11D")
    assert [f[0] for f in engine.tick().fired] == [short.id]


def test_deadline_input_needs_a_default() -> None:
    text = (MINI.parent / "letter.yaml").read_text(encoding="utf-8").replace(
        "validity: {type: duration, default: P30D,", "validity: {type: duration,")
    problems = partyflow.check_rules_text(text, "letter.yaml")
    assert [p.type for p in problems] == ["deadline_input"]
    assert (problems[0].line, problems[0].path) == (
        22, "procedures.letter.states.issued.deadline")


def test_a_missing_input_only_fails_a_condition_that_needs_it(store: Store,
                                                               clock: FakeClock) -> None:
    text = (MINI.parent / "letter.yaml").read_text(encoding="utf-8").replace(
        "expr: validity <= letter_validity_max",
        "expr: note == 'waived' || validity <= letter_validity_max").replace(
        "      validity: {type: duration",
        "      note: {type: str, label: {zh: 备注, en: Note}}\n      validity: {type: duration")
    engine = Engine(load_rules_text(text, "or.yaml"), store=store, clock=clock)
    sender, receiver = Actor("s", "sender"), Actor("r", "receiver")
    ok = engine.start("letter", {}, sender)  # note missing, validity P30D: the || still holds
    assert engine.fire(ok.id, "receive", receiver).state == "received"
    long = engine.start("letter", {"validity": "P4M"}, sender)
    with pytest.raises(ConditionFailed) as exc:
        engine.fire(long.id, "receive", receiver)
    assert "备注（note）" in exc.value.message("zh")  # named only because the condition failed


def test_conditions_see_the_current_deadline(store: Store, clock: FakeClock) -> None:
    text = (MINI.parent / "letter.yaml").read_text(encoding="utf-8").replace(
        "        dest: expired\n        roles: [sender]",
        "        dest: expired\n        roles: [sender]\n        conditions:\n"
        "          - expr: now >= deadline_at && entered_at < deadline_at\n"
        "            message: {zh: 尚未到期, en: not overdue yet}")
    engine = Engine(load_rules_text(text, "early.yaml"), store=store, clock=clock)
    sender = Actor("s", "sender")
    inst = engine.start("letter", {"validity": "P10D"}, sender)
    with pytest.raises(ConditionFailed, match="尚未到期"):
        engine.fire(inst.id, "expire", sender)
    clock.advance("P10D")  # 11 January 08:00 in Beijing: the last day, not yet overdue
    with pytest.raises(ConditionFailed, match="尚未到期"):
        engine.fire(inst.id, "expire", sender)
    clock.set(dt.datetime(2026, 1, 12, tzinfo=BEIJING))
    assert engine.fire(inst.id, "expire", sender).state == "expired"


def test_a_step_takes_only_its_own_fields_and_conditions_see_this_steps_data(
        store: Store, clock: FakeClock, secretary: Actor, superior: Actor) -> None:
    text = MINI.read_text(encoding="utf-8").replace(
        '''          - expr: "!blank(reason)"''', '''          - expr: "!blank(event.reason)"''').replace(
        "        dest: rejected\n        roles: [superior]",
        "        dest: rejected\n        roles: [superior]\n        accepts: [reason]")
    text = text.replace("      - trigger: escalate\n        source: under_review",
                        "      - trigger: reopen\n        source: rejected\n        dest: under_review\n"
                        "        roles: [superior]\n      - trigger: escalate\n"
                        "        source: under_review")
    text = text.replace("rejected: {label: {zh: 已退回, en: Rejected}, terminal: true}",
                        "rejected: {label: {zh: 已退回, en: Rejected}}")
    engine = Engine(load_rules_text(text, "event.yaml"), store=store, clock=clock)
    inst = _to_review(engine, secretary)
    with pytest.raises(InvalidEventData) as exc:  # a reject cannot rewrite the vote count
        engine.fire(inst.id, "reject", superior, {"reason": "材料不全", "present": 40})
    assert [e.field for e in exc.value.errors] == ["present"]
    assert "可填写：reason" in exc.value.message("zh")
    engine.fire(inst.id, "reject", superior, {"reason": "材料不全"})
    engine.fire(inst.id, "reopen", superior)
    with pytest.raises(ConditionFailed):  # the earlier reason does not count for this step
        engine.fire(inst.id, "reject", superior)
    assert engine.fire(inst.id, "reject", superior, {"reason": "仍不全"}).state == "rejected"


def test_event_fields_are_checked_at_load() -> None:
    text = MINI.read_text(encoding="utf-8").replace(
        '''          - expr: "!blank(reason)"''', '''          - expr: "!blank(event.reson)"''')
    problems = partyflow.check_rules_text(text, "event.yaml")
    assert [(p.type, p.ctx["name"]) for p in problems] == [("unknown_name", "event.reson")]
    assert "did you mean 'reason'" in problems[0].text.en


@pytest.mark.parametrize("value", [float("nan"), float("inf"), float("-inf")])
def test_a_non_finite_float_input_is_refused(value: float) -> None:
    from partyflow import InputDef, Text

    spec = InputDef("share", "float", Text("比例", "share"), min=0, max=1)
    with pytest.raises(ValueError) as caught:
        spec.coerce(value)
    assert "finite" in caught.value.args[0].en


def test_the_start_is_refused_a_field_only_a_later_step_may_set(store: Store,
                                                                 clock: FakeClock) -> None:
    """``start_accepts``: the starter cannot decide in advance what a later step records;
    nothing is stored, and the step that accepts the field takes it."""
    rules = edited_rules(MINI, ("    start_roles: [secretary]\n", "    start_roles: [secretary]\n"
                                "    start_accepts: [expected, held_on]\n"))
    engine = Engine(rules, store=store, clock=clock)
    secretary = Actor("wang", "secretary", "org-1")
    with pytest.raises(InvalidEventData) as info:
        engine.start("mini_election", {"expected": 10, "present": 9}, secretary)
    [err] = info.value.errors
    assert err.field == "present"
    assert "expected, held_on" in err.text.en and "发起时不能填写" in err.text.zh
    assert list(store.instances()) == []
    inst = engine.start("mini_election", {"expected": 10}, secretary)
    assert engine.fire(inst.id, "vote", secretary, {"present": 9}).state == "voted"

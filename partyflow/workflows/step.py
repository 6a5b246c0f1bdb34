"""One step, one path: ``decide`` → ``seal`` → ``commit`` for every state change.

A user's step, a timeout, an escalation (一级抓一级), an establishment and a rules migration
all become a ``Step`` (what the instance will be, and who did what), which ``seal`` turns into
the new instance row and its hash-chained audit record, which ``commit`` writes in one atomic
store operation — or nothing::

    inst = store.get(instance_id)
    step = decide(ctx, inst, trigger, actor, data, now)   # writes nothing; raises a refusal
    commit(store, seal(step))                              # one transaction

``decide`` checks, in order: the trigger exists from the current state (``InvalidTrigger``);
the actor's role may fire it and acts for the right organization or person
(``NotAuthorized``); the step's data is accepted and fits the inputs (``InvalidEventData``);
then transitions runs the trigger on a scratch model, trying each candidate transition's
guard — every condition evaluated, every failure kept (``ConditionFailed``); four-eyes last.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from partyflow.errors import (
    ClockWentBack,
    ConditionFailed,
    ConditionFailure,
    DeadlineError,
    FieldError,
    InvalidEventData,
    Text,
    WorkflowError,
)
from partyflow.hierarchy.query import HierarchyView, Organization
from partyflow.rules.calendar import PeriodError
from partyflow.rules.definitions import ProcedureDef, RuleSet, TransitionDef
from partyflow.stores.base import Store
from partyflow.workflows import authority
from partyflow.workflows.audit import record_hash, row_digest, verify_head
from partyflow.workflows.conditions import evaluate
from partyflow.workflows.inputs import (
    accepting,
    check_orgs,
    coerce,
    invalid_trigger,
    read_hierarchy,
    start_accepting,
)
from partyflow.workflows.machine import ProcedureMachine
from partyflow.workflows.parties import changed_parties, start_parties
from partyflow.workflows.records import SYSTEM_ACTOR, Actor, AuditRecord, Instance, Parties

_EMPTY: Mapping[str, Any] = {}

ESCALATE_TRIGGER = "escalate_overdue"
"""The trigger of the audit record an escalation writes (basis H2)."""

REMIND_TRIGGER = "remind_deadline"
"""The trigger of the audit record a reminder before a deadline writes (no state change)."""

ENGINE_KEY_PREFIX = "partyflow:"
"""The idempotency keys of the engine's own steps (timeouts, escalations, migrations) start
with this; a caller's key may not, so no caller can pre-empt or replay an engine step."""


def engine_key(kind: str, *parts: object) -> str:
    """An idempotency key in the engine's namespace, e.g. ``partyflow:timeout:3``."""
    return ENGINE_KEY_PREFIX + ":".join((kind, *map(str, parts)))


@dataclass(frozen=True, slots=True)
class StepContext:
    """What ``decide`` reads besides the instance: its rules, machine and the hierarchy.

    Attributes:
        rules: the rules the instance runs under (role labels for messages).
        machine: its procedure's compiled machine under those rules.
        orgs: the hierarchy (authority, organization inputs, escalation, establishment).
        history: the instance's audit records, read only when four-eyes or a
            ``person: starter`` binding needs them.
    """

    rules: RuleSet
    machine: ProcedureMachine
    orgs: HierarchyView
    history: Callable[[], Sequence[AuditRecord]]

    def starter(self) -> tuple[str, str | None] | None:
        """Who started the instance (actor id, organization), from its first record."""
        records = self.history()
        return (records[0].actor_id, records[0].actor_org) if records else None


@dataclass(slots=True)
class Step:
    """A decided state change, not yet sealed: the instance as it will be, and its record.

    Not frozen on purpose (a frozen dataclass costs ~1.5 µs more per step to build); nothing
    changes a ``Step`` after ``decide`` or ``seal`` returns it.

    Attributes:
        before: the instance as read (None for a start).
        instance_id, procedure, state, data, deadline_at, terminal, org, escalation,
            escalated_to, overdue_since, rules_version, rules_hash: the instance after it.
        trigger, actor, event, basis, idempotency_key, at: what the audit record says.
        entered_at: the instance's ``updated_at`` after it — ``at`` for a step a person or a
            timeout takes; kept for an escalation or a migration, which leave the state as
            entered (conditions read it as ``entered_at``; deadlines count from it).
        organization: an organization the step adds to the hierarchy (an establishment).
        deadline_estimated: the deadline was counted on an estimated working-day calendar.
        remind_at: when a reminder before the deadline is due (None: none, or sent).
    """

    before: Instance | None
    instance_id: str
    procedure: str
    state: str
    data: Mapping[str, Any]
    deadline_at: dt.datetime | None
    terminal: bool
    org: str | None
    escalation: int
    escalated_to: str | None
    overdue_since: dt.datetime | None
    rules_version: str
    rules_hash: str
    trigger: str
    actor: Actor
    event: Mapping[str, Any]
    basis: str | None
    idempotency_key: str | None
    at: dt.datetime
    entered_at: dt.datetime
    organization: Organization | None = None
    deadline_estimated: bool = False
    remind_at: dt.datetime | None = None
    head: AuditRecord | None = None  # ``before``'s newest record, when read with it
    parties: Parties | None = None  # who it names that the step (re)writes (parties.py)


@dataclass(slots=True)
class Sealed:
    """A step ready to commit: the new instance row, its audit record, the version it
    replaces (0 for a new instance), any organization it establishes, and the row as read
    (None for a start)."""

    instance: Instance
    record: AuditRecord
    expected_version: int
    organization: Organization | None = None
    before: Instance | None = None
    head: AuditRecord | None = None
    parties: Parties | None = None


def seal(step: Step) -> Sealed:
    """The new instance row and its audit record, chained to the previous record's hash.

    Raises:
        ClockWentBack: the step's time is before the instance's newest record.
    """
    before = step.before
    if before is not None:
        last = before.last_step_at or before.updated_at
        if step.at < last:
            raise ClockWentBack(
                Text(f"时钟倒退：步骤时间 {step.at.isoformat()} 早于实例 {before.id} 最近一条记录的时间 "
                     f"{last.isoformat()}，审计记录的时间不能倒退，已拒绝",
                     f"the clock went back: the step's time {step.at.isoformat()} is before "
                     f"instance {before.id}'s newest record at {last.isoformat()}; audit "
                     "times never go back, so the step is refused"),
                last_at=last, at=step.at, instance_id=before.id, procedure=before.procedure,
                state=before.state, trigger=step.trigger, actor_id=step.actor.id)
    seq = before.version + 1 if before is not None else 1
    prev = before.last_hash if before is not None else ""
    actor = step.actor
    created = before.created_at if before is not None else step.at
    sealed_state = row_digest(  # the record seals the row it produces
        step.instance_id, step.procedure, step.state, step.data, seq, step.rules_version,
        step.rules_hash, created, step.entered_at, step.deadline_at, step.terminal, step.org,
        step.escalation, step.escalated_to, step.overdue_since, step.deadline_estimated,
        step.remind_at, step.at)
    digest = record_hash(
        instance_id=step.instance_id, seq=seq, at=step.at, actor_id=actor.id,
        actor_role=actor.role, actor_org=actor.org, trigger=step.trigger,
        from_state=before.state if before is not None else None, to_state=step.state,
        data=step.event, rules_version=step.rules_version, rules_hash=step.rules_hash,
        basis=step.basis, idempotency_key=step.idempotency_key, prev_hash=prev,
        state_hash=sealed_state)
    record = AuditRecord(
        step.instance_id, seq, step.at, actor.id, actor.role, actor.org, step.trigger,
        before.state if before is not None else None, step.state, step.event,
        step.rules_version, step.rules_hash, step.basis, step.idempotency_key, prev, digest,
        sealed_state)
    instance = Instance(
        step.instance_id, step.procedure, step.state, step.data, seq, step.rules_version,
        step.rules_hash, created, step.entered_at, step.deadline_at, step.terminal, digest,
        step.org, step.escalation, step.escalated_to, step.overdue_since,
        step.deadline_estimated, step.remind_at, step.at)
    return Sealed(instance, record, before.version if before is not None else 0,
                  step.organization, before, step.head, step.parties)


def commit(store: Store, sealed: Sealed) -> None:
    """Write a sealed step in one atomic store operation (``ConcurrentUpdate`` if stale).

    Raises:
        AuditChainBroken: the stored row is not the one its newest record sealed (edited
            in the database); nothing is written on it.
    """
    before = sealed.before
    if before is not None and store.rows_shared:
        head = sealed.head
        if head is None or head.seq != before.version:
            head = store.record(before.id, before.version)
        verify_head(before, head)
    if sealed.expected_version == 0 and not sealed.parties:  # a store written before parties
        store.create(sealed.instance, sealed.record)
    elif sealed.expected_version == 0:
        store.create(sealed.instance, sealed.record, parties=sealed.parties)
    elif sealed.organization is None and sealed.parties is None:
        store.commit(sealed.instance, sealed.expected_version, sealed.record)
    else:
        store.commit(sealed.instance, sealed.expected_version, sealed.record,
                     organization=sealed.organization, parties=sealed.parties)


def decide_start(rules: RuleSet, proc: ProcedureDef, data: Mapping[str, Any], actor: Actor,
                 instance_id: str, now: dt.datetime, orgs: HierarchyView) -> Step:
    """The first step of a new instance of ``proc`` (writes nothing)."""
    def where() -> dict[str, Any]:
        return {"procedure": proc.name, "trigger": "start", "actor_id": actor.id}

    authority.may_start(rules, proc, actor)
    start_accepting(proc, data, where)
    values = coerce(proc, data, where)
    for name, spec in proc.inputs.items():
        if spec.default is not None and values.get(name) is None:
            values[name] = spec.default
    _from_hierarchy(proc, values, actor, orgs, where)
    check_orgs(proc, values, orgs, where)
    read_hierarchy(proc, values, orgs, where)
    refusal = authority.authority_refusal(rules, proc, values, actor, "start", orgs, where(),
                                          lambda: (actor.id, actor.org))
    if refusal is not None:
        raise refusal
    deadline_at, estimated, remind_at = timing(proc, proc.initial, values, now, where)
    return Step(
        None, instance_id, proc.name, proc.initial, values, deadline_at,
        proc.states[proc.initial].terminal,
        values.get(proc.organization) if proc.organization else None, 0, None, None,
        rules.version, rules.content_hash, "start", actor, values, None, None, now, now,
        deadline_estimated=estimated, remind_at=remind_at,
        parties=start_parties(proc, values, actor.id))


def decide(ctx: StepContext, inst: Instance, trigger: str, actor: Actor,
           data: Mapping[str, Any], now: dt.datetime, *, key: str | None = None,
           timeout: bool = False) -> Step:
    """The step ``actor`` fires on ``inst`` (writes nothing; raises the refusal).

    With ``timeout``, the step is the state's ``on_timeout`` fired by the engine: roles,
    authority and four-eyes do not apply, conditions do.
    """
    machine = ctx.machine
    proc = machine.definition

    def where() -> dict[str, Any]:
        return {"instance_id": inst.id, "procedure": inst.procedure, "state": inst.state,
                "trigger": trigger, "actor_id": actor.id}

    candidates = machine.candidates(trigger, inst.state)
    if not candidates:
        raise invalid_trigger(proc, inst.state, trigger, machine.triggers_from(inst.state),
                              where())
    allowed = candidates if timeout else tuple(t for t in candidates if actor.role in t.roles)
    if allowed and not timeout:
        # who acts for which organization: read from the instance as stored, never from
        # this step's data, so a forged organization field cannot grant authority
        refusal = authority.authority_refusal(ctx.rules, proc, inst.data, actor, trigger,
                                              ctx.orgs, where(), ctx.starter)
        if refusal is not None:
            raise refusal
    if data and allowed:
        allowed = accepting(proc, allowed, data, trigger, where)
    if not allowed:
        raise authority.role_refused(ctx.rules, proc, inst.state, trigger, candidates, actor,
                                     where())
    event = coerce(proc, data, where) if data else _EMPTY
    if event:
        check_orgs(proc, event, ctx.orgs, where)
    merged = {**inst.data, **event} if event else inst.data
    admitted = {t.index for t in allowed}
    failures: list[ConditionFailure] = []

    def admit(t: TransitionDef) -> bool:
        if t.index not in admitted:
            return False
        if t.conditions:
            failed = evaluate(proc, t, merged, event, actor, now, inst)
            if failed:
                failures.extend(failed)
                return False
        return True

    chosen = machine.run(inst.state, trigger, admit)
    if chosen is None:
        raise ConditionFailed(failures, **where())
    if chosen.distinct_from and not timeout:
        refusal = authority.four_eyes_refusal(chosen, actor, ctx.history(), where())
        if refusal is not None:
            raise refusal
    new_state = chosen.dest
    stays = new_state == inst.state
    if stays and inst.overdue_since is not None:  # the escalation clock runs on
        deadline_at, estimated, remind_at = (inst.deadline_at, inst.deadline_estimated,
                                             inst.remind_at)
    else:
        deadline_at, estimated, remind_at = timing(proc, new_state, merged, now, where)
    est = proc.establishes
    established = None
    if est is not None and new_state == est.state and not stays:
        established = _new_organization(proc, inst, merged, ctx.orgs, where)
    return Step(
        inst, inst.id, inst.procedure, new_state, merged, deadline_at,
        proc.states[new_state].terminal,
        merged.get(proc.organization) if proc.organization else None,
        inst.escalation if stays else 0, inst.escalated_to if stays else None,
        inst.overdue_since if stays else None, inst.rules_version, inst.rules_hash,
        trigger, actor, event, chosen.bases, key, now, now, established,
        deadline_estimated=estimated, remind_at=remind_at,
        parties=changed_parties(proc, inst.data, merged) if proc.party_keys else None)


def decide_escalation(proc: ProcedureDef, inst: Instance, now: dt.datetime,
                      orgs: HierarchyView) -> Step:
    """One level up the responsible organization's chain for an overdue instance that stays
    in its state (``escalate: true``); raises why it cannot be escalated."""
    assert inst.deadline_at is not None
    chain = orgs.responsibility_chain(inst.org) if inst.org else ()
    level = inst.escalation + 1
    if level >= len(chain):
        raise WorkflowError(
            Text(f"实例 {inst.id} 已超期，但负责组织 {inst.org or '（未填写）'} 之上已无可督办的上级",
                 f"instance {inst.id} is overdue but there is no superior above "
                 f"{inst.org or '(none given)'} to escalate to"),
            instance_id=inst.id, procedure=inst.procedure, state=inst.state)
    target = chain[level]
    nxt, estimated, remind_at = None, False, None
    if level + 1 < len(chain):  # the next level's period follows the one that passed
        nxt, estimated, remind_at = timing(
            proc, inst.state, inst.data, inst.deadline_at, lambda: {
                "instance_id": inst.id, "procedure": inst.procedure, "state": inst.state,
                "trigger": ESCALATE_TRIGGER}, following=True)
    since = inst.overdue_since or inst.deadline_at
    return Step(
        inst, inst.id, inst.procedure, inst.state, inst.data, nxt, inst.terminal, inst.org,
        level, target.org_id, since, inst.rules_version, inst.rules_hash, ESCALATE_TRIGGER,
        SYSTEM_ACTOR, {"escalation": level, "escalated_to": target.org_id,
                       "overdue_since": since.isoformat()},
        "H2", engine_key("escalate", inst.version), now, inst.updated_at,
        deadline_estimated=estimated, remind_at=remind_at)


def decide_reminder(proc: ProcedureDef, inst: Instance, now: dt.datetime) -> Step:
    """The reminder before ``inst``'s deadline (``remind_before``): an audit record, no
    change of state; the instance's ``remind_at`` is cleared so it is sent once."""
    assert inst.deadline_at is not None
    before = proc.reminder_for(inst.state)
    return Step(
        inst, inst.id, inst.procedure, inst.state, inst.data, inst.deadline_at, inst.terminal,
        inst.org, inst.escalation, inst.escalated_to, inst.overdue_since, inst.rules_version,
        inst.rules_hash, REMIND_TRIGGER, SYSTEM_ACTOR,
        {"deadline_at": inst.deadline_at.isoformat(),
         "remind_before": str(before) if before is not None else None},
        None, engine_key("remind", inst.version), now, inst.updated_at,
        deadline_estimated=inst.deadline_estimated, remind_at=None)


def timing(proc: ProcedureDef, state: str, data: Mapping[str, Any], start: dt.datetime,
           where: Callable[[], dict[str, Any]], *, following: bool = False,
           ) -> tuple[dt.datetime | None, bool, dt.datetime | None]:
    """``state``'s deadline counted from ``start`` by the rules' calendar, whether it is
    estimated, and when its reminder is due: ``(deadline_at, estimated, remind_at)``.

    With ``following``, the period follows one that passed at ``start`` (an escalation).

    Raises:
        DeadlineError: the period cannot be read or runs off the calendar.
    """
    cal = proc.calendar
    written: str | None = None
    try:
        period = proc.deadline_for(state, data)
        if period is None:
            return None, False, None
        written = str(period)
        deadline = cal.following(period, start) if following else cal.deadline(period, start)
        before = proc.reminder_for(state)
        remind_at = cal.remind_at(before, deadline.at) if before is not None else None
    except (PeriodError, ValueError, OverflowError) as exc:
        shown = written or "?"
        raise DeadlineError(
            Text(f"状态 {state} 的期限 {shown} 无法从 {start.isoformat()} 起计算：{exc}",
                 f"the deadline {shown} of state {state} cannot be counted from "
                 f"{start.isoformat()}: {exc}"), period=written,
            **{**where(), "state": state}) from None
    return deadline.at, deadline.estimated, remind_at


def timeout_step(ctx: StepContext, inst: Instance, now: dt.datetime) -> Step:
    """The state's ``on_timeout`` fired by the engine (key ``partyflow:timeout:<version>``)."""
    trigger = ctx.machine.definition.states[inst.state].on_timeout
    assert trigger is not None  # the loader requires it with a deadline
    return decide(ctx, inst, trigger, SYSTEM_ACTOR, _EMPTY, now,
                  key=engine_key("timeout", inst.version), timeout=True)


def _from_hierarchy(proc: ProcedureDef, values: dict[str, Any], actor: Actor,
                    orgs: HierarchyView, where: Callable[[], dict[str, Any]]) -> None:
    """Organization inputs the hierarchy decides (``superior_of_starter``), filled in at start;
    a typed value that disagrees with the hierarchy is refused. Where the starter's own
    organization is not in the hierarchy the typed value stands (checked to exist)."""
    problems: list[FieldError] = []
    for name, spec in proc.inputs.items():
        up = spec.superior_of_starter
        if up is None or actor.org is None or orgs.find(actor.org) is None:
            continue
        superior = orgs.above(actor.org, up)
        if superior is None:
            problems.append(FieldError(name, Text(
                f"组织体系中 {actor.org} 之上没有第 {up} 级上级组织",
                f"the hierarchy has no organization {up} level(s) above {actor.org}"),
                values.get(name)))
        elif values.get(name) is None:
            values[name] = superior.id
        elif values[name] != superior.id:
            problems.append(FieldError(name, Text(
                f"应为 {superior.name}（{superior.id}）：组织体系中 {actor.org} 的上{up}级组织，"
                "不能另填", f"must be {superior.name} ({superior.id}), {up} level(s) above "
                f"{actor.org} in the hierarchy; it cannot be chosen"), values[name]))
    if problems:
        raise InvalidEventData(problems, **where())


def _new_organization(proc: ProcedureDef, inst: Instance, data: Mapping[str, Any],
                      orgs: HierarchyView, where: Callable[[], dict[str, Any]]) -> Organization:
    """The organization a step establishes, checked against the hierarchy."""
    est = proc.establishes
    assert est is not None
    problems: list[FieldError] = []
    new_id, name = data.get(est.id), data.get(est.name)
    parent_id = data.get(est.parent)
    for field_name, value in ((est.id, new_id), (est.name, name), (est.parent, parent_id)):
        if value is None:
            problems.append(FieldError(field_name, Text(
                "成立新组织须填写此项", "needed to add the new organization"), None))
    if new_id is not None and orgs.find(new_id) is not None:
        problems.append(FieldError(est.id, Text(f"组织编号 {new_id} 已被使用",
                                                f"organization id {new_id} is taken"), new_id))
    parent = orgs.find(parent_id) if parent_id is not None else None
    level = None
    if parent is not None:
        level = orgs.levels.below(parent.level)
        if level is None:
            problems.append(FieldError(est.parent, Text(
                f"{parent.name}（{parent.level}）之下没有可设立党组织的层级",
                f"there is no level below {parent.name} ({parent.level}) for a new "
                "organization"), parent_id))
    if problems:
        raise InvalidEventData(problems, **where())
    assert new_id is not None and name is not None and level is not None
    return Organization(
        id=new_id, name=name, level=level, parent=parent_id,
        secretary=data.get(est.secretary) if est.secretary else None,
        attrs={"established_by": inst.procedure}, added_by=inst.id)


__all__ = ["ENGINE_KEY_PREFIX", "ESCALATE_TRIGGER", "REMIND_TRIGGER", "Sealed", "Step",
           "StepContext", "commit", "decide", "decide_escalation", "decide_reminder",
           "decide_start", "engine_key", "seal", "timeout_step", "timing"]

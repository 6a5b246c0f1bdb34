"""The engine: start instances, fire steps, keep the audit trail, fire deadlines."""

from __future__ import annotations

import datetime as dt
import difflib
import uuid
from collections.abc import Callable, Mapping
from typing import Any

from partyflow.errors import (
    ConcurrentUpdate,
    ConditionFailed,
    ConditionFailure,
    FieldError,
    IdempotencyConflict,
    InvalidEventData,
    InvalidTrigger,
    Lang,
    NotAuthorized,
    Text,
    UnknownProcedure,
    UsageError,
    WorkflowError,
)
from partyflow.rules.definitions import ConditionDef, ProcedureDef, RuleSet, TransitionDef
from partyflow.rules.loader import load_rules_text
from partyflow.workflows.audit import record_hash, verify_chain
from partyflow.workflows.clock import Clock, SystemClock, require_aware
from partyflow.workflows.machine import ProcedureMachine
from partyflow.workflows.records import SYSTEM_ACTOR, Actor, AuditRecord, Instance, TickReport
from partyflow.workflows.store import Store, open_store

_EMPTY: Mapping[str, Any] = {}


class _Where:
    """The context of a step, turned into error attributes only when a step is refused."""

    __slots__ = ("actor", "inst", "trigger")

    def __init__(self, inst: Instance, trigger: str, actor: Actor) -> None:
        self.inst, self.trigger, self.actor = inst, trigger, actor

    def __call__(self) -> dict[str, Any]:
        return {"instance_id": self.inst.id, "procedure": self.inst.procedure,
                "state": self.inst.state, "trigger": self.trigger, "actor_id": self.actor.id}


class Engine:
    """Runs procedures from a rule set on a store.

    Args:
        rules: the current rules; new instances start on them. Running instances stay on the
            version they started under (reloaded from the store when needed).
        store: a ``Store`` or a store URL; defaults to an in-memory SQLite database.
        clock: where the time comes from; defaults to the system clock (UTC).

    Example:
        >>> engine = Engine(load_rules("config/rules.yaml"), store="sqlite:///partyflow.db")
        >>> inst = engine.start("branch_establishment", {"full_members": 12}, actor)
        >>> engine.fire(inst.id, "submit", actor)
    """

    def __init__(self, rules: RuleSet, store: Store | str | None = None,
                 clock: Clock | None = None) -> None:
        self.rules = rules
        self.store: Store = open_store(store or "sqlite://") if not isinstance(store, Store) \
            else store
        self.clock: Clock = clock or SystemClock()
        self._rulesets: dict[str, RuleSet] = {rules.content_hash: rules}
        self._machines: dict[tuple[str, str], ProcedureMachine] = {}
        self._saved: set[str] = set()

    # -- queries -----------------------------------------------------------------------------

    def get(self, instance_id: str) -> Instance:
        """The instance as last committed (raises ``InstanceNotFound``)."""
        return self.store.get(instance_id)

    def history(self, instance_id: str) -> list[AuditRecord]:
        """Every audit record of the instance: who did what, when, under which rules."""
        records = self.store.history(instance_id)
        if not records:
            self.store.get(instance_id)  # raises InstanceNotFound
        return records

    def definition(self, instance: Instance | str) -> ProcedureDef:
        """The procedure definition an instance runs under (its pinned rules version)."""
        inst = self.store.get(instance) if isinstance(instance, str) else instance
        return self._machine(inst).definition

    def available_triggers(self, instance_id: str, actor: Actor) -> list[str]:
        """Triggers ``actor``'s role may fire from the instance's current state.

        Conditions are not evaluated here: they often depend on the event data given with
        the step (a reason, a vote count).
        """
        inst = self.store.get(instance_id)
        proc = self._machine(inst).definition
        return [
            trig for trig in proc.triggers_from(inst.state)
            if any(actor.role in t.roles for t in proc.candidates[(trig, inst.state)])
        ]

    def verify(self, instance_id: str) -> int:
        """Verify the instance's audit hash chain; return the number of records checked.

        Raises:
            AuditChainBroken: a record was edited, deleted or reordered.
        """
        inst = self.store.get(instance_id)
        return verify_chain(inst, self.store.history(instance_id))

    # -- steps -------------------------------------------------------------------------------

    def start(self, procedure: str, data: Mapping[str, Any] | None, actor: Actor, *,
              instance_id: str | None = None) -> Instance:
        """Start an instance of ``procedure`` on the current rules.

        Args:
            procedure: the procedure id.
            data: initial instance data, checked against the procedure's inputs.
            actor: who starts it; their role must be in the procedure's ``start_roles``.
            instance_id: your own id (e.g. a case number); a random one otherwise.

        Raises:
            UnknownProcedure, NotAuthorized, InvalidEventData, ConcurrentUpdate (id taken).
        """
        proc = self.rules.procedures.get(procedure)
        if proc is None:
            close = difflib.get_close_matches(procedure, list(self.rules.procedures), n=1)
            hint = f"（你是不是想写 {close[0]}？）" if close else ""
            hint_en = f" (did you mean {close[0]}?)" if close else ""
            raise UnknownProcedure(
                Text(f"规则中没有流程 {procedure}{hint}",
                     f"no procedure {procedure} in the rules{hint_en}"),
                procedure=procedure, actor_id=actor.id,
            )
        if actor.role not in proc.start_roles:
            raise NotAuthorized(
                Text(f"角色 {self._role(actor.role, 'zh')} 不能发起 {proc.title.zh}；"
                     f"可发起的角色：{self._roles(proc.start_roles, 'zh')}",
                     f"role {actor.role} may not start {proc.title.en}; "
                     f"allowed: {self._roles(proc.start_roles, 'en')}"),
                role=actor.role, allowed=sorted(proc.start_roles), procedure=procedure,
                trigger="start", actor_id=actor.id,
            )
        values = self._coerce(proc, data or _EMPTY,
                              lambda: {"procedure": procedure, "trigger": "start"})
        for name, spec in proc.inputs.items():
            if spec.default is not None and values.get(name) is None:
                values[name] = spec.default
        now = self._now()
        iid = instance_id or uuid.uuid4().hex
        if not isinstance(iid, str) or not iid or len(iid) > 128:
            raise UsageError(Text("instance_id 必须是 1 到 128 个字符的文字",
                                  "instance_id must be text of 1 to 128 characters"))
        rules = self.rules
        if rules.content_hash not in self._saved:
            self.store.save_rules(rules.content_hash, rules.version, rules.source)
            self._saved.add(rules.content_hash)
        deadline = proc.deadline_for(proc.initial, values)
        fields: dict[str, Any] = {
            "instance_id": iid, "seq": 1, "at": now, "actor_id": actor.id,
            "actor_role": actor.role, "actor_org": actor.org, "trigger": "start",
            "from_state": None, "to_state": proc.initial, "data": values,
            "rules_version": rules.version, "rules_hash": rules.content_hash,
            "basis": None, "idempotency_key": None, "prev_hash": "",
        }
        digest = record_hash(**fields)
        record = AuditRecord(**fields, hash=digest)
        inst = Instance(
            id=iid, procedure=procedure, state=proc.initial, data=values, version=1,
            rules_version=rules.version, rules_hash=rules.content_hash, created_at=now,
            updated_at=now, deadline_at=deadline.add_to(now) if deadline else None,
            terminal=proc.states[proc.initial].terminal, last_hash=digest,
        )
        self.store.create(inst, record)
        return inst

    def fire(self, instance_id: str, trigger: str, actor: Actor,
             data: Mapping[str, Any] | None = None, *,
             idempotency_key: str | None = None) -> Instance:
        """Fire ``trigger`` on an instance as ``actor`` and return the instance after it.

        Checks, in order: the trigger exists from the current state; the actor's role may
        fire it; ``data`` fits the inputs; every condition holds (against instance data,
        event data and parameters). Then the state change and its audit record are written
        in one atomic step.

        Args:
            idempotency_key: makes a retried request a no-op: if a step with this key was
                already recorded on this instance, nothing is written and the instance is
                returned as it is.

        Raises:
            InvalidTrigger, NotAuthorized, InvalidEventData, ConditionFailed,
            ConcurrentUpdate, IdempotencyConflict, InstanceNotFound.
        """
        inst = self.store.get(instance_id)
        return self._fire(inst, trigger, actor, data or _EMPTY, idempotency_key,
                          self._now(), timeout=False)[0]

    def tick(self, now: dt.datetime | None = None, *, batch: int = 500) -> TickReport:
        """Fire ``on_timeout`` on every instance whose deadline has passed.

        Safe to run from several processes at once: each timeout is keyed by the instance's
        version, so a second runner gets a conflict, never a second step.

        Args:
            now: the time to check against (aware); the engine's clock by default.
            batch: instances read per query.
        """
        moment = require_aware(now, "now") if now is not None else self._now()
        report = TickReport(now=moment)
        after: tuple[dt.datetime, str] | None = None
        while True:
            due = self.store.overdue(moment, after, batch)
            if not due:
                return report
            for inst in due:
                assert inst.deadline_at is not None
                after = (inst.deadline_at, inst.id)
                proc = self._machine(inst).definition
                trigger = proc.states[inst.state].on_timeout
                if trigger is None:  # pragma: no cover - the loader requires it
                    continue
                try:
                    new, replayed = self._fire(inst, trigger, SYSTEM_ACTOR, _EMPTY,
                                               f"timeout:{inst.version}", moment, timeout=True)
                except ConcurrentUpdate:
                    report.conflicts.append(inst.id)
                    continue
                except WorkflowError as exc:
                    report.refused.append((inst.id, exc))
                    continue
                if replayed:
                    report.conflicts.append(inst.id)
                else:
                    report.fired.append((inst.id, trigger, inst.state, new.state))

    # -- internals ---------------------------------------------------------------------------

    def _now(self) -> dt.datetime:
        now = self.clock.now()
        if now.tzinfo is None:
            raise UsageError(Text("时钟返回了不带时区的时间", "the clock returned a naive datetime"))
        return now

    def _machine(self, inst: Instance) -> ProcedureMachine:
        key = (inst.rules_hash, inst.procedure)
        machine = self._machines.get(key)
        if machine is None:
            rules = self._rulesets.get(inst.rules_hash)
            if rules is None:
                source = self.store.rules_source(inst.rules_hash)
                if source is None:
                    raise WorkflowError(
                        Text(f"找不到实例使用的规则版本 {inst.rules_version}（{inst.rules_hash[:12]}）",
                             f"the rules version {inst.rules_version} "
                             f"({inst.rules_hash[:12]}) of this instance is not in the store"),
                        instance_id=inst.id, procedure=inst.procedure,
                    )
                rules = load_rules_text(source, f"<stored rules {inst.rules_version}>")
                self._rulesets[inst.rules_hash] = rules
            machine = ProcedureMachine(rules.procedures[inst.procedure])
            self._machines[key] = machine
        return machine

    def _role(self, role: str, lang: Lang) -> str:
        label = self.rules.roles.get(role)
        return f"{label.get(lang)}({role})" if label else role

    def _roles(self, roles: frozenset[str] | set[str], lang: Lang) -> str:
        sep = "、" if lang == "zh" else ", "
        return sep.join(self._role(r, lang) for r in sorted(roles))

    def _coerce(self, proc: ProcedureDef, data: Mapping[str, Any],
                where: Callable[[], dict[str, Any]]) -> dict[str, Any]:
        if not isinstance(data, Mapping):
            raise InvalidEventData(
                [FieldError("data", Text("应为字典（名称 → 值）", "must be a mapping"), data)],
                **where(),
            )
        out: dict[str, Any] = {}
        errors: list[FieldError] = []
        for name, value in data.items():
            spec = proc.inputs.get(name) if isinstance(name, str) else None
            if spec is None:
                known = ", ".join(proc.inputs) or "-"
                errors.append(FieldError(str(name), Text(
                    f"不是流程 {proc.name} 的输入字段（可用：{known}）",
                    f"is not an input of {proc.name} (known: {known})"), value))
                continue
            try:
                out[name] = spec.coerce(value)
            except ValueError as exc:
                text = exc.args[0] if exc.args and isinstance(exc.args[0], Text) else Text(
                    str(exc), str(exc))
                errors.append(FieldError(name, text, value))
        if errors:
            raise InvalidEventData(errors, **where())
        return out

    def _fire(self, inst: Instance, trigger: str, actor: Actor, data: Mapping[str, Any],
              key: str | None, now: dt.datetime, *, timeout: bool) -> tuple[Instance, bool]:
        where = _Where(inst, trigger, actor)
        if key is not None:
            prior = self.store.find_step(inst.id, key)
            if prior is not None:
                return self._replay(inst, prior, trigger, key, where), True
        machine = self._machine(inst)
        proc = machine.definition
        candidates = proc.candidates.get((trigger, inst.state))
        if not candidates:
            raise self._invalid_trigger(proc, inst, trigger, where())
        allowed = candidates if timeout else [t for t in candidates if actor.role in t.roles]
        if data and allowed:
            accepted = [t for t in allowed if t.accepts is None or t.accepts.issuperset(data)]
            if not accepted:
                raise self._not_accepted(proc, list(allowed), data, where)
            allowed = accepted
        if not allowed:
            roles = set().union(*(t.roles for t in candidates))
            raise NotAuthorized(
                Text(f"角色 {self._role(actor.role, 'zh')} 不能在“{proc.states[inst.state].label.zh}”"
                     f"执行 {trigger}；可执行的角色：{self._roles(roles, 'zh')}",
                     f"role {actor.role} may not fire {trigger} in state {inst.state}; "
                     f"allowed: {self._roles(roles, 'en')}"),
                role=actor.role, allowed=sorted(roles), **where(),
            )
        event = self._coerce(proc, data, where) if data else {}
        merged = {**inst.data, **event} if event else inst.data
        chosen: TransitionDef | None = None
        failures: list[ConditionFailure] = []
        for t in allowed:
            failed = (self._evaluate(proc, t, merged, event, actor, now, inst)
                      if t.conditions else [])
            if not failed:
                chosen = t
                break
            failures.extend(failed)
        if chosen is None:
            raise ConditionFailed(failures, **where())
        new_state = machine.step(inst.state, chosen)
        seq = inst.version + 1
        fields: dict[str, Any] = {
            "instance_id": inst.id, "seq": seq, "at": now, "actor_id": actor.id,
            "actor_role": actor.role, "actor_org": actor.org, "trigger": trigger,
            "from_state": inst.state, "to_state": new_state, "data": event,
            "rules_version": inst.rules_version, "rules_hash": inst.rules_hash,
            "basis": chosen.bases, "idempotency_key": key, "prev_hash": inst.last_hash,
        }
        digest = record_hash(**fields)
        deadline = proc.deadline_for(new_state, merged)
        new = Instance(
            id=inst.id, procedure=inst.procedure, state=new_state, data=merged, version=seq,
            rules_version=inst.rules_version, rules_hash=inst.rules_hash,
            created_at=inst.created_at, updated_at=now,
            deadline_at=deadline.add_to(now) if deadline else None,
            terminal=proc.states[new_state].terminal, last_hash=digest,
        )
        try:
            self.store.commit(new, inst.version, AuditRecord(**fields, hash=digest))
        except ConcurrentUpdate:
            if key is not None:
                prior = self.store.find_step(inst.id, key)
                if prior is not None:
                    return self._replay(inst, prior, trigger, key, where), True
            raise
        return new, False

    def _replay(self, inst: Instance, prior: AuditRecord, trigger: str, key: str,
                where: _Where) -> Instance:
        if prior.trigger != trigger:
            raise IdempotencyConflict(
                Text(f"幂等键 {key} 已用于第 {prior.seq} 步（{prior.trigger}），不能再用于 {trigger}",
                     f"idempotency key {key} was used for step {prior.seq} ({prior.trigger}), "
                     f"not {trigger}"),
                **where(),
            )
        return self.store.get(inst.id)

    @staticmethod
    def _not_accepted(proc: ProcedureDef, allowed: list[TransitionDef],
                      data: Mapping[str, Any], where: _Where) -> InvalidEventData:
        ok: set[str] = set().union(*(t.accepts or () for t in allowed))
        extra = sorted(str(k) for k in data if k not in ok)
        listed = ", ".join(sorted(ok)) or "-"
        return InvalidEventData(
            [FieldError(k, Text(f"步骤 {where.trigger} 不接受此字段；可填写：{listed}",
                                f"step {where.trigger} does not take this field; it takes: "
                                f"{listed}"), data[k]) for k in extra],
            **where(),
        )

    def _invalid_trigger(self, proc: ProcedureDef, inst: Instance, trigger: str,
                         where: dict[str, Any]) -> InvalidTrigger:
        here = proc.triggers_from(inst.state)
        label = proc.states[inst.state].label
        avail_zh = "、".join(here) or "无（流程已结束）"
        avail_en = ", ".join(here) or "none (the procedure has ended)"
        if not any(t.trigger == trigger for t in proc.transitions):
            close = difflib.get_close_matches(trigger, [t.trigger for t in proc.transitions], n=1)
            hint = (f"（你是不是想写 {close[0]}？）", f" (did you mean {close[0]}?)") if close \
                else ("", "")
            text = Text(f"流程 {proc.title.zh} 没有步骤 {trigger}{hint[0]}；当前可执行：{avail_zh}",
                        f"{proc.title.en} has no trigger {trigger}{hint[1]}; "
                        f"available now: {avail_en}")
        else:
            text = Text(f"当前状态“{label.zh}”下不能执行 {trigger}；当前可执行：{avail_zh}",
                        f"{trigger} cannot be fired from state {inst.state} ({label.en}); "
                        f"available now: {avail_en}")
        return InvalidTrigger(text, available=here, **where)

    def _evaluate(self, proc: ProcedureDef, t: TransitionDef, values: Mapping[str, Any],
                  event: Mapping[str, Any], actor: Actor, now: dt.datetime,
                  inst: Instance) -> list[ConditionFailure]:
        failures: list[ConditionFailure] = []
        shown: dict[str, Any] | None = None
        inputs = proc.inputs
        params = proc.cel_parameters
        for cond in t.conditions:
            expr = cond.expression
            names: dict[str, Any] = dict(expr.helpers)
            missing: list[str] = []
            for var in expr.variables:  # bind only what the condition reads
                if var in inputs:
                    value = values.get(var)
                    if value is None:  # null: `x == null || …` may still hold
                        missing.append(var)
                        names[var] = None
                    else:
                        names[var] = inputs[var].to_cel(value)
                elif var in params:
                    names[var] = params[var]
                elif var == "actor":
                    names[var] = {"id": actor.id, "role": actor.role, "org": actor.org}
                elif var == "now":
                    names[var] = now
                elif var == "event":
                    fields = t.accepts if t.accepts is not None else inputs
                    names[var] = {k: None if event.get(k) is None else inputs[k].to_cel(event[k])
                                  for k in fields}
                elif var == "deadline_at":
                    names[var] = inst.deadline_at
                elif var == "entered_at":
                    names[var] = inst.updated_at
            try:
                ok = expr.evaluate(names) is True
                error = None
            except Exception as exc:
                ok, error = False, str(exc).split("\n")[0]
            if ok:
                continue
            if missing:
                failures.append(self._missing(proc, t, cond, missing, values))
                continue
            if shown is None:
                shown = {k: p.value for k, p in proc.parameters.items()}
                shown.update(values)
            text = cond.message.render(shown)
            if error is not None:
                text = Text(f"{text.zh}（条件无法计算：{error}）",
                            f"{text.en} (the condition could not be evaluated: {error})")
            failures.append(ConditionFailure(cond.expression.source, text, cond.basis, t.dest))
        return failures

    @staticmethod
    def _missing(proc: ProcedureDef, t: TransitionDef, cond: ConditionDef, names: list[str],
                 values: Mapping[str, Any]) -> ConditionFailure:
        zh = "、".join(f"{proc.inputs[n].label.zh}（{n}）" for n in names)
        en = ", ".join(f"{proc.inputs[n].label.en} ({n})" for n in names)
        shown = {**{k: p.value for k, p in proc.parameters.items()}, **values}
        msg = cond.message.render(shown)
        return ConditionFailure(
            cond.expression.source,
            Text(f"{msg.zh}（尚未提供{zh}）", f"{msg.en} ({en} not given yet)"),
            cond.basis, t.dest,
        )

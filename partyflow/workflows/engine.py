"""The engine: start instances, fire steps, keep the audit trail, fire deadlines."""

from __future__ import annotations

import datetime as dt
import difflib
import uuid
from collections.abc import Callable, Mapping
from dataclasses import replace
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
    UnknownOrganization,
    UnknownProcedure,
    UsageError,
    WorkflowError,
)
from partyflow.hierarchy import ChainLink, Hierarchy, HierarchySpec, resolve_levels
from partyflow.rules.definitions import (
    AuthorityDef,
    ConditionDef,
    ProcedureDef,
    RuleSet,
    TransitionDef,
)
from partyflow.rules.loader import load_rules_text
from partyflow.stores.base import Store
from partyflow.stores.open import open_store
from partyflow.workflows.audit import record_hash, verify_chain
from partyflow.workflows.clock import Clock, SystemClock, require_aware
from partyflow.workflows.conditions import bind_names
from partyflow.workflows.machine import ProcedureMachine
from partyflow.workflows.records import (
    SYSTEM_ACTOR,
    Actor,
    AuditRecord,
    Instance,
    Organization,
    ReportRow,
    TickReport,
)

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
        self.levels: HierarchySpec = resolve_levels(rules)

    # -- the hierarchy -----------------------------------------------------------------------

    def import_organizations(self, hierarchy: Hierarchy) -> int:
        """Write a validated hierarchy (``partyflow.hierarchy.load_hierarchy``) into the store,
        replacing organizations with the same ids; return how many were written.

        Authority and escalation read the organizations from the store, so every process
        sharing the store sees the same hierarchy, including branches established since.
        """
        def rows() -> Any:
            for oid in hierarchy.ids():
                org = hierarchy.org(oid)
                yield Organization(org.id, org.name, org.level, org.parent, org.secretary,
                                   dict(org.attrs))
        return self.store.put_organizations(rows())

    def organization(self, org_id: str) -> Organization:
        """The organization with ``org_id`` in the store (raises ``UnknownOrganization``)."""
        org = self.store.organization(org_id)
        if org is None:
            raise UnknownOrganization(org_id)
        return org

    def responsibility_chain(self, org_id: str) -> tuple[ChainLink, ...]:
        """``org_id`` and every superior up to the top, each with its level's duty and its
        secretary, from the store's hierarchy (raises ``UnknownOrganization``)."""
        links: list[ChainLink] = []
        seen: set[str] = set()
        current: str | None = org_id
        while current is not None and current not in seen:
            seen.add(current)
            org = self.organization(current)
            label, duty = self._level_meta(org.level)
            links.append(ChainLink(org.id, org.name, org.level, label, duty, org.secretary))
            current = org.parent
        return tuple(links)

    def responsible(self, instance_id: str) -> tuple[ChainLink, ...]:
        """Who is responsible for an instance at each level: the responsibility chain of its
        organization (empty when its procedure names no ``organization`` or it has none)."""
        inst = self.store.get(instance_id)
        return self.responsibility_chain(inst.org) if inst.org else ()

    def subtree(self, org_id: str) -> set[str]:
        """``org_id`` and every organization below it, from the store's hierarchy."""
        self.organization(org_id)  # raises UnknownOrganization
        children: dict[str, list[str]] = {}
        for org in self.store.organizations():
            if org.parent is not None:
                children.setdefault(org.parent, []).append(org.id)
        found, todo = {org_id}, [org_id]
        while todo:
            for child in children.get(todo.pop(), ()):
                if child not in found:
                    found.add(child)
                    todo.append(child)
        return found

    def report(self, org_id: str, now: dt.datetime | None = None, *,
               procedure: str | None = None) -> list[ReportRow]:
        """Open, overdue and escalated instances whose organization is ``org_id`` or below it,
        by procedure and state (streams the store's open instances).

        Overdue: the deadline has passed (``now``, the engine's clock by default) or the
        instance stays overdue in a state that escalates.
        """
        moment = require_aware(now, "now") if now is not None else self._now()
        within = self.subtree(org_id)
        counts: dict[tuple[str, str], list[int]] = {}
        for inst in self.store.instances(procedure, open_only=True):
            if inst.org not in within:
                continue
            row = counts.setdefault((inst.procedure, inst.state), [0, 0, 0])
            row[0] += 1
            if inst.overdue_since is not None or (
                    inst.deadline_at is not None and inst.deadline_at <= moment):
                row[1] += 1
            if inst.escalation:
                row[2] += 1
        return [ReportRow(p, st, *c) for (p, st), c in sorted(counts.items())]

    def _level_meta(self, level: str) -> tuple[Text, Text | None]:
        for lv in self.levels.levels:
            if lv.id == level:
                return Text(lv.label.zh, lv.label.en), Text(lv.duty.zh, lv.duty.en)
            for unit in lv.below:
                if unit.id == level:
                    return Text(unit.label.zh, unit.label.en), None
        return Text(level, level), None

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
        if actor.role in proc.authority and self._authority_refusal(
                proc, proc.authority[actor.role], inst.data, actor, "?", {}) is not None:
            return []
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
        def where() -> dict[str, Any]:
            return {"procedure": procedure, "trigger": "start", "actor_id": actor.id}

        values = self._coerce(proc, data or _EMPTY, where)
        for name, spec in proc.inputs.items():
            if spec.default is not None and values.get(name) is None:
                values[name] = spec.default
        self._check_orgs(proc, values, where)
        if actor.role in proc.authority:
            refusal = self._authority_refusal(proc, proc.authority[actor.role], values, actor,
                                              "start", where())
            if refusal is not None:
                raise refusal
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
            org=values.get(proc.organization) if proc.organization else None,
        )
        self.store.create(inst, record)
        return inst

    def fire(self, instance_id: str, trigger: str, actor: Actor,
             data: Mapping[str, Any] | None = None, *,
             idempotency_key: str | None = None) -> Instance:
        """Fire ``trigger`` on an instance as ``actor`` and return the instance after it.

        Checks, in order: the trigger exists from the current state; the actor's role may
        fire it and, where the rules' ``authority`` says so, the actor acts for the right
        organization in the hierarchy; ``data`` fits the inputs (organization fields name
        organizations in the hierarchy); every condition holds (against instance data, event
        data and parameters); four-eyes (``distinct_from``). Then the state change, its audit
        record and any organization the step establishes are written in one atomic step.

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
                if proc.states[inst.state].escalate:
                    self._escalate(inst, proc, moment, report)
                    continue
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
        if allowed and not timeout and actor.role in proc.authority:
            # who acts for which organization: read from the instance as stored, never from
            # this step's data, so a forged organization field cannot grant authority
            refusal = self._authority_refusal(proc, proc.authority[actor.role], inst.data,
                                              actor, trigger, where())
            if refusal is not None:
                raise refusal
        if data and allowed:
            # fields that decide who may act change only where a step names them in accepts
            guarded = proc.guarded_inputs.intersection(data) if proc.guarded_inputs else ()
            if guarded:
                accepted = [t for t in allowed
                            if t.accepts is not None and t.accepts.issuperset(data)]
            else:
                accepted = [t for t in allowed
                            if t.accepts is None or t.accepts.issuperset(data)]
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
        if event:
            self._check_orgs(proc, event, where)
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
        if chosen.distinct_from and not timeout:
            self._four_eyes(proc, inst, chosen, actor, where)
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
        stays = new_state == inst.state
        new = Instance(
            id=inst.id, procedure=inst.procedure, state=new_state, data=merged, version=seq,
            rules_version=inst.rules_version, rules_hash=inst.rules_hash,
            created_at=inst.created_at, updated_at=now,
            deadline_at=deadline.add_to(now) if deadline else None,
            terminal=proc.states[new_state].terminal, last_hash=digest,
            org=merged.get(proc.organization) if proc.organization else None,
            escalation=inst.escalation if stays else 0,
            escalated_to=inst.escalated_to if stays else None,
            overdue_since=inst.overdue_since if stays else None,
        )
        if stays and inst.overdue_since is not None:
            new = replace(new, deadline_at=inst.deadline_at)  # the escalation clock runs on
        established = None
        est = proc.establishes
        if est is not None and new_state == est.state and not stays:
            established = self._new_organization(proc, inst, merged, where)
        try:
            if established is None:
                self.store.commit(new, inst.version, AuditRecord(**fields, hash=digest))
            else:
                self.store.commit(new, inst.version, AuditRecord(**fields, hash=digest),
                                  organization=established)
        except ConcurrentUpdate:
            if key is not None:
                prior = self.store.find_step(inst.id, key)
                if prior is not None:
                    return self._replay(inst, prior, trigger, key, where), True
            raise
        return new, False

    # -- the hierarchy at run time -----------------------------------------------------------

    def _check_orgs(self, proc: ProcedureDef, values: Mapping[str, Any],
                    where: Callable[[], dict[str, Any]]) -> None:
        """Refuse org-typed values that name no organization in the store's hierarchy."""
        errors = [
            FieldError(name, Text(f"组织体系中没有编号为 {value} 的组织",
                                  f"there is no organization {value} in the hierarchy"), value)
            for name, value in values.items()
            if value is not None and proc.inputs[name].type == "org"
            and self.store.organization(value) is None
        ]
        if errors:
            raise InvalidEventData(errors, **where())

    def _acting_org(self, proc: ProcedureDef, auth: AuthorityDef,
                    data: Mapping[str, Any]) -> Organization | Text:
        """The organization ``auth`` resolves to on ``data``, or why there is none."""
        label = proc.inputs[auth.org].label
        org_id = data.get(auth.org)
        if org_id is None:
            return Text(f"实例尚未填写{label.zh}（{auth.org}）", f"the instance has no "
                        f"{label.en} ({auth.org}) yet")
        org = self.store.organization(org_id)
        for _ in range(auth.up):
            org = self.store.organization(org.parent) if org and org.parent else None
        if org is None:
            return Text(f"组织体系中找不到{label.zh} {org_id} 的上{auth.up}级组织"
                        if auth.up else f"组织体系中没有{label.zh} {org_id}",
                        f"the hierarchy has no organization {auth.up} level(s) above "
                        f"{label.en} {org_id}" if auth.up else
                        f"the hierarchy has no {label.en} {org_id}")
        return org

    def _authority_refusal(self, proc: ProcedureDef, auth: AuthorityDef,
                           data: Mapping[str, Any], actor: Actor, trigger: str,
                           where: dict[str, Any]) -> NotAuthorized | None:
        """None if ``actor`` may act in ``auth.role`` on this data; else the refusal."""
        org = self._acting_org(proc, auth, data)
        role = auth.role
        common: dict[str, Any] = {"role": actor.role, "allowed": [role], **where}
        if isinstance(org, Text):
            return NotAuthorized(
                Text(f"无法确定谁可以以 {self._role(role, 'zh')} 身份执行 {trigger}：{org.zh}",
                     f"cannot tell who may fire {trigger} as {role}: {org.en}"), **common)
        secretary = org.secretary if auth.person == "secretary" else None
        if auth.person == "secretary" and not secretary:
            return NotAuthorized(
                Text(f"{org.name}（{org.id}）书记空缺，无人可以以 {self._role(role, 'zh')} 身份"
                     f"执行 {trigger}", f"{org.name} ({org.id}) has no secretary: nobody may "
                     f"fire {trigger} as {role}"), acts_for=org.id, **common)
        if actor.org == org.id and (secretary is None or actor.id == secretary):
            return None
        who_zh = f"{org.name}（{org.id}）" + (f"书记 {secretary}" if secretary else "")
        who_en = f"{org.name} ({org.id})" + (f", secretary {secretary}," if secretary else "")
        return NotAuthorized(
            Text(f"只有{who_zh}可以以 {self._role(role, 'zh')} 身份执行 {trigger}；"
                 f"{actor.id} 代表的组织为 {actor.org or '（未指明）'}",
                 f"only {who_en} may fire {trigger} as {role}; {actor.id} acts for "
                 f"{actor.org or '(none given)'}"),
            acts_for=org.id, person=secretary, **common)

    def _four_eyes(self, proc: ProcedureDef, inst: Instance, t: TransitionDef, actor: Actor,
                   where: _Where) -> None:
        for record in self.store.history(inst.id):
            if record.trigger in t.distinct_from and record.actor_id == actor.id:
                raise NotAuthorized(
                    Text(f"四眼原则：{actor.id} 已执行过 {record.trigger}（第 {record.seq} 步），"
                         f"不能再执行 {t.trigger}，须由另一人办理",
                         f"four-eyes: {actor.id} fired {record.trigger} (step {record.seq}) "
                         f"and may not also fire {t.trigger}; someone else must"),
                    role=actor.role, allowed=sorted(t.roles), **where())

    def _new_organization(self, proc: ProcedureDef, inst: Instance, data: Mapping[str, Any],
                          where: _Where) -> Organization:
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
        if new_id is not None and self.store.organization(new_id) is not None:
            problems.append(FieldError(est.id, Text(f"组织编号 {new_id} 已被使用",
                                                    f"organization id {new_id} is taken"),
                                       new_id))
        parent = self.store.organization(parent_id) if parent_id is not None else None
        level = None
        if parent is not None:
            order = [lv.id for lv in self.levels.levels]
            if parent.level in order[:-1]:
                level = order[order.index(parent.level) + 1]
            else:
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

    def _escalate(self, inst: Instance, proc: ProcedureDef, now: dt.datetime,
                  report: TickReport) -> None:
        """One level up the responsible organization's chain for an overdue instance."""
        assert inst.deadline_at is not None
        try:
            chain = self.responsibility_chain(inst.org) if inst.org else ()
        except UnknownOrganization as exc:
            report.refused.append((inst.id, exc))
            return
        level = inst.escalation + 1
        if level >= len(chain):
            report.refused.append((inst.id, WorkflowError(
                Text(f"实例 {inst.id} 已超期，但负责组织 {inst.org or '（未填写）'} 之上已无可督办的上级",
                     f"instance {inst.id} is overdue but there is no superior above "
                     f"{inst.org or '(none given)'} to escalate to"),
                instance_id=inst.id, procedure=inst.procedure, state=inst.state)))
            return
        target = chain[level]
        period = proc.deadline_for(inst.state, inst.data)
        nxt = period.add_to(inst.deadline_at) if period and level + 1 < len(chain) else None
        fields: dict[str, Any] = {
            "instance_id": inst.id, "seq": inst.version + 1, "at": now,
            "actor_id": SYSTEM_ACTOR.id, "actor_role": SYSTEM_ACTOR.role, "actor_org": None,
            "trigger": "escalate_overdue", "from_state": inst.state, "to_state": inst.state,
            "data": {"escalation": level, "escalated_to": target.org_id,
                     "overdue_since": (inst.overdue_since or inst.deadline_at).isoformat()},
            "rules_version": inst.rules_version, "rules_hash": inst.rules_hash,
            "basis": "H2", "idempotency_key": f"escalate:{inst.version}",
            "prev_hash": inst.last_hash,
        }
        digest = record_hash(**fields)
        new = replace(inst, version=inst.version + 1, deadline_at=nxt, last_hash=digest,
                      escalation=level, escalated_to=target.org_id,
                      overdue_since=inst.overdue_since or inst.deadline_at)
        try:
            self.store.commit(new, inst.version, AuditRecord(**fields, hash=digest))
        except ConcurrentUpdate:
            report.conflicts.append(inst.id)
            return
        report.escalated.append((inst.id, inst.state, level, target.org_id))

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
        guarded = proc.guarded_inputs
        if any(t.accepts is None for t in allowed):  # every input but the guarded ones
            ok: set[str] = set(proc.inputs) - guarded
        else:
            ok = set().union(*(t.accepts or () for t in allowed))
        extra = sorted(str(k) for k in data if k not in ok)
        listed = ", ".join(sorted(ok)) or "-"
        return InvalidEventData(
            [FieldError(k, Text(
                f"步骤 {where.trigger} 不接受此字段：它决定谁有权办理、由谁负责，只能在发起时填写，"
                f"或由在 accepts 中列出它的步骤修改",
                f"step {where.trigger} does not take this field: it decides who may act or "
                "who is responsible, so it is set at the start or by a step that lists it in "
                "accepts") if k in guarded else Text(
                f"步骤 {where.trigger} 不接受此字段；可填写：{listed}",
                f"step {where.trigger} does not take this field; it takes: {listed}"), data[k])
             for k in extra],
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
        for cond in t.conditions:
            expr = cond.expression
            names, missing = bind_names(proc, t, cond, values, event, actor, now, inst)
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

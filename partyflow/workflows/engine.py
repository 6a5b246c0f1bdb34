"""The engine: the facade callers use to start instances, fire steps, tick deadlines and ask
the hierarchy. Every state change goes through ``partyflow.workflows.step``."""

from __future__ import annotations

import datetime as dt
import logging
import reprlib
import uuid
from collections.abc import Callable, Iterator, Mapping
from functools import partial
from typing import Any

from partyflow.canonical import canonical_json
from partyflow.errors import (
    ConcurrentUpdate,
    IdempotencyConflict,
    InvalidEventData,
    PartyflowError,
    StoreError,
    Text,
    UsageError,
)
from partyflow.hierarchy import Hierarchy, HierarchyView, Levels, OrgImport, resolve_levels
from partyflow.hierarchy.query import ChainLink, Organization
from partyflow.hierarchy.trail import SYSTEM_ORG_ACTOR, verify_organizations
from partyflow.limits import MAX_IDEMPOTENCY_KEY, MAX_INSTANCE_ID, text_problem
from partyflow.rules.definitions import ProcedureDef, RuleSet
from partyflow.rules.durations import Duration
from partyflow.stores.base import Store
from partyflow.stores.open import open_store
from partyflow.workflows import authority, queries
from partyflow.workflows.clock import Clock, SystemClock, require_aware
from partyflow.workflows.inputs import coerce, unknown_procedure
from partyflow.workflows.queries import InboxItem, OrgTodo
from partyflow.workflows.records import (
    Actor,
    AuditRecord,
    Event,
    Instance,
    InstanceQuery,
    ReportRow,
    TickReport,
)
from partyflow.workflows.step import (
    ENGINE_KEY_PREFIX,
    Step,
    StepContext,
    commit,
    decide,
    decide_escalation,
    decide_reminder,
    decide_start,
    seal,
    timeout_step,
)
from partyflow.workflows.versions import RuleVersions, verify_instance

_EMPTY: Mapping[str, Any] = {}
_log = logging.getLogger("partyflow.tick")


def _check_key(key: object) -> None:
    """Refuse a caller's idempotency key that is malformed or in the engine's namespace."""
    if not isinstance(key, str) or not key or text_problem(key, MAX_IDEMPOTENCY_KEY):
        raise UsageError(Text(
            f"幂等键必须是 1 到 {MAX_IDEMPOTENCY_KEY} 个字符的文字，实际为 {reprlib.repr(key)}",
            f"an idempotency key must be text of 1 to {MAX_IDEMPOTENCY_KEY} characters, got "
            f"{reprlib.repr(key)}"))
    if key.startswith(ENGINE_KEY_PREFIX):
        raise IdempotencyConflict(Text(
            f"幂等键不能以 {ENGINE_KEY_PREFIX} 开头：这一前缀留给引擎自己的步骤（超期、督办、迁移）",
            f"an idempotency key may not start with {ENGINE_KEY_PREFIX}: that prefix is the "
            "engine's own (timeouts, escalations, migrations)"), reason="reserved")


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
        self.store: Store = store if isinstance(store, Store) else open_store(store or "sqlite://")
        self.clock: Clock = clock or SystemClock()
        self.versions = RuleVersions(self.store, rules)
        self.hierarchy = HierarchyView(self.store, Levels(resolve_levels(rules)))
        """The store's organizations, through the one hierarchy query interface."""

    # -- the hierarchy -----------------------------------------------------------------------

    def import_organizations(self, hierarchy: Hierarchy, *, actor_id: str = SYSTEM_ORG_ACTOR,
                             close_missing: bool = False) -> OrgImport:
        """Write a validated hierarchy (``partyflow.hierarchy.load_hierarchy``) into the store:
        only what differs from the stored organizations; return what changed.

        Authority and escalation read the organizations from the store, so every process
        sharing the store sees the same hierarchy, including branches established since.
        Each new, moved, renamed or otherwise changed organization is recorded in the
        hierarchy's trail (``verify_organizations``) as done by ``actor_id`` at the engine
        clock's time; an unchanged list writes nothing. Stored organizations the list no
        longer has are reported as ``missing``, or with ``close_missing`` closed (removed,
        with a ``close`` record); branches established by procedures are kept.

        Raises:
            OrgImportRefused: with ``close_missing``, an organization to close still has open
                instances responsible there or would leave one under it; nothing written.
        """
        return self.store.put_organizations(hierarchy.rows(), actor_id=actor_id,
                                            at=self._now(),
                                            close_missing=close_missing)

    def verify_organizations(self) -> int:
        """Verify the hierarchy's trail and that every stored organization is the row its
        newest record says; return the number of records checked.

        Raises:
            AuditChainBroken: with ``org_id``: an organization row was edited, added or
                deleted around the engine, or a trail record edited, deleted or reordered.
        """
        return verify_organizations(self.store)

    def organization(self, org_id: str) -> Organization:
        """The organization with ``org_id`` in the store (raises ``UnknownOrganization``)."""
        return self.hierarchy.organization(org_id)

    def responsibility_chain(self, org_id: str) -> tuple[ChainLink, ...]:
        """``org_id`` and every superior up to the top, each with its level's duty and its
        secretary, from the store's hierarchy (raises ``UnknownOrganization``)."""
        return self.hierarchy.responsibility_chain(org_id)

    def responsible(self, instance_id: str) -> tuple[ChainLink, ...]:
        """Who is responsible for an instance at each level: the responsibility chain of its
        organization (empty when its procedure names no ``organization`` or it has none)."""
        inst = self.store.get(instance_id)
        return self.hierarchy.responsibility_chain(inst.org) if inst.org else ()

    def subtree(self, org_id: str) -> set[str]:
        """``org_id`` and every organization below it, from the store's hierarchy."""
        return self.hierarchy.subtree(org_id)

    def report(self, org_id: str, now: dt.datetime | None = None, *,
               procedure: str | None = None) -> list[ReportRow]:
        """Open, overdue and escalated instances whose organization is ``org_id`` or below it,
        by procedure and state (counted by the store over the subtree only).

        Overdue: the deadline has passed (``now``, the engine's clock by default) or the
        instance stays overdue in a state that escalates.
        """
        moment = require_aware(now, "now") if now is not None else self._now()
        self.hierarchy.organization(org_id)  # raises UnknownOrganization
        return self.store.report(org_id, moment, procedure)

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
        return self.versions.definition(inst)

    def find(self, query: InstanceQuery | None = None, *, after: str = "",
             limit: int = 100) -> list[Instance]:
        """A page of instances by id: by organization subtree, procedure, state, overdue or
        due by a time (``InstanceQuery``; none: every open instance); pass the last id of a
        page as ``after`` for the next. Reads only what the query selects."""
        if not 1 <= limit <= 10_000:
            raise UsageError(Text(f"limit 应在 1 到 10000 之间，实际为 {limit}",
                                  f"limit must be between 1 and 10000, got {limit}"))
        return self.store.find(query or InstanceQuery(), after=after, limit=limit)

    def inbox(self, actor: Actor, *, due_within: str = "P3D", now: dt.datetime | None = None,
              limit: int = 100) -> list[InboxItem]:
        """What ``actor`` must do now (待办): every open instance where it may fire a step,
        with the steps, the deadline, and whether it is overdue or due within ``due_within``
        (a period counted by the rules' calendar); overdue first, then by deadline."""
        moment = require_aware(now, "now") if now is not None else self._now()
        return queries.inbox(self.rules, self.store, actor, moment,
                             self._until(due_within, moment), self._triggers, limit)

    def todo(self, org_id: str, *, due_within: str = "P3D", now: dt.datetime | None = None,
             limit: int = 100) -> OrgTodo:
        """An organization's open work in its subtree: 待办, 即将到期 (due within
        ``due_within``) and 超时, each at most ``limit`` instances, with full counts."""
        self.hierarchy.organization(org_id)  # raises UnknownOrganization
        moment = require_aware(now, "now") if now is not None else self._now()
        return queries.org_todo(self.store, org_id, moment, self._until(due_within, moment),
                                limit)

    def events(self, after: str = "", *, limit: int = 100) -> list[Event]:
        """The outbox: committed steps (starts, fires, timeouts, reminders, escalations,
        migrations) after the cursor ``after``, oldest first, at most ``limit``. Delivery is at
        least once: store the ``cursor`` of the last event handled and pass it next time (a
        crash before storing it hands the same events out again; ``record.instance_id`` and
        ``record.seq`` identify each). Written by the store in the step's own transaction."""
        if not 1 <= limit <= 10_000:
            raise UsageError(Text(f"limit 应在 1 到 10000 之间，实际为 {limit}",
                                  f"limit must be between 1 and 10000, got {limit}"))
        return self.store.events(after, limit)

    def close(self) -> None:
        """Release the store's connections (the engine is not used afterwards)."""
        self.store.close()

    def __enter__(self) -> Engine:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def available_triggers(self, instance_id: str, actor: Actor) -> list[str]:
        """Triggers ``actor`` may fire from the instance's current state: its role is listed
        and it acts for the right organization or person.

        Conditions are not evaluated here: they often depend on the event data given with
        the step (a reason, a vote count).
        """
        return self._triggers(self.store.get(instance_id), actor)

    def _triggers(self, inst: Instance, actor: Actor) -> list[str]:
        ctx = self._context(inst)
        machine = ctx.machine
        proc = machine.definition
        if authority.authority_refusal(ctx.rules, proc, inst.data, actor, "?", self.hierarchy,
                                       {}, ctx.starter) is not None:
            return []
        return [trig for trig in machine.triggers_from(inst.state)
                if any(actor.role in t.roles for t in machine.candidates(trig, inst.state))]

    def verify(self, instance_id: str) -> int:
        """Verify the instance's audit hash chain, that the stored row is the one its last
        record sealed, and that the rules text it runs under still matches its content hash;
        return the number of records checked.

        Raises:
            AuditChainBroken: a record was edited, deleted or reordered, or the row edited.
            RulesVersionUnavailable: its pinned rules text is missing or was edited.
        """
        return verify_instance(self.store, instance_id, self.versions)

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
            raise unknown_procedure(self.rules, procedure, actor.id)
        iid = instance_id or uuid.uuid4().hex
        if not isinstance(iid, str) or not iid or text_problem(iid, MAX_INSTANCE_ID):
            raise UsageError(Text(f"instance_id 必须是 1 到 {MAX_INSTANCE_ID} 个字符的文字",
                                  f"instance_id must be text of 1 to {MAX_INSTANCE_ID} "
                                  "characters"))
        step = decide_start(self.rules, proc, data or _EMPTY, actor, iid, self._now(),
                            self.hierarchy)
        self.versions.save(self.rules)
        sealed = seal(step)
        commit(self.store, sealed)
        return sealed.instance

    def fire(self, instance_id: str, trigger: str, actor: Actor,
             data: Mapping[str, Any] | None = None, *,
             idempotency_key: str | None = None) -> Instance:
        """Fire ``trigger`` on an instance as ``actor`` and return the instance after it.

        Checks, in order: the trigger exists from the current state; the actor's role may
        fire it and, where the rules' ``authority`` says so, the actor acts for the right
        organization in the hierarchy; ``data`` is accepted by the step and fits the inputs
        (organization fields name organizations in the hierarchy); transitions then tries the
        trigger's transitions in file order, each guarded by all its conditions; four-eyes
        (``distinct_from``). Then the state change, its audit record and any organization the
        step establishes are written in one atomic step.

        Args:
            idempotency_key: makes a retried request a no-op: if a step with this key was
                already recorded on this instance by the same actor (id, role, organization)
                for the same trigger with the same data, nothing is written and the instance
                is returned as it is — after checking, as for a first attempt, that the actor
                still acts for the right organization. 1–128 characters, not starting with
                ``partyflow:`` (the engine's own keys).

        Raises:
            InvalidTrigger, NotAuthorized, InvalidEventData, ConditionFailed,
            ConcurrentUpdate, IdempotencyConflict, InstanceNotFound.
        """
        inst, head = self.store.head(instance_id)
        if idempotency_key is not None:
            _check_key(idempotency_key)
            prior = self.store.find_step(inst.id, idempotency_key)
            if prior is not None:
                return self._replay(inst, prior, trigger, actor, idempotency_key, data or _EMPTY)
        step = decide(self._context(inst), inst, trigger, actor, data or _EMPTY, self._now(),
                      key=idempotency_key)
        step.head = head
        return self._commit(step)

    def tick(self, now: dt.datetime | None = None, *, batch: int = 500) -> TickReport:
        """Send the reminders that are due (``remind_before``), then fire ``on_timeout`` on
        every instance whose deadline has passed, and escalate overdue instances in states
        that escalate.

        Safe to run from several processes at once: each step is keyed by the instance's
        version, so a second runner gets a conflict, never a second step. One instance that
        cannot be handled (its rules unavailable, its deadline not computable, a bug) is
        reported in ``refused`` or ``failed`` and the tick goes on with the others.

        Args:
            now: the time to check against (aware), at most the engine's clock's time (a
                tick cannot act in the future); the engine's clock by default.
            batch: instances read per query.

        Raises:
            UsageError: ``now`` is later than the engine's clock.
            StoreError: the store failed (nothing half-written).
        """
        moment = self._moment(now)
        report = TickReport(now=moment)
        after: tuple[dt.datetime, str] | None = None
        while reminders := self.store.reminders_due(moment, after, batch):
            for inst in reminders:
                assert inst.remind_at is not None
                after = (inst.remind_at, inst.id)
                self._isolated(inst, report, partial(self._remind_one, inst, moment, report))
        after = None
        while due := self.store.overdue(moment, after, batch):
            for inst in due:
                assert inst.deadline_at is not None
                after = (inst.deadline_at, inst.id)
                self._isolated(inst, report, partial(self._tick_one, inst, moment, report))
        return report

    def due_within(self, period: str, now: dt.datetime | None = None, *,
                   batch: int = 500) -> Iterator[Instance]:
        """Open instances, not yet overdue, that a ``remind_before: <period>`` would remind
        of now, soonest first: ``due_within("P3D")`` is every deadline whose last day is
        today or one of the next two days (three days left, today included), ``"PT24H"``
        every deadline in the next 24 hours; counted by the current rules' calendar.

        Raises:
            UsageError: ``period`` is not a period such as P3D, P2WD or PT24H.
        """
        moment = require_aware(now, "now") if now is not None else self._now()
        calendar = self.rules.calendar
        until = self._until(period, moment)  # a bound: no deadline after it
        before = Duration.parse(period)
        after: tuple[dt.datetime, str] | None = None
        while page := self.store.due_between(moment, until, after, batch):
            for inst in page:
                assert inst.deadline_at is not None
                if calendar.remind_at(before, inst.deadline_at) <= moment:
                    yield inst
            last = page[-1]
            assert last.deadline_at is not None
            after = (last.deadline_at, last.id)

    # -- internals ---------------------------------------------------------------------------

    def _until(self, period: str, moment: dt.datetime) -> dt.datetime:
        """The end of ``period`` from ``moment`` by the rules' calendar (``UsageError`` if it
        is not a period such as P3D, P2WD or PT24H)."""
        try:
            return self.rules.calendar.deadline(Duration.parse(period), moment).at
        except (ValueError, TypeError) as exc:
            raise UsageError(Text(f"“{str(period)[:40]}” 不是期限（如 P3D、P2WD、PT24H）：{exc}",
                                  f"'{str(period)[:40]}' is not a period such as P3D, P2WD "
                                  f"or PT24H: {exc}")) from None

    def _moment(self, now: dt.datetime | None) -> dt.datetime:
        clock = self._now()
        if now is None:
            return clock
        moment = require_aware(now, "now")
        if moment > clock:
            raise UsageError(Text(
                f"tick 的时间 {moment.isoformat()} 晚于引擎时钟 {clock.isoformat()}：不能提前处理未来的期限",
                f"tick(now={moment.isoformat()}) is later than the engine's clock "
                f"({clock.isoformat()}): a tick cannot act on deadlines in the future"))
        return moment

    @staticmethod
    def _isolated(inst: Instance, report: TickReport, handle: Callable[[], None]) -> None:
        """Run one instance's tick work; what goes wrong with it is reported, not raised."""
        try:
            handle()
        except ConcurrentUpdate:
            report.conflicts.append(inst.id)
        except StoreError:
            raise
        except PartyflowError as exc:
            report.refused.append((inst.id, exc))
        except Exception as exc:  # a defect must not stop every later instance's deadline
            _log.exception("tick: instance %s failed", inst.id)
            report.failed.append((inst.id, exc))

    def _remind_one(self, inst: Instance, now: dt.datetime, report: TickReport) -> None:
        step = decide_reminder(self.versions.definition(inst), inst, now)
        self._commit(step, replay_conflicts=False)
        assert inst.deadline_at is not None
        report.reminded.append((inst.id, inst.state, inst.deadline_at))

    def _tick_one(self, inst: Instance, now: dt.datetime, report: TickReport) -> None:
        ctx = self._context(inst)
        proc = ctx.machine.definition
        escalates = proc.states[inst.state].escalate
        step = (decide_escalation(proc, inst, now, self.hierarchy) if escalates
                else timeout_step(ctx, inst, now))
        new = self._commit(step, replay_conflicts=False)
        if escalates:
            assert new.escalated_to is not None
            report.escalated.append((inst.id, inst.state, new.escalation, new.escalated_to))
        else:
            report.fired.append((inst.id, step.trigger, inst.state, new.state))

    def _context(self, inst: Instance) -> StepContext:
        read: list[list[AuditRecord]] = []

        def history() -> list[AuditRecord]:  # read once, and only if a check needs it
            if not read:
                read.append(self.store.history(inst.id))
            return read[0]

        return StepContext(self.versions.of(inst), self.versions.machine(inst), self.hierarchy,
                           history)

    def _commit(self, step: Step, *, replay_conflicts: bool = True) -> Instance:
        """Seal and commit ``step``; a lost race on the same idempotency key is a replay."""
        sealed = seal(step)
        try:
            commit(self.store, sealed)
        except ConcurrentUpdate:
            key, before = step.idempotency_key, step.before
            if replay_conflicts and key is not None and before is not None:
                prior = self.store.find_step(before.id, key)
                if prior is not None:
                    return self._replay(before, prior, step.trigger, step.actor, key,
                                        step.event)
            raise
        return sealed.instance

    def _replay(self, inst: Instance, prior: AuditRecord, trigger: str, actor: Actor,
                key: str, data: Mapping[str, Any]) -> Instance:
        """The instance as it is, if ``prior`` is this very request; else the conflict.

        A replay must come from the same actor, role and organization, for the same trigger,
        with the same data (compared in canonical form), and is authorized like a first
        attempt; the other actor's identity is never named.
        """
        where: dict[str, Any] = {"instance_id": inst.id, "procedure": inst.procedure,
                                 "state": inst.state, "trigger": trigger, "actor_id": actor.id}
        step_no = prior.seq
        if prior.trigger != trigger:
            raise IdempotencyConflict(
                Text(f"幂等键 {key} 已用于第 {step_no} 步（{prior.trigger}），不能再用于 {trigger}",
                     f"idempotency key {key} was used for step {step_no} ({prior.trigger}), "
                     f"not {trigger}"), reason="other_trigger", **where)
        if (prior.actor_id, prior.actor_role, prior.actor_org) != (actor.id, actor.role,
                                                                   actor.org):
            raise IdempotencyConflict(
                Text(f"幂等键 {key} 已由另一执行者用于第 {step_no} 步；重试必须由同一人、以同一角色、"
                     "代表同一组织提交，其他请求请换一个幂等键",
                     f"idempotency key {key} was used by another actor for step {step_no}; a "
                     "retry must come from the same person, role and organization (use a new "
                     "key for another request)"), reason="other_actor", **where)
        ctx = self._context(inst)
        proc = ctx.machine.definition
        try:
            event = coerce(proc, data, lambda: where) if data else _EMPTY
        except InvalidEventData:
            event = None
        if event is None or canonical_json(event) != canonical_json(prior.data):
            raise IdempotencyConflict(
                Text(f"幂等键 {key} 已用于第 {step_no} 步（{trigger}），但本次提交的数据不同；"
                     "重试必须提交相同的数据",
                     f"idempotency key {key} was used for step {step_no} ({trigger}) with other "
                     "data; a retry must send the same data"), reason="other_data", **where)
        refusal = authority.authority_refusal(ctx.rules, proc, inst.data, actor, trigger,
                                              self.hierarchy, where, ctx.starter)
        if refusal is not None:
            raise refusal
        return self.store.get(inst.id)

    def _now(self) -> dt.datetime:
        now = self.clock.now()
        if now.tzinfo is None:
            raise UsageError(Text("时钟返回了不带时区的时间", "the clock returned a naive datetime"))
        return now

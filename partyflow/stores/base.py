"""Where instances and their audit trails live: the store interface.

A store writes a step's new instance row and its audit record in one atomic operation, and
refuses a write based on a stale version (optimistic concurrency) without changing anything.
``SqlStore`` (SQLite, PostgreSQL) is in ``partyflow.stores.sql``.
"""

from __future__ import annotations

import datetime as dt
from abc import ABC, abstractmethod
from collections.abc import Collection, Iterable, Iterator, Sequence
from dataclasses import dataclass

from partyflow.errors import ConcurrentUpdate, InstanceNotFound, Text, UsageError
from partyflow.hierarchy.imports import OrgImport
from partyflow.hierarchy.trail import SYSTEM_ORG_ACTOR, OrgAuditRecord
from partyflow.rules.definitions import STARTER_KEY
from partyflow.workflows.records import (
    AuditRecord,
    Event,
    Instance,
    InstanceQuery,
    Organization,
    Parties,
    ReportRow,
    person_key,
)


def not_found(instance_id: str) -> InstanceNotFound:
    """The error for a missing instance."""
    return InstanceNotFound(
        Text(f"没有编号为 {instance_id} 的实例", f"no instance with id {instance_id}"),
        instance_id=instance_id,
    )


def trail_time(at: dt.datetime | None) -> dt.datetime:
    """The time an organization change is recorded with: ``at`` (aware), or now in UTC."""
    if at is None:
        return dt.datetime.now(dt.UTC)
    if at.tzinfo is None or at.utcoffset() is None:
        raise UsageError(Text("at 必须是带时区的时间", "at must be an aware datetime"))
    return at


def conflict(instance_id: str, expected: int) -> ConcurrentUpdate:
    """The error for a stale write."""
    if expected == 0:
        return ConcurrentUpdate(
            Text(f"编号为 {instance_id} 的实例已经存在", f"instance {instance_id} already exists"),
            expected_version=0, instance_id=instance_id,
        )
    return ConcurrentUpdate(
        Text(f"实例 {instance_id} 已被他人更新（读取时为第 {expected} 版），本次未写入，请重新读取后再试",
             f"instance {instance_id} was changed by someone else since version {expected}; "
             "nothing was written: reload and retry"),
        expected_version=expected, instance_id=instance_id,
    )


def event_position(cursor: str) -> tuple[int, int]:
    """``"txid:event_id"`` (an ``Event.cursor``; ``""`` is the start) as two integers."""
    if cursor == "":
        return 0, 0
    txid, sep, event_id = str(cursor).partition(":")
    if not sep or not txid.isdigit() or not event_id.isdigit():
        raise UsageError(Text(f"事件游标 {cursor!r} 无效：应为上一事件的 cursor",
                              f"invalid event cursor {cursor!r}: pass an Event.cursor"))
    return int(txid), int(event_id)


@dataclass(frozen=True, slots=True)
class InstanceGroup:
    """Open instances of one procedure, under one pinned rules version, in one state, counted
    (what a rules review decides once for all of them).

    Attributes:
        procedure, rules_hash, rules_version, state: what the instances share.
        count: how many open instances.
        estimated: how many of them have a deadline counted on an estimated working-day
            calendar (``Instance.deadline_estimated``).
    """

    procedure: str
    rules_hash: str
    rules_version: str
    state: str
    count: int
    estimated: int = 0

    @property
    def key(self) -> tuple[str, str, str, str]:
        """``(procedure, rules_hash, rules_version, state)``."""
        return self.procedure, self.rules_hash, self.rules_version, self.state


def _in_group(inst: Instance, group: InstanceGroup) -> bool:
    return (not inst.terminal and inst.procedure == group.procedure
            and inst.state == group.state and inst.rules_hash == group.rules_hash
            and inst.rules_version == group.rules_version)


class Store(ABC):
    """The storage interface the engine runs on."""

    rows_shared: bool = True
    """Whether the rows live outside this process (a database others can write to), so each
    step checks the stored row against its newest audit record before building on it. A
    store whose rows only this process's objects hold sets it False."""

    @abstractmethod
    def save_rules(self, content_hash: str, version: str, source: str) -> None:
        """Keep a rules version's text (once per hash) so any engine can reload it."""

    @abstractmethod
    def rules_source(self, content_hash: str) -> str | None:
        """The text of the rules with ``content_hash``, or None."""

    @abstractmethod
    def create(self, instance: Instance, record: AuditRecord, *,
               parties: Parties | None = None) -> None:
        """Insert a new instance with its first audit record and who it names (``parties``,
        ``partyflow.workflows.parties``), atomically.

        Raises:
            ConcurrentUpdate: an instance with that id exists (``expected_version`` 0).
        """

    @abstractmethod
    def get(self, instance_id: str) -> Instance:
        """The instance as last committed.

        Raises:
            InstanceNotFound: no such instance.
        """

    @abstractmethod
    def commit(self, instance: Instance, expected_version: int, record: AuditRecord, *,
               organization: Organization | None = None,
               parties: Parties | None = None) -> None:
        """Replace the instance row and append ``record``, atomically, if still at
        ``expected_version``; with ``parties``, rewrite those keys of who the instance names
        (a None value removes one); with ``organization``, add it to the hierarchy in the same
        transaction (a branch established by this step), with its ``establish`` record in the
        hierarchy's trail (the actor and time of ``record``).

        Raises:
            ConcurrentUpdate: the stored version differs, or the record's sequence or
                idempotency key or the organization's id is taken; nothing was written.
        """

    # A store written before the hierarchy moved into stores holds no organizations: these
    # defaults keep it working for procedures that use no authority from the hierarchy.

    def put_organizations(self, organizations: Iterable[Organization], *,
                          actor_id: str = SYSTEM_ORG_ACTOR, at: dt.datetime | None = None,
                          close_missing: bool = False) -> OrgImport:
        """Write an organization list (an imported hierarchy) in one transaction: only what
        differs from the stored organizations; return what changed.

        Each organization written gets one record in the hierarchy's trail (in id order), in
        the same transaction, by ``actor_id`` at ``at`` (aware; now by default): ``import`` (new),
        ``move`` (another parent), ``rename`` (another name), ``update`` (any other change).
        One given exactly as stored is left as it is, with no record. Stored organizations
        the list does not have are ``missing``; with ``close_missing`` they are closed: the
        row removed, a ``close`` record appended. Organizations a procedure established
        (``added_by``) are never closed.

        Raises:
            OrgImportRefused: an id given twice; or, with ``close_missing``, one to close
                still has open instances responsible there, or would leave an organization
                under it. Nothing was written.
        """
        raise UsageError(Text(f"{type(self).__name__} 不保存组织体系",
                              f"{type(self).__name__} keeps no organizations"))

    def org_history(self, *, after_seq: int = 0,
                    batch: int = 1000) -> Iterator[OrgAuditRecord]:
        """The hierarchy's trail by sequence, from ``after_seq + 1``, read ``batch`` records
        at a time (``partyflow.hierarchy.trail``)."""
        return iter(())

    def org_record(self, seq: int) -> OrgAuditRecord | None:
        """The hierarchy's trail record ``seq``, or None."""
        found = next(iter(self.org_history(after_seq=seq - 1, batch=1)), None)
        return found if found is not None and found.seq == seq else None

    def org_head(self) -> OrgAuditRecord | None:
        """The newest record of the hierarchy's trail, or None when it is empty."""
        head = None
        for head in self.org_history():  # noqa: B007 - the last one
            pass
        return head

    def organization(self, org_id: str) -> Organization | None:
        """The organization with ``org_id``, or None."""
        return None

    def organizations(self) -> Iterator[Organization]:
        """Every organization, by id."""
        return iter(())

    # The hierarchy as an ``OrganizationSource`` (``partyflow.hierarchy.query``). These
    # defaults walk ``organization``/``organizations``; the built-in stores answer each with
    # one query that reads only the organizations concerned.

    def lineage(self, org_id: str) -> Sequence[Organization]:
        """``org_id`` and each superior up to the top, bottom up; empty if unknown."""
        found: list[Organization] = []
        seen: set[str] = set()
        current: str | None = org_id
        while current is not None and current not in seen:
            seen.add(current)
            org = self.organization(current)
            if org is None:
                break
            found.append(org)
            current = org.parent
        return found

    def subtree_ids(self, org_id: str) -> Sequence[str]:
        """``org_id`` and every organization below it; empty if unknown."""
        if self.organization(org_id) is None:
            return []
        children: dict[str, list[str]] = {}
        for org in self.organizations():
            if org.parent is not None:
                children.setdefault(org.parent, []).append(org.id)
        found, todo = [org_id], [org_id]
        seen = {org_id}
        while todo:
            for child in children.get(todo.pop(), ()):
                if child not in seen:
                    seen.add(child)
                    found.append(child)
                    todo.append(child)
        return found

    def report(self, org_id: str, now: dt.datetime,
               procedure: str | None = None) -> list[ReportRow]:
        """Open, overdue and escalated instances whose organization is ``org_id`` or below
        it, by procedure and state (overdue: the deadline is at or before ``now``, or the
        instance is marked overdue in a state that escalates)."""
        within = set(self.subtree_ids(org_id))
        counts: dict[tuple[str, str], list[int]] = {}
        for inst in self.instances(procedure, open_only=True):
            if inst.org not in within:
                continue
            row = counts.setdefault((inst.procedure, inst.state), [0, 0, 0])
            row[0] += 1
            if inst.overdue_since is not None or (
                    inst.deadline_at is not None and inst.deadline_at <= now):
                row[1] += 1
            if inst.escalation:
                row[2] += 1
        return [ReportRow(p, st, *c) for (p, st), c in sorted(counts.items())]

    @abstractmethod
    def history(self, instance_id: str) -> list[AuditRecord]:
        """Every audit record of the instance, by sequence."""

    def audit_hash(self, instance_id: str, seq: int) -> str | None:
        """The hash of the instance's audit record ``seq``, or None when it has none (a
        checkpoint comparison asks this for each instance it anchored)."""
        return next((r.hash for r in self.history(instance_id) if r.seq == seq), None)

    def instance_count(self) -> int | None:
        """How many instances there are (for a progress bar), or None if not known cheaply."""
        return None

    @abstractmethod
    def record(self, instance_id: str, seq: int) -> AuditRecord | None:
        """The instance's audit record number ``seq``, if any (one keyed read)."""

    def head(self, instance_id: str) -> tuple[Instance, AuditRecord | None]:
        """The instance and its newest audit record (the SQL store reads both at once)."""
        inst = self.get(instance_id)
        return inst, self.record(instance_id, inst.version)

    @abstractmethod
    def find_step(self, instance_id: str, idempotency_key: str) -> AuditRecord | None:
        """The record written with ``idempotency_key`` on this instance, if any."""

    @abstractmethod
    def overdue(
        self, now: dt.datetime, after: tuple[dt.datetime, str] | None, limit: int
    ) -> list[Instance]:
        """Open instances whose deadline is at or before ``now``, ordered by
        ``(deadline_at, id)`` and starting after ``after``."""

    @abstractmethod
    def reminders_due(
        self, now: dt.datetime, after: tuple[dt.datetime, str] | None, limit: int
    ) -> list[Instance]:
        """Open instances whose reminder is due (``remind_at`` at or before ``now``) and whose
        deadline has not passed (``deadline_at`` after ``now``), ordered by
        ``(remind_at, id)`` and starting after ``after``; at most ``limit``."""

    @abstractmethod
    def due_between(
        self, start: dt.datetime, end: dt.datetime, after: tuple[dt.datetime, str] | None,
        limit: int,
    ) -> list[Instance]:
        """Open instances whose deadline is after ``start`` and at or before ``end`` ("due
        within N days": ``start`` now, ``end`` N days on), ordered by ``(deadline_at, id)``
        and starting after ``after``; at most ``limit``."""

    def named(self, key: str, values: Collection[str]) -> set[str] | None:
        """The ids of instances whose party ``key`` holds one of ``values``, or None when
        this store keeps no party index (then each instance's own data is read)."""
        return None

    def _names(self, inst: Instance, key: str, values: Collection[str], person: bool) -> bool:
        """Whether ``inst`` names one of ``values`` as its party ``key`` (a person's, compared
        as persons are), read from its data and, for the starter, its first record: for a
        store without a party index."""
        if key == STARTER_KEY:
            first = self.record(inst.id, 1)
            raw: object = None if first is None else first.actor_id
        else:
            raw = inst.data.get(key)
        if raw is None:
            return False
        return (person_key(str(raw)) if person else str(raw)) in values

    def _selected(self, query: InstanceQuery) -> Iterator[Instance]:
        """The instances ``query`` selects, by id (the SQL store selects in the database)."""
        subtree = frozenset(self.subtree_ids(query.org)) if query.org is not None else None
        wanted: list[tuple[str, frozenset[str], bool]] = []
        if query.named_org is not None:
            wanted.append((query.named_org[0], frozenset(self.subtree_ids(query.named_org[1])),
                           False))
        if query.named_person is not None:
            wanted.append((query.named_person[0],
                           frozenset({person_key(query.named_person[1])}), True))
        indexed: set[str] | None = None
        for key, values, _person in wanted:
            ids = self.named(key, values)
            if ids is None:
                indexed = None
                break
            indexed = ids if indexed is None else indexed & ids
        for inst in self.instances(query.procedure, open_only=query.open_only):
            if indexed is not None:
                if inst.id not in indexed:
                    continue
            elif not all(self._names(inst, *w) for w in wanted):
                continue
            if query.matches(inst, subtree):
                yield inst

    def find(self, query: InstanceQuery, *, after: str = "", limit: int = 100) -> list[Instance]:
        """A page of the instances ``query`` selects, by id, starting after the id ``after``
        (the last of the previous page); at most ``limit``."""
        out: list[Instance] = []
        for inst in self._selected(query):
            if inst.id > after:
                out.append(inst)
                if len(out) >= limit:
                    break
        return out

    def count(self, query: InstanceQuery) -> int:
        """How many instances ``query`` selects (the SQL store counts in the database)."""
        return sum(1 for _ in self._selected(query))

    @abstractmethod
    def events(self, after: str, limit: int) -> list[Event]:
        """Committed steps after the cursor ``after`` (``""``: from the first), in the order a
        consumer must handle them; at most ``limit``. Each audit record appears once."""

    @abstractmethod
    def instances(self, procedure: str | None = None, *, open_only: bool = False,
                  batch: int = 1000) -> Iterator[Instance]:
        """Stream instances by id, ``batch`` rows at a time."""

    # Open instances grouped by (procedure, rules version, state), for a rules review
    # (``partyflow.policy.impact``). These defaults stream ``instances``; the SQL store
    # answers each with one statement.

    def instance_groups(self, procedure: str | None = None) -> list[InstanceGroup]:
        """The open instances (of ``procedure``, or all) counted by procedure, rules hash and
        version, and state, in that order."""
        counts: dict[tuple[str, str, str, str], list[int]] = {}
        for inst in self.instances(procedure, open_only=True):
            row = counts.setdefault(
                (inst.procedure, inst.rules_hash, inst.rules_version, inst.state), [0, 0])
            row[0] += 1
            row[1] += inst.deadline_estimated
        return [InstanceGroup(*k, n, e) for k, (n, e) in sorted(counts.items())]

    def group_ids(self, group: InstanceGroup, limit: int) -> list[str]:
        """The first ``limit`` ids, by id, of the open instances in ``group``."""
        found: list[str] = []
        if limit <= 0:
            return found
        for inst in self.group_instances(group):
            found.append(inst.id)
            if len(found) >= limit:
                break
        return found

    def group_instances(self, group: InstanceGroup, *, batch: int = 1000) -> Iterator[Instance]:
        """Stream the open instances in ``group`` by id, ``batch`` rows at a time."""
        return (inst for inst in self.instances(group.procedure, open_only=True, batch=batch)
                if _in_group(inst, group))

    def close(self) -> None:  # noqa: B027 - optional hook
        """Release connections."""

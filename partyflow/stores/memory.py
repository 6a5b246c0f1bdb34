"""A store in this process's memory, for tests, specs and benchmarks."""

from __future__ import annotations

import datetime as dt
import threading
from collections.abc import Callable, Collection, Iterable, Iterator, Sequence

from partyflow.hierarchy.imports import OrgImport, given_orgs, org_key, plan_import
from partyflow.hierarchy.trail import (
    SYSTEM_ORG_ACTOR,
    OrgAuditRecord,
    next_org_record,
)
from partyflow.stores.base import (
    InstanceGroup,
    Store,
    conflict,
    event_position,
    not_found,
    trail_time,
)
from partyflow.workflows.records import AuditRecord, Event, Instance, Organization, Parties


class MemoryStore(Store):
    """A store in this process's memory: for tests, specs and benchmarks. Thread-safe."""

    rows_shared = False  # only this process holds the rows: nothing outside can edit them

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._rules: dict[str, tuple[str, str]] = {}
        self._instances: dict[str, Instance] = {}
        self._audit: dict[str, list[AuditRecord]] = {}
        self._keys: dict[tuple[str, str], AuditRecord] = {}
        self._orgs: dict[str, Organization] = {}
        self._children: dict[str, dict[str, None]] = {}  # parent → children, in insert order
        self._org_trail: list[OrgAuditRecord] = []
        self._events: list[AuditRecord] = []  # the outbox: every record, in commit order
        self._parties: dict[str, dict[str, str]] = {}  # instance → party key → value

    def save_rules(self, content_hash: str, version: str, source: str) -> None:
        with self._lock:
            self._rules.setdefault(content_hash, (version, source))

    def rules_source(self, content_hash: str) -> str | None:
        found = self._rules.get(content_hash)
        return found[1] if found else None

    def create(self, instance: Instance, record: AuditRecord, *,
               parties: Parties | None = None) -> None:
        with self._lock:
            if instance.id in self._instances:
                raise conflict(instance.id, 0)
            self._instances[instance.id] = instance
            self._put_parties(instance.id, parties)
            self._audit[instance.id] = [record]
            self._events.append(record)
            if record.idempotency_key is not None:
                self._keys[(instance.id, record.idempotency_key)] = record

    def _put_parties(self, instance_id: str, parties: Parties | None) -> None:
        if not parties:
            return
        held = self._parties.setdefault(instance_id, {})
        for key, value in parties.items():
            if value is None:
                held.pop(key, None)
            else:
                held[key] = value

    def named(self, key: str, values: Collection[str]) -> set[str] | None:
        wanted = set(values)
        return {iid for iid, held in self._parties.items() if held.get(key) in wanted}

    def get(self, instance_id: str) -> Instance:
        try:
            return self._instances[instance_id]
        except KeyError:
            raise not_found(instance_id) from None

    def commit(self, instance: Instance, expected_version: int, record: AuditRecord, *,
               organization: Organization | None = None,
               parties: Parties | None = None) -> None:
        with self._lock:
            current = self._instances.get(instance.id)
            if current is None:
                raise not_found(instance.id)
            key = (instance.id, record.idempotency_key) if record.idempotency_key else None
            if current.version != expected_version or (key is not None and key in self._keys) \
                    or (organization is not None and organization.id in self._orgs):
                raise conflict(instance.id, expected_version)
            org_record = None if organization is None else next_org_record(
                self._org_trail[-1] if self._org_trail else None, at=record.at,
                actor_id=record.actor_id, action="establish", org=organization)
            self._instances[instance.id] = instance
            self._put_parties(instance.id, parties)
            self._audit[instance.id].append(record)
            self._events.append(record)
            if key is not None:
                self._keys[key] = record
            if organization is not None and org_record is not None:
                self._put_org(organization)
                self._org_trail.append(org_record)

    def put_organizations(self, organizations: Iterable[Organization], *,
                          actor_id: str = SYSTEM_ORG_ACTOR, at: dt.datetime | None = None,
                          close_missing: bool = False) -> OrgImport:
        moment = trail_time(at)
        given = given_orgs(organizations)
        with self._lock:  # every record is made before anything changes: all or nothing
            plan = plan_import(given, (org_key(o) for o in self._orgs.values()),
                               close_missing=close_missing, open_instance=self._open_at)
            head = self._org_trail[-1] if self._org_trail else None
            records = []
            for change in plan.changes:
                head = next_org_record(head, at=moment, actor_id=actor_id,
                                       action=change.action, org=change.org)
                records.append(head)
            for change in plan.changes:
                if change.action == "close":
                    self._drop_org(change.org.id)
                else:
                    self._put_org(change.org)
            self._org_trail.extend(records)
        return plan.result

    def _open_at(self, org_ids: Sequence[str]) -> tuple[str, str] | None:
        """One open instance responsible at one of ``org_ids`` (the first by org, id)."""
        wanted = set(org_ids)
        found = sorted((i.org, i.id) for i in self._instances.values()
                       if not i.terminal and i.org in wanted and i.org is not None)
        return found[0] if found else None

    def org_history(self, *, after_seq: int = 0,
                    batch: int = 1000) -> Iterator[OrgAuditRecord]:
        with self._lock:
            trail = list(self._org_trail)
        for rec in trail:
            if rec.seq > after_seq:
                yield rec

    def org_record(self, seq: int) -> OrgAuditRecord | None:
        with self._lock:
            return next((r for r in self._org_trail if r.seq == seq), None)

    def org_head(self) -> OrgAuditRecord | None:
        with self._lock:
            return self._org_trail[-1] if self._org_trail else None

    def _drop_org(self, org_id: str) -> None:
        old = self._orgs.pop(org_id, None)
        if old is not None and old.parent is not None:
            self._children.get(old.parent, {}).pop(org_id, None)

    def _put_org(self, org: Organization) -> None:
        old = self._orgs.get(org.id)
        if old is not None and old.parent is not None:
            self._children.get(old.parent, {}).pop(org.id, None)
        self._orgs[org.id] = org
        if org.parent is not None:
            self._children.setdefault(org.parent, {})[org.id] = None

    def subtree_ids(self, org_id: str) -> list[str]:
        with self._lock:
            if org_id not in self._orgs:
                return []
            found, todo, seen = [org_id], [org_id], {org_id}
            while todo:
                for child in self._children.get(todo.pop(), ()):
                    if child not in seen:
                        seen.add(child)
                        found.append(child)
                        todo.append(child)
            return found

    def organization(self, org_id: str) -> Organization | None:
        return self._orgs.get(org_id)

    def organizations(self) -> Iterator[Organization]:
        with self._lock:
            orgs = sorted(self._orgs.values(), key=lambda o: o.id)
        yield from orgs

    def history(self, instance_id: str) -> list[AuditRecord]:
        with self._lock:
            return list(self._audit.get(instance_id, ()))

    def record(self, instance_id: str, seq: int) -> AuditRecord | None:
        with self._lock:
            records = self._audit.get(instance_id, ())
            return records[seq - 1] if 0 < seq <= len(records) else None

    def find_step(self, instance_id: str, idempotency_key: str) -> AuditRecord | None:
        return self._keys.get((instance_id, idempotency_key))

    def instance_count(self) -> int:
        return len(self._instances)

    def overdue(
        self, now: dt.datetime, after: tuple[dt.datetime, str] | None, limit: int
    ) -> list[Instance]:
        return self._page(lambda i: i.deadline_at is not None and i.deadline_at <= now,
                          lambda i: i.deadline_at, after, limit)

    def reminders_due(
        self, now: dt.datetime, after: tuple[dt.datetime, str] | None, limit: int
    ) -> list[Instance]:
        return self._page(lambda i: i.remind_at is not None and i.remind_at <= now
                          and i.deadline_at is not None and i.deadline_at > now,
                          lambda i: i.remind_at, after, limit)

    def due_between(
        self, start: dt.datetime, end: dt.datetime, after: tuple[dt.datetime, str] | None,
        limit: int,
    ) -> list[Instance]:
        return self._page(lambda i: i.deadline_at is not None and start < i.deadline_at <= end,
                          lambda i: i.deadline_at, after, limit)

    def _page(self, match: Callable[[Instance], bool],
              time: Callable[[Instance], dt.datetime | None],
              after: tuple[dt.datetime, str] | None, limit: int) -> list[Instance]:
        """Open instances that ``match``, by ``(time, id)``, past ``after``, at most ``limit``."""
        with self._lock:
            found = [(t, i.id, i) for i in self._instances.values()
                     if not i.terminal and match(i) and (t := time(i)) is not None
                     and (after is None or (t, i.id) > after)]
        found.sort(key=lambda f: (f[0], f[1]))
        return [i for _, _, i in found[:limit]]

    def events(self, after: str, limit: int) -> list[Event]:
        start = event_position(after)[1]
        with self._lock:
            page = self._events[start:start + limit]
        return [Event(f"0:{start + k + 1}", r) for k, r in enumerate(page)]

    def instances(self, procedure: str | None = None, *, open_only: bool = False,
                  batch: int = 1000) -> Iterator[Instance]:
        with self._lock:
            ids = sorted(self._instances)
        for iid in ids:
            inst = self._instances[iid]
            if procedure is not None and inst.procedure != procedure:
                continue
            if open_only and inst.terminal:
                continue
            yield inst

    def instance_groups(self, procedure: str | None = None) -> list[InstanceGroup]:
        with self._lock:
            rows = list(self._instances.values())
        counts: dict[tuple[str, str, str, str], list[int]] = {}
        for inst in rows:
            if inst.terminal or (procedure is not None and inst.procedure != procedure):
                continue
            row = counts.setdefault(
                (inst.procedure, inst.rules_hash, inst.rules_version, inst.state), [0, 0])
            row[0] += 1
            row[1] += inst.deadline_estimated
        return [InstanceGroup(*k, n, e) for k, (n, e) in sorted(counts.items())]

    def group_instances(self, group: InstanceGroup, *, batch: int = 1000) -> Iterator[Instance]:
        with self._lock:
            found = sorted((i for i in self._instances.values() if not i.terminal
                            and (i.procedure, i.rules_hash, i.rules_version, i.state)
                            == group.key), key=lambda i: i.id)
        return iter(found)

    # test hooks: tamper with the trail the way an attacker with database access could
    def _replace_record(self, instance_id: str, index: int, record: AuditRecord | None) -> None:
        with self._lock:
            if record is None:
                del self._audit[instance_id][index]
            else:
                self._audit[instance_id][index] = record

    def _replace_org(self, org_id: str, org: Organization | None) -> None:
        """Change, add or (``None``) delete an organization row without a trail record."""
        with self._lock:
            self._drop_org(org_id)
            if org is not None:
                self._put_org(org)

    def _replace_org_record(self, index: int, record: OrgAuditRecord | None) -> None:
        with self._lock:
            if record is None:
                del self._org_trail[index]
            else:
                self._org_trail[index] = record

"""The runtime's plain records: who acts, an instance's current state, an audit entry.

``Organization`` lives in ``partyflow.hierarchy.query`` and is re-exported here.
"""

from __future__ import annotations

import datetime as dt
import reprlib
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from partyflow.errors import Text, UsageError
from partyflow.hierarchy.query import Organization
from partyflow.limits import MAX_ACTOR_ID, MAX_ORG_ID, MAX_ROLE, text_problem


def person_key(person: str) -> str:
    """A person's id as every comparison of persons sees it: Unicode NFKC, case folded,
    trimmed (``"Wang.Li "`` is ``"wang.li"``)."""
    return unicodedata.normalize("NFKC", person).casefold().strip()


Parties = Mapping[str, str | None]
"""Who an instance names, as a step writes it: party key → value (None: remove the key);
see ``partyflow.workflows.parties``."""

@dataclass(frozen=True, slots=True)
class Actor:
    """Who fires a step: a person (or system) acting in one role for one organization.

    Attributes:
        id: the person's id in the calling system.
        role: a role id from the rules file (``secretary`` …).
        org: the organization the person acts for, if any.
    """

    id: str
    role: str
    org: str | None = None

    def __post_init__(self) -> None:
        for name in ("id", "role"):
            value = getattr(self, name)
            if not isinstance(value, str) or not value.strip():
                raise UsageError(Text(f"Actor.{name} 必须是非空文字，实际为 {_shown(value)}",
                                      f"Actor.{name} must be non-empty text, got "
                                      f"{_shown(value)}"))
        if self.org is not None and not isinstance(self.org, str):
            raise UsageError(Text(f"Actor.org 必须是文字或 None，实际为 {_shown(self.org)}",
                                  f"Actor.org must be text or None, got {_shown(self.org)}"))
        for name, limit in (("id", MAX_ACTOR_ID), ("role", MAX_ROLE), ("org", MAX_ORG_ID)):
            value = getattr(self, name)
            problem = None if value is None else text_problem(value, limit)
            if problem is not None:
                raise UsageError(Text(f"Actor.{name} {problem.zh}", f"Actor.{name} {problem.en}"))


def _shown(value: object) -> str:
    """A short, safe rendering of a caller's value for a message (bounded depth and length)."""
    return reprlib.repr(value)


SYSTEM_ACTOR = Actor(id="partyflow.tick", role="system")
"""The actor recorded when ``Engine.tick`` fires a timeout."""


@dataclass(frozen=True, slots=True)
class Instance:
    """One run of a procedure, as last committed.

    Attributes:
        id: the instance id.
        procedure: the procedure id.
        state: the current state id.
        data: the instance data (JSON values; dates and durations as ISO-8601 text).
        version: the number of committed steps, starting at 1 for the start record.
        rules_version: the ``version`` of the rules it runs under (pinned at start).
        rules_hash: the content hash of those rules.
        created_at: when it started.
        updated_at: when it last changed.
        deadline_at: when the current state's deadline passes, if it has one.
        terminal: whether the current state ends the procedure.
        last_hash: the hash of the newest audit record.
        org: the organization responsible for it (the procedure's ``organization`` input),
            which reports and escalation start from; None when the procedure names none.
        escalation: how many levels above ``org`` it has been escalated (一级抓一级), 0 if
            never; reset when the instance leaves the overdue state.
        escalated_to: the organization it is escalated to, or None.
        overdue_since: when the current state's deadline passed without a step (states
            with ``escalate: true``), or None.
        deadline_estimated: whether ``deadline_at`` was computed on an estimated working-day
            calendar (a year whose State Council holiday notice is not yet in the data).
        remind_at: when a reminder before the current deadline is due; None when none is
            due or it was already sent.
        last_step_at: the ``at`` time of the newest audit record (so a step whose clock went
            backwards can be refused); None for rows written before it was kept, whose
            ``updated_at`` stands in.
    """

    id: str
    procedure: str
    state: str
    data: Mapping[str, Any]
    version: int
    rules_version: str
    rules_hash: str
    created_at: dt.datetime
    updated_at: dt.datetime
    deadline_at: dt.datetime | None
    terminal: bool
    last_hash: str
    org: str | None = None
    escalation: int = 0
    escalated_to: str | None = None
    overdue_since: dt.datetime | None = None
    deadline_estimated: bool = False
    remind_at: dt.datetime | None = None
    last_step_at: dt.datetime | None = None


@dataclass(frozen=True, slots=True)
class AuditRecord:
    """One committed step, chained by hash to the one before it.

    Attributes:
        instance_id: the instance.
        seq: 1 for the start, then one more per step, without gaps.
        at: when, from the engine's clock.
        actor_id, actor_role, actor_org: who acted, in which role, for which organization.
        trigger: ``start`` or the trigger fired.
        from_state: the state before (``None`` for the start).
        to_state: the state after.
        data: the event data given with the step.
        rules_version, rules_hash: the rules the step ran under.
        basis: the rule ids the transition and its conditions implement, e.g. ``"E2"``.
        idempotency_key: the caller's key for a retried request, if given.
        prev_hash: the previous record's hash ("" for the first).
        hash: SHA-256 over this record's fields, ``prev_hash`` and ``state_hash``.
        state_hash: SHA-256 of the instance row this step produced (``state_digest``): its
            state, data, deadline, escalation, organization, version …, so ``verify`` and the
            next step can tell the stored row from the one the chain sealed. "" on records
            written before it existed (their hash does not cover it).
    """

    instance_id: str
    seq: int
    at: dt.datetime
    actor_id: str
    actor_role: str
    actor_org: str | None
    trigger: str
    from_state: str | None
    to_state: str
    data: Mapping[str, Any]
    rules_version: str
    rules_hash: str
    basis: str | None
    idempotency_key: str | None
    prev_hash: str
    hash: str
    state_hash: str = ""


@dataclass(frozen=True)
class TickReport:
    """What one ``Engine.tick`` did.

    Attributes:
        now: the time the tick ran for.
        fired: ``(instance_id, trigger, from_state, to_state)`` for each timeout fired.
        conflicts: instances another runner handled first (skipped, nothing doubled).
        refused: instances whose timeout could not fire, with the error.
        escalated: ``(instance_id, state, level, organization)`` for each escalation: the
            instance stays in ``state`` and is now the responsibility of ``organization``,
            ``level`` levels above its own.
        reminded: ``(instance_id, state, deadline_at)`` for each reminder recorded before a
            deadline (``remind_before``; the instance stays as it is).
        failed: instances the tick could not handle because of an unexpected error (logged
            on ``partyflow.tick``), with the error; the tick went on with the others.
    """

    now: dt.datetime
    fired: list[tuple[str, str, str, str]] = field(default_factory=list)
    conflicts: list[str] = field(default_factory=list)
    refused: list[tuple[str, Exception]] = field(default_factory=list)
    escalated: list[tuple[str, str, int, str]] = field(default_factory=list)
    reminded: list[tuple[str, str, dt.datetime]] = field(default_factory=list)
    failed: list[tuple[str, Exception]] = field(default_factory=list)


@dataclass(frozen=True, slots=True)
class ReportRow:
    """Open instances of one procedure in one state, within an organization's subtree.

    Attributes:
        procedure, state: what is counted.
        open: running instances (not in a terminal state).
        overdue: of those, how many are past their deadline or marked overdue.
        escalated: of those, how many were escalated up the responsibility chain.
    """

    procedure: str
    state: str
    open: int
    overdue: int
    escalated: int

__all__ = ["SYSTEM_ACTOR", "Actor", "AuditRecord", "Instance", "Organization", "ReportRow",
           "TickReport"]


@dataclass(frozen=True, slots=True)
class InstanceQuery:
    """Which instances to list (every field narrows; none given: all open instances).

    Attributes:
        org: the organization whose subtree is responsible (the instance's ``org`` is it or
            below it).
        procedure, state: only these.
        open_only: leave out instances in a terminal state (default).
        overdue_at: only those past their deadline at this time, or marked overdue.
        due_by: only those whose deadline is at or before this time (not yet passed when
            ``overdue_at`` is not given: use both for "overdue or due soon").
        named_org: ``(party key, organization)``: only those whose party key (an
            organization input a role is bound to, ``ProcedureDef.party_keys``) names the
            organization or one below it.
        named_person: ``(party key, person id)``: only those whose party key (``@starter``
            or a ``subject`` input) names the person (compared as ``same_person`` does).
    """

    org: str | None = None
    procedure: str | None = None
    state: str | None = None
    open_only: bool = True
    overdue_at: dt.datetime | None = None
    due_by: dt.datetime | None = None
    named_org: tuple[str, str] | None = None
    named_person: tuple[str, str] | None = None

    def matches(self, inst: Instance, subtree: frozenset[str] | None) -> bool:
        """Whether ``inst`` is one of them (``subtree``: the ids below ``org``), apart from
        ``named_org``/``named_person``: who an instance names is the store's to answer
        (``Store.named``)."""
        if self.open_only and inst.terminal:
            return False
        if self.procedure is not None and inst.procedure != self.procedure:
            return False
        if self.state is not None and inst.state != self.state:
            return False
        if subtree is not None and inst.org not in subtree:
            return False
        if self.overdue_at is not None and inst.overdue_since is None and (
                inst.deadline_at is None or inst.deadline_at > self.overdue_at):
            return False
        return self.due_by is None or (
            inst.deadline_at is not None and inst.deadline_at <= self.due_by)


@dataclass(frozen=True, slots=True)
class Event:
    """One committed step from the outbox (``Engine.events``).

    Attributes:
        cursor: where a consumer resumes: pass the last one it handled as ``after``.
        record: the step's audit record (who, what, when, from which state to which).
    """

    cursor: str
    record: AuditRecord

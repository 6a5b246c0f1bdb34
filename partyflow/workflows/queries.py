"""What each person or organization must do now (待办): the inbox of an actor and the to-do
list of an organization, from the same authority the engine enforces when a step is fired.

An actor's candidates are found through the store's indexes: a role bound to the procedure's
responsible organization (``org: <organization>, up: N``) acts only on instances responsible
in its own organization's subtree (``Instance.org``); a role bound to another organization
input (the receiving side of a transfer) only on instances whose input names an organization
of that subtree, and a role bound to the starter or to a ``subject`` only on instances naming
the actor (the party index, ``partyflow.workflows.parties``). Only a role bound ``open``
reads every open instance of the procedure. Each candidate is then asked, as a fire would
ask, which of its triggers this actor may fire now.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator
from dataclasses import dataclass

from partyflow.rules.definitions import STARTER_KEY, ProcedureDef, RuleSet
from partyflow.stores.base import Store
from partyflow.workflows.records import Actor, Instance, InstanceQuery

PAGE = 500


@dataclass(frozen=True, slots=True)
class InboxItem:
    """One instance on which an actor may act now.

    Attributes:
        instance: the instance as last committed.
        triggers: the steps this actor may fire from its current state (conditions are
            checked when fired: they often need the step's data).
        deadline_at: when the current state's deadline passes, if it has one.
        overdue: the deadline has passed, or the instance is marked overdue (超时).
        due_soon: not overdue, and the deadline falls within the period asked for (即将到期).
    """

    instance: Instance
    triggers: tuple[str, ...]
    deadline_at: dt.datetime | None
    overdue: bool
    due_soon: bool


@dataclass(frozen=True, slots=True)
class OrgTodo:
    """An organization's open work below it: 待办 (open), 即将到期 (due soon), 超时 (overdue),
    each a list of at most ``limit`` instances, by id, with the full counts."""

    open: tuple[Instance, ...]
    due_soon: tuple[Instance, ...]
    overdue: tuple[Instance, ...]
    open_count: int
    due_soon_count: int
    overdue_count: int


def pages(store: Store, query: InstanceQuery, page: int = PAGE) -> Iterator[Instance]:
    """Every instance ``query`` selects, one page of ``page`` at a time."""
    after = ""
    while batch := store.find(query, after=after, limit=page):
        yield from batch
        after = batch[-1].id


def candidates(rules: RuleSet, store: Store, actor: Actor) -> Iterator[Instance]:
    """Open instances on which ``actor``'s role appears in some step, narrowed as its
    binding allows (``_narrowed``: its subtree, or the instances naming it)."""
    for name, proc in rules.procedures.items():
        if not any(actor.role in t.roles for t in proc.transitions):
            continue
        query = _narrowed(proc, name, actor)
        if query is not None:
            yield from pages(store, query)


def _narrowed(proc: ProcedureDef, name: str, actor: Actor) -> InstanceQuery | None:
    """The instances of ``proc`` on which ``actor``'s role may act, as narrow as its binding
    allows; None when it can act on none (it must act for an organization and gives none)."""
    auth = proc.authority.get(actor.role)
    if auth is None or auth.open is not None:
        return InstanceQuery(procedure=name)
    if auth.org is not None:
        if actor.org is None:
            return None  # it acts for an organization, and this actor gives none
        if auth.org == proc.organization:
            return InstanceQuery(org=actor.org, procedure=name)
        return InstanceQuery(procedure=name, named_org=(auth.org, actor.org))
    if auth.person == "starter":
        return InstanceQuery(procedure=name, named_person=(STARTER_KEY, actor.id))
    if auth.person == "subject" and auth.subject is not None:
        return InstanceQuery(procedure=name, named_person=(auth.subject, actor.id))
    return InstanceQuery(procedure=name)


def inbox(rules: RuleSet, store: Store, actor: Actor, now: dt.datetime, soon_until: dt.datetime,
          triggers: Callable[[Instance, Actor], list[str]], limit: int) -> list[InboxItem]:
    """At most ``limit`` instances ``actor`` may act on now, overdue first, then by deadline
    and id (``triggers`` says what the actor may fire on one, as ``Engine`` decides it)."""
    items: list[InboxItem] = []
    for inst in candidates(rules, store, actor):
        allowed = triggers(inst, actor)
        if not allowed:
            continue
        overdue = inst.overdue_since is not None or (
            inst.deadline_at is not None and inst.deadline_at <= now)
        soon = not overdue and inst.deadline_at is not None and inst.deadline_at <= soon_until
        items.append(InboxItem(inst, tuple(allowed), inst.deadline_at, overdue, soon))
    far = dt.datetime.max.replace(tzinfo=dt.UTC)
    items.sort(key=lambda i: (not i.overdue, i.deadline_at or far, i.instance.id))
    return items[:limit]


def org_todo(store: Store, org_id: str, now: dt.datetime, soon_until: dt.datetime,
             limit: int) -> OrgTodo:
    """The open, due-soon and overdue instances responsible in ``org_id``'s subtree: the
    counts from the store (``Store.count``), the lists a page or two each."""
    def first(query: InstanceQuery, keep: Callable[[Instance], bool]) -> list[Instance]:
        shown: list[Instance] = []
        for inst in pages(store, query, page=max(limit, 1)):
            if len(shown) >= limit:
                break
            if keep(inst):
                shown.append(inst)
        return shown

    def not_overdue(i: Instance) -> bool:
        return i.overdue_since is None and (i.deadline_at is None or i.deadline_at > now)

    everything = InstanceQuery(org=org_id)
    late = InstanceQuery(org=org_id, overdue_at=now)
    due = InstanceQuery(org=org_id, due_by=soon_until)
    late_and_due = InstanceQuery(org=org_id, overdue_at=now, due_by=soon_until)
    return OrgTodo(tuple(first(everything, lambda i: True)), tuple(first(due, not_overdue)),
                   tuple(first(late, lambda i: True)), store.count(everything),
                   store.count(due) - store.count(late_and_due), store.count(late))

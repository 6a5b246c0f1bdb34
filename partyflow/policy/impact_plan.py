"""Impact by group (影响试算, 分组): what a rules change does to the open instances of one
procedure, pinned rules version and state, decided once from the two definitions.

A removed state, a removed procedure, unreadable rules and changed roles are the same for
every instance of a group: they are counted from the group. Only a pending step whose
conditions differ (they may flip on the stored data) or a deadline counted differently needs
the instances' rows; ``GroupPlan.evaluate`` then judges one row with the work that depends only
on the group done beforehand. The texts of each finding are made here for both paths, the
grouped one and the per-instance baseline in ``impact.py``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from partyflow.errors import DeadlineError, RulesVersionUnavailable, Text
from partyflow.rules.calendar import Calendar
from partyflow.rules.compare import TransitionPairs, pair_transitions
from partyflow.rules.definitions import ConditionDef, ProcedureDef, RuleSet, TransitionDef
from partyflow.rules.diff import binding_text
from partyflow.stores.base import InstanceGroup
from partyflow.workflows.conditions import STEP_NAMES, bind_names
from partyflow.workflows.records import Instance
from partyflow.workflows.step import timing
from partyflow.workflows.versions import RuleVersions

Finding = tuple[str, str, str | None]
"""``(kind, detail, basis)``: one way an instance is affected."""

_Pairings = dict[tuple[str, str], TransitionPairs]


def role_findings(old: ProcedureDef, t: TransitionDef, new: ProcedureDef,
                  n: TransitionDef) -> list[Finding]:
    """``roles_changed`` when step ``t`` → ``n`` takes other roles, or the same roles bound to
    other organizations or persons (权限)."""
    if t.roles != n.roles:
        return [("roles_changed",
                 f"{t.trigger}: {', '.join(sorted(t.roles))} → {', '.join(sorted(n.roles))}",
                 n.basis)]
    rebound = sorted(r for r in n.roles
                     if binding_text(old.authority.get(r)) != binding_text(new.authority.get(r)))
    if not rebound:
        return []
    changes = "; ".join(f"{r}: {binding_text(old.authority.get(r))} → "
                        f"{binding_text(new.authority.get(r))}" for r in rebound)
    return [("roles_changed", f"{t.trigger}: {changes}", n.basis)]


def same_guard(old: ProcedureDef, t: TransitionDef, new: ProcedureDef,
               n: TransitionDef) -> bool:
    """Whether ``t`` and ``n`` have the same conditions reading the same parameter values."""
    if [c.expression.source for c in t.conditions] != [c.expression.source
                                                       for c in n.conditions]:
        return False
    read = {v for c in t.conditions for v in c.expression.variables}
    return all(old.cel_parameters.get(v) == new.cel_parameters.get(v) for v in read)


def guard_finding(t: TransitionDef, n: TransitionDef, was: bool | None, will: bool | None,
                  failing: list[ConditionDef]) -> Finding | None:
    """What it means that ``t``'s conditions held ``was`` and ``n``'s hold ``will`` (None:
    they read the step itself), ``failing`` being ``n``'s that do not."""
    if will is False and was is not False:  # what the stored data met, it no longer meets
        bases = ",".join(dict.fromkeys(c.basis for c in failing if c.basis))
        return ("now_fails", f"{t.trigger}: {'; '.join(c.expression.source for c in failing)}",
                bases or n.bases)
    if will is True and was is False:
        return "now_passes", t.trigger, n.bases
    if None in (was, will):  # it turns on who acts, or what they enter
        reading = [c.expression.source for c in (*n.conditions, *t.conditions)
                   if c.expression.variables & STEP_NAMES]
        return "not_evaluated", f"{t.trigger}: {'; '.join(dict.fromkeys(reading))}", n.bases
    return None


def holds(proc: ProcedureDef, t: TransitionDef, inst: Instance,
          now: dt.datetime) -> tuple[bool | None, list[ConditionDef]]:
    """Whether ``t``'s conditions hold on ``inst``'s stored data, and those that fail.

    False when a condition reading stored data fails; None when those hold but others read
    the step (``actor``, ``event``), which stored data cannot decide; True otherwise.
    """
    failed: list[ConditionDef] = []
    undecided = False
    for cond in t.conditions:
        if cond.expression.variables & STEP_NAMES:
            undecided = True
            continue
        names, _missing = bind_names(proc, t, cond, inst.data, {}, None, now, inst)
        try:
            ok = cond.expression.evaluate(names) is True
        except Exception:
            ok = False
        if not ok:
            failed.append(cond)
    if failed:
        return False, failed
    return (None if undecided else True), failed


def deadline_findings(inst: Instance, new: ProcedureDef, target: str, old_d: object,
                      new_d: object, new_at: dt.datetime | None, basis: str | None,
                      now: dt.datetime) -> list[Finding]:
    """``deadline_moved`` (and ``overdue_at_once``) when the state's period ``old_d`` →
    ``new_d`` or its end ``inst.deadline_at`` → ``new_at`` differs."""
    if str(old_d) == str(new_d) and new_at == inst.deadline_at:
        return []
    detail = f"{old_d or '-'} → {new_d or '-'}"
    if str(old_d) == str(new_d):  # the same period, counted anew (calendar, §6)
        shown = [new.calendar.local_date(t).isoformat() if t else "-"
                 for t in (inst.deadline_at, new_at)]
        detail = f"{detail} ({shown[0]} → {shown[1]})"
    found: list[Finding] = [("deadline_moved", detail, basis)]
    if new_at is not None and new_at <= now:
        found.append(("overdue_at_once", detail, basis))
    return found


def deadline_basis(new: ProcedureDef, target: str) -> str | None:
    """The rule id of ``target``'s deadline parameter in ``new``, if any."""
    name = new.states[target].deadline_name
    if name and name in new.parameters:
        return new.parameters[name].basis
    return None


def new_deadline(new: ProcedureDef, target: str, inst: Instance) -> dt.datetime | None:
    """``target``'s deadline in ``new`` counted as migrate would: from when the state was
    entered, by the new calendar (None if it cannot be counted)."""
    try:
        return timing(new, target, inst.data, inst.updated_at,
                      lambda: {"instance_id": inst.id})[0]
    except DeadlineError:
        return None


def _same_calendar(a: Calendar, b: Calendar) -> bool:
    """Whether two calendars count every period alike (zone, C4, local working days)."""
    return a == b and (a.working.holidays, a.working.working_days, a.working.published_years) \
        == (b.working.holidays, b.working.working_days, b.working.published_years)


def _same_deadline(old: ProcedureDef, state: str, new: ProcedureDef, target: str) -> bool:
    """Whether ``state``'s deadline in ``old`` and ``target``'s in ``new`` are read from the
    same place with the same value and counted by the same calendar, so an instance's stored
    deadline stands (it was counted so when the state was entered)."""
    a, b = old.states[state], new.states[target]
    if a.deadline_name != b.deadline_name or str(a.deadline) != str(b.deadline):
        return False
    name = a.deadline_name
    if name is not None:
        if (name in old.parameters) != (name in new.parameters):
            return False
        if name in old.parameters:
            if str(old.parameters[name].value) != str(new.parameters[name].value):
                return False
        elif (name not in old.inputs or name not in new.inputs
              or old.inputs[name].default != new.inputs[name].default):
            return False
    return (a.deadline is None and name is None) or _same_calendar(old.calendar, new.calendar)


_MEMO_SIZE = 4096
"""How many distinct stored values a condition's result is kept for (memory bound)."""
_ROW_NAMES = ("deadline_at", "entered_at", "escalation")
"""Names a condition reads from the row itself rather than the data (``bind_names``)."""


@dataclass
class _Condition:
    """One condition of a pending step, its result kept per distinct stored values it reads
    (the same values judge the same: ``now`` and the parameters are fixed for a run)."""

    proc: ProcedureDef
    t: TransitionDef
    cond: ConditionDef
    inputs: tuple[str, ...] | None = None  # the data fields read; None: not kept
    row: tuple[str, ...] = ()
    memo: dict[tuple[Any, ...], bool] = field(default_factory=dict)

    def __post_init__(self) -> None:
        expr = self.cond.expression
        if "within" in expr.functions:
            return  # within() reads a field named in its text: not keyed by its variables
        self.inputs = tuple(sorted(expr.variables & set(self.proc.inputs)))
        self.row = tuple(v for v in _ROW_NAMES if v in expr.variables)

    def holds(self, inst: Instance, now: dt.datetime) -> bool:
        """Whether the condition holds on ``inst``'s stored data (as ``holds`` judges it)."""
        key: tuple[Any, ...] | None = None
        if self.inputs is not None:
            data = inst.data
            key = (*(data.get(v) for v in self.inputs),
                   *(_row_value(inst, v) for v in self.row))
            try:
                return self.memo[key]
            except KeyError:
                pass
            except TypeError:  # a list or an object: judged without keeping
                key = None
        names, _missing = bind_names(self.proc, self.t, self.cond, inst.data, {}, None, now,
                                     inst)
        try:
            ok = self.cond.expression.evaluate(names) is True
        except Exception:
            ok = False
        if key is not None:
            if len(self.memo) >= _MEMO_SIZE:
                self.memo.clear()
            self.memo[key] = ok
        return ok


@dataclass
class _Guard:
    """A pending step whose conditions differ, old ``t`` → new ``n``."""

    t: TransitionDef
    n: TransitionDef
    old: ProcedureDef
    new: ProcedureDef
    _sides: tuple[list[_Condition | None], list[_Condition | None]] = field(init=False)

    def __post_init__(self) -> None:
        def side(proc: ProcedureDef, t: TransitionDef) -> list[_Condition | None]:
            return [None if c.expression.variables & STEP_NAMES else _Condition(proc, t, c)
                    for c in t.conditions]
        self._sides = (side(self.old, self.t), side(self.new, self.n))

    def _holds(self, k: int, t: TransitionDef, inst: Instance,
               now: dt.datetime) -> tuple[bool | None, list[ConditionDef]]:
        """``holds`` for side ``k`` (0 old, 1 new), each condition's result kept."""
        failed: list[ConditionDef] = []
        undecided = False
        for cond, judge in zip(t.conditions, self._sides[k], strict=True):
            if judge is None:
                undecided = True
            elif not judge.holds(inst, now):
                failed.append(cond)
        if failed:
            return False, failed
        return (None if undecided else True), failed

    def judge(self, inst: Instance, now: dt.datetime) -> Finding | None:
        """The step's finding on ``inst``'s stored data."""
        was, _ = self._holds(0, self.t, inst, now)
        will, failing = self._holds(1, self.n, inst, now)
        return guard_finding(self.t, self.n, was, will, failing)


def _row_value(inst: Instance, name: str) -> Any:
    if name == "deadline_at":
        return inst.deadline_at
    return inst.updated_at if name == "entered_at" else inst.escalation


@dataclass
class GroupPlan:
    """What a rules change does to one group, decided from the definitions.

    Attributes:
        fixed: the findings every instance of the group gets, in the order the per-instance
            path finds them.
        final: ``fixed`` is all there is (state or procedure removed, rules unavailable).
        guards: pending steps whose conditions must be evaluated on each row.
        deadline: whether each row's deadline must be counted anew.
    """

    old: ProcedureDef | None = None
    new: ProcedureDef | None = None
    target: str = ""
    fixed: list[Finding] = field(default_factory=list)
    final: bool = False
    guards: list[_Guard] = field(default_factory=list)
    deadline: bool = False
    _deadline_data: bool = False
    _old_d: object = None
    _new_d: object = None
    _basis: str | None = None

    @property
    def needs_rows(self) -> bool:
        """Whether the group's rows must be read."""
        return not self.final and (bool(self.guards) or self.deadline)

    def evaluate(self, inst: Instance, now: dt.datetime) -> list[Finding]:
        """The findings of one row beyond ``fixed`` (guards, then the deadline)."""
        old, new = self.old, self.new
        assert old is not None and new is not None
        found: list[Finding] = []
        for g in self.guards:
            finding = g.judge(inst, now)
            if finding is not None:
                found.append(finding)
        if self.deadline and inst.overdue_since is None:
            old_d, new_d = self._old_d, self._new_d
            if self._deadline_data:
                old_d = old.deadline_for(inst.state, inst.data)
                new_d = new.deadline_for(self.target, inst.data)
            found += deadline_findings(inst, new, self.target, old_d, new_d,
                                       new_deadline(new, self.target, inst), self._basis, now)
        return found


def plan_group(group: InstanceGroup, new_rules: RuleSet, versions: RuleVersions,
               pairings: _Pairings) -> GroupPlan:
    """What ``new_rules`` does to ``group``, from its pinned definition and the new one."""
    try:
        old = versions.get(group.rules_hash, group.rules_version).procedures.get(
            group.procedure)
    except RulesVersionUnavailable as exc:
        return GroupPlan(fixed=[("rules_unavailable", f"{group.rules_version}: {exc.reason}",
                                 None)], final=True)
    if old is None:
        return GroupPlan(fixed=[("rules_unavailable",
                                 f"{group.rules_version}: no {group.procedure}", None)],
                         final=True)
    new = new_rules.procedures.get(group.procedure)
    if new is None:
        return GroupPlan(fixed=[("state_removed", Text("流程已删除", "procedure removed").en,
                                 None)], final=True)
    key = (group.rules_hash, group.procedure)
    pairs = pairings.get(key)
    if pairs is None:
        pairs = pairings[key] = pair_transitions(old, new)
    target = pairs.states.get(group.state)
    if target is None:
        return GroupPlan(fixed=[("state_removed", group.state, None)], final=True)
    plan = GroupPlan(old, new, target)
    for t, n in pending_pairs(old, pairs, group.state, target):
        plan.fixed += role_findings(old, t, new, n)
        if not same_guard(old, t, new, n):
            plan.guards.append(_Guard(t, n, old, new))
    has_deadline = (old.states[group.state].deadline_name is not None
                    or old.states[group.state].deadline is not None
                    or new.states[target].deadline_name is not None
                    or new.states[target].deadline is not None)
    plan.deadline = has_deadline and (
        not _same_deadline(old, group.state, new, target) or group.estimated > 0)
    if plan.deadline:
        name_old = old.states[group.state].deadline_name
        name_new = new.states[target].deadline_name
        plan._deadline_data = any(x is not None and x not in p.parameters
                                  for x, p in ((name_old, old), (name_new, new)))
        if not plan._deadline_data:
            plan._old_d = old.deadline_for(group.state, {})
            plan._new_d = new.deadline_for(target, {})
        plan._basis = deadline_basis(new, target)
    return plan


def pending_pairs(old: ProcedureDef, pairs: TransitionPairs, state: str,
                  target: str) -> Iterable[tuple[TransitionDef, TransitionDef]]:
    """The steps pending in ``state`` (old) with the new steps continuing them from
    ``target``, in the old file's order."""
    for t in old.transitions:
        n = pairs.successor(t) if state in t.sources else None
        if n is not None and target in n.sources:
            yield t, n


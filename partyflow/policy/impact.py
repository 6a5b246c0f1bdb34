"""Impact (影响试算): what a new version of the rules would do to running instances, as a dry
run that writes nothing.

``impact`` streams the store's open instances and, for each, compares its own (pinned)
version of its procedure with the new one: a state that no longer exists, a pending step whose
conditions flip on the instance's stored data, a deadline that moves (and would be overdue at
once), roles that change who may act. Steps are paired with ``rules.compare.pair_transitions``,
the pairing ``diff_rules`` uses. Memory stays bounded: counts plus a few example ids per group.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from types import MappingProxyType

from partyflow.errors import DeadlineError, Lang, RulesVersionUnavailable, Text
from partyflow.rules.compare import TransitionPairs, pair_transitions
from partyflow.rules.definitions import ConditionDef, ProcedureDef, RuleSet, TransitionDef
from partyflow.rules.diff import binding_text
from partyflow.stores.base import Store
from partyflow.workflows.clock import Clock, SystemClock, require_aware
from partyflow.workflows.conditions import STEP_NAMES, bind_names
from partyflow.workflows.records import Instance
from partyflow.workflows.step import timing
from partyflow.workflows.versions import RuleVersions

IMPACT_KINDS: Mapping[str, Text] = MappingProxyType({
    "state_removed": Text("所处状态在新版本中不存在", "its state no longer exists"),
    "now_fails": Text("待办步骤的条件将不再满足", "a pending step's conditions would no longer hold"),
    "now_passes": Text("待办步骤的条件将变为满足", "a pending step's conditions would now hold"),
    "not_evaluated": Text("待办步骤的条件读取本次操作（actor、event），未按存储数据试算",
                          "a pending step's conditions read the step itself (actor, event): "
                          "not evaluated"),
    "deadline_moved": Text("期限改变", "its deadline moves"),
    "overdue_at_once": Text("期限改变后立即超期", "its new deadline has already passed"),
    "roles_changed": Text("可办理的角色改变", "who may act changes"),
    "rules_unavailable": Text("所依据的规则版本无法从存储读取，未能试算",
                              "the rules version it runs under cannot be read from the store: "
                              "not evaluated"),
})
"""Every ``ImpactGroup.kind`` (a stable slug) → its name in zh and en."""

_UNCOUNTED = frozenset({"not_evaluated"})
"""Kinds that do not make an instance ``affected`` (nothing known to change)."""


@dataclass
class ImpactGroup:
    """Instances of one procedure, in one state, affected in one way.

    Attributes:
        procedure, state, kind: where and how (``kind`` is a key of ``IMPACT_KINDS``).
        detail: which step, condition or deadline, old → new.
        basis: the rule id involved, if any.
        count: how many instances.
        examples: up to ``examples`` of their ids.
    """

    procedure: str
    state: str
    kind: str
    detail: str
    basis: str | None
    count: int = 0
    examples: list[str] = field(default_factory=list)

    @property
    def kind_text(self) -> Text:
        """The kind's name in zh and en."""
        return IMPACT_KINDS[self.kind]


@dataclass
class ImpactReport:
    """What a new version of the rules would do to the running instances (nothing written).

    Attributes:
        new_version: the new rules' ``version``.
        scanned: open instances looked at.
        affected: instances affected in at least one way.
        not_evaluated: instances with a pending step whose conditions read the step itself
            (``actor``, ``event``), so stored data cannot say whether they hold.
        groups: by (procedure, state, kind, detail).
    """

    new_version: str
    scanned: int = 0
    affected: int = 0
    not_evaluated: int = 0
    groups: dict[tuple[str, str, str, str], ImpactGroup] = field(default_factory=dict)

    @property
    def total_affected(self) -> int:
        """Instances affected in at least one way."""
        return self.affected

    def rows(self) -> list[ImpactGroup]:
        """The groups, by procedure, state and kind."""
        return [self.groups[k] for k in sorted(self.groups)]

    def to_markdown(self, lang: Lang = "zh") -> str:
        """A review document."""
        zh = lang == "zh"
        lines = [f"# {'规则变更影响' if zh else 'Impact of rules'} {self.new_version}", "",
                 (f"检查了 {self.scanned} 个在办实例，{self.affected} 个受影响。" if zh else
                  f"{self.scanned} running instances checked, {self.affected} affected.")]
        if self.not_evaluated:
            lines.append(f"{self.not_evaluated} 个实例的待办步骤条件读取本次操作，未能试算。" if zh
                         else f"{self.not_evaluated} with conditions reading the step itself "
                              "were not evaluated.")
        lines.append("")
        if self.groups:
            lines += [("| 流程 | 状态 | 影响 | 说明 | 依据 | 实例数 | 示例 |" if zh else
                       "| procedure | state | impact | detail | basis | instances | examples |"),
                      "|---|---|---|---|---|---:|---|"]
            for g in self.rows():
                lines.append(f"| {g.procedure} | {g.state} | {g.kind_text.get(lang)} | "
                             f"{g.detail.replace('|', '/')} | {g.basis or '-'} | {g.count} | "
                             f"{', '.join(g.examples[:5])} |")
        return "\n".join(lines) + "\n"


_Add = Callable[[Instance, str, str, str | None], None]


def impact(store: Store, new_rules: RuleSet, *, procedure: str | None = None,
           now: dt.datetime | None = None, clock: Clock | None = None, examples: int = 20,
           progress: Callable[[int], None] | None = None) -> ImpactReport:
    """Dry run: how ``new_rules`` would affect every running instance (nothing is written).

    Args:
        store: the instances, and the rules texts they run under.
        new_rules: the candidate rules.
        procedure: only instances of this procedure.
        now: the moment to judge deadlines and conditions at; else ``clock``'s time.
        clock: the engine's clock (default: the system clock).
        examples: how many example ids each group keeps.
        progress: called with the number of instances scanned so far, every 1000.

    Instances already on ``new_rules`` are skipped. An instance whose own rules text is
    missing from the store (or was changed) is reported as ``rules_unavailable``.
    """
    moment = require_aware(now, "now") if now is not None else (clock or SystemClock()).now()
    report = ImpactReport(new_version=new_rules.version)
    versions = RuleVersions(store, new_rules)
    pairings: dict[tuple[str, str], TransitionPairs] = {}
    kinds: set[str] = set()

    def add(inst: Instance, kind: str, detail: str, basis: str | None) -> None:
        key = (inst.procedure, inst.state, kind, detail)
        group = report.groups.get(key)
        if group is None:
            group = report.groups[key] = ImpactGroup(inst.procedure, inst.state, kind, detail,
                                                     basis)
        group.count += 1
        if len(group.examples) < examples:
            group.examples.append(inst.id)
        kinds.add(kind)

    for inst in store.instances(procedure, open_only=True):
        report.scanned += 1
        if progress is not None and report.scanned % 1000 == 0:
            progress(report.scanned)
        if inst.rules_hash == new_rules.content_hash:
            continue
        kinds.clear()
        _one(inst, new_rules, versions, pairings, moment, add)
        if kinds - _UNCOUNTED:
            report.affected += 1
        if kinds & _UNCOUNTED:
            report.not_evaluated += 1
    if progress is not None:
        progress(report.scanned)
    return report


def _one(inst: Instance, new_rules: RuleSet, versions: RuleVersions,
         pairings: dict[tuple[str, str], TransitionPairs], now: dt.datetime, add: _Add) -> None:
    """Add ``inst``'s impacts."""
    try:
        old = versions.of(inst).procedures.get(inst.procedure)
    except RulesVersionUnavailable as exc:
        add(inst, "rules_unavailable", f"{inst.rules_version}: {exc.reason}", None)
        return
    if old is None:
        add(inst, "rules_unavailable", f"{inst.rules_version}: no {inst.procedure}", None)
        return
    new = new_rules.procedures.get(inst.procedure)
    if new is None:
        add(inst, "state_removed", Text("流程已删除", "procedure removed").en, None)
        return
    key = (inst.rules_hash, inst.procedure)
    pairs = pairings.get(key)
    if pairs is None:
        pairs = pairings[key] = pair_transitions(old, new)
    target = pairs.states.get(inst.state)
    if target is None:
        add(inst, "state_removed", inst.state, None)
        return
    for t in old.transitions:
        n = pairs.successor(t) if inst.state in t.sources else None
        if n is None or target not in n.sources:
            continue
        if t.roles != n.roles:
            add(inst, "roles_changed",
                f"{t.trigger}: {', '.join(sorted(t.roles))} → {', '.join(sorted(n.roles))}",
                n.basis)
        else:  # the same roles, bound to other organizations or persons (权限)
            rebound = sorted(r for r in n.roles
                             if binding_text(old.authority.get(r)) != binding_text(new.authority.get(r)))
            if rebound:
                changes = "; ".join(f"{r}: {binding_text(old.authority.get(r))} → "
                                    f"{binding_text(new.authority.get(r))}" for r in rebound)
                add(inst, "roles_changed", f"{t.trigger}: {changes}", n.basis)
        if not _same_guard(old, t, new, n):
            _guards(inst, old, t, new, n, now, add)
    if inst.overdue_since is None:
        _deadline(inst, old, new, target, now, add)


def _guards(inst: Instance, old: ProcedureDef, t: TransitionDef, new: ProcedureDef,
            n: TransitionDef, now: dt.datetime, add: _Add) -> None:
    """Whether the step's conditions flip on the stored data, old ``t`` → new ``n``."""
    was, _ = _holds(old, t, inst, now)
    will, failing = _holds(new, n, inst, now)
    if will is False and was is not False:  # what the stored data met, it no longer meets
        bases = ",".join(dict.fromkeys(c.basis for c in failing if c.basis))
        add(inst, "now_fails", f"{t.trigger}: {'; '.join(c.expression.source for c in failing)}",
            bases or n.bases)
    elif will is True and was is False:
        add(inst, "now_passes", t.trigger, n.bases)
    elif None in (was, will):  # it turns on who acts, or what they enter
        reading = [c.expression.source for c in (*n.conditions, *t.conditions)
                   if c.expression.variables & STEP_NAMES]
        add(inst, "not_evaluated", f"{t.trigger}: {'; '.join(dict.fromkeys(reading))}",
            n.bases)


def _same_guard(old: ProcedureDef, t: TransitionDef, new: ProcedureDef,
                n: TransitionDef) -> bool:
    """Whether ``t`` and ``n`` have the same conditions reading the same parameter values."""
    if [c.expression.source for c in t.conditions] != [c.expression.source
                                                       for c in n.conditions]:
        return False
    read = {v for c in t.conditions for v in c.expression.variables}
    return all(old.cel_parameters.get(v) == new.cel_parameters.get(v) for v in read)


def _holds(proc: ProcedureDef, t: TransitionDef, inst: Instance,
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


def _deadline(inst: Instance, old: ProcedureDef, new: ProcedureDef, target: str,
              now: dt.datetime, add: _Add) -> None:
    """Whether the state's deadline moves, and whether it would have passed already."""
    if target == inst.state and inst.overdue_since is not None:
        return  # an escalation under way keeps its clock (as migrate does)
    old_d = old.deadline_for(inst.state, inst.data)
    new_d = new.deadline_for(target, inst.data)
    try:  # counted as migrate would: from when the state was entered, by the new calendar
        new_at: dt.datetime | None = timing(new, target, inst.data, inst.updated_at,
                                            lambda: {"instance_id": inst.id})[0]
    except DeadlineError:
        new_at = None
    if str(old_d) == str(new_d) and new_at == inst.deadline_at:
        return
    basis = None
    name = new.states[target].deadline_name
    if name and name in new.parameters:
        basis = new.parameters[name].basis
    detail = f"{old_d or '-'} → {new_d or '-'}"
    if str(old_d) == str(new_d):  # the same period, counted anew (calendar, §6)
        shown = [new.calendar.local_date(t).isoformat() if t else "-"
                 for t in (inst.deadline_at, new_at)]
        detail = f"{detail} ({shown[0]} → {shown[1]})"
    add(inst, "deadline_moved", detail, basis)
    if new_at is not None and new_at <= now:
        add(inst, "overdue_at_once", detail, basis)

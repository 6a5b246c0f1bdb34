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
from typing import Any

from partyflow.errors import Lang, RulesVersionUnavailable, Text
from partyflow.policy.impact_plan import (
    GroupPlan,
    deadline_basis,
    deadline_findings,
    guard_finding,
    holds,
    new_deadline,
    pending_pairs,
    plan_group,
    role_findings,
    same_guard,
)
from partyflow.rules.compare import TransitionPairs, pair_transitions
from partyflow.rules.definitions import RuleSet
from partyflow.stores.base import InstanceGroup, Store
from partyflow.workflows.clock import Clock, SystemClock, require_aware
from partyflow.workflows.records import Instance
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


_GROUP_BATCH = 5000
"""Rows per page of a group's stream. Each page of ``procedure = ? AND state = ?`` is read
through ``ix_pf_instances_procedure_state`` and sorted by id (that index does not hold the
id order), so pages are large: a group costs (rows / batch) reads of the group."""

_Tally = dict[tuple[str, str], list[Any]]
"""One group's findings: ``(kind, detail)`` → ``[basis, count, example ids, first id]``."""


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
        progress: called with the number of instances scanned so far, whenever it passes a
            multiple of 1000 (after a group, or every 1000 rows of a group read), and at the end.

    Instances already on ``new_rules`` are skipped. An instance whose own rules text is
    missing from the store (or was changed) is reported as ``rules_unavailable``. The store
    counts the open instances by procedure, rules version and state; what a group's
    definitions decide alone is counted from the group, and only the rows of groups whose
    pending conditions or deadline counting changed are read.
    """
    moment = _moment(now, clock)
    report = ImpactReport(new_version=new_rules.version)
    versions = RuleVersions(store, new_rules)
    pairings: dict[tuple[str, str], TransitionPairs] = {}
    firsts: dict[tuple[str, str, str, str], str] = {}
    for group in store.instance_groups(procedure):
        if group.rules_hash != new_rules.content_hash:
            plan = plan_group(group, new_rules, versions, pairings)
            if plan.needs_rows:
                tally = _read_rows(store, group, plan, moment, report, examples, progress)
            else:
                tally = _from_group(store, group, plan, report, examples)
            _merge(report, firsts, group, tally, examples)
        if progress is not None and (report.scanned + group.count) // 1000 > report.scanned // 1000:
            progress(report.scanned + group.count)
        report.scanned += group.count
    if progress is not None:
        progress(report.scanned)
    return report


def _moment(now: dt.datetime | None, clock: Clock | None) -> dt.datetime:
    return require_aware(now, "now") if now is not None else (clock or SystemClock()).now()


def _from_group(store: Store, group: InstanceGroup, plan: GroupPlan, report: ImpactReport,
                examples: int) -> _Tally:
    """The findings every instance of ``group`` shares, counted from the group (the first
    ids read for examples)."""
    tally: _Tally = {}
    if not plan.fixed:
        return tally
    ids = store.group_ids(group, max(examples, 1))
    for kind, detail, basis in plan.fixed:
        entry = tally.get((kind, detail))
        if entry is None:
            entry = tally[(kind, detail)] = [basis, 0, [], ids[0] if ids else ""]
        entry[1] += group.count
        entry[2].append(ids)
    for entry in tally.values():  # a finding made twice per instance names it twice
        times = len(entry[2])
        entry[2] = [i for i in ids for _ in range(times)][:examples]
    report.affected += group.count  # every fixed finding counts as affected
    return tally


def _read_rows(store: Store, group: InstanceGroup, plan: GroupPlan, now: dt.datetime,
               report: ImpactReport, examples: int,
               progress: Callable[[int], None] | None) -> _Tally:
    """The findings of ``group``'s instances, judged row by row."""
    tally: _Tally = {}
    fixed, evaluate = plan.fixed, plan.evaluate
    for seen, inst in enumerate(store.group_instances(group, batch=_GROUP_BATCH), 1):
        affected = not_evaluated = False
        for kind, detail, basis in (*fixed, *evaluate(inst, now)):
            entry = tally.get((kind, detail))
            if entry is None:
                entry = tally[(kind, detail)] = [basis, 0, [], inst.id]
            entry[1] += 1
            if len(entry[2]) < examples:
                entry[2].append(inst.id)
            if kind in _UNCOUNTED:
                not_evaluated = True
            else:
                affected = True
        report.affected += affected
        report.not_evaluated += not_evaluated
        if progress is not None and seen % 1000 == 0:
            progress(report.scanned + seen)
    return tally


def _merge(report: ImpactReport, firsts: dict[tuple[str, str, str, str], str],
           group: InstanceGroup, tally: _Tally, examples: int) -> None:
    """Add one group's findings to the report's groups, as if read in one stream by id: the
    first examples by id, and the basis the lowest id was found with."""
    for (kind, detail), (basis, count, ids, first) in tally.items():
        key = (group.procedure, group.state, kind, detail)
        found = report.groups.get(key)
        if found is None:
            report.groups[key] = ImpactGroup(group.procedure, group.state, kind, detail, basis,
                                             count, list(ids))
            firsts[key] = first
            continue
        found.count += count
        if first < firsts[key]:
            found.basis, firsts[key] = basis, first
        found.examples = sorted(found.examples + ids)[:examples]


_Add = Callable[[Instance, str, str, str | None], None]


def _impact_every(store: Store, new_rules: RuleSet, *, procedure: str | None = None,
                  now: dt.datetime | None = None, clock: Clock | None = None,
                  examples: int = 20) -> ImpactReport:
    """``impact`` judging every open instance's row one by one: the baseline the grouped
    path is checked against (the equivalence tests) and measured against (the benchmark)."""
    moment = _moment(now, clock)
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
        if inst.rules_hash == new_rules.content_hash:
            continue
        kinds.clear()
        _one(inst, new_rules, versions, pairings, moment, add)
        if kinds - _UNCOUNTED:
            report.affected += 1
        if kinds & _UNCOUNTED:
            report.not_evaluated += 1
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
    for t, n in pending_pairs(old, pairs, inst.state, target):
        for finding in role_findings(old, t, new, n):
            add(inst, *finding)
        if not same_guard(old, t, new, n):
            was, _ = holds(old, t, inst, now)
            will, failing = holds(new, n, inst, now)
            found = guard_finding(t, n, was, will, failing)
            if found is not None:
                add(inst, *found)
    if inst.overdue_since is None:  # an escalation under way keeps its clock (as migrate does)
        for finding in deadline_findings(
                inst, new, target, old.deadline_for(inst.state, inst.data),
                new.deadline_for(target, inst.data), new_deadline(new, target, inst),
                deadline_basis(new, target), now):
            add(inst, *finding)

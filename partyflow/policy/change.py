"""Policy change safety: what a new version of the rules would do to running instances
(``impact``, a dry run that writes nothing) and moving chosen instances to it (``migrate``).

``impact`` streams the store's open instances and, for each, compares its own (pinned)
version of its procedure with the new one: a state that no longer exists, a pending step whose
guard result flips on the instance's stored data, a deadline that moves (and would be overdue
at once), roles that change who may act. Memory stays bounded: counts plus a few example ids
per group.

``migrate`` moves instances with an explicit state map, checked against each instance before
anything changes, one atomic commit per instance with an audit record naming both versions.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, ValidationError

from partyflow.errors import ConcurrentUpdate, Lang, Problem, RulesError, Text
from partyflow.rules.compare import state_map, transition_key
from partyflow.rules.definitions import ConditionDef, ProcedureDef, RuleSet, TransitionDef
from partyflow.rules.loader import load_rules_text
from partyflow.rules.source import parse_yaml
from partyflow.stores.base import Store
from partyflow.workflows.audit import record_hash
from partyflow.workflows.conditions import STEP_NAMES, bind_names
from partyflow.workflows.records import AuditRecord, Instance

MIGRATE_TRIGGER = "migrate_rules"
"""The trigger of the audit record a migration writes."""

MIGRATION_ACTOR = "partyflow.migrate"

_IMPACT_TEXT = {
    "state_removed": Text("所处状态在新版本中不存在", "its state no longer exists"),
    "now_fails": Text("待办步骤的条件将不再满足", "a pending step's conditions would no longer hold"),
    "now_passes": Text("待办步骤的条件将变为满足", "a pending step's conditions would now hold"),
    "deadline_moved": Text("期限改变", "its deadline moves"),
    "overdue_at_once": Text("期限改变后立即超期", "its new deadline has already passed"),
    "roles_changed": Text("可办理的角色改变", "who may act changes"),
}


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


IMPACT_KINDS = frozenset(_IMPACT_TEXT)


@dataclass
class ImpactReport:
    """What a new version of the rules would do to the running instances (nothing written)."""

    new_version: str
    scanned: int = 0
    affected: int = 0
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
                  f"{self.scanned} running instances checked, {self.affected} affected."), ""]
        if self.groups:
            lines += [("| 流程 | 状态 | 影响 | 说明 | 依据 | 实例数 | 示例 |" if zh else
                       "| procedure | state | impact | detail | basis | instances | examples |"),
                      "|---|---|---|---|---|---:|---|"]
            for g in self.rows():
                lines.append(f"| {g.procedure} | {g.state} | {_IMPACT_TEXT[g.kind].get(lang)} | "
                             f"{g.detail.replace('|', '/')} | {g.basis or '-'} | {g.count} | "
                             f"{', '.join(g.examples[:5])} |")
        return "\n".join(lines) + "\n"


class _Versions:
    """Rule sets by content hash, loaded from the store once each."""

    def __init__(self, store: Store, *known: RuleSet) -> None:
        self.store = store
        self.cache = {r.content_hash: r for r in known}

    def get(self, content_hash: str) -> RuleSet | None:
        rules = self.cache.get(content_hash)
        if rules is None:
            source = self.store.rules_source(content_hash)
            if source is None:
                return None
            rules = self.cache[content_hash] = load_rules_text(source, "<stored rules>")
        return rules


def _holds(proc: ProcedureDef, t: TransitionDef, inst: Instance,
           now: dt.datetime) -> tuple[bool, list[ConditionDef]]:
    """Whether ``t``'s conditions that read only stored data hold for ``inst``; the messages
    of those that fail. Conditions reading the step (``actor``, ``event``) are left out."""
    failed: list[ConditionDef] = []
    for cond in t.conditions:
        if cond.expression.variables & STEP_NAMES:
            continue
        names, _missing = bind_names(proc, t, cond, inst.data, {}, None, now, inst)
        try:
            ok = cond.expression.evaluate(names) is True
        except Exception:
            ok = False
        if not ok:
            failed.append(cond)
    return not failed, failed


def impact(store: Store, new_rules: RuleSet, *, procedure: str | None = None,
           now: dt.datetime | None = None, examples: int = 20,
           progress: Callable[[int], None] | None = None) -> ImpactReport:
    """Dry run: how ``new_rules`` would affect every running instance (nothing is written).

    Instances already on ``new_rules`` are skipped. ``progress`` is called with the number
    of instances scanned so far, every 1000.
    """
    moment = now or dt.datetime.now(dt.UTC)
    report = ImpactReport(new_version=new_rules.version)
    versions = _Versions(store, new_rules)
    pairings: dict[tuple[str, str], _Pairing] = {}

    def add(inst: Instance, kind: str, detail: str, basis: str | None) -> None:
        key = (inst.procedure, inst.state, kind, detail)
        group = report.groups.get(key)
        if group is None:
            group = report.groups[key] = ImpactGroup(inst.procedure, inst.state, kind, detail,
                                                     basis)
        group.count += 1
        if len(group.examples) < examples:
            group.examples.append(inst.id)

    for inst in store.instances(procedure, open_only=True):
        report.scanned += 1
        if progress is not None and report.scanned % 1000 == 0:
            progress(report.scanned)
        if inst.rules_hash == new_rules.content_hash:
            continue
        old_rules = versions.get(inst.rules_hash)
        new = new_rules.procedures.get(inst.procedure)
        if old_rules is None or inst.procedure not in old_rules.procedures:
            continue
        old = old_rules.procedures[inst.procedure]
        before = len(report.groups), sum(g.count for g in report.groups.values())
        if new is None:
            add(inst, "state_removed", Text("流程已删除", "procedure removed").en, None)
        else:
            key = (inst.rules_hash, inst.procedure)
            pairing = pairings.get(key)
            if pairing is None:
                pairing = pairings[key] = _pairing(old, new)
            _instance_impact(inst, old, new, moment, add, pairing)
        if sum(g.count for g in report.groups.values()) > before[1]:
            report.affected += 1
    if progress is not None:
        progress(report.scanned)
    return report


_Pairing = tuple[dict[str, str | None], dict[tuple[Any, ...], list[TransitionDef]]]


def _pairing(old: ProcedureDef, new: ProcedureDef) -> _Pairing:
    """Old state → new state, and the new transitions by identity (computed once per pair)."""
    news: dict[tuple[Any, ...], list[TransitionDef]] = {}
    for t in new.transitions:
        news.setdefault(transition_key(t), []).append(t)
    return state_map(old, new), news


def _instance_impact(inst: Instance, old: ProcedureDef, new: ProcedureDef, now: dt.datetime,
                     add: Callable[[Instance, str, str, str | None], None],
                     pairing: _Pairing) -> None:
    rename, news = pairing
    target = rename.get(inst.state)
    if target is None:
        add(inst, "state_removed", inst.state, None)
        return
    for t in old.transitions:
        if inst.state not in t.sources:
            continue
        matches = news.get(transition_key(t, rename), [])
        if not matches:
            continue
        n = matches[0] if len(matches) == 1 else next(
            (m for m in matches if m.dest == (rename.get(t.dest) or t.dest)), matches[0])
        if t.roles != n.roles:
            add(inst, "roles_changed",
                f"{t.trigger}: {', '.join(sorted(t.roles))} → {', '.join(sorted(n.roles))}",
                n.basis)
        if not t.conditions and not n.conditions:
            continue
        was, _ = _holds(old, t, inst, now)
        will, failing = _holds(new, n, inst, now)
        if was and not will:
            bases = ",".join(dict.fromkeys(c.basis for c in failing if c.basis))
            add(inst, "now_fails",
                f"{t.trigger}: {'; '.join(c.expression.source for c in failing)}",
                bases or n.bases)
        elif will and not was:
            add(inst, "now_passes", t.trigger, n.bases)
    if inst.overdue_since is None:
        old_d = old.deadline_for(inst.state, inst.data)
        new_d = new.deadline_for(target, inst.data)
        if str(old_d) != str(new_d):
            new_at = new_d.add_to(inst.updated_at) if new_d else None
            basis = None
            name = new.states[target].deadline_name
            if name and name in new.parameters:
                basis = new.parameters[name].basis
            detail = f"{old_d or '-'} → {new_d or '-'}"
            add(inst, "deadline_moved", detail, basis)
            if new_at is not None and new_at <= now:
                add(inst, "overdue_at_once", detail, basis)


# -- migration ---------------------------------------------------------------------------------


class _ProcedureMap(BaseModel):
    model_config = ConfigDict(strict=True, extra="forbid", frozen=True)

    states: dict[str, str] = {}
    keep_same_names: bool = True


class _MapFile(BaseModel):
    model_config = ConfigDict(strict=True, extra="forbid", frozen=True)

    procedures: dict[str, _ProcedureMap]


@dataclass(frozen=True)
class MigrationMap:
    """Which old state becomes which new state, per procedure.

    A state not listed keeps its id when ``keep_same_names`` (the default) and the new
    version still has it, or follows a ``renamed_from`` declared in the new rules; any other
    state has no mapping and its instances are refused.
    """

    procedures: Mapping[str, Mapping[str, str]]
    keep_same_names: Mapping[str, bool]
    content_hash: str

    def target(self, procedure: str, state: str, old: ProcedureDef,
               new: ProcedureDef) -> str | None:
        explicit = self.procedures.get(procedure, {})
        if state in explicit:
            return explicit[state]
        if not self.keep_same_names.get(procedure, True):
            return None
        return state_map(old, new).get(state)


def load_migration_map(path: str | Path) -> MigrationMap:
    """Read a migration map (YAML); raise ``RulesError`` listing every problem with its line.

    Format::

        procedures:
          member_transfer:
            states: {receipt_overdue: receipt_late}   # old → new
            keep_same_names: true                      # default: same ids map to themselves
    """
    text = Path(path).read_text(encoding="utf-8")
    file = str(path)
    doc, problems = parse_yaml(text, file)
    if doc is None or problems:
        raise RulesError(problems or [Problem("document_type", (), file, 1, 1, Text(
            "迁移映射文件为空", "the migration map is empty"), {})])
    try:
        model = _MapFile.model_validate(doc.data)
    except ValidationError as exc:
        found = []
        for err in exc.errors(include_url=False):
            loc = tuple(err["loc"])
            mark = doc.mark_for(loc)
            found.append(Problem(err["type"], loc, file, mark.line, mark.column, Text(
                f"{'.'.join(map(str, loc)) or '文件'}：{err['msg']}",
                f"{'.'.join(map(str, loc)) or 'file'}: {err['msg']}"), {}))
        raise RulesError(found) from None
    return MigrationMap(
        {k: dict(v.states) for k, v in model.procedures.items()},
        {k: v.keep_same_names for k, v in model.procedures.items()},
        hashlib.sha256(text.encode()).hexdigest())


@dataclass(frozen=True)
class MigrationOutcome:
    """What happened (or would happen) to one instance.

    Attributes:
        status: ``moved`` (written), ``would_move`` (dry run), ``refused`` (nothing written;
            ``reason`` says why), ``conflict`` (changed meanwhile; nothing written).
    """

    instance_id: str
    procedure: str
    from_state: str
    to_state: str | None
    status: str
    reason: Text | None = None


@dataclass
class MigrationReport:
    """Every instance considered by ``migrate``."""

    new_version: str
    applied: bool
    outcomes: list[MigrationOutcome] = field(default_factory=list)

    def count(self, status: str) -> int:
        """Outcomes with ``status``."""
        return sum(1 for o in self.outcomes if o.status == status)


def migrate(store: Store, new_rules: RuleSet, mapping: MigrationMap, *,
            instance_ids: Iterable[str] | None = None, procedure: str | None = None,
            apply: bool = False, now: dt.datetime | None = None) -> MigrationReport:
    """Move running instances to ``new_rules`` by ``mapping``; a dry run unless ``apply``.

    Each instance is checked first: its procedure exists in the new rules, its state has a
    mapping to a state of the new procedure, and its data fits the new inputs. Then, with
    ``apply``, one atomic commit writes the new state, version and deadline (recomputed under
    the new rules from when the state was entered) with an audit record ``migrate_rules``
    naming the old and new version. Finished instances keep their version.
    """
    moment = now or dt.datetime.now(dt.UTC)
    report = MigrationReport(new_rules.version, apply)
    versions = _Versions(store, new_rules)
    if apply:
        store.save_rules(new_rules.content_hash, new_rules.version, new_rules.source)
    chosen: Iterable[Instance]
    if instance_ids is not None:
        chosen = (store.get(i) for i in instance_ids)
    else:
        chosen = store.instances(procedure, open_only=True)
    for inst in chosen:
        if inst.terminal or inst.rules_hash == new_rules.content_hash:
            continue
        outcome = _migrate_one(store, inst, new_rules, versions, mapping, apply, moment)
        report.outcomes.append(outcome)
    return report


def _refuse(inst: Instance, target: str | None, zh: str, en: str) -> MigrationOutcome:
    return MigrationOutcome(inst.id, inst.procedure, inst.state, target, "refused", Text(zh, en))


def _migrate_one(store: Store, inst: Instance, new_rules: RuleSet, versions: _Versions,
                 mapping: MigrationMap, apply: bool, now: dt.datetime) -> MigrationOutcome:
    old_rules = versions.get(inst.rules_hash)
    new = new_rules.procedures.get(inst.procedure)
    if old_rules is None or new is None:
        return _refuse(inst, None, f"新规则中没有流程 {inst.procedure}",
                       f"the new rules have no procedure {inst.procedure}")
    old = old_rules.procedures[inst.procedure]
    target = mapping.target(inst.procedure, inst.state, old, new)
    if target is None:
        return _refuse(
            inst, None,
            f"状态 {inst.state} 没有映射：请在映射文件 procedures.{inst.procedure}.states 中写明 "
            f"{inst.state}: <新状态>",
            f"state {inst.state} has no mapping: add '{inst.state}: <new state>' under "
            f"procedures.{inst.procedure}.states in the map")
    if target not in new.states:
        return _refuse(inst, target, f"映射的目标状态 {target} 不在新版本的流程中",
                       f"the mapped state {target} is not in the new procedure")
    data: dict[str, Any] = {}
    for name, value in inst.data.items():
        spec = new.inputs.get(name)
        if spec is None:
            return _refuse(inst, target, f"数据字段 {name} 在新版本中不存在",
                           f"the data field {name} is not an input of the new version")
        try:
            data[name] = spec.coerce(value)
        except ValueError as exc:
            text = exc.args[0] if exc.args and isinstance(exc.args[0], Text) else Text(
                str(exc), str(exc))
            return _refuse(inst, target, f"数据字段 {name} 不符合新版本：{text.zh}",
                           f"the data field {name} does not fit the new version: {text.en}")
    if not apply:
        return MigrationOutcome(inst.id, inst.procedure, inst.state, target, "would_move")
    same = target == inst.state
    deadline = new.deadline_for(target, data)
    if same and inst.overdue_since is not None:
        deadline_at = inst.deadline_at  # an escalation under way keeps its clock
    else:  # from when the state was entered, under the new rules
        deadline_at = deadline.add_to(inst.updated_at) if deadline else None
    fields: dict[str, Any] = {
        "instance_id": inst.id, "seq": inst.version + 1, "at": now,
        "actor_id": MIGRATION_ACTOR, "actor_role": "system", "actor_org": None,
        "trigger": MIGRATE_TRIGGER, "from_state": inst.state, "to_state": target,
        "data": {"from_rules_version": inst.rules_version, "from_rules_hash": inst.rules_hash,
                 "map_hash": mapping.content_hash},
        "rules_version": new_rules.version, "rules_hash": new_rules.content_hash,
        "basis": None, "idempotency_key": f"migrate:{new_rules.content_hash}",
        "prev_hash": inst.last_hash,
    }
    digest = record_hash(**fields)
    moved = replace(
        inst, state=target, data=data, version=inst.version + 1,
        rules_version=new_rules.version, rules_hash=new_rules.content_hash,
        deadline_at=deadline_at,
        terminal=new.states[target].terminal, last_hash=digest,
        escalation=inst.escalation if same else 0,
        escalated_to=inst.escalated_to if same else None,
        overdue_since=inst.overdue_since if same else None,
    )
    try:
        store.commit(moved, inst.version, AuditRecord(**fields, hash=digest))
    except ConcurrentUpdate:
        return MigrationOutcome(inst.id, inst.procedure, inst.state, target, "conflict", Text(
            "实例已被他人更新，未迁移；请重新运行", "the instance changed meanwhile; nothing was "
            "written: run again"))
    return MigrationOutcome(inst.id, inst.procedure, inst.state, target, "moved")

"""Migration (迁移): moving running instances to a new rules version by a state map.

The map is checked against the new rules and the rules the instances run under before
anything is written; then each instance is checked (its state has a mapping, the target
exists, its data fits the new inputs) and moved in one atomic commit with an audit record
``migrate_rules`` naming both versions. A refused or conflicting instance is left as it was.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any

from partyflow.errors import (
    ConcurrentUpdate,
    DeadlineError,
    InstanceNotFound,
    RulesVersionUnavailable,
    Text,
)
from partyflow.policy.mapping import MigrationMap
from partyflow.rules.definitions import ProcedureDef, RuleSet
from partyflow.stores.base import Store
from partyflow.workflows.clock import Clock, SystemClock, require_aware
from partyflow.workflows.parties import migrated_parties
from partyflow.workflows.records import Actor, Instance, Parties
from partyflow.workflows.step import Step, commit, engine_key, seal, timing
from partyflow.workflows.versions import RuleVersions

MIGRATE_TRIGGER = "migrate_rules"
"""The trigger of the audit record a migration writes."""

MIGRATION_ACTOR = "partyflow.migrate"
MIGRATION_SYSTEM_ACTOR = Actor(MIGRATION_ACTOR, "system")
"""The actor recorded on a migration's audit record."""
"""The actor id of the audit record a migration writes."""

MIGRATION_STATUSES: Mapping[str, Text] = MappingProxyType({
    "moved": Text("已迁移", "moved"),
    "would_move": Text("可迁移（试算）", "would move"),
    "refused": Text("拒绝", "refused"),
    "conflict": Text("冲突", "conflict"),
    "skipped": Text("跳过", "skipped"),
})
"""Every ``MigrationOutcome.status`` → its name in zh and en."""


@dataclass(frozen=True)
class MigrationOutcome:
    """What happened (or would happen) to one instance.

    Attributes:
        instance_id: the instance.
        procedure, from_state: where it is ("" when no such instance exists).
        to_state: where it goes, if known.
        status: ``moved`` (written), ``would_move`` (dry run), ``refused`` (nothing written;
            ``reason`` says why), ``conflict`` (changed meanwhile; nothing written),
            ``skipped`` (a named instance that is finished or already on the new rules).
        reason: why it was refused, conflicting or skipped.
    """

    instance_id: str
    procedure: str
    from_state: str
    to_state: str | None
    status: str
    reason: Text | None = None

    @property
    def status_text(self) -> Text:
        """The status's name in zh and en."""
        return MIGRATION_STATUSES[self.status]


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
            apply: bool = False, now: dt.datetime | None = None,
            clock: Clock | None = None) -> MigrationReport:
    """Move running instances to ``new_rules`` by ``mapping``; a dry run unless ``apply``.

    Args:
        store: the instances.
        new_rules: the rules to move them to.
        mapping: the state map, checked against ``new_rules`` and the instances' own rules.
        instance_ids: only these instances (each gets an outcome: an unknown id is refused,
            a finished one or one already on ``new_rules`` is skipped); they are read once
            and held for the run. Default: every open instance, streamed.
        procedure: only instances of this procedure (without ``instance_ids``).
        apply: write; otherwise report what would happen.
        now: the moment recorded; else ``clock``'s time.
        clock: the engine's clock (default: the system clock).

    Each move writes the new state, version and deadline (recomputed under the new rules from
    when the state was entered) with an audit record ``migrate_rules`` naming the old and new
    version. Finished instances keep their version.

    Raises:
        RulesError: the map names a procedure or state the rules do not have (nothing is
            written).
    """
    moment = require_aware(now, "now") if now is not None else (clock or SystemClock()).now()
    report = MigrationReport(new_rules.version, apply)
    versions = RuleVersions(store, new_rules)
    chosen: Iterable[Instance | MigrationOutcome]
    if instance_ids is not None:
        named = [_read(store, iid, new_rules) for iid in dict.fromkeys(instance_ids)]
        olds = _definitions(versions, (i for i in named if isinstance(i, Instance)))
        chosen = named
    else:
        olds = _definitions(versions, (  # what the instances to move run under
            inst for name, states in mapping.procedures.items()
            if states and procedure in (None, name)
            for inst in store.instances(name, open_only=True)
            if inst.rules_hash != new_rules.content_hash))
        chosen = (i for i in store.instances(procedure, open_only=True)
                  if i.rules_hash != new_rules.content_hash)
    mapping.check(new_rules, olds)
    for item in chosen:
        if isinstance(item, MigrationOutcome):
            report.outcomes.append(item)
        else:
            report.outcomes.append(_migrate_one(store, item, new_rules, versions, mapping,
                                                apply, moment))
    return report


def _read(store: Store, instance_id: str, new_rules: RuleSet) -> Instance | MigrationOutcome:
    """A named instance to migrate, or the outcome saying why it is not."""
    try:
        inst = store.get(instance_id)
    except InstanceNotFound as exc:
        return MigrationOutcome(instance_id, "", "", None, "refused", exc.text)
    if inst.terminal:
        return MigrationOutcome(inst.id, inst.procedure, inst.state, None, "skipped", Text(
            f"实例已办结（{inst.state}），保留原规则版本 {inst.rules_version}",
            f"the instance is finished ({inst.state}); it keeps rules version "
            f"{inst.rules_version}"))
    if inst.rules_hash == new_rules.content_hash:
        return MigrationOutcome(inst.id, inst.procedure, inst.state, inst.state, "skipped",
                                Text(f"实例已按规则版本 {new_rules.version} 办理",
                                     f"the instance already runs under rules version "
                                     f"{new_rules.version}"))
    return inst


def _definitions(versions: RuleVersions, instances: Iterable[Instance]) -> list[ProcedureDef]:
    """The distinct procedure definitions ``instances`` run under (unreadable ones left out:
    their instances are refused one by one)."""
    seen: dict[tuple[str, str], ProcedureDef] = {}
    for inst in instances:
        key = (inst.rules_hash, inst.procedure)
        if key in seen:
            continue
        try:
            proc = versions.of(inst).procedures.get(inst.procedure)
        except RulesVersionUnavailable:
            continue
        if proc is not None:
            seen[key] = proc
    return list(seen.values())


def _refuse(inst: Instance, target: str | None, zh: str, en: str) -> MigrationOutcome:
    return MigrationOutcome(inst.id, inst.procedure, inst.state, target, "refused", Text(zh, en))


def _parties(store: Store, inst: Instance, old: ProcedureDef, new: ProcedureDef,
             data: Mapping[str, Any]) -> Parties | None:
    """Who the migrated instance names under ``new`` (None when neither version binds
    anyone beyond the responsible organization); the starter from its first record."""
    if not old.party_keys and not new.party_keys:
        return None
    first = store.record(inst.id, 1)
    return migrated_parties(old, new, data, first.actor_id if first is not None else "")


def _migrate_one(store: Store, inst: Instance, new_rules: RuleSet, versions: RuleVersions,
                 mapping: MigrationMap, apply: bool, now: dt.datetime) -> MigrationOutcome:
    """Check ``inst`` against the new rules and the map; move it with ``apply``."""
    try:
        old = versions.of(inst).procedures.get(inst.procedure)
    except RulesVersionUnavailable as exc:
        return _refuse(inst, None, f"无法读取该实例所依据的规则：{exc.text.zh}",
                       f"the rules this instance runs under cannot be read: {exc.text.en}")
    new = new_rules.procedures.get(inst.procedure)
    if old is None:
        return _refuse(inst, None, f"该实例所依据的规则 {inst.rules_version} 中没有流程 "
                       f"{inst.procedure}", f"its own rules {inst.rules_version} have no "
                       f"procedure {inst.procedure}")
    if new is None:
        return _refuse(inst, None, f"新规则中没有流程 {inst.procedure}",
                       f"the new rules have no procedure {inst.procedure}")
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
    if same and inst.overdue_since is not None:  # an escalation under way keeps its clock
        deadline_at, estimated, remind_at = (inst.deadline_at, inst.deadline_estimated,
                                             inst.remind_at)
    else:  # from when the state was entered, under the new rules and their calendar
        try:
            deadline_at, estimated, remind_at = timing(
                new, target, data, inst.updated_at, lambda: {"instance_id": inst.id})
        except DeadlineError as exc:
            return _refuse(inst, target, exc.message("zh"), exc.message("en"))
    step = Step(
        inst, inst.id, inst.procedure, target, data, deadline_at,
        new.states[target].terminal, inst.org, inst.escalation if same else 0,
        inst.escalated_to if same else None, inst.overdue_since if same else None,
        new_rules.version, new_rules.content_hash, MIGRATE_TRIGGER, MIGRATION_SYSTEM_ACTOR,
        {"from_rules_version": inst.rules_version, "from_rules_hash": inst.rules_hash,
         "map_hash": mapping.content_hash}, None,
        # names both versions and the version read: a concurrent second migration of the
        # same read conflicts, while moving on, back and on again are distinct steps
        engine_key("migrate", inst.rules_hash, new_rules.content_hash, inst.version),
        now, inst.updated_at,  # the state stays as entered: deadlines count from then
        deadline_estimated=estimated, remind_at=remind_at,
        parties=_parties(store, inst, old, new, data))
    try:
        versions.save(new_rules)
        commit(store, seal(step))
    except ConcurrentUpdate:
        return MigrationOutcome(inst.id, inst.procedure, inst.state, target, "conflict", Text(
            "实例已被他人更新，未迁移；请重新运行", "the instance changed meanwhile; nothing was "
            "written: run again"))
    return MigrationOutcome(inst.id, inst.procedure, inst.state, target, "moved")



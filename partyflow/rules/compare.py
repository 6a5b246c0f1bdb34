"""What changed between two versions of the rules: a change list per procedure (pure).

``diff_rules(old, new)`` compares two loaded ``RuleSet``s and lists every change policy staff
need to review before a new version takes effect: procedures, states (renames declared with
``renamed_from``), transitions (matched by trigger and source states), conditions, roles,
parameters with old → new values and their ``basis``, inputs, authority and deadlines.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from partyflow.errors import Lang, Text
from partyflow.rules.definitions import (
    InputDef,
    ProcedureDef,
    RuleSet,
    StateDef,
    TransitionDef,
)

_KIND_TEXT: dict[str, Text] = {
    "version_changed": Text("规则版本", "rules version"),
    "procedure_added": Text("新增流程", "procedure added"),
    "procedure_removed": Text("删除流程", "procedure removed"),
    "state_added": Text("新增状态", "state added"),
    "state_removed": Text("删除状态", "state removed"),
    "state_renamed": Text("状态改名", "state renamed"),
    "state_changed": Text("状态变更", "state changed"),
    "deadline_changed": Text("期限变更", "deadline changed"),
    "transition_added": Text("新增步骤", "transition added"),
    "transition_removed": Text("删除步骤", "transition removed"),
    "roles_changed": Text("办理角色变更", "roles changed"),
    "condition_added": Text("新增条件", "condition added"),
    "condition_removed": Text("删除条件", "condition removed"),
    "condition_changed": Text("条件变更", "condition changed"),
    "accepts_changed": Text("可填写字段变更", "accepted fields changed"),
    "transition_changed": Text("步骤变更", "transition changed"),
    "parameter_added": Text("新增参数", "parameter added"),
    "parameter_removed": Text("删除参数", "parameter removed"),
    "parameter_changed": Text("参数变更", "parameter changed"),
    "input_added": Text("新增输入字段", "input added"),
    "input_removed": Text("删除输入字段", "input removed"),
    "input_changed": Text("输入字段变更", "input changed"),
    "authority_changed": Text("权限变更", "authority changed"),
    "start_roles_changed": Text("发起角色变更", "start roles changed"),
}


@dataclass(frozen=True)
class Change:
    """One difference between two versions of the rules.

    Attributes:
        kind: a stable slug, e.g. ``parameter_changed`` (see ``KINDS``).
        procedure: the procedure id ("" for file-level changes such as the version).
        path: where in the procedure, e.g. ``("parameters", "letter_validity")``.
        old, new: the values before and after (None when added or removed).
        basis: the rule id the changed item implements, if it has one.
    """

    kind: str
    procedure: str
    path: tuple[str, ...]
    old: Any
    new: Any
    basis: str | None = None

    def describe(self, lang: Lang = "zh") -> str:
        """One line: what changed, where, old → new."""
        what = _KIND_TEXT[self.kind].get(lang)
        where = ".".join(self.path)
        if self.old is not None and self.new is not None:
            values = f"{_show(self.old)} → {_show(self.new)}"
        else:
            values = _show(self.new if self.new is not None else self.old)
        basis = f"（依据 {self.basis}）" if lang == "zh" else f" (basis {self.basis})"
        return f"{what} {where}: {values}" + (basis if self.basis else "")


KINDS = frozenset(_KIND_TEXT)
"""Every ``Change.kind``."""


def _show(value: Any) -> str:
    if isinstance(value, frozenset | set | tuple | list):
        return "[" + ", ".join(sorted(str(v) for v in value)) + "]"
    return str(value)


@dataclass(frozen=True)
class RulesDiff:
    """The changes from ``old_version`` to ``new_version``, in file order per procedure."""

    old_version: str
    new_version: str
    changes: tuple[Change, ...]

    def __bool__(self) -> bool:
        return bool(self.changes)

    def by_procedure(self) -> dict[str, list[Change]]:
        """Changes grouped by procedure id ("" for file-level changes)."""
        out: dict[str, list[Change]] = {}
        for change in self.changes:
            out.setdefault(change.procedure, []).append(change)
        return out

    def to_markdown(self, lang: Lang = "zh") -> str:
        """A review document: one table per procedure."""
        zh = lang == "zh"
        title = (f"# 规则变更：{self.old_version} → {self.new_version}" if zh
                 else f"# Rules changes: {self.old_version} → {self.new_version}")
        lines = [title, ""]
        if not self.changes:
            lines.append("没有变更。" if zh else "No changes.")
            return "\n".join(lines) + "\n"
        head = ("| 变更 | 位置 | 原值 | 新值 | 依据 |" if zh
                else "| change | where | old | new | basis |")
        for proc, changes in self.by_procedure().items():
            lines += [f"## {proc or ('文件' if zh else 'file')}", "", head, "|---|---|---|---|---|"]
            for c in changes:
                cells = [_KIND_TEXT[c.kind].get(lang), ".".join(c.path) or "-",
                         "-" if c.old is None else _show(c.old),
                         "-" if c.new is None else _show(c.new), c.basis or "-"]
                lines.append("| " + " | ".join(x.replace("|", "\\|") for x in cells) + " |")
            lines.append("")
        return "\n".join(lines)


def diff_rules(old: RuleSet, new: RuleSet) -> RulesDiff:
    """Every change from ``old`` to ``new``."""
    changes: list[Change] = []
    if old.version != new.version:
        changes.append(Change("version_changed", "", ("version",), old.version, new.version))
    for name in old.procedures:
        if name not in new.procedures:
            changes.append(Change("procedure_removed", name, (), name, None))
    for name, proc in new.procedures.items():
        before = old.procedures.get(name)
        if before is None:
            changes.append(Change("procedure_added", name, (), None, name))
        else:
            changes.extend(_procedure(before, proc))
    return RulesDiff(old.version, new.version, tuple(changes))


def state_map(old: ProcedureDef, new: ProcedureDef) -> dict[str, str | None]:
    """Each old state → the state that continues it in ``new`` (same id, or a declared
    ``renamed_from``), or None when it no longer exists."""
    renamed = {s.renamed_from: s.name for s in new.states.values() if s.renamed_from}
    return {name: renamed.get(name, name if name in new.states else None)
            for name in old.states}


def transition_key(t: TransitionDef, rename: dict[str, str | None] | None = None) -> tuple[Any, ...]:
    """What identifies a transition across versions: its trigger and source states.

    Old sources are translated through ``rename`` (old → new state ids, None for removed).
    """
    if rename is None:
        sources: tuple[str, ...] = t.sources
    else:  # through renames; a source state that was removed no longer counts
        sources = tuple(x for x in (rename.get(s, s) for s in t.sources) if x)
    return (t.trigger, tuple(sorted(sources)))


def _procedure(old: ProcedureDef, new: ProcedureDef) -> Iterator[Change]:
    p = new.name
    if old.start_roles != new.start_roles:
        yield Change("start_roles_changed", p, ("start_roles",), old.start_roles,
                     new.start_roles)
    # parameters
    for name, param in old.parameters.items():
        if name not in new.parameters:
            yield Change("parameter_removed", p, ("parameters", name), param.value, None,
                         param.basis)
    for name, param in new.parameters.items():
        before = old.parameters.get(name)
        if before is None:
            yield Change("parameter_added", p, ("parameters", name), None, param.value,
                         param.basis)
        elif (before.type, before.value) != (param.type, param.value):
            yield Change("parameter_changed", p, ("parameters", name), before.value,
                         param.value, param.basis)
    # inputs
    for name, inp in old.inputs.items():
        if name not in new.inputs:
            yield Change("input_removed", p, ("inputs", name), inp.type, None)
    for name, inp in new.inputs.items():
        before_inp = old.inputs.get(name)
        if before_inp is None:
            yield Change("input_added", p, ("inputs", name), None, inp.type)
        elif _input_sig(before_inp) != _input_sig(inp):
            yield Change("input_changed", p, ("inputs", name), _input_sig(before_inp),
                         _input_sig(inp))
    # states
    mapping = state_map(old, new)
    continued = {v for v in mapping.values() if v}
    for name, target in mapping.items():
        if target is None:
            yield Change("state_removed", p, ("states", name), name, None)
        elif target != name:
            yield Change("state_renamed", p, ("states", target), name, target)
    for name in new.states:
        if name not in continued:
            yield Change("state_added", p, ("states", name), None, name)
    for name, target in mapping.items():
        if target is not None:
            yield from _state(p, old, new, old.states[name], new.states[target])
    # transitions, matched by trigger and (renamed) sources
    olds: dict[tuple[Any, ...], list[TransitionDef]] = {}
    for t in old.transitions:
        olds.setdefault(transition_key(t, mapping), []).append(t)
    news: dict[tuple[Any, ...], list[TransitionDef]] = {}
    for t in new.transitions:
        news.setdefault(transition_key(t), []).append(t)
    for key, group in olds.items():
        if key not in news:
            for t in group:
                yield Change("transition_removed", p, ("transitions", _tname(t)), t.dest, None,
                             t.basis)
    for key, group in news.items():
        before_group = olds.get(key)
        if before_group is None:
            for t in group:
                yield Change("transition_added", p, ("transitions", _tname(t)), None, t.dest,
                             t.basis)
            continue
        for b, a in zip(before_group, group, strict=False):
            yield from _transition(p, mapping, b, a)
        for t in group[len(before_group):]:
            yield Change("transition_added", p, ("transitions", _tname(t)), None, t.dest,
                         t.basis)
        for t in before_group[len(group):]:
            yield Change("transition_removed", p, ("transitions", _tname(t)), t.dest, None,
                         t.basis)
    # authority and the responsible organization
    for role in sorted(set(old.authority) | set(new.authority)):
        was, now = old.authority.get(role), new.authority.get(role)
        sig_a = None if was is None else (was.org, was.up, was.person)
        sig_b = None if now is None else (now.org, now.up, now.person)
        if sig_a != sig_b:
            either = now or was
            yield Change("authority_changed", p, ("authority", role), sig_a, sig_b,
                         either.basis if either else None)


def _tname(t: TransitionDef) -> str:
    return f"{t.trigger}@{'/'.join(t.sources)}"


def _input_sig(inp: InputDef) -> tuple[Any, ...]:
    return (inp.type, inp.values, inp.items, inp.min, inp.max, inp.max_length, inp.default)


def _deadline(proc: ProcedureDef, st: StateDef) -> str | None:
    if st.deadline_name is not None:
        param = proc.parameters.get(st.deadline_name)
        return f"{st.deadline_name}={param.value}" if param else st.deadline_name
    return str(st.deadline) if st.deadline is not None else None


def _state(p: str, old: ProcedureDef, new: ProcedureDef, a: StateDef,
           b: StateDef) -> Iterator[Change]:
    if _deadline(old, a) != _deadline(new, b):
        basis = None
        if b.deadline_name and b.deadline_name in new.parameters:
            basis = new.parameters[b.deadline_name].basis
        yield Change("deadline_changed", p, ("states", b.name, "deadline"), _deadline(old, a),
                     _deadline(new, b), basis)
    for attr in ("terminal", "on_timeout", "escalate"):
        if getattr(a, attr) != getattr(b, attr):
            yield Change("state_changed", p, ("states", b.name, attr), getattr(a, attr),
                         getattr(b, attr))


def _transition(p: str, mapping: dict[str, str | None], a: TransitionDef,
                b: TransitionDef) -> Iterator[Change]:
    where = ("transitions", _tname(b))
    if len(a.sources) != len(b.sources):  # a source state was removed
        yield Change("transition_changed", p, (*where, "source"), a.sources, b.sources, b.basis)
    if a.roles != b.roles:
        yield Change("roles_changed", p, (*where, "roles"), a.roles, b.roles, b.basis)
    if (mapping.get(a.dest) or a.dest) != b.dest:
        yield Change("transition_changed", p, (*where, "dest"), a.dest, b.dest, b.basis)
    if a.accepts != b.accepts:
        yield Change("accepts_changed", p, (*where, "accepts"), a.accepts, b.accepts, b.basis)
    if a.distinct_from != b.distinct_from:
        yield Change("transition_changed", p, (*where, "distinct_from"), a.distinct_from,
                     b.distinct_from, b.basis)
    before = {c.expression.source: c for c in a.conditions}
    after = {c.expression.source: c for c in b.conditions}
    gone = [c for src, c in before.items() if src not in after]
    came = [c for src, c in after.items() if src not in before]
    if len(gone) == 1 and len(came) == 1:  # one condition rewritten
        yield Change("condition_changed", p, (*where, "conditions"),
                     gone[0].expression.source, came[0].expression.source,
                     came[0].basis or gone[0].basis)
        return
    for c in gone:
        yield Change("condition_removed", p, (*where, "conditions"), c.expression.source,
                     None, c.basis)
    for c in came:
        yield Change("condition_added", p, (*where, "conditions"), None, c.expression.source,
                     c.basis)

"""What changed between two rules files: a readable change list per procedure (pure).

``diff_rules(old, new)`` compares two loaded ``RuleSet``s and lists what policy staff review
before a new version takes effect (规则变更审阅): procedures; states added, removed, renamed
(declared with ``renamed_from``) or changed (label, terminal, deadline, on_timeout, escalate);
transitions added, removed or changed (roles, conditions, accepted fields, destination, sources,
basis); parameters with old → new values, their ``basis`` and label; inputs (type, bounds, enum
values, default); authority; the file's roles and version.

Identity across versions: a state by its id, or by the ``renamed_from`` its new version
declares (the same mapping ``impact``/``migrate`` use, ``compare.state_map``). A transition by
its trigger, its source states (through renames) and its destination; failing that by trigger
and sources (the destination changed), then by trigger and destination (the sources changed).
So rewriting a condition is ``condition_changed`` and opening a step to another role is
``roles_changed`` — never a removed and an added step.

This module reads definitions only; it never imports ``partyflow.workflows``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Hashable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any, TypeVar

from partyflow.errors import Lang, Text
from partyflow.rules.compare import state_map
from partyflow.rules.definitions import (
    ConditionDef,
    InputDef,
    ProcedureDef,
    RuleSet,
    StateDef,
    TransitionDef,
)
from partyflow.rules.ratios import ratio_text

KINDS: Mapping[str, Text] = MappingProxyType({
    "version_changed": Text("规则版本", "rules version"),
    "role_added": Text("新增角色", "role added"),
    "role_removed": Text("删除角色", "role removed"),
    "role_changed": Text("角色变更", "role changed"),
    "procedure_added": Text("新增流程", "procedure added"),
    "procedure_removed": Text("删除流程", "procedure removed"),
    "procedure_changed": Text("流程变更", "procedure changed"),
    "start_roles_changed": Text("发起角色变更", "start roles changed"),
    "authority_changed": Text("权限变更", "authority changed"),
    "parameter_added": Text("新增参数", "parameter added"),
    "parameter_removed": Text("删除参数", "parameter removed"),
    "parameter_changed": Text("参数变更", "parameter changed"),
    "input_added": Text("新增输入字段", "input added"),
    "input_removed": Text("删除输入字段", "input removed"),
    "input_changed": Text("输入字段变更", "input changed"),
    "state_added": Text("新增状态", "state added"),
    "state_removed": Text("删除状态", "state removed"),
    "state_renamed": Text("状态改名", "state renamed"),
    "state_changed": Text("状态变更", "state changed"),
    "deadline_changed": Text("期限变更", "deadline changed"),
    "transition_added": Text("新增步骤", "transition added"),
    "transition_removed": Text("删除步骤", "transition removed"),
    "transition_changed": Text("步骤变更", "transition changed"),
    "roles_changed": Text("办理角色变更", "roles changed"),
    "accepts_changed": Text("可填写字段变更", "accepted fields changed"),
    "condition_added": Text("新增条件", "condition added"),
    "condition_removed": Text("删除条件", "condition removed"),
    "condition_changed": Text("条件变更", "condition changed"),
})
"""Every ``Change.kind`` (a stable slug) → its name in zh and en."""

WARNING_KINDS: Mapping[str, Text] = MappingProxyType({
    "renamed_from_unknown": Text("改名来源不存在", "unknown renamed_from"),
    "renamed_from_duplicate": Text("改名来源重复", "duplicate renamed_from"),
})
"""Every ``DiffWarning.kind`` → its name in zh and en."""

_NO_DETAIL = Text("", "")

ALL_INPUTS = Text("（全部输入字段）", "(all inputs)")
"""Shown as a transition's ``accepts`` when it declares none (it takes every input)."""


@dataclass(frozen=True)
class Change:
    """One difference between two versions of the rules.

    Attributes:
        kind: a stable slug, e.g. ``parameter_changed`` (see ``KINDS``).
        procedure: the procedure id; "" for the file itself (version, roles).
        path: where, e.g. ``("states", "letter_issued", "deadline")``;
            transitions are named ``trigger@source[/source…]``.
        old: the value before (None when added).
        new: the value after (None when removed).
        basis: the rule id of the changed item, if it has one (e.g. ``E2``).
        text: one line saying what changed, in zh and en.
        label: the changed item's own name (a parameter's, state's, input's label), if any.
    """

    kind: str
    procedure: str
    path: tuple[str, ...]
    old: Any
    new: Any
    basis: str | None
    text: Text
    label: Text | None = None

    def describe(self, lang: Lang = "zh") -> str:
        """The one-line description in ``lang``."""
        return self.text.get(lang)


@dataclass(frozen=True)
class DiffWarning:
    """Something in the new file that cannot be right given the old one (not a change).

    Attributes:
        kind: ``renamed_from_unknown`` (names no state of the old procedure) or
            ``renamed_from_duplicate`` (two states claim the same old state).
        procedure: the procedure id.
        path: e.g. ``("states", "vote_taken", "renamed_from")``.
        text: the explanation in zh and en.
    """

    kind: str
    procedure: str
    path: tuple[str, ...]
    text: Text


@dataclass(frozen=True)
class RulesDiff:
    """The changes from ``old_version`` to ``new_version``: file-level changes first, then
    each procedure in the new file's order (removed procedures last).

    Attributes:
        old_version, new_version: the ``version`` written in each file.
        changes: every change.
        warnings: problems found by comparing the files (e.g. a ``renamed_from`` naming a
            state the old procedure never had).
        titles: procedure id → title, for headings.
    """

    old_version: str
    new_version: str
    changes: tuple[Change, ...]
    warnings: tuple[DiffWarning, ...] = ()
    titles: Mapping[str, Text] = field(default_factory=dict, compare=False, repr=False)

    def __bool__(self) -> bool:
        return bool(self.changes)

    def by_procedure(self) -> dict[str, list[Change]]:
        """Changes grouped by procedure id ("" for file-level changes), in order."""
        out: dict[str, list[Change]] = {}
        for change in self.changes:
            out.setdefault(change.procedure, []).append(change)
        return out

    def heading(self, procedure: str, lang: Lang = "zh") -> str:
        """A procedure's heading, ``title (id)``; the file's for ""."""
        if not procedure:
            return Text("规则文件", "Rules file").get(lang)
        title = self.titles.get(procedure)
        if title is None:
            return procedure
        return f"{title.zh}（{procedure}）" if lang == "zh" else f"{title.en} ({procedure})"

    def rows(self, procedure: str, lang: Lang = "zh") -> list[tuple[str, str, str, str, str, str]]:
        """Table cells per change of ``procedure``: change, where, old, new, basis, name."""
        return [(KINDS[c.kind].get(lang), ".".join(c.path) or "-",
                 "-" if c.old is None else show(c.old, lang),
                 "-" if c.new is None else show(c.new, lang),
                 c.basis or "-", c.label.get(lang) if c.label else "")
                for c in self.changes if c.procedure == procedure]

    def to_markdown(self, lang: Lang = "zh") -> str:
        """A review document: a summary, any warnings, then one table per procedure."""
        zh = lang == "zh"
        lines = [f"# 规则变更：{self.old_version} → {self.new_version}" if zh
                 else f"# Rules changes: {self.old_version} → {self.new_version}", ""]
        groups = self.by_procedure()
        if not self.changes:
            lines.append("没有变更。" if zh else "No changes.")
        else:
            lines += [f"共 {len(self.changes)} 处变更，涉及 {len(groups)} 个部分。" if zh
                      else f"{len(self.changes)} change(s) in {len(groups)} part(s)."]
        lines.append("")
        if self.warnings:
            lines += ["**注意：**" if zh else "**Warnings:**", ""]
            lines += [f"- {w.procedure or '-'}: {'.'.join(w.path)}: {w.text.get(lang)}"
                      for w in self.warnings]
            lines.append("")
        head = ("| 变更 | 位置 | 原值 | 新值 | 依据 | 名称 |" if zh
                else "| change | where | old | new | basis | name |")
        for proc in groups:
            lines += [f"## {self.heading(proc, lang)}", "", head, "|---|---|---|---|---|---|"]
            lines += ["| " + " | ".join(_cell(x) for x in row) + " |"
                      for row in self.rows(proc, lang)]
            lines.append("")
        return "\n".join(lines)


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def show(value: Any, lang: Lang = "zh") -> str:
    """A value as a change list shows it: lists in brackets, labels in ``lang``."""
    if value is None:
        return "无" if lang == "zh" else "none"
    if isinstance(value, Text):
        return value.get(lang)
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, frozenset | set):
        return "[" + ", ".join(sorted(show(v, lang) for v in value)) + "]"
    if isinstance(value, tuple | list):
        return "[" + ", ".join(show(v, lang) for v in value) + "]"
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value)


# ---------------------------------------------------------------------------------------------
# Descriptions

_AREAS: dict[str, Text] = {
    "roles": Text("角色", "role"),
    "parameters": Text("参数", "parameter"),
    "inputs": Text("输入字段", "input"),
    "states": Text("状态", "state"),
    "transitions": Text("步骤", "transition"),
    "authority": Text("角色办理权限", "authority of role"),
    "procedure": Text("流程", "procedure"),
}

_ATTRS: dict[str, Text] = {
    "label": Text("名称", "label"),
    "title": Text("标题", "title"),
    "initial": Text("初始状态", "initial state"),
    "organization": Text("负责组织字段", "responsible organization input"),
    "establishes": Text("成立的新组织", "organization established"),
    "start_roles": Text("发起角色", "start roles"),
    "version": Text("规则版本", "rules version"),
    "type": Text("类型", "type"),
    "basis": Text("依据", "basis"),
    "note": Text("备注", "note"),
    "values": Text("可选值", "allowed values"),
    "items": Text("元素类型", "item type"),
    "min": Text("最小值", "minimum"),
    "max": Text("最大值", "maximum"),
    "max_length": Text("最大长度", "maximum length"),
    "default": Text("默认值", "default"),
    "terminal": Text("终止状态", "terminal"),
    "deadline": Text("期限", "deadline"),
    "on_timeout": Text("超期步骤", "on_timeout"),
    "escalate": Text("逾期督办", "escalation"),
    "roles": Text("办理角色", "roles"),
    "accepts": Text("可填写字段", "accepted fields"),
    "dest": Text("目标状态", "destination"),
    "source": Text("起始状态", "source states"),
    "distinct_from": Text("四眼原则（不得为同一人）", "four-eyes (distinct from)"),
    "conditions": Text("条件", "condition"),
    "message": Text("条件提示", "condition message"),
    "condition_basis": Text("条件依据", "condition basis"),
}


def _subject(area: str, name: str, label: Text | None) -> Text:
    what = _AREAS[area]
    if label is None:
        return Text(f"{what.zh} {name}", f"{what.en} {name}")
    return Text(f"{what.zh}“{label.zh}”（{name}）", f"{what.en} '{label.en}' ({name})")


def _with_basis(text: Text, basis: str | None) -> Text:
    en = text.en[:1].upper() + text.en[1:]
    if not basis:
        return Text(text.zh, en)
    return Text(f"{text.zh}（依据 {basis}）", f"{en} (basis {basis})")


def _zh(before: str, after: str) -> str:
    """Join Chinese text, with a space after an ASCII id (``步骤 vote@convened 的条件``)."""
    gap = " " if before and before[-1].isascii() and before[-1].isalnum() else ""
    return f"{before}{gap}{after}"


def _describe(kind: str, subject: Text | None, attr: str | None, old: Any, new: Any,
              basis: str | None, detail: Text | None = None) -> Text:
    """One line in zh and en, worded by the kind's last word (added/removed/renamed/changed)."""
    verb = kind.rsplit("_", 1)[1]
    subj = subject or Text("", "")
    at = _ATTRS[attr] if attr else None
    if verb == "added" and at is None:
        value = detail if detail is not None else Text(show(new, "zh"), show(new, "en"))
        text = Text(f"新增{subj.zh}" + (f"：{value.zh}" if value.zh else ""),
                    f"{subj.en} added" + (f": {value.en}" if value.en else ""))
    elif verb == "removed" and at is None:
        text = Text(f"删除{subj.zh}", f"{subj.en} removed")
    elif verb == "added":
        assert at is not None
        text = Text(_zh(subj.zh, f"新增{at.zh}：{show(new, 'zh')}"),
                    f"{subj.en}: {at.en} added: {show(new, 'en')}")
    elif verb == "removed":
        assert at is not None
        text = Text(_zh(subj.zh, f"删除{at.zh}：{show(old, 'zh')}"),
                    f"{subj.en}: {at.en} removed: {show(old, 'en')}")
    elif verb == "renamed":
        named = Text(f"（{detail.zh}）", f" ({detail.en})") if detail else Text("", "")
        text = Text(f"状态 {old} 改名为 {new}{named.zh}", f"state {old} renamed to {new}{named.en}")
    else:
        where_zh = _zh(subj.zh, f"的{at.zh}") if at and subj.zh else (at.zh if at else subj.zh)
        where_en = f"{subj.en}, {at.en}" if at and subj.en else (at.en if at else subj.en)
        text = Text(f"{where_zh}：{show(old, 'zh')} → {show(new, 'zh')}",
                    f"{where_en}: {show(old, 'en')} → {show(new, 'en')}")
    return _with_basis(text, basis)


class _Collector:
    """Builds ``Change`` records for one procedure ("" for the file)."""

    def __init__(self, procedure: str) -> None:
        self.procedure = procedure
        self.changes: list[Change] = []
        self.warnings: list[DiffWarning] = []

    def add(self, kind: str, path: tuple[str, ...], old: Any, new: Any, *,
            basis: str | None = None, label: Text | None = None,
            subject: Text | None = None, attr: str | None = None,
            detail: Text | None = None) -> None:
        assert kind in KINDS, kind
        text = _describe(kind, subject, attr, old, new, basis, detail)
        self.changes.append(Change(kind, self.procedure, path, old, new, basis, text, label))

    def warn(self, kind: str, path: tuple[str, ...], text: Text) -> None:
        assert kind in WARNING_KINDS, kind
        self.warnings.append(DiffWarning(kind, self.procedure, path, text))


# ---------------------------------------------------------------------------------------------
# The diff


def diff_rules(old: RuleSet, new: RuleSet) -> RulesDiff:
    """Every change from ``old`` to ``new``; an empty (falsy) ``RulesDiff`` when none."""
    top = _Collector("")
    if old.version != new.version:
        top.add("version_changed", ("version",), old.version, new.version, attr="version")
    for role, label in old.roles.items():
        if role not in new.roles:
            top.add("role_removed", ("roles", role), label, None, label=label,
                    subject=_subject("roles", role, label))
    for role, label in new.roles.items():
        before = old.roles.get(role)
        if before is None:
            top.add("role_added", ("roles", role), None, label, label=label,
                    subject=_subject("roles", role, label))
        elif before != label:
            top.add("role_changed", ("roles", role, "label"), before, label, label=label,
                    subject=_subject("roles", role, None), attr="label")
    changes, warnings = list(top.changes), []
    for name, proc in new.procedures.items():
        col = _Collector(name)
        before_proc = old.procedures.get(name)
        if before_proc is None:
            col.add("procedure_added", (), None, name, label=proc.title,
                    subject=_subject("procedure", name, proc.title),
                    detail=Text(f"{len(proc.states)} 个状态，{len(proc.transitions)} 个步骤",
                                f"{len(proc.states)} states, {len(proc.transitions)} "
                                "transitions"))
        else:
            _procedure(col, before_proc, proc)
        changes += col.changes
        warnings += col.warnings
    for name, proc in old.procedures.items():
        if name not in new.procedures:
            col = _Collector(name)
            col.add("procedure_removed", (), name, None, label=proc.title,
                    subject=_subject("procedure", name, proc.title))
            changes += col.changes
    titles = {**{n: p.title for n, p in old.procedures.items()},
              **{n: p.title for n, p in new.procedures.items()}}
    return RulesDiff(old.version, new.version, tuple(changes), tuple(warnings),
                     MappingProxyType(titles))


def _procedure(col: _Collector, old: ProcedureDef, new: ProcedureDef) -> None:
    proc = _subject("procedure", new.name, None)
    if old.title != new.title:
        col.add("procedure_changed", ("title",), old.title, new.title, label=new.title,
                subject=proc, attr="title")
    if old.start_roles != new.start_roles:
        col.add("start_roles_changed", ("start_roles",), _sorted(old.start_roles),
                _sorted(new.start_roles), attr="start_roles")
    _parameters(col, old, new)
    _inputs(col, old, new)
    mapping = _states(col, old, new)
    if (mapping.get(old.initial) or old.initial) != new.initial:
        col.add("procedure_changed", ("initial",), old.initial, new.initial, subject=proc,
                attr="initial")
    _transitions(col, old, new, mapping)
    for role in dict.fromkeys([*old.authority, *new.authority]):
        was, now = old.authority.get(role), new.authority.get(role)
        a = None if was is None else f"org: {was.org}, up: {was.up}, person: {was.person}"
        b = None if now is None else f"org: {now.org}, up: {now.up}, person: {now.person}"
        if a != b:
            either = now or was
            col.add("authority_changed", ("authority", role), a, b,
                    basis=either.basis if either else None,
                    subject=_subject("authority", role, None))
    if old.organization != new.organization:
        col.add("procedure_changed", ("organization",), old.organization, new.organization,
                subject=proc, attr="organization")
    est_a, est_b = (None if e is None else
                    f"{e.state}: id={e.id}, name={e.name}, parent={e.parent}"
                    + (f", secretary={e.secretary}" if e.secretary else "")
                    for e in (old.establishes, new.establishes))
    if est_a != est_b:
        basis = (new.establishes or old.establishes)
        col.add("procedure_changed", ("establishes",), est_a, est_b,
                basis=basis.basis if basis else None, subject=proc, attr="establishes")


def _sorted(values: frozenset[str] | None) -> tuple[str, ...] | None:
    return None if values is None else tuple(sorted(values))


def _canonical(kind: str, value: Any) -> Any:
    """A parameter value as compared: ``"4 / 5"`` is ``"4/5"``, 3 is 3.0 for a float."""
    if kind == "ratio":
        return ratio_text(value)
    if kind == "float" and not isinstance(value, bool):
        return float(value)
    return value


def _parameters(col: _Collector, old: ProcedureDef, new: ProcedureDef) -> None:
    for name, p in old.parameters.items():
        if name not in new.parameters:
            col.add("parameter_removed", ("parameters", name), p.value, None, basis=p.basis,
                    label=p.label, subject=_subject("parameters", name, p.label))
    for name, p in new.parameters.items():
        was = old.parameters.get(name)
        subject = _subject("parameters", name, p.label)
        if was is None:
            col.add("parameter_added", ("parameters", name), None, p.value, basis=p.basis,
                    label=p.label, subject=subject)
            continue
        if was.type != p.type:
            col.add("parameter_changed", ("parameters", name, "type"), was.type, p.type,
                    basis=p.basis, label=p.label, subject=subject, attr="type")
        if _canonical(was.type, was.value) != _canonical(p.type, p.value):
            col.add("parameter_changed", ("parameters", name), was.value, p.value,
                    basis=p.basis, label=p.label, subject=subject)
        for attr in ("label", "basis", "note"):
            a, b = getattr(was, attr), getattr(p, attr)
            if a != b:
                col.add("parameter_changed", ("parameters", name, attr), a, b, basis=p.basis,
                        label=p.label, subject=_subject("parameters", name, None), attr=attr)


_INPUT_ATTRS = ("type", "items", "values", "min", "max", "max_length", "default", "label")


def _input_value(inp: InputDef, attr: str) -> Any:
    value = getattr(inp, attr)
    if isinstance(value, list):
        return tuple(value)
    return value


def _inputs(col: _Collector, old: ProcedureDef, new: ProcedureDef) -> None:
    for name, inp in old.inputs.items():
        if name not in new.inputs:
            col.add("input_removed", ("inputs", name), inp.type, None, label=inp.label,
                    subject=_subject("inputs", name, inp.label))
    for name, inp in new.inputs.items():
        was = old.inputs.get(name)
        if was is None:
            col.add("input_added", ("inputs", name), None, inp.type, label=inp.label,
                    subject=_subject("inputs", name, inp.label))
            continue
        for attr in _INPUT_ATTRS:
            a, b = _input_value(was, attr), _input_value(inp, attr)
            if a != b:  # 0 and 0.0 are the same bound
                subject = _subject("inputs", name, None if attr == "label" else inp.label)
                col.add("input_changed", ("inputs", name, attr), a, b, label=inp.label,
                        subject=subject, attr=attr)


def _deadline(proc: ProcedureDef, st: StateDef) -> str | None:
    """A state's deadline as shown: ``P30D``, or ``name=value`` when a parameter or an input's
    default gives it, so a changed value shows even when the name stays."""
    name = st.deadline_name
    if name is not None:
        if name in proc.parameters:
            return f"{name}={proc.parameters[name].value}"
        inp = proc.inputs.get(name)
        return f"{name}={inp.default}" if inp is not None and inp.default is not None else name
    return None if st.deadline is None else str(st.deadline)


def _deadline_basis(proc: ProcedureDef, st: StateDef) -> str | None:
    param = proc.parameters.get(st.deadline_name or "")
    return param.basis if param is not None else None


def _states(col: _Collector, old: ProcedureDef, new: ProcedureDef) -> dict[str, str | None]:
    """Report state changes; return each old state → the new state continuing it, or None."""
    claimed: dict[str, list[str]] = {}
    for st in new.states.values():
        if st.renamed_from is None:
            continue
        claimed.setdefault(st.renamed_from, []).append(st.name)
        if st.renamed_from not in old.states and st.name not in old.states:
            # (a state the old file already has by its own id keeps an earlier rename's note)
            col.warn("renamed_from_unknown", ("states", st.name, "renamed_from"), Text(
                f"状态 “{st.name}” 声明 renamed_from: {st.renamed_from}，但旧规则的流程 "
                f"{new.name} 没有状态 “{st.renamed_from}”：按新增状态处理",
                f"state '{st.name}' declares renamed_from: {st.renamed_from}, but the old "
                f"{new.name} has no state '{st.renamed_from}': treated as a new state"))
    for before, names in claimed.items():
        if len(names) > 1:
            col.warn("renamed_from_duplicate", ("states", names[-1], "renamed_from"), Text(
                f"状态 {', '.join(names)} 都声明 renamed_from: {before}；只按 {names[-1]} 对应",
                f"states {', '.join(names)} all declare renamed_from: {before}; only "
                f"{names[-1]} continues it"))
    mapping = state_map(old, new)
    for name, target in mapping.items():
        st = old.states[name]
        if target is None:
            col.add("state_removed", ("states", name), name, None, label=st.label,
                    subject=_subject("states", name, st.label))
        elif target != name:
            label = new.states[target].label
            col.add("state_renamed", ("states", target), name, target, label=label,
                    detail=label)
    continued = {t for t in mapping.values() if t is not None}
    for name, st in new.states.items():
        if name not in continued:
            col.add("state_added", ("states", name), None, name, label=st.label,
                    subject=_subject("states", name, st.label), detail=_NO_DETAIL)
    for name, target in mapping.items():
        if target is not None:
            _state(col, old, new, old.states[name], new.states[target])
    return mapping


def _state(col: _Collector, old: ProcedureDef, new: ProcedureDef, a: StateDef,
           b: StateDef) -> None:
    subject = _subject("states", b.name, b.label)
    if a.label != b.label:
        col.add("state_changed", ("states", b.name, "label"), a.label, b.label, label=b.label,
                subject=_subject("states", b.name, None), attr="label")
    for attr in ("terminal", "on_timeout", "escalate"):
        if getattr(a, attr) != getattr(b, attr):
            col.add("state_changed", ("states", b.name, attr), getattr(a, attr),
                    getattr(b, attr), label=b.label, subject=subject, attr=attr)
    da, db = _deadline(old, a), _deadline(new, b)
    if da != db:
        col.add("deadline_changed", ("states", b.name, "deadline"), da, db,
                basis=_deadline_basis(new, b) or _deadline_basis(old, a), label=b.label,
                subject=subject, attr="deadline")


T = TypeVar("T")
U = TypeVar("U")


def _pair(olds: Sequence[T], news: Sequence[U], keys: Sequence[tuple[Callable[[T], Hashable],
          Callable[[U], Hashable]]]) -> tuple[list[tuple[T, U]], list[T], list[U]]:
    """Pair items stage by stage (each stage a key for old and new items), in order; return
    the pairs (in the new items' order) and what is left unpaired on each side."""
    left_old, left_new = list(olds), list(news)
    pairs: list[tuple[T, U]] = []
    for old_key, new_key in keys:
        waiting: dict[Hashable, list[U]] = {}
        for after in left_new:
            waiting.setdefault(new_key(after), []).append(after)
        still: list[T] = []
        for before in left_old:
            candidates = waiting.get(old_key(before))
            if candidates:
                pairs.append((before, candidates.pop(0)))
            else:
                still.append(before)
        paired = {id(b) for _, b in pairs}
        left_old, left_new = still, [b for b in left_new if id(b) not in paired]
    order = {id(b): i for i, b in enumerate(news)}
    pairs.sort(key=lambda p: order[id(p[1])])
    return pairs, left_old, left_new


def _names(transitions: Sequence[TransitionDef]) -> dict[int, str]:
    """``trigger@source/source``, with ``→dest`` added where that alone is ambiguous."""
    base = {id(t): f"{t.trigger}@{'/'.join(t.sources)}" for t in transitions}
    counts: dict[str, int] = {}
    for name in base.values():
        counts[name] = counts.get(name, 0) + 1
    return {i: (f"{n}→{t.dest}" if counts[n] > 1 else n)
            for (i, n), t in zip(base.items(), transitions, strict=True)}


def _transitions(col: _Collector, old: ProcedureDef, new: ProcedureDef,
                 mapping: dict[str, str | None]) -> None:
    def sources(t: TransitionDef) -> tuple[str, ...]:  # old sources in new ids, removed dropped
        return tuple(sorted(x for x in (mapping.get(s) for s in t.sources) if x))

    def dest(t: TransitionDef) -> str:
        return mapping.get(t.dest) or t.dest

    def own(t: TransitionDef) -> tuple[str, ...]:
        return tuple(sorted(t.sources))

    pairs, removed, added = _pair(old.transitions, new.transitions, [
        (lambda t: (t.trigger, sources(t), dest(t)), lambda t: (t.trigger, own(t), t.dest)),
        (lambda t: (t.trigger, sources(t)), lambda t: (t.trigger, own(t))),
        (lambda t: (t.trigger, dest(t)), lambda t: (t.trigger, t.dest)),
    ])
    old_names, new_names = _names(old.transitions), _names(new.transitions)
    for t in removed:
        col.add("transition_removed", ("transitions", old_names[id(t)]), t.dest, None,
                basis=t.basis, label=t.label, subject=_tsubject(old_names[id(t)], t))
    for a, b in pairs:
        _transition(col, new_names[id(b)], a, b, mapping)
    for t in added:
        col.add("transition_added", ("transitions", new_names[id(t)]), None, t.dest,
                basis=t.basis, label=t.label, subject=_tsubject(new_names[id(t)], t),
                detail=Text(f"→ {t.dest}，{show(_sorted(t.roles), 'zh')} 办理",
                            f"→ {t.dest}, by {show(_sorted(t.roles), 'en')}"))


def _tsubject(name: str, t: TransitionDef) -> Text:
    return _subject("transitions", name, t.label)


def _transition(col: _Collector, name: str, a: TransitionDef, b: TransitionDef,
                mapping: dict[str, str | None]) -> None:
    where = ("transitions", name)
    subject = _tsubject(name, b)

    def add(kind: str, attr: str, old: Any, new: Any, basis: str | None = b.basis) -> None:
        col.add(kind, (*where, attr), old, new, basis=basis, label=b.label, subject=subject,
                attr=attr)

    translated = {mapping.get(s) or s for s in a.sources}
    if translated != set(b.sources):
        add("transition_changed", "source", a.sources, b.sources)
    if (mapping.get(a.dest) or a.dest) != b.dest:
        add("transition_changed", "dest", a.dest, b.dest)
    if a.roles != b.roles:
        add("roles_changed", "roles", _sorted(a.roles), _sorted(b.roles))
    if a.accepts != b.accepts:
        add("accepts_changed", "accepts", ALL_INPUTS if a.accepts is None else _sorted(a.accepts),
            ALL_INPUTS if b.accepts is None else _sorted(b.accepts))
    if a.distinct_from != b.distinct_from:
        add("transition_changed", "distinct_from", _sorted(a.distinct_from),
            _sorted(b.distinct_from))
    if a.basis != b.basis:
        add("transition_changed", "basis", a.basis, b.basis)
    if a.label != b.label:
        col.add("transition_changed", (*where, "label"), a.label, b.label, basis=b.basis,
                label=b.label, subject=_subject("transitions", name, None), attr="label")
    for kind, attr, old, new, basis in _conditions(a, b):
        path = (*where, "conditions") if attr == "conditions" else (*where, "conditions", attr)
        col.add(kind, path, old, new, basis=basis, label=b.label, subject=subject, attr=attr)


def _conditions(a: TransitionDef, b: TransitionDef) -> Iterator[tuple[str, str, Any, Any,
                                                                         str | None]]:
    """Conditions matched by expression, then rewritten ones in order: (kind, attr, old, new,
    basis)."""

    def src(c: ConditionDef) -> str:
        return c.expression.source

    same, gone, came = _pair(a.conditions, b.conditions, [(src, src)])
    for x, y in same:
        mx, my = Text(x.message.zh, x.message.en), Text(y.message.zh, y.message.en)
        if mx != my:
            yield "condition_changed", "message", mx, my, y.basis or b.basis
        if x.basis != y.basis:
            yield "condition_changed", "condition_basis", x.basis, y.basis, y.basis or b.basis
    rewritten, gone, came = _pair(gone, came, [(lambda _: 0, lambda _: 0)])
    for x, y in rewritten:
        yield "condition_changed", "conditions", src(x), src(y), y.basis or x.basis or b.basis
    for x in gone:
        yield "condition_removed", "conditions", src(x), None, x.basis or a.basis
    for y in came:
        yield "condition_added", "conditions", None, src(y), y.basis or b.basis

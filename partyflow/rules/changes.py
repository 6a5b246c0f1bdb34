"""The change list between two rules versions: its types and its wording (pure).

``Change``, ``DiffWarning`` and ``RulesDiff`` are what ``partyflow.rules.diff.diff_rules``
returns; ``Collector`` builds them, worded in zh and en from the change's kind, subject and
attribute (``KINDS``). The comparison itself is in ``partyflow.rules.diff``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any

from partyflow.errors import Lang, Text

KINDS: Mapping[str, Text] = MappingProxyType({
    "version_changed": Text("规则版本", "rules version"),
    "calendar_changed": Text("期间计算变更", "period counting changed"),
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

NO_DETAIL = Text("", "")

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
    "remind_before": Text("期限前提醒", "reminder before the deadline"),
    "default_from": Text("默认值取自参数", "default taken from parameter"),
    "time_zone": Text("时区", "time zone"),
    "extend_past_holidays": Text("遇法定休假日顺延", "extension past holidays"),
    "holidays": Text("本地增加的休息日", "local extra rest days"),
    "working_days": Text("本地增加的工作日", "local extra working days"),
    "published_years": Text("本地已列明的年份", "years listed locally"),
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


def subject_text(area: str, name: str, label: Text | None) -> Text:
    """What a change is about, e.g. ``参数“到会比例”（election_quorum）``; ``area`` is a key of
    the areas (roles, parameters, inputs, states, transitions, authority, procedure)."""
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


class Collector:
    """Builds ``Change`` records for one procedure ("" for the file)."""

    def __init__(self, procedure: str) -> None:
        self.procedure = procedure
        self.changes: list[Change] = []
        self.warnings: list[DiffWarning] = []

    def add(self, kind: str, path: tuple[str, ...], old: Any, new: Any, *,
            basis: str | None = None, label: Text | None = None,
            subject: Text | None = None, attr: str | None = None,
            detail: Text | None = None) -> None:
        """Record a change of ``kind`` (a key of ``KINDS``), worded from the rest."""
        assert kind in KINDS, kind
        text = _describe(kind, subject, attr, old, new, basis, detail)
        self.changes.append(Change(kind, self.procedure, path, old, new, basis, text, label))

    def warn(self, kind: str, path: tuple[str, ...], text: Text) -> None:
        """Record a warning of ``kind`` (a key of ``WARNING_KINDS``)."""
        assert kind in WARNING_KINDS, kind
        self.warnings.append(DiffWarning(kind, self.procedure, path, text))

"""Validate organization rows against the hierarchy's levels and standards (H1–H6).

Columns with a meaning beyond ``id,name,level,parent,secretary``: the grid staffing columns
(H4), the local standards' columns (H6), and ``registers_with`` — the community an
organization of a resident unit registers with (双报到, H5).

Every violation is collected, each with its row and organization; nothing stops at the first.
"""

from __future__ import annotations

import difflib
import math
import re
from typing import Any

from partyflow.errors import Problem, Text
from partyflow.hierarchy._read import Table
from partyflow.hierarchy.query import Levels
from partyflow.limits import MAX_ACTOR_ID, MAX_ORG_ID
from partyflow.rules.problems import ProblemList
from partyflow.rules.schema import Hierarchy as HierarchySpec
from partyflow.rules.schema import LocalStandard

VACANT = frozenset({"", "-", "—", "－", "无", "空缺", "暂缺", "待定", "vacant", "none", "n/a"})
_SPLIT = re.compile(r"[;；、,，|/]")


def names(value: Any) -> list[str]:
    """The people named in a cell: ``a;b``, ``a、b`` or a YAML list; vacancy marks are none."""
    if isinstance(value, list):
        items = [str(v).strip() for v in value if v is not None]
    elif value is None:
        items = []
    else:
        items = [s.strip() for s in _SPLIT.split(str(value))]
    return [s for s in items if s.lower() not in VACANT]


def _number(value: Any) -> float | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        return float(value) if math.isfinite(value) else None
    if isinstance(value, str):
        try:
            out = float(value.replace(",", "").replace("，", "").strip())
        except ValueError:
            return None
        return out if math.isfinite(out) else None
    return None


class Checker:
    """Collects the problems of one organization list and builds its graph.

    After ``check``, ``graph`` is the ``networkx.DiGraph`` of the list: each id's first
    record a node (the record's attribute dict), an edge from every superior to each
    organization directly below it, siblings in file order. It is a hierarchy only if
    ``problems`` is empty.
    """

    def __init__(self, spec: HierarchySpec, file: str, levels: Levels | None = None) -> None:
        import networkx as nx  # on first use: `import partyflow` stays light

        self.spec = spec
        self.file = file
        self.levels = levels if levels is not None else Levels(spec)
        self.problems = ProblemList()  # the first 1,000, the rest counted
        gs = spec.grid_staffing
        self.staffing = gs if gs is not None and gs.enabled else None
        self.standards: dict[str, list[tuple[str, LocalStandard]]] = {}
        for name, std in spec.standards.items():
            if std.enabled:
                self.standards.setdefault(std.level, []).append((name, std))
        self.t = Table()
        self.graph: Any = nx.DiGraph()

    def add(self, i: int, field: str | None, type_: str, zh: str, en: str, **ctx: Any) -> None:
        t = self.t
        line = t.lines[i]
        column = t.columns[i] if t.columns is not None else 0
        if t.marks is not None and field is not None and field in t.marks[i]:
            line, column = t.marks[i][field]
        org = t.ids[i]
        loc: tuple[str | int, ...] = (org or f"#{t.lines[i]}",) + ((field,) if field else ())
        self.problems.append(Problem(type_, loc, self.file, line, column, Text(zh, en),
                                     {"org": org, **ctx}))

    def too_long(self, i: int, org: str, sec: str | None) -> None:
        """An id or secretary longer than every store keeps (``partyflow.limits``)."""
        if len(org) > MAX_ORG_ID:
            self.add(i, "id", "id_too_long", f"组织编号最长 {MAX_ORG_ID} 个字符，实际 {len(org)} 个",
                     f"an organization id has at most {MAX_ORG_ID} characters, got {len(org)}")
        if sec and len(sec) > MAX_ACTOR_ID:
            self.add(i, "secretary", "id_too_long",
                     f"书记的标识最长 {MAX_ACTOR_ID} 个字符，实际 {len(sec)} 个",
                     f"a secretary's id has at most {MAX_ACTOR_ID} characters, got {len(sec)}")

    def _label(self, level: str) -> Text:
        return self.levels.label(level)

    # -- the whole list --------------------------------------------------------------------------

    def check(self, t: Table) -> None:
        """Check every record and build the graph.

        The adjacency is written through ``DiGraph._node``/``_succ``/``_pred`` (what
        ``add_nodes_from``/``add_edges_from`` store): the public calls copy every attribute
        dict and look every node up again, and take 4.9 s CPU at 643,330 organizations
        against 2.6 s (bench/HIERARCHY.md) — more than the whole plain-dict baseline.
        """
        self.t = t
        ids, levels, parents, secretaries, nodes = t.ids, t.levels, t.parents, t.secretaries, t.nodes
        graph = self.graph
        node: dict[str, dict[str, Any]] = graph._node
        succ: dict[str, dict[str, Any]] = graph._succ
        pred: dict[str, dict[str, Any]] = graph._pred
        later: set[int] = set()  # records whose id an earlier record has
        for i, org in enumerate(ids):
            kept = node.setdefault(org, nodes[i])
            if kept is nodes[i]:
                succ[org] = {}
            else:
                later.add(i)
                if org:
                    line = kept["line"]
                    self.add(i, "id", "duplicate_id",
                             f"组织编号 “{org}” 重复（第 {line} 行已有）",
                             f"organization id '{org}' is used twice (first on line {line})",
                             first_line=line)
                else:
                    self.add(i, "id", "missing_id", "组织编号为空", "the organization id is empty")
        if "" in node:
            del node[""], succ[""]
            self.add(ids.index(""), "id", "missing_id", "组织编号为空",
                     "the organization id is empty")
        lv = self.levels
        kinds = (*lv.order, *lv.units)
        expected = {k: lv.superior_level(k) for k in kinds}  # the level of each one's superior
        ranked = frozenset(lv.order)
        top = lv.top
        staffing = self.staffing.unit if self.staffing is not None else None
        standards = self.standards
        registers = t.extras is None or "registers_with" in t.extras
        suspect: list[str] = []  # organizations whose link up could be part of a cycle
        rows = zip(ids, levels, parents, secretaries, t.names, nodes, strict=True)
        for i, (org, level, parent, sec, name, attrs) in enumerate(rows):
            if not org:
                continue
            first = i not in later
            known = level in expected
            if not known:
                self.unknown_level(i)
            if not name:
                self.add(i, "name", "missing_name", "组织名称为空", "the organization name is empty")
            if len(org) > MAX_ORG_ID or (sec and len(sec) > MAX_ACTOR_ID):
                self.too_long(i, org, sec)
            if (not sec or (len(sec) < 6 and sec.lower() in VACANT)) and level in ranked:
                self.add(i, "secretary", "missing_secretary",
                         f"{name or org}没有书记（第一责任人空缺，H3）",
                         f"{name or org} has no secretary (first responsible person vacant, H3)")
            up = node.get(parent) if parent and parent != org else None
            if up is not None:
                if first:
                    data: dict[str, Any] = {}
                    succ[parent][org] = data
                    pred[org] = {parent: data}
                if expected.get(level) != up["level"]:
                    if known and up["level"] in expected:
                        self.order(i, parent, up["level"])
                    if first:
                        suspect.append(org)
            else:
                if first:
                    pred[org] = {}
                if not parent:
                    if known and level != top:
                        self.root_not_top(i)
                elif parent == org:
                    self.add(i, "parent", "cycle", f"“{org}”的上级是它自己",
                             f"'{org}' is its own parent", members=[org])
                else:
                    self.add(i, "parent", "unknown_parent", f"上级组织 “{parent}” 不存在",
                             f"parent organization '{parent}' does not exist", parent=parent)
            if registers:
                target = attrs.get("registers_with")
                if target not in (None, ""):
                    self.registration(i, str(target).strip())
            if level == staffing:
                self.grid(i)
            if level in standards:
                for std_name, std in standards[level]:
                    self.standard(i, std_name, std)
        if suspect:
            self.cycles(suspect)
        self.problems.sort(key=lambda p: (p.line, p.column))

    def unknown_level(self, i: int) -> None:
        level = self.t.levels[i]
        choices = [*self.levels.order, *self.levels.units]
        close = difflib.get_close_matches(level, choices, n=1)
        hint_zh = f"；是否应为 “{close[0]}”？" if close else ""
        hint_en = f"; did you mean '{close[0]}'?" if close else ""
        self.add(i, "level", "unknown_level",
                 f"没有名为 “{level}” 的层级（可用：{', '.join(choices)}）{hint_zh}",
                 f"there is no level named '{level}' (known: {', '.join(choices)}){hint_en}",
                 level=level)

    def root_not_top(self, i: int) -> None:
        org = self.t.ids[i]
        top, mine = self._label(self.levels.top), self._label(self.t.levels[i])
        self.add(i, "parent", "root_not_top",
                 f"{mine.zh}“{org}”没有上级组织；只有{top.zh}可以没有上级",
                 f"{mine.en} '{org}' has no parent; only a {top.en} may have none")

    def order(self, i: int, parent: str, up: str) -> None:
        t = self.t
        org, child = t.ids[i], t.levels[i]
        mine, theirs = self._label(child), self._label(up)
        want = self.levels.superior_level(child)
        ci, pi = self.levels.rank(child), self.levels.rank(up)
        if ci is not None and pi is not None and pi < ci - 1:
            skipped = list(self.levels.order[pi + 1:ci])
            zh = "、".join(self._label(s).zh for s in skipped)
            en = ", ".join(self._label(s).en for s in skipped)
            self.add(i, "parent", "skipped_level",
                     f"{mine.zh}“{org}”直接挂在{theirs.zh}“{parent}”下，跳过了{zh}",
                     f"{mine.en} '{org}' is directly under {theirs.en} '{parent}', "
                     f"skipping the {en} level", parent=parent, skipped=skipped)
        elif want is None:
            self.add(i, "parent", "wrong_level_order",
                     f"{mine.zh}“{org}”是最高层级，不能隶属于{theirs.zh}“{parent}”",
                     f"{mine.en} '{org}' is the top level and cannot be under {theirs.en} "
                     f"'{parent}'", parent=parent, expected=None, actual=up)
        else:
            w = self._label(want)
            self.add(i, "parent", "wrong_level_order",
                     f"{mine.zh}“{org}”应隶属于{w.zh}，不能隶属于{theirs.zh}“{parent}”（层级顺序不符）",
                     f"{mine.en} '{org}' belongs under a {w.en}, not under {theirs.en} "
                     f"'{parent}' (levels out of order)", parent=parent, expected=want,
                     actual=up)

    def registration(self, i: int, target: str) -> None:
        """H5 双报到: an organization registers with a community-level organization."""
        bottom = self.levels.bottom
        label = self._label(bottom)
        found = self.graph._node.get(target)
        org = self.t.ids[i]
        if found is None:
            self.add(i, "registers_with", "unknown_registration",
                     f"“{org}”报到的{label.zh} “{target}” 不存在（双报到，H5）",
                     f"'{org}' registers with '{target}', which does not exist (H5)",
                     registers_with=target)
        elif found["level"] != bottom:
            theirs = self._label(found["level"])
            self.add(i, "registers_with", "registration_level",
                     f"“{org}”应向{label.zh}报到（双报到，H5），“{target}”是{theirs.zh}",
                     f"'{org}' must register with a {label.en} (H5); '{target}' is a "
                     f"{theirs.en}", registers_with=target, actual=found["level"])

    def grid(self, i: int) -> None:
        gs = self.staffing
        assert gs is not None
        node, org = self.t.nodes[i], self.t.ids[i]
        leaders = names(node.get(gs.leader_column))
        workers = names(node.get(gs.workers_column))
        label = self._label(self.t.levels[i])
        if len(leaders) != gs.leaders:
            self.add(i, gs.leader_column, "grid_leader",
                     f"{label.zh}“{org}”应恰有 {gs.leaders} 名网格长，现有 {len(leaders)} 名（{gs.basis}）",
                     f"{label.en} '{org}' must have exactly {gs.leaders} leader(s), "
                     f"has {len(leaders)} ({gs.basis})", expected=gs.leaders, actual=len(leaders))
        if len(workers) < gs.min_workers:
            self.add(i, gs.workers_column, "grid_workers",
                     f"{label.zh}“{org}”至少应有 {gs.min_workers} 名网格员，现有 {len(workers)} 名（{gs.basis}）",
                     f"{label.en} '{org}' needs at least {gs.min_workers} worker(s), "
                     f"has {len(workers)} ({gs.basis})", expected=gs.min_workers,
                     actual=len(workers))

    def standard(self, i: int, name: str, std: LocalStandard) -> None:
        node = self.t.nodes[i]
        value = _number(node.get(std.column))
        required: float = float(std.min)
        if std.per_column is not None and std.per is not None:
            base = _number(node.get(std.per_column))
            if base is None:
                self.add(i, std.per_column, "standard_value",
                         f"{std.label.zh}：“{std.per_column}” 没有数值（{std.basis}）",
                         f"{std.label.en}: '{std.per_column}' has no number ({std.basis})",
                         standard=name)
                return
            units = base / std.per
            required = std.min * (math.ceil(units) if std.round_up else units)
        if value is None:
            self.add(i, std.column, "standard_value",
                     f"{std.label.zh}：“{std.column}” 没有数值（{std.basis}）",
                     f"{std.label.en}: '{std.column}' has no number ({std.basis})", standard=name)
        elif value < required:
            self.add(i, std.column, "standard_not_met",
                     f"未达到地方标准：{std.label.zh}（{std.column} 为 {value:g}，应不少于 {required:g}，{std.basis}）",
                     f"local standard not met: {std.label.en} ({std.column} is {value:g}, "
                     f"at least {required:g} required, {std.basis})",
                     standard=name, expected=required, actual=value)

    def cycles(self, suspect: list[str]) -> None:
        """Report each parent cycle once, on the row of its member written first.

        Along a link whose superior has the expected level the level rises strictly, so
        every cycle holds a ``suspect`` organization: ``nx.simple_cycles`` searches the
        part of the graph above them (``nx.bfs_layers`` up from them). Each cycle's
        members are listed up their parent links from where the first suspect in the file
        that leads into it meets it.
        """
        import networkx as nx  # on first use: `import partyflow` stays light

        graph = self.graph
        pred = graph.pred
        up = {n for layer in nx.bfs_layers(graph.reverse(copy=False), suspect) for n in layer}
        record: dict[str, int] = {}
        for i, org in enumerate(self.t.ids):
            record.setdefault(org, i)
        for cycle in nx.simple_cycles(graph.subgraph(up)):
            ring = set(cycle)
            basin = ring | nx.descendants(graph, cycle[0])
            entry = next(s for s in suspect if s in basin)
            while entry not in ring:
                (entry,) = pred[entry]
            members = [entry]
            while len(members) < len(cycle):
                (parent,) = pred[members[-1]]
                members.append(parent)
            first = min((record[m] for m in members), key=lambda k: self.t.lines[k])
            ring_text = " → ".join([*members, members[0]])
            self.add(first, "parent", "cycle", f"上下级关系成环：{ring_text}",
                     f"the parent links form a cycle: {ring_text}", members=members)

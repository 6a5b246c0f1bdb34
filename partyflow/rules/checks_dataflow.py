"""Checks of where a procedure's data comes from: which inputs the start may carry
(``start_accepts``; without it, a warning for what the starter could decide in advance),
conditions that read a field nothing before them can set (the step could never pass), and
inputs nothing can ever set (a warning)."""

from __future__ import annotations

import re
from collections import deque

from partyflow.errors import Loc
from partyflow.rules import schema as s
from partyflow.rules.check_base import CheckerBase, names_read


class DataFlowChecks(CheckerBase):
    """The data-flow checks (mixed into ``partyflow.rules.checks.Checker``)."""

    def _start_accepts(self, proc: s.Procedure, base: Loc) -> None:
        """``start_accepts`` names inputs."""
        self.unknown_inputs(proc, proc.start_accepts, (*base, "start_accepts"))

    def _presettable(self, proc: s.Procedure, base: Loc) -> None:
        """Without ``start_accepts``, a warning for each input a step is there to set that a
        condition reads: the starter could set it in advance (an approval decided by the
        applicant)."""
        decided = {f: t for t in proc.transitions for f in t.accepts or ()}
        shown: set[str] = set()
        for t in proc.transitions:
            for cond in t.conditions:
                expr = self.compiled.get(id(cond))
                for field in sorted((expr.variables if expr else set()) & set(decided)
                                    - shown):
                    shown.add(field)
                    step = decided[field].trigger
                    self.warn("start_may_preset", (*base, "inputs", field),
                              f"流程没有写 start_accepts：发起时就能填写 “{field}”，而它本应由步骤 "
                              f"{step} 填写，条件据此判断（发起人可以预先填好，如上级的批准）；"
                              "请用 start_accepts 列出发起时可填写的字段",
                              f"the procedure has no start_accepts, so the start may carry "
                              f"'{field}', which step {step} is there to set and a condition "
                              "reads (the starter could fill it in advance, such as a "
                              "superior's approval); list the inputs the start may carry in "
                              "start_accepts", key=True, name=field, step=step)

    def _data_flow(self, proc: s.Procedure, base: Loc, t_index: list[int]) -> None:
        """A condition reading an input that no step from the start up to it can set, and
        that the step itself does not accept, reads null every time: unless it tests for
        null, the step can never pass (an error). An input nothing can set: a warning."""
        guarded = {n for a in proc.authority.values() for n in (a.org, a.subject) if n}
        if proc.organization:
            guarded.add(proc.organization)

        def takes(t: s.Transition) -> frozenset[str]:
            if t.accepts is None:  # every input but those deciding who acts
                return frozenset(proc.inputs) - guarded
            return frozenset(t.accepts)

        given = {n for n, i in proc.inputs.items()
                 if i.default is not None or i.default_from or i.superior_of_starter
                 or i.from_hierarchy}
        at_start = frozenset(proc.inputs if proc.start_accepts is None
                             else {*proc.start_accepts, *given})
        # may-analysis: the inputs some path from the start can have set on reaching a state
        avail: dict[str, frozenset[str]] = {proc.initial: at_start}
        out: dict[str, list[s.Transition]] = {}
        for t in proc.transitions:
            for src in [t.source] if isinstance(t.source, str) else t.source:
                out.setdefault(src, []).append(t)
        queue = deque([proc.initial])
        while queue:
            state = queue.popleft()
            for t in out.get(state, ()):
                new = avail[state] | takes(t)
                old = avail.get(t.dest)
                if old is None or not new <= old:
                    avail[t.dest] = new if old is None else old | new
                    queue.append(t.dest)
        for i, t in enumerate(proc.transitions):
            tloc = (*base, "transitions", t_index[i])
            sources = [t.source] if isinstance(t.source, str) else list(t.source)
            for k, cond in enumerate(t.conditions):
                expr = self.compiled.get(id(cond))
                if expr is None:
                    continue
                for field in sorted(expr.variables & set(proc.inputs)):
                    never = [src for src in sources if src in avail
                             and field not in avail[src] | takes(t)]
                    if never and not _tests_null(cond.expr, field):
                        self._never_set(proc, field, never, (*tloc, "conditions", k, "expr"))
        settable = set(at_start).union(*(takes(t) for t in proc.transitions))
        for name in proc.inputs:
            if name not in settable and name not in self.broken:
                self.warn("unused_input", (*base, "inputs", name),
                          f"输入字段 “{name}” 发起时不能填写，也没有任何步骤接受它，又没有默认值："
                          f"它永远为空；请把它列入 start_accepts 或某一步的 accepts，或删除它",
                          f"input '{name}' cannot be given at the start, no step accepts it and "
                          "it has no default: it is always empty; list it in start_accepts or "
                          "a step's accepts, or remove it", key=True, name=name)

    def _unread_inputs(self, proc: s.Procedure, base: Loc) -> None:
        """A warning for an input no condition, message, deadline, authority, establishment
        or other input reads: it changes no decision (a renamed use, a typo), unless it is
        kept as a record (``record_only: true``)."""
        read = names_read(proc)
        for name, inp in proc.inputs.items():
            if name not in read and not inp.record_only and name not in self.broken:
                self.warn("unread_input", (*base, "inputs", name),
                          f"输入字段 “{name}” 没有被任何条件、提示、期限或权限读取：它不影响任何办理结果；"
                          "如确为仅作记录的字段（如姓名、编号），请加 record_only: true",
                          f"input '{name}' is read by no condition, message, deadline or "
                          "authority: it changes no decision; if it is kept as a record (a "
                          "name, a number), add record_only: true", key=True, name=name)

    def _never_set(self, proc: s.Procedure, field: str, sources: list[str], loc: Loc) -> None:
        label = proc.inputs[field].label
        where_zh = "、".join(f"“{x}”" for x in sources)
        where_en = ", ".join(f"'{x}'" for x in sources)
        self.add("field_never_set", loc,
                 f"条件读取 “{field}”（{label.zh}），但到达 {where_zh} 之前没有任何步骤（包括发起）"
                 f"可以填写它，本步骤的 accepts 中也没有它：它总是空值，这一步永远无法通过；"
                 f"请把 {field} 加入本步骤或之前某一步的 accepts（或发起的 start_accepts）",
                 f"the condition reads '{field}' ({label.en}), but no step before "
                 f"{where_en} (the start included) can set it and this step does not accept "
                 f"it: it is always null, so the step can never pass; add {field} to this "
                 "step's accepts, an earlier step's, or start_accepts",
                 name=field, states=sources)


def _tests_null(expr: str, field: str) -> bool:
    """Whether ``expr`` compares ``field`` with null (it is written to handle the absence)."""
    f = re.escape(field)
    return re.search(rf"(?<![\w.]){f}\s*[!=]=\s*null\b|\bnull\s*[!=]=\s*{f}(?![\w])",
                     expr) is not None

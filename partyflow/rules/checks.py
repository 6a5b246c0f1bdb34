"""Semantic checks of a rules file: what the schema cannot see, as problems with positions.

Names must resolve (states, roles, inputs, parameters, functions), every state must be
reachable and have a way out unless terminal, and roles are bound to who may act; deadlines
and timeouts must fit together (``checks_periods``) and each condition must compile and give
true or false on sample values (``checks_conditions``). A procedure with parts
the schema refused is checked on what remains, so one broken part hides nothing else.
"""

from __future__ import annotations

from collections import deque
from typing import Any

from pydantic import ValidationError

from partyflow.errors import Loc, Problem
from partyflow.rules import schema as s
from partyflow.rules.check_base import CONTEXT_NAMES
from partyflow.rules.checks_conditions import ConditionChecks
from partyflow.rules.checks_dataflow import DataFlowChecks
from partyflow.rules.checks_periods import PeriodChecks
from partyflow.rules.compile import compile_input
from partyflow.rules.problems import suggest
from partyflow.rules.schema_problems import Pruned, prune, schema_problems
from partyflow.rules.source import YamlDocument

RESERVED_NAMES = CONTEXT_NAMES | {"start", "null", "true", "false", "in"}
RESERVED_TRIGGERS = frozenset({"start", "escalate_overdue", "remind_deadline"})


def check_document(doc: YamlDocument, file: str, text: str,
                   reported: set[Loc]) -> tuple[s.RulesFile | None, list[Problem]]:
    """The file's model when the schema accepts it, and every problem found in it.

    ``reported`` holds the places already reported (by the YAML reader), not reported again.
    """
    checker = Checker(doc, file, text)
    try:
        model = s.RulesFile.model_validate(doc.data)
    except ValidationError as exc:
        checker.problems.extend(schema_problems(doc, file, exc, reported))
        broken = [(tuple(e["loc"]), e["type"]) for e in exc.errors(include_url=False)]
        _check_what_remains(checker, doc.data, broken)
        return None, checker.problems
    if model.hierarchy is not None:
        checker.levels = {lvl.id for lvl in model.hierarchy.levels}
    for name, proc in model.procedures.items():
        checker.procedure(name, proc, set(model.roles))
    if model.hierarchy is not None:
        checker.hierarchy(model.hierarchy)
    return model, checker.problems


def _check_what_remains(checker: Checker, data: dict[Any, Any],
                        broken: list[tuple[Loc, str]]) -> None:
    """Check what is valid of each procedure, so one broken part hides nothing else."""
    procs = data.get("procedures")
    raw_roles = data.get("roles")
    roles: dict[Any, Any] = raw_roles if isinstance(raw_roles, dict) else {}
    if not isinstance(procs, dict):
        return
    for name, raw in procs.items():
        mine = [(loc[2:], t) for loc, t in broken if loc[:2] == ("procedures", name)]
        pruned = prune(raw, mine)
        if pruned is None:
            continue
        try:
            proc = s.Procedure.model_validate(pruned.data)
        except ValidationError:
            continue
        checker.procedure(str(name), proc, {str(r) for r in roles}, pruned)


class Checker(ConditionChecks, PeriodChecks, DataFlowChecks):
    """Collects the semantic problems of one document: names, the state graph, authority and
    establishment here; conditions in ``checks_conditions``, periods in ``checks_periods``,
    where data comes from in ``checks_dataflow``."""

    def _from_hierarchy(self, proc: s.Procedure, iname: str, inp: s.Input,
                        h: s.FromHierarchy, loc: Loc) -> None:
        """``from_hierarchy`` starts from another org input, names one of ``up`` and
        ``level`` (a level of the hierarchy), and fits the input's type."""
        src = proc.inputs.get(h.org)
        if src is None or src.type != "org" or h.org == iname:
            self.add("from_hierarchy_org", (*loc, "org"),
                     f"“{h.org}” 应为本流程另一个 org 类型的输入字段",
                     f"'{h.org}' must be another input of type org", name=h.org)
        if (h.up is None) == (h.level is None):
            self.add("from_hierarchy_place", loc, "up 与 level 须写且只写一个",
                     "give exactly one of up and level")
        elif h.level is not None and self.levels is not None and h.level not in self.levels:
            szh, sen = suggest(h.level, self.levels)
            self.add("unknown_name", (*loc, "level"), f"“{h.level}” 不是组织体系的层级{szh}",
                     f"'{h.level}' is not a level of the hierarchy{sen}", name=h.level)
        want = "org" if h.column is None else "bool"
        if inp.type != want or inp.superior_of_starter is not None or inp.default_from:
            self.add("from_hierarchy_type", loc,
                     f"取组织{'编号' if h.column is None else '名单的列'}的输入应为 {want} 类型，"
                     "且不另写 superior_of_starter、default_from",
                     f"an input taken from the organization's "
                     f"{'id' if h.column is None else 'list column'} must be of type {want}, "
                     "without superior_of_starter or default_from", name=iname)

    def hierarchy(self, h: s.Hierarchy) -> None:
        """Level and unit ids are unique; standards name a known level or unit."""
        seen: set[str] = set()
        for i, lvl in enumerate(h.levels):
            units: list[tuple[Loc, str]] = [(("levels", i, "id"), lvl.id)]
            units += [(("levels", i, "below", j, "id"), u.id) for j, u in enumerate(lvl.below)]
            for loc, uid in units:
                if uid in seen:
                    self.add("duplicate_level", ("hierarchy", *loc),
                             f"层级或单元 “{uid}” 重复", f"level or unit '{uid}' is defined twice")
                seen.add(uid)
        units_below = {u.id for lvl in h.levels for u in lvl.below}
        if h.grid_staffing is not None and h.grid_staffing.unit not in units_below:
            self.add("unknown_level", ("hierarchy", "grid_staffing", "unit"),
                     f"没有名为 “{h.grid_staffing.unit}” 的下设单元",
                     f"there is no unit named '{h.grid_staffing.unit}' below a level")
        for name, std in h.standards.items():
            if std.level not in seen:
                self.add("unknown_level", ("hierarchy", "standards", name, "level"),
                         f"没有名为 “{std.level}” 的层级或单元",
                         f"there is no level or unit named '{std.level}'")
            if (std.per_column is None) != (std.per is None):
                self.add("standard_per", ("hierarchy", "standards", name),
                         "per_column 与 per 须同时给出", "per_column and per go together")

    def procedure(self, name: str, proc: s.Procedure, roles: set[str],
                  pruned: Pruned | None = None) -> None:
        """Check one procedure; ``pruned`` tells what the schema refused of it, if anything.

        Checks that need the whole graph (dead ends, reachability, timeouts) are skipped for a
        pruned procedure: what was removed could have made them pass.
        """
        base: Loc = ("procedures", name)
        found_before = len(self.problems)
        self.broken = pruned.broken_names if pruned else set()
        partial = bool(self.broken)
        t_index = pruned.t_index if pruned else list(range(len(proc.transitions)))
        self._names(proc, base, roles)
        outgoing, graph = self._transitions(proc, base, roles, t_index)
        self._states(proc, base, outgoing, t_index, partial)
        if proc.initial in proc.states and not partial:
            self._reachable(proc, base, graph)
        self._ambiguous(proc, base, t_index)
        self._authority(proc, base, roles)
        self._unbound_roles(proc, base, t_index, roles)
        self._establishes(proc, base)
        self._start_accepts(proc, base)
        if proc.initial in proc.states and not partial:
            self._data_flow(proc, base, t_index)
            if proc.start_accepts is None and pruned is None:
                self._presettable(proc, base)
        # warnings only on a procedure the schema took whole: a key it dropped (a misspelt
        # reference_only, record_only or start_accepts) could be what silences one
        if pruned is None and len(self.problems) == found_before:  # an error may be why
            self._unused_parameters(proc, base)
            self._unread_inputs(proc, base)

    def _names(self, proc: s.Procedure, base: Loc, roles: set[str]) -> None:
        """Parameters and inputs: free names, well-formed types and defaults; known roles."""
        states = proc.states
        for pname in proc.parameters:
            if pname in RESERVED_NAMES:
                self.add("reserved_name", (*base, "parameters", pname),
                         f"“{pname}” 是保留名称，请换一个", f"'{pname}' is reserved", key=True)
        for iname, inp in proc.inputs.items():
            loc = (*base, "inputs", iname)
            if iname in RESERVED_NAMES:
                self.add("reserved_name", loc, f"“{iname}” 是保留名称，请换一个",
                         f"'{iname}' is reserved", key=True)
            if iname in proc.parameters:
                self.add("name_clash", loc, f"输入 “{iname}” 与同名参数冲突",
                         f"input '{iname}' has the same name as a parameter", key=True)
            if inp.type == "enum" and not inp.values:
                self.add("enum_without_values", loc, "enum 类型需要 values 列表",
                         "an enum input needs a values list")
            if inp.superior_of_starter is not None and inp.type != "org":
                self.add("superior_of_starter_type", (*loc, "superior_of_starter"),
                         f"superior_of_starter 只用于 org 类型的输入，“{iname}” 为 {inp.type}",
                         f"superior_of_starter is for inputs of type org; '{iname}' is "
                         f"{inp.type}", name=iname)
            if inp.default_from is not None:
                self._default_from(proc, iname, inp, loc)
            if inp.from_hierarchy is not None:
                self._from_hierarchy(proc, iname, inp, inp.from_hierarchy, (*loc, "from_hierarchy"))
            if inp.type == "list" and inp.items is None:
                self.add("list_without_items", loc, "list 类型需要 items（元素类型）",
                         "a list input needs items (the item type)")
            elif inp.default is not None:
                try:
                    compile_input(iname, inp).coerce(inp.default)
                except ValueError as exc:
                    text = exc.args[0]
                    self.add("input_default", (*loc, "default"), f"默认值不符合类型：{text.zh}",
                             f"the default does not fit the type: {text.en}")
        for k, role in enumerate(proc.start_roles):
            self._role(role, roles, (*base, "start_roles", k))
        if proc.initial not in states:
            self._unknown_state(proc.initial, states, (*base, "initial"))

    def _transitions(self, proc: s.Procedure, base: Loc, roles: set[str], t_index: list[int],
                     ) -> tuple[dict[str, list[int]], dict[str, set[str]]]:
        """Each transition's names and conditions; its outgoing indexes and graph edges."""
        states = proc.states
        outgoing: dict[str, list[int]] = {st: [] for st in states}
        graph: dict[str, set[str]] = {st: set() for st in states}
        triggers = {x.trigger for x in proc.transitions} | {"start"}  # start: the starter
        for i, t in enumerate(proc.transitions):
            tloc = (*base, "transitions", t_index[i])
            sources = [t.source] if isinstance(t.source, str) else list(t.source)
            if t.trigger in RESERVED_TRIGGERS:
                self.add("reserved_name", (*tloc, "trigger"),
                         f"“{t.trigger}” 是保留的步骤名", f"'{t.trigger}' is a reserved trigger")
            for j, src in enumerate(sources):
                sloc = (*tloc, "source") if isinstance(t.source, str) else (*tloc, "source", j)
                if src not in states:
                    self._unknown_state(src, states, sloc)
                else:
                    outgoing[src].append(i)
                    if t.dest in states:
                        graph[src].add(t.dest)
            if t.dest not in states:
                self._unknown_state(t.dest, states, (*tloc, "dest"))
            for k, role in enumerate(t.roles):
                self._role(role, roles, (*tloc, "roles", k))
            for k, c in enumerate(t.conditions):
                self._condition(proc, c, (*tloc, "conditions", k))
                self._event_not_accepted(proc, t, c, (*tloc, "conditions", k, "expr"))
            self.unknown_inputs(proc, t.accepts, (*tloc, "accepts"))
            for k, trig in enumerate(t.distinct_from):
                if trig not in triggers:
                    szh, sen = suggest(trig, triggers)
                    self.add("unknown_name", (*tloc, "distinct_from", k),
                             f"“{trig}” 不是本流程的步骤{szh}",
                             f"'{trig}' is not a trigger of this procedure{sen}", name=trig)
        return outgoing, graph

    def _states(self, proc: s.Procedure, base: Loc, outgoing: dict[str, list[int]],
                t_index: list[int], partial: bool) -> None:
        """Terminal states have no exit, others have one; deadlines, timeouts, renames."""
        states = proc.states
        for sname, st in states.items():
            sloc = (*base, "states", sname)
            outs = outgoing[sname]
            if st.terminal and outs:
                lines = ", ".join(
                    str(self.doc.mark_for((*base, "transitions", t_index[i])).line) for i in outs
                )
                self.add("terminal_has_exit", sloc,
                         f"终止状态 “{sname}” 不应有后续步骤（见第 {lines} 行）",
                         f"terminal state '{sname}' has outgoing transitions (lines {lines})",
                         key=True)
            if not st.terminal and not outs and not partial:
                self.add("dead_end", sloc,
                         f"状态 “{sname}” 不是终止状态，却没有任何后续步骤："
                         "请增加步骤，或标注 terminal: true",
                         f"state '{sname}' is not terminal but has no way out: add a "
                         "transition or mark it terminal: true", key=True)
            self._deadline(proc, st, sloc)
            self._reminder(proc, st, sloc)
            if not partial and st.on_timeout is not None and st.on_timeout not in {
                proc.transitions[i].trigger for i in outs
            }:
                self.add("unknown_timeout_trigger", (*sloc, "on_timeout"),
                         f"超期步骤 “{st.on_timeout}” 不是从 “{sname}” 出发的步骤",
                         f"on_timeout '{st.on_timeout}' is not a transition from '{sname}'")
            if st.on_timeout is not None and st.deadline is None:
                self.add("timeout_without_deadline", (*sloc, "on_timeout"),
                         "有 on_timeout 但没有 deadline（期限）",
                         "on_timeout is given but there is no deadline")
            if st.escalate:
                self._escalate(proc, st, sloc)
            if st.renamed_from is not None and st.renamed_from in states:
                self.add("renamed_from_exists", (*sloc, "renamed_from"),
                         f"renamed_from 写的 “{st.renamed_from}” 仍是本流程的状态，不能同时是改名前的名字",
                         f"renamed_from names '{st.renamed_from}', which is still a state of this "
                         "procedure")

    def _reachable(self, proc: s.Procedure, base: Loc, graph: dict[str, set[str]]) -> None:
        """Every state can be reached from the initial state."""
        states = proc.states
        seen = {proc.initial}
        queue = deque([proc.initial])
        while queue:
            for nxt in graph[queue.popleft()]:
                if nxt not in seen:
                    seen.add(nxt)
                    queue.append(nxt)
        for sname in states:
            if sname not in seen:
                self.add("unreachable_state", (*base, "states", sname),
                         f"状态 “{sname}” 从初始状态 “{proc.initial}” 无法到达",
                         f"state '{sname}' cannot be reached from the initial state "
                         f"'{proc.initial}'", key=True)

    def _ambiguous(self, proc: s.Procedure, base: Loc, t_index: list[int]) -> None:
        """Transitions sharing a trigger and a source are told apart by their conditions."""
        by_pair: dict[tuple[str, str], list[int]] = {}
        for i, t in enumerate(proc.transitions):
            for src in [t.source] if isinstance(t.source, str) else t.source:
                by_pair.setdefault((t.trigger, src), []).append(i)
        for (trig, src), idx in by_pair.items():
            if len(idx) < 2:
                continue
            exprs = [tuple(c.expr for c in proc.transitions[i].conditions) for i in idx]
            if any(not e for e in exprs) or len(set(exprs)) < len(exprs):
                first = self.doc.mark_for((*base, "transitions", t_index[idx[0]])).line
                self.add("ambiguous_trigger", (*base, "transitions", t_index[idx[1]]),
                         f"步骤 “{trig}” 从 “{src}” 出发有多条，但没有条件区分它们"
                         f"（另见第 {first} 行）",
                         f"trigger '{trig}' from '{src}' has several transitions with no "
                         f"condition to tell them apart (see also line {first})")

    def _org_input(self, proc: s.Procedure, name: str, loc: Loc) -> None:
        """Report ``name`` unless it is an input of type org."""
        if self._known_input(proc, name, loc) not in (None, "org"):
            self.add("org_input_type", loc,
                     f"输入字段 “{name}” 须为 org 类型（组织体系中的组织编号），实际为 "
                     f"{proc.inputs[name].type}", f"input '{name}' must be of type org (an "
                     f"organization id in the hierarchy), not {proc.inputs[name].type}",
                     name=name)

    def _known_input(self, proc: s.Procedure, name: str, loc: Loc) -> str | None:
        """The type of input ``name``; None (reported, unless already broken) if there is none."""
        if name in self.broken:
            return None
        inp = proc.inputs.get(name)
        if inp is None:
            szh, sen = suggest(name, proc.inputs)
            self.add("unknown_name", loc, f"“{name}” 不是输入字段{szh}",
                     f"'{name}' is not an input{sen}", name=name)
            return None
        return inp.type

    def _authority(self, proc: s.Procedure, base: Loc, roles: set[str]) -> None:
        if proc.organization is not None:
            self._org_input(proc, proc.organization, (*base, "organization"))
        for role, auth in proc.authority.items():
            loc = (*base, "authority", role)
            if role not in roles:
                szh, sen = suggest(role, roles)
                self.add("unknown_role", loc, f"角色 “{role}” 未在 roles 中定义{szh}",
                         f"role '{role}' is not defined under roles{sen}", key=True, role=role)
            if auth.open is not None:
                if auth.org is not None or auth.person != "any" or auth.subject is not None:
                    self.add("authority_open_bound", loc,
                             "open（有意公开）不能与 org、person、subject 同用",
                             "open (open on purpose) cannot be combined with org, person or "
                             "subject", role=role)
                continue
            if auth.org is not None:
                self._org_input(proc, auth.org, (*loc, "org"))
            elif auth.person in ("any", "secretary"):
                self.add("authority_unbound", loc,
                         f"角色 “{role}” 须写明 org（代表哪个组织）；或 person: starter / subject；"
                         "或 open: 理由",
                         f"role '{role}' needs org (the organization it acts for), or person: "
                         "starter / subject, or open: <reason>", role=role)
            if auth.person == "subject":
                self._subject_input(proc, auth.subject, (*loc, "subject"), role)
            elif auth.subject is not None:
                self.add("authority_subject_unused", (*loc, "subject"),
                         "subject 只用于 person: subject", "subject is only for person: subject",
                         role=role)

    def _subject_input(self, proc: s.Procedure, name: str | None, loc: Loc, role: str) -> None:
        """``name`` must be a str input holding the acting person's id."""
        if name is None:
            self.add("authority_subject_missing", loc[:-1],
                     f"角色 “{role}” 的 person: subject 须写明 subject（记当事人身份标识的输入字段）",
                     f"role '{role}' has person: subject but no subject (the input holding "
                     "the person's id)", role=role)
            return
        kind = self._known_input(proc, name, loc)
        if kind not in (None, "str"):
            self.add("subject_input_type", loc,
                     f"当事人字段 “{name}” 须为 str 类型（身份标识），实际为 {kind}",
                     f"the subject input '{name}' must be of type str (a person's id), not "
                     f"{kind}", name=name)

    def _unbound_roles(self, proc: s.Procedure, base: Loc, t_index: list[int],
                       roles: set[str]) -> None:
        """Every role a transition names says who may act in it (权限): refused otherwise
        (an undefined role is reported as such, once)."""
        seen: set[str] = set()
        for i, t in zip(t_index, proc.transitions, strict=False):
            for k, role in enumerate(t.roles):
                if role in proc.authority or role in seen or role not in roles:
                    continue
                seen.add(role)
                self.add("unbound_role", (*base, "transitions", i, "roles", k),
                         f"角色 “{role}” 未在 authority 中写明由谁办理：代表哪个组织（org），"
                         "或发起人本人（person: starter）、当事人本人（person: subject），"
                         "或有意公开（open: 理由）",
                         f"role '{role}' is not bound in authority: say which organization it "
                         "acts for (org), or person: starter / subject, or open: <reason>",
                         role=role, procedure=str(base[1]))

    def _establishes(self, proc: s.Procedure, base: Loc) -> None:
        est = proc.establishes
        if est is None:
            return
        loc = (*base, "establishes")
        if est.state not in proc.states:
            self._unknown_state(est.state, proc.states, (*loc, "state"))
        for key in ("id", "name", "secretary"):
            name = getattr(est, key)
            if name is None or name in self.broken:
                continue
            inp = proc.inputs.get(name)
            if inp is None or inp.type != "str":
                self.add("establishes_input", (*loc, key),
                         f"“{name}” 应为 str 类型的输入字段", f"'{name}' must be an input of type str",
                         name=name)
        self._org_input(proc, est.parent, (*loc, "parent"))

    def _unknown_state(self, name: str, states: dict[str, Any], loc: Loc) -> None:
        if name in self.broken:
            return
        szh, sen = suggest(name, states)
        self.add("unknown_state", loc, f"没有名为 “{name}” 的状态{szh}",
                 f"there is no state named '{name}'{sen}", state=name)

    def _role(self, role: str, roles: set[str], loc: Loc) -> None:
        if role not in roles:
            szh, sen = suggest(role, roles)
            self.add("unknown_role", loc, f"角色 “{role}” 未在 roles 中定义{szh}",
                     f"role '{role}' is not defined under roles{sen}", role=role)

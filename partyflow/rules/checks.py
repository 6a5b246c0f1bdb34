"""Semantic checks of a rules file: what the schema cannot see, as problems with positions.

Names must resolve (states, roles, inputs, parameters, functions), every state must be
reachable and have a way out unless terminal, deadlines and timeouts must fit together, and
each condition must compile and give true or false on sample values. A procedure with parts
the schema refused is checked on what remains, so one broken part hides nothing else.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import re
from collections import deque
from typing import Any

from pydantic import ValidationError

from partyflow.errors import Loc, Problem, Text
from partyflow.rules import schema as s
from partyflow.rules.compile import compile_input, compile_parameter
from partyflow.rules.condition_lint import lint
from partyflow.rules.durations import Duration, period_problem
from partyflow.rules.expressions import (
    FUNCTIONS,
    STANDARD_FUNCTIONS,
    ExpressionError,
    compile_expression,
    make_context,
    parse_template,
)
from partyflow.rules.problems import problem_at, suggest
from partyflow.rules.schema_problems import Pruned, prune, schema_problems
from partyflow.rules.source import Mark, YamlDocument

_ACTOR_FIELD = re.compile(r"\bactor\s*\.\s*([A-Za-z_][A-Za-z0-9_]*)")
CONTEXT_NAMES = frozenset({"actor", "event", "now", "deadline_at", "entered_at", "escalation"})
_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
_PLACEHOLDER = re.compile(r"\{([A-Za-z_][A-Za-z0-9_]*)\}")
_EVENT_FIELD = re.compile(r"\bevent\s*\.\s*([A-Za-z_][A-Za-z0-9_]*)")
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


class Checker:
    """Collects the semantic problems of one document."""

    def __init__(self, doc: YamlDocument, file: str, text: str) -> None:
        self.doc = doc
        self.file = file
        self.lines = text.splitlines()
        self.problems: list[Problem] = []
        self.broken: set[str] = set()
        self._sample_cache: dict[int, tuple[s.Procedure, dict[str, Any]]] = {}

    def add(self, type_: str, loc: Loc, zh: str, en: str, *, key: bool = False,
            **ctx: Any) -> None:
        """Record a problem at ``loc`` (at its key when ``key``)."""
        self.problems.append(problem_at(self.doc, self.file, type_, loc, zh, en, key=key, **ctx))

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
        if not partial and len(self.problems) == found_before:  # an error may be why
            self._unused_parameters(proc, base)

    def _unused_parameters(self, proc: s.Procedure, base: Loc) -> None:
        """A warning for a parameter no condition, message, deadline, reminder or default
        reads: a policy value that changes nothing is usually a mistake (a renamed use, a
        hard-coded copy). ``reference_only: true`` says it is kept on purpose."""
        read: set[str] = set()
        for t in proc.transitions:
            for c in t.conditions:
                read.update(_NAME.findall(c.expr))
                read.update(_PLACEHOLDER.findall(f"{c.message.zh} {c.message.en}"))
        for st in proc.states.values():
            read.update(n for n in (st.deadline, st.remind_before) if n)
        read.update(i.default_from for i in proc.inputs.values() if i.default_from)
        for pname, param in proc.parameters.items():
            if pname not in read and not param.reference_only:
                self.problems.append(dataclasses.replace(problem_at(
                    self.doc, self.file, "unused_parameter", (*base, "parameters", pname),
                    f"参数 “{pname}” 没有被任何条件、提示、期限或默认值使用：修改它不会改变任何办理结果；"
                    "如确为仅供查阅的数值，请加 reference_only: true",
                    f"parameter '{pname}' is read by no condition, message, deadline or "
                    "default: changing it changes nothing; if it is kept for reference only, "
                    "add reference_only: true", key=True, name=pname), severity="warning"))

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
            for k, field in enumerate(t.accepts or ()):
                if field not in proc.inputs and field not in self.broken:
                    szh, sen = suggest(field, proc.inputs)
                    self.add("unknown_name", (*tloc, "accepts", k),
                             f"“{field}” 不是输入字段{szh}", f"'{field}' is not an input{sen}",
                             name=field)
            triggers = {x.trigger for x in proc.transitions} | {"start"}  # start: the starter
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

    def _escalate(self, proc: s.Procedure, st: s.State, loc: Loc) -> None:
        if st.deadline is None:
            self.add("escalate_without_deadline", (*loc, "escalate"),
                     "escalate: true 需要 deadline（每过一个期限向上一级督办）",
                     "escalate: true needs a deadline (one level up per deadline period)")
        if st.on_timeout is not None:
            self.add("escalate_with_timeout", (*loc, "escalate"),
                     "escalate 与 on_timeout 只能选一个：超期后要么执行步骤，要么留在本状态逐级督办",
                     "use either escalate or on_timeout: when the deadline passes the instance "
                     "either takes a step or stays and is escalated")
        if proc.organization is None:
            self.add("escalate_without_organization", (*loc, "escalate"),
                     "escalate: true 需要流程设置 organization（负责本实例的组织），督办沿其责任链向上",
                     "escalate: true needs the procedure's organization (the responsible "
                     "organization, whose chain escalation goes up)")

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

    def _default_from(self, proc: s.Procedure, iname: str, inp: s.Input, loc: Loc) -> None:
        """``default_from`` names a parameter of the input's type, and replaces ``default``."""
        name = inp.default_from
        assert name is not None
        floc = (*loc, "default_from")
        if inp.default is not None:
            self.add("default_twice", floc, "default 与 default_from 只能写一个",
                     "give either default or default_from, not both", name=iname)
        param = proc.parameters.get(name)
        if param is None:
            szh, sen = suggest(name, proc.parameters)
            self.add("unknown_parameter", floc, f"没有名为 “{name}” 的参数{szh}",
                     f"there is no parameter named '{name}'{sen}", name=name)
        elif param.type != inp.type:
            self.add("default_from_type", floc,
                     f"参数 “{name}” 的类型 {param.type} 与输入字段 “{iname}” 的类型 {inp.type} 不同",
                     f"parameter '{name}' is a {param.type}, input '{iname}' a {inp.type}",
                     name=name)

    def _period(self, proc: s.Procedure, value: str, loc: Loc, what: tuple[str, str]) -> None:
        """``value`` is a duration parameter's name or a literal period fit for a deadline."""
        if value in proc.parameters:
            if proc.parameters[value].type != "duration":
                self.add("deadline_parameter_type", loc,
                         f"参数 “{value}” 不是 duration 类型", f"parameter '{value}' is not a duration")
            return
        if value in self.broken:
            return
        try:
            period = Duration.parse(value)
        except ValueError:
            szh, sen = suggest(value, proc.parameters)
            self.add("duration_format", loc,
                     f"“{value}” 既不是 ISO-8601 期限（如 P30D）或工作日期限（如 P5WD），也不是 duration "
                     f"参数{what[0]}{szh}",
                     f"'{value}' is neither an ISO-8601 duration (e.g. P30D) or working days "
                     f"(e.g. P5WD) nor a duration parameter{what[1]}{sen}")
            return
        problem = period_problem(period)
        if problem is not None:
            self.add("period_invalid", loc, problem[0], problem[1])

    def _reminder(self, proc: s.Procedure, st: s.State, loc: Loc) -> None:
        """A reminder needs a deadline and is a period."""
        if st.remind_before is None:
            return
        rloc = (*loc, "remind_before")
        if st.deadline is None:
            self.add("remind_without_deadline", rloc, "设置了期限前提醒 remind_before，但本状态没有期限 deadline",
                     "remind_before is set but the state has no deadline")
        self._period(proc, st.remind_before, rloc, ("", ""))

    def _deadline(self, proc: s.Procedure, st: s.State, loc: Loc) -> None:
        """A deadline is a duration: literal, a duration parameter, or an input's default."""
        if st.deadline is None:
            return
        if st.on_timeout is None and not st.escalate:
            self.add("deadline_without_timeout", (*loc, "deadline"),
                     "设置了期限 deadline，但没有 on_timeout（超期后执行的步骤）",
                     "a deadline is set but on_timeout (the trigger fired when it passes) "
                     "is missing")
        if st.deadline in proc.parameters:
            param = proc.parameters[st.deadline]
            if param.type != "duration":
                self.add("deadline_parameter_type", (*loc, "deadline"),
                         f"参数 “{st.deadline}” 不是 duration 类型",
                         f"parameter '{st.deadline}' is not a duration")
            return
        if st.deadline in proc.inputs:
            inp = proc.inputs[st.deadline]
            if inp.type != "duration" or (inp.default is None and inp.default_from is None):
                self.add("deadline_input", (*loc, "deadline"),
                         f"输入字段 “{st.deadline}” 用作期限时，必须是 duration 类型并有默认值（default 或 default_from）",
                         f"input '{st.deadline}' used as a deadline must be a duration with a "
                         "default (default or default_from)")
            return
        # a parameter whose own problem is already reported is in self.broken
        self._period(proc, st.deadline, (*loc, "deadline"), ("或输入字段", " or input"))

    def _event_not_accepted(self, proc: s.Procedure, t: s.Transition, cond: s.Condition,
                            loc: Loc) -> None:
        """``event.x`` where the step does not accept ``x``: always null, so a condition that
        needs it can never hold (the step could never be taken with its data)."""
        if t.accepts is None:
            return
        for field in sorted(set(_EVENT_FIELD.findall(cond.expr)) & set(proc.inputs)
                            - set(t.accepts)):
            self.add("event_field_not_accepted", loc,
                     f"条件读取本步骤填写的 event.{field}，但本步骤的 accepts 中没有 “{field}”："
                     f"它总是空值（null），这一步永远无法以所需数据办理；请把 {field} 加入 accepts",
                     f"the condition reads event.{field}, this step's own data, but the step "
                     f"does not accept '{field}': it is always null, so the step can never be "
                     f"taken with the data it needs; add {field} to accepts", name=field)

    def _condition(self, proc: s.Procedure, cond: s.Condition, loc: Loc) -> None:
        """The condition compiles, reads known names only and gives true or false."""
        eloc = (*loc, "expr")
        try:
            expr = compile_expression(cond.expr)
        except ExpressionError as exc:
            line, col = self._mistake_at(self.doc.mark_for(eloc), cond.expr, exc)
            self.problems.append(Problem(
                "condition_syntax", eloc, self.file, line, col,
                Text(f"条件表达式有语法错误：{exc.detail}",
                     f"condition syntax error: {exc.detail}"),
                {"expression": cond.expr},
            ))
            return
        known = set(proc.inputs) | set(proc.parameters) | CONTEXT_NAMES | self.broken
        ok = True
        types = {**{k: p.type for k, p in proc.parameters.items()},
                 **{k: i.type for k, i in proc.inputs.items()}}
        for kind, zh, en in dict.fromkeys(lint(cond.expr, types)):
            self.add(kind, eloc, zh, en)
            ok = False
        for field in sorted(set(_ACTOR_FIELD.findall(cond.expr)) - {"id", "role", "org"}):
            self.add("unknown_name", eloc,
                     f"actor 只有 id、role、org 三项，没有 “{field}”",
                     f"actor has only id, role and org, not '{field}'", name=f"actor.{field}")
            ok = False
        for field in sorted(set(_EVENT_FIELD.findall(cond.expr)) - set(proc.inputs) - self.broken):
            szh, sen = suggest(field, proc.inputs)
            self.add("unknown_name", eloc, f"event.{field}：“{field}” 不是输入字段{szh}",
                     f"event.{field}: '{field}' is not an input{sen}", name=f"event.{field}")
            ok = False
        for var in sorted(expr.variables - known):
            szh, sen = suggest(var, known)
            self.add("unknown_name", eloc,
                     f"条件中的 “{var}” 既不是输入字段也不是参数{szh}",
                     f"'{var}' in the condition is neither an input nor a parameter{sen}",
                     name=var)
            ok = False
        for fn in sorted(expr.functions - STANDARD_FUNCTIONS - set(FUNCTIONS)):
            szh, sen = suggest(fn, set(FUNCTIONS) | STANDARD_FUNCTIONS)
            self.add("unknown_function", eloc, f"条件中的函数 “{fn}” 不存在{szh}",
                     f"function '{fn}' in the condition does not exist{sen}", name=fn)
            ok = False
        try:
            template = parse_template(cond.message)
        except ValueError as exc:
            self.add("message_placeholder", (*loc, "message"), f"提示中的占位符无效：{exc}",
                     f"invalid placeholder in the message: {exc}")
            return
        for name in sorted(template.names - known):
            self.add("unknown_name", (*loc, "message"),
                     f"提示中的 {{{name}}} 既不是输入字段也不是参数",
                     f"{{{name}}} in the message is neither an input nor a parameter")
            ok = False
        if ok and not self.broken:
            self._typecheck(proc, expr, eloc)

    def _typecheck(self, proc: s.Procedure, expr: Any, loc: Loc) -> bool:
        """Evaluate once on sample values so a type mismatch is caught at load time."""
        values = self._samples(proc)
        try:
            result = expr.evaluate(make_context(values))
        except (TypeError, RuntimeError) as exc:
            message = str(exc)
            if isinstance(exc, RuntimeError):
                if "TypeError:" not in message:
                    return True  # data-dependent (a helper's value check): decided at run time
                fn = re.search(r"Function '(\w+)'", message)
                reason = message.split("TypeError:", 1)[1].split(". Check")[0].strip()
                detail = f"{fn.group(1) if fn else 'function'}(): {reason}"
            else:
                detail = message.split(". ")[0]
            self.add("condition_type", loc,
                     f"条件中的类型不匹配（如整数与文字比较，或整数与小数混用）：{detail}",
                     f"type mismatch in the condition: {detail}")
            return False
        except Exception:  # data-dependent (division by zero …): decided at run time
            return True
        if not isinstance(result, bool):
            self.add("condition_not_bool", loc,
                     f"条件的结果应为真/假，实际为 {type(result).__name__}",
                     f"a condition must give true or false, not {type(result).__name__}")
            return False
        return True

    def _samples(self, proc: s.Procedure) -> dict[str, Any]:
        """Sample values of every name a condition of ``proc`` may read (built once each)."""
        cached = self._sample_cache.get(id(proc))
        if cached is not None and cached[0] is proc:
            return cached[1]
        inputs = {k: compile_input(k, i) for k, i in proc.inputs.items()}
        values: dict[str, Any] = {
            k: compile_parameter(k, p).cel_value for k, p in proc.parameters.items()
        }
        values.update({k: i.to_cel(i.sample()) for k, i in inputs.items()})
        values["actor"] = {"id": "x", "role": "x", "org": "x"}
        values["event"] = {k: v for k, v in values.items() if k in inputs}
        values["now"] = values["deadline_at"] = values["entered_at"] = dt.datetime(
            2000, 1, 1, tzinfo=dt.UTC)
        values["escalation"] = 0
        self._sample_cache[id(proc)] = (proc, values)
        return values

    def _line(self, lineno: int) -> str:
        return self.lines[lineno - 1] if 0 < lineno <= len(self.lines) else ""

    def _mistake_at(self, m: Mark, source: str, exc: ExpressionError) -> tuple[int, int]:
        """The file line and column of a mistake at ``exc.line``/``exc.column`` of ``source``.

        Exact where the expression text up to the mistake is written verbatim in the file: a
        plain or quoted scalar (mistake on its first line) or a literal block ``|``. Otherwise
        (folded text, escapes before the mistake) the start of the value.
        """
        src_lines = source.split("\n")
        if not 0 < exc.line <= len(src_lines) or exc.column < 1:
            return m.line, m.column
        src_line = src_lines[exc.line - 1]
        raw = self._line(m.line)
        start = m.column - 1  # 0-based index of the value in its line
        if raw[start:start + 1] == "|":
            # literal block: expression line k is file line m.line + k, after the indentation
            lineno = m.line + exc.line
            raw = self._line(lineno)
            start = len(raw) - len(src_line)
            if start >= 0 and raw[start:] == src_line and not raw[:start].strip():
                return lineno, start + exc.column
            return m.line, m.column
        if exc.line != 1:
            return m.line, m.column
        if raw[start:start + 1] in ("'", '"'):
            start += 1
        if raw[start:start + exc.column - 1] == src_line[:exc.column - 1]:
            return m.line, start + exc.column
        return m.line, m.column

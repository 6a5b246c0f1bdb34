"""Checks of a procedure's periods (RULES.md §6): deadlines, reminders, escalation, input
defaults taken from a parameter, and parameters nothing reads (a warning)."""

from __future__ import annotations

from partyflow.errors import Loc
from partyflow.rules import schema as s
from partyflow.rules.check_base import CheckerBase, names_read
from partyflow.rules.durations import Duration, period_problem
from partyflow.rules.problems import suggest


class PeriodChecks(CheckerBase):
    """The period checks (mixed into ``partyflow.rules.checks.Checker``)."""

    def _unused_parameters(self, proc: s.Procedure, base: Loc) -> None:
        """A warning for a parameter no condition, message, deadline, reminder or default
        reads: a policy value that changes nothing is usually a mistake (a renamed use, a
        hard-coded copy). ``reference_only: true`` says it is kept on purpose."""
        read = names_read(proc)
        for pname, param in proc.parameters.items():
            if pname not in read and not param.reference_only:
                self.warn("unused_parameter", (*base, "parameters", pname),
                    f"参数 “{pname}” 没有被任何条件、提示、期限或默认值使用：修改它不会改变任何办理结果；"
                    "如确为仅供查阅的数值，请加 reference_only: true",
                    f"parameter '{pname}' is read by no condition, message, deadline or "
                    "default: changing it changes nothing; if it is kept for reference only, "
                    "add reference_only: true", key=True, name=pname)

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

"""Checks of a procedure's conditions: they compile, read known names only, give true or
false on sample values, and cannot be ones that never mean what they say
(``condition_lint``), with the column of a syntax error inside the expression."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from partyflow.errors import Loc, Problem, Text
from partyflow.rules import schema as s
from partyflow.rules.check_base import CONTEXT_NAMES, CheckerBase
from partyflow.rules.compile import compile_input, compile_parameter
from partyflow.rules.condition_cost import MAX_COST, condition_cost
from partyflow.rules.condition_lint import lint
from partyflow.rules.definitions import DEFAULT_MAX_LIST
from partyflow.rules.expressions import (
    FUNCTIONS,
    STANDARD_FUNCTIONS,
    ExpressionError,
    compile_expression,
    make_context,
    parse_template,
)
from partyflow.rules.problems import suggest
from partyflow.rules.source import Mark

_ACTOR_FIELD = re.compile(r"\bactor\s*\.\s*([A-Za-z_][A-Za-z0-9_]*)")
EVENT_FIELD = re.compile(r"\bevent\s*\.\s*([A-Za-z_][A-Za-z0-9_]*)")


class ConditionChecks(CheckerBase):
    """The condition checks (mixed into ``partyflow.rules.checks.Checker``)."""

    def _event_not_accepted(self, proc: s.Procedure, t: s.Transition, cond: s.Condition,
                            loc: Loc) -> None:
        """``event.x`` where the step does not accept ``x``: always null, so a condition that
        needs it can never hold (the step could never be taken with its data)."""
        if t.accepts is None:
            return
        for field in sorted(set(EVENT_FIELD.findall(cond.expr)) & set(proc.inputs)
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
        self.compiled[id(cond)] = expr
        known = set(proc.inputs) | set(proc.parameters) | CONTEXT_NAMES | self.broken
        ok = True
        types = {**{k: p.type for k, p in proc.parameters.items()},
                 **{k: i.type for k, i in proc.inputs.items()}}
        for kind, zh, en in dict.fromkeys(lint(cond.expr, types)):
            self.add(kind, eloc, zh, en)
            ok = False
        sizes = {k: i.max_length if i.max_length is not None else DEFAULT_MAX_LIST
                 for k, i in proc.inputs.items() if i.type == "list"}
        work = condition_cost(cond.expr, sizes, DEFAULT_MAX_LIST)
        if work > MAX_COST:
            self.add("condition_too_costly", eloc,
                     f"条件的最坏计算量约为 {work:,}，超过上限 {MAX_COST:,}（列表按其 max_length "
                     f"或 {DEFAULT_MAX_LIST} 项计；map/filter 嵌套时成倍增长）：请减少嵌套的列表宏，"
                     "或为列表字段设置更小的 max_length",
                     f"the condition's worst-case work is about {work:,}, above the limit of "
                     f"{MAX_COST:,} (each list at its max_length or {DEFAULT_MAX_LIST} items; "
                     "nested map/filter multiply): nest fewer list macros, or give the list "
                     "inputs a smaller max_length", work=work)
            ok = False
        for field in sorted(set(_ACTOR_FIELD.findall(cond.expr)) - {"id", "role", "org"}):
            self.add("unknown_name", eloc,
                     f"actor 只有 id、role、org 三项，没有 “{field}”",
                     f"actor has only id, role and org, not '{field}'", name=f"actor.{field}")
            ok = False
        for field in sorted(set(EVENT_FIELD.findall(cond.expr)) - set(proc.inputs) - self.broken):
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

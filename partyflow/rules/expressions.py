"""Conditions: CEL expressions compiled once at load time, and their message templates.

CEL (Common Expression Language) is not Turing-complete: no loops beyond bounded macros over
finite lists, no assignment, no access to Python objects, attributes, files or imports. The
Rust-backed ``common-expression-language`` package parses and evaluates it; partyflow adds:

* the list of names an expression reads, checked against the procedure's inputs and parameters
  when the file is loaded (not when the condition first runs);
* a small set of pure helper functions (``FUNCTIONS``) for thresholds worded in the rules:
  ``exceeds`` for 超过 (strictly more than) and ``at_least`` for 以上/不少于 (inclusive);
* bounds: expression length (schema), macro nesting, and list sizes of inputs.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from fractions import Fraction
from functools import cached_property
from typing import Any

from partyflow.errors import Text
from partyflow.rules._cel import cel
from partyflow.rules.ratios import ratio as parse_ratio
from partyflow.rules.voting import (
    distinct,
    same_names,
    slate_surplus_ok,
    tally_elected,
    tally_outcome,
    tally_tied,
    trusted,
    valid_ballot_count,
    votes_consistent,
)

MAX_MACROS = 2
# whitespace or a CEL line comment, wherever CEL allows them between tokens (possessive, so
# a run of slashes cannot make the match backtrack)
_GAP = r"(?:\s|//[^\n]*+)*+"
_MACRO = re.compile(
    rf"\.{_GAP}(all|exists_one|existsOne|exists|map|filter){_GAP}\({_GAP}"
    rf"([A-Za-z_][A-Za-z0-9_]*){_GAP},"
)
_POS = re.compile(r"<input>:(\d+):(\d+):\s*(.*)")
_PLACEHOLDER = re.compile(r"\{([^{}]*)\}")
_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")

# CEL's own functions and operators that conditions may use.
STANDARD_FUNCTIONS = frozenset(
    {
        "size", "contains", "startsWith", "endsWith", "matches", "int", "uint", "double",
        "string", "bool", "timestamp", "duration", "has", "type", "dyn",
        "getFullYear", "getMonth", "getDayOfYear", "getDayOfMonth", "getDate",
        "getDayOfWeek", "getHours", "getMinutes", "getSeconds", "getMilliseconds",
    }
)


def _scaled(count: Any, total: Any, ratio: Any) -> tuple[Fraction | int, Fraction | int]:
    """``(count × den, total × num)``: compare these instead of fractions (exact)."""
    r = parse_ratio(ratio)
    num, den = r.numerator, r.denominator
    if type(count) is int and type(total) is int:
        return count * den, total * num
    for value in (count, total):
        if not isinstance(value, int | float) or isinstance(value, bool):
            raise TypeError(f"a count is needed, not {type(value).__name__}")
    return Fraction(count) * den, Fraction(total) * num


def exceeds(count: int, total: int, ratio: Any) -> bool:
    """超过: ``count`` is strictly more than ``ratio`` of ``total`` (exact arithmetic)."""
    left, right = _scaled(count, total, ratio)
    return left > right


def at_least(count: int, total: int, ratio: Any) -> bool:
    """以上/不少于: ``count`` is at least ``ratio`` of ``total`` (exact arithmetic)."""
    left, right = _scaled(count, total, ratio)
    return left >= right


def blank(text: Any) -> bool:
    """True when ``text`` is missing, empty or only whitespace (a required reason not given)."""
    return text is None or (isinstance(text, str) and not text.strip())


class _QuietHelperFailures(logging.Filter):
    """The cel package logs every failing Python helper; partyflow reports those failures
    itself (a refusal at run time, a problem at load time), so the log line is noise."""

    def filter(self, record: logging.LogRecord) -> bool:
        return "Python function" not in record.getMessage()


logging.getLogger("cel").addFilter(_QuietHelperFailures())

def within(since: Any, period: str) -> bool:
    """``within(last_home_report, "mobile_report_every")``: the step's moment is on or before
    the last day of the period named by ``period`` (a duration parameter or input), counted
    from the date ``since`` by the rules' calendar (RULES.md C1–C3). The engine binds the
    working version per step (``partyflow.workflows.conditions``); this one type-checks a
    condition at load time."""
    return isinstance(period, str)


CALENDAR_FUNCTIONS = frozenset({"within"})
"""Helpers whose result depends on the rules' calendar and the step's moment: bound per step."""

FUNCTIONS: Mapping[str, Callable[..., Any]] = {
    "within": within,
    "exceeds": exceeds,
    "at_least": at_least,
    "blank": blank,
    # elections (partyflow.rules.voting): vote counting, RULES.md E3-E6, E9
    "slate_surplus_ok": slate_surplus_ok,
    "valid_ballot_count": valid_ballot_count,
    "votes_consistent": votes_consistent,
    "tally_outcome": tally_outcome,
    "tally_elected": tally_elected,
    "tally_tied": tally_tied,
    "trusted": trusted,
    "same_names": same_names,
    "distinct": distinct,
}


class ExpressionError(ValueError):
    """A condition does not compile; ``line`` and ``column`` are 1-based within the expression."""

    def __init__(self, detail: str, column: int, line: int = 1) -> None:
        self.detail = detail
        self.column = column
        self.line = line
        super().__init__(detail)


@dataclass(frozen=True)
class Expression:
    """A compiled CEL expression and the names it reads.

    Attributes:
        source: the text as written.
        variables: names the expression reads (inputs, parameters, ``actor``, ``now``).
        functions: names of functions it calls, standard and partyflow helpers.
    """

    source: str
    program: Any
    variables: frozenset[str]
    functions: frozenset[str]

    @cached_property
    def helpers(self) -> dict[str, Callable[..., Any]]:
        """The partyflow helper functions this expression calls, by name."""
        return {name: fn for name, fn in FUNCTIONS.items() if name in self.functions}

    def evaluate(self, context: Any) -> Any:
        """Evaluate against a mapping of names (variables and helper functions) or a Context."""
        return self.program.execute(context)


def compile_expression(source: str) -> Expression:
    """Compile ``source``; raise ``ExpressionError`` with the column of the first mistake."""
    macros = _MACRO.findall(source)
    if len(macros) > MAX_MACROS:
        raise ExpressionError(
            f"at most {MAX_MACROS} list macros (all/exists/map/filter) per condition", 1
        )
    try:
        program = cel.compile(source)
    except (ValueError, RuntimeError) as exc:
        text = str(exc)
        m = _POS.search(text)
        if m:
            detail = m.group(3).split("\n")[0].split(" expecting")[0]
            if "<EOF>" in detail:
                detail = "the expression ends too early"
            if "token recognition error" in detail:
                detail += " (names in conditions are ASCII: a-z, 0-9, _)"
            raise ExpressionError(detail, int(m.group(2)), int(m.group(1))) from None
        raise ExpressionError(text.split("\n")[0], 1) from None
    local = {name for _, name in macros}
    variables = frozenset(v for v in program.variables() if v not in local)
    # operators are reported as '_+_', '!_', '@in' …, never as plain names; a plain name with a
    # leading underscore ('__import__') is a real call and must be checked like any other
    functions = frozenset(f for f in program.functions() if _NAME.match(f))
    return Expression(source, program, variables, functions)


def make_context(variables: Mapping[str, Any]) -> dict[str, Any]:
    """The names an expression may read: ``variables`` plus partyflow's helper functions."""
    return {**variables, **FUNCTIONS}


@dataclass(frozen=True)
class MessageTemplate:
    """A zh/en message with ``{name}`` placeholders filled from the evaluation context."""

    zh: str
    en: str
    names: frozenset[str]

    @property
    def text(self) -> Text:
        """The message as written, placeholders unfilled."""
        return Text(self.zh, self.en)

    def render(self, values: Mapping[str, Any]) -> Text:
        """Fill placeholders; a missing value shows as ``?``."""

        def fill(template: str) -> str:
            def one(m: re.Match[str]) -> str:
                value = values.get(m.group(1).strip())
                return "?" if value is None else _show(value)

            return _PLACEHOLDER.sub(one, template)

        return Text(fill(self.zh), fill(self.en))


def _show(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if hasattr(value, "isoformat"):
        return str(value.isoformat())[:10] if getattr(value, "hour", 0) == 0 else value.isoformat()
    return str(value)


def parse_template(message: Text) -> MessageTemplate:
    """Parse a message; raise ``ValueError`` on a placeholder that is not a plain name."""
    names: set[str] = set()
    for text in (message.zh, message.en):
        for m in _PLACEHOLDER.finditer(text):
            name = m.group(1).strip()
            if not _NAME.match(name):
                raise ValueError(f"placeholder {{{m.group(1)}}} is not a plain name")
            names.add(name)
    return MessageTemplate(message.zh, message.en, frozenset(names))

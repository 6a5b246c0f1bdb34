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

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from fractions import Fraction
from typing import Any

import cel

from partyflow.errors import Text

MAX_MACROS = 2
_MACRO = re.compile(r"\.\s*(all|exists_one|exists|map|filter)\s*\(\s*([A-Za-z_][A-Za-z0-9_]*)\s*,")
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


def _ratio(value: Any) -> Fraction:
    if isinstance(value, str):
        num, _, den = value.partition("/")
        return Fraction(int(num), int(den))
    if isinstance(value, int | float) and not isinstance(value, bool):
        return Fraction(value).limit_denominator(10_000)
    raise ValueError(f"not a ratio: {value!r}")


def exceeds(count: int, total: int, ratio: Any) -> bool:
    """超过: ``count`` is strictly more than ``ratio`` of ``total`` (exact arithmetic)."""
    return Fraction(count) > _ratio(ratio) * total


def at_least(count: int, total: int, ratio: Any) -> bool:
    """以上/不少于: ``count`` is at least ``ratio`` of ``total`` (exact arithmetic)."""
    return Fraction(count) >= _ratio(ratio) * total


def blank(text: Any) -> bool:
    """True when ``text`` is missing, empty or only whitespace (a required reason not given)."""
    return text is None or (isinstance(text, str) and not text.strip())


FUNCTIONS: Mapping[str, Callable[..., Any]] = {
    "exceeds": exceeds,
    "at_least": at_least,
    "blank": blank,
}


class ExpressionError(ValueError):
    """A condition does not compile; ``column`` is 1-based within the expression."""

    def __init__(self, detail: str, column: int) -> None:
        self.detail = detail
        self.column = column
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

    def evaluate(self, context: Any) -> Any:
        """Evaluate against a ``cel.Context`` (or a plain mapping without helper functions)."""
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
            raise ExpressionError(detail, int(m.group(2))) from None
        raise ExpressionError(text.split("\n")[0], 1) from None
    local = {name for _, name in macros}
    variables = frozenset(v for v in program.variables() if v not in local)
    functions = frozenset(f for f in program.functions() if _NAME.match(f) and f[0] != "_")
    return Expression(source, program, variables, functions)


def make_context(variables: Mapping[str, Any]) -> Any:
    """A ``cel.Context`` holding ``variables`` and partyflow's helper functions."""
    ctx = cel.Context(dict(variables))
    for name, fn in FUNCTIONS.items():
        ctx.add_function(name, fn)
    return ctx


@dataclass(frozen=True)
class MessageTemplate:
    """A zh/en message with ``{name}`` placeholders filled from the evaluation context."""

    zh: str
    en: str
    names: frozenset[str]

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


def parse_template(zh: str, en: str) -> MessageTemplate:
    """Parse a message; raise ``ValueError`` on a placeholder that is not a plain name."""
    names: set[str] = set()
    for text in (zh, en):
        for m in _PLACEHOLDER.finditer(text):
            name = m.group(1).strip()
            if not _NAME.match(name):
                raise ValueError(f"placeholder {{{m.group(1)}}} is not a plain name")
            names.add(name)
    return MessageTemplate(zh, en, frozenset(names))

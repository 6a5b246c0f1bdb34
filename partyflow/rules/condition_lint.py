"""Conditions that compile but can never mean what they say (load-time, on the source text).

CEL evaluates ``full_members == "9"`` to false rather than refusing it, so a comparison of an
input with a literal of another type, or a membership test against a list of them, would
fail silently for ever. Index access on ``actor`` or ``event`` (``actor["__class__"]``,
``dyn(actor).x``) would step past the check of their field names, and a literal regular
expression that does not compile would fail only when a step is fired. Each is reported here
with what to write instead.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping

from partyflow.rules.ratios import ratio_terms

_TOKEN = re.compile(r"""
    (?P<str>[rR]?"(?:[^"\\\n]|\\.)*"|[rR]?'(?:[^'\\\n]|\\.)*')
  | (?P<num>\d+(?:\.\d+)?(?:[eE][+-]?\d+)?u?)
  | (?P<name>[A-Za-z_][A-Za-z0-9_]*)
  | (?P<op>==|!=|<=|>=|&&|\|\||[<>!?:.,()\[\]{}+\-*/%])
  | (?P<space>\s+)
""", re.X)
_COMPARE = frozenset({"==", "!="})  # silently false; < and > across types fail at load
# already (the sample evaluation raises), so only equality and membership are checked here
_KIND_OF_LITERAL = {"str": "str", "num": "number", "true": "bool", "false": "bool"}
_ACCEPTS = {  # input/parameter type → literal kinds it can be compared with
    "int": {"number"}, "float": {"number"}, "ratio": {"number"}, "bool": {"bool"},
    "str": {"str"}, "enum": {"str"}, "org": {"str"},
    "date": set(), "duration": set(),  # compared with timestamps and durations, never literals
}
_TYPE_TEXT = {"number": ("数字", "a number"), "str": ("文字", "text"), "bool": ("真/假值",
                                                                         "true/false")}


def tokens(source: str) -> list[tuple[str, str]]:
    out: list[tuple[str, str]] = []
    pos = 0
    while pos < len(source):
        m = _TOKEN.match(source, pos)
        if m is None:  # a character the lexer does not know: leave it to the compiler
            return out
        pos = m.end()
        kind = m.lastgroup or ""
        if kind != "space":
            text = m.group()
            out.append(("literal_bool" if text in ("true", "false") and kind == "name"
                        else kind, text))
    return out


def _literal_kind(tok: tuple[str, str]) -> str | None:
    kind = tok[0]
    if kind == "str":
        return "str"
    if kind == "num":
        return "number"
    if kind == "literal_bool":
        return "bool"
    return None


def _field_at(toks: list[tuple[str, str]], i: int, types: Mapping[str, str]) -> str | None:
    """The input or parameter a name token at ``i`` stands for (``x`` or ``event.x``), when it
    is a plain value (not called, indexed or a field of something else)."""
    kind, text = toks[i]
    if kind != "name" or text not in types:
        return None
    if i >= 1 and toks[i - 1] == ("op", ".") and not (
            i >= 2 and toks[i - 2] == ("name", "event")):
        return None
    nxt = toks[i + 1][1] if i + 1 < len(toks) else ""
    if nxt in ("(", "[", "."):
        return None
    return text


def lint(source: str, types: Mapping[str, str]) -> Iterator[tuple[str, str, str]]:
    """Each problem in ``source`` as ``(type, zh, en)``; ``types`` maps input and parameter
    names to their declared types."""
    toks = tokens(source)
    for i, (kind, text) in enumerate(toks):
        if kind == "op" and text in _COMPARE and 0 < i < len(toks) - 1:
            for a, b in ((i - 1, i + 1), (i + 1, i - 1)):
                name = _field_at(toks, a, types)
                lit = _literal_kind(toks[b])
                if name is not None and lit is not None and lit not in _ACCEPTS.get(
                        types[name], {lit}):
                    yield _mismatch(name, types[name], text, toks[b][1], lit)
        if kind == "name" and text == "in" and 0 < i < len(toks) - 1 \
                and toks[i + 1] == ("op", "["):
            name = _field_at(toks, i - 1, types)
            if name is not None:
                j = i + 2
                while j < len(toks) and toks[j] != ("op", "]"):
                    lit = _literal_kind(toks[j])
                    if lit is not None and lit not in _ACCEPTS.get(types[name], {lit}):
                        yield _mismatch(name, types[name], "in", toks[j][1], lit)
                        break
                    j += 1
    for i, (kind, text) in enumerate(toks):
        if kind == "name" and text in ("actor", "event") and i + 1 < len(toks) \
                and toks[i + 1] == ("op", "[") and not (i and toks[i - 1] == ("op", ".")):
            yield ("context_index", f"{text}[…] 的写法绕过了字段检查：请写 {text}.字段名（如 "
                   f"{'actor.role' if text == 'actor' else 'event.reason'}）",
                   f"{text}[…] steps past the check of its field names: write {text}.field "
                   f"(e.g. {'actor.role' if text == 'actor' else 'event.reason'})")
        if kind == "name" and text == "dyn" and toks[i + 1:i + 3] in (
                [("op", "("), ("name", "actor")], [("op", "("), ("name", "event")]):
            who = toks[i + 2][1]
            yield ("context_index", f"dyn({who}) 绕过了字段检查：请直接写 {who}.字段名",
                   f"dyn({who}) steps past the check of its field names: write {who}.field")
        if kind == "name" and text == "within" and i + 1 < len(toks) \
                and toks[i + 1] == ("op", "("):
            yield from _within_problems(toks, i, types)
        if kind == "name" and text in ("exceeds", "at_least") and i + 1 < len(toks) \
                and toks[i + 1] == ("op", "("):
            yield from _ratio_problems(toks, i)
        if kind == "name" and text == "matches":
            pattern = _pattern_after(toks, i)
            if pattern is not None:
                problem = _regex_problem(pattern)
                if problem is not None:
                    yield ("regex_invalid", f"正则表达式 {pattern!r} 无效：{problem[0]}",
                           f"the regular expression {pattern!r} is invalid: {problem[1]}")


def _within_problems(toks: list[tuple[str, str]], i: int,
                     types: Mapping[str, str]) -> Iterator[tuple[str, str, str]]:
    """``within(date, "period")``: a date input first, the name of a duration second."""
    depth, j, comma = 0, i + 1, None
    while j < len(toks):
        if toks[j][1] in ("(", "["):
            depth += 1
        elif toks[j][1] in (")", "]"):
            depth -= 1
            if depth == 0:
                break
        elif toks[j] == ("op", ",") and depth == 1 and comma is None:
            comma = j
        j += 1
    args_ok = comma is not None and j == comma + 2 and toks[comma + 1][0] == "str"
    name = _unquote(toks[comma + 1][1]) if args_ok and comma is not None else None
    first = toks[i + 2] if i + 2 < len(toks) else ("", "")
    if name is None or types.get(name) != "duration" or not (
            first[0] == "name" and types.get(first[1]) == "date" and comma == i + 3):
        yield ("within_arguments",
               "within 的写法是 within(日期字段, \"期限参数名\")，如 within(last_home_report, "
               "\"mobile_report_every\")：第一个是 date 类型的字段，第二个是加引号的 duration 参数或字段名",
               "write within(date_field, \"period_name\"), e.g. within(last_home_report, "
               "\"mobile_report_every\"): a date input, then the quoted name of a duration "
               "parameter or input")


def _mismatch(name: str, kind: str, op: str, literal: str, lit: str) -> tuple[str, str, str]:
    lzh, len_ = _TYPE_TEXT[lit]
    return ("type_mismatch",
            f"“{name}” 是 {kind} 类型，却与{lzh} {literal} 比较（{op}）：类型不同时结果永远为假，"
            "请写成同一类型（如数字不加引号）",
            f"'{name}' (type {kind}) is compared ({op}) with {len_} {literal}: values of different "
            "types never compare equal, so this is always false; write the same type (e.g. a "
            "number without quotes)")


def _ratio_problems(toks: list[tuple[str, str]], i: int) -> Iterator[tuple[str, str, str]]:
    """A literal ratio of ``exceeds(count, total, "4/5")`` / ``at_least(…)`` reads as n/d,
    d > 0 (a parameter of type ratio is checked where it is declared)."""
    depth, j = 0, i + 1
    while j < len(toks):
        kind, text = toks[j]
        if text in ("(", "["):
            depth += 1
        elif text in (")", "]"):
            depth -= 1
            if depth == 0:
                return
        elif kind == "str" and depth == 1:
            literal = _unquote(text)
            try:
                ratio_terms(literal)
            except ValueError:
                yield ("ratio_invalid",
                       f"{toks[i][1]}() 的比例 {literal!r} 无效：应写作“分子/分母”，分母大于 0（如 \"4/5\"）",
                       f"the ratio {literal!r} of {toks[i][1]}() is invalid: write it as "
                       "numerator/denominator with a denominator above 0 (e.g. \"4/5\")")
        j += 1


def _pattern_after(toks: list[tuple[str, str]], i: int) -> str | None:
    """The literal pattern of ``x.matches("…")`` or ``matches(x, "…")``."""
    if i + 2 < len(toks) and toks[i + 1] == ("op", "(") and toks[i + 2][0] == "str":
        tok = toks[i + 2]
        if i + 3 < len(toks) and toks[i + 3] == ("op", ")") and i and toks[i - 1] == ("op", "."):
            return _unquote(tok[1])
    if i + 4 < len(toks) and toks[i + 1] == ("op", "(") and toks[i + 3] == ("op", ",") \
            and toks[i + 4][0] == "str":
        return _unquote(toks[i + 4][1])
    return None


def _unquote(literal: str) -> str:
    raw = literal[:1] in "rR"
    body = literal[2:-1] if raw else literal[1:-1]
    if raw:
        return body
    return re.sub(r"\\(.)", lambda m: {"n": "\n", "t": "\t"}.get(m.group(1), m.group(1))
                  if m.group(1) not in "dDwWsSbB.[](){}*+?|^$\\" else m.group(0), body)


def _regex_problem(pattern: str) -> tuple[str, str] | None:
    if re.search(r"\(\?[=!<]|\\[1-9]", pattern):
        return ("前瞻、后顾和反向引用不受支持（RE2）",
                "look-around and back-references are not supported (RE2)")
    try:
        re.compile(pattern)
    except re.error as exc:
        return (str(exc), str(exc))
    return None


__all__ = ["lint"]

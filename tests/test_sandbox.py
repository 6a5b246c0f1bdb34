"""Conditions are CEL: no way out to Python, bounded work, exact threshold helpers.

An escape attempt must be refused in one of three ways: it does not compile
(``ExpressionError``), the loader reports it as a problem, or it raises when evaluated —
and in every case nothing outside the expression happens.
"""

from __future__ import annotations

import os
import resource
import subprocess
import sys
import time
from fractions import Fraction
from pathlib import Path
from typing import Any

import cel
import pytest
import yaml

from partyflow.rules.definitions import InputDef, Label
from partyflow.rules.expressions import (
    MAX_MACROS,
    ExpressionError,
    at_least,
    compile_expression,
    exceeds,
    make_context,
)
from partyflow.rules.loader import check_rules_text, load_rules_text

MINI = Path(__file__).resolve().parent / "fixtures" / "mini.yaml"
EXPR_PATH = "procedures.mini_election.transitions[0].conditions[0].expr"
INT64_MAX = 2**63 - 1


@pytest.fixture(autouse=True)
def no_processes(monkeypatch: pytest.MonkeyPatch) -> list[Any]:
    """Fail loudly if anything tries to run a command while a condition is handled."""
    calls: list[Any] = []

    def spy(*args: Any, **kwargs: Any) -> Any:
        calls.append(args)
        raise AssertionError(f"a condition ran a command: {args!r}")

    for name in ("system", "popen", "execv", "execve", "fork"):
        monkeypatch.setattr(os, name, spy)
    monkeypatch.setattr(subprocess, "Popen", spy)
    return calls


def _rules_with(expr: str) -> str:
    """mini.yaml with the first condition replaced by ``expr`` (YAML-quoted as needed)."""
    data = yaml.safe_load(MINI.read_text(encoding="utf-8"))
    data["procedures"]["mini_election"]["transitions"][0]["conditions"][0]["expr"] = expr
    return yaml.safe_dump(data, allow_unicode=True, sort_keys=False, width=10_000)


def _problems(expr: str) -> list[tuple[str, str]]:
    return [(p.type, p.path) for p in check_rules_text(_rules_with(expr), "sandbox.yaml")]


def _evaluate(expr: str, **values: Any) -> Any:
    return compile_expression(expr).evaluate(make_context(values))


def test_the_helper_fixture_itself_loads() -> None:
    """The rewritten file is valid with the original condition: failures below are real."""
    assert _problems("exceeds(present, expected, election_quorum)") == []


# -- refused at compile time ------------------------------------------------------------------


@pytest.mark.parametrize("source", [
    "import os",
    "from os import system",
    "2 ** 1000",
    "x = 1",
    "x := 1",
    "lambda: 1",
    "def f(): 1",
    "for x in y",
    "while true",
    "x; y",
    "a if b else c",
    "9223372036854775808 > 0",  # an integer literal beyond 64 bits
])
def test_python_syntax_does_not_compile(source: str) -> None:
    with pytest.raises(ExpressionError) as info:
        compile_expression(source)
    assert info.value.detail
    assert 1 <= info.value.column <= len(source)


def test_power_operator_is_refused_where_it_is_written() -> None:
    with pytest.raises(ExpressionError) as info:
        compile_expression("2 ** 1000")
    assert info.value.column == 4  # the second '*'
    assert _problems("present ** 1000 > 0") == [("condition_syntax", EXPR_PATH)]


# -- caught by the loader ---------------------------------------------------------------------


@pytest.mark.parametrize(("expr", "names"), [
    ("exec('1') == 1", {"exec"}),
    ("eval('1 + 1') == 2", {"eval"}),
    ("open('/etc/passwd') != ''", {"open"}),
    ("__import__('os').system('touch /tmp/pwned') == 0", {"__import__", "system"}),
    ("getattr(actor, '__class__') == ''", {"getattr"}),
    ("globals() != {}", {"globals"}),
    ("reason.__len__() > 0", {"__len__"}),
    ("compile('1', 'x', 'eval') == 1", {"compile"}),
])
def test_python_builtins_are_unknown_functions(expr: str, names: set[str]) -> None:
    problems = check_rules_text(_rules_with(expr), "sandbox.yaml")
    assert {p.type for p in problems} == {"unknown_function"}
    assert {p.ctx["name"] for p in problems} == names
    assert {p.path for p in problems} == {EXPR_PATH}
    with pytest.raises(Exception, match="Undefined variable or function"):
        _evaluate(expr, actor={"id": "x"}, reason="r")


@pytest.mark.parametrize("expr", [
    "reason.__class__ == 'str'",
    "present.__class__ == 1",
    "held_on.__class__ == 1",
    "actor.id.__class__.__bases__ == 1",
    "'a' * 100000000 == ''",
])
def test_attribute_walks_on_values_are_type_errors_at_load(expr: str) -> None:
    assert _problems(expr) == [("condition_type", EXPR_PATH)]


def test_dunder_keys_on_maps_are_refused() -> None:
    """``actor`` has three fields: anything else is a load-time problem; an index raises."""
    problems = check_rules_text(_rules_with("actor.__class__ == 'x'"), "dunder.yaml")
    assert [(p.type, p.ctx["name"]) for p in problems] == [("unknown_name", "actor.__class__")]
    actor = {"id": "x", "role": "secretary", "org": "o"}
    with pytest.raises(Exception, match="__"):
        compile_expression("actor['__globals__'] == 'x'").evaluate(make_context({"actor": actor}))


@pytest.mark.parametrize("expr", ["x.__class__", "x.__class__.__mro__", "x.__dict__"])
def test_attribute_walks_raise_at_evaluation(expr: str) -> None:
    for value in ("text", 1, {"y": 1}, [1, 2]):
        with pytest.raises((TypeError, KeyError, ValueError, RuntimeError)):
            _evaluate(expr, x=value)


def test_python_objects_never_reach_an_expression() -> None:
    class Evil:
        def __getattr__(self, name: str) -> Any:
            raise AssertionError(f"attribute {name} was read")

    with pytest.raises(ValueError, match="Conversion"):
        _evaluate("x.anything == 1", x=Evil())
    with pytest.raises(ValueError, match="Conversion"):
        _evaluate("x == 1", x=os)


# -- bounded work -----------------------------------------------------------------------------


def test_huge_string_fails_fast_without_allocating() -> None:
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    start = time.perf_counter()
    with pytest.raises(TypeError, match="string \\* int"):
        _evaluate('"a" * 100000000 == ""')
    with pytest.raises(TypeError):
        _evaluate("s * n == ''", s="a", n=100_000_000)
    assert time.perf_counter() - start < 1
    grown_kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before
    if sys.platform == "darwin":  # bytes there, kilobytes on Linux
        grown_kb //= 1024
    assert grown_kb < 50 * 1024  # 100 million characters would be at least ~100 MB


@pytest.mark.parametrize(("expr", "values"), [
    ("9223372036854775807 + 1 > 0", {}),
    ("-9223372036854775807 - 2 < 0", {}),
    ("n + 1 > n", {"n": INT64_MAX}),
    ("n * n > 0", {"n": 2**40}),
    ("n * n * n * n * n > 0", {"n": 10_000}),
    ("(-9223372036854775807 - 1) / -1 > 0", {}),
    ("18446744073709551615u + 1u > 0u", {}),
    ("int(1e19) > 0", {}),
])
def test_integer_overflow_raises_instead_of_wrapping(expr: str, values: dict[str, Any]) -> None:
    with pytest.raises(OverflowError):
        _evaluate(expr, **values)


def test_largest_integers_still_compute_exactly() -> None:
    assert _evaluate("n - 1 == 9223372036854775806", n=INT64_MAX) is True
    assert _evaluate("-n - n == -9223372036854775807 - 1", n=2**62) is True


@pytest.mark.xfail(strict=True, raises=AssertionError,
                   reason="the cel library negates INT64_MIN to itself instead of raising")
def test_negating_the_smallest_integer_raises() -> None:
    try:
        result = _evaluate("-(-9223372036854775807 - 1)")
    except OverflowError:
        return
    raise AssertionError(f"wrapped to {result}")


def test_int_inputs_beyond_64_bits_are_refused_before_any_condition() -> None:
    spec = InputDef("n", "int", Label("数", "N"))
    assert spec.coerce(INT64_MAX) == INT64_MAX
    assert spec.coerce(-(2**63)) == -(2**63)
    for value in (2**63, -(2**63) - 1, 10**30):
        with pytest.raises(ValueError) as info:
            spec.coerce(value)
        assert "out of range" in info.value.args[0].en


def _nested(depth: int, macro: str = "all") -> str:
    body = "true"
    for i in reversed(range(depth)):
        body = f"[1, 2].{macro}(v{i}, {body})"
    return body


def test_nested_macros_up_to_the_limit_are_allowed() -> None:
    assert MAX_MACROS == 2
    assert _evaluate(_nested(MAX_MACROS)) is True
    assert _evaluate("[1].map(a, a + 1) == [2] && [3].filter(b, b > 2) == [3]") is True


@pytest.mark.parametrize("source", [
    _nested(MAX_MACROS + 1),
    _nested(MAX_MACROS + 1, "exists"),
    _nested(MAX_MACROS + 1, "exists_one"),
    _nested(MAX_MACROS + 1, "existsOne"),
    _nested(MAX_MACROS + 1, "map"),
    _nested(MAX_MACROS + 1, "filter"),
    _nested(8),
    "[1].all(a, true) && [1].all(b, true) && [1].all(c, true)",  # not nested, still counted
    # comments and line breaks between the tokens do not hide a macro
    "[1].all(//\na, [1].all(//\nb, [1].all(//\nc, true)))",
    "[1]\n  .all(\n a\n ,[1].exists( b ,[1] . map ( c , c ) == [1]))",
])
def test_more_than_max_macros_is_refused(source: str) -> None:
    cel.compile(source)  # valid CEL: only partyflow's own bound refuses it
    with pytest.raises(ExpressionError, match=f"at most {MAX_MACROS} list macros"):
        compile_expression(source)


def test_too_many_macros_is_a_load_problem() -> None:
    (p,) = check_rules_text(_rules_with(_nested(3, "existsOne")), "m.yaml")
    assert (p.type, p.path) == ("condition_syntax", EXPR_PATH)
    assert "at most 2" in p.text.en


def test_expressions_longer_than_1000_characters_are_refused_by_the_schema() -> None:
    def of_length(n: int) -> str:
        expr = "present >= 0" + " " * (n - len("present >= 0"))
        assert len(expr) == n
        return expr

    assert _problems(of_length(1000)) == []
    problems = check_rules_text(_rules_with(of_length(1001)), "long.yaml")
    assert [(p.type, p.path) for p in problems] == [("string_too_long", EXPR_PATH)]
    assert "1000" in problems[0].text.en
    huge = "present >= 0 && " * 10_000 + "true"
    assert [p.type for p in check_rules_text(_rules_with(huge), "huge.yaml")] == [
        "string_too_long"
    ]


# -- threshold helpers ------------------------------------------------------------------------


@pytest.mark.parametrize(("count", "total", "ratio", "strictly_more", "at_least_"), [
    (31, 40, "4/5", False, False),
    (32, 40, "4/5", False, True),  # exactly 4/5: not 超过, but 以上
    (33, 40, "4/5", True, True),
    (0, 0, "4/5", False, True),
    (1, 2, "1/2", False, True),
    (2, 3, "1/2", True, True),
    (3, 30, "1/10", False, True),  # 30 × 0.1 is 3.0000000000000004 in floating point
    (4, 30, "1/10", True, True),
    (2, 3, "2/3", False, True),
    (3, 4, "2/3", True, True),
    (3, 30, 0.1, False, True),  # a float ratio is read as the decimal it prints as: 1/10
    (32, 40, 0.8, False, True),
    (2, 3, 2 / 3, True, True),  # 0.6666666666666666 is a little less than 2/3
    (8, 10, " 4 / 5 ", False, True),
])
def test_exceeds_and_at_least_on_both_sides_of_the_boundary(
    count: int, total: int, ratio: Any, strictly_more: bool, at_least_: bool
) -> None:
    assert exceeds(count, total, ratio) is strictly_more
    assert at_least(count, total, ratio) is at_least_
    exact = Fraction(count) - Fraction(str(ratio).replace(" ", "")) * total
    assert strictly_more == (exact > 0)
    assert at_least_ == (exact >= 0)
    # the same through CEL, as a condition calls them
    values = {"c": count, "t": total, "r": ratio}
    assert _evaluate("exceeds(c, t, r)", **values) is strictly_more
    assert _evaluate("at_least(c, t, r)", **values) is at_least_


@pytest.mark.parametrize("ratio", ["abc", "1/0", "-1/2", True, None, [4, 5]])
def test_helpers_refuse_what_is_not_a_ratio(ratio: Any) -> None:
    with pytest.raises((ValueError, TypeError)):
        exceeds(1, 2, ratio)
    with pytest.raises((ValueError, TypeError)):
        at_least(1, 2, ratio)


def test_helpers_on_the_real_quorum_condition() -> None:
    rules = load_rules_text(MINI.read_text(encoding="utf-8"), "mini.yaml")
    proc = rules.procedures["mini_election"]
    cond = proc.transitions[0].conditions[0]
    quorum = proc.cel_parameters["election_quorum"]
    for present, expected in ((32, False), (33, True)):
        ctx = make_context({"present": present, "expected": 40, "election_quorum": quorum})
        assert cond.expression.evaluate(ctx) is expected

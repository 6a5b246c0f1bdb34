"""Property tests: whatever the text, loading raises only RulesError, with well-formed problems.

Inputs are arbitrary text, arbitrary YAML trees, and mutations of ``fixtures/mini.yaml`` (a line
deleted, a character replaced, a YAML token inserted, a subtree replaced by a random value).
Each test runs at most 300 examples so the file stays fast.
"""

from __future__ import annotations

import copy
import datetime as dt
import re
from pathlib import Path
from typing import Any

import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from partyflow import Duration, PartyflowError, RulesError, check_rules_text, load_rules_text

MINI = Path(__file__).resolve().parent / "fixtures" / "mini.yaml"
MINI_TEXT = MINI.read_text(encoding="utf-8")
MINI_LINES = MINI_TEXT.splitlines(keepends=True)
MINI_DATA = yaml.safe_load(MINI_TEXT)
FILE = "fuzz.yaml"
SLUG = re.compile(r"^[a-z][a-z0-9_]*$")
HAN = re.compile(r"[\u4e00-\u9fff]")

FAST = settings(max_examples=300, deadline=None,
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
# reading mini.yaml with PyYAML costs ~10 ms, so its mutations run fewer examples
SLOWER = settings(FAST, max_examples=100)

# words of the rules format, so random trees often reach the schema and semantic checks
KEYS = [
    "version", "roles", "procedures", "title", "initial", "start_roles", "parameters", "inputs",
    "states", "transitions", "trigger", "source", "dest", "conditions", "expr", "message",
    "basis", "label", "zh", "en", "terminal", "deadline", "on_timeout", "type", "value",
    "values", "items", "min", "max", "max_length", "default", "note",
]
WORDS = [
    "int", "float", "bool", "str", "date", "duration", "ratio", "enum", "list", "P30D", "P1M",
    "4/5", "secretary", "convened", "voted", "approved", "vote", "approve", "present > 3",
    "exceeds(present, expected, election_quorum)", "start", "now", "actor.role == 'x'",
    "no", "on", "010", "Bad", "x：y", "*", "&a", "!!python/name:os.system", "{present}",
]
TOKENS = [
    ":", ": ", "：", "- ", "-", "{", "}", "[", "]", ",", "#", "&a ", "*a", "!!python/name:os.system ",
    "!!str ", "|", ">", '"', "'", "\t", "\n", "  ", "? ", "<<: ", "no", "010", "1.10", "~",
    "%YAML 1.1\n", "---\n", "...\n", "@", "`", "\\", "\ufeff", "\u2028", "\x85", "中",
]

scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.floats(),
    st.text(max_size=12),
    st.dates(min_value=dt.date(1, 1, 1)),
    st.sampled_from(WORDS),
    st.sampled_from(KEYS),
)
keys = st.one_of(st.sampled_from(KEYS), st.sampled_from(WORDS), st.text(max_size=8),
                 st.integers(-3, 3), st.booleans())
trees = st.recursive(
    scalars,
    lambda children: st.one_of(
        st.lists(children, max_size=4),
        st.dictionaries(keys, children, max_size=5),
    ),
    max_leaves=25,
)
rule_like = st.fixed_dictionaries(
    {},
    optional={
        "version": st.one_of(st.sampled_from(["1", "2026.1"]), scalars),
        "roles": st.one_of(
            st.dictionaries(st.sampled_from(["secretary", "member", "Bad"]),
                            st.one_of(st.just({"zh": "书记", "en": "Secretary"}), trees),
                            max_size=3),
            trees,
        ),
        "procedures": st.one_of(st.dictionaries(st.sampled_from(["p", "q", "Bad"]), trees,
                                                max_size=2), trees),
        "extra": trees,
    },
)


def _dump(data: Any) -> str:
    return yaml.safe_dump(data, allow_unicode=True, sort_keys=False)


def _paths(data: Any, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    out = [prefix]
    if isinstance(data, dict):
        for k, v in data.items():
            out += _paths(v, (*prefix, k))
    elif isinstance(data, list):
        for i, v in enumerate(data):
            out += _paths(v, (*prefix, i))
    return out


MINI_PATHS = _paths(MINI_DATA)[1:]


def _replace(data: Any, path: tuple[Any, ...], value: Any) -> Any:
    data = copy.deepcopy(data)
    parent = data
    for part in path[:-1]:
        parent = parent[part]
    parent[path[-1]] = value
    return data


def _assert_well_formed(text: str) -> None:
    """Load ``text``; only RulesError may come out, and its problems must be usable."""
    try:
        checked = check_rules_text(text, FILE)
    except PartyflowError as exc:  # allowed, though check_rules_text should return problems
        assert isinstance(exc, RulesError)
        return
    try:
        load_rules_text(text, FILE)
    except RulesError as err:
        problems = list(err.problems)
    else:
        problems = []
    assert problems == checked  # both entry points agree, and checking is deterministic
    positions = [(p.line, p.column) for p in problems]
    assert positions == sorted(positions)
    n_lines = len(text.splitlines()) + 1
    for p in problems:
        assert SLUG.match(p.type), p
        assert p.file == FILE
        assert 1 <= p.line <= n_lines, p
        assert p.column >= 1, p
        assert p.text.zh.strip() and p.text.en.strip(), p
        assert HAN.search(p.text.zh), p
        assert p.format("en").startswith(f"{FILE}:{p.line}:{p.column}: {p.path}: ")


@FAST
@given(st.text())
def test_arbitrary_text(text: str) -> None:
    _assert_well_formed(text)


@FAST
@given(st.lists(st.sampled_from(TOKENS + list("abc xyz019\n")), max_size=40).map("".join))
def test_yaml_punctuation_soup(text: str) -> None:
    _assert_well_formed(text)


@FAST
@given(trees)
def test_arbitrary_yaml_trees(tree: Any) -> None:
    _assert_well_formed(_dump(tree))


@FAST
@given(rule_like)
def test_rule_shaped_yaml_trees(tree: dict[str, Any]) -> None:
    _assert_well_formed(_dump(tree))


@SLOWER
@given(st.sampled_from(range(len(MINI_LINES))))
def test_mini_with_a_line_deleted(index: int) -> None:
    lines = list(MINI_LINES)
    del lines[index]
    _assert_well_formed("".join(lines))


@SLOWER
@given(st.integers(0, len(MINI_TEXT) - 1), st.one_of(st.characters(), st.sampled_from(TOKENS)))
def test_mini_with_a_character_replaced(index: int, replacement: str) -> None:
    _assert_well_formed(MINI_TEXT[:index] + replacement + MINI_TEXT[index + 1:])


@SLOWER
@given(st.integers(0, len(MINI_TEXT)), st.sampled_from(TOKENS))
def test_mini_with_a_token_inserted(index: int, token: str) -> None:
    _assert_well_formed(MINI_TEXT[:index] + token + MINI_TEXT[index:])


@SLOWER
@given(st.sampled_from(MINI_PATHS), trees)
def test_mini_with_a_subtree_replaced(path: tuple[Any, ...], value: Any) -> None:
    _assert_well_formed(_dump(_replace(MINI_DATA, path, value)))


def test_mini_itself_is_well_formed() -> None:
    """The invariant holds on the valid file, and the mutations above start from it."""
    _assert_well_formed(MINI_TEXT)
    assert check_rules_text(MINI_TEXT, FILE) == []
    assert check_rules_text(_dump(MINI_DATA), FILE) == []


durations = st.builds(
    Duration,
    years=st.integers(0, 100_000),
    months=st.integers(0, 100_000),
    weeks=st.integers(0, 100_000),
    days=st.integers(0, 100_000),
    hours=st.integers(0, 100_000),
    minutes=st.integers(0, 100_000),
    seconds=st.integers(0, 100_000),
)


@FAST
@given(durations)
def test_duration_round_trips_through_its_text(d: Duration) -> None:
    text = str(d)
    assert Duration.parse(text) == d
    assert str(Duration.parse(text)) == text
    assert re.fullmatch(r"P(?:\d+Y)?(?:\d+M)?(?:\d+W)?(?:\d+D)?(?:T(?:\d+H)?(?:\d+M)?(?:\d+S)?)?",
                        text)


@FAST
@given(st.from_regex(r"\AP(\d{1,5}Y)?(\d{1,5}M)?(\d{1,5}W)?(\d{1,5}D)?(T(\d{1,5}H)?(\d{1,5}M)?"
                     r"(\d{1,5}S)?)?\Z"))
def test_duration_text_parses_to_its_canonical_form(text: str) -> None:
    try:
        d = Duration.parse(text)
    except ValueError:
        # only the empty forms are not durations: "P" and "P…T" with nothing after T
        assert text == "P" or text.endswith("T")
        return
    assert Duration.parse(str(d)) == d
    assert d.nominal.total_seconds() >= 0

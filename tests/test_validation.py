"""Every kind of rules-file mistake is reported with its type, exact position, path and zh/en text.

Each file in ``fixtures/invalid/`` holds one mistake (``many_errors.yaml`` holds many). The
positions asserted here are 1-based and were checked by hand against the fixture files.
"""

from __future__ import annotations

import os
import re
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path

import pytest

import partyflow
from partyflow import Problem, RulesError, check_rules_text, load_rules, load_rules_text

from .conftest import ROOT, run_cli
from .edits import edited_text

FIXTURES = Path(__file__).resolve().parent / "fixtures"
INVALID = FIXTURES / "invalid"
MINI = FIXTURES / "mini.yaml"
HAN = re.compile(r"[\u4e00-\u9fff]")


@dataclass(frozen=True)
class Case:
    """One fixture and the single problem it must produce."""

    file: str
    type: str
    line: int
    column: int
    path: str
    zh_has: tuple[str, ...] = ()
    en_has: tuple[str, ...] = ()
    # the text found at (line, column) in the fixture, proving the position points at the mistake
    at: str | None = None


CASES = [
    Case("yaml_syntax.yaml", "yaml_syntax", 7, 15, "<root>",
         ("YAML 格式错误",), ("YAML syntax error", "mapping values are not allowed"), at=":"),
    Case("duplicate_key.yaml", "duplicate_key", 12, 5, "procedures.p.initial",
         ("重复的键 initial", "第 7 行"), ("duplicate key initial", "line 7"), at="initial"),
    Case("fullwidth_colon.yaml", "fullwidth_colon", 7, 12, "<root>",
         ("全角冒号", "initial"), ("full-width colon", "'initial'"), at="："),
    Case("unknown_key.yaml", "unknown_key", 17, 9, "procedures.p.transitions[0].bassis",
         ("未知的键 “bassis”", "你是不是想写 “basis”"), ("unknown key 'bassis'", "did you mean 'basis'?"),
         at="bassis"),
    Case("wrong_type_terminal.yaml", "wrong_type", 13, 19, "procedures.p.states.b.terminal",
         ("true 或 false", "'yes'"), ("boolean", "'yes'"), at='"yes"'),
    Case("wrong_type_version.yaml", "wrong_type", 1, 10, "version",
         ("应为文字", "加引号", "1.10"), ("string", "got 1.1", "quote it"), at="1.10"),
    Case("ambiguous_bool_no.yaml", "yaml_ambiguous_bool", 13, 19, "procedures.p.states.b.terminal",
         ("true 或 false", '"no"'), ("boolean", "quote"), at="no"),
    Case("ambiguous_bool_on.yaml", "yaml_ambiguous_bool", 12, 16,
         "procedures.p.parameters.strict.value", ("真/假",), ("on would be read as a boolean",),
         at="on"),
    Case("ambiguous_number.yaml", "yaml_ambiguous_number", 12, 16,
         "procedures.p.parameters.min_members.value", ("010", "八进制"), ("010", "octal"), at="010"),
    Case("unknown_state.yaml", "unknown_state", 19, 15, "procedures.p.transitions[1].dest",
         ("“aproved”", "你是不是想写 “approved”"), ("no state named 'aproved'", "'approved'"),
         at="aproved"),
    Case("unreachable_state.yaml", "unreachable_state", 12, 7, "procedures.p.states.orphan",
         ("“orphan”", "无法到达"), ("'orphan' cannot be reached", "'a'"), at="orphan"),
    Case("dead_end.yaml", "dead_end", 12, 7, "procedures.p.states.stuck",
         ("“stuck”", "终止状态"), ("'stuck' is not terminal", "terminal: true"), at="stuck"),
    Case("terminal_has_exit.yaml", "terminal_has_exit", 11, 7, "procedures.p.states.b",
         ("终止状态 “b”", "第 17 行"), ("terminal state 'b'", "lines 17"), at="b:"),
    Case("condition_syntax_plain.yaml", "condition_syntax", 20, 23,
         "procedures.p.transitions[0].conditions[0].expr", ("语法错误",), ("syntax error", "')'"),
         at=") 3"),
    Case("condition_syntax_quoted.yaml", "condition_syntax", 20, 24,
         "procedures.p.transitions[0].conditions[0].expr", ("语法错误",), ("syntax error", "')'"),
         at=') 3"'),
    Case("condition_syntax_block.yaml", "condition_syntax", 23, 21,
         "procedures.p.transitions[0].conditions[0].expr", ("语法错误",), ("syntax error", "')'"),
         at=") 3"),
    Case("unknown_name.yaml", "unknown_name", 20, 19,
         "procedures.p.transitions[0].conditions[0].expr",
         ("“presnt”", "你是不是想写 “present”"), ("'presnt'", "did you mean 'present'?"), at="presnt"),
    Case("unknown_function.yaml", "unknown_function", 21, 19,
         "procedures.p.transitions[0].conditions[0].expr",
         ("函数 “exceed” 不存在", "“exceeds”"), ("function 'exceed'", "did you mean 'exceeds'?"),
         at="exceed("),
    Case("condition_type.yaml", "condition_type", 20, 19,
         "procedures.p.transitions[0].conditions[0].expr", ("类型不匹配",), ("type mismatch",),
         at='n > "3"'),
    Case("ambiguous_trigger.yaml", "ambiguous_trigger", 18, 9, "procedures.p.transitions[1]",
         ("“go”", "第 14 行"), ("trigger 'go' from 'a'", "line 14"), at="trigger: go"),
    Case("deadline_without_timeout.yaml", "deadline_without_timeout", 12, 19,
         "procedures.p.states.a.deadline", ("on_timeout",), ("on_timeout",), at="P30D"),
    Case("duration_format.yaml", "duration_format", 12, 19, "procedures.p.states.a.deadline",
         ("“30 days”", "ISO-8601"), ("'30 days'", "ISO-8601"), at="30 days"),
    Case("unknown_role.yaml", "unknown_role", 16, 28, "procedures.p.transitions[0].roles[1]",
         ("角色 “secretery”", "你是不是想写 “secretary”"), ("role 'secretery'", "'secretary'"),
         at="secretery"),
    Case("invalid_name.yaml", "invalid_name", 12, 7, "procedures.p.states.Bad",
         ("“Bad”", "小写"), ("name 'Bad' is invalid", "lowercase"), at="Bad:"),
    Case("missing_key.yaml", "missing_key", 13, 9, "procedures.p.transitions[0]",
         ("缺少必填的键 “dest”",), ("missing required key 'dest'",), at="trigger"),
    Case("yaml_tag.yaml", "yaml_tag", 12, 16, "procedures.p.states.b.label",
         ("标签", "python/object/apply:os.system"), ("tag", "python/object/apply:os.system"),
         at="!!python/object/apply:os.system"),
    Case("yaml_alias.yaml", "yaml_alias", 4, 10, "roles.clerk",
         ("锚点/别名",), ("anchors/aliases",), at="*who"),
]


def _problems(path: Path) -> tuple[Problem, ...]:
    with pytest.raises(RulesError) as info:
        load_rules(path)
    return info.value.problems


def _assert_bilingual(p: Problem) -> None:
    assert p.text.zh.strip(), p
    assert p.text.en.strip(), p
    assert HAN.search(p.text.zh), f"zh text has no Chinese: {p.text.zh!r}"
    assert p.text.zh != p.text.en


def test_every_fixture_has_a_case() -> None:
    on_disk = {f.name for f in INVALID.glob("*.yaml")}
    assert on_disk == {c.file for c in CASES} | {"many_errors.yaml"}


@pytest.mark.parametrize("case", CASES, ids=[c.file.removesuffix(".yaml") for c in CASES])
def test_one_problem_per_fixture(case: Case) -> None:
    path = INVALID / case.file
    problems = _problems(path)
    assert [p.type for p in problems] == [case.type], [p.format("en") for p in problems]
    p = problems[0]
    assert (p.line, p.column) == (case.line, case.column), p.format("en")
    assert p.path == case.path
    assert p.file == str(path)
    _assert_bilingual(p)
    for word in case.zh_has:
        assert word in p.text.zh, (word, p.text.zh)
    for word in case.en_has:
        assert word in p.text.en, (word, p.text.en)
    if case.at is not None:
        line = path.read_text(encoding="utf-8").splitlines()[p.line - 1]
        assert line[p.column - 1:].startswith(case.at), (line, p.column)
    # the string entry point reports the same problems as the file entry point
    text = path.read_text(encoding="utf-8")
    assert check_rules_text(text, str(path)) == list(problems)


def test_format_is_file_line_column_path_message() -> None:
    path = INVALID / "fullwidth_colon.yaml"
    (p,) = _problems(path)
    assert p.format("zh") == (
        f"{path}:7:12: <root>: “initial”后面用了全角冒号“：”，应为半角冒号“:”（后面再加一个空格）"
    )
    assert p.format("en") == (
        f"{path}:7:12: <root>: a full-width colon '：' follows 'initial'; "
        "use the ASCII colon ':' followed by a space"
    )
    path = INVALID / "unknown_state.yaml"
    (p,) = _problems(path)
    assert p.format("en") == (
        f"{path}:19:15: procedures.p.transitions[1].dest: "
        "there is no state named 'aproved'; did you mean 'approved'?"
    )
    assert p.format("zh").startswith(f"{path}:19:15: procedures.p.transitions[1].dest: 没有名为")


def test_rules_error_message_names_the_count_and_first_problem() -> None:
    path = INVALID / "dead_end.yaml"
    with pytest.raises(RulesError) as info:
        load_rules(path)
    err = info.value
    assert isinstance(err, partyflow.PartyflowError)
    assert err.message("en").startswith("the rules file has 1 problem(s); first: ")
    assert f"{path}:12:7:" in err.message("zh")
    assert err.format("en") == err.problems[0].format("en")


def test_condition_syntax_column_points_into_the_expression() -> None:
    """The column is the mistake's, whether the expression is plain, quoted or a literal block."""
    for name, expected_col in (("condition_syntax_plain.yaml", 23),
                               ("condition_syntax_quoted.yaml", 24)):
        path = INVALID / name
        (p,) = _problems(path)
        line = path.read_text(encoding="utf-8").splitlines()[p.line - 1]
        value_col = line.index("expr: ") + len("expr: ") + 1
        assert p.column == expected_col
        assert p.column > value_col  # into the expression, not at its start
        assert line[p.column - 1] == ")"
        assert p.ctx["expression"] == "n > ) 3"


def test_yaml_tag_executes_nothing(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    calls: list[object] = []

    def spy(*args: object, **kwargs: object) -> int:
        calls.append(args)
        raise AssertionError("a rules file made the loader run a command")

    monkeypatch.setattr(os, "system", spy)
    monkeypatch.setattr(subprocess, "Popen", spy)
    monkeypatch.chdir(tmp_path)
    text = (INVALID / "yaml_tag.yaml").read_text(encoding="utf-8")
    marker = tmp_path / "PWNED"
    text = text.replace("touch PWNED_PATH", f"touch {marker}")
    with pytest.raises(RulesError) as info:
        load_rules_text(text, "tag.yaml")
    assert [p.type for p in info.value.problems] == ["yaml_tag"]
    assert calls == []
    assert not marker.exists()
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("tag", [
    "!!python/object/apply:os.system ['echo hi']",
    "!!python/name:os.system",
    "!!python/object/new:subprocess.Popen [['echo', 'hi']]",
    "!!binary aGk=",
    "!custom {a: 1}",
])
def test_every_non_standard_tag_is_refused(tag: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(os, "system", lambda *a: pytest.fail("os.system called"))
    text = edited_text(MINI, ("value: P1M", f"value: {tag}"))
    problems = check_rules_text(text, "t.yaml")
    assert [p.type for p in problems] == ["yaml_tag"]
    assert problems[0].path == "procedures.mini_election.parameters.review_within.value"


def test_alias_as_key_and_billion_laughs_are_refused_quickly() -> None:
    laughs = ["a0: &a0 [lol, lol, lol, lol, lol, lol, lol, lol, lol]"]
    for i in range(1, 12):
        prev = f"*a{i - 1}"
        laughs.append(f"a{i}: &a{i} [{', '.join([prev] * 9)}]")
    start = time.perf_counter()
    problems = check_rules_text("\n".join(laughs) + "\n", "lol.yaml")
    assert time.perf_counter() - start < 5
    aliases = [p for p in problems if p.type == "yaml_alias"]
    assert len(aliases) == 11 * 9
    assert {p.line for p in aliases} == set(range(2, 13))  # each at the line of its '*'
    key_alias = "version: '1'\n&k roles: {}\n*k : {}\n"
    (p,) = [p for p in check_rules_text(key_alias, "k.yaml") if p.type == "yaml_alias"]
    assert (p.line, p.column) == (3, 1)


def test_many_errors_are_reported_together_in_file_order() -> None:
    path = INVALID / "many_errors.yaml"
    problems = _problems(path)
    got = [(p.type, p.line, p.column, p.path) for p in problems]
    assert got == [
        ("wrong_type", 1, 10, "version"),
        ("duplicate_key", 4, 3, "roles.secretary"),
        ("unknown_role", 9, 30, "procedures.election.start_roles[1]"),
        ("yaml_ambiguous_number", 13, 16, "procedures.election.parameters.min_members.value"),
        ("deadline_without_timeout", 21, 19, "procedures.election.states.convened.deadline"),
        ("yaml_ambiguous_bool", 22, 54, "procedures.election.states.voted.terminal"),
        ("unknown_state", 27, 15, "procedures.election.transitions[0].dest"),
        ("unbound_role", 28, 17, "procedures.election.transitions[0].roles[0]"),
        ("unknown_name", 30, 19, "procedures.election.transitions[0].conditions[0].expr"),
        ("condition_syntax", 37, 30, "procedures.election.transitions[1].conditions[0].expr"),
        ("missing_key", 39, 9, "procedures.election.transitions[2]"),
        ("unknown_key", 42, 9, "procedures.election.transitions[2].rolez"),
        ("unknown_role", 46, 19, "procedures.transfer.start_roles[0]"),
        ("invalid_name", 49, 7, "procedures.transfer.states.Accepted"),
        ("yaml_tag", 51, 16, "procedures.transfer.states.closed.label"),
        ("unknown_state", 56, 15, "procedures.transfer.transitions[0].dest"),
        ("unbound_role", 57, 17, "procedures.transfer.transitions[0].roles[0]"),
        ("unknown_function", 63, 19, "procedures.transfer.transitions[1].conditions[0].expr"),
    ]
    positions = [(p.line, p.column) for p in problems]
    assert positions == sorted(positions)
    assert len({p.type for p in problems}) >= 12
    for p in problems:
        _assert_bilingual(p)
    # RulesError.format lists every problem, one per line, in the same order
    assert _formatted_lines(path) == [p.format("zh") for p in problems]


def _formatted_lines(path: Path) -> list[str]:
    with pytest.raises(RulesError) as info:
        load_rules(path)
    return info.value.format("zh").splitlines()


def test_mini_fixture_loads_clean() -> None:
    text = MINI.read_text(encoding="utf-8")
    assert check_rules_text(text, str(MINI)) == []
    rules = load_rules(MINI)
    assert rules.version == "test-1"
    assert list(rules.procedures) == ["mini_election"]
    proc = rules.procedures["mini_election"]
    assert proc.initial == "convened"
    assert set(proc.states) == {"convened", "voted", "under_review", "escalated", "approved",
                                "rejected"}
    assert [t.trigger for t in proc.transitions] == ["vote", "report", "approve", "reject",
                                                     "escalate"]
    assert rules.file == str(MINI)


def test_full_width_colon_inside_text_is_not_a_mistake() -> None:
    """Chinese text uses '：' as punctuation; only a '：' typed after a key is reported."""
    text = MINI.read_text(encoding="utf-8")
    block = text.replace(
        "message: {zh: 退回必须说明理由, en: A rejection must give a reason}",
        "message:\n              zh: |\n                注意：退回必须说明理由\n"
        "                理由：不能为空\n              en: A rejection must give a reason",
    )
    assert block != text
    assert check_rules_text(block, "block.yaml") == []
    quoted = text.replace("label: {zh: 理由, en: Reason}",
                          'label: {zh: "理由\n          说明：必填", en: Reason}')
    assert quoted != text
    assert check_rules_text(quoted, "quoted.yaml") == []
    # … but after a key in plain YAML it is still reported
    typo = text.replace("        basis: B6\n", "        basis: B6\n          note： 替代值\n")
    assert typo != text
    problems = check_rules_text(typo, "typo.yaml")
    assert [(p.type, p.line, p.column) for p in problems] == [("fullwidth_colon", 22, 15)]


def test_full_width_colon_scan_is_linear_on_long_lines() -> None:
    line = "a" * 300_000 + "：" + "\n"
    start = time.perf_counter()
    problems = check_rules_text(line + "x" + " " * 300_000 + ":" + "：\n", "long.yaml")
    assert time.perf_counter() - start < 5
    (p,) = [p for p in problems if p.type == "fullwidth_colon"]  # not line 2: ':' comes first
    assert (p.line, p.column, p.ctx["key"]) == (1, 300_001, "a" * 300_000)


def test_full_width_colon_in_plain_text_is_not_a_mistake() -> None:
    """Text starting on the line after its key, continued on a second line, or a list item:
    YAML reads each as the text it is (issue: no false alarm inside text)."""
    text = MINI.read_text(encoding="utf-8")
    for shown in ("zh:\n                注意：退回必须说明理由",
                  "zh: 退回必须\n                注意：说明理由"):
        edited = edited_text(text, ("zh: 退回必须说明理由, en: A rejection must give a reason}",
                                    "PLACEHOLDER"), ("message: {PLACEHOLDER",
                                                     f"message:\n              {shown}\n"
                                                     "              en: A rejection must give "
                                                     "a reason"))
        assert check_rules_text(edited, "plain.yaml") == [], shown


def test_broken_duration_parameter_is_reported_once() -> None:
    """A deadline naming a parameter that is itself wrong does not add a second problem."""
    text = edited_text(MINI, ("value: P1M", "value: 30"))
    problems = check_rules_text(text, "p.yaml")
    assert [(p.type, p.line, p.column, p.path) for p in problems] == [
        ("duration_format", 20, 16, "procedures.mini_election.parameters.review_within.value"),
    ]
    # a deadline naming no parameter at all is still reported, with a suggestion
    text = MINI.read_text(encoding="utf-8").replace("deadline: review_within",
                                                    "deadline: review_withn")
    (p,) = check_rules_text(text, "p.yaml")
    assert (p.type, p.line, p.column) == ("duration_format", 33, 19)
    assert "did you mean 'review_within'?" in p.text.en


def test_libyaml_and_pure_python_loaders_agree_on_every_fixture() -> None:
    """The fast libyaml path must give exactly the positions and problems of the exact one."""
    from partyflow.rules import source as ys

    root = Path(__file__).resolve().parent
    files = [root.parent / "config" / "rules.yaml", *sorted((root / "fixtures").rglob("*.yaml"))]
    compared = 0
    for path in files:
        text = path.read_text(encoding="utf-8")
        if ys._ANCHOR_OR_ALIAS.search(text):
            continue  # always read by the pure-Python loader
        results = []
        for cls in (ys.PositionLoader, ys.FastPositionLoader):
            loader = cls(text, str(path))
            try:
                doc = loader.load_document()
            except Exception as exc:
                results.append(type(exc).__name__)
                continue
            finally:
                loader.dispose()
            results.append((doc.data, doc.positions, doc.key_positions, loader.text_lines,
                            [(p.type, p.line, p.column) for p in loader.problems]))
        assert results[0] == results[1], path
        compared += 1
    assert compared >= 30


# -- one label type: the schema reads {zh, en} straight into errors.Text ------------------------

CONFIG = Path(__file__).resolve().parent.parent / "config" / "rules.yaml"


def test_every_label_of_the_loaded_rules_is_a_text() -> None:
    from partyflow.errors import Text

    rules = load_rules(CONFIG)
    labels: list[object] = list(rules.roles.values())
    for proc in rules.procedures.values():
        labels.append(proc.title)
        labels += [p.label for p in proc.parameters.values()]
        labels += [i.label for i in proc.inputs.values()]
        labels += [s.label for s in proc.states.values()]
        labels += [t.label for t in proc.transitions if t.label is not None]
    assert rules.hierarchy is not None
    for lvl in rules.hierarchy.levels:
        labels += [lvl.label, lvl.duty, *(u.label for u in lvl.below)]
    labels += [std.label for std in rules.hierarchy.standards.values()]
    assert len(labels) > 100
    assert {type(label) for label in labels} == {Text}


def test_a_schema_label_is_built_from_text_or_zh_en_and_dumps_as_zh_en() -> None:
    from partyflow.errors import Text
    from partyflow.rules import schema

    assert schema.Label(zh="网格", en="Grid") == Text("网格", "Grid")
    from_text = schema.SubUnit(id="grid", label=Text("网格", "Grid"))
    from_file = schema.SubUnit.model_validate({"id": "grid", "label": {"zh": "网格", "en": "Grid"}})
    assert from_text == from_file
    assert from_file.label == Text("网格", "Grid")
    assert from_file.model_dump() == {"id": "grid", "label": {"zh": "网格", "en": "Grid"}}


@pytest.mark.parametrize(("label", "kind", "en"), [
    ("{zh: 已申请, en: Applied, fr: Demandé}", "unknown_key",
     "unknown key 'fr' (allowed: zh, en)"),
    ("{zh: 已申请, enn: Applied}", "unknown_key", "unknown key 'enn'; did you mean 'en'?"),
    ("{zh: 已申请}", "missing_key", "missing required key 'en'"),
    ("{zh: '', en: Applied}", "string_too_short", "String should have at least 1 character"),
    ("Applied", "wrong_type", "Input should be a valid dictionary or instance of Label"),
])
def test_a_broken_label_is_reported_as_before(label: str, kind: str, en: str) -> None:
    text = (FIXTURES / "mini.yaml").read_text(encoding="utf-8")
    first = "label: {zh: 到会比例, en: Quorum}"
    assert first in text
    problems = check_rules_text(text.replace(first, f"label: {label}", 1), "mini.yaml")
    assert [p.type for p in problems if p.type != "missing_key" or kind == p.type] == [kind]
    assert en in next(p.text.en for p in problems if p.type == kind)
    assert problems[0].line > 0 and problems[0].column > 0


def test_a_condition_on_event_data_the_step_does_not_accept_is_an_error() -> None:
    """``event.reason`` with ``accepts: []``: always null, so the step could never be taken."""
    text = edited_text(
        FIXTURES / "mini.yaml",
        ('          - expr: "!blank(reason)"', '          - expr: "!blank(event.reason)"'),
        ("        dest: rejected\n        roles: [superior]",
         "        dest: rejected\n        roles: [superior]\n        accepts: []"))
    problems = check_rules_text(text, "mini.yaml")
    assert [p.type for p in problems] == ["event_field_not_accepted"]
    p = problems[0]
    assert "event.reason" in p.text.zh and "accepts" in p.text.en
    assert text.splitlines()[p.line - 1].strip().startswith("- expr:")
    fixed = text.replace("accepts: []", "accepts: [reason]")
    assert check_rules_text(fixed, "mini.yaml") == []


@pytest.mark.parametrize(("expr", "kind"), [
    ('expected == "9"', "type_mismatch"),
    ('expected in ["9"]', "type_mismatch"),
    ("reason == 3", "type_mismatch"),
    ('reason != true', "type_mismatch"),
    ('held_on == "2026-01-01"', "type_mismatch"),
    ('event.expected != "40"', "type_mismatch"),
    ('actor["__class__"] == "x"', "context_index"),
    ("dyn(actor).role == 1", "context_index"),
    ('event["reason"] == "x"', "context_index"),
    ('reason.matches("[")', "regex_invalid"),
    ('matches(reason, "(")', "regex_invalid"),
    ('reason.matches("(?=a)b")', "regex_invalid"),
    ('exceeds(present, expected, "4/0")', "ratio_invalid"),
    ('at_least(present, expected, "two thirds")', "ratio_invalid"),
    ('exceeds(present, expected, "-1/2")', "ratio_invalid"),
    ('within(held_on, "expected")', "within_arguments"),
    ('within(expected, "review_within")', "within_arguments"),
    ("within(held_on, review_within)", "within_arguments"),
])
def test_a_condition_that_can_never_mean_what_it_says_is_an_error(expr: str, kind: str) -> None:
    text = edited_text(MINI, ("exceeds(present, expected, election_quorum)", expr))
    problems = check_rules_text(text, "mini.yaml")
    assert kind in [p.type for p in problems], [p.format("en") for p in problems]
    p = next(p for p in problems if p.type == kind)
    assert p.path.endswith("conditions[0].expr") and p.line == 45
    _assert_bilingual(p)


@pytest.mark.parametrize("expr", [
    "expected == 9 && reason == \"x\"", 'reason in ["a", "b"]', 'reason.matches("^[a-z]+$")',
    "present * 5 > expected * 4", 'actor.role == "secretary"', "event.present == 33",
    'within(held_on, "review_within")', 'at_least(present, expected, "2/3")',
    'exceeds(present, expected, " 4 / 5 ")',
])
def test_sound_conditions_pass_the_type_and_field_checks(expr: str) -> None:
    text = edited_text(MINI, ("exceeds(present, expected, election_quorum)", expr))
    assert check_rules_text(text, "mini.yaml") == []


def test_a_parameter_nothing_reads_is_a_warning_that_can_be_silenced(tmp_path: Path) -> None:
    text = edited_text(MINI, ("        deadline: review_within", "        deadline: P1M"))
    [w] = check_rules_text(text, "mini.yaml")
    assert (w.type, w.severity, w.line, w.path) == (
        "unused_parameter", "warning", 18, "procedures.mini_election.parameters.review_within")
    assert "reference_only" in w.text.zh and "reference_only" in w.text.en
    rules = load_rules_text(text, "mini.yaml")  # a warning does not stop the rules
    assert rules.warnings == (w,)
    silenced = edited_text(text, ("        basis: B6\n", "        basis: B6\n"
                                  "        reference_only: true\n"))
    assert check_rules_text(silenced, "mini.yaml") == []
    assert load_rules_text(silenced, "mini.yaml").warnings == ()
    path = tmp_path / "unused.yaml"
    path.write_text(text, encoding="utf-8")
    assert run_cli("validate", str(path))[0] == 0
    code, _out, errs = run_cli("validate", str(path), "--strict", "--lang", "en")
    assert code == 1 and "warning:" in errs and "review_within" in errs


def test_the_shipped_rules_have_no_warnings() -> None:
    assert load_rules(ROOT / "config" / "rules.yaml").warnings == ()


_START_ONLY_EXPECTED = ("    start_roles: [secretary]\n",
                        "    start_roles: [secretary]\n    start_accepts: [expected]\n")


def test_a_condition_on_a_field_nothing_before_it_can_set_is_an_error() -> None:
    """``vote`` reads ``present``, but the start may carry only ``expected`` and ``vote``
    accepts nothing: the step could never pass. Accepting it (or letting an earlier step or
    the start carry it) fixes it; a condition written for the null case is not flagged."""
    text = edited_text(MINI, _START_ONLY_EXPECTED,
                       ("        dest: voted\n        roles: [secretary]\n",
                        "        dest: voted\n        roles: [secretary]\n        accepts: []\n"))
    [p] = check_rules_text(text, "mini.yaml")
    assert (p.type, p.severity) == ("field_never_set", "error")
    assert p.path == "procedures.mini_election.transitions[0].conditions[0].expr"
    assert "present" in p.text.zh and "convened" in p.text.en and "accepts" in p.text.en
    assert text.splitlines()[p.line - 1].strip().startswith("- expr:")
    _assert_bilingual(p)
    assert check_rules_text(text.replace("        accepts: []\n", "        accepts: [present]\n"),
                            "mini.yaml") == []
    assert check_rules_text(edited_text(text, ("start_accepts: [expected]",
                                               "start_accepts: [expected, present]")),
                            "mini.yaml") == []
    null_aware = edited_text(text, ("exceeds(present, expected, election_quorum)",
                                    "present == null || exceeds(present, expected, "
                                    "election_quorum)"))
    assert check_rules_text(null_aware, "mini.yaml") == []


def test_an_input_nothing_can_set_is_a_warning() -> None:
    text = edited_text(
        MINI, ("    start_roles: [secretary]\n",
               "    start_roles: [secretary]\n    start_accepts: [expected, present]\n"),
        ("        roles: [secretary]\n", "        roles: [secretary]\n        accepts: []\n"),
        ("        roles: [superior]\n", "        roles: [superior]\n        accepts: [reason]\n"),
        count=None)
    [w] = check_rules_text(text, "mini.yaml")
    assert (w.type, w.severity, w.path) == ("unused_input", "warning",
                                            "procedures.mini_election.inputs.held_on")
    assert "start_accepts" in w.text.en and "start_accepts" in w.text.zh
    _assert_bilingual(w)
    assert load_rules_text(text, "mini.yaml").warnings == (w,)  # the rules still load


def test_without_start_accepts_a_field_a_step_decides_is_a_warning() -> None:
    """``approve`` is there to record the reason a condition reads; without start_accepts the
    starter could fill it in advance. Listing what the start carries silences it."""
    text = edited_text(
        MINI, ("        dest: approved\n        roles: [superior]\n",
               "        dest: approved\n        roles: [superior]\n        accepts: [reason]\n"
               "        conditions:\n          - expr: \"!blank(reason)\"\n"
               "            message: {zh: 须说明理由, en: A reason is needed}\n"))
    [w] = check_rules_text(text, "mini.yaml")
    assert (w.type, w.severity, w.path) == ("start_may_preset", "warning",
                                            "procedures.mini_election.inputs.reason")
    assert "approve" in w.text.en and "start_accepts" in w.text.zh
    fixed = edited_text(text, ("    start_roles: [secretary]\n", "    start_roles: [secretary]\n"
                               "    start_accepts: [expected, present, held_on]\n"))
    assert check_rules_text(fixed, "mini.yaml") == []


def test_start_accepts_names_inputs() -> None:
    text = edited_text(MINI, ("    start_roles: [secretary]\n", "    start_roles: [secretary]\n"
                              "    start_accepts: [expected, presnt, present]\n"))
    [p] = check_rules_text(text, "mini.yaml")
    assert (p.type, p.path) == ("unknown_name", "procedures.mini_election.start_accepts[1]")
    assert "present" in p.text.en  # the suggestion


@pytest.mark.parametrize(("old", "new", "kind"), [
    ("from_hierarchy: {org: sending_org, level: district}",
     "from_hierarchy: {org: sending_org, level: distrct}", "unknown_name"),
    ("from_hierarchy: {org: sending_org, level: district}",
     "from_hierarchy: {org: member_id, level: district}", "from_hierarchy_org"),
    ("from_hierarchy: {org: sending_org, level: district}",
     "from_hierarchy: {org: sending_org, level: district, up: 2}", "from_hierarchy_place"),
    ("from_hierarchy: {org: sending_org, up: 1, column: approves_probationary}",
     "from_hierarchy: {org: sending_org, up: 1}", "from_hierarchy_type"),
])
def test_a_fact_from_the_hierarchy_must_name_an_org_input_a_place_and_fit_its_type(
        old: str, new: str, kind: str) -> None:
    text = edited_text(ROOT / "config" / "rules.yaml", (old, new))
    problems = check_rules_text(text, "rules.yaml")
    assert [p.type for p in problems] == [kind], [p.format("en") for p in problems]
    assert "from_hierarchy" in problems[0].path and problems[0].line > 0
    _assert_bilingual(problems[0])


def test_an_input_nothing_reads_is_a_warning_unless_kept_as_a_record() -> None:
    text = edited_text(MINI, (", record_only: true}", "}"))
    [w] = check_rules_text(text, "mini.yaml")
    assert (w.type, w.severity, w.path) == ("unread_input", "warning",
                                            "procedures.mini_election.inputs.held_on")
    assert "record_only" in w.text.zh and "record_only" in w.text.en
    _assert_bilingual(w)
    read = edited_text(text, ("exceeds(present, expected, election_quorum)",
                              'within(held_on, "review_within")'))
    assert check_rules_text(read, "mini.yaml") == []


def test_the_shipped_election_would_be_caught_if_reduce_seats_accepted_nothing() -> None:
    """The defect #14 found: after a shortfall, ``reduce_seats`` read a consent count that no
    step could record. With its accepts emptied, validate names that condition."""
    text = edited_text(ROOT / "config" / "rules.yaml",
                       ("accepts: [reduction_consent_votes]", "accepts: []"), count=2)
    never = [p for p in check_rules_text(text, "rules.yaml") if p.type == "field_never_set"]
    assert {p.path.split(".")[1] for p in never} == {"two_ballot_election",
                                                     "two_recommendation_election"}
    assert all("reduction_consent_votes" in p.text.en and "shortfall" in p.text.en
               for p in never)


@pytest.mark.parametrize(("inputs", "expr", "refused"), [
    ("", "size(names.map(x, names.map(y, y))) > 0", True),     # 10⁹: 100 s per step
    ("", "names.all(x, names.exists(y, y == x))", False),      # 10⁶
    ("", "size(names.map(x, x)) > 0", False),                  # 10⁶
    ("", "size(names.filter(x, x != \"\").map(y, y)) > 0", False),
    ("", "names.exists(x, names.map(y, y).size() > 0)", True),  # 10⁹
    ("max_length: 40, ", "size(names.map(x, names.map(y, y))) > 0", False),  # 40³
])
def test_a_condition_too_costly_for_its_largest_lists_is_refused(
        inputs: str, expr: str, refused: bool) -> None:
    text = edited_text(
        MINI,
        ("      reason: {type: str,", "      names: {type: list, items: str, "
         f"{inputs}label: {{zh: 名单, en: Names}}}}\n      reason: {{type: str,"),
        ("exceeds(present, expected, election_quorum)", expr))
    kinds = [p.type for p in check_rules_text(text, "mini.yaml")]
    assert ("condition_too_costly" in kinds) is refused, kinds

"""``diff_rules`` and ``partyflow diff``: the change list between two rules files, per procedure.

Each case edits a copy of config/rules.yaml the way policy staff would, then checks the exact
change records (kind, procedure, path, old, new, basis), their wording, the Markdown for a
review, and the command's exit status (0: no changes, 1: changes, 2: a file has problems).
"""

from __future__ import annotations

import copy
import functools
import random
import re
from pathlib import Path
from typing import Any

import pytest
import yaml
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from partyflow import RuleSet, load_rules, load_rules_text
from partyflow.cli import app
from partyflow.cli import commands as cli
from partyflow.errors import Text
from partyflow.rules.diff import KINDS, Change, RulesDiff, diff_rules

from .conftest import FIXTURES, MINI, ROOT
from .edits import edited_text

CONFIG = ROOT / "config" / "rules.yaml"
POLICY = FIXTURES / "policy"
RULE_FILES = [CONFIG, MINI, FIXTURES / "letter.yaml", FIXTURES / "loop.yaml",
              FIXTURES / "authority.yaml", *sorted(POLICY.glob("*.yaml"))]

Row = tuple[str, str, tuple[str, ...], Any, Any, str | None]


@pytest.fixture(scope="module")
def config() -> RuleSet:
    return load_rules(CONFIG)


def _text() -> str:
    return CONFIG.read_text(encoding="utf-8")


def _edit(text: str, procedure: str, old: str, new: str) -> str:
    """Replace ``old`` (which must occur exactly once there) inside one procedure's block."""
    start = text.index(f"\n  {procedure}:\n")
    nxt = re.compile(r"\n  [a-z_]+:\n|\n[a-z_]+:").search(text, start + 1)
    end = nxt.start() if nxt else len(text)
    return text[:start] + edited_text(text[start:end], (old, new)) + text[end:]


def _diff(config: RuleSet, text: str) -> RulesDiff:
    return diff_rules(config, load_rules_text(text, "rules-new.yaml"))


def _rows(d: RulesDiff) -> list[Row]:
    return [(c.kind, c.procedure, c.path, c.old, c.new, c.basis) for c in d.changes]


# -- one edit at a time, on a copy of config/rules.yaml ------------------------------------------


def test_identical_files_have_no_changes(config: RuleSet) -> None:
    for other in (config, load_rules_text(_text(), "copy.yaml")):
        d = diff_rules(config, other)
        assert not d and d.changes == () and d.warnings == () and d.by_procedure() == {}
    assert diff_rules(config, config).to_markdown("en") == (
        "# Rules changes: 2026.1 → 2026.1\n\nNo changes.\n")


def test_election_quorum_parameter(config: RuleSet) -> None:
    text = _edit(_text(), "two_ballot_election", 'value: "4/5"\n        basis: E2',
                 'value: "5/6"\n        basis: E2')
    d = _diff(config, text)
    assert _rows(d) == [("parameter_changed", "two_ballot_election",
                         ("parameters", "election_quorum"), "4/5", "5/6", "E2")]
    (c,) = d.changes
    assert c.label == Text("选举有效的到会比例（超过，不含本数）",
                           "Share of those entitled who must be present (strictly more than)")
    assert c.describe("zh") == ("参数“选举有效的到会比例（超过，不含本数）”（election_quorum）："
                                "4/5 → 5/6（依据 E2）")
    assert c.describe("en") == ("Parameter 'Share of those entitled who must be present "
                                "(strictly more than)' (election_quorum): 4/5 → 5/6 (basis E2)")
    assert d.to_markdown("zh") == """\
# 规则变更：2026.1 → 2026.1

共 1 处变更，涉及 1 个部分。

## 两票制换届选举（two_ballot_election）

| 变更 | 位置 | 原值 | 新值 | 依据 | 名称 |
|---|---|---|---|---|---|
| 参数变更 | parameters.election_quorum | 4/5 | 5/6 | E2 | 选举有效的到会比例（超过，不含本数） |
"""


def test_transfer_letter_validity_moves_the_deadline(config: RuleSet) -> None:
    """The default validity of the letter (T5), which the input takes its default from
    (``default_from``): the parameter, the input's default and the deadline of
    ``letter_issued`` are each reported, from one edit."""
    text = _edit(_text(), "member_transfer", "value: P30D\n        basis: T5",
                 "value: P10D\n        basis: T5")
    text = edited_text(text, ('version: "2026.1"', 'version: "2026.2"'))
    d = _diff(config, text)
    assert _rows(d) == [
        ("version_changed", "", ("version",), "2026.1", "2026.2", None),
        ("parameter_changed", "member_transfer", ("parameters", "letter_validity"),
         "P30D", "P10D", "T5"),
        ("input_changed", "member_transfer", ("inputs", "letter_valid_for", "default"),
         "P30D", "P10D", None),
        ("deadline_changed", "member_transfer", ("states", "letter_issued", "deadline"),
         "letter_valid_for=P30D", "letter_valid_for=P10D", None),
    ]
    assert [c.describe("en") for c in d.changes][1:] == [
        "Parameter 'Default validity of the letter' (letter_validity): P30D → P10D (basis T5)",
        "Input 'Validity written on the letter' (letter_valid_for), default: P30D → P10D",
        "State 'Letter issued (managed by the sending organization until accepted)' "
        "(letter_issued), deadline: letter_valid_for=P30D → letter_valid_for=P10D",
    ]
    assert list(d.by_procedure()) == ["", "member_transfer"]


def test_receipt_deadline_from_a_parameter_carries_its_basis(config: RuleSet) -> None:
    text = _edit(_text(), "member_transfer", "value: P1M\n        basis: T7",
                 "value: P10D\n        basis: T7")
    assert _rows(_diff(config, text)) == [
        ("parameter_changed", "member_transfer", ("parameters", "receipt_within"),
         "P1M", "P10D", "T7"),
        ("deadline_changed", "member_transfer", ("states", "accepted", "deadline"),
         "receipt_within=P1M", "receipt_within=P10D", "T7"),
    ]


HOLD_STATE = "      on_hold: {label: {zh: 暂缓审批, en: On hold}}\n"
HOLD_STEPS = """\
      - trigger: hold
        source: under_review
        dest: on_hold
        roles: [street_committee]
        basis: B6
      - trigger: resume
        source: on_hold
        dest: under_review
        roles: [street_committee]
"""


def test_state_added_with_its_transitions(config: RuleSet) -> None:
    text = _edit(_text(), "branch_establishment", "      requested: {label",
                 HOLD_STATE + "      requested: {label")
    text = _edit(text, "branch_establishment", "      - trigger: elect\n",
                 HOLD_STEPS + "      - trigger: elect\n")
    d = _diff(config, text)
    assert _rows(d) == [
        ("state_added", "branch_establishment", ("states", "on_hold"), None, "on_hold", None),
        ("transition_added", "branch_establishment", ("transitions", "hold@under_review"),
         None, "on_hold", "B6"),
        ("transition_added", "branch_establishment", ("transitions", "resume@on_hold"),
         None, "under_review", None),
    ]
    assert [c.describe("zh") for c in d.changes] == [
        "新增状态“暂缓审批”（on_hold）",
        "新增步骤 hold@under_review：→ on_hold，[street_committee] 办理（依据 B6）",
        "新增步骤 resume@on_hold：→ under_review，[street_committee] 办理",
    ]


def test_state_removed_with_its_transition(config: RuleSet) -> None:
    text = _edit(_text(), "branch_establishment",
                 "      withdrawn: {label: {zh: 撤回, en: Withdrawn}, terminal: true}\n", "")
    text = _edit(text, "branch_establishment", """\
      - trigger: withdraw
        label: {zh: 撤回请示, en: Withdraw}
        source: [requested, under_review]
        dest: withdrawn
        roles: [applicant]
        accepts: []
""", "")
    d = _diff(config, text)
    assert _rows(d) == [
        ("state_removed", "branch_establishment", ("states", "withdrawn"), "withdrawn", None,
         None),
        ("transition_removed", "branch_establishment",
         ("transitions", "withdraw@requested/under_review"), "withdrawn", None, None),
    ]
    assert d.changes[0].describe("en") == "State 'Withdrawn' (withdrawn) removed"
    assert d.changes[1].describe("zh") == "删除步骤“撤回请示”（withdraw@requested/under_review）"


def test_declared_rename_is_one_change_not_a_removal(config: RuleSet) -> None:
    text = _edit(_text(), "branch_establishment",
                 "      results_filed: {label: {zh: 选举结果报批, en: Election results filed}}",
                 "      results_reported: {label: {zh: 选举结果报批, en: Election results filed},"
                 " renamed_from: results_filed}")
    text = _edit(text, "branch_establishment", "dest: results_filed", "dest: results_reported")
    text = _edit(text, "branch_establishment", "source: results_filed",
                 "source: results_reported")
    d = _diff(config, text)
    assert _rows(d) == [("state_renamed", "branch_establishment", ("states", "results_reported"),
                         "results_filed", "results_reported", None)]
    assert d.changes[0].describe("zh") == "状态 results_filed 改名为 results_reported（选举结果报批）"
    assert d.warnings == ()
    # without the declaration the same edit is a removed and an added state, and the steps
    # into and out of it change their destination and sources
    undeclared = _diff(config, text.replace(", renamed_from: results_filed", ""))
    assert [(c.kind, c.path) for c in undeclared.changes] == [
        ("state_removed", ("states", "results_filed")),
        ("state_added", ("states", "results_reported")),
        ("transition_changed", ("transitions", "file_results@elected", "dest")),
        ("transition_changed", ("transitions", "confirm@results_reported", "source")),
    ]


def test_condition_expression_change_is_condition_changed(config: RuleSet) -> None:
    text = _edit(_text(), "branch_establishment", "expr: full_members >= min_full_members",
                 "expr: full_members > min_full_members")
    d = _diff(config, text)
    assert _rows(d) == [("condition_changed", "branch_establishment",
                         ("transitions", "submit@requested", "conditions"),
                         "full_members >= min_full_members", "full_members > min_full_members",
                         "B2")]
    assert d.changes[0].describe("en") == (
        "Transition 'Submit the request' (submit@requested), condition: "
        "full_members >= min_full_members → full_members > min_full_members (basis B2)")


def test_condition_added_and_message_changed(config: RuleSet) -> None:
    text = _edit(_text(), "branch_establishment", "message: {zh: 须填写当选书记, en: The elected "
                 "secretary must be given}", "message: {zh: 须填写当选的书记, en: The elected "
                 "secretary must be named}\n          - expr: committee_size >= 0\n"
                 "            basis: B4\n            message: {zh: 人数不能为负, en: Not "
                 "negative}")
    rows = _rows(_diff(config, text))
    where = ("transitions", "elect@approved")
    assert rows == [
        ("condition_changed", "branch_establishment", (*where, "conditions", "message"),
         Text("须填写当选书记", "The elected secretary must be given"),
         Text("须填写当选的书记", "The elected secretary must be named"), "B4"),
        ("condition_added", "branch_establishment", (*where, "conditions"), None,
         "committee_size >= 0", "B4"),
    ]


def test_transition_roles_change(config: RuleSet) -> None:
    text = _edit(_text(), "branch_establishment", """\
        dest: approved
        roles: [street_committee, district_committee]""", """\
        dest: approved
        roles: [street_committee]""")
    d = _diff(config, text)
    assert _rows(d) == [("roles_changed", "branch_establishment",
                         ("transitions", "approve@under_review", "roles"),
                         ("district_committee", "street_committee"), ("street_committee",),
                         "B6,B7")]
    assert d.to_markdown("en").splitlines()[-1] == (
        "| roles changed | transitions.approve@under_review.roles | "
        "[district_committee, street_committee] | [street_committee] | B6,B7 | "
        "The direct superior approves (after escalation, the district may too) |")


def test_transition_destination_and_accepts_change(config: RuleSet) -> None:
    """``reject`` and ``withdraw`` swap their destinations: two steps whose destination
    changed (matched by trigger and sources), not two removed and two added."""
    text = _edit(_text(), "branch_establishment", """\
        dest: rejected
        roles: [street_committee, district_committee]
        basis: B6
        accepts: [reason]""", """\
        dest: withdrawn
        roles: [street_committee, district_committee]
        basis: B6
        accepts: [reason, parent_org]""")
    text = _edit(text, "branch_establishment", "dest: withdrawn\n        roles: [applicant]",
                 "dest: rejected\n        roles: [applicant]")
    assert _rows(_diff(config, text)) == [
        ("transition_changed", "branch_establishment",
         ("transitions", "reject@under_review", "dest"), "rejected", "withdrawn", "B6"),
        ("accepts_changed", "branch_establishment",
         ("transitions", "reject@under_review", "accepts"), ("reason",),
         ("parent_org", "reason"), "B6"),
        ("transition_changed", "branch_establishment",
         ("transitions", "withdraw@requested/under_review", "dest"), "withdrawn", "rejected",
         None),
    ]


def test_input_bounds_change(config: RuleSet) -> None:
    text = _edit(_text(), "branch_establishment", "en: Full members}, min: 0}",
                 "en: Full members}, min: 1, max: 5000}")
    d = _diff(config, text)
    assert _rows(d) == [
        ("input_changed", "branch_establishment", ("inputs", "full_members", "min"), 0, 1, None),
        ("input_changed", "branch_establishment", ("inputs", "full_members", "max"), None, 5000,
         None),
    ]
    assert [c.describe("zh") for c in d.changes] == [
        "输入字段“正式党员人数”（full_members）的最小值：0 → 1",
        "输入字段“正式党员人数”（full_members）的最大值：无 → 5000",
    ]


def test_enum_values_and_top_level_roles(config: RuleSet) -> None:
    text = _edit(_text(), "member_transfer", "values: [handler, member]",
                 "values: [handler, member, both]")
    text = text.replace("  township_committee: {zh: 乡镇党委, en: Township party committee}\n",
                        "  township_committee: {zh: 乡镇党委, en: Township committee}\n"
                        "  auditor: {zh: 审计员, en: Auditor}\n")
    assert _rows(_diff(config, text)) == [
        ("role_changed", "", ("roles", "township_committee", "label"),
         Text("乡镇党委", "Township party committee"), Text("乡镇党委", "Township committee"),
         None),
        ("role_added", "", ("roles", "auditor"), None, Text("审计员", "Auditor"), None),
        ("input_changed", "member_transfer", ("inputs", "expiry_cause", "values"),
         ("handler", "member"), ("handler", "member", "both"), None),
    ]


def test_procedure_removed_and_added(config: RuleSet, mini_rules: RuleSet) -> None:
    d = diff_rules(mini_rules, config)
    kinds = {(c.kind, c.procedure) for c in d.changes if c.procedure}
    assert kinds == {("procedure_added", p) for p in config.procedures} | {
        ("procedure_removed", "mini_election")}
    assert d.heading("mini_election", "en") == "Mini election (mini_election)"
    assert set(KINDS) >= {c.kind for c in d.changes}


def test_renamed_from_naming_no_old_state_is_a_warning(mini_rules: RuleSet) -> None:
    d = diff_rules(mini_rules, load_rules(POLICY / "mini-renamed.yaml"))
    assert [(w.kind, w.procedure, w.path) for w in d.warnings] == [
        ("renamed_from_unknown", "mini_election", ("states", "referred", "renamed_from"))]
    assert "escalted" in d.warnings[0].text.en
    assert _rows(d) == [
        ("version_changed", "", ("version",), "test-1", "test-2", None),
        ("state_renamed", "mini_election", ("states", "vote_taken"), "voted", "vote_taken",
         None),
        ("state_removed", "mini_election", ("states", "escalated"), "escalated", None, None),
        ("state_added", "mini_election", ("states", "referred"), None, "referred", None),
        ("transition_changed", "mini_election",
         ("transitions", "approve@under_review/referred", "source"),
         ("under_review", "escalated"), ("under_review", "referred"), None),
        ("transition_changed", "mini_election",
         ("transitions", "reject@under_review/referred", "source"),
         ("under_review", "escalated"), ("under_review", "referred"), None),
        ("transition_changed", "mini_election", ("transitions", "escalate@under_review", "dest"),
         "escalated", "referred", None),
    ]
    # the renamed state's steps (vote into it, report out of it) are not reported at all
    assert not any(c.path[1:2] in (("vote@convened",), ("report@vote_taken",))
                   for c in d.changes)
    md = d.to_markdown("en")
    assert "**Warnings:**" in md and "renamed_from: escalted" in md


def test_layout_and_order_do_not_count(mini_rules: RuleSet) -> None:
    assert not diff_rules(mini_rules, load_rules(POLICY / "mini-reordered.yaml"))


def test_a_new_alternative_step_is_added_not_a_rewrite(config: RuleSet) -> None:
    """Matching by destination first: a second ``submit`` into another state, written before
    the existing one, is one added step; the existing one is untouched."""
    text = _edit(_text(), "branch_establishment", """\
    transitions:
      - trigger: submit
""", """\
    transitions:
      - trigger: submit
        source: requested
        dest: withdrawn
        roles: [applicant]
        conditions:
          - expr: full_members == 0
            message: {zh: 没有党员, en: No members}
      - trigger: submit
""")
    assert _rows(_diff(config, text)) == [
        ("transition_added", "branch_establishment", ("transitions", "submit@requested→withdrawn"),
         None, "withdrawn", None)]


def test_changes_are_frozen_records(config: RuleSet) -> None:
    text = _edit(_text(), "two_ballot_election", 'value: "4/5"\n        basis: E2',
                 'value: "5/6"\n        basis: E2')
    (c,) = _diff(config, text).changes
    assert isinstance(c, Change)
    with pytest.raises(AttributeError):
        c.kind = "other"  # type: ignore[misc]


# -- properties -----------------------------------------------------------------------------------

_LOADED: dict[Path, RuleSet] = {}


def _load(path: Path) -> RuleSet:
    if path not in _LOADED:
        _LOADED[path] = load_rules(path)
    return _LOADED[path]


@settings(max_examples=len(RULE_FILES) * 2, deadline=None,
          suppress_health_check=[HealthCheck.too_slow])
@given(st.sampled_from(RULE_FILES))
def test_a_file_against_itself_has_no_changes(path: Path) -> None:
    rules = _load(path)
    again = load_rules_text(path.read_text(encoding="utf-8"), "again.yaml")
    for other in (rules, again):
        d = diff_rules(rules, other)
        assert not d and d.changes == () and d.warnings == ()
        assert "没有变更" in d.to_markdown("zh")


def _shuffled(data: Any, rnd: random.Random) -> Any:
    """The same data with every mapping's keys in another order (lists keep theirs)."""
    if isinstance(data, dict):
        keys = list(data)
        rnd.shuffle(keys)
        return {k: _shuffled(data[k], rnd) for k in keys}
    if isinstance(data, list):
        return [_shuffled(v, rnd) for v in data]
    return data


def _dump(data: Any) -> str:
    return yaml.safe_dump(data, allow_unicode=True, sort_keys=False, width=1000)


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.sampled_from(RULE_FILES),
       st.integers(min_value=0, max_value=2**32))
def test_reordering_mappings_is_no_change(path: Path, seed: int) -> None:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    shuffled = _shuffled(data, random.Random(seed))
    assert not diff_rules(_load(path), load_rules_text(_dump(shuffled), "x.yaml"))


@functools.cache
def _config_data() -> Any:
    return yaml.safe_load(CONFIG.read_text(encoding="utf-8"))


def _int_parameters() -> list[tuple[str, str]]:
    return [(p, name) for p, proc in _config_data()["procedures"].items()
            for name, param in proc.get("parameters", {}).items() if param["type"] == "int"]


@settings(max_examples=10, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.sampled_from(_int_parameters()), min_size=1, max_size=4, unique=True),
       st.integers(min_value=1, max_value=3))
def test_changed_parameters_are_exactly_the_ones_edited(picked: list[tuple[str, str]],
                                                        step: int) -> None:
    """Raise some int parameters: the diff names exactly those, old → new with their basis,
    and the diff the other way round swaps old and new."""
    config = _load(CONFIG)
    data = copy.deepcopy(_config_data())
    for proc, name in picked:
        data["procedures"][proc]["parameters"][name]["value"] += step
    new = load_rules_text(_dump(data), "raised.yaml")
    expected = {(proc, name, config.procedures[proc].parameters[name].value,
                 config.procedures[proc].parameters[name].value + step,
                 config.procedures[proc].parameters[name].basis) for proc, name in picked}
    forward = diff_rules(config, new)
    assert {(c.procedure, c.path[1], c.old, c.new, c.basis) for c in forward.changes} == expected
    assert {c.kind for c in forward.changes} == {"parameter_changed"}
    back = diff_rules(new, config)
    assert {(c.procedure, c.path[1], c.new, c.old, c.basis) for c in back.changes} == expected


# -- the command ----------------------------------------------------------------------------------


def _cli(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(app, list(args))
    assert result.exception is None or isinstance(result.exception, SystemExit), \
        result.exception
    return result.exit_code, result.stdout, result.stderr


def _write(tmp_path: Path, text: str, name: str = "new.yaml") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_cli_identical_files_exit_0() -> None:
    assert _cli("diff", str(CONFIG), str(CONFIG)) == (0, "没有变更\n", "")
    assert _cli("diff", str(CONFIG), str(CONFIG), "--lang", "en")[:2] == (0, "no changes\n")
    code, out, _ = _cli("diff", str(CONFIG), str(CONFIG), "--format", "markdown")
    assert code == 0 and "没有变更。" in out


@pytest.fixture
def wide(monkeypatch: pytest.MonkeyPatch) -> None:
    """A wide terminal, so each table cell stays on one line."""
    monkeypatch.setattr(cli.out, "_width", 400)


@pytest.mark.usefixtures("wide")
def test_cli_changes_exit_1_as_table_and_markdown(tmp_path: Path) -> None:
    text = _edit(_text(), "two_ballot_election", 'value: "4/5"\n        basis: E2',
                 'value: "5/6"\n        basis: E2')
    text = _edit(text, "branch_establishment", "expr: full_members >= min_full_members",
                 "expr: full_members > min_full_members")
    text = _edit(text, "branch_establishment", """\
        dest: approved
        roles: [street_committee, district_committee]""", """\
        dest: approved
        roles: [street_committee]""")
    new = _write(tmp_path, text)
    code, out, err = _cli("diff", str(CONFIG), str(new), "--lang", "en")
    assert code == 1 and err == ""
    assert "Branch establishment (branch_establishment)" in out
    assert "condition changed" in out and "parameter changed" in out
    assert "4/5" in out and "5/6" in out and "E2" in out
    # bracketed values are shown as written, not taken for rich markup
    assert "[district_committee, street_committee]" in out and "[street_committee]" in out
    assert out.rstrip().endswith("2026.1 → 2026.1: 3 change(s)")
    code, out, _ = _cli("diff", str(CONFIG), str(new), "--format", "markdown")
    assert code == 1
    assert out == diff_rules(load_rules(CONFIG), load_rules(new)).to_markdown("zh") + "\n"
    assert ("| 条件变更 | transitions.submit@requested.conditions | "
            "full_members >= min_full_members | full_members > min_full_members | B2 | "
            "报送请示 |") in out


@pytest.mark.usefixtures("wide")
def test_cli_prints_warnings_on_stderr() -> None:
    code, out, err = _cli("diff", str(MINI), str(POLICY / "mini-renamed.yaml"), "--lang", "en")
    assert code == 1 and "state renamed" in out
    assert err.strip() == (f"{POLICY / 'mini-renamed.yaml'}: mini_election.states.referred."
                           "renamed_from: state 'referred' declares renamed_from: escalted, but "
                           "the old mini_election has no state 'escalted': treated as a new state")


def test_cli_rules_errors_exit_2_with_file_and_line(tmp_path: Path) -> None:
    bad = _write(tmp_path, _text().replace("dest: approved\n", "dest: aproved\n", 1), "bad.yaml")
    code, out, err = _cli("diff", str(CONFIG), str(bad), "--lang", "en")
    assert (code, out) == (2, "")
    assert "Traceback" not in err
    line = next(ln for ln in err.splitlines() if "aproved" in ln)
    file, lineno, column, _ = line.split(":", 3)
    assert file == str(bad) and int(lineno) > 1 and int(column) > 0
    # problems in both files are all reported, the old one's first
    old_bad = _write(tmp_path, _text().replace('version: "2026.1"', "version: 2026.1"), "o.yaml")
    code, _, err = _cli("diff", str(old_bad), str(bad))
    assert code == 2
    assert err.index(f"{old_bad}:8:") < err.index(f"{bad}:")
    code, _, err = _cli("diff", str(tmp_path / "missing.yaml"), str(CONFIG))
    assert code == 2 and "missing.yaml" in err and "Traceback" not in err


def test_cli_through_main_never_shows_a_traceback(tmp_path: Path) -> None:
    from .test_cli import run

    bad = _write(tmp_path, "version: [\n", "broken.yaml")
    code, out, err = run("diff", str(CONFIG), str(bad))
    assert code == 2 and out == "" and f"{bad}:" in err and "Traceback" not in err

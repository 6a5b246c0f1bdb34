"""Runs every feature file in features/ with shared, generic steps (zh-CN and English).

Policy staff write new scenarios with these steps only; no Python needed:

    假如 当前时间是 "2026-03-02T09:00:00+00:00"   (also as 当/而且: the clock jumps there)
    假如 "<角色>" 发起流程 "<流程>"，数据为：  (+ a 字段 | 值 table)
    当 "<角色>" 执行 "<步骤>"               (optionally ，数据为： + table)
    当 时间过去 "P1M"  /  当 运行超期检查
    (deadlines, reminders, other rules files: tests/steps_calendar.py)
    那么 当前状态为 "<状态>"  /  那么 操作被拒绝，提示包含 "<文字>"  /  那么 结果为 "<状态或 被拒绝>"
    那么 审计记录共 N 条，哈希链完整

Table values are read as YAML scalars: 9 is a number, true is true, text stays text.
"""

from __future__ import annotations

import datetime as dt
import functools
import importlib
import os
import re
from pathlib import Path
from typing import Any

import pytest
import yaml
from pytest_bdd import given, parsers, scenarios, then, when

from partyflow import Actor, Engine, Organization, PartyflowError, RuleSet, TickReport, load_rules
from partyflow.hierarchy import Hierarchy, load_hierarchy
from partyflow.testing import FakeClock
from partyflow.workflows.authority import acting_org

from .conftest import ROOT

FEATURES = ROOT / "features"
_KEYWORD_COLON = re.compile(
    r"^\s*(功能|场景|场景大纲|剧本|剧本大纲|背景|例子|Feature|Scenario|Scenario Outline|Background|"
    r"Examples|Rule|规则)\s*：")


def lint_feature_files(folder: Path) -> list[str]:
    """Full-width colons after Gherkin keywords, as ``file:line: message`` lines."""
    problems = []
    for path in sorted(folder.rglob("*.feature")):
        for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
            m = _KEYWORD_COLON.match(line)
            if m:
                problems.append(
                    f"{path.relative_to(ROOT)}:{n}: “{m.group(1)}”后面用了全角冒号“：”，"
                    f"应为半角冒号“:” / a full-width colon follows '{m.group(1)}': use ':'")
    return problems


_lint = lint_feature_files(FEATURES)
if _lint:  # a clear message instead of the Gherkin parser's token error
    raise pytest.UsageError("\n".join(_lint))

scenarios(str(FEATURES))


@functools.lru_cache(maxsize=4)
def _rules(path: str) -> RuleSet:
    """Rule sets are frozen: load each file once for the whole run."""
    return load_rules(path)


@functools.lru_cache(maxsize=4)
def _hierarchy(path: str, rules_path: str) -> Hierarchy:
    return load_hierarchy(path, _rules(rules_path))


class World:
    """What one scenario has done so far.

    The store starts with the organizations of ``examples/hierarchy.csv`` (a city with two
    districts). A step naming only a role ("street_committee" 执行 …) acts as the rightful
    holder of that role on the instance: for roles whose organization the hierarchy decides
    (``authority:`` in the rules), the person acting for that organization, or its secretary
    where the rules ask for the secretary. Steps naming a person and an organization act as
    exactly them, so refusals can be specified.
    """

    def __init__(self) -> None:
        self.clock = FakeClock()
        rules = os.environ.get("PARTYFLOW_TEST_RULES") or str(ROOT / "config" / "rules.yaml")
        self.use_rules(rules)
        self.error: PartyflowError | None = None
        self.defaults: dict[str, Any] = {}
        self.last_tick: TickReport | None = None

    def use_rules(self, rules_path: str, rules: RuleSet | None = None) -> None:
        """A fresh engine (empty store, same clock) on the rules file at ``rules_path``, or on
        ``rules`` changed from it, with the organizations of ``examples/hierarchy.csv``."""
        orgs = str(ROOT / "examples" / "hierarchy.csv")
        if rules is None:
            rules, hierarchy = _rules(rules_path), _hierarchy(orgs, rules_path)
        else:
            hierarchy = load_hierarchy(orgs, rules)
        self.engine = Engine(rules, store="memory://", clock=self.clock)
        self.engine.import_organizations(hierarchy)
        self.rules_path = rules_path
        self.instance_id: str | None = None

    def actor(self, role: str, procedure: str | None = None,
              data: dict[str, Any] | None = None) -> Actor:
        """The rightful holder of ``role`` on the current instance (or on ``data``)."""
        if procedure is None and self.instance_id is not None:
            inst = self.engine.get(self.instance_id)
            procedure, data = inst.procedure, dict(inst.data)
        proc = self.engine.rules.procedures.get(procedure or "")
        auth = proc.authority.get(role) if proc is not None else None
        if proc is None or auth is None:
            return Actor(f"{role}-person", role, f"{role}-org")
        if auth.person == "subject" and auth.subject is not None:  # the person themself
            return Actor(str((data or {}).get(auth.subject) or f"{role}-person"), role, None)
        org = acting_org(proc, auth, data or {}, self.engine.hierarchy)
        if not isinstance(org, Organization):
            # no organization decides (starter, open) or nobody can: the engine says why
            return Actor(f"{role}-person", role, None)
        person = org.secretary if auth.person == "secretary" and org.secretary \
            else f"{role}@{org.id}"
        return Actor(person, role, org.id)

    def fire(self, role: str, trigger: str, data: dict[str, Any] | None = None,
             key: str | None = None, actor: Actor | None = None) -> None:
        assert self.instance_id is not None, "start an instance first"
        self.raise_pending()
        try:
            self.engine.fire(self.instance_id, trigger, actor or self.actor(role), data,
                             idempotency_key=key)
        except PartyflowError as exc:
            self.error = exc

    def raise_pending(self) -> None:
        if self.error is not None:
            err, self.error = self.error, None
            raise AssertionError(f"an earlier step was refused: {err}") from err

    def state(self) -> str:
        assert self.instance_id is not None
        return self.engine.get(self.instance_id).state


def _table(datatable: list[list[str]]) -> dict[str, Any]:
    rows = datatable[1:] if datatable and datatable[0][0].strip() in ("字段", "field") else datatable
    out: dict[str, Any] = {}
    for name, raw in rows:
        value = yaml.safe_load(raw) if raw.strip() else None
        out[name.strip()] = raw.strip() if isinstance(value, dt.date) else value
    return out


@pytest.fixture
def world() -> World:
    return World()


# -- zh-CN ---------------------------------------------------------------------------------


@given(parsers.parse('当前时间是 "{moment}"'))
@given(parsers.parse('the time is "{moment}"'))
@when(parsers.parse('当前时间是 "{moment}"'))
@when(parsers.parse('the time is "{moment}"'))
def _time(world: World, moment: str) -> None:
    world.clock.set(dt.datetime.fromisoformat(moment))


@given("发起时默认填写：")
@given("instances start with these defaults:")
def _defaults(world: World, datatable: list[list[str]]) -> None:
    world.defaults.update(_table(datatable))


@given(parsers.parse('"{role}" 发起流程 "{procedure}"，数据为：'))
@given(parsers.parse('"{role}" starts "{procedure}" with:'))
def _start(world: World, role: str, procedure: str, datatable: list[list[str]]) -> None:
    data = {**world.defaults, **_table(datatable)}
    try:
        inst = world.engine.start(procedure, data, world.actor(role, procedure, data))
    except PartyflowError as exc:  # a refused start: "操作被拒绝" checks it, any other step fails
        world.error = exc
        return
    world.instance_id = inst.id


@when(parsers.re(r'"(?P<role>[^"]+)" 执行 "(?P<trigger>[^"]+)"$'))
@when(parsers.re(r'"(?P<role>[^"]+)" fires "(?P<trigger>[^"]+)"$'))
def _fire(world: World, role: str, trigger: str) -> None:
    world.fire(role, trigger)


@when(parsers.re(r'"(?P<role>[^"]+)" fires "(?P<trigger>[^"]+)" with key "(?P<key>[^"]+)"$'))
def _fire_key(world: World, role: str, trigger: str, key: str) -> None:
    world.fire(role, trigger, key=key)


@when(parsers.parse('"{role}" 执行 "{trigger}"，数据为：'))
@when(parsers.parse('"{role}" fires "{trigger}" with:'))
def _fire_data(world: World, role: str, trigger: str, datatable: list[list[str]]) -> None:
    world.fire(role, trigger, _table(datatable))


@when(parsers.parse('时间过去 "{duration}"'))
@when(parsers.parse('time passes "{duration}"'))
def _advance(world: World, duration: str) -> None:
    world.clock.advance(duration)


@when("运行超期检查")
@when("the deadline check runs")
def _tick(world: World) -> None:
    world.last_tick = world.engine.tick()


@then(parsers.parse('当前状态为 "{state}"'))
@then(parsers.parse('the state is "{state}"'))
def _state(world: World, state: str) -> None:
    world.raise_pending()
    assert world.state() == state


@then(parsers.parse('操作被拒绝，提示包含 "{text}"'))
@then(parsers.parse('the step is refused with "{text}"'))
def _refused(world: World, text: str) -> None:
    assert world.error is not None, f"the step was not refused; state is {world.state()}"
    message = str(world.error)
    world.error = None
    assert text in message, message


@then(parsers.parse('结果为 "{outcome}"'))
def _outcome(world: World, outcome: str) -> None:
    if outcome == "被拒绝":
        assert world.error is not None, f"expected a refusal; state is {world.state()}"
        world.error = None
    else:
        _state(world, outcome)


@then(parsers.parse("审计记录共 {n:d} 条，哈希链完整"))
@then(parsers.parse("the audit trail has {n:d} records and verifies"))
def _audit(world: World, n: int) -> None:
    world.raise_pending()
    assert world.instance_id is not None
    assert world.engine.verify(world.instance_id) == n


# Procedure-specific generic steps live in tests/steps_*.py; they are shared by every feature.
for _module in sorted(Path(__file__).parent.glob("steps_*.py")):
    _steps = importlib.import_module(f"{__package__}.{_module.stem}")
    globals().update({k: v for k, v in vars(_steps).items() if not k.startswith("__")})


def test_full_width_colon_in_a_feature_file_is_reported_with_its_line(tmp_path: Path) -> None:
    bad = tmp_path / "features"
    bad.mkdir()
    (bad / "x.feature").write_text("# language: zh-CN\n功能： 测试\n", encoding="utf-8")
    global ROOT
    saved, ROOT = ROOT, tmp_path
    try:
        (problem,) = lint_feature_files(bad)
    finally:
        ROOT = saved
    assert problem.startswith("features/x.feature:2: “功能”后面用了全角冒号")

"""Generic steps for the organization hierarchy (组织体系): checking organization lists,
responsibility chains, authority from the hierarchy, escalation and established branches.

    当 检查组织名单：                       (a table: the spreadsheet's header row, then rows)
    那么 组织名单没有问题  /  那么 报告问题 "<类型>"，在第 N 行  /  那么 共报告 N 个问题
    那么 "<组织>" 的责任链为 "<组织>（<责任>） → …"
    当 "<人员>" 代表 "<组织>" 以 "<角色>" 身份执行 "<步骤>"      (optionally ，数据为：)
    那么 实例已督办至 "<组织>"，上 N 级  /  那么 实例未被督办
    那么 组织体系中有 "<组织>"，上级为 "<组织>"，层级为 "<层级>"

Row numbers count the header as row 1, as a spreadsheet shows them.
"""

from __future__ import annotations

import csv
import io
from typing import Any

from pytest_bdd import parsers, then, when

from partyflow import Actor, PartyflowError
from partyflow.errors import HierarchyError
from partyflow.hierarchy import load_hierarchy_text

from .test_features import World, _table


def _csv(datatable: list[list[str]]) -> str:
    out = io.StringIO()
    csv.writer(out, lineterminator="\n").writerows(
        [[cell.strip() for cell in row] for row in datatable])
    return out.getvalue()


@when("检查组织名单：")
@when("the organization list is checked:")
def _check_list(world: World, datatable: list[list[str]]) -> None:
    world.problems = []  # type: ignore[attr-defined]
    try:
        load_hierarchy_text(_csv(datatable), file="名单.csv", levels=world.engine.rules)
    except HierarchyError as exc:
        world.problems = list(exc.problems)  # type: ignore[attr-defined]


@then("组织名单没有问题")
@then("the list has no problems")
def _no_problems(world: World) -> None:
    problems = world.problems  # type: ignore[attr-defined]
    assert problems == [], "\n".join(str(p) for p in problems)


@then(parsers.parse('报告问题 "{kind}"，在第 {line:d} 行'))
@then(parsers.parse('problem "{kind}" is reported on row {line:d}'))
def _problem(world: World, kind: str, line: int) -> None:
    problems = world.problems  # type: ignore[attr-defined]
    found = [(p.type, p.line) for p in problems]
    assert (kind, line) in found, f"reported: {found}"


@then(parsers.parse("共报告 {n:d} 个问题"))
@then(parsers.parse("{n:d} problems are reported"))
def _problem_count(world: World, n: int) -> None:
    problems = world.problems  # type: ignore[attr-defined]
    assert len(problems) == n, "\n".join(str(p) for p in problems)


@then(parsers.parse('"{org}" 的责任链为 "{chain}"'))
def _chain(world: World, org: str, chain: str) -> None:
    links = world.engine.responsibility_chain(org)
    shown = " → ".join(f"{link.name}（{link.duty.zh}）" if link.duty else link.name
                       for link in links)
    assert shown == chain, shown


def _as(world: World, person: str, org: str, role: str, trigger: str,
        data: dict[str, Any] | None) -> None:
    world.fire(role, trigger, data, actor=Actor(person, role, org))


@when(parsers.re(r'"(?P<person>[^"]+)" 代表 "(?P<org>[^"]+)" 以 "(?P<role>[^"]+)" 身份执行 '
                 r'"(?P<trigger>[^"]+)"$'))
def _fire_as(world: World, person: str, org: str, role: str, trigger: str) -> None:
    _as(world, person, org, role, trigger, None)


@when(parsers.parse('"{person}" 代表 "{org}" 以 "{role}" 身份执行 "{trigger}"，数据为：'))
def _fire_as_data(world: World, person: str, org: str, role: str, trigger: str,
                  datatable: list[list[str]]) -> None:
    _as(world, person, org, role, trigger, _table(datatable))


@when(parsers.parse('"{role}" 尝试发起流程 "{procedure}"，数据为：'))
def _try_start(world: World, role: str, procedure: str, datatable: list[list[str]]) -> None:
    data = {**world.defaults, **_table(datatable)}
    try:
        world.instance_id = world.engine.start(
            procedure, data, world.actor(role, procedure, data)).id
    except PartyflowError as exc:
        world.error = exc


@then(parsers.parse('实例已督办至 "{org}"，上 {level:d} 级'))
def _escalated(world: World, org: str, level: int) -> None:
    world.raise_pending()
    assert world.instance_id is not None
    inst = world.engine.get(world.instance_id)
    assert (inst.escalated_to, inst.escalation) == (org, level), (
        inst.escalated_to, inst.escalation)
    recorded = [(r.data["escalation"], r.data["escalated_to"], r.basis)
                for r in world.engine.history(world.instance_id)
                if r.trigger == "escalate_overdue"]
    assert recorded and recorded[-1] == (level, org, "H2"), recorded


@then("实例未被督办")
def _not_escalated(world: World) -> None:
    world.raise_pending()
    assert world.instance_id is not None
    inst = world.engine.get(world.instance_id)
    assert (inst.escalation, inst.escalated_to, inst.overdue_since) == (0, None, None)


@then(parsers.parse('组织体系中有 "{org}"，上级为 "{parent}"，层级为 "{level}"'))
def _org_exists(world: World, org: str, parent: str, level: str) -> None:
    world.raise_pending()
    found = world.engine.organization(org)
    assert (found.parent, found.level) == (parent, level), found
    assert found.added_by == world.instance_id

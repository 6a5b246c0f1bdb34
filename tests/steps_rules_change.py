"""Generic steps for policy changes (规则变更): change parameters, see the impact on running
instances before it takes effect, migrate.

    假如 记下当前实例为 "<名称>"
    当 规则参数修改为：                  (a table: 流程 | 参数 | 新值)
    当 试算新规则的影响
    那么 影响报告列出 "<名称>"，影响为 "<类型>"    /  那么 影响报告不列出 "<名称>"
    当 按映射迁移到新规则：              (a table: 原状态 | 新状态; may be empty: 状态 | 状态)
    那么 "<名称>" 的规则版本为 "<版本>"

Impact types: now_fails, now_passes, deadline_moved, overdue_at_once, roles_changed,
state_removed.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml
from pytest_bdd import given, parsers, then, when

from partyflow import load_rules_text
from partyflow.policy import MigrationMap, impact, migrate

from .test_features import World


def _named(world: World) -> dict[str, str]:
    if not hasattr(world, "names"):
        world.names = {}  # type: ignore[attr-defined]
    names: dict[str, str] = world.names  # type: ignore[attr-defined]
    return names


@given(parsers.parse('记下当前实例为 "{name}"'))
@when(parsers.parse('记下当前实例为 "{name}"'))
def _remember(world: World, name: str) -> None:
    world.raise_pending()
    assert world.instance_id is not None
    _named(world)[name] = world.instance_id


@when("规则参数修改为：")
def _change_parameters(world: World, datatable: list[list[str]]) -> None:
    data: dict[str, Any] = yaml.safe_load(Path(world.rules_path).read_text(encoding="utf-8"))
    data["version"] = f"{data['version']}+变更"
    for proc, param, value in datatable[1:]:
        data["procedures"][proc.strip()]["parameters"][param.strip()]["value"] = \
            yaml.safe_load(value.strip())
    world.new_rules = load_rules_text(  # type: ignore[attr-defined]
        yaml.safe_dump(data, allow_unicode=True, sort_keys=False), "rules-changed.yaml")


@when("试算新规则的影响")
def _impact(world: World) -> None:
    world.raise_pending()
    world.impact = impact(world.engine.store, world.new_rules,  # type: ignore[attr-defined]
                          now=world.clock.now())


def _kinds(world: World, name: str) -> set[str]:
    iid = _named(world)[name]
    report = world.impact  # type: ignore[attr-defined]
    return {g.kind for g in report.rows() if iid in g.examples}


@then(parsers.parse('影响报告列出 "{name}"，影响为 "{kind}"'))
def _listed(world: World, name: str, kind: str) -> None:
    assert kind in _kinds(world, name), _kinds(world, name)


@then(parsers.parse('影响报告不列出 "{name}"'))
def _not_listed(world: World, name: str) -> None:
    assert _kinds(world, name) == set()


@when("按映射迁移到新规则：")
def _migrate(world: World, datatable: list[list[str]]) -> None:
    rows = [(a.strip(), b.strip()) for a, b in datatable[1:] if a.strip()]
    procs = {p for p in world.engine.rules.procedures}
    mapping = MigrationMap({p: dict(rows) for p in procs}, {p: True for p in procs}, "feature")
    report = migrate(world.engine.store, world.new_rules, mapping,  # type: ignore[attr-defined]
                     apply=True, now=world.clock.now())
    assert report.count("refused") == 0, [o.reason for o in report.outcomes]


@then(parsers.parse('"{name}" 的规则版本为 "{version}"'))
def _version(world: World, name: str, version: str) -> None:
    inst = world.engine.get(_named(world)[name])
    assert inst.rules_version == version
    world.engine.verify(inst.id)

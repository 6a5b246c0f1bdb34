"""Generic steps for counting time (期间的计算, RULES.md §6): another rules file, the last day
of the current deadline, reminders before it and the list of what falls due soon.

    假如 使用规则文件 "tests/fixtures/publicity.yaml"        (a fresh store on that file)
    假如 使用规则文件 "<文件>"，日历设置为：                   (a table: 设置 | 值, e.g.
                                                              extend_past_holidays | true)
    那么 期限最后一日为 "2026-02-09"          (the deadline is 24:00 local time that day)
    那么 期限最后一日为 "2027-03-08"（估算）  (counted on an estimated working-day calendar)
    那么 本次超期检查发出期限提醒  /  那么 本次超期检查未发出期限提醒
    那么 期限提醒共 N 次
    那么 "P3D" 内到期的清单列出当前实例  /  那么 "P3D" 内到期的清单不列出当前实例

The last day is a local date (C3: the rules' time zone, Asia/Shanghai unless the file names
another); the check is exact: the deadline must be the next local midnight after that day.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import yaml
from pytest_bdd import given, parsers, then

from partyflow import load_rules_text
from partyflow.workflows.step import REMIND_TRIGGER

from .conftest import ROOT
from .test_features import World


@given(parsers.parse('使用规则文件 "{path}"'))
@given(parsers.parse('the rules file "{path}" is used'))
def _use_rules(world: World, path: str) -> None:
    world.use_rules(str(ROOT / path))


@given(parsers.parse('使用规则文件 "{path}"，日历设置为：'))
@given(parsers.parse('the rules file "{path}" is used with the calendar:'))
def _use_rules_with_calendar(world: World, path: str, datatable: list[list[str]]) -> None:
    file = ROOT / path
    data: dict[str, Any] = yaml.safe_load(file.read_text(encoding="utf-8"))
    rows = datatable[1:] if datatable and datatable[0][0].strip() in ("设置", "setting") \
        else datatable
    calendar = data.get("calendar") or {}
    for name, value in rows:
        calendar[name.strip()] = yaml.safe_load(value.strip())
    data["calendar"] = calendar
    data["version"] = f"{data['version']}+日历"
    world.use_rules(str(file), load_rules_text(
        yaml.safe_dump(data, allow_unicode=True, sort_keys=False), str(file)))


@then(parsers.re(r'期限最后一日为 "(?P<day>[^"]+)"(?P<estimated>（估算）)?$'))
@then(parsers.re(r'the last day is "(?P<day>[^"]+)"(?P<estimated> \(estimated\))?$'))
def _last_day(world: World, day: str, estimated: str | None) -> None:
    world.raise_pending()
    assert world.instance_id is not None, "start an instance first"
    inst = world.engine.get(world.instance_id)
    calendar = world.engine.rules.calendar
    assert inst.deadline_at is not None, f"state {inst.state} has no deadline"
    expected = calendar.start_of(dt.date.fromisoformat(day) + dt.timedelta(days=1))
    local = inst.deadline_at.astimezone(calendar.zone)
    assert inst.deadline_at == expected, (
        f"the deadline is {local.isoformat()} (last day "
        f"{(local - dt.timedelta(microseconds=1)).date()}), expected 24:00 of {day}")
    assert inst.deadline_estimated == bool(estimated), \
        f"deadline_estimated is {inst.deadline_estimated}"


def _reminded_now(world: World) -> bool:
    report = world.last_tick
    assert report is not None, "run the deadline check first (运行超期检查)"
    return any(iid == world.instance_id for iid, _, _ in report.reminded)


@then("本次超期检查发出期限提醒")
@then("the deadline check sends a reminder")
def _reminded(world: World) -> None:
    world.raise_pending()
    assert _reminded_now(world), f"reminded: {world.last_tick and world.last_tick.reminded}"


@then("本次超期检查未发出期限提醒")
@then("the deadline check sends no reminder")
def _not_reminded(world: World) -> None:
    world.raise_pending()
    assert not _reminded_now(world), f"reminded: {world.last_tick and world.last_tick.reminded}"


@then(parsers.parse("期限提醒共 {n:d} 次"))
@then(parsers.parse("{n:d} reminders are recorded"))
def _reminder_count(world: World, n: int) -> None:
    world.raise_pending()
    assert world.instance_id is not None, "start an instance first"
    records = [r for r in world.engine.history(world.instance_id)
               if r.trigger == REMIND_TRIGGER]
    assert len(records) == n, [(r.at.isoformat(), r.data) for r in records]


def _due(world: World, period: str) -> list[str]:
    return [inst.id for inst in world.engine.due_within(period)]


@then(parsers.parse('"{period}" 内到期的清单列出当前实例'))
@then(parsers.parse('the list of what falls due within "{period}" shows the instance'))
def _due_listed(world: World, period: str) -> None:
    world.raise_pending()
    assert world.instance_id in _due(world, period), _due(world, period)


@then(parsers.parse('"{period}" 内到期的清单不列出当前实例'))
@then(parsers.parse('the list of what falls due within "{period}" does not show the instance'))
def _due_not_listed(world: World, period: str) -> None:
    world.raise_pending()
    assert world.instance_id not in _due(world, period), _due(world, period)

"""The commands that run instances: ``start``, ``fire``, ``show``, ``history``, ``list``,
``inbox``, ``tick`` and ``export`` (thin: parse, call ``Engine``, print). Registered on the
``partyflow`` group by ``partyflow.cli``.

Who acts is given as ``--actor ID --role ROLE [--org ORG]`` (or ``PARTYFLOW_ACTOR`` /
``PARTYFLOW_ROLE`` / ``PARTYFLOW_ORG``); data as ``--data '{"k": 1}'``, ``--data @file.yaml``
or ``key=value`` words (each value read as a YAML scalar: ``present=33``, ``approved=true``).
Every read command takes ``--json``; every value is printed literally.
"""

from __future__ import annotations

import datetime as dt
import json
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import click
import yaml

from partyflow.cli.commands import (
    _chosen,
    _rules,
    err,
    lang_option,
    out,
    rules_option,
    store_option,
)
from partyflow.errors import Lang, Text, UsageError
from partyflow.files import FileProblem, read_text_file
from partyflow.rules.diagram import mermaid
from partyflow.rules.problems import suggest
from partyflow.stores.open import open_store
from partyflow.workflows.engine import Engine
from partyflow.workflows.inputs import unknown_procedure
from partyflow.workflows.records import Actor, AuditRecord, Instance, InstanceQuery

_MAX_DATA_BYTES = 1024 * 1024

actor_options: list[Callable[[Any], Any]] = [
    click.option("--actor", "actor_id", required=True, envvar="PARTYFLOW_ACTOR",
                 show_envvar=True,
                 help="办理人（办理系统中的用户编号）/ who acts (their id in your system)"),
    click.option("--role", required=True, envvar="PARTYFLOW_ROLE", show_envvar=True,
                 help="以何种角色办理（规则文件中的角色）/ the role they act in"),
    click.option("--org", "actor_org", default=None, envvar="PARTYFLOW_ORG", show_envvar=True,
                 help="代表的组织编号 / the organization they act for"),
]
json_option = click.option("--json", "as_json", is_flag=True,
                           help="输出 JSON / print JSON")


F = TypeVar("F", bound=Callable[..., Any])


def _with(options: list[Callable[[F], F]]) -> Callable[[F], F]:
    """Apply several click options as one decorator."""
    def apply(fn: F) -> F:
        for option in reversed(options):
            fn = option(fn)
        return fn
    return apply


def _engine(store_url: str, rules_path: Path | None, lang: Lang, *,
            read_only: bool = False) -> Engine:
    return Engine(_rules(_chosen(rules_path, lang), lang),
                  store=open_store(store_url, read_only=read_only))


def _data(data: str | None, pairs: tuple[str, ...]) -> dict[str, Any]:
    """``--data`` (JSON/YAML text or ``@file``) merged with ``key=value`` words."""
    values: dict[str, Any] = {}
    if data:
        text = data
        if data.startswith("@"):
            try:
                text = read_text_file(data[1:], _MAX_DATA_BYTES)
            except FileProblem as exc:
                raise UsageError(Text(f"{data[1:]}：{exc.text.zh}", f"{data[1:]}: {exc.text.en}")
                                 ) from None
        try:
            loaded = yaml.safe_load(text)  # JSON is YAML; SafeLoader builds no objects
        except yaml.YAMLError as exc:
            raise UsageError(Text(f"--data 不是有效的 JSON/YAML：{exc}",
                                  f"--data is not valid JSON/YAML: {exc}")) from None
        if not isinstance(loaded, dict):
            raise UsageError(Text("--data 应为键值映射，如 '{\"present\": 33}'",
                                  "--data must be a mapping, such as '{\"present\": 33}'"))
        values.update(loaded)
    for pair in pairs:
        key, sep, raw = pair.partition("=")
        if not sep or not key:
            raise UsageError(Text(f"“{pair}” 应写作 字段=值", f"'{pair}' must be key=value"))
        try:
            values[key] = yaml.safe_load(raw) if raw else ""
        except yaml.YAMLError:
            values[key] = raw
    return values


def _jsonable(value: Any) -> Any:
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_jsonable(v) for v in value]
    return value


def _instance_dict(inst: Instance) -> dict[str, Any]:
    return {k: _jsonable(v) for k, v in {
        "id": inst.id, "procedure": inst.procedure, "state": inst.state,
        "version": inst.version, "org": inst.org, "terminal": inst.terminal,
        "deadline_at": inst.deadline_at, "overdue_since": inst.overdue_since,
        "escalation": inst.escalation, "rules_version": inst.rules_version,
        "created_at": inst.created_at, "updated_at": inst.updated_at,
        "data": dict(inst.data)}.items()}


def _record_dict(r: AuditRecord) -> dict[str, Any]:
    return {k: _jsonable(v) for k, v in {
        "seq": r.seq, "at": r.at, "actor_id": r.actor_id, "actor_role": r.actor_role,
        "actor_org": r.actor_org, "trigger": r.trigger, "from_state": r.from_state,
        "to_state": r.to_state, "data": dict(r.data), "basis": r.basis,
        "rules_version": r.rules_version, "hash": r.hash}.items()}


def _print_json(value: Any) -> None:
    out.print(json.dumps(value, ensure_ascii=False, indent=2), markup=False, highlight=False)


def _print_instance(inst: Instance, lang: Lang, as_json: bool) -> None:
    if as_json:
        _print_json(_instance_dict(inst))
        return
    deadline = inst.deadline_at.isoformat() if inst.deadline_at else "-"
    out.print(Text(f"实例 {inst.id}：{inst.procedure}，当前状态 {inst.state}（第 {inst.version} 步），"
                   f"期限 {deadline}",
                   f"instance {inst.id}: {inst.procedure}, state {inst.state} (step "
                   f"{inst.version}), deadline {deadline}").get(lang), markup=False)


@click.command()
@click.argument("procedure")
@click.argument("pairs", nargs=-1, metavar="[KEY=VALUE]...")
@_with(actor_options)
@click.option("--data", default=None, help="数据：JSON/YAML 文字或 @文件 / data: JSON/YAML or @file")
@click.option("--id", "instance_id", default=None, help="实例编号（默认自动生成）/ instance id")
@store_option
@rules_option
@json_option
@lang_option
def start(procedure: str, pairs: tuple[str, ...], actor_id: str, role: str,
          actor_org: str | None, data: str | None, instance_id: str | None, store_url: str,
          rules_path: Path | None, as_json: bool, lang: Lang) -> None:
    """发起流程 / start an instance of PROCEDURE."""
    with _engine(store_url, rules_path, lang) as engine:
        inst = engine.start(procedure, _data(data, pairs), Actor(actor_id, role, actor_org),
                            instance_id=instance_id)
        _print_instance(inst, lang, as_json)


@click.command()
@click.argument("instance_id")
@click.argument("trigger")
@click.argument("pairs", nargs=-1, metavar="[KEY=VALUE]...")
@_with(actor_options)
@click.option("--data", default=None, help="数据：JSON/YAML 文字或 @文件 / data: JSON/YAML or @file")
@click.option("--key", "idempotency_key", default=None,
              help="幂等键：重试时用同一个 / idempotency key: reuse it when retrying")
@store_option
@rules_option
@json_option
@lang_option
def fire(instance_id: str, trigger: str, pairs: tuple[str, ...], actor_id: str, role: str,
         actor_org: str | None, data: str | None, idempotency_key: str | None, store_url: str,
         rules_path: Path | None, as_json: bool, lang: Lang) -> None:
    """执行一个步骤 / fire TRIGGER on an instance."""
    with _engine(store_url, rules_path, lang) as engine:
        inst = engine.fire(instance_id, trigger, Actor(actor_id, role, actor_org),
                           _data(data, pairs), idempotency_key=idempotency_key)
        _print_instance(inst, lang, as_json)


@click.command()
@click.argument("instance_id")
@click.option("--diagram", is_flag=True,
              help="附流程图（Mermaid，当前状态高亮）/ add the diagram, current state highlighted")
@store_option
@rules_option
@json_option
@lang_option
def show(instance_id: str, diagram: bool, store_url: str, rules_path: Path | None, as_json: bool,
         lang: Lang) -> None:
    """实例的状态、数据、期限和当前可执行的步骤 / an instance: state, data, deadline and the steps
    that may be fired now (by role)."""
    with _engine(store_url, rules_path, lang, read_only=True) as engine:
        inst = engine.get(instance_id)
        proc = engine.definition(inst)
        steps = {t.trigger: sorted(t.roles) for t in proc.transitions
                 if inst.state in t.sources}
        if as_json:
            _print_json({**_instance_dict(inst), "steps": steps})
            return
        _print_instance(inst, lang, False)
        for key, value in sorted(inst.data.items()):
            out.print(f"  {key} = {json.dumps(_jsonable(value), ensure_ascii=False)}",
                      markup=False)
        label = Text("当前可执行的步骤", "steps from here").get(lang)
        out.print(f"{label}:", markup=False)
        for trig, roles in steps.items():
            out.print(f"  {trig}: {', '.join(roles)}", markup=False)
        if diagram:
            out.print(mermaid(proc, lang) + f"\n    classDef current fill:#f96\n"
                      f"    class {inst.state} current", markup=False)


@click.command()
@click.argument("instance_id")
@click.option("--format", "fmt", type=click.Choice(["table", "json", "csv"]), default="table",
              show_default=True, help="输出格式 / output format")
@store_option
@rules_option
@lang_option
def history(instance_id: str, fmt: str, store_url: str, rules_path: Path | None, lang: Lang) -> None:
    """实例的审计记录：谁在何时做了什么 / an instance's audit records: who did what, when."""
    import csv

    with _engine(store_url, rules_path, lang, read_only=True) as engine:
        records = [_record_dict(r) for r in engine.history(instance_id)]
    if fmt == "json":
        _print_json(records)
        return
    columns = ["seq", "at", "actor_id", "actor_role", "actor_org", "trigger", "from_state",
               "to_state", "basis"]
    if fmt == "csv":
        writer = csv.writer(sys.stdout)
        writer.writerow(columns)
        for r in records:
            writer.writerow([r[c] if r[c] is not None else "" for c in columns])
        return
    for r in records:
        out.print(f"{r['seq']:>3}  {r['at']}  {r['trigger']}: {r['from_state'] or '-'} → "
                  f"{r['to_state']}  {r['actor_id']} ({r['actor_role']}"
                  f"{', ' + r['actor_org'] if r['actor_org'] else ''})", markup=False)


@click.command("list")
@click.option("--org", "org_id", default=None, help="该组织及其下级负责的 / responsible in this subtree")
@click.option("--procedure", "-p", default=None, help="只列此流程 / only this procedure")
@click.option("--state", default=None, help="只列此状态 / only this state")
@click.option("--overdue", is_flag=True, help="只列已超期的 / only overdue ones")
@click.option("--all", "include_closed", is_flag=True, help="含已办结的 / closed ones too")
@click.option("--after", default="", help="从此编号之后（翻页）/ start after this id (paging)")
@click.option("--limit", default=100, show_default=True, help="最多条数 / at most this many")
@store_option
@rules_option
@json_option
@lang_option
def list_instances(org_id: str | None, procedure: str | None, state: str | None,
                   overdue: bool, include_closed: bool, after: str, limit: int, store_url: str,
                   rules_path: Path | None, as_json: bool, lang: Lang) -> None:
    """列出实例（按编号翻页）/ list instances, a page at a time by id."""
    with _engine(store_url, rules_path, lang, read_only=True) as engine:
        if procedure is not None and procedure not in engine.rules.procedures:
            raise unknown_procedure(engine.rules, procedure, "-")  # with "did you mean"
        if org_id is not None:
            engine.organization(org_id)  # UnknownOrganization, not an empty list
        if state is not None:
            procs = [engine.rules.procedures[procedure]] if procedure else \
                list(engine.rules.procedures.values())
            states = {st for proc in procs for st in proc.states}
            if state not in states:
                szh, sen = suggest(state, sorted(states))
                raise UsageError(Text(f"没有名为 “{state}” 的状态{szh}",
                                      f"there is no state '{state}'{sen}"))
        query = InstanceQuery(org=org_id, procedure=procedure, state=state,
                              open_only=not include_closed,
                              overdue_at=engine.clock.now() if overdue else None)
        page = engine.find(query, after=after, limit=limit)
    if as_json:
        _print_json([_instance_dict(i) for i in page])
        return
    for inst in page:
        deadline = inst.deadline_at.isoformat() if inst.deadline_at else "-"
        out.print(f"{inst.id}  {inst.procedure}  {inst.state}  {inst.org or '-'}  {deadline}",
                  markup=False)
    if len(page) == limit:
        err.print(Text(f"（可能还有更多：--after {page[-1].id}）",
                       f"(there may be more: --after {page[-1].id})").get(lang), markup=False)


@click.command()
@_with(actor_options)
@click.option("--due-within", default="P3D", show_default=True,
              help="“即将到期”的期限 / what counts as due soon (a period)")
@click.option("--limit", default=100, show_default=True, help="最多条数 / at most this many")
@store_option
@rules_option
@json_option
@lang_option
def inbox(actor_id: str, role: str, actor_org: str | None, due_within: str, limit: int,
          store_url: str, rules_path: Path | None, as_json: bool, lang: Lang) -> None:
    """此人当前的待办：可以办理的实例，超时的在前 / what this actor may do now, overdue first."""
    with _engine(store_url, rules_path, lang, read_only=True) as engine:
        items = engine.inbox(Actor(actor_id, role, actor_org), due_within=due_within,
                             limit=limit)
    if as_json:
        _print_json([{**_instance_dict(i.instance), "triggers": list(i.triggers),
                      "overdue": i.overdue, "due_soon": i.due_soon} for i in items])
        return
    if not items:
        out.print(Text("没有待办", "nothing to do").get(lang), markup=False)
    for i in items:
        mark = Text("超时", "overdue") if i.overdue else Text("即将到期", "due soon") \
            if i.due_soon else Text("待办", "to do")
        deadline = i.deadline_at.isoformat() if i.deadline_at else "-"
        out.print(f"[{mark.get(lang)}] {i.instance.id}  {i.instance.procedure}  "
                  f"{i.instance.state}  {deadline}  → {', '.join(i.triggers)}", markup=False)


@click.command()
@click.option("--batch", default=500, show_default=True, help="每次读取的实例数 / rows per read")
@store_option
@rules_option
@json_option
@lang_option
def tick(batch: int, store_url: str, rules_path: Path | None, as_json: bool, lang: Lang) -> None:
    """处理到期提醒、超期步骤和逐级督办（可定时运行）/ send due reminders, fire timeouts and
    escalate overdue work (run it on a schedule)."""
    with _engine(store_url, rules_path, lang) as engine:
        report = engine.tick(batch=batch)
    counts = {"fired": len(report.fired), "escalated": len(report.escalated),
              "reminded": len(report.reminded), "conflicts": len(report.conflicts),
              "refused": len(report.refused), "failed": len(report.failed)}
    if as_json:
        _print_json({"now": report.now.isoformat(), **counts,
                     "refused_ids": [i for i, _ in report.refused],
                     "failed_ids": [i for i, _ in report.failed]})
    else:
        out.print(Text(
            "超期步骤 {fired}，督办 {escalated}，提醒 {reminded}，他人已处理 {conflicts}，"
            "拒绝 {refused}，出错 {failed}".format(**counts),
            "timeouts fired {fired}, escalated {escalated}, reminded {reminded}, handled "
            "elsewhere {conflicts}, refused {refused}, failed {failed}".format(**counts)
        ).get(lang), markup=False)
        for iid, exc in [*report.refused, *report.failed]:
            err.print(f"{iid}: {exc}", markup=False)
    if report.refused or report.failed:
        sys.exit(1)


@click.command()
@click.option("--procedure", "-p", default=None, help="只导出此流程 / only this procedure")
@store_option
@rules_option
@lang_option
def export(procedure: str | None, store_url: str, rules_path: Path | None, lang: Lang) -> None:
    """导出全部实例及其审计记录，每行一个 JSON / every instance with its audit records, one JSON
    object per line."""
    with _engine(store_url, rules_path, lang, read_only=True) as engine:
        for inst in engine.store.instances(procedure):
            line = {**_instance_dict(inst),
                    "history": [_record_dict(r) for r in engine.history(inst.id)]}
            sys.stdout.write(json.dumps(line, ensure_ascii=False) + "\n")


@click.command()
@click.option("--after", default="", help="从此游标之后 / after this cursor (the last one handled)")
@click.option("--follow", is_flag=True, help="持续等待新事件 / keep waiting for new events")
@click.option("--every", default=1.0, show_default=True, help="--follow 的查询间隔（秒）/ seconds "
              "between polls with --follow")
@click.option("--limit", default=500, show_default=True, help="每次读取的事件数 / per read")
@store_option
@rules_option
@lang_option
def events(after: str, follow: bool, every: float, limit: int, store_url: str,
           rules_path: Path | None, lang: Lang) -> None:
    """已提交步骤的事件流，每行一个 JSON（含 cursor，供断点续传）/ the outbox: committed steps as
    JSON lines, each with the cursor to resume after (delivery is at least once)."""
    import time

    with _engine(store_url, rules_path, lang, read_only=True) as engine:
        while True:
            page = engine.events(after, limit=limit)
            for event in page:
                sys.stdout.write(json.dumps({"cursor": event.cursor,
                                             **_record_dict(event.record),
                                             "instance_id": event.record.instance_id},
                                            ensure_ascii=False) + "\n")
            sys.stdout.flush()
            if page:
                after = page[-1].cursor
            elif not follow:
                return
            else:
                time.sleep(max(0.05, every))


COMMANDS = [start, fire, show, history, list_instances, inbox, tick, export, events]
"""Added to the ``partyflow`` group by ``partyflow.cli``."""

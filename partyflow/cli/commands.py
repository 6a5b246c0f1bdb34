"""The ``partyflow`` command: validate rules, write the schema, draw diagrams, run the demo.

Errors print as messages (zh by default, ``--lang en``), never as tracebacks.
"""

from __future__ import annotations

import json
import os
import sys
import tempfile
from pathlib import Path

import click
from rich.console import Console

import partyflow.cli.render as render
from partyflow.cli.rules_file import HELP as RULES_HELP
from partyflow.cli.rules_file import choose_rules
from partyflow.errors import Lang, PartyflowError, RulesError, Text
from partyflow.rules.definitions import RuleSet
from partyflow.rules.diagram import dot, mermaid
from partyflow.rules.loader import load_rules
from partyflow.rules.schema import json_schema


class _PipeClosed(Exception):
    """Whoever read the output went away (``partyflow demo | head -1``)."""


class _Console(Console):
    """A console that lets a closed pipe reach ``main`` (rich would exit with code 1)."""

    def on_broken_pipe(self) -> None:
        """Stop writing, and raise ``_PipeClosed`` for ``main`` to end the command."""
        self.quiet = True
        raise _PipeClosed


def _write(text: str) -> None:
    """Write ``text`` to stdout as it is; a closed pipe raises ``_PipeClosed``."""
    try:
        sys.stdout.write(text)
        sys.stdout.flush()
    except BrokenPipeError:
        raise _PipeClosed from None


out = _Console(highlight=False, soft_wrap=True)
err = _Console(stderr=True, highlight=False, soft_wrap=True)

lang_option = click.option(
    "--lang", type=click.Choice(["zh", "en"]), default="zh", envvar="PARTYFLOW_LANG",
    show_default=True, help="提示语言 / message language",
)
rules_option = click.option(
    "--rules", "-r", "rules_path", type=click.Path(path_type=Path), default=None,
    help=str(RULES_HELP),
)


class _Fail(Exception):
    """Stop the command with exit code 1 after a message was printed."""


def _unknown_procedure(name: str, rules: RuleSet) -> PartyflowError:
    """The error for a procedure name the rules do not define, with "did you mean"."""
    from partyflow.errors import UnknownProcedure
    from partyflow.rules.problems import suggest

    zh, en = suggest(name, list(rules.procedures))
    names = ", ".join(rules.procedures)
    return UnknownProcedure(Text(f"没有流程 “{name}”（可用：{names}）{zh}",
                                 f"no procedure '{name}' (known: {names}){en}"),
                            procedure=name)


def _rules(path: Path, lang: Lang) -> RuleSet:
    try:
        return load_rules(path)
    except RulesError as exc:
        err.print(exc.format(lang), markup=False)
        raise _Fail from None


def _chosen(given: Path | None, lang: Lang) -> Path:
    """The rules file to use (``choose_rules``); says so on stderr when it is the packaged one."""
    choice = choose_rules(given)
    note = choice.note()
    if note is not None:
        err.print(note.get(lang), markup=False)
    return choice.path


@click.group(help="partyflow：基层党组织工作流程引擎 / procedures of grassroots party organizations.")
@click.version_option(package_name="partyflow")
def app() -> None:
    """The command group."""


@app.command()
@click.argument("file", type=click.Path(path_type=Path), required=False)
@click.option("--strict", is_flag=True,
              help="有警告也以失败退出 / exit 1 on warnings too")
@lang_option
def validate(file: Path | None, strict: bool, lang: Lang) -> None:
    """检查规则文件，一次列出所有问题和警告 / check a rules file; list every problem and warning.

    未给出 FILE 时依次取 $PARTYFLOW_RULES、./config/rules.yaml（若存在）、随包附带的规则 /
    without FILE: $PARTYFLOW_RULES, else ./config/rules.yaml if it exists, else the rules
    shipped with the package."""
    file = _chosen(file, lang)
    rules = _rules(file, lang)
    n = len(rules.procedures)
    for w in rules.warnings:
        err.print(("警告 " if lang == "zh" else "warning: ") + w.format(lang), markup=False)
    if rules.warnings:
        k = len(rules.warnings)
        out.print(Text(f"{file}：可以使用，但有 {k} 条警告（{n} 个流程，版本 {rules.version}）",
                       f"{file}: usable, with {k} warning(s) ({n} procedures, version "
                       f"{rules.version})").get(lang), markup=False)
        if strict:
            raise _Fail
        return
    out.print(Text(f"{file}：没有发现问题（{n} 个流程，版本 {rules.version}）",
                   f"{file}: no problems ({n} procedures, version {rules.version})").get(lang),
              markup=False)


@app.command()
@click.option("--output", "-o", type=click.Path(path_type=Path), default=None,
              help="写入文件 / write to a file")
def schema(output: Path | None) -> None:
    """输出规则文件的 JSON Schema（draft-07）/ write the rules file's JSON Schema."""
    text = json.dumps(json_schema(), ensure_ascii=False, indent=2) + "\n"
    if output is None:
        _write(text)
    else:
        output.write_text(text, encoding="utf-8")


@app.command()
@click.argument("procedure")
@rules_option
@click.option("--format", "-f", "fmt", type=click.Choice(["mermaid", "dot"]), default="mermaid",
              show_default=True, help="输出格式 / output format")
@lang_option
def diagram(procedure: str, rules_path: Path | None, fmt: str, lang: Lang) -> None:
    """画出流程图（Mermaid 或 Graphviz DOT）/ draw a procedure's state diagram."""
    rs = _rules(_chosen(rules_path, lang), lang)
    proc = rs.procedures.get(procedure)
    if proc is None:
        raise _unknown_procedure(procedure, rs)
    _write(mermaid(proc, lang) if fmt == "mermaid" else dot(proc, lang))


@app.command()
@rules_option
@click.option("--db", type=click.Path(path_type=Path, dir_okay=False), default=None,
              help="SQLite 文件（默认用临时文件，结束即删除）；已有的文件会保留原有内容，每次运行新增"
                   "一组实例和一个新党支部 / SQLite file (default: a temporary one, deleted "
                   "afterwards); an existing file is reused, keeping what it holds: each run adds "
                   "its instances and a new branch")
@lang_option
def demo(rules_path: Path | None, db: Path | None, lang: Lang) -> None:
    """演示：在 SQLite 上完整走一遍成立党支部流程 / run one procedure end to end on SQLite."""
    from partyflow.cli.demo import run_demo

    rs = _rules(_chosen(rules_path, lang), lang)
    if db is None:
        with tempfile.TemporaryDirectory(prefix="partyflow-demo-") as tmp:
            run_demo(rs, Path(tmp) / "demo.db", lang, out)
    else:
        run_demo(rs, db, lang, out)


@app.command()
@click.argument("directory", type=click.Path(path_type=Path, file_okay=False), default=".")
@click.option("--force", is_flag=True, help="覆盖已有文件 / overwrite existing files")
@lang_option
def init(directory: Path, force: bool, lang: Lang) -> None:
    """在 DIRECTORY（默认当前目录）写出可编辑的 config/rules.yaml、其 JSON Schema 和
    examples/hierarchy.csv；已有文件时什么也不写（除非 --force）/ write config/rules.yaml to edit,
    its JSON Schema and examples/hierarchy.csv under DIRECTORY (default: here); nothing is
    written if any exists, unless --force."""
    from partyflow.cli.init import init_project

    for path in init_project(directory, force=force):
        out.print(Text(f"已写入 {path}", f"wrote {path}").get(lang), markup=False)
    out.print(Text(f"下一步：cd {directory} && partyflow validate",
                   f"next: cd {directory} && partyflow validate").get(lang), markup=False)


@app.group()
def org() -> None:
    """组织体系：检查、导入组织名册 / the organization hierarchy: check and import lists."""


@org.command("check")
@click.argument("file", type=click.Path(path_type=Path))
@click.option("--rules", "-r", "rules_path", type=click.Path(path_type=Path), default=None,
              help="规则文件（取其 hierarchy: 部分；未给出时依次取 $PARTYFLOW_RULES、"
                   "./config/rules.yaml，若都没有则用内置层级）/ rules file with a hierarchy: "
                   "section (if not given: $PARTYFLOW_RULES, else ./config/rules.yaml if it "
                   "exists, else the built-in levels)")
@lang_option
def org_check(file: Path, rules_path: Path | None, lang: Lang) -> None:
    """检查组织名册（CSV/YAML），一次列出所有问题 / check an organization list, every problem at once."""
    from partyflow.hierarchy import HierarchyError, load_hierarchy

    levels: RuleSet | None = None
    source = Text("内置默认层级", "built-in levels")
    choice = choose_rules(rules_path)  # the packaged rules are not used here: built-in levels
    if choice.source != "packaged":
        rules_path = choice.path
        levels = _rules(rules_path, lang)
        if levels.hierarchy is not None:
            source = Text(f"层级取自 {rules_path}", f"levels from {rules_path}")
    try:
        h = load_hierarchy(file, levels)
    except HierarchyError as exc:
        err.print(exc.format(lang), markup=False)
        n = len(exc.problems)
        err.print(Text(f"{file}：共 {n} 处问题", f"{file}: {n} problem(s)").get(lang), markup=False)
        raise _Fail from None
    out.print(Text(f"{file}：没有发现问题（{len(h)} 个组织，{source.zh}）",
                   f"{file}: no problems ({len(h)} organizations, {source.en})").get(lang),
              markup=False)


store_option = click.option(
    "--store", "-s", "store_url", required=True, envvar="PARTYFLOW_STORE", show_envvar=True,
    help="存储地址，如 sqlite:///partyflow.db 或 postgresql+psycopg://… / store URL")


def _login() -> str:
    import getpass

    try:
        return f"partyflow.cli:{getpass.getuser()}"
    except (OSError, KeyError):  # no login name (some containers)
        return "partyflow.cli"


@org.command("import")
@click.argument("file", type=click.Path(path_type=Path))
@store_option
@rules_option
@click.option("--actor", default=None, envvar="PARTYFLOW_ACTOR",
              help="记入组织体系留痕的操作人（默认 partyflow.cli:<登录名>）/ who is recorded in "
                   "the organization trail (default partyflow.cli:<login name>)")
@click.option("--close-missing", is_flag=True,
              help="撤销存储中有、名册中已没有的组织（流程成立的除外；有在办实例或下级组织则不导入）/ "
                   "close stored organizations the list no longer has (not those established "
                   "by procedures; refused if one has open instances or organizations under it)")
@lang_option
def org_import(file: Path, store_url: str, rules_path: Path | None, actor: str | None,
               close_missing: bool, lang: Lang) -> None:
    """检查并导入组织名册到存储（有问题则不导入），只写入变化：新增、迁移、更名、变更（及
    --close-missing 时的撤销）记入组织体系留痕 / check an organization list and import it into
    the store (nothing is imported if it has problems), writing only what changed: added,
    moved, renamed, updated (and with --close-missing, closed) organizations are recorded in
    the organization trail."""
    from partyflow.errors import OrgImportRefused
    from partyflow.hierarchy import ORG_IMPORT_LABELS, HierarchyError, load_hierarchy
    from partyflow.workflows.engine import Engine

    rs = _rules(_chosen(rules_path, lang), lang)
    try:
        h = load_hierarchy(file, rs)
    except HierarchyError as exc:
        err.print(exc.format(lang), markup=False)
        err.print(Text(f"{file}：共 {len(exc.problems)} 处问题，未导入",
                       f"{file}: {len(exc.problems)} problem(s), nothing imported").get(lang),
                  markup=False)
        raise _Fail from None
    engine = Engine(rs, store=store_url)
    try:
        done = engine.import_organizations(h, actor_id=actor or _login(),
                                           close_missing=close_missing)
    except OrgImportRefused as exc:
        err.print(exc.message(lang), markup=False)
        raise _Fail from None
    finally:
        engine.store.close()
    shown = render.shown_url(store_url)
    out.print(Text(f"已导入到 {shown}：", f"imported into {shown}: ").get(lang)
              + done.summary().get(lang), markup=False)
    for kind, ids in done.examples.items():
        more = "…" if len(ids) < getattr(done, kind) else ""
        out.print(f"  {ORG_IMPORT_LABELS[kind].get(lang)}: {', '.join(ids)}{more}",
                  markup=False)
    if done.missing:
        out.print(Text(f"名册中已没有 {done.missing} 个存储中的组织，未撤销（加 --close-missing 撤销）",
                       f"{done.missing} stored organization(s) are not in the list and were "
                       "kept (--close-missing closes them)").get(lang), markup=False)


@app.command()
@click.option("--org", "org_id", required=True,
              help="组织编号：统计该组织及其下级 / organization id: it and everything below")
@store_option
@rules_option
@click.option("--procedure", "-p", default=None, help="只统计此流程 / only this procedure")
@click.option("--csv", "as_csv", is_flag=True, help="输出 CSV / print CSV")
@lang_option
def report(org_id: str, store_url: str, rules_path: Path | None, procedure: str | None,
           as_csv: bool, lang: Lang) -> None:
    """按组织统计在办、超期、已督办的实例 / open, overdue and escalated instances of an
    organization's subtree, by procedure and state."""
    from partyflow.errors import UnknownOrganization
    from partyflow.rules.problems import suggest
    from partyflow.stores.open import open_store
    from partyflow.workflows.engine import Engine

    rs = _rules(_chosen(rules_path, lang), lang)
    engine = Engine(rs, store=open_store(store_url, read_only=True))
    try:
        try:
            org = engine.organization(org_id)
        except UnknownOrganization as exc:
            tail = Text(*suggest(org_id, [o.id for o in engine.store.organizations()]))
            err.print(exc.message(lang) + tail.get(lang), markup=False)
            raise _Fail from None
        rows = engine.report(org_id, procedure=procedure)
    finally:
        engine.store.close()
    if procedure is not None and procedure not in rs.procedures and not rows:
        raise _unknown_procedure(procedure, rs)  # a typo, not a report of zeros
    if as_csv:
        _write(render.report_csv(rows))
        return
    out.print(render.report_table(org, rows, rs, lang))


@app.command()
@click.argument("old", type=click.Path(path_type=Path))
@click.argument("new", type=click.Path(path_type=Path))
@click.option("--format", "-f", "fmt", type=click.Choice(["table", "markdown"]),
              default="table", show_default=True,
              help="输出格式：终端表格，或 Markdown（供审阅）/ output format: a terminal table, "
                   "or Markdown for a review")
@lang_option
def diff(old: Path, new: Path, fmt: str, lang: Lang) -> None:
    """比较两个规则文件，逐流程列出变更（无变更退出码 0，有变更 1，文件有错 2）/ what changed
    between two rules files (exit 0: none, 1: changes, 2: a file has problems)."""
    from partyflow.rules.diff import diff_rules

    rulesets, broken = [], False
    for path in (old, new):  # both files' problems, each as file:line:column
        try:
            rulesets.append(_rules(path, lang))
        except _Fail:
            broken = True
    if broken:
        raise click.exceptions.Exit(2)
    d = diff_rules(rulesets[0], rulesets[1])
    for w in d.warnings:
        err.print(f"{new}: {w.procedure}.{'.'.join(w.path)}: {w.text.get(lang)}", markup=False)
    if fmt == "markdown":
        out.print(d.to_markdown(lang), markup=False)
    elif not d:
        out.print(Text("没有变更", "no changes").get(lang), markup=False)
    else:
        for table in render.diff_tables(d, lang):
            out.print(table)
        out.print(render.diff_summary(d, lang), markup=False)
    if d:
        raise click.exceptions.Exit(1)


@app.command()
@click.argument("new", type=click.Path(path_type=Path))
@store_option
@click.option("--procedure", "-p", default=None, help="只看此流程 / only this procedure")
@click.option("--format", "-f", "fmt", type=click.Choice(["table", "markdown", "json"]),
              default="table", show_default=True,
              help="输出格式：终端表格、Markdown（供审阅）或 JSON（供程序读取）/ output format: a "
                   "terminal table, Markdown for a review, or JSON for programs")
@lang_option
def impact(new: Path, store_url: str, procedure: str | None, fmt: str, lang: Lang) -> None:
    """试算新规则对在办实例的影响，不写入任何内容 / dry run: how new rules would affect the
    running instances (nothing is written)."""
    from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn

    from partyflow.policy import impact as run_impact
    from partyflow.stores.open import open_store

    rules = _rules(new, lang)
    store = open_store(store_url, read_only=True)
    columns = (TextColumn("{task.description}"), BarColumn(),
               TextColumn(Text("已检查 {task.completed:.0f} 个", "{task.completed:.0f} checked")
                          .get(lang)), TimeElapsedColumn())
    try:
        with Progress(*columns, console=err, transient=True,
                      disable=not err.is_terminal) as bar:
            task = bar.add_task(Text("检查在办实例", "checking running instances").get(lang),
                                total=None)
            report = run_impact(store, rules, procedure=procedure,
                                progress=lambda n: bar.update(task, completed=n))
    finally:
        store.close()
    if procedure is not None and procedure not in rules.procedures and not report.scanned:
        raise _unknown_procedure(procedure, rules)  # a typo, not "nothing affected"
    if fmt == "markdown":
        out.print(report.to_markdown(lang), markup=False)
        return
    if fmt == "json":
        out.print_json(render.impact_json(report))
        return
    out.print(render.impact_table(report, lang))


@app.command()
@click.argument("new", type=click.Path(path_type=Path))
@click.option("--map", "map_path", required=True, type=click.Path(path_type=Path),
              help="状态映射文件（YAML）/ the state map (YAML)")
@store_option
@click.option("--instance", "instance_ids", multiple=True,
              help="只迁移这些实例（可重复）/ only these instances (repeatable)")
@click.option("--apply", is_flag=True, help="实际写入（默认只试算）/ write (a dry run otherwise)")
@lang_option
def migrate(new: Path, map_path: Path, store_url: str, instance_ids: tuple[str, ...],
            apply: bool, lang: Lang) -> None:
    """按映射把在办实例迁移到新规则；默认试算 / move running instances to new rules by a state
    map; a dry run unless --apply (exit 1 if any instance is refused)."""
    from partyflow.policy import load_migration_map
    from partyflow.policy import migrate as run_migrate
    from partyflow.stores.open import open_store

    rules = _rules(new, lang)
    mapping = load_migration_map(map_path)
    store = open_store(store_url)
    try:
        report = run_migrate(store, rules, mapping, instance_ids=instance_ids or None,
                             apply=apply)
    finally:
        store.close()
    if report.outcomes:
        table = render.migrate_table(report, apply, lang)
        if out.is_terminal:
            out.print(table)
        else:  # a file or a pipe: the table at its own width, no id cut at 80 columns
            from rich.measure import Measurement

            wide = Measurement.get(out, out.options.update_width(100_000), table).maximum
            _Console(highlight=False, soft_wrap=True, width=max(out.width, wide)).print(table)
    out.print(render.migrate_summary(report, lang), markup=False)
    if report.count("refused") or report.count("conflict"):
        raise _Fail


@app.command()
@click.argument("instance_id", required=False)
@click.option("--all", "all_instances", is_flag=True,
              help="校验所有实例（分批读取）/ every instance, streamed")
@click.option("--orgs", is_flag=True, help="校验组织体系留痕 / the organization trail")
@click.option("--checkpoint", "checkpoint", type=click.Path(path_type=Path), default=None,
              help="全部通过后写入检查点文件（需 --all）/ write a checkpoint file if everything "
                   "verifies (needs --all)")
@click.option("--against", type=click.Path(path_type=Path, exists=True, dir_okay=False),
              default=None, help="与先前的检查点比较（需 --all）/ compare with an earlier "
                                 "checkpoint (needs --all)")
@click.option("--key-file", type=click.Path(path_type=Path, exists=True, dir_okay=False),
              default=None, help="检查点密钥文件（默认取 PARTYFLOW_AUDIT_KEY）/ checkpoint key "
                                 "file (default: PARTYFLOW_AUDIT_KEY)")
@store_option
@click.option("--batch", default=1000, show_default=True, type=click.IntRange(1, 100_000),
              help="每次读取的实例数 / instances read per query")
@lang_option
def verify(instance_id: str | None, all_instances: bool, orgs: bool, checkpoint: Path | None,
           against: Path | None, key_file: Path | None, store_url: str, batch: int,
           lang: Lang) -> None:
    """校验审计链：一个实例、全部实例（--all）或组织体系留痕（--orgs），可写入或比对检查点；
    有问题退出码 1 / verify audit chains: one instance, every instance (--all) or the
    organization trail (--orgs), writing or comparing a checkpoint; exit 1 if anything is
    broken."""
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn

    from partyflow import evidence
    from partyflow.stores.open import open_store

    if instance_id is not None and (all_instances or orgs):
        raise click.UsageError(Text("实例编号不能与 --all、--orgs 同时使用",
                                    "give an instance id, or --all / --orgs, not both").get(lang))
    if instance_id is None and not (all_instances or orgs):
        raise click.UsageError(Text("请给出实例编号，或 --all、--orgs",
                                    "give an instance id, or --all and/or --orgs").get(lang))
    if (checkpoint is not None or against is not None) and not all_instances:
        raise click.UsageError(Text("--checkpoint、--against 需要 --all",
                                    "--checkpoint and --against need --all").get(lang))
    key = evidence.read_key(key_file=key_file)
    store = open_store(store_url, read_only=True)
    failed = False
    try:
        if instance_id is not None:
            n = evidence.verify_instance(store, instance_id)
            out.print(Text(f"实例 {instance_id}：审计链完整（{n} 条记录）",
                           f"instance {instance_id}: audit chain intact ({n} records)").get(lang),
                      markup=False)
            return
        if not all_instances:  # --orgs alone
            from partyflow.hierarchy.trail import verify_organizations

            n = verify_organizations(store, batch=batch)
            out.print(Text(f"组织体系留痕完整（{n} 条记录）",
                           f"organization trail intact ({n} records)").get(lang), markup=False)
            return
        columns = (TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn())
        compared = None
        with Progress(*columns, console=err, transient=True,
                      disable=not err.is_terminal) as bar:
            if against is not None:
                task = bar.add_task(Text("比对检查点", "comparing the checkpoint").get(lang),
                                    total=None)
                compared = evidence.compare_checkpoint(
                    store, against, key=key, progress=lambda n: bar.update(task, completed=n),
                    on_problem=lambda p: out.print(render.problem_line(p, lang), markup=False))
                bar.remove_task(task)
            task = bar.add_task(Text("校验审计链", "verifying audit chains").get(lang),
                                total=store.instance_count())
            write_to = checkpoint if compared is None or compared.ok else None
            report = evidence.verify_all(
                store, orgs=orgs or checkpoint is not None or against is not None,
                checkpoint=write_to, key=key, batch=batch,
                progress=lambda n: bar.update(task, completed=n),
                on_broken=lambda b: out.print(render.broken_line(b, lang), markup=False))
        for line in render.verify_lines(report, lang, compared=compared, checkpoint=checkpoint):
            out.print(line, markup=False)
        failed = not report.ok or (compared is not None and not compared.ok)
    finally:
        store.close()
        if failed:
            raise _Fail


def _lang_from_argv(argv: list[str]) -> Lang:
    if "--lang=en" in argv or os.environ.get("PARTYFLOW_LANG") == "en":
        return "en"
    if "--lang" in argv and argv[argv.index("--lang") + 1:][:1] == ["en"]:
        return "en"
    return "zh"


def _unusable(arg: str) -> bool:
    """Whether no file name or option could hold ``arg``."""
    if "\x00" in arg:
        return True
    try:
        os.fsencode(arg)
    except UnicodeEncodeError:
        return True
    return False


def main(argv: list[str] | None = None) -> int:
    """Run the command; every partyflow error becomes a message and exit code 1."""
    args = sys.argv[1:] if argv is None else argv
    lang = _lang_from_argv(args)
    for arg in args:  # NUL, or bytes the system could not decode (a file name in GBK)
        if _unusable(arg):
            err.print(Text(f"参数 {arg!r} 含有空字符或无法编码的字符",
                           f"the argument {arg!r} holds a NUL or a character that cannot be "
                           "encoded").get(lang), markup=False)
            return 2
    try:
        code = app.main(args=args, prog_name="partyflow", standalone_mode=False)
        return code if isinstance(code, int) else 0  # click returns Exit's code here
    except _Fail:
        return 1
    except click.exceptions.Exit as exc:
        return exc.exit_code
    except click.exceptions.Abort:
        err.print("已中止 / aborted", markup=False)
        return 130
    except (_PipeClosed, BrokenPipeError):  # the reader left (`partyflow demo | head -1`)
        _drop_stdout()
        if out.quiet:
            out.print()  # still quiet: drops what was left unwritten
            out.quiet = False  # a next command in this process (tests) prints again
        return 141  # as if killed by SIGPIPE (128 + 13), quietly
    except click.ClickException as exc:
        exc.show()
        return exc.exit_code
    except RulesError as exc:
        err.print(exc.format(lang), markup=False)
        return 1
    except PartyflowError as exc:
        err.print(exc.message(lang), markup=False)
        return 1
    except OSError as exc:
        err.print(Text(f"文件错误：{exc}", f"file error: {exc}").get(lang), markup=False)
        return 1


def _drop_stdout() -> None:
    """Point stdout at the null device, so flushing what is left at exit raises nothing."""
    try:
        fd = sys.stdout.fileno()
    except (AttributeError, OSError, ValueError):  # not a file (a test's StringIO)
        return
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, fd)
    os.close(devnull)


def run() -> None:
    """Console-script entry point."""
    code = main()
    try:
        sys.stdout.flush()  # here, not at exit, where a closed pipe prints a warning
    except BrokenPipeError:
        _drop_stdout()
        code = 141
    sys.exit(code)


"""Terminal, CSV and JSON rendering for the command line: tables built from result objects.

Every function here takes results (report rows, diffs, impact and migration reports, audit
records) and returns something to print; none reads a store or a file, and none prints. The
commands (``partyflow.cli.commands``) and the demo (``partyflow.cli.demo``) both use it.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING

from rich.table import Table
from rich.text import Text as Plain

from partyflow.errors import Lang, Text

if TYPE_CHECKING:  # result types only; importing them would load rules change for `validate`
    from pathlib import Path

    from partyflow.evidence import Broken, CheckpointProblem, CheckpointReport, VerifyReport
    from partyflow.policy import ImpactReport, MigrationReport
    from partyflow.rules.calendar import Calendar
    from partyflow.rules.definitions import RuleSet
    from partyflow.rules.diff import RulesDiff
    from partyflow.workflows.records import AuditRecord, Instance, Organization, ReportRow


def _head(zh: str, en: str, lang: Lang) -> str:
    return zh if lang == "zh" else en


def shown_url(url: str) -> str:
    """A store URL fit to print: its password replaced by ``***``."""
    from partyflow.stores.open import redacted_url

    return redacted_url(url)


def _row(*cells: str) -> list[Plain]:
    """Table cells shown as they are: ``[bold]`` or ``[/x]`` in a name is text, not markup."""
    return [Plain(cell) for cell in cells]


def deadline_text(inst: Instance, calendar: Calendar) -> Text:
    """An instance's deadline as people read it: its local last day, the zone, and whether it
    was counted on an estimated calendar (C5)."""
    if inst.deadline_at is None:
        return Text("无期限", "no deadline")
    local = inst.deadline_at.astimezone(calendar.zone)
    if local.time() == dt.time(0):  # a calendar period: through its last day
        last = (local - dt.timedelta(days=1)).date().isoformat()
        zh = f"{last} 24 时（{calendar.time_zone}）止"
        en = f"by the end of {last} ({calendar.time_zone})"
    else:  # an exact period
        shown = local.strftime("%Y-%m-%d %H:%M")
        zh, en = f"{shown}（{calendar.time_zone}）前", f"before {shown} ({calendar.time_zone})"
    if inst.deadline_estimated:
        zh += "，按估算的节假日安排计算"
        en += ", counted on an estimated holiday calendar"
    return Text(zh, en)


def audit_table(records: Iterable[AuditRecord], lang: Lang, title: str) -> Table:
    """A rich table of audit records, readable in an 80-column terminal."""
    table = Table(title=Plain(title))
    heads = (("#", "#"), ("时间(UTC)", "At (UTC)"), ("步骤 / 数据", "Trigger / data"),
             ("状态变化", "From → to"), ("操作人（角色）", "Actor (role)"), ("依据", "Basis"),
             ("哈希", "Hash"))
    for i, (zh, en) in enumerate(heads):
        table.add_column(_head(zh, en, lang), overflow="fold", no_wrap=i in (0, 6))
    for r in records:
        data = json.dumps(r.data, ensure_ascii=False) if r.data else ""
        if len(data) > 80:
            data = data[:77] + "…"
        table.add_row(*_row(
            str(r.seq), r.at.strftime("%Y-%m-%d %H:%M"),
            r.trigger + (f"\n{data}" if data else ""),
            f"{r.from_state or '—'} → {r.to_state}", f"{r.actor_id} ({r.actor_role})",
            r.basis or "", r.hash[:8],
        ))
    return table


_REPORT_HEADS = (("流程", "procedure"), ("状态", "state"), ("在办", "open"), ("超期", "overdue"),
                 ("已督办", "escalated"))


def report_csv(rows: Sequence[ReportRow]) -> str:
    """The ``partyflow report`` rows as CSV text with English column names."""
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    writer.writerow([en for _zh, en in _REPORT_HEADS])
    for r in rows:
        writer.writerow([r.procedure, r.state, r.open, r.overdue, r.escalated])
    return buf.getvalue()


def report_table(org: Organization, rows: Sequence[ReportRow], rules: RuleSet,
                 lang: Lang) -> Table:
    """The ``partyflow report`` rows as a table, with procedure and state labels and a total."""
    table = Table(title=Plain(Text(f"{org.name}（{org.id}）及下级组织的实例",
                                   f"Instances of {org.name} ({org.id}) and below").get(lang)))
    for zh, en in _REPORT_HEADS:
        table.add_column(_head(zh, en, lang),
                         justify="right" if en in ("open", "overdue", "escalated") else "left")
    for r in rows:
        proc = rules.procedures.get(r.procedure)
        st = proc.states.get(r.state) if proc else None
        table.add_row(*_row(proc.title.get(lang) if proc else r.procedure,
                            f"{st.label.get(lang)} ({r.state})" if st else r.state,
                            str(r.open), str(r.overdue), str(r.escalated)))
    table.add_section()
    table.add_row(Text("合计", "total").get(lang), "", str(sum(r.open for r in rows)),
                  str(sum(r.overdue for r in rows)), str(sum(r.escalated for r in rows)))
    return table


_DIFF_HEADS = (("变更", "change"), ("位置", "where"), ("原值", "old"), ("新值", "new"),
               ("依据", "basis"), ("名称", "name"))


def diff_tables(d: RulesDiff, lang: Lang) -> list[Table]:
    """One table per procedure that changed; values such as ``[a, b]`` are text, not markup."""
    tables = []
    for proc in d.by_procedure():
        table = Table(title=Plain(d.heading(proc, lang)), title_justify="left")
        for zh, en in _DIFF_HEADS:
            table.add_column(_head(zh, en, lang), overflow="fold")
        for row in d.rows(proc, lang):
            table.add_row(*_row(*row))
        tables.append(table)
    return tables


def diff_summary(d: RulesDiff, lang: Lang) -> str:
    """The line under the diff tables: versions and the number of changes."""
    return Text(f"{d.old_version} → {d.new_version}：共 {len(d.changes)} 处变更",
                f"{d.old_version} → {d.new_version}: {len(d.changes)} change(s)").get(lang)


def impact_json(report: ImpactReport) -> str:
    """The impact report as JSON (groups of affected instances, with examples)."""
    return json.dumps({
        "new_version": report.new_version, "scanned": report.scanned,
        "affected": report.affected, "not_evaluated": report.not_evaluated,
        "groups": [{"procedure": g.procedure, "state": g.state, "kind": g.kind,
                    "detail": g.detail, "basis": g.basis, "count": g.count,
                    "examples": g.examples} for g in report.rows()]},
        ensure_ascii=False)


def impact_table(report: ImpactReport, lang: Lang) -> Table:
    """The impact report as a table: one row per (procedure, state, kind of impact)."""
    title = Text(f"新规则 {report.new_version} 的影响：检查 {report.scanned} 个在办实例，"
                 f"{report.affected} 个受影响，{report.not_evaluated} 个的待办条件读取本次操作、未计入",
                 f"Impact of rules {report.new_version}: {report.scanned} running instances "
                 f"checked, {report.affected} affected, {report.not_evaluated} not evaluated "
                 "(their pending conditions read the step) and not counted")
    table = Table(title=Plain(title.get(lang)))
    for zh, en in (("流程", "procedure"), ("状态", "state"), ("影响", "impact"),
                   ("说明", "detail"), ("依据", "basis"), ("实例数", "instances"),
                   ("示例", "examples")):
        table.add_column(_head(zh, en, lang))
    for g in report.rows():
        table.add_row(*_row(g.procedure, g.state, g.kind_text.get(lang), g.detail,
                            g.basis or "-", str(g.count), ", ".join(g.examples[:3])))
    return table


def migrate_table(report: MigrationReport, applied: bool, lang: Lang) -> Table:
    """The migration outcomes, one row per instance, each id in full on one line; the title
    says whether it was a dry run."""
    dry = Text("" if applied else "（试算，未写入）", "" if applied else " (dry run, nothing written)")
    table = Table(title=Plain(Text(f"迁移到规则 {report.new_version}{dry.zh}",
                                   f"Migration to rules {report.new_version}{dry.en}").get(lang)))
    longest = max((len(o.instance_id) for o in report.outcomes), default=0)
    for zh, en in (("实例", "instance"), ("流程", "procedure"), ("状态", "state"),
                   ("结果", "outcome"), ("原因", "reason")):
        if en == "instance":  # whole on one line (folded only past 48): operators copy it
            table.add_column(_head(zh, en, lang), no_wrap=True, overflow="fold",
                             min_width=min(longest, 48))
        else:
            table.add_column(_head(zh, en, lang), overflow="fold")
    for o in report.outcomes:
        table.add_row(*_row(o.instance_id, o.procedure, f"{o.from_state} → {o.to_state or '?'}",
                            o.status_text.get(lang), o.reason.get(lang) if o.reason else ""))
    return table


def migrate_summary(report: MigrationReport, lang: Lang) -> str:
    """The line under the migration table: counts by outcome, or that there is nothing to do."""
    from partyflow.policy.migrate import MIGRATION_STATUSES

    changing = report.count("moved") + report.count("would_move")
    troubled = report.count("refused") + report.count("conflict")
    if not changing and not troubled:
        skipped = report.count("skipped")
        tail = Text(f"（跳过 {skipped} 个）", f" ({skipped} skipped)") if skipped else Text("", "")
        return Text(f"无需迁移：没有需要迁移的在办实例{tail.zh}",
                    f"nothing to do: no running instance needs migrating{tail.en}").get(lang)
    shown = [(MIGRATION_STATUSES[s], k) for s in MIGRATION_STATUSES if (k := report.count(s))]
    n = len(report.outcomes)
    return Text(f"共 {n} 个实例：" + "，".join(f"{t.zh} {k} 个" for t, k in shown),
                f"{n} instance(s): " + ", ".join(f"{k} {t.en}" for t, k in shown)).get(lang)


def _counts(counts: dict[str, int]) -> str:
    return ", ".join(f"{k} {v}" for k, v in sorted(counts.items()))


def broken_line(b: Broken, lang: Lang) -> str:
    """One broken trail or rules text, as ``partyflow verify --all`` prints it when found."""
    return f"✗ [{b.reason}] {b.text.get(lang)}"


def problem_line(p: CheckpointProblem, lang: Lang) -> str:
    """One difference from a checkpoint, as ``partyflow verify --against`` prints it."""
    return f"✗ [{p.kind}] {p.text.get(lang)}"


def verify_lines(report: VerifyReport, lang: Lang, *, compared: CheckpointReport | None = None,
                 checkpoint: Path | None = None) -> list[str]:
    """The summary of ``partyflow verify --all``: what was checked, what is broken (by
    reason), the checkpoint compared and the one written."""
    lines = []
    if report.broken:
        intact = report.instances - report.broken
        lines.append(Text(
            f"已校验 {report.instances} 个实例：{intact} 个完整（{report.records} 条审计记录），"
            f"{report.broken} 个的审计链损坏（{_counts(report.reasons)}）",
            f"checked {report.instances} instances: {intact} intact ({report.records} audit "
            f"records), {report.broken} broken ({_counts(report.reasons)})").get(lang))
    else:
        lines.append(Text(
            f"已校验 {report.instances} 个实例、{report.records} 条审计记录：全部完整",
            f"checked {report.instances} instances, {report.records} audit records: all "
            "intact").get(lang))
    if report.rules_broken:
        lines.append(Text(
            f"规则文本：检查 {report.rules} 个版本，{len(report.rules_broken)} 个缺失或被改动，"
            f"{report.rules_affected} 个实例依此运行",
            f"rules texts: {report.rules} version(s) checked, {len(report.rules_broken)} missing "
            f"or edited, {report.rules_affected} instance(s) run on them").get(lang))
    if report.org_broken is not None:
        lines.append(Text(f"组织体系留痕损坏（{report.org_broken.reason}）",
                          f"organization trail broken ({report.org_broken.reason})").get(lang))
    elif report.org_records is not None:
        lines.append(Text(f"组织体系留痕完整（{report.org_records} 条记录）",
                          f"organization trail intact ({report.org_records} records)").get(lang))
    if compared is not None:
        kind = Text("密钥摘要", "keyed digest") if compared.keyed else Text("无密钥摘要",
                                                                         "unkeyed digest")
        where = Text(f"检查点 {compared.path}（写于 {compared.written_at}，{kind.zh}）",
                     f"checkpoint {compared.path} (written {compared.written_at}, {kind.en})")
        if compared.ok:
            lines.append(Text(f"{where.zh}：{compared.instances} 个实例及组织体系留痕的记载全部一致",
                              f"{where.en}: all {compared.instances} instances and the "
                              "organization trail match").get(lang))
        else:
            lines.append(Text(f"{where.zh}：比对 {compared.instances} 个实例，{compared.problems} 处不符"
                              f"（{_counts(compared.kinds)}）",
                              f"{where.en}: {compared.instances} instances compared, "
                              f"{compared.problems} problem(s) ({_counts(compared.kinds)})"
                              ).get(lang))
    if checkpoint is not None:
        if report.checkpoint is not None:
            lines.append(Text(f"已写入检查点 {report.checkpoint}：请保存在数据库主机以外",
                              f"checkpoint written to {report.checkpoint}: keep it off the "
                              "database host").get(lang))
        else:
            lines.append(Text(f"未写入检查点 {checkpoint}：存在损坏或不符",
                              f"checkpoint {checkpoint} not written: something is broken or "
                              "does not match").get(lang))
    return lines

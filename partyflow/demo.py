"""The ``partyflow demo`` story: a community establishes a party branch (成立党支部).

Runs on a SQLite file through the public API only: a refused request, a withdrawal, an
overdue review escalated by ``tick``, approval, election, filing and confirmation; then
prints the audit trail and verifies its hash chain.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from rich.console import Console

from partyflow.errors import Lang, WorkflowError
from partyflow.rules.definitions import RuleSet
from partyflow.testing import FakeClock
from partyflow.workflows.engine import Engine
from partyflow.workflows.records import Actor

PROCEDURE = "branch_establishment"


def run_demo(rules: RuleSet, db: Path, lang: Lang, console: Console) -> None:
    """Run the demo story on ``db`` and print it."""
    from partyflow.cli import audit_table

    zh = lang == "zh"

    def say(zh_text: str, en_text: str) -> None:
        console.print(zh_text if zh else en_text, markup=False)

    clock = FakeClock(dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.UTC))
    engine = Engine(rules, store=f"sqlite:///{db}", clock=clock)
    unit = Actor("wang.li", "applicant", "xingguang-community")
    street = Actor("zhao.min", "street_committee", "dongcheng-street")
    district = Actor("liu.qiang", "district_committee", "east-district")
    proc = rules.procedures[PROCEDURE]
    say(f"流程：{proc.title.zh}（规则版本 {rules.version}），数据库 {db}",
        f"Procedure: {proc.title.en} (rules {rules.version}), database {db}")

    def attempt(label_zh: str, label_en: str, fn: object) -> None:
        try:
            fn()  # type: ignore[operator]
        except WorkflowError as exc:
            say(f"✗ {label_zh}：被拒绝：{exc.message('zh')}",
                f"✗ {label_en}: refused: {exc.message('en')}")

    small = engine.start(PROCEDURE, {"unit_name": "星光社区", "full_members": 2,
                                     "probationary_members": 1, "units_covered": 1,
                                     "org_form": "branch"}, unit)
    attempt("2 名正式党员报送请示", "submit with 2 full members",
            lambda: engine.fire(small.id, "submit", unit))
    engine.fire(small.id, "withdraw", unit)
    say("→ 撤回，改为按实际人数重新申请", "→ withdrawn; applying again with the real count")

    inst = engine.start(PROCEDURE, {"unit_name": "星光社区", "full_members": 9,
                                    "probationary_members": 2, "units_covered": 1,
                                    "org_form": "branch"}, unit)
    engine.fire(inst.id, "submit", unit, idempotency_key="req-2026-031")
    engine.fire(inst.id, "submit", unit, idempotency_key="req-2026-031")  # a retry: no-op
    say("✓ 报送请示（重复提交被幂等键识别，只记一次）",
        "✓ submitted (the retried request was recognised by its idempotency key)")
    attempt("街道不说明理由就退回", "street rejects without a reason",
            lambda: engine.fire(inst.id, "reject", street))
    clock.advance("P1M1D")
    report = engine.tick()
    say(f"⏱ 审批逾期：tick 处理了 {len(report.fired)} 个实例，上报区委督办",
        f"⏱ review overdue: tick fired {len(report.fired)} timeout(s), escalated to the district")
    engine.fire(inst.id, "approve", district)
    elected = {"secretary_elected": "李红", "committee_size": 0, "term_years_elected": 5}
    attempt("9 名党员却设 0 人委员会", "elect with no committee for 9 members",
            lambda: engine.fire(inst.id, "elect", unit, elected))
    engine.fire(inst.id, "elect", unit, {**elected, "committee_size": 3})
    engine.fire(inst.id, "file_results", unit)
    final = engine.fire(inst.id, "confirm", district)
    state = proc.states[final.state].label
    say(f"✓ 最终状态：{state.zh}", f"✓ final state: {state.en}")
    records = engine.history(inst.id)
    console.print(audit_table(records, lang, "审计记录 / audit trail"))
    n = engine.verify(inst.id)
    say(f"审计哈希链校验通过（{n} 条记录）", f"audit hash chain verified ({n} records)")
    engine.store.close()

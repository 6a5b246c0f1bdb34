"""The ``partyflow demo`` story: a community establishes a party branch (成立党支部).

Runs on a SQLite file through the public API only: a small city's hierarchy is imported, a
request is refused and withdrawn, a street committee that is not the direct superior is
refused, the overdue review is escalated one level up the responsibility chain by ``tick``,
the district approves, the members elect, and the confirmed branch joins the hierarchy; then
the audit trail is printed and its hash chain verified.

A database file that already holds a demo run is reused: the organizations are imported again
(unchanged), and the new branch gets the first free id (``dongcheng-xingguang-2`` …).
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from rich.console import Console

from partyflow.cli.render import audit_table, deadline_text
from partyflow.errors import Lang, UnknownOrganization, WorkflowError
from partyflow.hierarchy import load_hierarchy_text
from partyflow.rules.definitions import RuleSet
from partyflow.workflows.clock import ManualClock
from partyflow.workflows.engine import Engine
from partyflow.workflows.records import Actor

PROCEDURE = "branch_establishment"

ORGANIZATIONS = """id,name,level,parent,secretary
xinghai,星海市委,city,,陈建国
dongcheng,东城区委,district,xinghai,李卫东
dongcheng-street,东城街道党工委,street,dongcheng,赵敏
hepingli-street,和平里街道党工委,street,dongcheng,孙立华
chaoyang,朝阳社区党总支,community,dongcheng-street,郑国强
"""
"""The demo city (a part of ``examples/hierarchy.csv``)."""


def _free_org_id(engine: Engine, base: str) -> str:
    """``base``, or ``base-2``, ``base-3`` … whichever the hierarchy does not hold yet."""
    candidate, n = base, 1
    while True:
        try:
            engine.organization(candidate)
        except UnknownOrganization:
            return candidate
        n += 1
        candidate = f"{base}-{n}"


def run_demo(rules: RuleSet, db: Path, lang: Lang, console: Console) -> None:
    """Run the demo story on ``db`` and print it."""
    zh = lang == "zh"

    def say(zh_text: str, en_text: str) -> None:
        console.print(zh_text if zh else en_text, markup=False)

    clock = ManualClock(dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.UTC))
    engine = Engine(rules, store=f"sqlite:///{db}", clock=clock)
    n_orgs = engine.import_organizations(
        load_hierarchy_text(ORGANIZATIONS, file="<demo organizations>", levels=rules)).given
    unit = Actor("wang.li", "applicant", "xingguang-community")
    street = Actor("zhao.min", "street_committee", "dongcheng-street")
    other_street = Actor("sun.lihua", "street_committee", "hepingli-street")
    district = Actor("liu.qiang", "district_committee", "dongcheng")
    proc = rules.procedures[PROCEDURE]
    say(f"流程：{proc.title.zh}（规则版本 {rules.version}），数据库 {db}，组织体系 {n_orgs} 个组织",
        f"Procedure: {proc.title.en} (rules {rules.version}), database {db}, "
        f"{n_orgs} organizations")
    request = {"unit_name": "星光社区", "probationary_members": 2, "units_covered": 1,
               "org_form": "branch", "parent_org": "dongcheng-street"}

    def attempt(label_zh: str, label_en: str, fn: object) -> None:
        try:
            fn()  # type: ignore[operator]
        except WorkflowError as exc:
            say(f"✗ {label_zh}：被拒绝：{exc.message('zh')}",
                f"✗ {label_en}: refused: {exc.message('en')}")

    small = engine.start(PROCEDURE, {**request, "full_members": 2}, unit)
    attempt("2 名正式党员报送请示", "submit with 2 full members",
            lambda: engine.fire(small.id, "submit", unit))
    engine.fire(small.id, "withdraw", unit)
    say("→ 撤回，改为按实际人数重新申请", "→ withdrawn; applying again with the real count")

    inst = engine.start(PROCEDURE, {**request, "full_members": 9}, unit)
    engine.fire(inst.id, "submit", unit, idempotency_key="req-2026-031")
    submitted = engine.fire(inst.id, "submit", unit, idempotency_key="req-2026-031")  # a retry
    due = deadline_text(submitted, rules.calendar)
    say(f"✓ 报送请示（重复提交被幂等键识别，只记一次）；批复期限：{due.zh}",
        f"✓ submitted (the retried request was recognised by its idempotency key); the reply "
        f"is due {due.en}")
    attempt("街道不说明理由就退回", "street rejects without a reason",
            lambda: engine.fire(inst.id, "reject", street))
    attempt("不是直接上级的街道党工委批复", "a street committee that is not the superior approves",
            lambda: engine.fire(inst.id, "approve", other_street))
    attempt("区委越级批复", "the district approves before any escalation",
            lambda: engine.fire(inst.id, "approve", district))
    clock.advance("P1M1D")
    report = engine.tick()
    for _iid, _state, level, org_id in report.escalated:
        name = engine.organization(org_id).name
        say(f"⏱ 审批逾期：tick 向上 {level} 级督办至 {name}",
            f"⏱ review overdue: tick escalated it {level} level(s) up, to {name} ({org_id})")
    engine.fire(inst.id, "approve", district)
    elected = {"secretary_elected": "李红", "committee_size": 0, "term_years_elected": 5}
    attempt("9 名党员却设 0 人委员会", "elect with no committee for 9 members",
            lambda: engine.fire(inst.id, "elect", unit, elected))
    engine.fire(inst.id, "elect", unit, {**elected, "committee_size": 3})
    engine.fire(inst.id, "file_results", unit)
    branch_id = _free_org_id(engine, "dongcheng-xingguang")  # an earlier run's branch stays
    final = engine.fire(inst.id, "confirm", street,
                        {"new_org_id": branch_id, "new_org_name": "星光社区党支部"})
    state = proc.states[final.state].label
    say(f"✓ 最终状态：{state.zh}", f"✓ final state: {state.en}")
    chain = engine.responsibility_chain(branch_id)
    say("新党支部加入组织体系，责任链：" + " → ".join(
        f"{c.name}（{c.duty.zh if c.duty else c.label.zh}）" for c in chain),
        "The new branch joined the hierarchy; its responsibility chain: " + " → ".join(
        f"{c.name} ({c.duty.en if c.duty else c.label.en})" for c in chain))
    records = engine.history(inst.id)
    console.print(audit_table(records, lang, "审计记录 / audit trail"))
    n = engine.verify(inst.id)
    say(f"审计哈希链校验通过（{n} 条记录）", f"audit hash chain verified ({n} records)")
    engine.store.close()

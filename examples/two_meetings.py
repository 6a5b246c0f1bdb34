"""Decide a major village matter by 两会制 (the two-meeting system).

The two committees jointly propose, the members' meeting forms a draft plan, the villagers'
representatives' meeting resolves, and the village affairs supervision group oversees the
two committees' execution.

Run: python examples/two_meetings.py [path/to/store.db]
Rules: $PARTYFLOW_TEST_RULES if set, else config/rules.yaml.
"""

from __future__ import annotations

import os
import sys
import tempfile
from pathlib import Path

from partyflow import Actor, ConditionFailed, Engine, NotAuthorized, load_hierarchy, load_rules

RULES = Path(os.environ.get("PARTYFLOW_TEST_RULES")
             or Path(__file__).resolve().parent.parent / "config" / "rules.yaml")


def main(db: Path) -> str:
    rules = load_rules(RULES)
    engine = Engine(rules, store=f"sqlite:///{db}")
    # the bodies of the community act for it: 星光社区 (xingguang) in examples/hierarchy.csv
    engine.import_organizations(
        load_hierarchy(Path(__file__).resolve().parent / "hierarchy.csv", rules))
    committees = Actor("two-committees", "two_committees", org="xingguang")
    branch = Actor("li.hong", "village_party_org", org="xingguang")
    villagers = Actor("zhang.wei", "villagers_committee", org="xingguang")
    supervisors = Actor("chen.jie", "supervision_committee", org="xingguang")

    case = engine.start("two_meetings", {"matter": "社区集体资产处置", "village_org": "xingguang"},
                        committees)
    try:  # 4 of 8: not more than half of the two committees
        engine.fire(case.id, "propose", committees, {"committee_members": 8, "committee_yes": 4})
    except ConditionFailed as refusal:
        print("refused:", refusal.message("zh"))
    engine.fire(case.id, "propose", committees, {"committee_members": 8, "committee_yes": 6})
    engine.fire(case.id, "form_draft_plan", branch,
                {"draft_plan": "公开竞价出租，收益纳入集体账户", "full_members": 40,
                 "members_present": 33, "members_yes": 28})
    engine.fire(case.id, "resolve", villagers,
                {"resolving_expected": 45, "resolving_present": 38, "resolving_yes": 30})
    engine.fire(case.id, "report_execution", committees)

    try:  # only the supervision group confirms the execution
        engine.fire(case.id, "confirm_execution", committees)
    except NotAuthorized as refusal:
        print("refused:", refusal.message("en"), "| allowed:", refusal.allowed)
    done = engine.fire(case.id, "confirm_execution", supervisors)

    for r in engine.history(case.id):
        print(f"{r.seq}. {r.at:%Y-%m-%d %H:%M} {r.actor_id:<15} {r.trigger:<18} "
              f"{r.from_state or '-'} -> {r.to_state}  [{r.basis or ''}]")
    print("verified records:", engine.verify(case.id))
    engine.store.close()
    return done.state


if __name__ == "__main__":
    if len(sys.argv) > 1:
        print(main(Path(sys.argv[1])))
    else:
        with tempfile.TemporaryDirectory() as tmp:
            print(main(Path(tmp) / "example.db"))

"""Decide a major village matter by 四议两公开 (four deliberations, two publications).

The party organization proposes, the two-committee meeting deliberates, the members' meeting
reviews, the villagers' representatives' meeting resolves; the resolution and the results are
published under the village affairs supervision committee. A late publication is flagged by
``engine.tick()``.

Run: python examples/four_deliberations.py [path/to/store.db]
Rules: $PARTYFLOW_TEST_RULES if set, else config/rules.yaml.
"""

from __future__ import annotations

import datetime as dt
import os
import sys
import tempfile
from pathlib import Path

from partyflow import Actor, ConditionFailed, Engine, InvalidTrigger, load_hierarchy, load_rules
from partyflow.testing import FakeClock

RULES = Path(os.environ.get("PARTYFLOW_TEST_RULES")
             or Path(__file__).resolve().parent.parent / "config" / "rules.yaml")


def main(db: Path) -> str:
    clock = FakeClock(dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.UTC))
    rules = load_rules(RULES)
    engine = Engine(rules, store=f"sqlite:///{db}", clock=clock)
    # the bodies of the community act for it: 星光社区 (xingguang) in examples/hierarchy.csv
    engine.import_organizations(
        load_hierarchy(Path(__file__).resolve().parent / "hierarchy.csv", rules))
    branch = Actor("li.hong", "village_party_org", org="xingguang")
    committees = Actor("two-committees", "two_committees", org="xingguang")
    villagers = Actor("zhang.wei", "villagers_committee", org="xingguang")
    supervisors = Actor("chen.jie", "supervision_committee", org="xingguang")

    case = engine.start("four_deliberations",
                        {"matter": "社区公共用房改造方案", "secretary_is_director": False,
                         "village_org": "xingguang"}, branch)
    engine.fire(case.id, "propose", branch)

    try:  # no step may be skipped: the two-committee meeting comes before the members' meeting
        engine.fire(case.id, "review", branch,
                    {"full_members": 40, "members_present": 35, "members_yes": 30})
    except InvalidTrigger as refusal:
        print("refused:", refusal.message("en"))

    engine.fire(case.id, "deliberate", committees, {"committee_members": 7, "committee_yes": 5})
    engine.fire(case.id, "review", branch,
                {"full_members": 40, "members_present": 35, "members_yes": 30})

    meeting = {"resolving_meeting": "representatives_meeting", "resolving_expected": 45}
    try:  # 29 of 45 representatives: fewer than 2/3, no valid meeting
        engine.fire(case.id, "resolve", villagers,
                    {**meeting, "resolving_present": 29, "resolving_yes": 25})
    except ConditionFailed as refusal:
        for failure in refusal.failures:
            print(f"refused ({failure.basis}):", failure.text.zh)
    engine.fire(case.id, "resolve", villagers,
                {**meeting, "resolving_present": 30, "resolving_yes": 16})

    clock.advance("P8D")  # the resolution was not published within publish_within
    for iid, trigger, before, after in engine.tick().fired:
        print(f"overdue: {iid[:8]} {trigger}: {before} -> {after}")
    engine.fire(case.id, "publish", villagers)
    engine.fire(case.id, "implement", villagers)
    engine.fire(case.id, "publish_results", villagers)
    done = engine.fire(case.id, "close", supervisors)

    for r in engine.history(case.id):
        print(f"{r.seq}. {r.at:%Y-%m-%d %H:%M} {r.actor_id:<15} {r.trigger:<25} "
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

"""Re-elect a village party branch by 两票制 (the two-ballot system) through the public API.

The villagers' trust vote decides who may become the secretary's candidate (first ballot); the
members' meeting elects the committee from a competitive slate (second ballot); the new
committee elects the secretary and deputy, one candidate per post; the township approves.
The engine re-checks every count it is given: quorum, ballots, majority, ties, shortfall.

Run: python examples/two_ballot_election.py [path/to/store.db]
Rules: $PARTYFLOW_TEST_RULES if set, else config/rules.yaml.
"""

from __future__ import annotations

import os
import sys
import tempfile
from pathlib import Path

from partyflow import Actor, ConditionFailed, Engine, load_rules
from partyflow.hierarchy import load_hierarchy_text

RULES = Path(os.environ.get("PARTYFLOW_TEST_RULES")
             or Path(__file__).resolve().parent.parent / "config" / "rules.yaml")
SLATE = ["李红", "王强", "张伟", "赵敏"]
# a village under a township: the township sits at the hierarchy's street level (街道/乡镇)
ORGANIZATIONS = """id,name,level,parent,secretary
xinghai,星海市委,city,,陈建国
xicheng,西城区委,district,xinghai,王秀英
hexi-township,河西镇党委,street,xicheng,周林
hexi-village,河西村党支部,community,hexi-township,刘洋
"""


def main(db: Path) -> str:
    rules = load_rules(RULES)
    engine = Engine(rules, store=f"sqlite:///{db}")
    engine.import_organizations(load_hierarchy_text(ORGANIZATIONS, levels=rules))
    branch = Actor("liu.yang", "election_organizer", org="hexi-village")
    tellers = Actor("tellers-1", "scrutineer", org="hexi-village")
    township = Actor("zhou.lin", "township_committee", org="hexi-township")

    case = engine.start("two_ballot_election",
                        {"org_name": "河西村党支部", "electing_org": "hexi-village",
                         "term_ends": "2026-10-01",
                         "ineligible_members": ["钱进"]}, branch)
    engine.fire(case.id, "request_election", branch, {"election_date": "2026-09-25"})
    engine.fire(case.id, "approve_election", township)
    engine.fire(case.id, "record_trust_vote", tellers,
                {"trust_nominees": ["李红", "王强"], "trust_votes": [612, 388],
                 "trust_ballots_valid": 1000})
    engine.fire(case.id, "set_slate", branch, {"candidates": SLATE, "seats": 3})

    try:  # 32 of 40 is not MORE than 4/5
        engine.fire(case.id, "open_meeting", branch, {"full_members": 40, "present": 32})
    except ConditionFailed as refusal:
        print("refused:", refusal.message("zh"))
    engine.fire(case.id, "open_meeting", branch,
                {"full_members": 40, "probationary_members": 3, "present": 36})

    # 36 ballots, each marking at most 3 names; 张伟 and 赵敏 tie for the third seat
    engine.fire(case.id, "count_ballots", tellers,
                {"ballots_returned": 36, "ballot_marks": [3] * 30 + [2] * 6, "proxy_votes": 0,
                 "counted_names": SLATE, "counted_votes": [34, 30, 19, 19], "round_seats": 3,
                 "elected_members": ["李红", "王强"]})
    print("announce ->", engine.fire(case.id, "announce", branch).state)
    try:  # the re-vote is only among the tied
        engine.fire(case.id, "revote", branch,
                    {"revote_candidates": ["张伟"], "elected_before_round": ["李红", "王强"]})
    except ConditionFailed as refusal:
        for failure in refusal.failures:
            print(f"refused ({failure.basis}):", failure.text.en)
    engine.fire(case.id, "revote", branch,
                {"revote_candidates": ["张伟", "赵敏"], "elected_before_round": ["李红", "王强"]})
    engine.fire(case.id, "count_ballots", tellers,
                {"ballots_returned": 36, "ballot_marks": [1] * 36, "proxy_votes": 0,
                 "counted_names": ["张伟", "赵敏"], "counted_votes": [20, 16], "round_seats": 1,
                 "elected_members": ["李红", "王强", "张伟"]})
    print("announce ->", engine.fire(case.id, "announce", branch).state)

    committee = Actor("committee-2026", "new_committee", org="hexi-village")
    engine.fire(case.id, "elect_officers", committee,
                {"secretary_candidates": ["李红"], "deputy_posts": 1,
                 "deputy_candidates": ["王强"], "committee_present": 3,
                 "secretary_votes": 3, "deputy_votes": [2]})
    engine.fire(case.id, "report_results", branch)
    done = engine.fire(case.id, "approve_results", township)

    for r in engine.history(case.id):
        print(f"{r.seq:>2}. {r.actor_id:<14} {r.trigger:<17} "
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

"""Re-elect a community party branch by 两推一选 through the public API.

Party members (secret ballot) and residents' representatives recommend; the branch proposes a
competitive slate from both; the street committee vets it; the members' meeting elects; the new
committee elects its secretary and deputy (one candidate per post); the results go to the
street committee for approval.

Run: python examples/two_recommendation_election.py [path/to/store.db]
Rules: $PARTYFLOW_TEST_RULES if set, else config/rules.yaml.
"""

from __future__ import annotations

import os
import sys
import tempfile
from pathlib import Path

from partyflow import Actor, ConditionFailed, Engine, load_hierarchy, load_rules

RULES = Path(os.environ.get("PARTYFLOW_TEST_RULES")
             or Path(__file__).resolve().parent.parent / "config" / "rules.yaml")


def main(db: Path) -> str:
    rules = load_rules(RULES)
    engine = Engine(rules, store=f"sqlite:///{db}")
    engine.import_organizations(
        load_hierarchy(Path(__file__).resolve().parent / "hierarchy.csv", rules))
    branch = Actor("wang.li", "election_organizer", org="chaoyang")
    tellers = Actor("tellers-1", "scrutineer", org="chaoyang")
    street = Actor("zhao.min", "street_committee", org="dongcheng-street")

    case = engine.start("two_recommendation_election",
                        {"org_name": "朝阳社区党总支", "electing_org": "chaoyang",
                         "term_ends": "2026-10-01"}, branch)
    engine.fire(case.id, "request_election", branch, {"election_date": "2026-09-25"})
    engine.fire(case.id, "approve_election", street)
    engine.fire(case.id, "record_party_recommendation", branch,
                {"party_recommended": ["李红", "王强", "张伟", "赵敏"],
                 "party_recommendation_secret": True})
    engine.fire(case.id, "record_public_recommendation", branch,
                {"public_recommended": ["李红", "王强", "周明"]})

    try:  # 3 candidates for 3 seats is not a competitive slate
        engine.fire(case.id, "propose_slate", branch,
                    {"candidates": ["李红", "王强", "张伟"], "seats": 3})
    except ConditionFailed as refusal:
        print("refused:", refusal.message("zh"))
        print("refused:", refusal.message("en"))
    engine.fire(case.id, "propose_slate", branch,
                {"candidates": ["李红", "王强", "张伟", "周明"], "seats": 3})
    engine.fire(case.id, "approve_slate", street)

    engine.fire(case.id, "open_meeting", branch, {"full_members": 25, "present": 23})
    engine.fire(case.id, "count_ballots", tellers,
                {"ballots_returned": 23, "ballot_marks": [3] * 20 + [2] * 3, "proxy_votes": 0,
                 "counted_names": ["李红", "王强", "张伟", "周明"],
                 "counted_votes": [22, 19, 15, 10], "round_seats": 3,
                 "elected_members": ["李红", "王强", "张伟"]})
    print("available:", engine.available_triggers(case.id, branch))
    engine.fire(case.id, "announce", branch)

    # 新一届委员会等额选举书记、副书记，书记候选人须为新当选且经两推的委员（E11）
    # the new committee elects the secretary and deputy, one candidate per post (E11)
    committee = Actor("committee-2026", "new_committee", org="chaoyang")
    engine.fire(case.id, "elect_officers", committee,
                {"secretary_candidates": ["李红"], "deputy_posts": 1,
                 "deputy_candidates": ["王强"], "committee_present": 3,
                 "secretary_votes": 3, "deputy_votes": [2]})
    engine.fire(case.id, "report_results", branch)
    done = engine.fire(case.id, "approve_results", street)

    for r in engine.history(case.id):
        print(f"{r.seq:>2}. {r.actor_id:<10} {r.trigger:<28} "
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

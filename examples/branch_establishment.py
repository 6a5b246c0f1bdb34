"""Establish a party branch (成立党支部) through the public API, as an integrating system would.

Run: python examples/branch_establishment.py [path/to/store.db]
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

from partyflow import Actor, ConditionFailed, Engine, NotAuthorized, load_hierarchy, load_rules

RULES = Path(__file__).resolve().parent.parent / "config" / "rules.yaml"
ORGANIZATIONS = Path(__file__).resolve().parent / "hierarchy.csv"


def main(db: Path) -> str:
    rules = load_rules(RULES)
    engine = Engine(rules, store=f"sqlite:///{db}")
    engine.import_organizations(load_hierarchy(ORGANIZATIONS, rules))
    unit = Actor("wang.li", "applicant", org="xingguang-community")
    street = Actor("zhao.min", "street_committee", org="dongcheng-street")

    case = engine.start("branch_establishment",
                        {"unit_name": "星光社区", "full_members": 8, "org_form": "branch",
                         "parent_org": "dongcheng-street"}, unit)
    engine.fire(case.id, "submit", unit)

    try:  # only the superior approves
        engine.fire(case.id, "approve", unit)
    except NotAuthorized as refusal:
        print("refused:", refusal.message("en"), "| allowed:", refusal.allowed)

    engine.fire(case.id, "approve", street)
    try:  # 8 full members: a committee of 3 to 7 must be elected
        engine.fire(case.id, "elect", unit, {"secretary_elected": "李红", "committee_size": 0,
                                             "term_years_elected": 5})
    except ConditionFailed as refusal:
        for failure in refusal.failures:
            print(f"refused ({failure.basis}):", failure.text.zh)

    engine.fire(case.id, "elect", unit, {"secretary_elected": "李红", "committee_size": 3,
                                         "term_years_elected": 5})
    engine.fire(case.id, "file_results", unit)
    done = engine.fire(case.id, "confirm", street,
                       {"new_org_id": "dongcheng-xingguang-2", "new_org_name": "星光社区第二党支部"})
    new = engine.organization("dongcheng-xingguang-2")  # joined the hierarchy with the step
    print("established:", new.name, "under", new.parent, "at level", new.level)

    for r in engine.history(case.id):
        print(f"{r.seq}. {r.at:%Y-%m-%d %H:%M} {r.actor_id:<9} {r.trigger:<13} "
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

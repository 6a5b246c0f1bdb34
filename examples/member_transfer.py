"""Transfer a party member's organizational relationship (党员组织关系转接) through the public API.

The sending branch forwards the application, the sending committee issues the letter (validity
written on it, at most 3 months), the member reports, the receiving committee accepts and must
return the receipt within a month (a deadline the engine fires when it passes).

Run: python examples/member_transfer.py [path/to/store.db]
Rules: $PARTYFLOW_TEST_RULES if set, else config/rules.yaml.
"""

from __future__ import annotations

import datetime as dt
import os
import sys
import tempfile
from pathlib import Path

from partyflow import Actor, ConditionFailed, Engine, NotAuthorized, load_hierarchy, load_rules
from partyflow.testing import FakeClock

RULES = Path(os.environ.get("PARTYFLOW_TEST_RULES")
             or Path(__file__).resolve().parent.parent / "config" / "rules.yaml")
ORGANIZATIONS = Path(__file__).resolve().parent / "hierarchy.csv"


def main(db: Path) -> str:
    clock = FakeClock(dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.UTC))
    rules = load_rules(RULES)
    engine = Engine(rules, store=f"sqlite:///{db}", clock=clock)
    engine.import_organizations(load_hierarchy(ORGANIZATIONS, rules))
    # who may act is decided by the hierarchy (T11): the sending branch's secretary, the
    # committee above the sending branch, the committee above the receiving organization
    member = Actor("li.hong", "party_member", org="xingguang")
    branch = Actor("吴晓梅", "sending_branch", org="xingguang")
    sender = Actor("zhao.min", "sending_committee", org="dongcheng-street")
    receiver = Actor("zhou.haiyan", "receiving_committee", org="xinjie-street")
    wrong_street = Actor("sun.lihua", "sending_committee", org="hepingli-street")

    case = engine.start("member_transfer", {
        "member_name": "李红", "member_kind": "full_member", "move_reason": "residence_changed",
        "stable_job": True, "fixed_residence": True,
        "employer_has_party_org": False, "destination_kind": "community",
        "destination_org": "新街北社区党支部",
        "sending_org": "xingguang", "receiving_org": "xinjie-north",
        "member_id": "li.hong",  # the member acts only for themself
    }, member)
    engine.fire(case.id, "submit", branch, idempotency_key="transfer-017-submit")

    try:  # only the sending side issues the letter
        engine.fire(case.id, "issue_letter", receiver)
    except NotAuthorized as refusal:
        print("refused:", refusal.message("en"), "| allowed:", refusal.allowed)
    try:  # and only the committee above the sending branch, not another street's
        engine.fire(case.id, "issue_letter", wrong_street)
    except NotAuthorized as refusal:
        print("refused:", refusal.message("en"), "| acts for:", refusal.acts_for)

    try:  # the validity written on the letter may not exceed 3 months
        engine.fire(case.id, "issue_letter", sender, {"letter_valid_for": "P4M"})
    except ConditionFailed as refusal:
        for failure in refusal.failures:
            print(f"refused ({failure.basis}):", failure.text.zh)

    engine.fire(case.id, "issue_letter", sender,
                {"letter_number": "2026-017", "letter_valid_for": "P30D"})
    clock.advance("P5D")
    engine.fire(case.id, "report", member)
    engine.fire(case.id, "accept", receiver)

    clock.advance("P1M")  # the receipt was not returned within a month
    for instance_id, trigger, before, after in engine.tick().fired:
        print(f"deadline: {instance_id[:8]} {trigger}: {before} -> {after}")
    engine.fire(case.id, "return_receipt", receiver)
    done = engine.fire(case.id, "complete", sender)

    for r in engine.history(case.id):
        print(f"{r.seq}. {r.at:%Y-%m-%d %H:%M} {r.actor_id:<9} {r.trigger:<20} "
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

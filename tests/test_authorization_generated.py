"""Generated from the shipped rules (权限): for every transition of every procedure, an actor
with the right role but the wrong organization (or the wrong person) is refused with
``NotAuthorized`` and nothing is written — on every store. A transition role without a binding
cannot get this far: the rules check refuses it (``unbound_role``), tested below too."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Any

import pytest

from partyflow import (
    Actor,
    Engine,
    NotAuthorized,
    Organization,
    RuleSet,
    Store,
    check_rules_text,
    load_hierarchy,
    load_rules,
)
from partyflow.testing import FakeClock
from partyflow.workflows.authority import acting_org
from partyflow.workflows.step import Step, commit, seal

from .conftest import ROOT, SUMMARY
from .edits import edited_text

CONFIG = ROOT / "config" / "rules.yaml"
T0 = dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.UTC)
# the organization inputs of every procedure, and the member, set to the example hierarchy
DATA = {"sending_org": "xingguang", "receiving_org": "xinjie-north",
        "parent_org": "dongcheng-street", "electing_org": "xingguang",
        "village_org": "xingguang", "member_id": "li.hong",
        "sending_county": "dongcheng", "receiving_county": "xicheng"}
UNRELATED = "xinjie-south"  # a community under another street and district


def _cases(rules: RuleSet) -> Iterator[tuple[str, str, str, str]]:
    """(procedure, state, trigger, role) for every source state and role of every step."""
    for name, proc in rules.procedures.items():
        for t in proc.transitions:
            for state in t.sources:
                for role in sorted(t.roles):
                    yield name, state, t.trigger, role


def _intruder(engine: Engine, procedure: str, role: str) -> Actor:
    """The right role, and the wrong organization (the wrong person for a secretary's post)."""
    proc = engine.rules.procedures[procedure]
    auth = proc.authority[role]
    if auth.person == "secretary":
        org = acting_org(proc, auth, DATA, engine.hierarchy)
        assert isinstance(org, Organization), (procedure, role, org)
        return Actor("intruder", role, org.id)
    return Actor("intruder", role, UNRELATED)


def test_every_step_of_every_procedure_refuses_the_wrong_organization_or_person(
        store: Store) -> None:
    rules = load_rules(CONFIG)
    engine = Engine(rules, store=store, clock=FakeClock(T0))
    engine.import_organizations(load_hierarchy(ROOT / "examples" / "hierarchy.csv", rules))
    engine.versions.save(rules)
    checked = 0
    for n, (procedure, state, trigger, role) in enumerate(_cases(rules)):
        proc = rules.procedures[procedure]
        auth = proc.authority[role]  # every transition role is bound (the rules check)
        if auth.open is not None:
            continue
        data: dict[str, Any] = {k: v for k, v in DATA.items() if k in proc.inputs}
        starter = Actor("the-starter", sorted(proc.start_roles)[0], "xingguang")
        # an instance placed in ``state`` through the one write path
        sealed = seal(Step(
            None, f"gen-{n}", procedure, state, data, None, proc.states[state].terminal,
            data.get(proc.organization) if proc.organization else None, 0, None, None,
            rules.version, rules.content_hash, "start", starter, data, None, None, T0, T0))
        commit(store, sealed)
        before = (engine.get(sealed.instance.id), engine.history(sealed.instance.id))
        intruder = _intruder(engine, procedure, role)
        with pytest.raises(NotAuthorized) as caught:
            engine.fire(sealed.instance.id, trigger, intruder)
        assert caught.value.reason in ("organization", "person"), (procedure, trigger, role)
        assert (engine.get(sealed.instance.id), engine.history(sealed.instance.id)) == before
        checked += 1
    assert checked > 100, checked  # every procedure's steps, not a handful
    SUMMARY.append(f"generated authorization [{type(store).__name__}]: {checked} steps refused "
                   "the wrong organization or person")


def test_a_transition_role_without_a_binding_is_refused_with_its_line() -> None:
    text = edited_text(CONFIG, ("      scrutineer: {org: electing_org, basis: E5}\n", ""),
                       count=2)
    problems = [p for p in check_rules_text(text, "rules.yaml") if p.type == "unbound_role"]
    assert problems and {p.ctx["role"] for p in problems} == {"scrutineer"}
    assert all(p.line > 0 and p.column > 0 for p in problems)
    assert "authority" in problems[0].text.en and "authority" in problems[0].text.zh


@pytest.mark.parametrize(("binding", "kind"), [
    ("{person: any}", "authority_unbound"),
    ("{person: subject}", "authority_subject_missing"),
    ("{person: subject, subject: no_such_input}", "unknown_name"),
    ("{person: subject, subject: receiving_org}", "subject_input_type"),
    ("{org: receiving_org, open: {zh: 公开, en: open}}", "authority_open_bound"),
    ("{person: starter, subject: member_id}", "authority_subject_unused"),
])
def test_a_malformed_binding_is_refused_with_its_place(binding: str, kind: str) -> None:
    text = edited_text(CONFIG, (
        "      party_member: {person: subject, subject: member_id, basis: T1}",
        f"      party_member: {binding}"))
    problems = check_rules_text(text, "rules.yaml")
    assert [p.type for p in problems] == [kind], [p.format("en") for p in problems]
    assert problems[0].line > 0 and "party_member" in problems[0].path

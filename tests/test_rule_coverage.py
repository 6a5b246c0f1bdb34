"""Every rule id in the domain rules is demonstrated by at least one tagged scenario."""

from __future__ import annotations

import re

from .conftest import ROOT

RULES_MD = ROOT.parent / "shared" / "domain" / "RULES.md"
PROCEDURE_RULES = re.compile(r"^- ([TBED]\d+) ", re.M)
# the ids of ../shared/domain/RULES.md, for checkouts that do not have shared/ beside them
KNOWN_IDS = [f"T{i}" for i in range(1, 12)] + [f"B{i}" for i in range(1, 8)] + \
    [f"E{i}" for i in range(1, 13)] + [f"D{i}" for i in range(1, 9)]
# rules RULES.md states that no procedure encodes yet, each with why; a scenario tagged with one
# fails the test until it is taken off this list
NOT_YET_ENCODED = {
    "E12": "term expiry (换届提醒, RULES.md §8) is a long-running procedure, not encoded yet",
}


def _tags() -> set[str]:
    tags: set[str] = set()
    for path in (ROOT / "features").rglob("*.feature"):
        for line in path.read_text(encoding="utf-8").splitlines():
            if line.strip().startswith("@"):
                tags.update(re.findall(r"@([^\s@]+)", line))
    return tags


def test_every_procedure_rule_has_a_scenario() -> None:
    ids = KNOWN_IDS
    if RULES_MD.exists():  # the specification's own list must still be the one we know
        found = set(PROCEDURE_RULES.findall(RULES_MD.read_text(encoding="utf-8")))
        assert found == set(KNOWN_IDS), sorted(found ^ set(KNOWN_IDS))
    missing = {rule for rule in ids if rule not in _tags()}
    assert missing <= set(NOT_YET_ENCODED), \
        f"rule ids with no scenario tagged @<id> in features/: {sorted(missing - set(NOT_YET_ENCODED))}"
    assert set(NOT_YET_ENCODED) <= missing, \
        f"now encoded, take off NOT_YET_ENCODED: {sorted(set(NOT_YET_ENCODED) - missing)}"


def test_every_scenario_names_a_rule_or_is_an_engine_guarantee() -> None:
    untagged = []
    for path in (ROOT / "features").rglob("*.feature"):
        feature_tags: set[str] = set()
        pending: set[str] = set()
        for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
            text = line.strip()
            if text.startswith("@"):
                pending |= set(re.findall(r"@([^\s@]+)", text))
            elif text.startswith(("功能", "Feature")):
                feature_tags, pending = pending, set()
            elif text.startswith(("场景", "Scenario")):
                tags = pending | feature_tags
                if not any(re.fullmatch(r"[TBEDHC]\d+", t) for t in tags) and \
                        "engine_guarantees" not in path.name:
                    untagged.append(f"{path.name}:{n}")
                pending = set()
    assert not untagged, f"scenarios without a rule id tag: {untagged}"


def test_every_hierarchy_rule_has_a_scenario() -> None:
    # H6 (local standards, off by default) is specified in tests/test_hierarchy.py
    missing = [rule for rule in ("H1", "H2", "H3", "H4", "H5", "H7") if rule not in _tags()]
    assert not missing, f"hierarchy rule ids with no scenario tagged @<id>: {missing}"


def test_every_counting_rule_has_a_scenario() -> None:
    # C7 (a typed date is its local midnight) is specified in tests/test_calendar.py
    missing = [rule for rule in ("C1", "C2", "C3", "C4", "C5", "C6") if rule not in _tags()]
    assert not missing, f"counting rule ids (RULES.md §6) with no scenario tagged @<id>: {missing}"

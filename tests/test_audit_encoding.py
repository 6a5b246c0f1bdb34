"""The audit payload's canonical JSON (documented in partyflow/workflows/audit.py)."""

from __future__ import annotations

import datetime as dt
import math

import pytest

from partyflow.canonical import canonical_json
from partyflow.workflows.audit import record_hash


def test_keys_sorted_no_whitespace_utf8_and_required_escapes_only() -> None:
    text = canonical_json({"b": [1, 2.5, True, None], "a": "理由\n\"x\"\u001f", "é": {}})
    assert text == '{"a":"理由\\n\\"x\\"\\u001f","b":[1,2.5,true,null],"é":{}}'


@pytest.mark.parametrize("value", [math.nan, math.inf, -math.inf])
def test_non_finite_floats_have_no_text(value: float) -> None:
    with pytest.raises(ValueError):
        canonical_json({"x": value})


def test_floats_use_the_shortest_round_trip_text() -> None:
    assert canonical_json([0.1, 2.0, 1e16, 1 / 3]) == "[0.1,2.0,1e+16,0.3333333333333333]"


def test_the_hash_depends_on_every_field_and_not_on_key_order() -> None:
    fields = dict(instance_id="i", seq=2, at=dt.datetime(2026, 3, 2, 9, tzinfo=dt.UTC),
                  actor_id="a", actor_role="r", actor_org="o", trigger="t", from_state="s",
                  to_state="u", data={"x": 1, "y": "z"}, rules_version="v", rules_hash="h",
                  basis="B1", idempotency_key=None, prev_hash="p")
    base = record_hash(**fields)  # type: ignore[arg-type]
    assert record_hash(**{**fields, "data": {"y": "z", "x": 1}}) == base  # type: ignore[arg-type]
    # the same instant in another zone is the same record
    shanghai = dt.timezone(dt.timedelta(hours=8))
    same = {**fields, "at": dt.datetime(2026, 3, 2, 17, tzinfo=shanghai)}
    assert record_hash(**same) == base  # type: ignore[arg-type]
    for name, other in [("seq", 3), ("actor_org", None), ("data", {"x": 2, "y": "z"}),
                        ("basis", None), ("prev_hash", "q"), ("to_state", "s")]:
        assert record_hash(**{**fields, name: other}) != base, name  # type: ignore[arg-type]

"""Someone with write access to the database edits it directly (审计留痕): every edit of what
the engine acts on is detected by ``verify``, and no step is written on an edited row.
On the SQL stores (SQLite and PostgreSQL), edited with plain SQL."""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
from collections.abc import Iterator

import pytest
import sqlalchemy as sa

from partyflow import (
    Actor,
    AuditChainBroken,
    Engine,
    RuleSet,
    RulesVersionUnavailable,
    load_rules,
)
from partyflow.stores.sql import SqlStore
from partyflow.testing import FakeClock

from .conftest import MINI

SEC = Actor("sec-1", "secretary", "community-1")
SUP = Actor("sup-1", "superior", "street-1")


@pytest.fixture
def engine(sql_url: str, mini_rules: RuleSet) -> Iterator[Engine]:
    e = Engine(mini_rules, store=sql_url, clock=FakeClock())
    yield e
    e.store.close()


def _sql(engine: Engine, statement: str, **params: object) -> None:
    store = engine.store
    assert isinstance(store, SqlStore)
    with store.engine.begin() as conn:
        conn.execute(sa.text(statement), params)


def _under_review(engine: Engine) -> str:
    inst = engine.start("mini_election", {"expected": 40}, SEC)
    engine.fire(inst.id, "vote", SEC, {"present": 33})
    engine.fire(inst.id, "report", SEC)
    return inst.id


def _broken(engine: Engine, iid: str) -> str:
    with pytest.raises(AuditChainBroken) as exc:
        engine.verify(iid)
    return exc.value.reason


def _refused_and_unchanged(engine: Engine, iid: str) -> None:
    before = engine.store.history(iid)
    with pytest.raises(AuditChainBroken):
        engine.fire(iid, "approve", SUP)
    assert engine.store.history(iid) == before  # nothing written on the edited row


@pytest.mark.parametrize(("column", "value"), [
    ("data", json.dumps({"expected": 40, "present": 39})),
    ("escalation", 2),
    ("org", "street-9"),
    ("deadline_at", None),
])
def test_an_edited_row_is_detected_and_not_built_upon(engine: Engine, column: str,
                                                      value: object) -> None:
    iid = _under_review(engine)
    assert engine.verify(iid) == 3
    _sql(engine, f"UPDATE pf_instances SET {column} = :v WHERE id = :id", v=value, id=iid)
    assert _broken(engine, iid) == "state_mismatch"
    _refused_and_unchanged(engine, iid)


def test_a_state_set_by_sql_is_caught_and_a_fire_cannot_launder_it(engine: Engine) -> None:
    iid = _under_review(engine)
    _sql(engine, "UPDATE pf_instances SET state = 'escalated' WHERE id = :id", id=iid)
    assert _broken(engine, iid) == "head_mismatch"
    _refused_and_unchanged(engine, iid)  # approve from the forged state: refused


def test_a_forged_step_from_another_state_breaks_continuity(engine: Engine) -> None:
    """Even a record appended by hand with correct hashes must start where the last ended."""
    from partyflow.workflows.audit import record_hash, state_digest

    iid = _under_review(engine)
    inst = engine.get(iid)
    history = engine.store.history(iid)
    forged = dataclasses.replace(inst, state="approved", version=4, terminal=True)
    sealed = state_digest(forged)
    at = history[-1].at + dt.timedelta(seconds=1)
    digest = record_hash(instance_id=iid, seq=4, at=at, actor_id="x", actor_role="superior",
                         actor_org=None, trigger="approve", from_state="escalated",
                         to_state="approved", data={}, rules_version=inst.rules_version,
                         rules_hash=inst.rules_hash, basis=None, idempotency_key=None,
                         prev_hash=history[-1].hash, state_hash=sealed)
    _sql(engine, "INSERT INTO pf_audit (instance_id, seq, at, actor_id, actor_role, actor_org,"
         " trigger, from_state, to_state, data, rules_version, rules_hash, basis,"
         " idempotency_key, prev_hash, hash, state_hash) VALUES (:i, 4, :at, 'x', 'superior',"
         " NULL, 'approve', 'escalated', 'approved', '{}', :rv, :rh, NULL, NULL, :p, :h, :s)",
         i=iid, at=at if "postgresql" in str(engine.store.engine.url) else at.isoformat(),
         rv=inst.rules_version, rh=inst.rules_hash, p=history[-1].hash, h=digest, s=sealed)
    _sql(engine, "UPDATE pf_instances SET state = 'approved', version = 4, terminal = :t,"
         " last_hash = :h WHERE id = :id", t=True, h=digest, id=iid)
    assert _broken(engine, iid) == "state_discontinuity"


def test_deleting_the_last_records_is_detected(engine: Engine) -> None:
    iid = _under_review(engine)
    history = engine.store.history(iid)
    _sql(engine, "DELETE FROM pf_audit WHERE instance_id = :id AND seq > 1", id=iid)
    _sql(engine, "UPDATE pf_instances SET version = 1, state = 'convened', last_hash = :h"
         " WHERE id = :id", h=history[0].hash, id=iid)
    # the row no longer matches what the first record sealed (its data, times, deadline)
    assert _broken(engine, iid) == "state_mismatch"
    with pytest.raises(AuditChainBroken):
        engine.fire(iid, "vote", SEC, {"present": 33})


def test_an_edited_record_is_detected(engine: Engine) -> None:
    iid = _under_review(engine)
    _sql(engine, "UPDATE pf_audit SET data = :d WHERE instance_id = :id AND seq = 2",
         d=json.dumps({"present": 40}), id=iid)
    assert _broken(engine, iid) == "hash_mismatch"


def test_an_edited_head_record_cannot_be_laundered_by_the_next_fire(engine: Engine) -> None:
    iid = _under_review(engine)
    _sql(engine, "UPDATE pf_audit SET actor_id = 'someone-else' WHERE instance_id = :id"
         " AND seq = 3", id=iid)
    assert _broken(engine, iid) == "hash_mismatch"
    engine.fire(iid, "approve", SUP)  # links to the record as stored: the edit stays visible
    with pytest.raises(AuditChainBroken) as exc:
        engine.verify(iid)
    assert (exc.value.reason, exc.value.seq) == ("hash_mismatch", 3)


def test_tampered_rules_text_is_refused_and_verify_says_so(sql_url: str) -> None:
    rules = load_rules(MINI)
    engine = Engine(rules, store=sql_url, clock=FakeClock())
    iid = _under_review(engine)
    engine.store.close()
    tampered = rules.source.replace('value: "4/5"', 'value: "1/5"')
    assert tampered != rules.source
    fresh = Engine(load_rules(MINI.parent / "letter.yaml"), store=sql_url, clock=FakeClock())
    _sql(fresh, "UPDATE pf_rules SET source = :s WHERE content_hash = :h", s=tampered,
         h=rules.content_hash)
    with pytest.raises(RulesVersionUnavailable) as exc:
        fresh.verify(iid)
    assert exc.value.reason == "hash_mismatch"
    with pytest.raises(RulesVersionUnavailable):
        fresh.fire(iid, "approve", SUP)
    fresh.store.close()

"""``partyflow verify``: one instance, every instance, the organization trail, and checkpoints
(written, compared, keyed) on a SQLite file; histories rewritten by SQL with recomputed public
hashes pass a plain ``verify`` and are caught by ``--against``."""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import sqlite3
from collections.abc import Iterator
from pathlib import Path

import pytest

from partyflow import Actor, Engine, Instance, Organization, load_rules
from partyflow.canonical import canonical_json
from partyflow.evidence import compare_checkpoint, verify_all, write_checkpoint
from partyflow.hierarchy.trail import rehash_org
from partyflow.stores.sql import SqlStore
from partyflow.testing import FakeClock
from partyflow.workflows.audit import rehash

from .conftest import MINI, CliRun

SECRETARY = Actor("sec-1", "secretary", "community-1")
ORGS = [Organization("city", "市委", "city", None, "甲"),
        Organization("district", "区委", "district", "city", "乙"),
        Organization("street", "街道党工委", "street", "district", "丙")]


@dataclasses.dataclass
class Setup:
    url: str
    path: Path
    ids: list[str]
    early: Instance  # ids[0] as it was after its first step

    def db(self) -> sqlite3.Connection:
        return sqlite3.connect(self.path)

    def store(self) -> SqlStore:
        return SqlStore(self.url)


@pytest.fixture
def cli_env(cli: CliRun, monkeypatch: pytest.MonkeyPatch) -> CliRun:
    for name in ("PARTYFLOW_AUDIT_KEY", "PARTYFLOW_ACTOR"):
        monkeypatch.delenv(name, raising=False)
    return cli


@pytest.fixture
def setup(tmp_path: Path) -> Iterator[Setup]:
    """Five instances of three records each (the first one's row saved after record 1) and a
    small hierarchy, in a SQLite file."""
    path = tmp_path / "pf.db"
    url = f"sqlite:///{path}"
    engine = Engine(load_rules(MINI), store=url, clock=FakeClock())
    try:
        engine.store.put_organizations(ORGS, actor_id="admin")
        ids, early = [], None
        for n in range(5):
            iid = engine.start("mini_election", {"expected": 40}, SECRETARY,
                               instance_id=f"case-{n}").id
            early = early or engine.get(iid)
            engine.clock.advance(dt.timedelta(minutes=1))  # type: ignore[attr-defined]
            engine.fire(iid, "vote", SECRETARY, {"present": 35})
            engine.fire(iid, "report", SECRETARY)
            ids.append(iid)
    finally:
        engine.store.close()
    assert early is not None
    yield Setup(url, path, ids, early)


def _rewrite_actor(s: Setup, iid: str, seq: int, actor: str) -> None:
    """Say record ``seq`` of ``iid`` was done by ``actor``, recomputing that record's hash and
    every later one's with the public ``rehash``, and the instance's head: a consistent
    forgery that every hash check accepts."""
    store = s.store()
    try:
        records = store.history(iid)
    finally:
        store.close()
    prev = records[seq - 2].hash if seq > 1 else ""
    with s.db() as db:
        for rec in records[seq - 1:]:
            forged = dataclasses.replace(rec, prev_hash=prev,
                                         actor_id=actor if rec.seq == seq else rec.actor_id)
            forged = dataclasses.replace(forged, hash=rehash(forged))
            db.execute("UPDATE pf_audit SET actor_id = ?, prev_hash = ?, hash = ? "
                       "WHERE instance_id = ? AND seq = ?",
                       (forged.actor_id, forged.prev_hash, forged.hash, iid, rec.seq))
            prev = forged.hash
        db.execute("UPDATE pf_instances SET last_hash = ? WHERE id = ?", (prev, iid))


def _truncate(s: Setup) -> None:
    """Delete ids[0]'s records after the first and put its row back as it was then."""
    inst = s.early
    with s.db() as db:
        db.execute("DELETE FROM pf_audit WHERE instance_id = ? AND seq > 1", (inst.id,))
        cols = [d[0] for d in db.execute("SELECT * FROM pf_instances LIMIT 0").description]
    _restore_row(s, inst, cols)


def _restore_row(s: Setup, inst: Instance, cols: list[str]) -> None:
    values = {"state": inst.state, "data": canonical_json(dict(inst.data)),
              "version": inst.version, "last_hash": inst.last_hash}
    for name in ("updated_at", "deadline_at", "last_step_at", "remind_at", "overdue_since"):
        if name in cols:
            moment = getattr(inst, name)
            values[name] = None if moment is None else moment.astimezone(dt.UTC).strftime(
                "%Y-%m-%dT%H:%M:%S.%fZ")
    for name in ("terminal", "escalation", "deadline_estimated"):
        if name in cols:
            values[name] = int(getattr(inst, name))
    sets = ", ".join(f"{k} = ?" for k in values)
    with s.db() as db:
        db.execute(f"UPDATE pf_instances SET {sets} WHERE id = ?", (*values.values(), inst.id))


def _forge_secretary(s: Setup) -> None:
    """Change the street's secretary and its newest trail record, recomputing that record's
    hash with the public function (it is the trail's head, so nothing links to it)."""
    store = s.store()
    try:
        head = store.org_head()
    finally:
        store.close()
    assert head is not None and head.org_id == "street"
    forged = dataclasses.replace(head, row={**head.row, "secretary": "冒名者"})
    forged = dataclasses.replace(forged, hash=rehash_org(forged))
    with s.db() as db:
        db.execute("UPDATE pf_org_audit SET org_row = ?, hash = ? WHERE seq = ?",
                   (canonical_json(forged.row), forged.hash, head.seq))
        db.execute("UPDATE pf_organizations SET secretary = '冒名者' WHERE id = 'street'")


# -- one instance, every instance, the organization trail ----------------------------------------


def test_verify_one_instance(cli_env: CliRun, setup: Setup) -> None:
    code, out, err = cli_env("verify", "case-1", "--store", setup.url, "--lang", "en")
    assert (code, out.strip()) == (0, "instance case-1: audit chain intact (3 records)"), err
    code, out, _ = cli_env("verify", "case-1", "--store", setup.url)
    assert code == 0 and "审计链完整（3 条记录）" in out
    with setup.db() as db:
        db.execute("UPDATE pf_audit SET actor_id = 'someone' WHERE instance_id = 'case-1' "
                   "AND seq = 2")
    code, out, err = cli_env("verify", "case-1", "--store", setup.url, "--lang", "en")
    assert code == 1 and "Traceback" not in err
    assert "instance case-1, audit record 2: content does not match its hash" in err
    code, _, err = cli_env("verify", "nope", "--store", setup.url, "--lang", "en")
    assert code == 1 and "no instance with id nope" in err


def test_verify_all_streams_and_summarizes(cli_env: CliRun, setup: Setup) -> None:
    code, out, err = cli_env("verify", "--all", "--store", setup.url, "--lang", "en",
                             "--batch", "2")
    assert code == 0, err
    assert out.strip() == "checked 5 instances, 15 audit records: all intact"
    with setup.db() as db:
        db.execute("UPDATE pf_audit SET actor_id = 'x' WHERE instance_id = 'case-1' AND seq = 3")
        db.execute("DELETE FROM pf_audit WHERE instance_id = 'case-3' AND seq = 2")
    code, out, err = cli_env("verify", "--all", "--store", setup.url, "--lang", "en",
                             "--batch", "2")
    assert code == 1 and "Traceback" not in err
    lines = out.strip().splitlines()
    assert lines[0] == "✗ [hash_mismatch] instance case-1, audit record 3: content does not " \
                       "match its hash (edited)"
    assert lines[1].startswith("✗ [sequence_gap] instance case-3, audit record 2")
    assert lines[2] == ("checked 5 instances: 3 intact (9 audit records), 2 broken "
                        "(hash_mismatch 1, sequence_gap 1)")
    code, out, _ = cli_env("verify", "--all", "--store", setup.url)
    assert code == 1 and "2 个的审计链损坏" in out


def test_verify_orgs(cli_env: CliRun, setup: Setup) -> None:
    code, out, err = cli_env("verify", "--orgs", "--store", setup.url, "--lang", "en")
    assert (code, out.strip()) == (0, "organization trail intact (3 records)"), err
    code, out, _ = cli_env("verify", "--all", "--orgs", "--store", setup.url, "--lang", "en")
    assert code == 0 and out.strip().splitlines()[-1] == "organization trail intact (3 records)"
    with setup.db() as db:
        db.execute("UPDATE pf_organizations SET parent = 'city' WHERE id = 'street'")
    code, out, err = cli_env("verify", "--orgs", "--store", setup.url, "--lang", "en")
    assert code == 1
    assert "organization street, organization trail, record 3: the stored organization" in err
    code, out, _ = cli_env("verify", "--all", "--orgs", "--store", setup.url, "--lang", "en")
    assert code == 1
    assert out.strip().splitlines()[0].startswith("✗ [org_mismatch] organization street")
    assert "organization trail broken (org_mismatch)" in out


def test_org_import_records_the_actor(cli_env: CliRun, tmp_path: Path) -> None:
    from .conftest import ROOT

    url = f"sqlite:///{tmp_path / 'orgs.db'}"
    rules = str(ROOT / "config" / "rules.yaml")
    code, _, err = cli_env("org", "import", str(ROOT / "examples" / "hierarchy.csv"),
                           "--store", url, "--rules", rules, "--actor", "auditor.li")
    assert code == 0, err
    store = SqlStore(url)
    try:
        assert {r.actor_id for r in store.org_history()} == {"auditor.li"}
        assert {r.action for r in store.org_history()} == {"import"}
    finally:
        store.close()
    code, out, _ = cli_env("verify", "--orgs", "--store", url, "--lang", "en")
    assert (code, out.strip()) == (0, "organization trail intact (17 records)")


def test_usage_errors(cli_env: CliRun, setup: Setup, tmp_path: Path) -> None:
    for args in ([], ["case-1", "--all"], ["--orgs", "--checkpoint", str(tmp_path / "c")]):
        code, _, err = cli_env("verify", *args, "--store", setup.url, "--lang", "en")
        assert code == 2 and "Traceback" not in err


# -- checkpoints -------------------------------------------------------------------------------


def _checkpoint(cli: CliRun, s: Setup, path: Path, *extra: str) -> None:
    code, out, err = cli("verify", "--all", "--store", s.url, "--checkpoint", str(path),
                         "--lang", "en", *extra)
    assert code == 0, err
    assert f"checkpoint written to {path}: keep it off the database host" in out


def _against(cli: CliRun, s: Setup, path: Path, *extra: str) -> tuple[int, list[str]]:
    code, out, err = cli("verify", "--all", "--store", s.url, "--against", str(path),
                         "--lang", "en", *extra)
    assert "Traceback" not in err, err
    return code, out.strip().splitlines()


def test_checkpoint_file_and_a_clean_comparison(cli_env: CliRun, setup: Setup,
                                                tmp_path: Path) -> None:
    cp = tmp_path / "cp.jsonl"
    _checkpoint(cli_env, setup, cp)
    lines = [json.loads(line) for line in cp.read_text(encoding="utf-8").splitlines()]
    assert lines[0]["format"] == "partyflow-checkpoint" and lines[0]["digest"] == "sha256"
    assert [e[:2] for e in lines[1:6]] == [[i, 3] for i in setup.ids]
    assert lines[6]["instances"] == 5 and lines[6]["org_trail"]["seq"] == 3
    assert set(lines[7]) == {"digest"}
    assert not (tmp_path / "cp.jsonl.partial").exists()
    code, out = _against(cli_env, setup, cp)
    assert code == 0
    assert out[-1].endswith("unkeyed digest): all 5 instances and the organization trail "
                            "match")
    # appending is fine: more steps, a new instance, a new organization
    engine = Engine(load_rules(MINI), store=setup.url,
                    clock=FakeClock(dt.datetime(2026, 2, 1, tzinfo=dt.UTC)))
    try:
        engine.fire("case-0", "approve", Actor("s", "superior"))
        engine.start("mini_election", {"expected": 1}, SECRETARY, instance_id="case-new")
        engine.store.put_organizations([Organization("s2", "二街", "street", "district", None)])
    finally:
        engine.store.close()
    code, out = _against(cli_env, setup, cp)
    assert code == 0, out
    assert out[0] == "checked 6 instances, 17 audit records: all intact"


def test_a_consistently_rewritten_history_is_caught_by_the_checkpoint(
        cli_env: CliRun, setup: Setup, tmp_path: Path) -> None:
    cp = tmp_path / "cp.jsonl"
    _checkpoint(cli_env, setup, cp)
    _rewrite_actor(setup, "case-2", 2, "someone-else")  # who voted
    _truncate(setup)  # case-0 back to its first record
    _forge_secretary(setup)
    code, out, _ = cli_env("verify", "--all", "--orgs", "--store", setup.url, "--lang", "en")
    assert code == 0, out  # every hash recomputed: the chains alone cannot tell
    code, out = _against(cli_env, setup, cp)
    assert code == 1
    assert "✗ [truncated] instance case-0 no longer has audit record 3 (its history was cut " \
           "short)" in out
    assert "✗ [rewritten] instance case-2, audit record 3 differs from the checkpoint (its " \
           "history was rewritten)" in out
    assert "✗ [org_trail_rewritten] organization trail record 3 differs from the checkpoint " \
           "(rewritten)" in out
    assert any("3 problem(s) (org_trail_rewritten 1, rewritten 1, truncated 1)" in line
               for line in out)


def test_a_deleted_instance_is_caught(cli_env: CliRun, setup: Setup, tmp_path: Path) -> None:
    cp = tmp_path / "cp.jsonl"
    _checkpoint(cli_env, setup, cp)
    with setup.db() as db:
        db.execute("DELETE FROM pf_audit WHERE instance_id = 'case-4'")
        db.execute("DELETE FROM pf_instances WHERE id = 'case-4'")
        db.execute("DELETE FROM pf_org_audit WHERE seq = 3")
        db.execute("DELETE FROM pf_organizations WHERE id = 'street'")
    code, out = _against(cli_env, setup, cp)
    assert code == 1
    assert "✗ [instance_missing] instance case-4 no longer exists (the checkpoint anchored its " \
           "record 3)" in out
    assert "✗ [org_trail_truncated] the organization trail no longer has record 3 (cut short)" \
           in out


def test_no_checkpoint_of_a_broken_store(cli_env: CliRun, setup: Setup, tmp_path: Path) -> None:
    with setup.db() as db:
        db.execute("UPDATE pf_audit SET actor_id = 'x' WHERE instance_id = 'case-1' AND seq = 1")
    cp = tmp_path / "cp.jsonl"
    code, out, _ = cli_env("verify", "--all", "--store", setup.url, "--checkpoint", str(cp),
                           "--lang", "en")
    assert code == 1
    assert out.strip().splitlines()[-1] == (f"checkpoint {cp} not written: something is broken "
                                            "or does not match")
    assert not cp.exists() and not (tmp_path / "cp.jsonl.partial").exists()


def _edit_checkpoint(cp: Path, iid: str, new_hash: str, *, header: dict[str, str] | None = None,
                     ) -> None:
    """Put ``new_hash`` in the checkpoint for ``iid`` and recompute the (public) SHA-256
    digest, as someone without the key would."""
    import hashlib

    lines = cp.read_text(encoding="utf-8").splitlines()
    body = []
    for n, line in enumerate(lines[:-1]):
        value = json.loads(line)
        if n == 0 and header:
            value.update(header)
        if isinstance(value, list) and value[0] == iid:
            value[2] = new_hash
        body.append(canonical_json(value) + "\n")
    digest = hashlib.sha256("".join(body).encode()).hexdigest()
    cp.write_text("".join(body) + canonical_json({"digest": digest}) + "\n", encoding="utf-8")


def _head_hash(s: Setup, iid: str) -> str:
    store = s.store()
    try:
        return store.get(iid).last_hash
    finally:
        store.close()


def test_an_edited_checkpoint_is_caught_with_the_key(cli_env: CliRun, setup: Setup,
                                                     tmp_path: Path,
                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    key = tmp_path / "audit.key"
    key.write_text("a secret the database never holds\n", encoding="utf-8")
    plain, keyed = tmp_path / "plain.jsonl", tmp_path / "keyed.jsonl"
    _checkpoint(cli_env, setup, plain)
    _checkpoint(cli_env, setup, keyed, "--key-file", str(key))
    assert json.loads(keyed.read_text(encoding="utf-8").splitlines()[0])["digest"] == \
        "hmac-sha256"
    assert _against(cli_env, setup, keyed, "--key-file", str(key))[0] == 0
    _rewrite_actor(setup, "case-2", 2, "someone-else")
    forged = _head_hash(setup, "case-2")
    # without a key, a checkpoint edited to match the forgery cannot be told apart
    _edit_checkpoint(plain, "case-2", forged)
    code, out = _against(cli_env, setup, plain)
    assert code == 0, out
    # with it, the edited file no longer matches its digest
    _edit_checkpoint(keyed, "case-2", forged)
    code, out = _against(cli_env, setup, keyed, "--key-file", str(key))
    assert code == 1
    assert "✗ [digest_mismatch] the checkpoint's digest does not match: the file was edited, " \
           "or the key is not the one it was written with" in out
    # nor can the file pass itself off as unkeyed
    _edit_checkpoint(keyed, "case-2", forged, header={"digest": "sha256"})
    code, out = _against(cli_env, setup, keyed, "--key-file", str(key))
    assert code == 1 and any(line.startswith("✗ [unkeyed]") for line in out)
    # a keyed checkpoint needs the key; the key can come from the environment
    fresh = tmp_path / "fresh.jsonl"
    monkeypatch.setenv("PARTYFLOW_AUDIT_KEY", "another secret")
    _checkpoint(cli_env, setup, fresh)
    assert _against(cli_env, setup, fresh)[0] == 0
    code, out = _against(cli_env, setup, fresh, "--key-file", str(key))  # the wrong key
    assert code == 1 and any(line.startswith("✗ [digest_mismatch]") for line in out)
    monkeypatch.delenv("PARTYFLOW_AUDIT_KEY")
    code, out = _against(cli_env, setup, fresh)
    assert code == 1 and any(line.startswith("✗ [key_missing]") for line in out)


def test_the_library_api(setup: Setup, tmp_path: Path) -> None:
    store = setup.store()
    try:
        cp = tmp_path / "cp.jsonl"
        report = write_checkpoint(store, cp, key=b"k",
                                  now=dt.datetime(2026, 3, 1, 8, tzinfo=dt.UTC))
        assert (report.ok, report.instances, report.records, report.org_records,
                report.checkpoint) == (True, 5, 15, 3, cp)
        assert json.loads(cp.read_text(encoding="utf-8").splitlines()[0])["written_at"] == \
            "2026-03-01T08:00:00+00:00"
        same = compare_checkpoint(store, cp, key=b"k")
        assert (same.ok, same.keyed, same.instances, same.org_head) == (
            True, True, 5, (3, store.org_head().hash))  # type: ignore[union-attr]
        seen: list[int] = []
        assert verify_all(store, progress=seen.append).ok and seen == [1, 2, 3, 4, 5]
        bad = tmp_path / "bad.jsonl"
        bad.write_text("not json\n", encoding="utf-8")
        assert compare_checkpoint(store, bad).kinds == {"malformed": 1}
        cut = tmp_path / "cut.jsonl"
        cut.write_text("\n".join(cp.read_text(encoding="utf-8").splitlines()[:3]) + "\n",
                       encoding="utf-8")
        assert compare_checkpoint(store, cut, key=b"k").kinds == {"malformed": 1}
    finally:
        store.close()


def test_an_edited_rules_text_is_reported_once(cli_env: CliRun, setup: Setup,
                                               tmp_path: Path) -> None:
    """The pinned rules text is checked against its content hash, as ``Engine.verify`` does:
    once per version, with the number of instances that run on it."""
    with setup.db() as db:
        db.execute("UPDATE pf_rules SET source = REPLACE(source, 'value: \"4/5\"', "
                   "'value: \"1/5\"')")
    code, _, err = cli_env("verify", "case-1", "--store", setup.url, "--lang", "en")
    assert code == 1 and "does not match its content hash" in err
    cp = tmp_path / "cp.jsonl"
    code, out, _ = cli_env("verify", "--all", "--store", setup.url, "--checkpoint", str(cp),
                           "--lang", "en")
    assert code == 1 and not cp.exists()
    lines = out.strip().splitlines()
    assert lines[0].startswith("✗ [rules_hash_mismatch] the stored text of rules version test-1")
    assert sum(line.startswith("✗") for line in lines) == 1
    assert "rules texts: 1 version(s) checked, 1 missing or edited, 5 instance(s) run on " \
           "them" in out

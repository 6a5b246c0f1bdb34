"""Crash safety under SIGKILL, hundreds of times per store, inside ``fire``, ``start`` and ``tick``.

Worker processes (tests/crash_worker.py, forked from this process so a restart costs
milliseconds) start ``mini_election`` instances, fire their steps with idempotency keys and run
``tick``; each logs an intent before every call and an outcome after it returned. The test
kills each worker with SIGKILL — after a random 1-40 ms from here, or by the worker itself at
a random K-th library call (a ``sys.setprofile`` hook) or at a chosen point of the write path
(between the statements and the commit, inside it, after it) — and starts the next one, which
first retries some intents left without an outcome, with the same key.

Afterwards, for every instance: its row equals the last record of its trail (state, version,
hash); the trail runs 1..n without gaps; ``engine.verify`` passes; the trail follows the
procedure. For every step: a fire that returned is in the trails exactly once, with its key,
trigger and (first attempts) version; a refused one is in none; no record exists that no
worker meant to write; every start that returned exists; every timeout ``tick`` reported is
recorded once. Run with ``pytest -s`` to see the counts.
"""

from __future__ import annotations

import collections
import itertools
import multiprocessing as mp
import os
import random
import re
import signal
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from partyflow import Engine, load_rules
from partyflow.stores.sql import SqlStore

from . import crash_worker as cw
from .conftest import MINI, SUMMARY, postgres_schema

KILLS = 300
TIME_LIMIT_S = 55.0
PROFILE_CALLS = 6000  # the profile hook kills on a call uniform in 1..this many
RULES = load_rules(MINI)  # loaded once here; the forked workers share it
PATH = re.compile(r"^start( vote( report( escalate)?( approve| reject)?)?)?$")

pytestmark = pytest.mark.skipif(sys.platform == "win32" or "fork" not in
                                mp.get_all_start_methods(), reason="needs fork and SIGKILL")


class _Log:
    """The workers' log, read incrementally after each worker died."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.offset = 0
        self.starts: dict[str, bool] = {}  # iid -> start returned
        self.intents: dict[str, tuple[str, str]] = {}  # key -> (iid, trigger)
        self.returned: dict[str, tuple[int, bool]] = {}  # key -> (version, retried)
        self.refused: dict[str, str] = {}  # key -> error class
        self.unknown = 0
        self.ticked: collections.Counter[str] = collections.Counter()
        self.terminal: set[str] = set()

    def read(self) -> None:
        if not self.path.exists():
            return
        with self.path.open("rb") as f:
            f.seek(self.offset)
            chunk = f.read()
        end = chunk.rfind(b"\n") + 1  # a line cut by the kill is read with the next chunk
        self.offset += end
        for line in chunk[:end].decode().splitlines():
            kind, *rest = line.split(" ")
            if kind == "S":
                self.starts.setdefault(rest[0], False)
            elif kind == "s":
                self.starts[rest[0]] = True
            elif kind == "F":
                self.intents[rest[0]] = (rest[1], rest[2])
            elif kind == "f":
                self.returned[rest[0]] = (int(rest[1]), rest[2] == "retry")
                iid, trigger = self.intents[rest[0]]
                if trigger in ("approve", "reject"):
                    self.terminal.add(iid)
            elif kind == "r":
                self.refused[rest[0]] = rest[1]
            elif kind == "u":
                self.unknown += 1
            elif kind == "T":
                self.ticked[rest[0]] += 1
            else:  # pragma: no cover - a torn line would be a bug in this test
                raise AssertionError(f"unreadable log line {line!r}")

    def pending(self) -> list[tuple[str, str, str]]:
        """Intents without an outcome, newest first."""
        done = self.returned.keys() | self.refused.keys()
        return [(k, *v) for k, v in reversed(self.intents.items()) if k not in done]

    def open_ids(self) -> list[str]:
        return [iid for iid in self.starts if iid not in self.terminal]


def _hammer(url: str, tmp_path: Path, label: str) -> dict[str, Any]:
    ctx = mp.get_context("fork")
    state: Any = ctx.Array("i", cw.SLOTS, lock=False)  # no lock: see crash_worker
    log = _Log(tmp_path / "steps.log")
    rng = random.Random(20260502)
    counts: collections.Counter[str] = collections.Counter()
    phases: collections.Counter[int] = collections.Counter()
    hows: collections.Counter[int] = collections.Counter()
    lives = 0
    started = time.monotonic()
    while counts["kills"] < KILLS:
        lives += 1
        for i in range(cw.SLOTS):
            state[i] = 0
        mode = rng.choice(("timer", "profile", "point"))
        known = log.open_ids()
        sample = known[-40:] if len(known) <= 40 else rng.sample(known[-400:], 40)
        args = (RULES, url, str(log.path), rng.randrange(1 << 30), state, sample,
                log.pending()[:5], mode, PROFILE_CALLS)
        proc = ctx.Process(target=cw.work, args=args, daemon=True)
        proc.start()
        ready_by = time.monotonic() + 20
        while not state[cw.READY] and proc.is_alive() and time.monotonic() < ready_by:
            time.sleep(0.0005)
        assert state[cw.READY] or not proc.is_alive(), f"{label}: a worker did not connect"
        proc.join(rng.uniform(0.001, 0.040))
        if proc.is_alive():
            assert proc.pid is not None
            os.kill(proc.pid, signal.SIGKILL)
        proc.join(10)
        assert not proc.is_alive(), f"{label}: a killed worker did not go away"
        if proc.exitcode == -signal.SIGKILL:
            counts["kills"] += 1
            phases[int(state[cw.PHASE])] += 1
            hows[int(state[cw.HOW])] += 1
        else:
            assert proc.exitcode == 0, f"{label}: a worker failed (exit {proc.exitcode})"
            counts["clean exits"] += 1
        log.read()
        assert time.monotonic() - started < TIME_LIMIT_S, (
            f"{label}: {counts['kills']} kills in {TIME_LIMIT_S} s: the kill loop is too slow")
    return {"counts": counts, "phases": phases, "hows": hows, "log": log, "lives": lives,
            "seconds": time.monotonic() - started}


def _check(url: str, label: str, run: dict[str, Any]) -> None:
    log: _Log = run["log"]
    counts: collections.Counter[str] = run["counts"]
    phases: collections.Counter[int] = run["phases"]
    hows: collections.Counter[int] = run["hows"]
    engine = Engine(RULES, store=url)
    records: dict[str, list[tuple[str, int, str]]] = collections.defaultdict(list)
    instances = steps = timeouts = 0
    try:
        for inst in engine.store.instances():
            instances += 1
            trail = engine.history(inst.id)
            assert [r.seq for r in trail] == list(range(1, len(trail) + 1)), inst.id
            last = trail[-1]
            assert (inst.state, inst.version, inst.last_hash) == (
                last.to_state, last.seq, last.hash), inst.id
            assert engine.verify(inst.id) == len(trail)
            for before, after in itertools.pairwise(trail):
                assert after.from_state == before.to_state, (inst.id, after.seq)
            triggers = " ".join(r.trigger for r in trail)
            assert PATH.match(triggers), (inst.id, triggers)  # no step doubled or skipped
            assert inst.id in log.starts, f"{inst.id} exists but no worker started it"
            for r in trail[1:]:
                assert r.idempotency_key is not None, (inst.id, r.seq)
                if r.idempotency_key.startswith("timeout:"):
                    assert r.idempotency_key == f"timeout:{r.seq - 1}", (inst.id, r.seq)
                    assert r.actor_id == "partyflow.tick" and r.trigger == "escalate"
                    timeouts += 1
                else:  # a worker meant to write exactly this
                    assert log.intents.get(r.idempotency_key) == (inst.id, r.trigger), r
                    records[r.idempotency_key].append((inst.id, r.seq, r.trigger))
            steps += len(trail) - 1
        assert all(len(found) == 1 for found in records.values())  # no intent recorded twice
        for key, (version, retried) in log.returned.items():  # no returned step lost
            (found,) = records.get(key, [None])
            assert found is not None, f"{key}: fire returned but the step is not recorded"
            iid, seq, trigger = found
            assert (iid, trigger) == log.intents[key], key
            assert seq == version if not retried else seq <= version, (key, seq, version)
        for key, error in log.refused.items():  # a refused step wrote nothing
            assert key not in records, (key, error)
        for iid, returned in log.starts.items():
            if returned:
                engine.get(iid)  # raises InstanceNotFound if a returned start was lost
        for iid, n in log.ticked.items():
            trail = engine.history(iid)
            assert n == 1 and [r.trigger for r in trail].count("escalate") == 1, iid
            assert any(r.idempotency_key and r.idempotency_key.startswith("timeout:")
                       for r in trail), iid
    finally:
        engine.store.close()

    in_commit = sum(n for p, n in phases.items() if p >= cw.IN_STORE_WRITE)
    uncommitted = sum(n for p, n in phases.items()
                      if cw.WRITTEN_UNCOMMITTED <= p < cw.COMMITTED_UNRETURNED)
    committed_unreturned = sum(n for p, n in phases.items() if p >= cw.COMMITTED_UNRETURNED)
    where = {"fire": cw.IN_FIRE, "start": cw.IN_START, "tick": cw.IN_TICK}
    by_call = {name: sum(n for p, n in phases.items() if p % 10 == base)
               for name, base in where.items()}
    retried = sum(1 for _, again in log.returned.values() if again)
    lines = [
        f"crash safety [{label}]: {counts['kills']} SIGKILLs over {run['lives']} worker lives "
        f"in {run['seconds']:.1f} s ({counts['clean exits']} clean exits)",
        "  killed by: " + ", ".join(f"{cw.HOW_NAMES[h]} {n}" for h, n in sorted(hows.items())),
        f"  killed inside: fire {by_call['fire']}, start {by_call['start']}, "
        f"tick {by_call['tick']}, between calls {phases[cw.OUTSIDE]}",
        f"  kills inside a store write {in_commit}: before any statement "
        f"{in_commit - uncommitted - committed_unreturned}, statements run but not committed "
        f"{uncommitted}, committed but not returned {committed_unreturned}",
        f"  instances {instances} ({sum(log.starts.values())} starts returned), "
        f"steps committed {steps}, fires returned {len(log.returned)} (of them retries "
        f"{retried}), refused {len(log.refused)} ({', '.join(f'{k} {n}' for k, n in collections.Counter(log.refused.values()).items())}), outcome unknown {log.unknown}, "
        f"left pending {len(log.pending())}, tick fires committed {timeouts} "
        f"(reported {sum(log.ticked.values())})",
    ]
    print("\n" + "\n".join(lines))
    SUMMARY.extend(lines)

    # the run was not vacuous
    assert counts["kills"] >= KILLS
    assert in_commit > 0 and committed_unreturned > 0
    assert by_call["fire"] > 0 and by_call["tick"] > 0 and by_call["start"] > 0
    assert hows[cw.BY_TIMER] > 0 and hows[cw.BY_PROFILE] > 0
    assert all(hows[p] > 0 for p in cw.POINTS if p != cw.IN_COMMIT or "sqlite" in label)
    assert steps > 0 and len(log.returned) > 0 and timeouts > 0 and instances > 0
    assert retried > 0


def test_sqlite_wal_survives_hundreds_of_kills(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'crash.db'}"
    SqlStore(url).close()  # the schema first: workers open with create=False
    run = _hammer(url, tmp_path, "sqlite")
    _check(url, "sqlite", run)
    in_tx = sum(n for p, n in run["phases"].items()
                if cw.WRITTEN_UNCOMMITTED <= p < cw.COMMITTED_UNRETURNED)
    assert in_tx > 0  # some kills hit a transaction with its statements run, not committed


@pytest.fixture
def pg_url() -> Iterator[str]:
    with postgres_schema() as url:
        yield url


def test_postgresql_survives_hundreds_of_kills(pg_url: str, tmp_path: Path) -> None:
    SqlStore(pg_url).close()
    run = _hammer(pg_url, tmp_path, "postgresql")
    _check(pg_url, "postgresql", run)

"""Crash safety: worker processes are SIGKILLed hundreds of times in the middle of ``fire`` and
``tick``; afterwards every instance's row agrees with the last record of its audit trail, the
trail has no gap or duplicate, every chain verifies, and no step whose ``fire`` returned is
missing.

Kills land in two ways: the parent kills the worker after a random 2–30 ms, and the worker
kills itself at random points inside the store: just before a statement runs, just after it
ran but before the transaction commits (SQLite), or right after the commit returned. Workers
are forked from this process (partyflow already imported), so a restart costs milliseconds.
Run with ``pytest -s`` to see the counts.
"""

from __future__ import annotations

import datetime as dt
import itertools
import multiprocessing as mp
import os
import random
import signal
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from partyflow import Actor, Engine, PartyflowError, load_rules
from partyflow.stores.sql import SqlStore

from .conftest import FIXTURES, postgres_schema

KILLS = 300
INSTANCES = 12
LOOP = FIXTURES / "loop.yaml"
SEC = Actor("sec", "secretary", "org")
START = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)


class _FastClock:
    """Simulated time running 7200× real time from ``t0`` (two hours a second), the same in
    every forked worker: the loop's PT1H deadlines pass within the run, and no step is ever
    before another's record (an audit trail's times never go back)."""

    def __init__(self, t0: float) -> None:
        self.t0 = t0

    def now(self) -> dt.datetime:
        return START + dt.timedelta(seconds=(time.time() - self.t0) * 7200)

pytestmark = [pytest.mark.slow,
              pytest.mark.skipif(sys.platform == "win32" or "fork" not in
                                 mp.get_all_start_methods(), reason="needs fork and SIGKILL")]


_RULES = load_rules(LOOP)  # loaded once; forked workers share it


def _worker(url: str, ids: list[str], log_path: str, seed: int, inside: Any,
            ready: Any, t0: float) -> None:
    """Fire steps and run tick until killed; log every step whose fire returned."""
    rng = random.Random(seed)
    store = SqlStore(url, create=False)
    engine = Engine(_RULES, store=store, clock=_FastClock(t0))
    engine.get(ids[0])  # connected
    ready.set()
    real_run = store._run

    def run(conn: Any, key: str, params: Any) -> Any:
        roll = rng.random()
        if roll < 0.02:
            inside.value += 1
            os.kill(os.getpid(), signal.SIGKILL)  # before the statement
        cursor = real_run(conn, key, params)
        if roll > 0.97 and key in ("update", "insert_audit", "step", "create"):
            inside.value += 1
            os.kill(os.getpid(), signal.SIGKILL)  # ran, transaction not yet committed
        return cursor

    store._run = run  # type: ignore[method-assign]
    log = open(log_path, "a", encoding="utf-8")  # noqa: SIM115 - lives until the kill
    while True:
        iid = rng.choice(ids)
        try:
            if rng.random() < 0.1:
                for fired in engine.tick().fired:
                    log.write(f"{fired[0]} lapse\n")
                    log.flush()
                continue
            state = engine.get(iid).state
            trigger = {"open": "hold", "held": "release", "lapsed": "release"}[state]
            done = engine.fire(iid, trigger, SEC, {"n": 1} if trigger == "hold" else None)
            log.write(f"{iid} {trigger} {done.version}\n")
            log.flush()
            if rng.random() < 0.01:
                os.kill(os.getpid(), signal.SIGKILL)  # after a commit returned
        except PartyflowError:
            continue  # a conflict with an earlier, half-finished attempt: try again


def _hammer(url: str, tmp_path: Path) -> dict[str, int]:
    t0 = time.time()
    engine = Engine(_RULES, store=url, clock=_FastClock(t0))
    ids = [engine.start("loop", {"n": 0}, SEC, instance_id=f"loop-{i}").id
           for i in range(INSTANCES)]
    engine.store.close()
    ctx = mp.get_context("fork")
    # no lock: one worker runs at a time, and a lock held by a killed worker would stay taken
    inside = ctx.Value("i", 0, lock=False)
    log_path = str(tmp_path / "returned.log")
    rng = random.Random(2026)
    kills = timer_kills = clean_exits = 0
    started = time.monotonic()
    while kills < KILLS:
        ready = ctx.Event()
        proc = ctx.Process(target=_worker, args=(url, ids, log_path, rng.randrange(1 << 30),
                                                 inside, ready, t0), daemon=True)
        proc.start()
        ready.wait(10)  # the kill window starts once the worker is connected
        proc.join(rng.uniform(0.002, 0.030))
        if proc.is_alive():
            os.kill(proc.pid, signal.SIGKILL)  # type: ignore[arg-type]
            timer_kills += 1
        proc.join(10)
        if proc.exitcode == -signal.SIGKILL:
            kills += 1
        else:
            clean_exits += 1
        assert time.monotonic() - started < 240, "the kill loop is too slow"
    return {"kills": kills, "timer_kills": timer_kills, "self_kill_points": inside.value,
            "other_exits": clean_exits, "instances": INSTANCES,
            "seconds": round(time.monotonic() - started)}


def _check(url: str, tmp_path: Path, counts: dict[str, int]) -> None:
    engine = Engine(load_rules(LOOP), store=url)
    steps = 0
    for inst in engine.store.instances():
        trail = engine.history(inst.id)
        assert [r.seq for r in trail] == list(range(1, len(trail) + 1)), inst.id
        last = trail[-1]
        assert (inst.state, inst.version, inst.last_hash) == (last.to_state, last.seq,
                                                              last.hash), inst.id
        assert engine.verify(inst.id) == len(trail)
        for before, after in itertools.pairwise(trail):
            assert after.from_state == before.to_state, (inst.id, after.seq)
        steps += len(trail) - 1
    returned = 0
    log = tmp_path / "returned.log"
    for line in log.read_text(encoding="utf-8").splitlines() if log.exists() else []:
        parts = line.split()
        if len(parts) == 3:  # "<id> <trigger> <version>": that exact record must be there
            iid, trigger, version = parts[0], parts[1], int(parts[2])
            trail = engine.history(iid)
            assert trail[version - 1].trigger == trigger, line
            returned += 1
    engine.store.close()
    counts.update(committed_steps=steps, returned_steps_checked=returned)
    print(f"\ncrash safety {url.split(':')[0]}: " +
          ", ".join(f"{k} {v}" for k, v in counts.items()))
    assert counts["kills"] >= KILLS and counts["self_kill_points"] > 0
    assert counts["timer_kills"] > 0 and steps > 0 and returned > 0


def test_sqlite_wal_survives_hundreds_of_kills(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'kill.db'}"
    SqlStore(url).close()  # schema first: workers open with create=False
    counts = _hammer(url, tmp_path)
    _check(url, tmp_path, counts)


@pytest.fixture
def pg_url() -> Iterator[str]:
    with postgres_schema() as url:
        yield url


def test_postgresql_survives_hundreds_of_kills(pg_url: str, tmp_path: Path) -> None:
    SqlStore(pg_url).close()
    counts = _hammer(pg_url, tmp_path)
    _check(pg_url, tmp_path, counts)

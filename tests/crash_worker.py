"""The worker process of tests/test_crash.py: fires steps and runs ``tick`` until it is killed.

It is forked from the test process (partyflow already imported), opens its own store, and
logs every step twice in an append-only file: the intent before the call and the outcome
after it returned. A kill between the two leaves an intent without an outcome, which the next
worker may retry with the same idempotency key.

Log lines (fields separated by one space; ids and keys never contain spaces):

- ``S <iid>`` / ``s <iid>``: intent to start / start returned
- ``F <key> <iid> <trigger>``: intent to fire ``trigger`` with idempotency key ``key``
- ``f <key> <version> first|retry``: that fire returned the instance at ``version``
- ``r <key> <ErrorClass>``: that fire was refused (a ``PartyflowError`` other than
  ``StoreError``), so nothing with that key may be in any trail
- ``u <key>``: ``StoreError``: the outcome is unknown, the intent stays pending
- ``T <iid>``: ``tick`` returned and reports a timeout it fired on ``iid``

Besides the parent's timer the worker kills itself (SIGKILL) in one of three modes:

- ``profile``: a ``sys.setprofile`` hook counts calls inside partyflow, SQLAlchemy and the
  database driver and kills on the K-th one, wherever that is;
- ``point``: at the n-th pass through one chosen point of the write path (before a write
  statement, after it ran but before the commit, inside the commit, after the commit but
  before the store returned, after ``fire`` returned but before the outcome was logged);
- ``timer``: no self-kill, only the parent's timer.

Shared memory (``state``, ints, no lock: a lock held by a killed worker would stay taken)
tells the parent where the worker was when it died: ``state[PHASE]`` and ``state[HOW]``.
"""

from __future__ import annotations

import datetime as dt
import os
import random
import signal
import sys
from collections.abc import Callable, Sequence
from types import FrameType
from typing import Any

from partyflow import Actor, Engine, Instance, PartyflowError, RuleSet, StoreError
from partyflow.stores.sql import SqlStore

# indexes into the shared int array
PHASE, HOW, READY = 0, 1, 2
SLOTS = 3

# phase: what the worker is doing (the base) plus where in a store write it is (the offset)
OUTSIDE, IN_START, IN_FIRE, IN_TICK = 0, 1, 2, 3
IN_STORE_WRITE = 10  # inside Store.create / Store.commit, nothing executed yet
WRITTEN_UNCOMMITTED = 20  # a write statement ran, the transaction is not committed (SQLite)
COMMITTED_UNRETURNED = 30  # committed in the database, the store call has not returned yet

# how: why the worker died (0: the parent's timer, or an exit)
BY_TIMER, BY_PROFILE, BEFORE_WRITE, AFTER_WRITE, IN_COMMIT, AFTER_COMMIT, AFTER_RETURN = range(7)
HOW_NAMES = ("timer", "profile hook", "before a write statement",
             "after a write statement (before commit)", "inside the commit call",
             "after the commit (store not returned)", "after fire returned (not logged)")
POINTS = (BEFORE_WRITE, AFTER_WRITE, IN_COMMIT, AFTER_COMMIT, AFTER_RETURN)

WRITE_KEYS = frozenset({"update", "insert_audit", "insert_instance", "step", "create"})
HOOKED_FILES = ("/partyflow/", "/sqlalchemy/", "/psycopg/", "/sqlite3/")
FUTURE = dt.datetime(2100, 1, 1, tzinfo=dt.UTC)
SECRETARY = Actor("sec", "secretary", "community-1")
SUPERIOR = Actor("sup", "superior", "street-1")


def next_step(state: str, rng: random.Random) -> tuple[str, Actor, dict[str, Any]] | None:
    """The next step of ``mini_election`` from ``state`` (every one passes its conditions),
    or None to leave the instance alone (terminal, or left under review for ``tick``)."""
    if state == "convened":
        return "vote", SECRETARY, {"present": 9}
    if state == "voted":
        return "report", SECRETARY, {}
    if state in ("under_review", "escalated"):
        roll = rng.random()
        if state == "under_review" and roll < 0.5:
            return None  # tick escalates it
        if state == "under_review" and roll < 0.6:
            return "escalate", SUPERIOR, {}
        if roll < 0.85:
            return "approve", SUPERIOR, {}
        return "reject", SUPERIOR, {"reason": "材料不全"}
    return None


class _Killer:
    """Kills this process at the chosen point; records why and where first."""

    def __init__(self, state: Any, point: int, countdown: int) -> None:
        self.state, self.point, self.countdown = state, point, countdown

    def at(self, point: int) -> None:
        if point != self.point:
            return
        self.countdown -= 1
        if self.countdown <= 0:
            die(self.state, point)


def die(state: Any, how: int) -> None:
    state[HOW] = how
    os.kill(os.getpid(), signal.SIGKILL)


class _DbapiProxy:
    """The raw DBAPI connection the store holds, with its ``commit`` watched."""

    def __init__(self, real: Any, on_commit: Callable[[Callable[[], Any]], Any]) -> None:
        self._real = real
        self._on_commit = on_commit

    def commit(self) -> Any:
        return self._on_commit(self._real.commit)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._real, name)


def _instrument(store: SqlStore, state: Any, killer: _Killer | None) -> None:
    """Track the phase through ``store``'s write path; kill at ``killer``'s point."""
    sqlite = store.engine.dialect.name == "sqlite"
    real_run, real_conn = store._run, store._conn
    real_commit, real_create = store.commit, store.create

    def point(p: int) -> None:
        if killer is not None:
            killer.at(p)

    def base() -> int:
        return int(state[PHASE]) % 10

    def run(conn: Any, key: str, params: Any) -> Any:
        write = key in WRITE_KEYS
        if write:
            point(BEFORE_WRITE)
        cursor = real_run(conn, key, params)
        if write:
            state[PHASE] = base() + (WRITTEN_UNCOMMITTED if sqlite else COMMITTED_UNRETURNED)
            point(AFTER_WRITE)
        return cursor

    def on_commit(commit: Callable[[], Any]) -> Any:
        if state[PHASE] < IN_STORE_WRITE:  # a read's transaction
            return commit()
        point(IN_COMMIT)
        result = commit()
        state[PHASE] = base() + COMMITTED_UNRETURNED
        point(AFTER_COMMIT)
        return result

    def conn() -> Any:
        c = real_conn()
        if not isinstance(store._local.dbapi, _DbapiProxy):
            store._local.dbapi = _DbapiProxy(store._local.dbapi, on_commit)
        return c

    def writing(fn: Callable[..., None]) -> Callable[..., None]:
        def wrapped(*args: Any, **kwargs: Any) -> None:
            outer = base()
            state[PHASE] = outer + IN_STORE_WRITE
            try:
                fn(*args, **kwargs)
                if not sqlite:  # a PostgreSQL step is one autocommit statement
                    point(AFTER_COMMIT)
            finally:
                state[PHASE] = outer
        return wrapped

    store._run = run  # type: ignore[method-assign]
    store._conn = conn  # type: ignore[method-assign]
    store.commit = writing(real_commit)  # type: ignore[method-assign]
    store.create = writing(real_create)  # type: ignore[method-assign]


def _profile_killer(state: Any, k: int) -> Callable[[FrameType, str, Any], None]:
    """A profile function that kills on the ``k``-th call made in library code."""
    left = [k]
    ours: dict[Any, bool] = {}

    def hook(frame: FrameType, event: str, _arg: Any) -> None:
        if event != "call" and event != "c_call":
            return
        code = frame.f_code
        mine = ours.get(code)
        if mine is None:
            mine = ours[code] = any(part in code.co_filename for part in HOOKED_FILES)
        if not mine:
            return
        left[0] -= 1
        if left[0] <= 0:
            sys.setprofile(None)
            die(state, BY_PROFILE)

    return hook


def work(rules: RuleSet, url: str, log_path: str, seed: int, state: Any,
         known: Sequence[str], pending: Sequence[tuple[str, str, str]], mode: str,
         profile_calls: int) -> None:
    """The worker's body: retry some pending intents, then start, fire and tick until killed
    (or until 10,000 loops, which a test never lets it reach)."""
    rng = random.Random(seed)
    store = SqlStore(url, create=False)
    engine = Engine(rules, store=store)
    fd = os.open(log_path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
    me = f"w{seed:x}"

    def log(line: str) -> None:
        os.write(fd, (line + "\n").encode())

    killer: _Killer | None = None
    if mode == "point":
        killer = _Killer(state, rng.choice(POINTS), rng.randint(1, 4))
    _instrument(store, state, killer)
    store.rules_source(rules.content_hash)  # connected before the kill window opens
    state[READY] = 1
    if mode == "profile":
        sys.setprofile(_profile_killer(state, rng.randint(1, profile_calls)))

    def fire(key: str, iid: str, trigger: str, actor: Actor, data: dict[str, Any],
             again: bool) -> Instance | None:
        state[PHASE] = IN_FIRE
        try:
            done = engine.fire(iid, trigger, actor, data, idempotency_key=key)
        except StoreError:
            state[PHASE] = OUTSIDE
            log(f"u {key}")
            return None
        except PartyflowError as exc:
            state[PHASE] = OUTSIDE
            log(f"r {key} {type(exc).__name__}")
            return None
        state[PHASE] = OUTSIDE
        if killer is not None:
            killer.at(AFTER_RETURN)
        log(f"f {key} {done.version} {'retry' if again else 'first'}")
        return done

    retry = {"vote": (SECRETARY, {"present": 9}), "report": (SECRETARY, {}),
             "escalate": (SUPERIOR, {}), "approve": (SUPERIOR, {}),
             "reject": (SUPERIOR, {"reason": "材料不全"})}
    for key, iid, trigger in pending:
        if rng.random() < 0.7:
            actor, data = retry[trigger]
            fire(key, iid, trigger, actor, data, again=True)

    ids = list(known)
    for n in range(10_000):
        roll = rng.random()
        if roll < 0.08:
            state[PHASE] = IN_TICK
            try:
                report = engine.tick(FUTURE)
            except StoreError:
                state[PHASE] = OUTSIDE
                continue
            state[PHASE] = OUTSIDE
            for iid, *_ in report.fired:
                log(f"T {iid}")
            continue
        if roll < 0.28 or not ids:
            iid = f"{me}-{n}"
            log(f"S {iid}")
            state[PHASE] = IN_START
            try:
                engine.start("mini_election", {"expected": 10}, SECRETARY, instance_id=iid)
            except StoreError:
                state[PHASE] = OUTSIDE
                continue
            state[PHASE] = OUTSIDE
            log(f"s {iid}")
            ids.append(iid)
            continue
        iid = rng.choice(ids)
        try:
            inst = engine.get(iid)
        except PartyflowError:  # a start that never committed, or a read that failed
            ids.remove(iid)
            continue
        step = next_step(inst.state, rng)
        if step is None:
            if inst.terminal:
                ids.remove(iid)
            continue
        trigger, actor, data = step
        key = f"{me}-{n}"
        log(f"F {key} {iid} {trigger}")
        fire(key, iid, trigger, actor, data, again=False)
    store.close()

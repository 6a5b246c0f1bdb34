"""Hostile inputs (#15): how long each takes, and as a ratio of a baseline in the same run.

    PYTHONPATH=. .venv/bin/python bench/hostile.py > bench/hostile.txt      # ~1 min

Each hostile input is timed (wall, best of ``--rounds``) interleaved with its baseline:
loading the shipped ``config/rules.yaml`` for rules files, checking ``examples/hierarchy.csv``
for organization lists, and a one-comparison condition for the costliest condition the cost
model admits. Peak memory is the process's own maximum resident set, read after each case in
a fresh subprocess.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

CASES = {
    "rules: shipped config/rules.yaml (baseline)": "rules:config/rules.yaml",
    "rules: /dev/zero": "rules:/dev/zero",
    "rules: a flow list of 2.4 M zeros": "rules:{tmp}/zeros.yaml",
    "rules: a 20,000-state chain (2.3 MB)": "rules:{tmp}/chain20k.yaml",
    "rules: an 8,000-state chain, 1,143 bad destinations": "rules:{tmp}/chain8k.yaml",
    "rules: flow nesting 100,000 deep": "rules:{tmp}/deep.yaml",
    "orgs: examples/hierarchy.csv (baseline)": "orgs:examples/hierarchy.csv",
    "orgs: 1,000,000 rows with an unknown parent": "orgs:{tmp}/bad_orgs.csv",
    "condition: present > 1 (baseline)": "cond:present > 1",
    "condition: one map over 1,000 items (admitted)": "cond:size(names.map(x, x)) > 0",
    "condition: all over exists, 1,000 × 1,000 (admitted)":
        "cond:names.all(x, names.exists(y, y == x))",
}


def _chain(n: int, bad_every: int = 0) -> str:
    lines = ['version: "x"', "roles:", "  r: {zh: 角色, en: Role}", "procedures:", "  p:",
             "    title: {zh: 流程, en: P}", "    initial: s0", "    start_roles: [r]",
             "    authority:", "      r: {open: {zh: 测试, en: test}}", "    states:"]
    lines += [f"      s{i}: {{label: {{zh: 状态{i}, en: S{i}}}"
              f"{', terminal: true' if i == n - 1 else ''}}}" for i in range(n)]
    lines.append("    transitions:")
    lines += [f"      - {{trigger: t{i}, source: s{i}, dest: "
              f"{'x' if bad_every and i % bad_every == 0 else 's'}{i + 1}, roles: [r]}}"
              for i in range(n - 1)]
    return "\n".join(lines) + "\n"


def _files(tmp: Path) -> None:
    (tmp / "zeros.yaml").write_text('version: "1"\nroles: {}\nprocedures: {}\nx: ['
                                    + ",".join(["0"] * 2_400_000) + "]\n")
    (tmp / "chain20k.yaml").write_text(_chain(20_000), encoding="utf-8")
    (tmp / "chain8k.yaml").write_text(_chain(8_000, 7), encoding="utf-8")
    (tmp / "deep.yaml").write_text('version: "1"\nroles: {}\nx: ' + "[" * 100_000
                                   + "]" * 100_000 + "\n")
    with (tmp / "bad_orgs.csv").open("w", encoding="utf-8") as f:
        f.write("id,name,level,parent,secretary\n")
        f.writelines(f"o{i},组织{i},community,nowhere{i},书记\n" for i in range(1_000_000))


def _run_case(spec: str) -> None:
    """In a subprocess: run one case once, print its seconds and peak RSS (MB) as JSON."""
    kind, _, arg = spec.partition(":")
    import partyflow  # imported before the clock starts: the cases time the work only

    started = time.perf_counter()
    if kind == "rules":
        with contextlib.suppress(partyflow.RulesError):
            partyflow.load_rules(arg)
    elif kind == "orgs":
        with contextlib.suppress(partyflow.HierarchyError):
            partyflow.load_hierarchy(arg)
    else:
        import datetime as dt

        from partyflow import Actor, Engine, load_rules_text
        from partyflow.testing import FakeClock

        text = (ROOT / "tests" / "fixtures" / "mini.yaml").read_text(encoding="utf-8")
        text = text.replace("      reason: {type: str,", "      names: {type: list, items: str, "
                            "label: {zh: 名单, en: Names}}\n      reason: {type: str,")
        text = text.replace("exceeds(present, expected, election_quorum)", arg)
        engine = Engine(load_rules_text(text, "bench.yaml"), store="memory://",
                        clock=FakeClock(dt.datetime(2026, 3, 2, tzinfo=dt.UTC)))
        sec = Actor("s", "secretary", "o")
        names = [f"n{i}" for i in range(1000)]
        started = time.perf_counter()
        for _ in range(5):
            inst = engine.start("mini_election", {"expected": 3, "names": names}, sec)
            engine.fire(inst.id, "vote", sec, {"present": 3})
        seconds = (time.perf_counter() - started) / 5  # one start and one guarded fire
        print(json.dumps({"seconds": seconds, "peak_mb": _peak()}))
        return
    seconds = time.perf_counter() - started
    print(json.dumps({"seconds": seconds, "peak_mb": _peak()}))


def _peak() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--case", help=argparse.SUPPRESS)
    parser.add_argument("--json", type=Path)
    args = parser.parse_args()
    if args.case:
        _run_case(args.case)
        return
    with tempfile.TemporaryDirectory() as tmp_name:
        tmp = Path(tmp_name)
        _files(tmp)
        results: dict[str, dict[str, float]] = {}
        for _ in range(args.rounds):  # interleaved: each round runs every case once
            for name, spec in CASES.items():
                out = subprocess.run([sys.executable, __file__, "--case", spec.format(tmp=tmp)],
                                     cwd=ROOT, capture_output=True, text=True, check=True)
                got = json.loads(out.stdout.strip().splitlines()[-1])
                best = results.setdefault(name, got)
                if got["seconds"] < best["seconds"]:
                    results[name] = got
    base = {"rules": results["rules: shipped config/rules.yaml (baseline)"]["seconds"],
            "orgs": results["orgs: examples/hierarchy.csv (baseline)"]["seconds"],
            "condition": results["condition: present > 1 (baseline)"]["seconds"]}
    print(f"| case (best of {args.rounds}, interleaved) | seconds | × its baseline | peak MB |")
    print("|---|---:|---:|---:|")
    for name, got in results.items():
        ratio = got["seconds"] / base[name.split(":")[0]]
        print(f"| {name} | {got['seconds']:.3f} | {ratio:,.1f} | {got['peak_mb']:.0f} |")
    if args.json:
        args.json.write_text(json.dumps(results, indent=2, ensure_ascii=False), encoding="utf-8")


if __name__ == "__main__":
    main()

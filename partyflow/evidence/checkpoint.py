"""Verifying a whole store, and checkpoints an auditor keeps outside the database.

A hash chain proves that its records are in order and unedited, but not that it is the chain
that was there last month: someone with write access can rewrite an instance's history and
recompute every hash with the public function, and the rewritten chain verifies. A
checkpoint anchors the heads — for every instance ``(id, version, last_hash)``, and the
hierarchy trail's ``(seq, hash)`` — in a file kept off the database host. Comparing a later
store with it (``compare_checkpoint``) finds any history rewritten or cut short since, because
the record at each anchored sequence must still carry the anchored hash; records appended
since are fine.

The file is JSON Lines, one canonical JSON value a line, so it is written and read in one pass
with bounded memory whatever the number of instances::

    {"digest":"sha256","format":"partyflow-checkpoint","store":"sqlite:///pf.db","version":1,"written_at":"…"}
    ["instance-id",3,"<hash of record 3>"]
    …
    {"instances":2,"org_trail":{"hash":"…","seq":17}}
    {"digest":"<hex>"}

The last line is SHA-256 over every line before it (bytes as written, newlines included) —
enough to catch a damaged file — or, with a key, HMAC-SHA256 under that key: then a file
edited to match a forged history no longer matches its digest, as long as the key is kept
away from the database and whoever can write to it.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import json
import os
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from partyflow.canonical import canonical_json
from partyflow.errors import (
    AuditChainBroken,
    InstanceNotFound,
    RulesVersionUnavailable,
    Text,
    UsageError,
)
from partyflow.hierarchy.trail import verify_organizations
from partyflow.stores.base import Store
from partyflow.workflows.audit import verify_chain
from partyflow.workflows.records import Instance
from partyflow.workflows.versions import RuleVersions

FORMAT = "partyflow-checkpoint"
FORMAT_VERSION = 1
MAX_LISTED = 1000
"""How many broken trails or checkpoint problems a report keeps in detail (all are counted)."""

KEYED, PLAIN = "hmac-sha256", "sha256"


@dataclass(frozen=True)
class Broken:
    """Something that does not verify: an instance's trail (``instance_id``), the hierarchy's
    (``org_id``, ``instance_id`` None), as ``AuditChainBroken`` said, or a pinned rules text
    (``rules_hash``; reason ``rules_missing`` or ``rules_hash_mismatch``)."""

    instance_id: str | None
    org_id: str | None
    seq: int
    reason: str
    text: Text
    rules_hash: str | None = None

    @classmethod
    def of(cls, exc: AuditChainBroken) -> Broken:
        """The record of ``exc``."""
        return cls(exc.instance_id, exc.org_id, exc.seq, exc.reason, exc.text)


@dataclass
class VerifyReport:
    """What ``verify_all`` checked and found.

    Attributes:
        instances: instances checked.
        records: their audit records checked.
        broken: how many instances' chains are broken (each at most once).
        reasons: broken instances by ``AuditChainBroken.reason``.
        listed: the first ``MAX_LISTED`` broken instances, in store order.
        org_records: the hierarchy trail's records checked, or None if it was not checked.
        org_broken: how the hierarchy's trail is broken, if it is.
        rules: the pinned rules versions checked against their content hash (each once).
        rules_broken: those whose stored text is missing or was edited.
        rules_affected: instances pinned to one of those (their chains are counted apart).
        checkpoint: the checkpoint file written, or None (not asked for, or something was
            broken: a checkpoint only anchors a store that verified).
    """

    instances: int = 0
    records: int = 0
    broken: int = 0
    reasons: Counter[str] = field(default_factory=Counter)
    listed: list[Broken] = field(default_factory=list)
    org_records: int | None = None
    org_broken: Broken | None = None
    rules: int = 0
    rules_broken: list[Broken] = field(default_factory=list)
    rules_affected: int = 0
    checkpoint: Path | None = None

    @property
    def ok(self) -> bool:
        """Whether everything checked verified."""
        return self.broken == 0 and self.org_broken is None and not self.rules_broken


@dataclass(frozen=True)
class CheckpointProblem:
    """A difference between a checkpoint and the store, or a checkpoint that does not check.

    Attributes:
        kind: ``rewritten`` (the record at the anchored sequence has another hash),
            ``truncated`` (the instance no longer has a record at that sequence),
            ``instance_missing`` (the instance is gone), ``org_trail_rewritten``,
            ``org_trail_truncated``, ``digest_mismatch`` (the file was edited, or the key is
            not the one it was written with), ``key_missing`` (a keyed checkpoint, checked
            without the key), ``unkeyed`` (a key was given but the checkpoint has no keyed
            digest, so an edited file cannot be told apart) or ``malformed``.
        instance_id: the instance, for the first three.
        seq: the anchored sequence number (0 when none is concerned).
        text: the message.
    """

    kind: str
    instance_id: str | None
    seq: int
    text: Text


@dataclass
class CheckpointReport:
    """What ``compare_checkpoint`` found.

    Attributes:
        path: the checkpoint file.
        written_at: when it was written (from the file).
        keyed: whether its digest is keyed (HMAC).
        instances: anchored instances compared.
        org_head: the hierarchy trail's anchored ``(seq, hash)``, or None.
        problems: how many problems were found.
        kinds: the problems by kind.
        listed: the first ``MAX_LISTED`` problems, in file order.
    """

    path: Path
    written_at: str | None = None
    keyed: bool = False
    instances: int = 0
    org_head: tuple[int, str] | None = None
    problems: int = 0
    kinds: Counter[str] = field(default_factory=Counter)
    listed: list[CheckpointProblem] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        """Whether the store still holds every anchored head and the file checks."""
        return self.problems == 0

    def add(self, problem: CheckpointProblem) -> None:
        """Count ``problem`` (and keep it, up to ``MAX_LISTED``)."""
        self.problems += 1
        self.kinds[problem.kind] += 1
        if len(self.listed) < MAX_LISTED:
            self.listed.append(problem)


class _RulesCheck:
    """Each pinned rules version's stored text, checked against its hash once per run."""

    def __init__(self, store: Store, report: VerifyReport,
                 on_broken: Callable[[Broken], None] | None) -> None:
        self._versions = RuleVersions(store)
        self._seen: dict[str, bool] = {}
        self._report, self._on_broken = report, on_broken

    def __call__(self, inst: Instance) -> None:
        ok = self._seen.get(inst.rules_hash)
        if ok is None:
            self._report.rules += 1
            try:
                self._versions.get(inst.rules_hash, inst.rules_version)
                ok = True
            except RulesVersionUnavailable as exc:
                ok = False
                broken = Broken(None, None, 0, f"rules_{exc.reason}", exc.text, inst.rules_hash)
                self._report.rules_broken.append(broken)
                if self._on_broken is not None:
                    self._on_broken(broken)
            self._seen[inst.rules_hash] = ok
            self._versions = RuleVersions(self._versions.store)  # keep no parsed rules
        if not ok:
            self._report.rules_affected += 1


def _verified(store: Store, inst: Instance) -> tuple[Instance, int]:
    """``inst`` and its record count once its chain verifies; read again once if it moved on
    between the page and its history (a store in use), so a step is not taken for a break."""
    try:
        return inst, verify_chain(inst, store.history(inst.id))
    except AuditChainBroken:
        fresh = store.get(inst.id)  # InstanceNotFound: deleted meanwhile
        if fresh.version == inst.version and fresh.last_hash == inst.last_hash:
            raise
        return fresh, verify_chain(fresh, store.history(fresh.id))


class _Digest:
    """SHA-256, or HMAC-SHA256 under a key, over the lines of a checkpoint."""

    def __init__(self, key: bytes | None) -> None:
        self.alg = PLAIN if key is None else KEYED
        self._h: Any = hashlib.sha256() if key is None else hmac.new(key, digestmod="sha256")

    def update(self, line: bytes) -> None:
        self._h.update(line)

    def hexdigest(self) -> str:
        return str(self._h.hexdigest())


def _line(value: Any) -> bytes:
    return (canonical_json(value) + "\n").encode()


def _store_name(store: Store) -> str:
    url = getattr(store, "url", None)
    render = getattr(url, "render_as_string", None)
    return str(render(hide_password=True)) if render else type(store).__name__


def verify_all(store: Store, *, orgs: bool = False, checkpoint: str | Path | None = None,
               key: bytes | None = None, batch: int = 1000,
               progress: Callable[[int], None] | None = None,
               on_broken: Callable[[Broken], None] | None = None,
               now: dt.datetime | None = None) -> VerifyReport:
    """Verify every instance's audit chain and the rules texts they are pinned to (each
    version once) and, with ``orgs``, the hierarchy's trail.

    Instances are streamed ``batch`` at a time (``Store.instances``), so memory does not grow
    with their number; ``progress(n)`` is called after each, ``on_broken`` for each broken
    trail as it is found. With ``checkpoint``, the hierarchy's trail is verified too and the
    checkpoint file is written (through a temporary file beside it, replaced at the end) if —
    and only if — everything verified; ``key`` makes its digest an HMAC.
    """
    report = VerifyReport()
    out: Any = None
    digest: _Digest | None = None
    target = Path(checkpoint) if checkpoint is not None else None
    tmp = target.with_name(target.name + ".partial") if target is not None else None
    org_head = None
    if orgs or target is not None:
        org_head = store.org_head()  # before verifying: a head the verified trail contains
        try:
            report.org_records = verify_organizations(store, batch=batch)
        except AuditChainBroken as exc:
            report.org_broken = Broken.of(exc)
            if on_broken is not None:
                on_broken(report.org_broken)
    try:
        if tmp is not None:
            digest = _Digest(key)
            out = tmp.open("wb")
            moment = (now or dt.datetime.now(dt.UTC)).astimezone(dt.UTC)
            head = _line({"format": FORMAT, "version": FORMAT_VERSION,
                          "written_at": moment.isoformat(), "digest": digest.alg,
                          "store": _store_name(store)})
            out.write(head)
            digest.update(head)
        check_rules = _RulesCheck(store, report, on_broken)
        for inst in store.instances(batch=batch):
            report.instances += 1
            check_rules(inst)
            try:
                checked, n = _verified(store, inst)
            except (AuditChainBroken, InstanceNotFound) as exc:
                broken = Broken.of(exc) if isinstance(exc, AuditChainBroken) else Broken(
                    inst.id, None, 0, "deleted", exc.text)
                report.broken += 1
                report.reasons[broken.reason] += 1
                if len(report.listed) < MAX_LISTED:
                    report.listed.append(broken)
                if on_broken is not None:
                    on_broken(broken)
            else:
                report.records += n
                if out is not None and digest is not None:
                    entry = _line([checked.id, checked.version, checked.last_hash])
                    out.write(entry)
                    digest.update(entry)
            if progress is not None:
                progress(report.instances)
        if out is not None and digest is not None and tmp is not None and target is not None:
            tail = _line({"instances": report.instances - report.broken, "org_trail": None
                          if org_head is None else {"seq": org_head.seq, "hash": org_head.hash}})
            out.write(tail)
            digest.update(tail)
            out.write(_line({"digest": digest.hexdigest()}))
            out.flush()
            os.fsync(out.fileno())
            out.close()
            out = None
            if report.ok:
                os.replace(tmp, target)
                report.checkpoint = target
    finally:
        if out is not None:
            out.close()
        if tmp is not None and tmp.exists():
            tmp.unlink()
    return report


def write_checkpoint(store: Store, path: str | Path, *, key: bytes | None = None,
                     batch: int = 1000, progress: Callable[[int], None] | None = None,
                     on_broken: Callable[[Broken], None] | None = None,
                     now: dt.datetime | None = None) -> VerifyReport:
    """Verify the whole store (every instance and the hierarchy's trail) and, if it all
    verifies, write a checkpoint of its heads to ``path``; ``report.checkpoint`` says whether
    it was written. See ``verify_all``."""
    return verify_all(store, orgs=True, checkpoint=path, key=key, batch=batch,
                      progress=progress, on_broken=on_broken, now=now)


def _lines(path: Path) -> Iterator[tuple[int, bytes]]:
    with path.open("rb") as f:
        yield from enumerate(f, start=1)


def compare_checkpoint(store: Store, path: str | Path, *, key: bytes | None = None,
                       progress: Callable[[int], None] | None = None,
                       on_problem: Callable[[CheckpointProblem], None] | None = None,
                       ) -> CheckpointReport:
    """Compare the store with a checkpoint written earlier (``write_checkpoint``).

    Every anchored instance must still have a record at the anchored sequence with the
    anchored hash, and the hierarchy's trail its anchored head; records appended since are
    fine. The file's digest is checked too: with ``key``, the checkpoint must be keyed and its
    HMAC must match. The file is read line by line (bounded memory). This compares heads only:
    verify the chains themselves with ``verify_all`` as well.
    """
    file = Path(path)
    report = CheckpointReport(file)

    def problem(kind: str, instance_id: str | None, seq: int, zh: str, en: str) -> None:
        found = CheckpointProblem(kind, instance_id, seq, Text(zh, en))
        report.add(found)
        if on_problem is not None:
            on_problem(found)

    lines = _lines(file)
    first = next(lines, None)
    header = _json(first[1]) if first else None
    if not isinstance(header, dict) or header.get("format") != FORMAT:
        problem("malformed", None, 0, f"{file} 不是 partyflow 检查点文件",
                f"{file} is not a partyflow checkpoint")
        return report
    if header.get("version") != FORMAT_VERSION or header.get("digest") not in (KEYED, PLAIN):
        problem("malformed", None, 0, f"{file}：不支持的检查点格式版本 {header.get('version')}",
                f"{file}: unsupported checkpoint version {header.get('version')}")
        return report
    report.written_at = str(header.get("written_at"))
    report.keyed = header["digest"] == KEYED
    if report.keyed and key is None:
        problem("key_missing", None, 0, "检查点使用密钥摘要，未提供密钥，无法确认文件未被改动",
                "the checkpoint has a keyed digest and no key was given: whether the file was "
                "edited cannot be checked")
    elif not report.keyed and key is not None:
        problem("unkeyed", None, 0, "已提供密钥，但检查点的摘要未使用密钥：被改动的检查点无法识别",
                "a key was given but the checkpoint's digest is not keyed: an edited "
                "checkpoint could not be told apart")
    digest = _Digest(key if report.keyed else None) if not report.keyed or key else None
    assert first is not None
    if digest is not None:
        digest.update(first[1])
    footer: dict[str, Any] | None = None
    final: Any = None
    pending: tuple[int, bytes] | None = None
    for number, raw in lines:
        if pending is not None:
            footer = _entry(store, report, pending, footer, problem, progress)
            if digest is not None:
                digest.update(pending[1])
        pending = (number, raw)
    if pending is not None:
        final = _json(pending[1])
    if footer is None or not isinstance(final, dict) or not isinstance(final.get("digest"), str):
        problem("malformed", None, 0, f"{file} 不完整（缺少结尾或摘要）",
                f"{file} is incomplete (its closing lines or digest are missing)")
        return report
    if footer.get("instances") != report.instances:
        problem("malformed", None, 0, f"{file}：实例数与结尾记载不符",
                f"{file}: the number of instances does not match its closing line")
    if digest is not None and not hmac.compare_digest(digest.hexdigest(), final["digest"]):
        problem("digest_mismatch", None, 0,
                "检查点文件的摘要不符：文件被改动，或密钥不是写入时所用的密钥",
                "the checkpoint's digest does not match: the file was edited, or the key is not "
                "the one it was written with")
    return report


def _json(raw: bytes) -> Any:
    try:
        return json.loads(raw)
    except ValueError:
        return None


def _entry(store: Store, report: CheckpointReport, line: tuple[int, bytes],
           footer: dict[str, Any] | None, problem: Callable[[str, str | None, int, str, str],
                                                           None],
           progress: Callable[[int], None] | None) -> dict[str, Any] | None:
    """Compare one line of the checkpoint (an instance, or the closing line) with the store;
    return the closing line once read."""
    number, raw = line
    value = _json(raw)
    if footer is not None:
        problem("malformed", None, 0, f"第 {number} 行在结尾之后", f"line {number} follows the "
                "closing line")
        return footer
    if isinstance(value, dict):
        head = value.get("org_trail")
        if head is not None:
            _org_head(store, report, head, problem)
        return value
    if not (isinstance(value, list) and len(value) == 3 and isinstance(value[0], str)
            and isinstance(value[1], int) and isinstance(value[2], str)):
        problem("malformed", None, 0, f"第 {number} 行不是实例记录", f"line {number} is not an "
                "instance entry")
        return None
    iid, seq, expected = value
    report.instances += 1
    found = store.audit_hash(iid, seq)
    if found is None:
        try:
            store.get(iid)
        except InstanceNotFound:
            problem("instance_missing", iid, seq, f"实例 {iid} 已不存在（检查点记载其第 {seq} 条记录）",
                    f"instance {iid} no longer exists (the checkpoint anchored its record {seq})")
        else:
            problem("truncated", iid, seq, f"实例 {iid} 已没有第 {seq} 条审计记录（历史被截断）",
                    f"instance {iid} no longer has audit record {seq} (its history was cut "
                    "short)")
    elif found != expected:
        problem("rewritten", iid, seq, f"实例 {iid} 的第 {seq} 条审计记录与检查点不符（历史被改写）",
                f"instance {iid}, audit record {seq} differs from the checkpoint (its history "
                "was rewritten)")
    if progress is not None:
        progress(report.instances)
    return None


def _org_head(store: Store, report: CheckpointReport, head: Any,
              problem: Callable[[str, str | None, int, str, str], None]) -> None:
    if not (isinstance(head, dict) and isinstance(head.get("seq"), int)
            and isinstance(head.get("hash"), str)):
        problem("malformed", None, 0, "检查点中的组织体系留痕记载无效",
                "the checkpoint's organization trail entry is invalid")
        return
    seq, expected = head["seq"], head["hash"]
    report.org_head = (seq, expected)
    rec = store.org_record(seq)
    if rec is None:
        problem("org_trail_truncated", None, seq, f"组织体系留痕已没有第 {seq} 条记录（被截断）",
                f"the organization trail no longer has record {seq} (cut short)")
    elif rec.hash != expected:
        problem("org_trail_rewritten", None, seq, f"组织体系留痕第 {seq} 条记录与检查点不符（被改写）",
                f"organization trail record {seq} differs from the checkpoint (rewritten)")


def read_key(*, key_file: str | Path | None = None, env: str = "PARTYFLOW_AUDIT_KEY") -> bytes | None:
    """The checkpoint key: the contents of ``key_file`` (without a final newline), else the
    environment variable ``env``, else None.

    Raises:
        UsageError: the key is empty.
    """
    if key_file is not None:
        key = Path(key_file).read_bytes().rstrip(b"\r\n")
    elif os.environ.get(env):
        key = os.environ[env].encode()
    else:
        return None
    if not key:
        raise UsageError(Text("检查点密钥为空", "the checkpoint key is empty"))
    return key

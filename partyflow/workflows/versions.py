"""Rules versions by content hash (版本固定): loaded from the store once each, checked.

Each instance runs under the rules it started with. ``RuleVersions`` is the one cache the
engine and rules change (impact, migrate) share: the current rules, every version loaded from
the store since, and one compiled machine per procedure version.
"""

from __future__ import annotations

from partyflow.errors import RulesError, RulesVersionUnavailable, Text
from partyflow.rules.definitions import ProcedureDef, RuleSet
from partyflow.rules.loader import load_rules_text
from partyflow.stores.base import Store
from partyflow.workflows.audit import verify_chain
from partyflow.workflows.machine import ProcedureMachine
from partyflow.workflows.records import Instance


class RuleVersions:
    """Rule sets by content hash, and their compiled machines.

    Args:
        store: where pinned rules texts are kept.
        known: rule sets already loaded (the engine's current rules); they are saved to the
            store the first time an instance starts on them (``save``).
    """

    def __init__(self, store: Store, *known: RuleSet) -> None:
        self.store = store
        self._rules: dict[str, RuleSet] = {r.content_hash: r for r in known}
        self._machines: dict[tuple[str, str], ProcedureMachine] = {}
        self._saved: set[str] = set()

    def save(self, rules: RuleSet) -> None:
        """Keep ``rules``' text in the store (once per process and hash)."""
        if rules.content_hash not in self._saved:
            self.store.save_rules(rules.content_hash, rules.version, rules.source)
            self._saved.add(rules.content_hash)
            self._rules.setdefault(rules.content_hash, rules)

    def get(self, rules_hash: str, rules_version: str = "?") -> RuleSet:
        """The rules with ``rules_hash``, loaded from the store the first time.

        Raises:
            RulesVersionUnavailable: no text is stored for the hash (``missing``), or the
                stored text does not hash to it (``hash_mismatch``: it was edited).
        """
        rules = self._rules.get(rules_hash)
        if rules is not None:
            return rules
        source = self.store.rules_source(rules_hash)
        short = rules_hash[:12]
        if source is None:
            raise RulesVersionUnavailable(
                Text(f"存储中没有规则版本 {rules_version}（{short}）的文本",
                     f"the store has no text for rules version {rules_version} ({short})"),
                rules_version=rules_version, rules_hash=rules_hash, reason="missing")
        try:
            rules = load_rules_text(source, f"<stored rules {rules_version}>")
        except RulesError as exc:
            raise RulesVersionUnavailable(
                Text(f"存储中的规则版本 {rules_version}（{short}）无法读取，已被改动：{exc.message('zh')}",
                     f"the stored rules version {rules_version} ({short}) no longer loads; "
                     f"it was changed: {exc.message('en')}"),
                rules_version=rules_version, rules_hash=rules_hash,
                reason="hash_mismatch") from None
        if rules.content_hash != rules_hash:
            raise RulesVersionUnavailable(
                Text(f"存储中的规则版本 {rules_version}（{short}）的内容与其哈希不符：文本已被改动，"
                     "拒绝使用", f"the stored text of rules version {rules_version} ({short}) "
                     "does not match its content hash: it was changed; refused"),
                rules_version=rules_version, rules_hash=rules_hash, reason="hash_mismatch")
        self._rules[rules_hash] = rules
        return rules

    def of(self, inst: Instance) -> RuleSet:
        """The rules ``inst`` runs under (see ``get``; the error names the instance)."""
        try:
            return self.get(inst.rules_hash, inst.rules_version)
        except RulesVersionUnavailable as exc:
            exc.instance_id, exc.procedure, exc.state = inst.id, inst.procedure, inst.state
            raise

    def machine(self, inst: Instance) -> ProcedureMachine:
        """The compiled machine of ``inst``'s procedure under its own rules."""
        key = (inst.rules_hash, inst.procedure)
        machine = self._machines.get(key)
        if machine is None:
            machine = self.machine_for(self.of(inst), inst.procedure)
        return machine

    def machine_for(self, rules: RuleSet, procedure: str) -> ProcedureMachine:
        """The compiled machine of ``procedure`` in ``rules`` (built once)."""
        key = (rules.content_hash, procedure)
        machine = self._machines.get(key)
        if machine is None:
            machine = self._machines[key] = ProcedureMachine(rules.procedures[procedure])
        return machine

    def definition(self, inst: Instance) -> ProcedureDef:
        """``inst``'s procedure definition under its own rules."""
        return self.machine(inst).definition


def verify_instance(store: Store, instance_id: str, versions: RuleVersions | None = None) -> int:
    """Verify one instance: its audit chain, that the stored row is the one its last record
    sealed, and that its pinned rules text still matches its content hash; return the
    number of records checked (``Engine.verify`` and ``partyflow verify`` both call this).

    Raises:
        InstanceNotFound, AuditChainBroken, RulesVersionUnavailable.
    """
    inst = store.get(instance_id)
    count = verify_chain(inst, store.history(instance_id))
    (versions or RuleVersions(store)).of(inst)  # the stored text, checked against its hash
    return count

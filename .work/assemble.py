"""Merge config/rules.yaml with every .work/*.yaml fragment into /tmp/rules_assembled.yaml.

A fragment has the same shape as the rules file minus `version`: `roles:` and `procedures:`.
Used while procedures are written in parallel; the fragments are merged into config/rules.yaml.
"""

import sys
from pathlib import Path

import yaml

root = Path(__file__).resolve().parent.parent
base = yaml.safe_load((root / "config" / "rules.yaml").read_text(encoding="utf-8"))
for frag in sorted((root / ".work").glob("*.yaml")):
    data = yaml.safe_load(frag.read_text(encoding="utf-8")) or {}
    for role, label in (data.get("roles") or {}).items():
        if role in base["roles"] and base["roles"][role] != label:
            print(f"note: {frag.name} relabels role {role}", file=sys.stderr)
        base["roles"].setdefault(role, label)
    base["procedures"].update(data.get("procedures") or {})
out = Path(sys.argv[1] if len(sys.argv) > 1 else "/tmp/rules_assembled.yaml")
out.write_text(yaml.safe_dump(base, allow_unicode=True, sort_keys=False), encoding="utf-8")
print(out)

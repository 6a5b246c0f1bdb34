"""Append a fragment's roles and procedures into config/rules.yaml, keeping its text."""
import sys
from pathlib import Path

root = Path(__file__).resolve().parent.parent
rules = root / "config" / "rules.yaml"
frag = Path(sys.argv[1]).read_text(encoding="utf-8").splitlines()
r_i = frag.index("roles:")
p_i = frag.index("procedures:")
header = [ln for ln in frag[:r_i] if ln.startswith("#")]
roles = [ln for ln in frag[r_i + 1:p_i] if ln.strip()]
procs = frag[p_i + 1:]
lines = rules.read_text(encoding="utf-8").splitlines()
pos = lines.index("procedures:")
# insert roles before the blank line preceding 'procedures:'
insert_at = pos - 1 if lines[pos - 1].strip() == "" else pos
existing = {ln.split(":")[0].strip() for ln in lines[:pos] if ln.startswith("  ") and ":" in ln}
new_roles = [ln for ln in roles if ln.split(":")[0].strip() not in existing]
lines[insert_at:insert_at] = new_roles
lines += ["", *["  " + h for h in header], *procs]
rules.write_text("\n".join(lines).rstrip("\n") + "\n", encoding="utf-8")
print(f"merged {len(new_roles)} roles and {sys.argv[1]}")

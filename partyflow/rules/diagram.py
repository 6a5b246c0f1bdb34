"""Diagrams of a procedure: Mermaid ``stateDiagram-v2`` (default) or Graphviz DOT text.

States keep their ASCII ids (Mermaid rejects Chinese ids) and show the Chinese label as
display text. Edges are labelled with trigger, roles and conditions.
"""

from __future__ import annotations

from partyflow.errors import Lang
from partyflow.rules.definitions import ProcedureDef, StateDef
from partyflow.rules.durations import Duration, period_text

_MERMAID_UNSAFE = str.maketrans({";": ",", "#": "＃", '"': "'", "{": "(", "}": ")"})


def _edge_label(t_trigger: str, roles: frozenset[str], conditions: list[str], lang: Lang) -> str:
    parts = [t_trigger]
    if roles:
        parts.append("[" + ", ".join(sorted(roles)) + "]")
    if conditions:
        joined = conditions[0] if len(conditions) == 1 else " && ".join(
            f"({c})" for c in conditions
        )
        parts.append(("当 " if lang == "zh" else "if ") + " ".join(joined.split()))
    return " ".join(parts)


def _period(proc: ProcedureDef, name: str | None, period: Duration | None, lang: Lang) -> str:
    """``letter_valid_for = P30D (30日)``: the name (if any), the period and it in words."""
    if period is None:
        return name or ""
    zh, en = period_text(period)
    shown = f"{period} ({zh if lang == 'zh' else en})"
    return f"{name} = {shown}" if name else shown


def timeout_action(st: StateDef, lang: Lang = "zh") -> str:
    """What happens when ``st``'s deadline passes: its ``on_timeout`` trigger, ``escalate`` for
    a state that escalates instead (it has no trigger), or "" for neither."""
    if st.on_timeout is not None:
        return st.on_timeout
    if st.escalate:
        return "escalate" if lang == "en" else "督办"
    return ""


def mermaid(proc: ProcedureDef, lang: Lang = "zh") -> str:
    """The procedure as Mermaid ``stateDiagram-v2`` text."""
    lines = ["stateDiagram-v2", f"    %% {proc.name}: {proc.title.zh} / {proc.title.en}"]
    for st in proc.states.values():
        text = f"{st.label.get(lang)} ({st.name})"
        if st.deadline or st.deadline_name:
            text += f" ⏱ {_period(proc, st.deadline_name, proc.deadline_for(st.name, {}), lang)}"
            action = timeout_action(st, lang)
            text += f" → {action}" if action else ""
            remind = proc.reminder_for(st.name)
            if remind is not None:
                text += f" 🔔 {_period(proc, st.remind_name, remind, lang)}"
        lines.append(f'    state "{text.translate(_MERMAID_UNSAFE)}" as {st.name}')
    lines.append(f"    [*] --> {proc.initial}")
    for t in proc.transitions:
        label = _edge_label(t.trigger, t.roles, [c.expression.source for c in t.conditions], lang)
        for src in t.sources:
            lines.append(f"    {src} --> {t.dest}: {label.translate(_MERMAID_UNSAFE)}")
    for st in proc.states.values():
        if st.terminal:
            lines.append(f"    {st.name} --> [*]")
    return "\n".join(lines) + "\n"


def _dot_quote(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def dot(proc: ProcedureDef, lang: Lang = "zh") -> str:
    """The procedure as Graphviz DOT text."""
    lines = [f"digraph {proc.name} {{", "    rankdir=LR;", '    node [shape=box, style=rounded];',
             f"    label={_dot_quote(proc.title.get(lang))};",
             '    __start [shape=point, label=""];']
    for st in proc.states.values():
        shape = ", peripheries=2" if st.terminal else ""
        text = st.label.get(lang) + "\n" + st.name
        lines.append(f"    {st.name} [label={_dot_quote(text)}{shape}];")
    lines.append(f"    __start -> {proc.initial};")
    for t in proc.transitions:
        label = _edge_label(t.trigger, t.roles, [c.expression.source for c in t.conditions], lang)
        for src in t.sources:
            lines.append(f"    {src} -> {t.dest} [label={_dot_quote(label)}];")
    lines.append("}")
    return "\n".join(lines) + "\n"

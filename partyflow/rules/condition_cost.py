"""The worst-case work of a condition, estimated at load time from the declared list sizes.

CEL has no loops, but its list macros iterate, and the expression library builds a
``map``/``filter`` result by copying: one ``map`` over n items costs about n², a ``map`` inside
it n³ (``size(l.map(x, l.map(y, y)))`` over 1,000 items runs for 100 s). ``all``/``exists``
cost n each. The estimate multiplies those through the nesting, with each list at the largest
size its input allows (``max_length``, else 1,000 items), and a condition above ``MAX_COST`` is
refused where it is written, so no input within the limits can make a step run long.
"""

from __future__ import annotations

from collections.abc import Mapping

from partyflow.rules.condition_lint import tokens

MAX_COST = 5_000_000
"""About a quarter of a second of evaluation on this machine (a 1,000-item map is 10⁶)."""

_COPYING = frozenset({"map", "filter"})
_MACROS = _COPYING | {"all", "exists", "exists_one", "existsOne"}


def condition_cost(source: str, list_sizes: Mapping[str, int], default: int) -> int:
    """Worst-case work units of ``source``: ``list_sizes`` gives each list input's largest
    size; ``default`` is used for a list whose size is not known (a literal's is counted)."""
    toks = tokens(source)
    closing = _matching(toks)
    macros = []  # (start of the macro name, end of its arguments, kind, range size)
    for i, (kind, text) in enumerate(toks):
        if kind == "name" and text in _MACROS and i >= 2 and toks[i - 1] == ("op", ".") \
                and i + 1 < len(toks) and toks[i + 1] == ("op", "("):
            end = closing.get(i + 1, len(toks))
            macros.append((i, end, text, _range_size(toks, i - 2, closing, list_sizes,
                                                     default)))
    memo: dict[int, int] = {}

    def cost(m: int) -> int:
        if m not in memo:
            kind, n = macros[m][2], macros[m][3]
            inner = sum(cost(k) for k in _children(macros, m))
            memo[m] = (n * n if kind in _COPYING else n) * (1 + inner)
        return memo[m]

    top = [m for m in range(len(macros)) if not any(
        macros[p][0] < macros[m][0] < macros[p][1] for p in range(len(macros)) if p != m)]
    return sum(cost(m) for m in top)


def _children(macros: list[tuple[int, int, str, int]], m: int) -> list[int]:
    """The macros directly inside macro ``m``'s arguments."""
    start, end = macros[m][0], macros[m][1]
    inside = [k for k in range(len(macros)) if start < macros[k][0] < end]
    return [k for k in inside if not any(
        macros[p][0] < macros[k][0] < macros[p][1] for p in inside if p != k)]


def _matching(toks: list[tuple[str, str]]) -> dict[int, int]:
    """Index of each opening bracket → index of its closing one."""
    stack: list[int] = []
    out: dict[int, int] = {}
    for i, (kind, text) in enumerate(toks):
        if kind != "op":
            continue
        if text in "([{":
            stack.append(i)
        elif text in ")]}" and stack:
            out[stack.pop()] = i
    return out


def _range_size(toks: list[tuple[str, str]], j: int, closing: Mapping[int, int],
                list_sizes: Mapping[str, int], default: int) -> int:
    """The largest size of the list a macro iterates, whose last token is at ``j``."""
    if j < 0:
        return default
    kind, text = toks[j]
    if kind == "name":
        return list_sizes.get(text, default)
    if text == "]":  # a literal list: count its items
        opening = next((o for o, c in closing.items() if c == j), None)
        if opening is not None:
            depth, items = 0, 1
            for k in range(opening + 1, j):
                t = toks[k][1]
                depth += t in "([{"
                depth -= t in ")]}"
                items += depth == 0 and t == ","
            return items if j > opening + 1 else 0
    return default  # a call's result (another macro's, a function's): the largest list

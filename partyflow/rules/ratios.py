"""Ratios (比例) such as ``"4/5"``: one rule, used wherever a ratio is read.

The rule, for :func:`ratio`:

* text ``"n/d"``: ASCII digits, blanks allowed around either number; ``d`` must not be 0
  (``"4/0"`` and ``"0/0"`` are refused); ``"0/5"`` is zero;
* text ``"0.2"``: a non-negative decimal, taken exactly (1/5);
* an ``int`` or a ``Fraction``: itself;
* a ``float``: exactly the decimal it prints as (``repr``, the shortest text that reads back
  as the same float): ``0.1`` is 1/10 and ``0.8`` is 4/5. Two thirds as a float
  (``0.6666666666666666``) is that decimal, a little less than 2/3: write ``"2/3"``;
* refused: a negative ratio, ``nan``, ``inf``, ``True``/``False`` and anything else.

A value that is not a ratio at all (``None``, a list, a bool) raises :class:`RatioTypeError`;
one of the right kind that breaks the rule raises ``ValueError``.

A rules file writes a ratio parameter as ``"n/d"`` (:func:`ratio_terms`); its canonical text
(:func:`ratio_text`) keeps the written terms, so ``" 4 / 5 "`` is ``"4/5"`` while ``"8/10"``
stays ``"8/10"``.
"""

from __future__ import annotations

import math
import re
from fractions import Fraction
from functools import lru_cache

RatioLike = str | int | float | Fraction
"""A ratio: ``"4/5"`` as in the rules file, or a number (``0.2`` is read as exactly 1/5)."""

_TERMS = re.compile(r"^\s*([0-9]+)\s*/\s*([0-9]+)\s*$")
_DECIMAL = re.compile(r"^\s*([0-9]+(?:\.[0-9]*)?|\.[0-9]+)\s*$")


class RatioTypeError(TypeError, ValueError):
    """The value is not of a kind a ratio is read from (a ``TypeError`` and a ``ValueError``)."""


def ratio_terms(text: str) -> tuple[int, int]:
    """``"4 / 5"`` → ``(4, 5)``: the numerator and denominator as written, not reduced.

    Raises:
        ValueError: ``text`` is not ``"n/d"`` with ``d`` > 0.
    """
    m = _TERMS.match(text)
    if m is None:
        raise ValueError(f"not a ratio: {text!r} (write it as \"4/5\")")
    num, den = int(m.group(1)), int(m.group(2))
    if den == 0:
        raise ValueError(f"a ratio cannot have a zero denominator: {text!r}")
    return num, den


def ratio_text(text: str) -> str:
    """The canonical text of a ratio written ``"n/d"``: ``" 4 / 5 "`` → ``"4/5"``."""
    num, den = ratio_terms(text)
    return f"{num}/{den}"


def ratio(value: RatioLike) -> Fraction:
    """The exact value of a ratio, by the rule in this module's docstring.

    Raises:
        RatioTypeError: ``value`` is not a text, an int, a float or a Fraction.
        ValueError: it is negative, not finite, or text that is not a ratio.
    """
    if isinstance(value, bool) or not isinstance(value, str | int | float | Fraction):
        raise RatioTypeError(
            f"a ratio such as \"4/5\" is needed, not {type(value).__name__}")
    if isinstance(value, str):
        return _text(value)
    if isinstance(value, float):
        if not math.isfinite(value):
            raise ValueError(f"not a ratio: {value!r}")
        result = Fraction(repr(value))
    else:
        result = Fraction(value)
    if result < 0:
        raise ValueError(f"a ratio cannot be negative: {value!r}")
    return result


@lru_cache(maxsize=256)
def _text(value: str) -> Fraction:
    if "/" in value:
        return Fraction(*ratio_terms(value))
    if _DECIMAL.match(value) is None:
        raise ValueError(f"not a ratio: {value!r} (write it as \"4/5\")")
    return Fraction(value.strip())

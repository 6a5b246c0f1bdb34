"""Vote counting for party elections (RULES.md §3, E1–E9): pure functions, exact arithmetic.

Counting ballots is not a state change. An integrating system calls these functions to work
out a result; the rules file calls the same functions (CEL helpers registered in
``partyflow.rules.expressions.FUNCTIONS``) to check the result that a step reports. Ratios are
written as in the rules file (``"4/5"``, ``"1/2"``, ``"1/5"``) or given as ``Fraction``/``int``,
and read by the one rule of :mod:`partyflow.rules.ratios` (``ratio`` is re-exported here).
Every comparison is made on integers (``count × denominator`` against ``total × numerator``),
never on floats.

Wording follows RULES.md: 超过 = strictly more than; 以上/不少于 = at least (inclusive);
不足/少于 = fewer than.

* E2 quorum: :func:`quorum_met` — present **more than** 4/5 of those expected.
* E3 competitive slate: :func:`slate_surplus_ok`, :func:`min_candidates` — candidates − seats
  **at least** 1/5 of the seats.
* E4 ballots: :func:`ballots_returned_valid` (returned ≤ present), :func:`ballot_valid` (names
  marked ≤ seats), :func:`ballot_marks`, :func:`valid_ballot_count`, :func:`votes_consistent`.
* E5 majority: :func:`has_majority` — yes votes **more than** half of the voters present.
* E6 ranking, ties, shortfall: :func:`tally` → :class:`Tally`.
* E9 trust vote: :func:`trusted` — trust votes **more than** the threshold of valid ballots.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Literal

from partyflow.rules.ratios import RatioLike as RatioLike
from partyflow.rules.ratios import ratio as ratio

Outcome = Literal["elected", "tie", "shortfall"]
Choice = Literal["yes", "no", "abstain"]
CHOICES: tuple[Choice, ...] = ("yes", "no", "abstain")


def _count(value: int, name: str, *, minimum: int = 0) -> int:
    if not isinstance(value, int) or isinstance(value, bool):
        raise ValueError(f"{name} must be a whole number, not {value!r}")
    if value < minimum:
        raise ValueError(f"{name} must be at least {minimum}, got {value}")
    return value


def _more_than(count: int, total: int, share: RatioLike) -> bool:
    """``count`` strictly more than ``share`` × ``total`` (超过), on integers."""
    r = ratio(share)
    return count * r.denominator > total * r.numerator


def _at_least(count: int, total: int, share: RatioLike) -> bool:
    """``count`` at least ``share`` × ``total`` (以上/不少于), on integers."""
    r = ratio(share)
    return count * r.denominator >= total * r.numerator


# -- E2 quorum ------------------------------------------------------------------------------


def quorum_met(present: int, expected: int, quorum: RatioLike = "4/5") -> bool:
    """E2: the election proceeds only if ``present`` is **more than** ``quorum`` of ``expected``.

    ``expected`` counts the members entitled to vote (full members not under 留党察看, E1);
    ``present`` counts only those of them at the meeting. 33 of 40 → True, 32 of 40 → False.
    Raises ``ValueError`` when more are present than expected.
    """
    _count(present, "present")
    _count(expected, "expected")
    if present > expected:
        raise ValueError(f"{present} present, but only {expected} are entitled to vote")
    return _more_than(present, expected, quorum)


# -- E3 competitive slate --------------------------------------------------------------------


def slate_surplus_ok(candidates: int, seats: int, min_surplus: RatioLike = "1/5") -> bool:
    """E3: candidates − seats is **at least** ``min_surplus`` of the seats (差额).

    3 seats → 4 candidates or more; 5 seats → 6 or more; 1 seat → 2 or more.
    """
    _count(candidates, "candidates")
    _count(seats, "seats", minimum=1)
    return _at_least(candidates - seats, seats, min_surplus)


def min_candidates(seats: int, min_surplus: RatioLike = "1/5") -> int:
    """E3: the smallest slate for ``seats``: ``seats + ceil(seats × min_surplus)``."""
    _count(seats, "seats", minimum=1)
    return seats + math.ceil(seats * ratio(min_surplus))


# -- E4 ballots ------------------------------------------------------------------------------


def ballots_returned_valid(returned: int, present: int) -> bool:
    """E4: ballots returned **equal to or fewer than** the voters present → the vote is valid;
    more → the vote is void and is held again."""
    _count(returned, "ballots returned")
    _count(present, "present")
    return returned <= present


def ballot_valid(marks: int, seats: int) -> bool:
    """E4: one ballot is valid when the names it marks (yes votes, write-ins included) are
    **equal to or fewer than** the seats; a ballot marking more names than seats is invalid."""
    _count(marks, "marks")
    _count(seats, "seats", minimum=1)
    return marks <= seats


def ballot_marks(choices: Mapping[str, Choice],
                 write_ins: Mapping[str, str] | None = None) -> int:
    """E4/E7: the names one ballot marks: its ``"yes"`` choices plus its write-ins.

    ``choices`` maps each printed candidate to ``"yes"``, ``"no"`` or ``"abstain"`` (E7: no
    proxy, three options). ``write_ins`` maps a candidate marked ``"no"`` to the other eligible
    name the voter wrote in (另选他人); a write-in beside any other choice raises ``ValueError``.
    """
    for name, choice in choices.items():
        if choice not in CHOICES:
            raise ValueError(f"{name}: {choice!r} is not one of yes, no, abstain")
    extra = write_ins or {}
    for name, other in extra.items():
        if choices.get(name) != "no":
            raise ValueError(f"a write-in ({other}) is allowed only beside a 'no' vote; "
                             f"{name} is marked {choices.get(name)!r}")
        if not other.strip():
            raise ValueError(f"the write-in beside {name} is empty")
    return sum(1 for c in choices.values() if c == "yes") + len(extra)


def valid_ballot_count(marks_per_ballot: Sequence[int], seats: int) -> int:
    """E4: how many of the returned ballots are valid (each marks ≤ ``seats`` names)."""
    return sum(1 for m in marks_per_ballot if ballot_valid(m, seats))


def votes_consistent(votes: Sequence[int], marks_per_ballot: Sequence[int], seats: int) -> bool:
    """E4: the reported votes are exactly what the valid ballots give.

    The votes add up to the names marked on valid ballots (invalid ballots give no votes), and
    nobody has more votes than there are valid ballots.
    """
    for v in votes:
        _count(v, "votes")
    valid = [m for m in marks_per_ballot if ballot_valid(m, seats)]
    return sum(votes) == sum(valid) and all(v <= len(valid) for v in votes)


# -- E5 majority, E6 ranking -----------------------------------------------------------------


def has_majority(yes: int, present: int, majority: RatioLike = "1/2") -> bool:
    """E5: elected only with yes votes **more than** ``majority`` (half) of the voters present.

    5 of 9 → True, 4 of 9 → False; 5 of 8 → True, 4 of 8 → False.
    """
    _count(yes, "yes votes")
    _count(present, "present")
    return _more_than(yes, present, majority)


@dataclass(frozen=True)
class Tally:
    """The result of one round of voting (E5, E6).

    Attributes:
        outcome: ``"elected"`` every seat is filled; ``"tie"`` candidates tie for the last
            seat(s) and vote again among themselves; ``"shortfall"`` fewer than the seats have
            a majority and a further round fills the remaining seats.
        elected: elected in this round, most votes first (input order between equals).
        tied: those tied at the cut-off (``"tie"`` only), in input order.
        remaining: seats still to fill after this round (0 when ``"elected"``).
    """

    outcome: Outcome
    elected: tuple[str, ...]
    tied: tuple[str, ...]
    remaining: int


def tally(names: Sequence[str], votes: Sequence[int], seats: int, present: int,
          majority: RatioLike = "1/2") -> Tally:
    """E5/E6: who is elected in one round, from each name's yes votes.

    Only names with yes votes more than ``majority`` of ``present`` qualify (E5). More qualify
    than ``seats`` → ranked by votes; equal votes across the cut-off → ``"tie"``: those above
    it are elected and the tied vote again. Fewer qualify than ``seats`` → ``"shortfall"``: the
    qualifying are elected and the remaining seats go to a further round; they are never filled
    with those under the majority.

    Raises ``ValueError`` when the lists differ in length, a name repeats, a count is negative,
    ``seats`` < 1, or someone has more votes than voters present.
    """
    if len(names) != len(votes):
        raise ValueError(f"{len(names)} names but {len(votes)} vote counts")
    repeated = sorted(n for n, k in Counter(names).items() if k > 1)
    if repeated:
        raise ValueError(f"names repeat: {', '.join(repeated)}")
    _count(seats, "seats", minimum=1)
    _count(present, "present")
    for name, v in zip(names, votes, strict=True):
        _count(v, f"votes of {name}")
        if v > present:
            raise ValueError(f"{name} has {v} votes but only {present} voters are present")
    ranked = sorted(
        ((n, v) for n, v in zip(names, votes, strict=True) if has_majority(v, present, majority)),
        key=lambda nv: -nv[1],
    )
    if len(ranked) <= seats:
        elected = tuple(n for n, _ in ranked)
        outcome: Outcome = "elected" if len(ranked) == seats else "shortfall"
        return Tally(outcome, elected, (), seats - len(elected))
    cutoff = ranked[seats - 1][1]
    if ranked[seats][1] < cutoff:
        return Tally("elected", tuple(n for n, _ in ranked[:seats]), (), 0)
    above = tuple(n for n, v in ranked if v > cutoff)
    tied = tuple(n for n, v in zip(names, votes, strict=True)
                 if v == cutoff and has_majority(v, present, majority))
    return Tally("tie", above, tied, seats - len(above))


# -- E9 trust vote ---------------------------------------------------------------------------


def trusted(names: Sequence[str], votes: Sequence[int], valid_ballots: int,
            threshold: RatioLike = "1/2") -> list[str]:
    """E9: the nominees whose trust votes are **more than** ``threshold`` of the valid trust
    ballots (信任票), in input order. 51 of 100 passes at 1/2, 50 of 100 does not.

    Raises ``ValueError`` when the lists differ in length or a count exceeds the ballots.
    """
    if len(names) != len(votes):
        raise ValueError(f"{len(names)} nominees but {len(votes)} trust vote counts")
    _count(valid_ballots, "valid trust ballots")
    out = []
    for name, v in zip(names, votes, strict=True):
        _count(v, f"trust votes of {name}")
        if v > valid_ballots:
            raise ValueError(f"{name} has {v} trust votes but there are {valid_ballots} "
                             "valid ballots")
        if _more_than(v, valid_ballots, threshold):
            out.append(name)
    return out


# -- name lists ------------------------------------------------------------------------------


def same_names(a: Sequence[str], b: Sequence[str]) -> bool:
    """The two lists name the same people, in any order (each as often in both)."""
    return Counter(a) == Counter(b)


def distinct(names: Sequence[str]) -> bool:
    """No name appears twice."""
    return len(set(names)) == len(names)


# -- CEL helpers -----------------------------------------------------------------------------


def tally_outcome(names: Sequence[str], votes: Sequence[int], seats: int, present: int,
                  majority: RatioLike = "1/2") -> str:
    """CEL: ``tally(...).outcome``: ``"elected"``, ``"tie"`` or ``"shortfall"``."""
    return tally(names, votes, seats, present, majority).outcome


def tally_elected(names: Sequence[str], votes: Sequence[int], seats: int, present: int,
                  majority: RatioLike = "1/2") -> list[str]:
    """CEL: ``tally(...).elected`` as a list."""
    return list(tally(names, votes, seats, present, majority).elected)


def tally_tied(names: Sequence[str], votes: Sequence[int], seats: int, present: int,
               majority: RatioLike = "1/2") -> list[str]:
    """CEL: ``tally(...).tied`` as a list (empty unless the outcome is ``"tie"``)."""
    return list(tally(names, votes, seats, present, majority).tied)


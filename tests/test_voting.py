"""Vote counting (partyflow.rules.voting): both sides of every boundary in RULES.md §3."""

from __future__ import annotations

from fractions import Fraction
from pathlib import Path

import cel
import pytest
from hypothesis import given
from hypothesis import strategies as st

from partyflow import check_rules_text, load_rules_text
from partyflow.rules import ratios
from partyflow.rules.diff import diff_rules
from partyflow.rules.expressions import FUNCTIONS, at_least, exceeds, make_context
from partyflow.rules.voting import (
    Tally,
    ballot_marks,
    ballot_valid,
    ballots_returned_valid,
    distinct,
    has_majority,
    min_candidates,
    quorum_met,
    ratio,
    same_names,
    slate_surplus_ok,
    tally,
    tally_elected,
    tally_outcome,
    tally_tied,
    trusted,
    valid_ballot_count,
    votes_consistent,
)

MINI = Path(__file__).resolve().parent / "fixtures" / "mini.yaml"

# -- ratios -----------------------------------------------------------------------------------


@pytest.mark.parametrize(("value", "expected"), [
    ("4/5", Fraction(4, 5)), (" 1/2 ", Fraction(1, 2)), ("1/5", Fraction(1, 5)),
    (0.2, Fraction(1, 5)), ("0.2", Fraction(1, 5)), (1, Fraction(1)), (Fraction(2, 3), Fraction(2, 3)),
])
def test_ratio_is_exact(value: str | float | int | Fraction, expected: Fraction) -> None:
    assert ratio(value) == expected


@pytest.mark.parametrize("value", ["x", "1/0", "4/", "-1/2", -1, True, None])
def test_ratio_rejects_nonsense(value: object) -> None:
    with pytest.raises(ValueError):
        ratio(value)  # type: ignore[arg-type]


# -- one ratio rule, wherever a ratio is read (partyflow.rules.ratios) ---------------------------

AGREED = ["4/5", " 4 / 5 ", "8/10", "0/5", "1/2", "2/3", "04/5", "0.2", 0.1, 0.8, 2 / 3, 1,
          Fraction(2, 3)]


def test_voting_and_the_condition_helpers_use_the_one_rule() -> None:
    assert ratio is ratios.ratio


@pytest.mark.parametrize("value", AGREED)
def test_helpers_and_vote_counting_agree_on_every_ratio(value: str | float | Fraction) -> None:
    r = ratio(value)
    for total in range(0, 31):
        for count in range(0, total + 1):
            exact = count - r * total
            more = exceeds(count, total, value)
            assert more is has_majority(count, total, value) is (exact > 0), (count, total)
            assert at_least(count, total, value) is (exact >= 0), (count, total)
            assert trusted(["a"], [count], total, value) == (["a"] if more else [])


def test_a_float_is_taken_as_the_decimal_it_prints_as() -> None:
    assert ratio(0.1) == Fraction(1, 10) == ratio("0.1") == ratio("1/10")
    assert ratio(0.8) == Fraction(4, 5)
    # two thirds as a float is 0.6666666666666666, a little less than 2/3: both the helper
    # and the vote count say 2 of 3 exceeds it (the helper used to round it to 2/3)
    assert ratio(2 / 3) == Fraction(6666666666666666, 10**16) < Fraction(2, 3)
    assert exceeds(2, 3, 2 / 3) is True
    assert has_majority(2, 3, 2 / 3) is True
    assert exceeds(2, 3, "2/3") is False
    assert has_majority(2, 3, "2/3") is False
    assert ratio(1e-05) == Fraction(1, 100_000)  # not rounded to 0


@pytest.mark.parametrize("value", ["4/0", "0/0", " 4 / 0 ", "-1/2", "1/-2", "4/5/6", "٤/5",
                                   "1_0/20", "", -0.5, float("nan"), float("inf"), -1,
                                   Fraction(-1, 2)])
def test_every_place_refuses_what_is_not_a_ratio(value: object) -> None:
    with pytest.raises(ValueError):
        ratio(value)  # type: ignore[arg-type]
    with pytest.raises(ValueError):
        exceeds(1, 2, value)  # type: ignore[arg-type]
    with pytest.raises(ValueError):
        at_least(1, 2, value)  # type: ignore[arg-type]
    with pytest.raises(ValueError):
        has_majority(1, 2, value)  # type: ignore[arg-type]
    if isinstance(value, str):
        with pytest.raises(ValueError):
            ratios.ratio_text(value)


@pytest.mark.parametrize("value", [None, True, [4, 5], {"n": 4}])
def test_what_is_not_a_ratio_at_all_is_a_type_error_too(value: object) -> None:
    """A TypeError lets a condition's load-time type check report it; ValueError as before."""
    with pytest.raises(ratios.RatioTypeError) as info:
        ratio(value)  # type: ignore[arg-type]
    assert isinstance(info.value, TypeError) and isinstance(info.value, ValueError)
    with pytest.raises(TypeError):
        exceeds(1, 2, value)  # type: ignore[arg-type]


@pytest.mark.parametrize(("written", "accepted", "text"), [
    ("4/5", True, "4/5"), (" 4 / 5 ", True, "4/5"), ("8/10", True, "8/10"), ("0/5", True, "0/5"),
    ("04/5", True, "4/5"), ("4/05", True, "4/5"),
    ("4/0", False, None), ("0/0", False, None), ("0.2", False, None), ("-1/2", False, None),
])
def test_a_ratio_parameter_in_the_file_is_checked_and_read_by_the_same_rule(
        written: str, accepted: bool, text: str | None) -> None:
    rules = MINI.read_text(encoding="utf-8").replace('value: "4/5"', f'value: "{written}"')
    assert f'value: "{written}"' in rules
    problems = check_rules_text(rules, "mini.yaml")
    if not accepted:
        assert [p.type for p in problems] == ["ratio_format"]
        return
    assert problems == []
    proc = load_rules_text(rules, "mini.yaml").procedures["mini_election"]
    quorum = proc.cel_parameters["election_quorum"]
    assert quorum == ratios.ratio_text(written) == text
    assert ratio(quorum) == ratio(written)
    cond = proc.transitions[0].conditions[0]
    for present in range(0, 41):
        ctx = make_context({"present": present, "expected": 40, "election_quorum": quorum})
        assert cond.expression.evaluate(ctx) is quorum_met(present, 40, written)


def test_the_diff_compares_a_ratio_by_its_canonical_text() -> None:
    base = MINI.read_text(encoding="utf-8")
    spaced = base.replace('value: "4/5"', 'value: " 4 / 5 "')
    tenths = base.replace('value: "4/5"', 'value: "8/10"')
    old = load_rules_text(base, "a.yaml")
    assert not [c for c in diff_rules(old, load_rules_text(spaced, "b.yaml")).changes
                if c.kind == "parameter_changed"]
    changed = [c for c in diff_rules(old, load_rules_text(tenths, "c.yaml")).changes
               if c.kind == "parameter_changed"]
    assert [(c.path, c.old, c.new) for c in changed] == [
        (("parameters", "election_quorum"), "4/5", "8/10")]


# -- E2 quorum: present MORE THAN 4/5 of those expected ---------------------------------------


@pytest.mark.parametrize(("present", "expected", "ok"), [
    (33, 40, True), (32, 40, False),       # 4/5 of 40 is 32: 32 is not more than 32
    (9, 10, True), (8, 10, False),
    (5, 6, True), (4, 6, False),           # 4/5 of 6 is 4.8
    (40, 40, True), (0, 0, False), (0, 5, False),
])
def test_quorum_is_strictly_more_than_four_fifths(present: int, expected: int, ok: bool) -> None:
    assert quorum_met(present, expected) is ok
    assert quorum_met(present, expected, "4/5") is ok


def test_quorum_refuses_more_present_than_expected() -> None:
    with pytest.raises(ValueError, match="41 present"):
        quorum_met(41, 40)
    with pytest.raises(ValueError):
        quorum_met(-1, 40)


@given(st.integers(0, 500), st.integers(0, 500), st.integers(1, 9), st.integers(1, 10))
def test_quorum_agrees_with_exceeds(present: int, expected: int, num: int, den: int) -> None:
    if present > expected:
        return
    assert quorum_met(present, expected, f"{num}/{den}") == exceeds(present, expected,
                                                                    f"{num}/{den}")


# -- E3 competitive slate: candidates - seats AT LEAST 1/5 of the seats -----------------------


@pytest.mark.parametrize(("candidates", "seats", "ok"), [
    (3, 3, False), (4, 3, True),           # RULES.md: 3 seats -> at least 4
    (5, 5, False), (6, 5, True),           # 5 seats -> at least 6
    (1, 1, False), (2, 1, True),
    (6, 5, True), (11, 10, False), (12, 10, True),   # 10 seats: 2 more = exactly 1/5
    (2, 3, False), (0, 1, False),
])
def test_slate_surplus_is_at_least_one_fifth(candidates: int, seats: int, ok: bool) -> None:
    assert slate_surplus_ok(candidates, seats) is ok
    assert slate_surplus_ok(candidates, seats, "1/5") is ok


@pytest.mark.parametrize(("seats", "smallest"), [(1, 2), (3, 4), (5, 6), (7, 9), (10, 12)])
def test_min_candidates(seats: int, smallest: int) -> None:
    assert min_candidates(seats) == smallest


@given(st.integers(1, 300), st.integers(0, 400), st.integers(0, 5), st.integers(1, 10))
def test_min_candidates_is_the_boundary(seats: int, candidates: int, num: int, den: int) -> None:
    share = f"{num}/{den}"
    assert slate_surplus_ok(candidates, seats, share) == (candidates >= min_candidates(seats, share))
    assert slate_surplus_ok(candidates, seats, share) == at_least(candidates - seats, seats, share)


def test_slate_needs_a_seat() -> None:
    with pytest.raises(ValueError, match="seats"):
        slate_surplus_ok(3, 0)
    with pytest.raises(ValueError):
        min_candidates(0)


# -- E4 ballots ------------------------------------------------------------------------------


@pytest.mark.parametrize(("returned", "present", "ok"), [(9, 9, True), (8, 9, True),
                                                          (10, 9, False), (0, 0, True)])
def test_returned_ballots_at_most_present(returned: int, present: int, ok: bool) -> None:
    assert ballots_returned_valid(returned, present) is ok


@pytest.mark.parametrize(("marks", "seats", "ok"), [(3, 3, True), (2, 3, True), (0, 3, True),
                                                     (4, 3, False), (2, 1, False), (1, 1, True)])
def test_a_ballot_marking_more_names_than_seats_is_invalid(marks: int, seats: int,
                                                           ok: bool) -> None:
    assert ballot_valid(marks, seats) is ok


def test_ballot_marks_counts_yes_and_write_ins() -> None:
    assert ballot_marks({"李红": "yes", "王强": "no", "张伟": "abstain"}) == 1
    assert ballot_marks({"李红": "yes", "王强": "no"}, {"王强": "周明"}) == 2
    assert ballot_marks({}) == 0


def test_a_write_in_only_beside_a_no() -> None:
    with pytest.raises(ValueError, match="only beside a 'no'"):
        ballot_marks({"李红": "yes"}, {"李红": "周明"})
    with pytest.raises(ValueError, match="only beside a 'no'"):
        ballot_marks({"李红": "abstain"}, {"李红": "周明"})
    with pytest.raises(ValueError, match="only beside a 'no'"):
        ballot_marks({}, {"李红": "周明"})
    with pytest.raises(ValueError, match="empty"):
        ballot_marks({"李红": "no"}, {"李红": " "})
    with pytest.raises(ValueError, match="not one of"):
        ballot_marks({"李红": "proxy"})  # type: ignore[dict-item]


def test_valid_ballot_count_and_consistency() -> None:
    marks = [3, 3, 4, 2, 0]                  # the ballot with 4 marks (3 seats) is invalid
    assert valid_ballot_count(marks, 3) == 4
    assert valid_ballot_count(marks, 4) == 5
    assert votes_consistent([4, 3, 1], marks, 3)           # 8 marks on valid ballots
    assert not votes_consistent([4, 3, 2], marks, 3)       # counted the invalid ballot
    assert not votes_consistent([5, 3, 0], marks, 3)       # 5 votes, only 4 valid ballots
    assert votes_consistent([4, 4, 4, 0], marks, 4)        # all 12 marks valid at 4 seats
    assert votes_consistent([], [], 3)
    assert not votes_consistent([1], [], 3)


# -- E5 majority: yes votes MORE THAN half of those present -----------------------------------


@pytest.mark.parametrize(("yes", "present", "ok"), [
    (5, 9, True), (4, 9, False), (5, 8, True), (4, 8, False), (1, 1, True), (0, 1, False),
    (0, 0, False), (17, 33, True), (16, 33, False),
])
def test_majority_is_strictly_more_than_half(yes: int, present: int, ok: bool) -> None:
    assert has_majority(yes, present) is ok


# -- E5/E6 tally -----------------------------------------------------------------------------

NAMES = ["李红", "王强", "张伟", "赵敏"]


def test_every_seat_filled() -> None:
    assert tally(NAMES, [9, 8, 7, 5], 3, 9) == Tally("elected", ("李红", "王强", "张伟"), (), 0)


def test_ranking_by_votes_when_more_qualify_than_seats() -> None:
    result = tally(NAMES, [6, 9, 5, 8], 3, 9)
    assert result.outcome == "elected"
    assert result.elected == ("王强", "赵敏", "李红")        # most votes first; 张伟 (5) ranks 4th


def test_a_tie_at_the_cut_off_re_votes_among_the_tied() -> None:
    result = tally(NAMES, [9, 8, 5, 5], 3, 9)
    assert result == Tally("tie", ("李红", "王强"), ("张伟", "赵敏"), 1)
    assert tally(NAMES, [5, 5, 5, 9], 2, 9) == Tally("tie", ("赵敏",), ("李红", "王强", "张伟"), 1)
    assert tally(NAMES, [6, 6, 6, 6], 2, 9) == Tally("tie", (), tuple(NAMES), 2)


def test_equal_votes_above_the_cut_off_are_no_tie() -> None:
    assert tally(NAMES, [8, 8, 7, 5], 3, 9).outcome == "elected"
    assert tally(NAMES, [8, 8, 8, 4], 3, 9).outcome == "elected"   # 4 of 9 does not qualify


def test_equal_votes_under_half_are_a_shortfall_not_a_tie() -> None:
    # 4 of 9 is not more than half: 张伟 and 赵敏 do not qualify, so nobody ties for seat 3
    assert tally(NAMES, [9, 8, 4, 4], 3, 9) == Tally("shortfall", ("李红", "王强"), (), 1)


def test_shortfall_is_never_filled_from_those_under_half() -> None:
    assert tally(NAMES, [5, 4, 4, 3], 3, 9) == Tally("shortfall", ("李红",), (), 2)
    assert tally(NAMES, [4, 4, 4, 4], 3, 8) == Tally("shortfall", (), (), 3)   # 4 of 8: no
    assert tally(NAMES, [5, 4, 4, 4], 3, 8).elected == ("李红",)                # 5 of 8: yes


def test_a_write_in_counts_like_a_candidate() -> None:
    assert tally([*NAMES, "周明"], [9, 8, 2, 1, 6], 3, 9).elected == ("李红", "王强", "周明")


def test_tally_rejects_inconsistent_input() -> None:
    with pytest.raises(ValueError, match="4 names but 3"):
        tally(NAMES, [1, 2, 3], 3, 9)
    with pytest.raises(ValueError, match="repeat"):
        tally(["李红", "李红"], [1, 2], 1, 9)
    with pytest.raises(ValueError, match="only 9 voters"):
        tally(NAMES, [10, 1, 1, 1], 3, 9)
    with pytest.raises(ValueError, match="seats"):
        tally(NAMES, [1, 1, 1, 1], 0, 9)
    with pytest.raises(ValueError, match="votes of"):
        tally(NAMES, [1, -1, 1, 1], 3, 9)


def _reference(names: list[str], votes: list[int], seats: int, present: int) -> Tally:
    """A second, deliberately naive reading of E5/E6 to compare against."""
    qualifying = [(n, v) for n, v in zip(names, votes, strict=True) if 2 * v > present]
    if len(qualifying) <= seats:
        qualifying.sort(key=lambda nv: -nv[1])
        won = tuple(n for n, _ in qualifying)
        return Tally("elected" if len(won) == seats else "shortfall", won, (), seats - len(won))
    values = sorted((v for _, v in qualifying), reverse=True)
    cut = values[seats - 1]
    if values[seats] != cut:
        ordered = sorted(qualifying, key=lambda nv: -nv[1])
        return Tally("elected", tuple(n for n, _ in ordered[:seats]), (), 0)
    above = sorted((nv for nv in qualifying if nv[1] > cut), key=lambda nv: -nv[1])
    tied = tuple(n for n, v in qualifying if v == cut)
    return Tally("tie", tuple(n for n, _ in above), tied, seats - len(above))


@st.composite
def rounds(draw: st.DrawFn) -> tuple[list[str], list[int], int, int]:
    present = draw(st.integers(0, 40))
    count = draw(st.integers(0, 8))
    names = [f"c{i}" for i in range(count)]
    votes = draw(st.lists(st.integers(0, present), min_size=count, max_size=count))
    seats = draw(st.integers(1, 6))
    return names, votes, seats, present


@given(rounds())
def test_tally_properties(case: tuple[list[str], list[int], int, int]) -> None:
    names, votes, seats, present = case
    result = tally(names, votes, seats, present)
    by_name = dict(zip(names, votes, strict=True))
    assert result == _reference(names, votes, seats, present)
    assert len(result.elected) <= seats
    assert result.remaining == seats - len(result.elected)
    assert all(has_majority(by_name[n], present) for n in (*result.elected, *result.tied))
    assert not set(result.elected) & set(result.tied)
    if result.outcome == "elected":
        assert len(result.elected) == seats and not result.tied
    if result.outcome == "tie":
        assert len(result.tied) > result.remaining > 0
        assert len({by_name[n] for n in result.tied}) == 1
        assert all(by_name[e] > by_name[result.tied[0]] for e in result.elected)
    if result.outcome == "shortfall":
        qualifying = {n for n, v in by_name.items() if has_majority(v, present)}
        assert set(result.elected) == qualifying and len(qualifying) < seats
    losers = set(names) - set(result.elected) - set(result.tied)
    if result.elected and losers:
        assert max(by_name[n] for n in losers) <= min(by_name[n] for n in result.elected)


# -- E9 trust vote: MORE THAN the threshold of valid trust ballots -----------------------------


def test_trust_vote_threshold_is_strict() -> None:
    assert trusted(["李红", "王强"], [51, 50], 100) == ["李红"]
    assert trusted(["李红", "王强"], [51, 50], 100, "1/2") == ["李红"]
    assert trusted(["李红"], [50], 99) == ["李红"]               # 50 > 49.5
    assert trusted(["李红", "王强"], [67, 66], 99, "2/3") == ["李红"]   # 66 is exactly 2/3
    assert trusted([], [], 0) == []
    assert trusted(["李红"], [0], 0) == []


def test_trust_vote_rejects_inconsistent_input() -> None:
    with pytest.raises(ValueError, match="2 nominees but 1"):
        trusted(["李红", "王强"], [51], 100)
    with pytest.raises(ValueError, match="101 trust votes"):
        trusted(["李红"], [101], 100)


# -- name lists ------------------------------------------------------------------------------


def test_same_names_ignores_order_but_not_repeats() -> None:
    assert same_names(["李红", "王强"], ["王强", "李红"])
    assert not same_names(["李红", "李红"], ["李红", "王强"])
    assert not same_names(["李红"], ["李红", "王强"])
    assert same_names([], [])


def test_distinct() -> None:
    assert distinct(["李红", "王强"])
    assert not distinct(["李红", "李红"])
    assert distinct([])


# -- as CEL helpers --------------------------------------------------------------------------


def _cel(expr: str, **values: object) -> object:
    return cel.compile(expr).execute({**values, **FUNCTIONS})


def test_helpers_are_callable_from_conditions() -> None:
    names, votes = NAMES, [9, 8, 5, 5]
    assert _cel('tally_outcome(n, v, 3, 9, "1/2") == "tie"', n=names, v=votes) is True
    assert _cel('tally_elected(n, v, 3, 9, "1/2") == ["李红", "王强"]', n=names, v=votes) is True
    assert _cel('same_names(tally_tied(n, v, 3, 9, "1/2"), ["赵敏", "张伟"])',
                n=names, v=votes) is True
    assert _cel('slate_surplus_ok(size(c), 3, "1/5")', c=names) is True
    assert _cel('slate_surplus_ok(size(c), 3, "1/5")', c=names[:3]) is False
    assert _cel('size(trusted(n, [51, 50, 0, 0], 100, "1/2")) == 1', n=names) is True
    assert _cel("votes_consistent([4, 3, 1], [3, 3, 4, 2, 0], 3)") is True
    assert _cel("valid_ballot_count([3, 3, 4, 2, 0], 3) == 4") is True
    assert _cel("distinct(c) && !distinct(c + c)", c=names) is True
    assert tally_outcome(names, votes, 3, 9) == "tie"
    assert tally_elected(names, votes, 3, 9) == ["李红", "王强"]
    assert tally_tied(names, votes, 3, 9) == ["张伟", "赵敏"]
    assert tally_tied(names, [9, 8, 7, 5], 3, 9) == []

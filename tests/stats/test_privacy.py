"""Anonymity threshold: worked cases and property tests of what suppression guarantees."""

import json

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from assessment.stats.privacy import (
    SUPPRESSED,
    is_reportable,
    is_suppressed,
    suppress_counts,
    suppress_groups,
    suppress_table,
    suppressed_cell,
    suppression_reasons,
)

group_counts = st.dictionaries(
    st.text(alphabet="abcdefgh", min_size=1, max_size=3),
    st.integers(min_value=0, max_value=40),
    max_size=8,
)
thresholds = st.integers(min_value=2, max_value=10)


@pytest.mark.parametrize(("n", "reportable"), [(0, False), (4, False), (5, True), (120, True)])
def test_is_reportable(n, reportable):
    assert is_reportable(n, 5) is reportable


def test_is_reportable_default_threshold_is_five():
    assert not is_reportable(4)
    assert is_reportable(5)


def test_nothing_hidden_when_every_group_is_large_enough():
    assert suppress_groups({"staff": 40, "managers": 12, "senior leaders": 5}, 5) == set()


def test_a_single_small_group_takes_the_next_smallest_with_it():
    # Hiding only the 2 senior leaders would not help: 52 - 40 - 10 = 2 gives them away.
    counts = {"staff": 40, "managers": 10, "senior leaders": 2}
    assert suppress_groups(counts, 5) == {"senior leaders", "managers"}


def test_small_groups_that_together_reach_the_threshold_are_enough():
    counts = {"staff": 40, "managers": 3, "senior leaders": 3}
    assert suppress_groups(counts, 5) == {"managers", "senior leaders"}


def test_one_complementary_group_is_enough():
    # a, b, c, d are all below 7 (total 13 >= 7, so no more); in the second case 1 + 1 = 2
    # is not enough, and the smallest visible group (8) makes it 10.
    assert suppress_groups({"a": 1, "b": 1, "c": 5, "d": 6, "e": 30}, 7) == {"a", "b", "c", "d"}
    assert suppress_groups({"a": 1, "b": 1, "c": 8, "d": 9, "e": 30}, 7) == {"a", "b", "c"}


def test_ties_are_broken_by_label():
    counts = {"zeta": 8, "alpha": 8, "tiny": 1}
    assert suppress_groups(counts, 5) == {"tiny", "alpha"}


def test_empty_groups_are_never_hidden():
    counts = {"staff": 40, "managers": 0, "senior leaders": 2, "board": 9}
    assert suppress_groups(counts, 5) == {"senior leaders", "board"}


def test_everything_hidden_when_the_total_is_too_small():
    counts = {"a": 1, "b": 2}
    assert suppress_groups(counts, 5) == {"a", "b"}
    assert not is_reportable(sum(counts.values()), 5)


@pytest.mark.parametrize(("counts", "threshold"), [({"a": -1}, 5), ({"a": 3}, 0)])
def test_invalid_input_is_rejected(counts, threshold):
    with pytest.raises(ValueError):
        suppress_groups(counts, threshold)


def test_suppress_counts_replaces_hidden_groups_with_the_marker():
    shown = suppress_counts({"staff": 40, "managers": 10, "senior leaders": 2}, 5)
    assert all(is_suppressed(shown[k]) for k in ("managers", "senior leaders"))
    assert json.loads(json.dumps(shown)) == {
        "staff": 40,
        "managers": {"suppressed": True, "reason": "protects_smaller_group"},
        "senior leaders": {"suppressed": True, "reason": "below_threshold"},
    }
    assert SUPPRESSED == {"suppressed": True}


def test_marker():
    assert is_suppressed(suppressed_cell())
    assert suppressed_cell() == {"suppressed": True}
    assert not is_suppressed(3)
    assert not is_suppressed({"yes": 1})
    assert not is_suppressed(None)


def test_suppress_table_hides_whole_rows():
    rows = {
        "senior leaders": {"yes": 1, "no": 2},
        "managers": {"yes": 3, "no": 4},
        "staff": {"yes": 20, "no": 15},
    }
    # Senior leaders (3) are below 5; alone they would be exposed by column totals
    # minus the other rows, so managers (7) are hidden too: 3 + 7 = 10.
    assert suppress_table(rows, 5) == {
        "senior leaders": {"suppressed": True, "reason": "below_threshold"},
        "managers": {"suppressed": True, "reason": "protects_smaller_group"},
        "staff": {"yes": 20, "no": 15},
    }


def test_suppress_table_with_respondent_totals_for_multiple_choice():
    # Four respondents ticked 7 boxes between them: the row size is 4, not 7.
    rows = {"finance": {"surveys": 4, "reviews": 3}, "sales": {"surveys": 9, "reviews": 8}}
    totals = {"finance": 4, "sales": 12}
    shown = suppress_table(rows, 5, totals=totals)
    assert is_suppressed(shown["finance"])
    assert is_suppressed(shown["sales"])
    assert suppress_table(rows, 5) == {"finance": dict(rows["finance"]), "sales": rows["sales"]}
    with pytest.raises(ValueError):
        suppress_table(rows, 5, totals={"finance": 4})


@settings(database=None, max_examples=300)
@given(group_counts, thresholds)
def test_no_visible_group_is_below_the_threshold(counts, threshold):
    hidden = suppress_groups(counts, threshold)
    assert all(n == 0 or n >= threshold for label, n in counts.items() if label not in hidden)


@settings(database=None, max_examples=300)
@given(group_counts, thresholds)
def test_hidden_total_is_zero_or_at_least_the_threshold(counts, threshold):
    hidden = suppress_groups(counts, threshold)
    hidden_total = sum(counts[label] for label in hidden)
    everything_hidden = all(label in hidden for label, n in counts.items() if n > 0)
    # The one exception: the grand total itself is below the threshold, every group is
    # hidden, and the total is not reportable either.
    if not everything_hidden:
        assert hidden_total == 0 or hidden_total >= threshold
    else:
        assert hidden_total >= threshold or not is_reportable(sum(counts.values()), threshold)


@settings(database=None, max_examples=300)
@given(group_counts, thresholds)
def test_nothing_is_hidden_without_a_small_group(counts, threshold):
    hidden = suppress_groups(counts, threshold)
    if all(n == 0 or n >= threshold for n in counts.values()):
        assert hidden == set()
    assert all(counts[label] > 0 for label in hidden)


@settings(database=None, max_examples=200)
@given(
    st.dictionaries(
        st.sampled_from(["senior leaders", "managers", "staff", "board", "interns"]),
        st.dictionaries(st.sampled_from(["yes", "partly", "no"]), st.integers(0, 12)),
    ),
    thresholds,
)
def test_suppress_table_properties(rows, threshold):
    shown = suppress_table(rows, threshold)
    assert shown.keys() == rows.keys()
    sizes = {label: sum(cells.values()) for label, cells in rows.items()}
    hidden = {label for label, cells in shown.items() if is_suppressed(cells)}
    for label, cells in shown.items():
        if label not in hidden:
            assert cells == rows[label]
            assert sizes[label] == 0 or sizes[label] >= threshold
    hidden_total = sum(sizes[label] for label in hidden)
    if hidden_total and hidden_total < threshold:
        assert not is_reportable(sum(sizes.values()), threshold)


def test_unshown_group_counts_for_complementary_suppression():
    # 4 respondents did not answer the breakdown's question: they are never shown, but
    # total - staff - managers would describe them, so the smaller shown group goes too.
    counts = {"staff": 30, "managers": 6, "": 4}
    assert suppression_reasons(counts, 5, unshown={""}) == {
        "managers": "protects_smaller_group"}
    # Enough of them (5) protect themselves; none at all need no protection.
    assert suppression_reasons({"staff": 30, "managers": 6, "": 5}, 5, unshown={""}) == {}
    assert suppression_reasons({"staff": 30, "managers": 6, "": 0}, 5, unshown={""}) == {}
    # A small shown group and the unshown ones together reach the threshold.
    assert suppression_reasons({"staff": 30, "managers": 2, "": 3}, 5, unshown={""}) == {
        "managers": "below_threshold"}


@settings(database=None, max_examples=300)
@given(group_counts, thresholds, st.integers(min_value=0, max_value=12))
def test_shown_groups_never_isolate_the_rest(counts, threshold, unshown):
    counts = {k: v for k, v in counts.items() if k} | {"": unshown}
    reasons = suppression_reasons(counts, threshold, unshown={""})
    assert "" not in reasons
    shown = [k for k in counts if k and k not in reasons and counts[k] > 0]
    assert all(counts[k] >= threshold for k in shown)
    rest = sum(counts.values()) - sum(counts[k] for k in shown)
    if sum(counts.values()) >= threshold and shown:
        assert rest == 0 or rest >= threshold
    assert all(counts[k] < threshold for k, r in reasons.items() if r == "below_threshold")
    assert all(counts[k] >= threshold for k, r in reasons.items()
               if r == "protects_smaller_group")

"""Diagnostic accuracy from counts and GRIM for proportions (stats.diagnostic), against R's caret."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from nenaudit.exceptions import NenauditError
from nenaudit.stats.diagnostic import accuracy_measures, feasible_confusions, proportion_grim


@pytest.mark.parity
@pytest.mark.parametrize("cells", [(15, 3, 1, 21), (40, 10, 12, 60), (7, 0, 2, 30)])
def test_accuracy_measures_match_caret(R, cells):
    R.source("summary_tests.R")
    r = R.to_py(R.call("ref_accuracy", *cells))
    py = accuracy_measures(*cells)
    for k in ("sensitivity", "specificity", "ppv", "npv", "accuracy"):
        assert getattr(py, k) == pytest.approx(r[k], rel=1e-14), k  # the same ratio of integers


def test_proportion_grim_hand_worked():
    # 93.8% of 16 positives is 15/16 = 93.75%; of 25 negatives, 87.5% is no k/25 (84%, 88%)
    assert proportion_grim(93.8, 1, 16) == (15,)
    assert proportion_grim(87.5, 1, 25) == ()
    assert proportion_grim(87.5, 1, 24) == (21,)
    assert proportion_grim(0.875, 3, 8, scale=1.0) == (7,)


@settings(max_examples=100, deadline=None)
@given(n=st.integers(1, 300), data=st.data())
def test_every_printed_proportion_of_k_over_n_is_found(n, data):
    k = data.draw(st.integers(0, n))
    decimals = data.draw(st.integers(0, 2))
    printed = round(100 * k / n, decimals)
    assert k in proportion_grim(printed, decimals, n)


def test_feasible_confusions_jointly():
    printed = {"sensitivity": (93.8, 1), "specificity": (87.5, 1)}
    sols = feasible_confusions(printed, n_pos=16, n_neg=24)
    assert sols == [{"tp": 15, "fn": 1, "tn": 21, "fp": 3}]
    assert feasible_confusions(printed, n_pos=16, n_neg=25) == []
    # with only the total, every split is tried: 16 + 24 = 40 is one of them
    assert {"tp": 15, "fn": 1, "tn": 21, "fp": 3} in feasible_confusions(printed, n_total=40)
    with pytest.raises(NenauditError):
        feasible_confusions(printed)

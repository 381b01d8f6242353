"""GRIM and CI-implied p-values (stats/consistency.py)."""

from __future__ import annotations

import math

from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import stats

from nenaudit.stats.consistency import grim, implied_p_from_ratio_ci


def test_grim_worked_example_brown_heathers():
    # Brown & Heathers (2017), doi:10.1177/1948550616673876, introduce GRIM with a mean of
    # 5.19 from 28 integer responses: 145/28 = 5.179 and 146/28 = 5.214, so 5.19 is impossible.
    assert not grim(5.19, 2, 28).consistent
    assert grim(5.18, 2, 28).consistent


@settings(max_examples=200, deadline=None)
@given(n=st.integers(1, 500), total=st.integers(0, 50_000), decimals=st.integers(0, 3))
def test_grim_accepts_every_true_mean(n, total, decimals):
    mean = round(total / n, decimals)
    assert grim(mean, decimals, n).consistent


@settings(max_examples=200, deadline=None)
@given(log_or=st.floats(-3, 3), se=st.floats(0.05, 2))
def test_implied_p_round_trips_a_wald_ci(log_or, se):
    z = stats.norm.ppf(0.975)
    est, lo, hi = math.exp(log_or), math.exp(log_or - z * se), math.exp(log_or + z * se)
    res = implied_p_from_ratio_ci(est, lo, hi)
    assert math.isclose(res.se_log, se, rel_tol=1e-9)  # exact algebra up to float rounding
    assert math.isclose(res.p_symmetric, 2 * stats.norm.sf(abs(log_or) / se), rel_tol=1e-7, abs_tol=1e-300)
    assert math.isclose(res.log_asymmetry, 1.0, rel_tol=1e-6) or log_or == 0

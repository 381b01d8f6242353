"""AUC, its SE and CI, DeLong's test and Youden's threshold (stats/discrimination.py).

Reference values come from pROC and base R (reference_r/discrimination.R) run through rpy2.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import stats

from nenaudit.exceptions import NenauditError
from nenaudit.stats.discrimination import (
    auc_ci_from_se,
    binormal_delong_se,
    binormal_placement_variance,
    hanley_mcneil_se,
)

# ---------------------------------------------------------------------------------------
# Summary-statistic functions
# ---------------------------------------------------------------------------------------

SUMMARY_CASES = [(0.5, 10, 10), (0.62, 31, 100), (0.8, 50, 70), (0.893, 51, 58), (0.97, 12, 300), (0.3, 40, 40)]


@pytest.mark.parity
@pytest.mark.parametrize("auc,m,n", SUMMARY_CASES)
def test_hanley_mcneil_matches_r(R, auc, m, n):
    R.source("discrimination.R")
    ref = R.to_py(R.call("disc_hanley_mcneil_se", auc, m, n))
    # closed form evaluated in the same order of operations: double-precision agreement
    assert hanley_mcneil_se(auc, m, n) == pytest.approx(ref, rel=1e-13)


@pytest.mark.parity
@pytest.mark.parametrize("auc,m,n", [(0.7, 30, 40), (0.9, 25, 60)])
def test_hanley_mcneil_is_the_exact_variance_under_exponential_scores(R, auc, m, n):
    # Under negative-exponential scores Hanley & McNeil's Q1, Q2 are exact, so their formula is
    # the exact variance of the Mann-Whitney AUC; R simulates 4000 data sets (base R ranks).
    R.source("discrimination.R")
    sim = R.to_py(R.call("disc_hm_exponential_sim", auc, m, n, reps=4000, seed=11))
    # Monte Carlo error only: 4 MC standard errors of the simulated variance (computed in R)
    assert abs(hanley_mcneil_se(auc, m, n) ** 2 - sim["var"]) < 4 * sim["mc_se_var"]


@pytest.mark.parity
@pytest.mark.parametrize("auc,m,n", SUMMARY_CASES)
def test_binormal_delong_se_matches_r_integrate(R, auc, m, n):
    R.source("discrimination.R")
    ref = R.to_py(R.call("disc_binormal_delong_se", auc, m, n))
    # same integrand, both QUADPACK with rel.tol 1e-12; 1e-9 allows for different subdivision
    assert binormal_delong_se(auc, m, n) == pytest.approx(ref, rel=1e-9)


@pytest.mark.parity
@pytest.mark.parametrize("auc,m,n", [(0.75, 400, 600), (0.9, 300, 300)])
def test_binormal_delong_se_is_what_proc_delong_gives_on_binormal_data(R, auc, m, n):
    # mean of pROC::var(roc, method = "delong") over 300 simulated binormal data sets
    R.source("discrimination.R")
    sim = R.to_py(R.call("disc_binormal_delong_sim", auc, m, n, reps=300, seed=5))
    # Monte Carlo error (4 MC SEs of the mean, computed in R) plus the O(1/(m n)) small-sample
    # bias of DeLong's estimator, bounded generously by 1/(m n)
    assert abs(binormal_delong_se(auc, m, n) ** 2 - sim["mean_var"]) < 4 * sim["mc_se"] + 1 / (m * n)


@pytest.mark.parity
@pytest.mark.parametrize("auc,se,level", [(0.8, 0.05, 0.95), (0.97, 0.02, 0.95), (0.03, 0.03, 0.9), (0.6, 0.1, 0.99)])
def test_auc_ci_from_se_matches_proc_wald_step(R, auc, se, level):
    R.source("discrimination.R")
    ref = R.to_py(R.call("disc_wald_ci", auc, se, level))
    # qnorm vs scipy's ndtri agree to ~1 ulp; the bounds are auc +- z se
    np.testing.assert_allclose(auc_ci_from_se(auc, se, level), ref, rtol=1e-12, atol=1e-15)


@settings(max_examples=100, deadline=None)
@given(auc=st.floats(0.01, 0.99))
def test_placement_variance_equals_bivariate_normal_identity(auc):
    # E[Phi(Z+d)^2] = P(U1 < Z + d, U2 < Z + d) = Phi2(q, q; rho = 1/2), q = qnorm(auc)
    q = stats.norm.ppf(auc)
    mvn = stats.multivariate_normal([0.0, 0.0], [[1.0, 0.5], [0.5, 1.0]])
    closed = mvn.cdf([q, q]) - auc * auc
    # scipy's bivariate normal CDF is accurate to ~1e-8 absolute (Genz's algorithm)
    assert binormal_placement_variance(auc) == pytest.approx(closed, abs=1e-7)


@settings(max_examples=100, deadline=None)
@given(auc=st.floats(0.0, 1.0), m=st.integers(1, 500), n=st.integers(1, 500))
def test_summary_se_symmetric_under_class_swap(auc, m, n):
    # swapping cases and controls and reversing the score turns A into 1 - A
    assert binormal_delong_se(auc, m, n) == pytest.approx(binormal_delong_se(1 - auc, n, m), rel=1e-7, abs=1e-12)
    assert hanley_mcneil_se(auc, m, n) >= 0


@settings(max_examples=100, deadline=None)
@given(auc=st.floats(0.0, 1.0), se=st.floats(0.0, 0.5), level=st.floats(0.5, 0.999))
def test_wald_ci_contains_auc_and_stays_in_unit_interval(auc, se, level):
    lo, hi = auc_ci_from_se(auc, se, level)
    assert 0.0 <= lo <= auc <= hi <= 1.0


def test_hanley_mcneil_at_chance_reduces_to_mann_whitney_null_variance():
    # At A = 1/2 with continuous scores the null variance of the Mann-Whitney AUC is
    # (m + n + 1) / (12 m n) (Mann & Whitney 1947, doi:10.1214/aoms/1177730491); Hanley-McNeil's
    # Q1 = 1/3, Q2 = 1/3 are exact there.
    m, n = 17, 23
    assert hanley_mcneil_se(0.5, m, n) ** 2 == pytest.approx((m + n + 1) / (12 * m * n), rel=1e-13)


@pytest.mark.parametrize("call", [lambda: hanley_mcneil_se(80, 10, 10), lambda: hanley_mcneil_se(0.8, 0, 10),
                                  lambda: binormal_delong_se(0.8, 10, 2.5), lambda: auc_ci_from_se(0.8, -1),
                                  lambda: auc_ci_from_se(0.8, 0.1, level=95)])
def test_summary_functions_refuse_bad_input(call):
    with pytest.raises(NenauditError) as ei:
        call()
    assert "\n" not in str(ei.value)


def test_endpoints_give_zero_se():
    assert binormal_delong_se(1.0, 10, 10) == 0.0
    assert hanley_mcneil_se(1.0, 10, 10) == 0.0
    assert math.isfinite(binormal_delong_se(0.999999, 10, 10))

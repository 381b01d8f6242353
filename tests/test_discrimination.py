"""AUC, its SE and CI, DeLong's test and Youden's threshold (stats/discrimination.py).

Reference values come from pROC and base R (reference_r/discrimination.R) run through rpy2.
"""

from __future__ import annotations

import json
import math
import warnings

import numpy as np
import pandas as pd
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
from nenaudit.strategies import scored_outcomes

# ---------------------------------------------------------------------------------------
# Summary-statistic functions
# ---------------------------------------------------------------------------------------

SUMMARY_CASES = [
    (0.5, 10, 10),
    (0.62, 31, 100),
    (0.8, 50, 70),
    (0.893, 51, 58),
    (0.97, 12, 300),
    (0.3, 40, 40),
]


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
    assert abs(binormal_delong_se(auc, m, n) ** 2 - sim["mean_var"]) < 4 * sim["mc_se"] + 1 / (
        m * n
    )


@pytest.mark.parity
@pytest.mark.parametrize(
    "auc,se,level", [(0.8, 0.05, 0.95), (0.97, 0.02, 0.95), (0.03, 0.03, 0.9), (0.6, 0.1, 0.99)]
)
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
@given(auc=st.floats(0.5, 1.0), m=st.integers(1, 500), n=st.integers(1, 500))
def test_summary_se_symmetric_under_class_swap(auc, m, n):
    # swapping cases and controls and reversing the score turns A into 1 - A. A is drawn from [1/2, 1]
    # so that 1 - A is exact (Sterbenz's lemma) and both sides see the same AUC: with A = 7e-15 drawn
    # from [0, 1], 1 - (1 - A) is A to only two digits and the two SEs differ by 0.5%
    assert binormal_delong_se(auc, m, n) == pytest.approx(
        binormal_delong_se(1 - auc, n, m), rel=1e-7, abs=1e-12
    )
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


@pytest.mark.parametrize(
    "call",
    [
        lambda: hanley_mcneil_se(80, 10, 10),
        lambda: hanley_mcneil_se(0.8, 0, 10),
        lambda: binormal_delong_se(0.8, 10, 2.5),
        lambda: auc_ci_from_se(0.8, -1),
        lambda: auc_ci_from_se(0.8, 0.1, level=95),
    ],
)
def test_summary_functions_refuse_bad_input(call):
    with pytest.raises(NenauditError) as ei:
        call()
    assert "\n" not in str(ei.value)


def test_endpoints_give_zero_se():
    assert binormal_delong_se(1.0, 10, 10) == 0.0
    assert hanley_mcneil_se(1.0, 10, 10) == 0.0
    assert math.isfinite(binormal_delong_se(0.999999, 10, 10))


# ---------------------------------------------------------------------------------------
# Full-data functions against pROC
# ---------------------------------------------------------------------------------------

from nenaudit.exceptions import StatisticalWarning  # noqa: E402
from nenaudit.stats.discrimination import (  # noqa: E402
    MAX_BOOT,
    bootstrap_aucs,
    bootstrap_indices,
    ci_auc,
    delong_placements,
    delong_test,
    iter_bootstrap_indices,
    roc_auc,
    youden,
)


def _data(kind: str):
    """Small synthetic data sets with the features that matter: ties, direction, imbalance."""
    rng = np.random.default_rng(sum(map(ord, kind)))
    if kind == "ties":
        y = rng.integers(0, 2, 80)
        s = np.round(rng.normal(size=80) + 0.9 * y, 1)
    elif kind == "reversed":  # controls score higher: pROC picks ">"
        y = rng.integers(0, 2, 70)
        s = rng.normal(size=70) - 0.8 * y
    elif kind == "ordinal":  # 1-5 rating scale, heavy ties
        y = rng.integers(0, 2, 120)
        s = np.clip(np.round(3 + rng.normal(size=120) + y), 1, 5)
    elif kind == "large":
        y = rng.integers(0, 2, 3000)
        s = rng.normal(size=3000) + 0.5 * y
    elif kind == "imbalanced":
        y = np.r_[np.ones(6, int), np.zeros(150, int)]
        s = rng.normal(size=156) + 1.2 * y
    elif kind == "separated":
        y = np.r_[np.ones(10, int), np.zeros(12, int)]
        s = np.r_[rng.normal(5, 1, 10), rng.normal(0, 1, 12)]
    elif kind == "near_ties":  # adjacent doubles: pROC's midpoint-rounding fix-up
        y = np.array([0, 1, 0, 1, 0, 1, 1, 0])
        s = np.array([1.0, np.nextafter(1.0, 2), 2.0, 3.0, 0.5, np.nextafter(2.0, 3), 0.7, 2.5])
    else:
        raise KeyError(kind)
    return y, s


KINDS = ["ties", "reversed", "ordinal", "large", "imbalanced", "separated", "near_ties"]


@pytest.mark.parity
@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("direction", ["auto", "<", ">"])
def test_auc_delong_and_ci_match_proc(R, kind, direction):
    R.source("discrimination.R")
    y, s = _data(kind)
    ref = R.to_py(R.call("disc_roc", R.ivec(y), R.fvec(s), direction=direction))
    res = roc_auc(y, s, direction)
    assert res.direction == ref["direction"]
    # both are exact rank sums divided by m n: agreement to a few ulps
    assert res.auc == pytest.approx(ref["auc"], rel=1e-12)
    pl = delong_placements(y, s, direction)
    # placements are midrank differences / group size; variance sums m + n squared deviations
    np.testing.assert_allclose(pl.case_placements, ref["case_placements"], rtol=1e-12, atol=1e-15)
    np.testing.assert_allclose(
        pl.control_placements, ref["control_placements"], rtol=1e-12, atol=1e-15
    )
    assert pl.variance == pytest.approx(ref["var"], rel=1e-10, abs=1e-16)
    ci = ci_auc(y, s, direction=direction)
    # Wald bounds auc -/+ z sqrt(var): the 1e-10 relative error of var halves under sqrt
    np.testing.assert_allclose([ci.lower, ci.auc, ci.upper], ref["ci"], rtol=1e-10, atol=1e-14)


@pytest.mark.parity
@pytest.mark.parametrize(
    "kind,stratified,n_boot",
    [
        ("ties", True, 2000),
        ("reversed", True, 500),
        ("ordinal", False, 500),
        ("imbalanced", False, 400),
        ("separated", True, 300),
    ],
)
def test_bootstrap_ci_matches_r_on_the_same_resamples(R, kind, stratified, n_boot):
    R.source("discrimination.R")
    y, s = _data(kind)
    idx = bootstrap_indices(y, n_boot, seed=20240601, stratified=stratified)
    d = roc_auc(y, s).direction
    ref = R.to_py(R.call("disc_boot_ci", R.ivec(y), R.fvec(s), R.matrix(idx + 1), d))
    with WarningsAllowed():
        res = ci_auc(y, s, "bootstrap", indices=idx, stratified=stratified)
    r_aucs = np.array([np.nan if v is None else v for v in ref["aucs"]])
    # every resampled AUC is an exact weighted rank sum on both sides: ulp-level agreement
    np.testing.assert_allclose(
        bootstrap_aucs(y, s, idx, d), r_aucs, rtol=1e-12, atol=1e-15, equal_nan=True
    )
    assert res.n_boot_dropped == ref["n_dropped"]
    # type-7 quantiles interpolate between the same order statistics
    np.testing.assert_allclose([res.lower, res.median, res.upper], ref["ci"], rtol=1e-12)
    assert res.se == pytest.approx(ref["sd"], rel=1e-10)  # sum of squares over n_boot values


class WarningsAllowed:
    """Context manager that lets StatisticalWarning through silently (dropped resamples)."""

    def __enter__(self):
        import warnings

        self._cm = warnings.catch_warnings()
        self._cm.__enter__()
        warnings.simplefilter("ignore", StatisticalWarning)

    def __exit__(self, *exc):
        return self._cm.__exit__(*exc)


def test_nonstratified_bootstrap_warns_when_a_resample_lacks_a_class():
    y = np.r_[1, np.zeros(9, int)]
    s = np.arange(10.0)
    with pytest.warns(StatisticalWarning, match="dropped"):
        res = ci_auc(y, s, "bootstrap", n_boot=200, seed=3, stratified=False)
    assert res.n_boot_dropped > 0 and res.n_boot + res.n_boot_dropped == 200


@pytest.mark.parity
@pytest.mark.parametrize("kind", ["ties", "ordinal", "large", "imbalanced", "reversed"])
@pytest.mark.parametrize("alternative", ["two.sided", "less", "greater"])
def test_delong_paired_test_matches_proc_roc_test(R, kind, alternative):
    R.source("discrimination.R")
    y, s1 = _data(kind)
    rng = np.random.default_rng(7)
    s2 = np.round(s1 + rng.normal(0, 1.2, s1.size), 1)
    ref = R.to_py(
        R.call("disc_roc_test", R.ivec(y), R.fvec(s1), R.fvec(s2), alternative=alternative)
    )
    with WarningsAllowed():
        res = delong_test(y, s1, s2, alternative=alternative)
    assert [res.direction1, res.direction2] == ref["directions"]
    # AUCs are rank sums (ulp agreement); z divides by a square root of a sum of covariances
    np.testing.assert_allclose([res.auc1, res.auc2], ref["auc"], rtol=1e-12)
    assert res.z == pytest.approx(ref["z"], rel=1e-9)
    assert res.p_value == pytest.approx(ref["p"], rel=1e-8, abs=1e-300)  # normal tail of that z
    np.testing.assert_allclose([res.ci_lower, res.ci_upper], ref["ci"], rtol=1e-9, atol=1e-14)


@pytest.mark.parity
@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("direction", ["auto", "<", ">"])
def test_youden_matches_proc_coords_best(R, kind, direction):
    R.source("discrimination.R")
    y, s = _data(kind)
    ref = R.to_py(R.call("disc_youden", R.ivec(y), R.fvec(s), direction=direction))
    res = youden(y, s, direction)
    as_list = lambda v: v if isinstance(v, list) else [v]  # noqa: E731
    # thresholds are the same midpoints computed the same way: exact equality, all tied rows
    assert list(res.all_thresholds) == as_list(ref["threshold"])
    assert res.threshold == as_list(ref["threshold"])[0]
    # counts / group sizes: exact; PPV/NPV re-derive counts from se * n, so allow a few ulps
    assert res.sensitivity == as_list(ref["sensitivity"])[0]
    assert res.specificity == as_list(ref["specificity"])[0]
    assert res.youden_j + 1 == pytest.approx(as_list(ref["youden"])[0], rel=1e-15)
    for mine, theirs in ((res.ppv, as_list(ref["ppv"])[0]), (res.npv, as_list(ref["npv"])[0])):
        if theirs is None or (isinstance(theirs, float) and math.isnan(theirs)):
            assert math.isnan(mine)
        else:
            assert mine == pytest.approx(theirs, rel=1e-12)


# ---------------------------------------------------------------------------------------
# Properties
# ---------------------------------------------------------------------------------------


def labelled_scores(ties: bool = True):
    """Outcome/score pairs (nenaudit.strategies.scored_outcomes): up to 11 distinct scores (ties), or continuous."""
    return scored_outcomes(n=(4, 60), distinct=(1, 11) if ties else None)


def _brute_auc(y, s):
    cases, controls = s[y == 1], s[y == 0]
    diff = cases[:, None] - controls[None, :]
    return float(((diff > 0) + 0.5 * (diff == 0)).mean())


@settings(max_examples=150, deadline=None)
@given(data=labelled_scores(), ties=st.booleans())
def test_auc_equals_pairwise_mann_whitney(data, ties):
    y, s = data
    # a pairwise count and a rank-based count of the same pairs: exact up to rounding of the mean
    assert roc_auc(y, s, "<").auc == pytest.approx(_brute_auc(y, s), abs=1e-12)
    assert roc_auc(y, s, "<").auc + roc_auc(y, s, ">").auc == pytest.approx(1.0, abs=1e-12)


@settings(max_examples=150, deadline=None)
@given(data=labelled_scores(ties=False), which=st.sampled_from(["exp", "cube", "affine", "arctan"]))
def test_auc_invariant_under_monotone_transforms(data, which):
    y, s = data
    z = s / 1e3
    f = {
        "exp": np.exp,
        "cube": lambda v: v**3 + v,
        "affine": lambda v: 3.5 * v - 2,
        "arctan": np.arctan,
    }[which]
    t = f(z)
    # only orders matter; a strictly increasing map keeps them unless it merges two doubles
    if np.unique(t).size != np.unique(z).size:
        return
    # pROC's "auto" compares medians; with an even group size the median averages two values,
    # which a non-linear map can reorder, so "auto" is invariant only when both sizes are odd
    odd = (y.sum() % 2 == 1) and ((y.size - y.sum()) % 2 == 1)
    for d in ("auto", "<", ">") if odd else ("<", ">"):
        a, b = roc_auc(y, z, d), roc_auc(y, t, d)
        assert a.auc == pytest.approx(b.auc, abs=1e-12) and a.direction == b.direction


@settings(max_examples=150, deadline=None)
@given(data=labelled_scores())
def test_swapping_classes_and_negating_score_keeps_auc(data):
    y, s = data
    for d in ("<", ">"):
        assert roc_auc(1 - y, -s, d).auc == pytest.approx(roc_auc(y, s, d).auc, abs=1e-12)
    assert delong_placements(1 - y, -s, "<").variance == pytest.approx(
        delong_placements(y, s, "<").variance, rel=1e-9, abs=1e-15
    )
    assert youden(1 - y, -s, "<").youden_j == pytest.approx(youden(y, s, "<").youden_j, abs=1e-12)


@settings(max_examples=80, deadline=None)
@given(data=labelled_scores(), level=st.floats(0.5, 0.99))
def test_ci_contains_auc(data, level):
    y, s = data
    ci = ci_auc(y, s, level=level)
    assert 0 <= ci.lower <= ci.auc <= ci.upper <= 1
    b = ci_auc(y, s, "bootstrap", level=level, n_boot=200, seed=1)
    assert 0 <= b.lower <= b.median <= b.upper <= 1


@settings(max_examples=80, deadline=None)
@given(data=labelled_scores())
def test_identity_resample_reproduces_auc(data):
    y, s = data
    d = roc_auc(y, s).direction
    assert bootstrap_aucs(y, s, np.arange(y.size)[None, :], d)[0] == pytest.approx(
        roc_auc(y, s).auc, abs=1e-12
    )


@settings(max_examples=80, deadline=None)
@given(data=labelled_scores(), seed=st.integers(0, 2**31))
def test_stratified_resamples_keep_class_sizes_and_seed_reproduces(data, seed):
    y, _ = data
    idx = bootstrap_indices(y, 20, seed=seed)
    assert (y[idx].sum(axis=1) == y.sum()).all()
    assert np.array_equal(idx, bootstrap_indices(y, 20, seed=seed))


@settings(max_examples=80, deadline=None)
@given(data=labelled_scores(), noise=st.lists(st.integers(-3, 3), min_size=60, max_size=60))
def test_delong_test_is_antisymmetric(data, noise):
    y, s1 = data
    s2 = s1 + np.array(noise[: s1.size], dtype=float)
    a = delong_test(y, s1, s2, direction1="<", direction2="<")
    b = delong_test(y, s2, s1, direction1="<", direction2="<")
    assert a.z == pytest.approx(-b.z, abs=1e-9) and a.p_value == pytest.approx(b.p_value, abs=1e-12)
    same = delong_test(y, s1, s1, direction1="<", direction2="<")
    assert same.z == 0 and same.p_value == 1


@settings(max_examples=100, deadline=None)
@given(data=labelled_scores())
def test_youden_is_the_best_cut(data):
    y, s = data
    res = youden(y, s, "<")
    cuts = np.r_[np.unique(s), np.inf]
    best = max(np.mean(s[y == 1] >= c) + np.mean(s[y == 0] < c) - 1 for c in cuts)
    assert res.youden_j == pytest.approx(best, abs=1e-12)
    assert res.sensitivity == pytest.approx(np.mean(s[y == 1] >= res.threshold), abs=1e-15)


@pytest.mark.parametrize(
    "call",
    [
        lambda: roc_auc([0, 1, 2], [1.0, 2.0, 3.0]),
        lambda: roc_auc([0, 0, 0], [1.0, 2.0, 3.0]),
        lambda: roc_auc([0, 1, 1], [1.0, np.nan, 3.0]),
        lambda: roc_auc([0, 1], [1.0]),
        lambda: roc_auc([0, 1], [1.0, 2.0], direction="up"),
        lambda: delong_placements([0, 1, 1], [1.0, 2.0, 3.0]),
        lambda: ci_auc([0, 1, 0, 1], [1.0, 2.0, 3.0, 4.0], "bootstrap"),
        lambda: ci_auc([0, 1, 0, 1], [1.0, 2.0, 3.0, 4.0], "wald"),
        lambda: ci_auc([0, 1, 0, 1], [1.0, 2.0, 3.0, 4.0], "bootstrap", indices=[[0, 0, 0, 9]]),
        lambda: ci_auc([0, 1, 0, 1], [1.0, 2.0, 3.0, 4.0], "bootstrap", indices=[[0, 0, 0, 1]]),
    ],
)
def test_full_data_functions_refuse_bad_input(call):
    with pytest.raises(NenauditError) as ei:
        call()
    assert "\n" not in str(ei.value)


def test_results_serialise():
    y, s = _data("ties")
    for res in (roc_auc(y, s), ci_auc(y, s), youden(y, s), delong_test(y, s, s**3 + s)):
        d = res.to_dict()
        assert isinstance(d, dict) and "direction" in str(d)


# ---------------------------------------------------------------------------------------
# Issue 10: pROC's warnings, tied Youden thresholds, chunked bootstrap
# ---------------------------------------------------------------------------------------


PERFECT = (np.array([0, 0, 0, 1, 1, 1]), np.array([1.0, 2.0, 3.0, 4.0, 5.0, 6.0]))


@pytest.mark.parity
@pytest.mark.parametrize("method", ["delong", "bootstrap"])
def test_perfect_curve_warns_as_proc_does(R, method):
    R.source("discrimination.R")
    y, s = PERFECT
    ref = R.to_py(R.call("disc_ci_warnings", R.ivec(y), R.fvec(s), method=method, boot_n=2000))
    warned = ref["warnings"] if isinstance(ref["warnings"], list) else [ref["warnings"]]
    assert any("always 1-1 and can be misleading" in w for w in warned)  # pROC's own words
    with pytest.warns(StatisticalWarning, match="always 1-1 and can be misleading"):
        ci = ci_auc(y, s, method, direction="<", n_boot=2000, seed=1)
    assert (ci.lower, ci.upper) == (1.0, 1.0) == tuple(ref["ci"][i] for i in (0, 2))


@pytest.mark.parity
def test_too_few_resamples_warn_where_proc_is_silent(R):
    # pROC prints a one-resample "CI" (a single point) without a word; nenaudit warns below 1000
    R.source("discrimination.R")
    y, s = _data("ties")
    ref = R.to_py(R.call("disc_ci_warnings", R.ivec(y), R.fvec(s), method="bootstrap", boot_n=1))
    assert ref["warnings"] in (None, [])
    assert ref["ci"][0] == ref["ci"][2]
    with pytest.warns(StatisticalWarning, match="only 1 bootstrap resample"):
        ci = ci_auc(y, s, "bootstrap", direction="<", n_boot=1, seed=1)
    assert ci.lower == ci.upper
    with warnings.catch_warnings():
        warnings.simplefilter("error", StatisticalWarning)
        ci_auc(y, s, "bootstrap", direction="<", n_boot=1000, seed=1)


@pytest.mark.parity
def test_auc_json_keeps_every_tied_youden_threshold_as_proc(R, tmp_path):
    from clirun import nenaudit

    # controls 1, 2, 5, 6 and cases 3, 4, 7, 8: cuts 2.5 (se 1, sp 0.5) and 6.5 (se 0.5, sp 1) tie at J = 0.5
    y = np.array([0, 0, 1, 1, 0, 0, 1, 1])
    s = np.array([1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0, 8.0])
    path = tmp_path / "ties.csv"
    pd.DataFrame({"y": y, "s": s}).to_csv(path, index=False)
    p = nenaudit("auc", path, "--outcome", "y", "--score", "s", "--json")
    assert p.returncode == 0, p.stderr
    ties = json.loads(p.stdout)["youden"]["ties"]
    R.source("discrimination.R")
    ref = R.to_py(R.call("disc_youden", R.ivec(y), R.fvec(s)))
    assert len(ref["threshold"]) == 2
    assert [t["threshold"] for t in ties] == ref["threshold"]
    assert [t["sensitivity"] for t in ties] == ref["sensitivity"]
    assert [t["specificity"] for t in ties] == ref["specificity"]
    np.testing.assert_allclose([t["ppv"] for t in ties], ref["ppv"], rtol=1e-12)
    np.testing.assert_allclose([t["npv"] for t in ties], ref["npv"], rtol=1e-12)
    text = nenaudit("auc", path, "--outcome", "y", "--score", "s").stdout
    assert "tied 1 of 2" in text and "tied 2 of 2" in text


@pytest.mark.parametrize("stratified", [True, False])
def test_bootstrap_chunks_give_identical_numbers(stratified):
    rng = np.random.default_rng(11)
    y = (rng.random(157) < 0.35).astype(int)
    s = np.round(rng.normal(size=157) + y, 1)
    full = bootstrap_indices(y, 301, 5, stratified)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", StatisticalWarning)
        ref = ci_auc(y, s, "bootstrap", indices=full, stratified=stratified)
        for chunk in (1, 7, 301, None):
            got = ci_auc(
                y, s, "bootstrap", n_boot=301, seed=5, stratified=stratified, chunk_size=chunk
            )
            assert (got.lower, got.median, got.upper, got.se, got.n_boot) == (
                ref.lower,
                ref.median,
                ref.upper,
                ref.se,
                ref.n_boot,
            )
    blocks = list(iter_bootstrap_indices(y, 301, 5, stratified, chunk_size=7))
    assert [b.shape[0] for b in blocks] == [7] * 43
    np.testing.assert_array_equal(np.concatenate(blocks), full)
    g1, g2 = (
        np.random.default_rng(8),
        np.random.default_rng(8),
    )  # a Generator ends in the same state
    bootstrap_indices(y, 20, g1, stratified)
    list(iter_bootstrap_indices(y, 20, g2, stratified, chunk_size=3))
    assert g1.integers(1 << 62) == g2.integers(1 << 62)


def test_bootstrap_memory_does_not_grow_with_resamples_times_n():
    import tracemalloc

    rng = np.random.default_rng(2)
    n = 20_000
    y = (rng.random(n) < 0.3).astype(int)
    s = rng.normal(size=n) + y

    def peak(n_boot: int) -> int:
        tracemalloc.start()
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", StatisticalWarning)
                ci_auc(y, s, "bootstrap", n_boot=n_boot, seed=1, chunk_size=5)
            return tracemalloc.get_traced_memory()[1]
        finally:
            tracemalloc.stop()

    small, large = peak(20), peak(400)
    whole = 400 * n * 8  # one resamples x n int64 index array, as before chunking: 64 MB
    assert large < 1.5 * small, (small, large)  # one chunk at a time: 20x the resamples, same peak
    assert large < whole / 4, f"peak {large / 1e6:.1f} MB"


def test_bootstrap_size_beyond_the_limit_is_refused():
    y, s = PERFECT
    with pytest.raises(NenauditError, match="exceeds the limit"):
        ci_auc(y, s, "bootstrap", n_boot=MAX_BOOT + 1, seed=1)

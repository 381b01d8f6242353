"""stats.icc against psych::ICC (reference_r/icc.R, run through rpy2), plus properties.

No expected number is typed in: every reference value is computed by R's psych::ICC
(lmer = FALSE) inside the test, on data generated here with seeded numpy Generators.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from nenaudit.exceptions import NenauditError
from nenaudit.stats.icc import ICC_FORMS, icc, icc_batch, icc_two_readings

STATS = ("icc", "F", "df1", "df2", "p", "lower", "upper")

# The acceptance contract is 1e-6. Both sides evaluate the same closed forms from
# the same mean squares; what differs is rounding: psych gets the sums of squares from
# aov()'s QR decomposition, we from centred sums, and scipy's F quantiles/tails (Boost)
# replace R's qf/pf. Observed at most ~6e-11 relative (the offset-1e4 data set), so 1e-6
# relative leaves a wide margin without hiding a wrong formula (those differ at 1e-2).
RTOL = 1e-6
# ICC near 0 (and p near 0) make relative error meaningless; 1e-12 absolute is far below
# any reported digit and far above the observed ~1e-14 absolute differences there.
ATOL = 1e-12


def gen(
    seed,
    n,
    k,
    p,
    sd_subject=1.0,
    sd_error=0.5,
    sd_rater=0.3,
    ties=False,
    negative=False,
    offset=0.0,
):
    """Ratings (n, k, p): subject effect + rater effect + noise, optional ties/negative ICC."""
    rng = np.random.default_rng(seed)
    x = (
        rng.normal(0, sd_subject, size=(n, 1, p))
        + rng.normal(0, sd_rater, size=(1, k, p))
        + rng.normal(0, sd_error, size=(n, k, p))
        + offset
    )
    if negative:  # second reading mirrors the first: strongly negative ICCs
        x[:, 1, :] = -x[:, 0, :] + rng.normal(0, 0.2, size=(n, p))
    if ties:
        x = np.round(2 * x)
    return x


DATASETS = {
    "small_n5_k2": gen(1, 5, 2, 25),
    "k3": gen(2, 12, 3, 25),
    "k5": gen(3, 8, 5, 25),
    "ties_k2": gen(4, 15, 2, 25, ties=True),
    "ties_k4": gen(14, 10, 4, 25, ties=True, sd_error=0.7),
    "many_features": gen(5, 30, 2, 300),
    "near_zero_icc": gen(6, 20, 2, 25, sd_subject=0.0),
    "negative_icc": gen(7, 20, 2, 25, negative=True),
    "offset_1e4": gen(8, 20, 3, 25, offset=1e4),
    "strong_agreement": gen(9, 40, 2, 25, sd_error=0.01),
}


@pytest.fixture(scope="module")
def Ri(R):
    R.source("icc.R")
    return R


def r_batch(R, x, alpha=0.05):
    n, k, p = x.shape
    ref = R.to_py(R.call("icc_many", R.fvec(x.ravel(order="F")), n, k, p, alpha=alpha))
    out = {}
    for s in STATS:
        out[s] = np.array(
            [np.nan if v is None else v for v in np.atleast_1d(ref[s])], float
        ).reshape(p, 6)
    for s in ("ms_between", "ms_raters", "ms_error", "ms_within"):
        out[s] = np.array(np.atleast_1d(ref[s]), float)
    return out


def satterthwaite_v(b):
    """psych's df v of the ICC2 interval, from the (R-matching) mean squares of a batch."""
    n, k = b.n_subjects.astype(float), b.n_raters
    icc2, fj = b.icc[:, 1], b.ms_raters / b.ms_error
    c = n * (1 + (k - 1) * icc2) - k * icc2
    return (k - 1) * (n - 1) * (k * icc2 * fj + c) ** 2 / ((n - 1) * k**2 * icc2**2 * fj**2 + c**2)


def check_parity(R, b, ref):
    for s in ("ms_between", "ms_raters", "ms_error", "ms_within"):
        np.testing.assert_allclose(getattr(b, s), ref[s], rtol=RTOL, atol=ATOL, err_msg=s)
    for s in STATS:
        py, r = getattr(b, s), ref[s]
        ok = np.isfinite(r)
        np.testing.assert_allclose(py[ok], r[ok], rtol=RTOL, atol=ATOL, err_msg=s)
        if (~ok).any():
            # The only NaNs psych produces on these data: the ICC2/ICC2k lower bound when the
            # Satterthwaite df v is so small that R's qf(.975, n - 1, v) overflows to Inf
            # (Inf/Inf); scipy returns the finite quantile (~1e303) and so a finite bound.
            assert s == "lower", s
            rows, cols = np.nonzero(~ok)
            assert set(cols) <= {1, 4}
            assert np.isfinite(py[rows, cols]).all()
            for i in set(rows):
                q = R.r()["qf"](0.975, float(b.n_subjects[i] - 1), float(satterthwaite_v(b)[i]))
                assert np.isinf(q[0]), (i, q[0])


# ---------------------------------------------------------------------------------------
# Parity with psych::ICC
# ---------------------------------------------------------------------------------------


@pytest.mark.parity
@pytest.mark.parametrize("key", list(DATASETS))
def test_batch_matches_psych(Ri, key):
    x = DATASETS[key]
    b = icc_batch(x)
    check_parity(Ri, b, r_batch(Ri, x))
    assert b.forms == ICC_FORMS


@pytest.mark.parity
@pytest.mark.parametrize("alpha", [0.01, 0.1, 0.2])
def test_other_alpha_matches_psych(Ri, alpha):
    x = DATASETS["k3"]
    check_parity(Ri, icc_batch(x, alpha=alpha), r_batch(Ri, x, alpha=alpha))


@pytest.mark.parity
def test_single_feature_matches_psych_and_type_labels(Ri):
    # Shrout & Fleiss (1979) Table 2 layout: 6 targets x 4 judges (values generated here)
    x = np.random.default_rng(21).integers(1, 11, size=(6, 4)).astype(float)
    res = icc(x)
    ref = Ri.to_py(Ri.call("icc_one", Ri.matrix(x)))
    assert list(res.forms) == ref["type"]
    assert (res.n_subjects, res.n_raters) == (ref["n_subjects"], ref["n_raters"])
    for s in STATS:
        np.testing.assert_allclose(getattr(res, s), ref[s], rtol=RTOL, atol=ATOL, err_msg=s)
    for s in ("ms_between", "ms_raters", "ms_error", "ms_within"):
        assert getattr(res, s) == pytest.approx(ref[s], rel=RTOL)


@pytest.mark.parity
def test_two_readings_match_psych_on_cbind(Ri):
    rng = np.random.default_rng(3)
    truth = rng.normal(size=(25, 40))
    first = pd.DataFrame(
        truth + 0.4 * rng.normal(size=truth.shape), columns=[f"feat{j}" for j in range(40)]
    )
    second = pd.DataFrame(truth + 0.4 * rng.normal(size=truth.shape), columns=first.columns)
    b = icc_two_readings(first, second)
    assert b.features == tuple(first.columns)
    check_parity(Ri, b, r_batch(Ri, np.stack([first.to_numpy(), second.to_numpy()], axis=1)))


@pytest.mark.parity
def test_nan_omit_matches_psych_on_complete_subjects(Ri):
    x = gen(11, 15, 3, 4)
    x[2, 1, 0] = np.nan
    x[[5, 9], 0, 2] = np.nan
    b = icc_batch(x, nan_policy="omit")
    for j in range(4):
        rows = np.isfinite(x[:, :, j]).all(axis=1)
        ref = Ri.to_py(Ri.call("icc_one", Ri.matrix(x[rows, :, j])))
        for s in STATS:
            np.testing.assert_allclose(getattr(b, s)[j], ref[s], rtol=RTOL, atol=ATOL, err_msg=s)
        assert b.n_subjects[j] == ref["n_subjects"]
    assert b.reasons == (
        "omitted 1 incomplete subject(s)",
        None,
        "omitted 2 incomplete subject(s)",
        None,
    )


# ---------------------------------------------------------------------------------------
# Vectorized == per-feature loop; tidy output
# ---------------------------------------------------------------------------------------


def test_vectorized_equals_per_feature_loop():
    x = DATASETS["ties_k4"]
    b = icc_batch(x)
    for j in range(x.shape[2]):
        one = icc(x[:, :, j])
        for s in STATS:
            # same formulas on a different array layout: only summation order can differ
            np.testing.assert_allclose(
                getattr(b, s)[j], getattr(one, s), rtol=1e-13, atol=1e-15, err_msg=s
            )
        assert b.feature(j).reason == one.reason


def test_tidy_frame_and_wide_values():
    x = DATASETS["k3"][:, :, :5]
    b = icc_batch(x, features=list("abcde"))
    long = b.to_frame()
    assert list(long.columns) == ["feature", "type", *STATS, "n_subjects", "n_raters", "reason"]
    assert len(long) == 5 * 6
    row = long[(long.feature == "c") & (long.type == "ICC3")].iloc[0]
    assert row["icc"] == b.icc[2, 2] and row["upper"] == b.upper[2, 2]
    one = b.to_frame("ICC2k")
    assert list(one.feature) == list("abcde")
    np.testing.assert_array_equal(one["icc"], b.icc[:, 4])
    wide = b.values()
    assert list(wide.columns) == list(ICC_FORMS) and list(wide.index) == list("abcde")
    np.testing.assert_array_equal(wide.to_numpy(), b.icc)
    assert b.feature("d")["ICC1"]["icc"] == b.icc[3, 0]
    assert b.to_dict()["features"] == list("abcde")


# ---------------------------------------------------------------------------------------
# Bad input: errors for the whole input, recorded reasons per feature
# ---------------------------------------------------------------------------------------


def test_missing_values_are_recorded_not_silent():
    x = gen(12, 10, 2, 3)
    x[4, 0, 1] = np.nan
    b = icc_batch(x)
    assert b.reasons == (None, "missing", None)
    assert np.isnan(b.icc[1]).all() and np.isnan(b.lower[1]).all()
    assert np.isfinite(b.icc[[0, 2]]).all()
    with pytest.raises(NenauditError, match="f2"):
        icc_batch(x, nan_policy="raise")
    x[:, 0, 1] = np.inf
    x[0, 1, 1] = 1.0
    assert icc_batch(x, nan_policy="omit").reasons[1] == "too few subjects"


def test_zero_variance_feature_is_nan_with_reason():
    x = gen(13, 10, 2, 3)
    x[:, :, 0] = 3.7
    b = icc_batch(x)
    assert b.reasons[0] == "zero variance"
    assert np.isnan(b.icc[0]).all() and np.isnan(b.p[0]).all()
    assert b.reasons[1:] == (None, None)


@pytest.mark.parametrize(
    "bad, match",
    [
        (np.zeros((1, 2, 3)), "at least 2 subjects"),
        (np.zeros((5, 1, 3)), "at least 2 raters"),
        (np.zeros((5, 2, 0)), "no features"),
        (np.zeros((5, 2, 3, 1)), "shape"),
        ([["a", "b"], ["c", "d"]], "numeric"),
    ],
)
def test_bad_shapes_refused(bad, match):
    with pytest.raises(NenauditError, match=match):
        icc_batch(bad)


def test_other_refusals():
    x = gen(1, 6, 2, 2)
    with pytest.raises(NenauditError, match="alpha"):
        icc_batch(x, alpha=1.5)
    with pytest.raises(NenauditError, match="nan_policy"):
        icc_batch(x, nan_policy="drop")
    with pytest.raises(NenauditError, match="3 feature names for 2"):
        icc_batch(x, features=["a"] * 2 + ["b"])
    with pytest.raises(NenauditError, match="vector"):
        icc([1.0, 2.0, 3.0])
    with pytest.raises(NenauditError, match="same shape"):
        icc_two_readings(np.zeros((5, 3)), np.zeros((5, 4)))
    a = pd.DataFrame(np.ones((4, 2)), columns=["x", "y"])
    with pytest.raises(NenauditError, match="different feature columns"):
        icc_two_readings(a, a.rename(columns={"y": "z"}))
    with pytest.raises(NenauditError, match="unknown ICC form"):
        icc(x[:, :, 0])["ICC4"]


# ---------------------------------------------------------------------------------------
# Properties
# ---------------------------------------------------------------------------------------

ratings = st.builds(
    lambda seed, n, k, e: gen(seed, n, k, 3, sd_error=e),
    st.integers(0, 2**32 - 1),
    st.integers(3, 20),
    st.integers(2, 5),
    st.floats(0.05, 3.0),
)

FAST = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@FAST
@given(ratings, st.floats(-1e3, 1e3))
def test_adding_a_constant_changes_nothing(x, c):
    a, b = icc_batch(x), icc_batch(x + c)
    for s in STATS:
        # shifting moves the values by up to 1e3 while noise is O(1): mean squares change by
        # rounding of the centring, ~1e3 * eps relative
        np.testing.assert_allclose(getattr(b, s), getattr(a, s), rtol=1e-8, atol=1e-9, err_msg=s)


@FAST
@given(ratings, st.integers(0, 2**32 - 1))
def test_permuting_subjects_changes_nothing(x, seed):
    perm = np.random.default_rng(seed).permutation(x.shape[0])
    a, b = icc_batch(x), icc_batch(x[perm])
    for s in STATS:
        # sums in another order: rounding only
        np.testing.assert_allclose(getattr(b, s), getattr(a, s), rtol=1e-10, atol=1e-12, err_msg=s)


@FAST
@given(ratings)
def test_relations_between_forms(x):
    b = icc_batch(x)
    k = b.n_raters
    # average-measure forms are the Spearman-Brown step-up of the single-measure forms
    for single, avg in ((0, 3), (1, 4), (2, 5)):
        sb = k * b.icc[:, single] / (1 + (k - 1) * b.icc[:, single])
        np.testing.assert_allclose(b.icc[:, avg], sb, rtol=1e-9, atol=1e-12)
    # ICC2 <= ICC3 whenever the rater mean square exceeds the residual one and ICC3 >= 0
    sel = (b.ms_raters >= b.ms_error) & (b.icc[:, 2] >= 0)
    assert (b.icc[sel, 1] <= b.icc[sel, 2] + 1e-12).all()
    # positive single-measure ICC: averaging k raters can only increase it
    pos = b.icc[:, :3] > 0
    assert (b.icc[:, 3:][pos] >= b.icc[:, :3][pos] - 1e-12).all()
    # forms share F, df and p as psych reports them
    assert (b.F[:, 1] == b.F[:, 2]).all() and (b.p[:, 0] == b.p[:, 3]).all()
    assert ((b.p >= 0) & (b.p <= 1)).all()


@FAST
@given(ratings)
def test_ci_contains_estimate(x):
    b = icc_batch(x)
    assert np.isfinite(b.lower).all() and np.isfinite(b.upper).all()
    # ICC1/ICC3 forms: monotone maps of an exact F interval, always. ICC2's Satterthwaite
    # interval is approximate and can miss a negative estimate (n = 3); psych steps its
    # bounds up to ICC2k by Spearman-Brown, k L / (1 + (k-1) L), monotone only for
    # L > -1/(k-1) (module docstring). Those two are checked where ICC2 >= 0 and L is so.
    keep = np.ones_like(b.icc, dtype=bool)
    keep[:, 1] = b.icc[:, 1] >= 0
    keep[:, 4] = keep[:, 1] & (b.lower[:, 1] > -1 / (b.n_raters - 1))
    assert (b.lower[keep] <= b.icc[keep] + 1e-12).all()
    assert (b.icc[keep] <= b.upper[keep] + 1e-12).all()


@settings(max_examples=30, deadline=None)
@given(st.integers(0, 2**32 - 1), st.integers(2, 30), st.integers(2, 5))
def test_perfectly_agreeing_raters_give_one(seed, n, k):
    s = np.random.default_rng(seed).normal(size=(n, 1, 4))
    x = np.repeat(s, k, axis=1)
    b = icc_batch(x)
    assert all(r == "perfect agreement" for r in b.reasons)
    np.testing.assert_array_equal(b.icc, 1.0)
    # the ICC2 bounds go through the Satterthwaite formula: 1 up to a rounding bit or two
    np.testing.assert_allclose(b.lower, 1.0, rtol=0, atol=1e-15)
    np.testing.assert_allclose(b.upper, 1.0, rtol=0, atol=1e-15)
    assert (b.p == 0).all() and np.isposinf(b.F).all()

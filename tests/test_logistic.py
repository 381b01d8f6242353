"""Logistic regression (stats/logistic.py) against R's glm, summary.glm, MASS confint, brglm2.

Reference values come from reference_r/logistic.R run through rpy2; nothing is typed in.
"""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from nenaudit.exceptions import ConvergenceWarning, NenauditError, SeparationWarning
from nenaudit.stats.logistic import fit_firth, fit_logistic, lr_test, r_approx, r_spline_fmm

# ---------------------------------------------------------------------------------------
# Data sets (built here, seeded)
# ---------------------------------------------------------------------------------------


def expand_table(succ, fail):
    """A 2 x k table (successes, failures at ordinal codes 1..k) as 0/1 rows."""
    k = len(succ)
    code = np.r_[np.repeat(np.arange(1, k + 1), succ), np.repeat(np.arange(1, k + 1), fail)]
    y = np.r_[np.ones(sum(succ)), np.zeros(sum(fail))]
    return code[:, None].astype(float), y


def random_data(seed, n=131, p=3, intercept=-0.4):
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(n, p)) * rng.uniform(0.5, 3, size=p)
    beta = rng.uniform(-0.8, 0.8, size=p) / x.std(axis=0)
    eta = intercept + x @ beta
    y = (rng.random(n) < 1 / (1 + np.exp(-eta))).astype(float)
    return x, y


def quasi_separated():
    # y = 1 above 10, 0 below; both outcomes at x = 10: quasi-complete separation
    x = np.r_[np.arange(20.0), np.arange(20.0)]
    y = (x > 10).astype(float)
    y[30] = 1.0
    return x[:, None], y


DATASETS = {
    "table_2x2": (*expand_table([10, 14], [17, 90]), ["grade"]),
    "table_2x4": (*expand_table([5, 9, 12, 20], [30, 25, 18, 12]), ["stage"]),
    "random_3": (*random_data(7), ["a", "b", "c"]),
    "random_4": (*random_data(11, p=4), ["a", "b", "c", "d"]),
    "random_1": (*random_data(5, p=1), ["a"]),
    # the further regimes: a small sample, a rare outcome, many predictors
    "small_n20": (*random_data(21, n=20, p=2), ["a", "b"]),
    "unbalanced_rare": (*random_data(3, n=200, p=2, intercept=-3.2), ["a", "b"]),
    "many_predictors": (*random_data(13, n=131, p=12), [f"x{j}" for j in range(12)]),
}


def r_fit(R, x, y, names, **kw):
    R.source("logistic.R")
    return R.to_py(R.call("logit_fit", R.matrix(x), R.fvec(y), R.svec(names), **kw))


def as_ci(flat):
    """R's column-major p x 2 confint matrix (NA -> NaN)."""
    a = np.array([np.nan if v is None else v for v in np.atleast_1d(flat)], dtype=float)
    return a.reshape(2, -1).T


def rel(a, b):
    a, b = np.asarray(a, float), np.asarray(b, float)
    return np.max(np.abs(a - b) / np.maximum(np.abs(b), 1e-300))


# ---------------------------------------------------------------------------------------
# Parity with glm / summary.glm / confint.default / MASS confint
# ---------------------------------------------------------------------------------------


@pytest.mark.parity
@pytest.mark.parametrize("key", list(DATASETS))
def test_glm_summary_matches_r(R, key):
    x, y, names = DATASETS[key]
    ref = r_fit(R, x, y, names)
    f = fit_logistic(x, y, names=names)
    assert list(f.names) == ref["names"]
    # same IRLS path as glm.fit (same start, weights, stopping rule): the iterates differ
    # only by rounding in the QR solves, so 1e-10 relative is ample (observed ~1e-14)
    for k in ("coef", "se", "z"):
        assert rel(getattr(f, k), ref[k]) < 1e-10, k
    # p-values: pnorm tails of the z above, same relative accuracy
    assert rel(f.p, ref["p"]) < 1e-10
    assert rel(f.ci_wald, as_ci(ref["ci_wald"])) < 1e-10
    for k in ("deviance", "null_deviance", "aic", "loglik"):
        assert getattr(f, k) == pytest.approx(ref[k], rel=1e-10), k
    assert f.df_residual == ref["df_residual"] and f.df_null == ref["df_null"]
    assert f.iterations == ref["iter"] and f.converged == ref["converged"]
    assert f.warnings == ()


@pytest.mark.parity
@pytest.mark.parametrize("key", list(DATASETS))
def test_profile_ci_matches_mass_confint(R, key):
    x, y, names = DATASETS[key]
    ref = r_fit(R, x, y, names)
    f = fit_logistic(x, y, names=names)
    # MASS's grid, glm.fit nuisance fits, fmm spline and approx reproduced operation by
    # operation: only rounding differences remain (observed <= 1e-14 relative)
    assert rel(f.ci_profile, as_ci(ref["ci_profile"])) < 1e-12


@pytest.mark.parity
@pytest.mark.parametrize("level", [0.9, 0.99])
def test_other_levels_match_r(R, level):
    x, y, names = DATASETS["random_3"]
    ref = r_fit(R, x, y, names, level=level)
    f = fit_logistic(x, y, names=names, level=level)
    # as above: same algorithms, rounding-level differences
    assert rel(f.ci_wald, as_ci(ref["ci_wald"])) < 1e-10
    assert rel(f.ci_profile, as_ci(ref["ci_profile"])) < 1e-12


@pytest.mark.parity
def test_prior_weights_match_r(R):
    x, y, names = DATASETS["random_3"]
    w = np.random.default_rng(2).integers(0, 4, size=len(y)).astype(float)
    ref = r_fit(R, x, y, names, weights=R.fvec(w))
    f = fit_logistic(x, y, names=names, weights=w)
    # same IRLS with prior weights (zero-weight rows dropped as glm.fit's `good`)
    for k in ("coef", "se"):
        assert rel(getattr(f, k), ref[k]) < 1e-10, k
    for k in ("deviance", "null_deviance", "aic"):
        assert getattr(f, k) == pytest.approx(ref[k], rel=1e-10), k
    assert f.df_residual == ref["df_residual"]
    assert rel(f.ci_profile, as_ci(ref["ci_profile"])) < 1e-12  # as for unweighted fits


@pytest.mark.parity
def test_no_intercept_matches_r(R):
    x, y, names = DATASETS["random_3"]
    ref = r_fit(R, x, y, names, intercept=False)
    f = fit_logistic(x, y, names=names, intercept=False)
    assert list(f.names) == ref["names"]
    assert rel(f.coef, ref["coef"]) < 1e-10  # same IRLS path
    assert rel(f.se, ref["se"]) < 1e-10
    assert f.null_deviance == pytest.approx(ref["null_deviance"], rel=1e-10)
    assert f.df_null == ref["df_null"]


@pytest.mark.parity
@pytest.mark.parametrize("key", ["table_2x2", "random_3"])
def test_exact_profile_ci_is_the_root_in_r(R, key):
    x, y, names = DATASETS[key]
    f = fit_logistic(x, y, names=names)
    R.source("logistic.R")
    cut = R.to_py(R.r()("qnorm(c(0.025, 0.975))"))
    for j in range(len(f.names)):
        for k in range(2):
            z = R.to_py(
                R.call(
                    "logit_signed_root",
                    R.matrix(x),
                    R.fvec(y),
                    R.svec(names),
                    j + 1,
                    float(f.ci_profile_exact[j, k]),
                    float(f.coef[j]),
                    float(f.deviance),
                )
            )
            # R evaluates the signed root at our limit with its own tightly converged glm.fit;
            # the root is found to ~1e-14 in b and z has slope ~1/SE: 1e-8 covers the
            # deviance-difference cancellation (dev ~ 1e2, eps ~ 1e-16, sqrt amplification)
            assert z == pytest.approx(cut[k], abs=1e-8)
    # the R-compatible interval interpolates the same curve: close to, not equal to, exact
    assert np.allclose(f.ci_profile, f.ci_profile_exact, atol=1e-3)


@pytest.mark.parity
def test_quasi_separation_reported_like_r(R):
    x, y = quasi_separated()
    ref = r_fit(R, x, y, ["q"])
    with pytest.warns(SeparationWarning):
        f = fit_logistic(x, y, names=["q"])
    assert "glm.fit: fitted probabilities numerically 0 or 1 occurred" in ref["warnings"]
    assert "glm.fit: fitted probabilities numerically 0 or 1 occurred" in f.warnings
    assert any("quasi-complete separation" in m for m in f.warnings)
    assert f.separation
    assert f.iterations == ref["iter"] and f.converged == ref["converged"]
    # diverging IRLS (coefficients grow each step): rounding differences are amplified
    # over ~24 iterations, so agreement is ~1e-9 rather than ~1e-14
    assert rel(f.coef, ref["coef"]) < 1e-7
    assert rel(f.se, ref["se"]) < 1e-7
    assert f.deviance == pytest.approx(
        ref["deviance"], abs=1e-9
    )  # diverging fit: absolute, deviance -> 2 log 2 here
    # R's confint returns NA where the profile never reaches the cutoff; same NA pattern
    cp = as_ci(ref["ci_profile"])
    assert np.array_equal(np.isnan(cp), np.isnan(f.ci_profile))
    ok = ~np.isnan(cp)
    assert rel(f.ci_profile[ok], cp[ok]) < 1e-6  # amplified rounding, as for the coefficients
    assert np.all(np.isnan(f.ci_profile_exact))


@pytest.mark.parity
def test_complete_separation_diagnosed(R):
    x = np.arange(30.0)[:, None]
    y = (x[:, 0] >= 15).astype(float)
    ref = r_fit(R, x, y, ["x"], profile=False)
    with warnings.catch_warnings(record=True) as rec:
        warnings.simplefilter("always")
        f = fit_logistic(x, y, names=["x"], profile=False)
    cats = {w.category for w in rec}
    assert SeparationWarning in cats and ConvergenceWarning in cats
    # R's own messages (did not converge, fitted probabilities 0 or 1) all recorded
    assert set(ref["warnings"]) <= set(f.warnings)
    assert any("(complete separation)" in m for m in f.warnings)


@pytest.mark.parity
def test_lr_test_matches_anova(R):
    x, y, names = DATASETS["random_4"]
    R.source("logistic.R")
    for keep in ([1], [1, 3], []):
        ref = R.to_py(R.call("logit_lr", R.matrix(x), R.fvec(y), R.svec(names), R.ivec(keep)))
        full = fit_logistic(x, y, names=names, profile=False)
        cols = [k - 1 for k in keep]
        red = fit_logistic(x[:, cols], y, names=[names[c] for c in cols], profile=False)
        t = lr_test(full, red)
        # difference of two deviances each accurate to ~1e-15 relative; 1e-9 covers the
        # cancellation when the statistic is small
        assert t.statistic == pytest.approx(ref["statistic"], rel=1e-9)
        assert t.df == ref["df"]
        assert t.p == pytest.approx(ref["p"], rel=1e-8)  # chi-square tail of the above


@pytest.mark.parity
@pytest.mark.parametrize("key", ["table_2x2", "random_3", "random_4"])
def test_firth_matches_brglm2(R, key):
    x, y, names = DATASETS[key]
    R.source("logistic.R")
    ref = R.to_py(R.call("logit_firth", R.matrix(x), R.fvec(y), R.svec(names)))
    f = fit_firth(x, y, names=names)
    assert list(f.names) == ref["names"]
    # brglm2's start (glm.fit on adjusted data), quasi-Fisher steps and stopping rule are
    # reproduced, so both stop at the same iterate: rounding-level agreement
    for k in ("coef", "se", "z"):
        assert rel(getattr(f, k), ref[k]) < 1e-9, k
    assert rel(f.ci_wald, as_ci(ref["ci_wald"])) < 1e-9
    assert f.deviance == pytest.approx(ref["deviance"], rel=1e-9)
    assert f.converged == ref["converged"]


@pytest.mark.parity
def test_firth_is_finite_under_separation(R):
    x, y = quasi_separated()
    R.source("logistic.R")
    ref = R.to_py(R.call("logit_firth", R.matrix(x), R.fvec(y), R.svec(["q"])))
    f = fit_firth(x, y, names=["q"])
    assert np.all(np.isfinite(f.coef))
    assert rel(f.coef, ref["coef"]) < 1e-9  # same iterate as brglm2, see above
    assert rel(f.se, ref["se"]) < 1e-9


# ---------------------------------------------------------------------------------------
# R's spline(fmm) and approx
# ---------------------------------------------------------------------------------------


@pytest.mark.parity
@pytest.mark.parametrize("seed", [0, 1, 2])
def test_spline_and_approx_match_r(R, seed):
    R.source("logistic.R")
    rng = np.random.default_rng(seed)
    n = [3, 7, 19][seed]
    x = np.sort(rng.normal(size=n))
    x[1] = x[2] if seed == 2 else x[1]  # a tie, averaged by regularize.values
    yv = np.tanh(x) + rng.normal(scale=0.1, size=n)
    ref = R.to_py(R.call("logit_spline", R.fvec(x), R.fvec(yv)))
    sx, sy = r_spline_fmm(x, yv)
    # same recurrences in the same order: agreement to a few ulps
    assert np.allclose(sx, ref["x"], rtol=1e-14, atol=0)
    assert np.allclose(sy, ref["y"], rtol=1e-12, atol=1e-14)
    xout = np.r_[rng.uniform(sy.min() - 0.1, sy.max() + 0.1, size=10), sy[3]]
    ra = R.to_py(R.call("logit_approx", R.fvec(sy), R.fvec(sx), R.fvec(xout)))
    ra = np.array([np.nan if v is None else v for v in ra])
    # linear interpolation on identical inputs; NA outside the range (rule = 1)
    assert np.array_equal(np.isnan(ra), np.isnan(r_approx(sy, sx, xout)))
    assert np.allclose(r_approx(sy, sx, xout), ra, rtol=1e-14, atol=1e-15, equal_nan=True)


# ---------------------------------------------------------------------------------------
# Input checks, API shape, speed
# ---------------------------------------------------------------------------------------


def test_dataframe_names_and_summary():
    x, y, names = DATASETS["random_3"]
    df = pd.DataFrame(x, columns=names)
    f = fit_logistic(df, y)
    assert f.names == ("(Intercept)", "a", "b", "c")
    s = f.to_frame()
    assert list(s.columns) == [
        "estimate",
        "se",
        "z",
        "p",
        "ci_lower",
        "ci_upper",
        "OR",
        "OR_lower",
        "OR_upper",
    ]
    assert np.allclose(s["OR"], f.odds_ratio)
    assert np.allclose(np.exp(f.ci_profile), f.or_ci_profile)
    d = f.to_dict()
    assert d["names"] == list(f.names) and len(d["ci_profile"]) == 4


@pytest.mark.parametrize(
    "X,y,match",
    [
        (np.array([[1.0], [np.nan], [2.0]]), [0, 1, 1], "column 'x1'"),
        (np.ones((4, 1)), [0, 1, 0, 1], "constant or a linear combination"),
        (np.arange(4.0)[:, None], [0, 2, 0, 1], "coded 0/1"),
        (np.arange(4.0)[:, None], [0, 1, 0], "one outcome per row"),
    ],
)
def test_bad_input_refused(X, y, match):
    with pytest.raises(NenauditError, match=match):
        fit_logistic(X, y)


# ---------------------------------------------------------------------------------------
# Invariances (hypothesis)
# ---------------------------------------------------------------------------------------

seeds = st.integers(min_value=0, max_value=10_000)
PROP = settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def _nonseparated(seed, n=60, p=2):
    x, y = random_data(seed, n=n, p=p)
    if y.sum() < 8 or (n - y.sum()) < 8:
        y[:8] = 1.0
        y[8:16] = 0.0
    return x, y


@PROP
@given(seeds)
def test_row_permutation_changes_nothing(seed):
    x, y = _nonseparated(seed)
    perm = np.random.default_rng(seed + 1).permutation(len(y))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        a = fit_logistic(x, y)
        b = fit_logistic(x[perm], y[perm])
    # summation order changes: rounding only (IRLS is a contraction at the solution)
    assert np.allclose(a.coef, b.coef, rtol=1e-8, atol=1e-10)
    assert np.allclose(a.se, b.se, rtol=1e-8)
    assert np.allclose(a.ci_profile, b.ci_profile, rtol=1e-7, atol=1e-9, equal_nan=True)
    assert a.deviance == pytest.approx(b.deviance, rel=1e-12)


@PROP
@given(seeds)
def test_flipping_y_negates_coefficients(seed):
    x, y = _nonseparated(seed)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        a = fit_logistic(x, y)
        b = fit_logistic(x, 1 - y)
    # the likelihood is symmetric; IRLS stops at a slightly different iterate only through
    # the convergence tolerance (1e-8 on deviance change), hence 1e-6
    assert np.allclose(a.coef, -b.coef, rtol=1e-6, atol=1e-8)
    assert np.allclose(a.se, b.se, rtol=1e-6)
    assert np.allclose(a.ci_profile_exact, -b.ci_profile_exact[:, ::-1], rtol=1e-7, atol=1e-8)


@PROP
@given(seeds, st.floats(min_value=0.01, max_value=100.0))
def test_scaling_a_column_scales_its_coefficient(seed, c):
    x, y = _nonseparated(seed)
    xs = x.copy()
    xs[:, 1] *= c
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        a = fit_logistic(x, y)
        b = fit_logistic(xs, y)
    # same iterates up to rounding (IRLS is equivariant under column scaling)
    assert b.coef[2] * c == pytest.approx(a.coef[2], rel=1e-8)
    assert b.se[2] * c == pytest.approx(a.se[2], rel=1e-8)
    assert np.allclose(b.ci_profile_exact[2] * c, a.ci_profile_exact[2], rtol=1e-7)
    assert b.p[2] == pytest.approx(a.p[2], rel=1e-7)


@PROP
@given(seeds)
def test_firth_flip_and_permutation(seed):
    x, y = _nonseparated(seed)
    perm = np.random.default_rng(seed).permutation(len(y))
    a = fit_firth(x, y)
    b = fit_firth(x[perm], 1 - y[perm])
    # the adjusted score is symmetric too; stopping rule sum|step| < 1e-6 allows ~1e-6
    assert np.allclose(a.coef, -b.coef, atol=1e-5)

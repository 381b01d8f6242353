"""Calibration (stats/calibration.py) against base R glm/lowess/approx, rms::val.prob and rms::calibrate.

Reference values come from reference_r/calibration.R run through rpy2 on the same data (and,
for the bootstrap curve, the same resample indices).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import special

from nenaudit.exceptions import NenauditError, StatisticalWarning
from nenaudit.stats.calibration import (
    brier_score,
    calibrate_bootstrap,
    calibration_curve,
    calibration_errors,
    calibration_fit,
    hosmer_lemeshow,
    r_lowess,
)
from nenaudit.stats.validation import LogisticProcedure


def make_data(seed: int, n: int = 131):
    rng = np.random.default_rng(seed)
    d = pd.DataFrame(
        {
            "a": rng.normal(size=n),
            "b": rng.normal(size=n),
            "c": rng.binomial(1, 0.4, n).astype(float),
        }
    )
    lp = 1.0 + 1.1 * d.a - 0.6 * d.b + 0.5 * d.c
    d["y"] = (rng.random(n) < special.expit(lp)).astype(float)
    return d


def r_frame(R, d: pd.DataFrame):
    return R.call("data.frame", **{c: R.fvec(d[c].to_numpy()) for c in d.columns})


# predictions that are deliberately miscalibrated: shifted and too extreme
def miscalibrated(d):
    return special.expit(0.4 + 1.7 * (0.9 * d.a - 0.5 * d.b + 0.4 * d.c).to_numpy())


@pytest.mark.parity
@pytest.mark.parametrize("seed", [1, 2, 3])
def test_calibration_fit_matches_glm_and_val_prob(R, seed):
    R.source("calibration.R")
    d = make_data(seed)
    p = miscalibrated(d)
    ref = R.to_py(R.call("cal_fit", R.fvec(d.y), R.fvec(p)))
    res = calibration_fit(d.y.to_numpy(), p)
    # same IRLS as glm.fit, converged to |dev change| < 1e-8 relative: coefficients agree far
    # below the 1e-6 requirement
    for k in ("citl", "intercept", "slope", "citl_se", "intercept_se", "slope_se"):
        assert getattr(res, k) == pytest.approx(ref[k], abs=1e-9), k
    assert res.brier == pytest.approx(ref["brier"], rel=1e-13)  # same closed form
    # rms::val.prob refits with lrm.fit, whose Newton steps stop on a deviance change (eps =
    # 0.025) rather than at full convergence (measured ~3e-12 here); 1e-8 is inside the 1e-6
    assert res.intercept == pytest.approx(ref["vp_intercept"], abs=1e-8)
    assert res.slope == pytest.approx(ref["vp_slope"], abs=1e-8)
    assert res.brier == pytest.approx(ref["vp_brier"], rel=1e-13)


@pytest.mark.parity
@pytest.mark.parametrize("seed,g", [(1, 10), (4, 10), (5, 8)])
def test_hosmer_lemeshow_matches_base_r_hoslem(R, seed, g):
    R.source("calibration.R")
    d = make_data(seed)
    p = miscalibrated(d)
    ref = R.to_py(R.call("cal_hoslem", R.fvec(d.y), R.fvec(p), g))
    hl = hosmer_lemeshow(d.y.to_numpy(), p, g)
    # sums of at most 131 terms and the chi-square tail: rounding only
    assert hl.statistic == pytest.approx(ref["statistic"], rel=1e-11)
    assert hl.p_value == pytest.approx(ref["p_value"], rel=1e-9, abs=1e-15)
    assert hl.df == ref["df"]
    np.testing.assert_allclose(hl.breaks, ref["breaks"], rtol=1e-15)
    np.testing.assert_array_equal(hl.n, ref["n"])
    np.testing.assert_allclose(hl.observed[:, 1], ref["observed"], rtol=0, atol=0)
    np.testing.assert_allclose(hl.expected[:, 1], ref["expected"], rtol=1e-12)


@pytest.mark.parity
@pytest.mark.parametrize("seed,ties", [(1, False), (2, True), (3, True)])
def test_lowess_matches_r(R, seed, ties):
    R.source("calibration.R")
    rng = np.random.default_rng(seed)
    x = rng.random(97)
    if ties:
        x = np.round(x, 1)  # many tied x values, as predictions of a model with binary terms
    y = (rng.random(97) < x).astype(float)
    ref = R.to_py(R.call("cal_lowess", R.fvec(x), R.fvec(y)))
    sx, sy = r_lowess(x, y)
    np.testing.assert_array_equal(sx, ref["x"])
    # same arithmetic as lowess.c; sums of weights may associate differently: 1e-12
    np.testing.assert_allclose(sy, ref["y"], rtol=0, atol=1e-12)


@pytest.mark.parity
@pytest.mark.parametrize("seed", [1, 6])
def test_ici_e50_e90_match_r_and_val_prob(R, seed):
    R.source("calibration.R")
    d = make_data(seed)
    p = miscalibrated(d)
    ref = R.to_py(R.call("cal_errors", R.fvec(d.y), R.fvec(p)))
    vp = R.to_py(R.call("cal_fit", R.fvec(d.y), R.fvec(p)))
    e = calibration_errors(d.y.to_numpy(), p)
    # lowess to 1e-12 (see test_lowess_matches_r), then means/quantiles of 131 values
    for k in ("ici", "e50", "e90", "emax"):
        assert getattr(e, k) == pytest.approx(ref[k], abs=1e-12), k
    assert e.ici == pytest.approx(vp["vp_eavg"], abs=1e-12)
    assert e.e90 == pytest.approx(vp["vp_e90"], abs=1e-12)
    assert e.emax == pytest.approx(vp["vp_emax"], abs=1e-12)


@pytest.mark.parity
def test_apparent_curve_matches_calibrate_grid_and_smoother(R):
    R.source("calibration.R")
    d = make_data(8)
    p = miscalibrated(d)
    ref = R.to_py(R.call("cal_curve", R.fvec(d.y), R.fvec(p)))
    c = calibration_curve(d.y.to_numpy(), p)
    np.testing.assert_allclose(
        c.predicted, ref["predy"], rtol=1e-15
    )  # seq() construction reproduced
    np.testing.assert_allclose(c.observed, ref["observed"], atol=1e-12)  # lowess, see above


@pytest.mark.parity
def test_bootstrap_curve_matches_base_r_loop_on_same_indices(R):
    R.source("calibration.R")
    d = make_data(9)
    idx = np.random.default_rng(5).integers(0, len(d), size=(60, len(d)))
    ref = R.to_py(
        R.call("cal_boot_curve", r_frame(R, d), "y", R.svec(["a", "b", "c"]), R.matrix(idx + 1))
    )
    res = calibrate_bootstrap(d[["a", "b", "c"]], d.y, LogisticProcedure(), indices=idx)
    np.testing.assert_allclose(res.predicted, ref["predy"], rtol=1e-14)
    # glm coefficients agree to ~1e-12, then lowess (1e-12) and means over 60 resamples
    np.testing.assert_allclose(res.apparent, ref["apparent"], atol=1e-10)
    np.testing.assert_allclose(res.corrected, ref["corrected"], atol=1e-8)
    np.testing.assert_array_equal(res.n_per_point, ref["n"])
    assert sum(res.failures.values()) == ref["failed"]


@pytest.mark.parity
def test_bootstrap_curve_matches_rms_calibrate_on_its_own_resamples(R):
    R.source("calibration.R")
    d = make_data(10)
    out = R.to_py(R.call("cal_rms_calibrate", r_frame(R, d), "y", R.svec(["a", "b", "c"]), 40, 123))
    idx = np.array(out["idx"], dtype=int).reshape(40, len(d), order="F") - 1
    res = calibrate_bootstrap(d[["a", "b", "c"]], d.y, LogisticProcedure(), indices=idx)
    # rms fits with lrm.fit (Newton, stopping on a deviance change < 0.025, not at full
    # convergence), so its coefficients differ slightly from glm's (measured ~5e-9 on the curves)
    np.testing.assert_allclose(res.predicted, out["predy"], atol=1e-7)
    np.testing.assert_allclose(res.apparent, out["apparent"], atol=1e-7)
    np.testing.assert_allclose(res.corrected, out["corrected"], atol=1e-7)
    np.testing.assert_array_equal(res.n_per_point, out["n"])


# ---------------------------------------------------------------------------------------
# Properties and bad input
# ---------------------------------------------------------------------------------------


@settings(max_examples=40, deadline=None)
@given(seed=st.integers(0, 10_000), a=st.floats(-1.5, 1.5), b=st.floats(0.3, 3.0))
def test_recalibration_is_affine_on_the_logit_scale(seed, a, b):
    # glm(y ~ lp) and glm(y ~ a + b lp) describe the same model: slope' = slope / b and
    # intercept' = intercept - a slope / b
    rng = np.random.default_rng(seed)
    lp = rng.normal(size=80)
    y = (rng.random(80) < special.expit(0.5 + lp)).astype(float)
    if y.min() == y.max():
        return
    f1 = calibration_fit(y, lp=lp)
    f2 = calibration_fit(y, lp=a + b * lp)
    assert f2.slope == pytest.approx(f1.slope / b, rel=1e-7, abs=1e-9)  # IRLS convergence 1e-8
    assert f2.intercept == pytest.approx(f1.intercept - a * f1.slope / b, rel=1e-7, abs=1e-7)


@settings(max_examples=40, deadline=None)
@given(seed=st.integers(0, 10_000))
def test_ml_fitted_probabilities_are_perfectly_calibrated_in_the_large(seed):
    d = make_data(seed, 90)
    if d.y.min() == d.y.max():
        return
    m = LogisticProcedure(("a", "b"))(d, d.y.to_numpy())
    lp = m.predict_lp(d)
    f = calibration_fit(d.y.to_numpy(), lp=lp)
    # the ML score equations with an intercept make sum(y - p) = 0 and sum(lp (y - p)) = 0
    assert f.citl == pytest.approx(0.0, abs=1e-7)
    assert f.intercept == pytest.approx(0.0, abs=1e-7)
    assert f.slope == pytest.approx(1.0, abs=1e-7)
    e = calibration_errors(d.y.to_numpy(), special.expit(lp))
    assert 0 <= e.e50 <= e.e90 <= e.emax and 0 <= e.ici <= e.emax
    assert 0 <= brier_score(d.y, special.expit(lp)) <= 1


def test_nan_probability_is_refused_with_its_position():
    with pytest.raises(NenauditError, match=r"NaN\) at position 2"):
        calibration_fit([0, 1, 0, 1], [0.2, 0.7, float("nan"), 0.6])


@pytest.mark.parametrize("bad", [1.2, -0.1])
def test_probability_outside_unit_interval_is_refused(bad):
    with pytest.raises(NenauditError, match="not a probability"):
        brier_score([0, 1, 0, 1], [0.2, 0.7, bad, 0.6])


def test_zero_or_one_probability_has_no_logit():
    with pytest.raises(NenauditError, match="strictly between 0 and 1"):
        calibration_fit([0, 1, 0, 1], [0.0, 0.7, 0.2, 0.6])


def test_hosmer_lemeshow_refuses_tied_cut_points():
    y = np.array([0, 1] * 20)
    p = np.array([0.3] * 30 + [0.6] * 10)
    with pytest.raises(NenauditError, match="fewer groups"):
        hosmer_lemeshow(y, p, 10)


def test_single_class_outcome_is_refused():
    with pytest.raises(NenauditError, match="both events and non-events"):
        calibration_fit([1, 1, 1], [0.2, 0.5, 0.7])


def test_bootstrap_curve_identical_with_two_workers_and_counts_failures():
    d = make_data(11, 40)
    idx = np.random.default_rng(3).integers(0, len(d), size=(30, len(d)))
    # 40 observations: one resample separates; it is announced and counted, in both runs
    with pytest.warns(StatisticalWarning, match="separation 1"):
        a = calibrate_bootstrap(d[["a", "b", "c"]], d.y, LogisticProcedure(), indices=idx, jobs=1)
    with pytest.warns(StatisticalWarning, match="separation 1"):
        b = calibrate_bootstrap(d[["a", "b", "c"]], d.y, LogisticProcedure(), indices=idx, jobs=2)
    np.testing.assert_array_equal(a.corrected, b.corrected)  # exact: same resamples, same fits
    assert a.failures == b.failures
    assert a.n_ok + sum(a.failures.values()) == 30

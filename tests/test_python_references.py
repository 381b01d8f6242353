"""statsmodels, scikit-learn and scipy as a second, independent Python reference.

Where another Python library computes the same statistic, nenaudit must agree with it as closely
as the two algorithms allow; where they differ by design (a tolerance of R's that nenaudit keeps,
a default that is not R's) the test pins the difference down and the nenaudit docstring says why.
Inputs: the published data sets of the stored R references (tests/results/*.json: MASS::birthwt,
pROC::aSAH, the tables of ?fisher.test) and hypothesis examples from nenaudit.strategies.
"""

from __future__ import annotations

import json
import math
import warnings
from pathlib import Path

import numpy as np
import pytest
import statsmodels.api as sm
from hypothesis import HealthCheck, given, settings
from scipy.stats import chi2_contingency
from scipy.stats.contingency import odds_ratio
from sklearn.metrics import brier_score_loss, roc_auc_score
from statsmodels.nonparametric.smoothers_lowess import lowess as sm_lowess
from statsmodels.stats.contingency_tables import Table, Table2x2

import nenaudit as na
from nenaudit.exceptions import ConvergenceWarning, SeparationWarning, StatisticalWarning
from nenaudit.stats.calibration import r_lowess
from nenaudit.strategies import binary_datasets, contingency_tables, scored_outcomes

RESULTS = Path(__file__).resolve().parent / "results"
R_UNIROOT_TOL = np.finfo(float).eps ** 0.25  # uniroot's default tol in R's fisher.test


def stored(name: str) -> dict:
    return json.loads((RESULTS / f"{name}.json").read_text(encoding="utf-8"))


def birthwt():
    d = stored("logistic")
    names = list(d["input"]["X"])
    return (
        np.column_stack([d["input"]["X"][k] for k in names]),
        np.asarray(d["input"]["y"], float),
        names,
    )


# ------------------------------------------------------------------ GLM binomial
def sm_glm(X, y):
    return sm.GLM(y, sm.add_constant(X, has_constant="add"), family=sm.families.Binomial()).fit()


def test_glm_agrees_with_statsmodels_on_birthwt():
    X, y, names = birthwt()
    fit = na.fit_logistic(X, y, names=names)
    ref = sm_glm(X, y)
    # the same IRLS from the same start (mu = (y + 1/2) / 2), stopped after the same number of steps
    assert ref.fit_history["iteration"] == fit.iterations
    np.testing.assert_allclose(fit.coef, ref.params, rtol=1e-12)
    np.testing.assert_allclose(fit.se, ref.bse, rtol=1e-12)
    np.testing.assert_allclose(fit.z, ref.tvalues, rtol=1e-12)
    np.testing.assert_allclose(fit.p, ref.pvalues, rtol=1e-10)
    # Wald CIs: confint.default in R, conf_int() in statsmodels (normal quantile, same SE)
    np.testing.assert_allclose(fit.ci_wald, ref.conf_int(alpha=0.05), rtol=1e-12)
    assert fit.deviance == pytest.approx(ref.deviance, rel=1e-13)
    assert fit.null_deviance == pytest.approx(ref.null_deviance, rel=1e-13)
    assert fit.aic == pytest.approx(ref.aic, rel=1e-13)  # -2 loglik + 2k for 0/1 data in both


def test_statsmodels_tighter_tolerance_moves_the_se_by_what_r_leaves():
    """statsmodels iterated to 1e-12 takes one more step; R's glm stops at epsilon 1e-8, and summary.glm's SEs
    come from the weights of that last step, so they differ from fully converged SEs by about 1e-6."""
    X, y, names = birthwt()
    fit = na.fit_logistic(X, y, names=names)
    ref = sm.GLM(y, sm.add_constant(X), family=sm.families.Binomial()).fit(tol=1e-12)
    assert ref.fit_history["iteration"] == fit.iterations + 1
    np.testing.assert_allclose(fit.coef, ref.params, rtol=1e-10)  # the estimates had converged
    rel_se = np.max(np.abs(fit.se - ref.bse) / ref.bse)
    assert 1e-9 < rel_se < 1e-5


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(binary_datasets(n=(40, 120), n_predictors=(1, 3), separation="none"))
def test_glm_agrees_with_statsmodels_on_any_unseparated_data(d):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        fit = na.fit_logistic(d.X, d.y.astype(float), profile=False)
        ref = sm_glm(d.X, d.y.astype(float))
    if not fit.converged or ref.fit_history["iteration"] != fit.iterations:
        # different stopping rules (R: relative deviance change < 1e-8; statsmodels: absolute change
        # < 1e-8) can stop one step apart: the estimates then agree to the convergence tolerance
        np.testing.assert_allclose(fit.coef, ref.params, rtol=1e-6, atol=1e-8)
        return
    np.testing.assert_allclose(fit.coef, ref.params, rtol=1e-9, atol=1e-12)
    np.testing.assert_allclose(fit.se, ref.bse, rtol=1e-9)
    np.testing.assert_allclose(fit.ci_wald, ref.conf_int(), rtol=1e-9, atol=1e-12)


def test_both_flag_complete_separation():
    x = np.r_[np.linspace(-2, -0.1, 10), np.linspace(0.1, 2, 10)]
    y = (x > 0).astype(float)
    with warnings.catch_warnings(record=True) as w:
        warnings.simplefilter("always")
        fit = na.fit_logistic(x[:, None], y, profile=False)
        sm_glm(x[:, None], y)
    assert fit.separation
    assert any(issubclass(c.category, SeparationWarning) for c in w)
    assert any(
        "separation" in str(c.message).lower() and c.category.__module__.startswith("statsmodels")
        for c in w
    )


# ------------------------------------------------------------------ contingency tables
@pytest.mark.parametrize("table", ["tea", "job", "smoke_low", "race_low"])
def test_chi_square_agrees_with_statsmodels_and_scipy(table):
    m = np.asarray(stored("contingency")["tables"][table]["table"], dtype=int)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", StatisticalWarning)
        mine = na.chisq_test(m, correct=False)
        yates = na.chisq_test(m, correct=True)
    # statsmodels' Table adds 1/2 to every cell of a table with a zero unless shift_zeros=False
    ref = Table(m, shift_zeros=False).test_nominal_association()
    assert mine.statistic == pytest.approx(ref.statistic, rel=1e-12)
    assert mine.p == pytest.approx(ref.pvalue, rel=1e-10)
    assert mine.df == ref.df
    stat, p, df, expected = chi2_contingency(
        m, correction=True
    )  # Yates for 2 x 2 only, as chisq.test
    assert yates.statistic == pytest.approx(stat, rel=1e-12) and yates.p == pytest.approx(
        p, rel=1e-10
    )
    np.testing.assert_allclose(mine.expected, expected, rtol=1e-13)


def test_statsmodels_default_shifts_zero_cells():
    m = np.asarray(stored("contingency")["tables"]["job"]["table"], dtype=int)
    assert (m == 0).any()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", StatisticalWarning)
        mine = na.chisq_test(m, correct=False)
    assert Table(m).test_nominal_association().statistic != pytest.approx(mine.statistic, rel=1e-3)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.filter_too_much])
@given(contingency_tables(rows=(2, 4), cols=(2, 4)))
def test_chi_square_agrees_with_statsmodels_on_any_table(m):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", StatisticalWarning)
        mine = na.chisq_test(m, correct=False)
    ref = Table(m, shift_zeros=False).test_nominal_association()
    assert mine.statistic == pytest.approx(ref.statistic, rel=1e-11, abs=1e-12)
    # statsmodels takes p = 1 - cdf (absolute error a few eps, all of a tiny p's digits); nenaudit and
    # R's pchisq(lower.tail = FALSE) the upper tail itself (chi2.sf): they agree to that cancellation
    assert mine.p == pytest.approx(ref.pvalue, rel=1e-9, abs=8 * np.finfo(float).eps)


def _t(v: float) -> float:
    """The scale on which R's fisher.test solves with uniroot: t = OR below 1, t = 1/OR above."""
    return v if v <= 1 else 1 / v


@pytest.mark.parametrize("table", ["tea", "smoke_low"])
def test_fisher_odds_ratio_agrees_with_scipy_to_r_uniroot_tolerance(table):
    """fisher.test's conditional MLE and exact CI are roots found by uniroot at its default tolerance
    (eps^0.25 ~ 1.2e-4) on t = OR or 1/OR; nenaudit reproduces R's roots (tests/test_compare.py), scipy
    solves the same equations more tightly. Tea tasting: upper bound R 621.9, scipy 626.2."""
    m = np.asarray(stored("contingency")["tables"][table]["table"], dtype=int)
    mine = na.fisher_test(m)
    ref = odds_ratio(m, kind="conditional")
    ci = ref.confidence_interval(confidence_level=0.95)
    for a, b in (
        (mine.odds_ratio, ref.statistic),
        (mine.conf_int[0], ci.low),
        (mine.conf_int[1], ci.high),
    ):
        assert abs(_t(a) - _t(b)) <= R_UNIROOT_TOL
    # statsmodels' Table2x2 gives the sample (unconditional) odds ratio ad/bc, a different estimator
    sample = Table2x2(m).oddsratio
    assert sample == pytest.approx(m[0, 0] * m[1, 1] / (m[0, 1] * m[1, 0]), rel=1e-14)
    assert abs(math.log(mine.odds_ratio)) < abs(
        math.log(sample)
    )  # the conditional MLE lies nearer 1 here


# ------------------------------------------------------------------ AUC, Brier
@pytest.mark.parametrize("marker", ["s100b", "ndka"])
def test_auc_agrees_with_roc_auc_score(marker):
    d = stored("roc")
    y, s = np.asarray(d["input"]["y"], int), np.asarray(d["input"][marker], float)
    assert na.roc_auc(y, s, direction="<").auc == pytest.approx(roc_auc_score(y, s), abs=1e-15)


@settings(max_examples=150, deadline=None)
@given(scored_outcomes(n=(4, 80), distinct=(1, 8)))
def test_auc_agrees_with_roc_auc_score_on_any_scores_with_ties(data):
    y, s = data
    # ties count one half in both (the trapezoidal area under the empirical ROC curve)
    assert na.roc_auc(y, s, direction="<").auc == pytest.approx(roc_auc_score(y, s), abs=1e-12)
    # pROC's direction "auto" (controls' median vs cases') can flip the curve; roc_auc_score never does
    auto = na.roc_auc(y, s)
    expected = roc_auc_score(y, s) if auto.direction == "<" else roc_auc_score(y, -s)
    assert auto.auc == pytest.approx(expected, abs=1e-12)


def test_brier_agrees_with_brier_score_loss():
    d = stored("calibration")
    y, p = np.asarray(d["input"]["y"], float), np.asarray(d["input"]["p"], float)
    assert na.brier_score(y, p) == pytest.approx(brier_score_loss(y, p), rel=1e-15)


# ------------------------------------------------------------------ lowess
def test_lowess_agrees_with_statsmodels():
    """R's clowess sets a tricube weight to 1 within 0.001 h of the point and to 0 beyond 0.999 h;
    statsmodels' lowess computes every weight exactly. Same neighbourhoods, same delta: the fits
    differ by what those cut-offs change, about 1e-9 on this curve (weights in [0, 1], y in {0, 1})."""
    d = stored("calibration")
    y, p = np.asarray(d["input"]["y"], float), np.asarray(d["input"]["p"], float)
    xs, ys = r_lowess(p, y)
    delta = 0.01 * (p.max() - p.min())  # R's default; statsmodels' default is 0
    ref = sm_lowess(y, p, frac=2 / 3, it=0, delta=delta, return_sorted=True)
    np.testing.assert_array_equal(xs, ref[:, 0])
    np.testing.assert_allclose(ys, ref[:, 1], rtol=0, atol=1e-8)
    assert np.max(np.abs(ys - ref[:, 1])) > 0  # not identical: the cut-offs do change the weights
    # statsmodels' own default delta = 0 fits every point: a different curve than R's default
    other = sm_lowess(y, p, frac=2 / 3, it=0, return_sorted=True)
    assert np.max(np.abs(other[:, 1] - ys)) > 1e-4
    xs0, ys0 = r_lowess(p, y, delta=0.0)
    np.testing.assert_allclose(ys0, other[:, 1], rtol=0, atol=1e-8)

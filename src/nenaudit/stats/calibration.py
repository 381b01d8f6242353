"""Calibration of predicted probabilities: logistic recalibration, Brier, Hosmer-Lemeshow, smooth curves.

* :func:`calibration_fit`: calibration-in-the-large (``glm(y ~ offset(lp), binomial)``) and the
  logistic recalibration intercept and slope (``glm(y ~ lp, binomial)``; rms ``val.prob``'s
  ``Intercept`` and ``Slope``).
* :func:`brier_score` (``val.prob``'s ``Brier``).
* :func:`hosmer_lemeshow`: deciles-of-risk test as ``ResourceSelection::hoslem.test``.
* :func:`r_lowess`: R's ``lowess(x, y, iter = 0)`` (the smoother of ``val.prob`` and
  ``rms::calibrate``).
* :func:`calibration_errors`: ICI, E50, E90, Emax from the lowess calibration curve
  (Austin & Steyerberg 2019; ``val.prob``'s ``Eavg``, ``E90``, ``Emax``).
* :func:`calibration_curve`: apparent smooth calibration curve on ``rms::calibrate``'s grid;
  :func:`calibrate_bootstrap`: the bootstrap bias-corrected curve of ``rms::calibrate``.

Outcome coding: 1 = event. Probabilities must lie strictly inside (0, 1) wherever a logit is
taken (R's ``val.prob`` drops 0/1 with a warning; here they are refused).
"""

from __future__ import annotations

import math
import warnings
from dataclasses import dataclass, field

import numpy as np
from scipy import special
from scipy import stats as sstats

from nenaudit.exceptions import ConvergenceWarning, NenauditError, SeparationWarning
from nenaudit.stats._checks import (
    aligned,  # pandas inputs aligned on their index or refused
    as_binary,
    check_indices,
)
from nenaudit.stats._glm import MSG_FITTED_01, MSG_NOT_CONVERGED, fitted_01, glm_fit, glm_se
from nenaudit.stats._rbase import approx_sorted, r_lowess, r_mean, r_seq
from nenaudit.stats._resample import (
    ResampleFailure,
    check_data,
    empty_failures,
    fit_full_data,
    resample_indices,
    run_resamples,
    warn_failures,
)
from nenaudit.stats.protocols import predict_proba
from nenaudit.stats.quantile import quantile7
from nenaudit.stats.result import Result

__all__ = [
    "CalibrationFit",
    "calibration_fit",
    "brier_score",
    "HosmerLemeshow",
    "hosmer_lemeshow",
    "r_lowess",
    "CalibrationErrors",
    "calibration_errors",
    "CalibrationCurve",
    "calibration_curve",
    "BootstrapCalibrationCurve",
    "calibrate_bootstrap",
    "check_probabilities",
]


# --------------------------------------------------------------------------------------
# Input checks
# --------------------------------------------------------------------------------------


def check_probabilities(
    p, n: int | None = None, name: str = "prob", open_interval: bool = False
) -> np.ndarray:
    """``p`` as a float vector in [0, 1] (or (0, 1)); anything else is a one-line :class:`NenauditError`."""
    try:
        a = np.asarray(p, dtype=float)
    except (TypeError, ValueError):
        raise NenauditError(f"{name} must be numeric probabilities") from None
    if a.ndim != 1:
        raise NenauditError(f"{name} must be a 1-d vector, got shape {a.shape}")
    if n is not None and a.size != n:
        raise NenauditError(
            f"{name} has {a.size} values but y has {n}: pass one probability per observation"
        )
    if np.isnan(a).any():
        i = int(np.flatnonzero(np.isnan(a))[0])
        raise NenauditError(
            f"{name} has a missing value (NaN) at position {i}: drop or predict that row first"
        )
    lo_bad = (a <= 0.0) | (a >= 1.0) if open_interval else (a < 0.0) | (a > 1.0)
    if lo_bad.any():
        i = int(np.flatnonzero(lo_bad)[0])
        rng = "strictly between 0 and 1" if open_interval else "in [0, 1]"
        raise NenauditError(
            f"{name}[{i}] = {a[i]!r} is not a probability {rng}: pass predicted probabilities, "
            "not a linear predictor or a percentage"
        )
    return a


def _y_and_lp(y, prob, lp) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    yy = as_binary(y).astype(float)
    if (prob is None) == (lp is None):
        raise NenauditError(
            "pass exactly one of prob (probabilities) or lp (linear predictor, logit scale)"
        )
    if prob is not None:
        p = check_probabilities(prob, yy.size, "prob", open_interval=True)
        return yy, p, special.logit(p)
    try:
        eta = np.asarray(lp, dtype=float)
    except (TypeError, ValueError):
        raise NenauditError("lp must be numeric") from None
    if eta.ndim != 1 or eta.size != yy.size:
        raise NenauditError(
            f"lp must be a 1-d vector as long as y ({yy.size}), got shape {eta.shape}"
        )
    if not np.isfinite(eta).all():
        raise NenauditError(
            f"lp has {int((~np.isfinite(eta)).sum())} missing or infinite values: drop those rows"
        )
    return yy, special.expit(eta), eta


# --------------------------------------------------------------------------------------
# Logistic recalibration and Brier
# --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class CalibrationFit(Result):
    """Calibration-in-the-large and the logistic recalibration line."""

    citl: float
    citl_se: float
    intercept: float
    intercept_se: float
    slope: float
    slope_se: float
    brier: float
    n: int
    n_events: int
    warnings: tuple[str, ...]


def _fit_glm(
    x: np.ndarray, y: np.ndarray, offset: np.ndarray
) -> tuple[np.ndarray, np.ndarray, list[str]]:
    fit = glm_fit(x, y, np.ones(y.size), offset)
    msgs = []
    if not fit.converged:
        msgs.append(MSG_NOT_CONVERGED)
    if fitted_01(fit.mu).any():
        msgs.append(MSG_FITTED_01)
    _, se = glm_se(fit)
    return fit.coef, se, msgs


def recalibration_line(y: np.ndarray, eta: np.ndarray) -> tuple[float, float, list[str]]:
    """Intercept and slope of ``glm(y ~ eta, binomial)`` (no input checks; used inside bootstrap loops)."""
    x = np.column_stack([np.ones(y.size), eta])
    if np.ptp(eta) == 0:
        return math.nan, math.nan, ["the linear predictor is constant: no calibration slope"]
    try:
        coef, _, msgs = _fit_glm(x, y, np.zeros(y.size))
    except np.linalg.LinAlgError:
        return math.nan, math.nan, ["the recalibration fit is singular: no calibration slope"]
    return float(coef[0]), float(coef[1]), msgs


@aligned
def calibration_fit(y, prob=None, *, lp=None) -> CalibrationFit:
    """Calibration-in-the-large, calibration intercept and slope, and the Brier score.

    * ``citl``: the intercept ``a`` of ``glm(y ~ offset(lp), family = binomial)`` (slope fixed
      at 1): the logit-scale gap between observed and predicted risk ("calibration-in-the-large",
      Steyerberg 2019, ch. 15). Zero for a model fitted by ML with an intercept on these data.
    * ``intercept``, ``slope``: ``coef(glm(y ~ lp, family = binomial))``, the logistic
      recalibration of Cox (1958); these are rms ``val.prob``'s ``"Intercept"`` and ``"Slope"``
      (which fits the same model with ``lrm.fit``; rms's Newton iterations stop at a looser
      criterion, so they agree with ``glm`` to about 1e-6 rather than to rounding).
    * ``brier``: ``mean((p - y)^2)`` (``val.prob``'s ``"Brier"``).

    Standard errors are glm's (dispersion 1). ``lp = qlogis(prob)``; pass either ``prob``
    (strictly inside (0, 1)) or ``lp``. Fits follow :mod:`nenaudit.stats.logistic` (R's
    ``glm.fit``); glm's warnings (non-convergence, fitted probabilities 0 or 1) are issued and
    recorded in ``warnings``.

    References
    ----------
    Cox DR. Two further applications of a model for binary regression. Biometrika
    1958;45:562-565. doi:10.1093/biomet/45.3-4.562
    Van Calster B, McLernon DJ, van Smeden M, et al. Calibration: the Achilles heel of
    predictive analytics. BMC Med 2019;17:230. doi:10.1186/s12916-019-1466-7
    Harrell FE. rms: Regression Modeling Strategies, ``val.prob``. https://CRAN.R-project.org/package=rms
    """
    yy, p, eta = _y_and_lp(y, prob, lp)
    if yy.min() == yy.max():
        raise NenauditError(
            f"y has only the value {int(yy[0])}: calibration needs both events and non-events"
        )
    c0, s0, m0 = _fit_glm(np.ones((yy.size, 1)), yy, eta)
    if np.ptp(eta) == 0:
        raise NenauditError("the predictions are all equal: the calibration slope is undefined")
    c1, s1, m1 = _fit_glm(np.column_stack([np.ones(yy.size), eta]), yy, np.zeros(yy.size))
    msgs = tuple(dict.fromkeys(m0 + m1))
    for m in msgs:
        warnings.warn(
            m, ConvergenceWarning if m == MSG_NOT_CONVERGED else SeparationWarning, stacklevel=2
        )
    return CalibrationFit(
        float(c0[0]),
        float(s0[0]),
        float(c1[0]),
        float(s1[0]),
        float(c1[1]),
        float(s1[1]),
        brier_score(yy, p),
        int(yy.size),
        int(yy.sum()),
        msgs,
    )


@aligned
def brier_score(y, prob) -> float:
    """Brier score ``mean((p - y)^2)``, as rms ``val.prob``'s ``"Brier"`` and validate's ``"B"``.

    scikit-learn's ``brier_score_loss(y, prob)`` is the same mean (``tests/test_python_references.py``).

    References
    ----------
    Brier GW. Verification of forecasts expressed in terms of probability. Mon Weather Rev
    1950;78:1-3. doi:10.1175/1520-0493(1950)078<0001:VOFEIT>2.0.CO;2
    """
    yy = as_binary(y).astype(float)
    p = check_probabilities(prob, yy.size)
    return float(np.mean((p - yy) ** 2))


# --------------------------------------------------------------------------------------
# Hosmer-Lemeshow
# --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class HosmerLemeshow(Result):
    """Hosmer-Lemeshow goodness-of-fit test with its grouping table."""

    statistic: float
    df: int
    p_value: float
    g: int
    breaks: np.ndarray
    n: np.ndarray
    observed: np.ndarray
    expected: np.ndarray
    convention: str


@aligned
def hosmer_lemeshow(y, prob, g: int = 10) -> HosmerLemeshow:
    """Hosmer-Lemeshow test by groups of risk, as ``ResourceSelection::hoslem.test(y, prob, g)``.

    Conventions (those of ``hoslem.test``): the cut points are ``quantile(prob, seq(0, 1,
    1/g))`` (R's type 7), groups are ``cut(prob, breaks, include.lowest = TRUE)`` (intervals
    closed on the right, the first also on the left); the statistic sums
    ``(O - E)^2 / E`` over the g groups and both outcome columns (events: O = sum(y),
    E = sum(p); non-events: O = sum(1 - y), E = sum(1 - p)), which equals
    ``sum (O1 - E1)^2 / (E1 (1 - E1 / n_g))``; ``df = g - 2``; ``p = 1 - pchisq(stat, df)``.
    Tied cut points (``hoslem.test`` stops with "breaks are not unique") and empty groups are
    refused with a message to use fewer groups. The test is not in Debian's R, so
    ``reference_r/calibration.R`` writes these steps in base R.

    References
    ----------
    Hosmer DW, Lemeshow S. Goodness of fit tests for the multiple logistic regression model.
    Commun Stat Theory Methods 1980;9:1043-1069. doi:10.1080/03610928008827941
    Hosmer DW, Lemeshow S, Sturdivant RX. Applied Logistic Regression, 3rd ed. Wiley; 2013,
    section 5.2.2. doi:10.1002/9781118548387
    """
    yy = as_binary(y).astype(float)
    p = check_probabilities(prob, yy.size)
    if isinstance(g, bool) or not float(g).is_integer() or g < 3:
        raise NenauditError(f"g must be a whole number of groups >= 3, got {g!r}")
    g = int(g)
    probs = np.arange(g + 1) * (1.0 / g)  # R: seq(0, 1, 1/g) = 0 + (0:g) * by
    probs[-1] = min(probs[-1], 1.0)
    breaks = quantile7(p, probs)
    if np.any(np.diff(breaks) <= 0):
        raise NenauditError(
            f"the {g} risk groups have tied cut points (many equal predictions): use fewer groups, "
            f"e.g. g={max(3, g // 2)}"
        )
    # cut(..., include.lowest = TRUE, right = TRUE): (b_k, b_{k+1}], first interval closed
    grp = np.searchsorted(breaks, p, side="left") - 1
    grp[p == breaks[0]] = 0
    n_g = np.bincount(grp, minlength=g).astype(int)
    if np.any(n_g == 0):
        raise NenauditError(
            f"{int((n_g == 0).sum())} of the {g} risk groups are empty: use fewer groups"
        )
    o1 = np.bincount(grp, weights=yy, minlength=g)
    e1 = np.bincount(grp, weights=p, minlength=g)
    o0 = n_g - o1
    e0 = n_g - e1
    with np.errstate(divide="ignore", invalid="ignore"):
        stat = float(np.sum((o0 - e0) ** 2 / e0) + np.sum((o1 - e1) ** 2 / e1))
    df = g - 2
    pval = float(sstats.chi2.sf(stat, df))
    return HosmerLemeshow(
        stat,
        df,
        pval,
        g,
        breaks,
        n_g,
        np.column_stack([o0, o1]),
        np.column_stack([e0, e1]),
        "ResourceSelection::hoslem.test: type-7 quantile breaks, cut(include.lowest=TRUE), df=g-2",
    )


# --------------------------------------------------------------------------------------
# ICI, E50, E90
# --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class CalibrationErrors(Result):
    """Absolute differences between predicted and smoothed observed risk."""

    ici: float
    e50: float
    e90: float
    emax: float
    smoother: str


@aligned
def calibration_errors(y, prob) -> CalibrationErrors:
    """Integrated calibration index (ICI), E50, E90 and Emax (Austin & Steyerberg 2019).

    The calibration curve is R's ``lowess(p, y, iter = 0)`` read off at each ``p`` with
    ``approx(..., ties = mean)``, exactly as rms ``val.prob`` does; then with
    ``e = |p - cal(p)|``: ``ICI = mean(e)`` (``val.prob``'s ``Eavg``), ``E50 = median(e)``,
    ``E90 = quantile(e, 0.9)`` (type 7; ``val.prob``'s ``E90``), ``Emax = max(e)`` (``val.prob``'s
    ``Emax``). Austin & Steyerberg's own code smooths with ``loess()`` (span 0.75, degree 2)
    instead; they note that ICI is defined for any smoother and the two give similar values.
    The lowess smoother is used here so that the numbers equal ``val.prob``'s.

    References
    ----------
    Austin PC, Steyerberg EW. The Integrated Calibration Index (ICI) and related metrics for
    quantifying the calibration of logistic regression models. Stat Med 2019;38:4051-4065.
    doi:10.1002/sim.8281
    """
    yy = as_binary(y).astype(float)
    p = check_probabilities(prob, yy.size)
    if np.ptp(p) == 0:
        raise NenauditError("the predictions are all equal: no calibration curve can be smoothed")
    sx, sy = r_lowess(p, yy)
    cal = approx_sorted(sx, sy, p, "mean")
    e = np.abs(p - cal)
    q = quantile7(e, [0.5, 0.9])
    return CalibrationErrors(
        r_mean(e), float(q[0]), float(q[1]), float(e.max()), "lowess(iter = 0), as rms::val.prob"
    )


# --------------------------------------------------------------------------------------
# Calibration curves (rms::calibrate)
# --------------------------------------------------------------------------------------


def calibrate_grid(prob: np.ndarray) -> np.ndarray:
    """``rms::calibrate``'s default ``predy``: ``seq(p[5], p[n - 4], length = 50)`` of the sorted predictions."""
    p = np.sort(np.asarray(prob, dtype=float))
    if p.size < 11:
        raise NenauditError(
            f"the calibration grid needs n > 10 observations (rms::calibrate's rule), got {p.size}"
        )
    return r_seq(float(p[4]), float(p[p.size - 5]), 50)


def curve_at(prob: np.ndarray, y: np.ndarray, predy: np.ndarray) -> np.ndarray:
    """``rms::calibrate``'s ``cal.error`` before subtracting ``predy``: lowess of y on p, at ``predy``.

    ``approx(lowess(p, y, iter = 0), xout = predy, ties = function(x) x[1])$y``; NaN outside the
    range of ``p`` (``rule = 1``).
    """
    sx, sy = r_lowess(prob, y)
    return approx_sorted(sx, sy, predy, "first")


@dataclass(frozen=True)
class CalibrationCurve(Result):
    """Apparent smooth calibration curve on a grid of predicted probabilities."""

    predicted: np.ndarray
    observed: np.ndarray
    mean_abs_error: float
    n: int


@aligned
def calibration_curve(y, prob, grid=None) -> CalibrationCurve:
    """Apparent calibration curve as ``rms::calibrate``'s ``calibrated.orig`` column.

    ``observed = approx(lowess(p, y, iter = 0), xout = grid, ties = function(x) x[1])$y`` with
    the default grid ``seq(p[5], p[n - 4], length = 50)`` of the sorted predictions (rms's
    ``predy``). ``mean_abs_error`` is the mean of ``|observed - grid|`` over the grid (rms's
    printed "Mean absolute error" is the same mean for the bias-corrected curve).

    References
    ----------
    Harrell FE. Regression Modeling Strategies, 2nd ed. Springer; 2015, section 10.11.
    doi:10.1007/978-3-319-19425-7
    """
    yy = as_binary(y).astype(float)
    p = check_probabilities(prob, yy.size)
    if np.ptp(p) == 0:
        raise NenauditError("the predictions are all equal: no calibration curve can be smoothed")
    predy = calibrate_grid(p) if grid is None else check_probabilities(grid, None, "grid")
    obs = curve_at(p, yy, predy)
    return CalibrationCurve(predy, obs, float(np.nanmean(np.abs(obs - predy))), int(yy.size))


def _calibrate_eval(model, Xt, yt, X, y, predy):
    """One resample of :func:`calibrate_bootstrap`: the training and test curves at ``predy``."""
    p_tr = predict_proba(model, Xt)
    p_te = predict_proba(model, X)
    if np.ptp(p_tr) == 0:
        return ResampleFailure("error", "constant predictions: no calibration curve")
    return curve_at(p_tr, yt, predy), curve_at(p_te, y, predy)


@dataclass(frozen=True)
class BootstrapCalibrationCurve(Result):
    """``rms::calibrate`` output: apparent and bias-corrected curves with the per-point optimism."""

    predicted: np.ndarray
    apparent: np.ndarray
    corrected: np.ndarray
    optimism: np.ndarray
    n_per_point: np.ndarray
    mean_abs_error: float
    mean_sq_error: float
    error_90: float
    n_boot: int
    n_ok: int
    failures: dict = field(default_factory=dict)


@aligned
def calibrate_bootstrap(
    X, y, procedure, *, n_boot: int = 40, seed=None, indices=None, jobs: int = 1, grid=None
) -> BootstrapCalibrationCurve:
    """Bootstrap bias-corrected calibration curve, as ``rms::calibrate(fit, B, method = "boot")``.

    For each resample ``b`` (rows ``indices[b]``), ``procedure`` is refitted on the resample and
    its predictions are smoothed twice with ``lowess(iter = 0)`` and read off at the grid
    (:func:`curve_at`): on the resample itself ("training") and on the original data ("test").
    ``optimism(grid) = mean_b(training - test)`` over the resamples where both are defined at
    that grid point (rms's ``predab.resample`` counts ``n`` per point the same way), and
    ``corrected = apparent - optimism``. The grid is rms's ``predy`` (:func:`calibrate_grid`) of
    the apparent predictions. Failed refits (one class, separation, non-convergence) are
    counted by reason in ``failures`` and left out, as ``predab.resample`` leaves out its
    failed fits. ``mean_abs_error``, ``mean_sq_error`` and ``error_90`` are those
    ``print.calibrate`` shows: of ``p - corrected(p)`` at the n apparent predictions, the
    corrected curve interpolated linearly (``approx(..., ties = mean)``). With ``indices`` drawn as in R by
    ``replicate(B, sample(n, replace = TRUE))`` after the same ``set.seed``, the result equals
    ``rms::calibrate``'s (see ``reference_r/calibration.R``), up to ``lrm.fit``'s looser
    convergence.

    ``procedure`` follows :mod:`nenaudit.stats.validation` (``procedure(X, y) -> model`` with
    ``predict_lp`` or ``predict_proba``); ``indices`` are 0-based, one resample per row, else
    ``n_boot`` resamples are drawn from ``seed``.

    References
    ----------
    Harrell FE. Regression Modeling Strategies, 2nd ed. Springer; 2015, section 10.11.
    doi:10.1007/978-3-319-19425-7
    Austin PC, Steyerberg EW. Graphical assessment of internal and external calibration of
    logistic regression models by using loess smoothers. Stat Med 2014;33:517-535.
    doi:10.1002/sim.5941
    """
    Xd, yy = check_data(X, y)
    idx = (
        resample_indices(yy.size, n_boot, seed)
        if indices is None
        else check_indices(indices, yy.size)
    )
    model = fit_full_data(procedure, Xd, yy)
    p_app = predict_proba(model, Xd)
    predy = calibrate_grid(p_app) if grid is None else check_probabilities(grid, None, "grid")
    apparent = curve_at(p_app, yy, predy)

    outs = run_resamples(_calibrate_eval, procedure, Xd, yy, list(idx), jobs, payload=predy)
    fails = empty_failures()
    tr_sum = np.zeros(predy.size)
    te_sum = np.zeros(predy.size)
    num = np.zeros(predy.size, dtype=int)
    n_ok = 0
    for o in outs:
        if isinstance(o, ResampleFailure):
            fails[o.reason] += 1
            continue
        n_ok += 1
        tr, te = o
        ok = ~(np.isnan(tr) | np.isnan(te))
        tr_sum[ok] += tr[ok]
        te_sum[ok] += te[ok]
        num += ok
    warn_failures(fails, idx.shape[0])
    with np.errstate(invalid="ignore", divide="ignore"):
        opt = (tr_sum - te_sum) / num
    corrected = apparent - opt
    # print.calibrate.default: err = predicted - approx(predy, corrected, xout = predicted, ties = mean)$y
    s = ~np.isnan(corrected)
    if s.sum() >= 2:
        err = p_app - approx_sorted(predy[s], corrected[s], p_app, "mean")
        good = np.abs(err[~np.isnan(err)])
    else:
        good = np.empty(0)
    e90 = float(quantile7(good, [0.9])[0]) if good.size else math.nan
    return BootstrapCalibrationCurve(
        predy,
        apparent,
        corrected,
        opt,
        num,
        float(np.mean(good)) if good.size else math.nan,
        float(np.mean(good**2)) if good.size else math.nan,
        e90,
        int(idx.shape[0]),
        n_ok,
        fails,
    )

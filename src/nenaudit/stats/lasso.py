"""L1-penalized logistic regression path and K-fold cross-validation, as ``glmnet::cv.glmnet``.

:func:`lasso_path` is ``glmnet(x, y, family = "binomial")`` (alpha = 1, 100 lambdas,
``lambda.min.ratio = ifelse(nobs < nvars, 0.01, 1e-4)``, ``standardize = TRUE``,
``intercept = TRUE``, ``thresh = 1e-7``, ``type.logistic = "Newton"``); :func:`cv_lasso` is
``cv.glmnet(x, y, family = "binomial", foldid = ...)`` with ``type.measure = "deviance"``
or ``"auc"``, ``alignment = "lambda"``, ``grouped = TRUE`` (glmnet 4.1-6, Debian 12).

Solver
------
The coordinate-descent solver is nenaudit's own kernel, :mod:`nenaudit.stats._lognet`: glmnet's
two-class algorithm (``lognet``) written here in glmnet's order of steps and compiled by numba
(cached on disk after the first use, about 10 s). It fits what R's ``glmnet()`` fits with its
defaults (unit penalty factors, no bounds, standardized, with intercept, ``maxit = 1e5``, Newton
steps), makes R's passes (``npasses`` equal to R's) and agrees with R to about 1e-13; it releases
the GIL, so the K + 1 fits of a cross-validation run on threads. It shares glmnet's internal
constants (``fdev = 1e-5``, ``devmax = 0.999``, ``mnlam = 5``, ``eps = 1e-6``, ``pmin = 1e-9``,
``exmx = 250``, ``big = 9.9e35``) and stops a path early as R 4.1's glmnetpp does. Everything
around it (lambda grid repair, the CV loop, interpolation, measures, lambda.min/1se) is
re-implemented here from glmnet's R sources. The tests compare it with R's glmnet run in the test
and with glmnet's own Fortran ``lognet`` (python-glmnet, an independent oracle of the test extra).

Why glmnet's iterations and not any solver of the objective: glmnet's default
``thresh = 1e-7`` stops its coordinate descent 4e-4 to 8e-4 (coefficients) from the exact
optimum on data of this study's size, so any solver that only shares the objective differs
from R by more than 1e-4 and can pick another lambda.min. Making glmnet's passes, in glmnet's
order, reproduces R to about 1e-13 (see ``tests/test_lasso.py``).

cv.glmnet conventions reproduced
--------------------------------
* Every fit (full data and each training fold) standardizes internally with the
  population SD (divisor n) of its own rows; coefficients come back on the original scale.
* The full-data lambda grid: lambda_max, then ``lambda_max * ratio^(k/99)``; glmnet's path
  may stop early (deviance ratio > 0.999, or a relative change < 1e-5 after 5 lambdas), so
  fewer than 100 lambdas is normal. The first lambda (returned by the solver as 9.9e35) is
  replaced by ``exp(2 log l2 - log l3)`` (``glmnet:::fix.lam``).
* Each training fold fits its own default grid (cv.glmnet does not pass the full-data
  lambdas); held-out linear predictors at the full-data lambdas are obtained by linear
  interpolation in lambda between the fold's neighbouring solutions, clamped at the ends
  (``glmnet:::lambda.interp``).
* Deviance: probabilities clipped to ``[1e-5, 1 - 1e-5]``; per-fold means, then the mean of
  fold means weighted by fold size; ``cvsd = sqrt(weighted variance / (K - 1))``.
  AUC: per fold (Mann-Whitney, ties 1/2, as ``survival::concordance``), weighted by fold size;
  with fewer than 10 observations per fold R falls back to deviance, and so does this (warning).
* ``lambda.min`` is the largest lambda whose CV mean equals the minimum (for AUC, maximum);
  ``lambda.1se`` the largest lambda whose mean is within one SE of it.

References
----------
Friedman J, Hastie T, Tibshirani R. Regularization paths for generalized linear models via
coordinate descent. J Stat Softw 2010;33(1):1-22. doi:10.18637/jss.v033.i01
Tibshirani R et al. Strong rules for discarding predictors in lasso-type problems.
J R Stat Soc B 2012;74:245-266. doi:10.1111/j.1467-9868.2011.01004.x
"""

from __future__ import annotations

import math
import os
import warnings
from collections.abc import Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any

import numpy as np

from nenaudit.exceptions import ConvergenceWarning, NenauditError, StatisticalWarning
from nenaudit.stats._checks import aligned, as_matrix, require_finite
from nenaudit.stats._lognet import lognet_path
from nenaudit.stats.result import Result

__all__ = [
    "LassoPath",
    "LassoCV",
    "RadscoreFormula",
    "lasso_path",
    "cv_lasso",
    "make_foldid",
    "radscore_formula",
    "apply_radscore",
]

_PROB_MIN = 1e-5  # cv.lognet's prob_min
MEASURES = ("deviance", "auc")
_MEASURE_NAMES = {"deviance": "Binomial Deviance", "auc": "AUC"}


# ---------------------------------------------------------------------------------------
# Results
# ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class LassoPath(Result):
    """A glmnet binomial lasso path (``glmnet(x, y, family = "binomial")``).

    ``coef`` is (n_lambda, p) on the original scale of ``X``; ``intercept`` has one value per
    lambda; ``dev_ratio`` is glmnet's fraction of null deviance explained; ``nulldev`` the
    null deviance; ``warnings`` the messages R would print (non-fatal solver codes, small
    classes).
    """

    lambdas: np.ndarray
    intercept: np.ndarray
    coef: np.ndarray
    dev_ratio: np.ndarray
    nulldev: float
    npasses: int
    feature_names: tuple[str, ...]
    thresh: float
    warnings: tuple[str, ...] = ()

    @property
    def nonzero(self) -> np.ndarray:
        """Number of non-zero coefficients at each lambda (``predict(fit, type = "nonzero")``)."""
        return np.count_nonzero(self.coef, axis=1)

    def coefficients(self, index: int) -> dict[str, float]:
        """``coef(fit)[, index]`` as ``{"(Intercept)": a0, name: beta, ...}`` (zeros included)."""
        out = {"(Intercept)": float(self.intercept[index])}
        out.update({n: float(b) for n, b in zip(self.feature_names, self.coef[index])})
        return out

    def link(self, X: np.ndarray) -> np.ndarray:
        """Linear predictors ``predict(fit, newx = X, type = "link")``: (n, n_lambda)."""
        X = np.asarray(X, dtype=float)
        return X @ self.coef.T + self.intercept


@dataclass(frozen=True)
class LassoCV(Result):
    """``cv.glmnet(x, y, family = "binomial")``: the CV curve, lambda.min/1se and the full-data fit.

    ``cvm``, ``cvsd``, ``nonzero`` are aligned with ``lambdas`` (the full-data path, after
    dropping lambdas whose SE is undefined, as ``cvstats`` does). ``index_min``/``index_1se``
    are 0-based positions in ``lambdas``. ``measure`` is the measure actually used (R switches
    AUC to deviance when folds are small; then ``warnings`` says so).
    """

    lambdas: np.ndarray
    cvm: np.ndarray
    cvsd: np.ndarray
    nonzero: np.ndarray
    measure: str
    lambda_min: float
    lambda_1se: float
    index_min: int
    index_1se: int
    foldid: np.ndarray
    path: LassoPath
    warnings: tuple[str, ...] = ()

    @property
    def cvup(self) -> np.ndarray:
        return self.cvm + self.cvsd

    @property
    def cvlo(self) -> np.ndarray:
        return self.cvm - self.cvsd

    @property
    def feature_names(self) -> tuple[str, ...]:
        return self.path.feature_names

    def _index(self, which: str) -> int:
        if which in ("min", "lambda.min"):
            return self.index_min
        if which in ("1se", "lambda.1se"):
            return self.index_1se
        raise NenauditError(f"which={which!r}: use 'min' (lambda.min) or '1se' (lambda.1se)")

    def coefficients(self, which: str = "min") -> dict[str, float]:
        """``coef(cvfit, s = "lambda.min")`` (or ``"lambda.1se"``), intercept first, zeros included."""
        return self.path.coefficients(self._index(which))

    def selected(self, which: str = "min") -> list[str]:
        """Names of the features with a non-zero coefficient at lambda.min (or lambda.1se)."""
        i = self._index(which)
        return [n for n, b in zip(self.path.feature_names, self.path.coef[i]) if b != 0.0]

    def curve(self) -> list[dict[str, float]]:
        """One row per lambda: ``{"lambda", "mean", "se", "nonzero"}``."""
        return [
            {"lambda": float(l), "mean": float(m), "se": float(s), "nonzero": int(z)}
            for l, m, s, z in zip(self.lambdas, self.cvm, self.cvsd, self.nonzero)
        ]

    def summary(self) -> dict[str, Any]:
        """The JSON shape of ``nenaudit lasso --json``."""
        return {
            "measure": self.measure,
            "lambda_min": float(self.lambda_min),
            "lambda_1se": float(self.lambda_1se),
            "coefficients_min": self.coefficients("min"),
            "coefficients_1se": self.coefficients("1se"),
            "cv": self.curve(),
            "warnings": list(self.warnings),
        }


@dataclass(frozen=True)
class RadscoreFormula(Result):
    """A Radscore: ``intercept + sum_j coef_j * x_j`` over the selected features.

    ``intercept`` is ``None`` for a formula printed without one (as Feng et al. 2025 print
    theirs); the linear predictor of a glmnet fit carries its intercept.
    """

    coefficients: dict[str, float]
    intercept: float | None = None
    source: str = ""
    unresolved: tuple[str, ...] = ()  # published names not mapped to a pyradiomics key

    def apply(self, table: Any, *, include_intercept: bool = True) -> np.ndarray:
        """The Radscore of every row of ``table`` (see :func:`apply_radscore`)."""
        return apply_radscore(self, table, include_intercept=include_intercept)


# ---------------------------------------------------------------------------------------
# Input checks
# ---------------------------------------------------------------------------------------


def _check_xy(
    X: Any, y: Any, feature_names: Sequence[str] | None
) -> tuple[np.ndarray, np.ndarray, tuple[str, ...]]:
    Xa, names = as_matrix(X, feature_names, "X")
    n, p = Xa.shape
    if p < 2:
        raise NenauditError(f"X: glmnet needs at least 2 feature columns, got {p}")
    require_finite(Xa, names, "X")
    const = np.flatnonzero(np.ptp(Xa, axis=0) == 0)
    if const.size:
        shown = ", ".join(repr(names[j]) for j in const[:5]) + (", ..." if const.size > 5 else "")
        raise NenauditError(
            f"{const.size} constant feature(s) ({shown}): a constant has no lasso coefficient; drop them first"
        )
    try:
        ya = np.asarray(y, dtype=float).ravel()
    except (TypeError, ValueError):
        raise NenauditError("y: the outcome must be coded 0/1") from None
    if ya.shape[0] != n:
        raise NenauditError(f"y has {ya.shape[0]} values but X has {n} rows")
    if not np.all(np.isfinite(ya)) or not np.all((ya == 0) | (ya == 1)):
        i = int(np.flatnonzero(~((ya == 0) | (ya == 1)))[0])
        raise NenauditError(f"y, row {i + 1}: {ya[i]!r}; the outcome must be coded 0/1")
    return Xa, ya, tuple(names)


def _class_check(y: np.ndarray, where: str, messages: list[str]) -> None:
    """glmnet's lognet(): a class with <= 1 observation stops; fewer than 8 warns."""
    n1 = int(y.sum())
    minclass = min(n1, y.size - n1)
    if minclass <= 1:
        raise NenauditError(
            f"{where}: one outcome class has {minclass} observation(s); glmnet needs at least 2 of each"
        )
    if minclass < 8:
        messages.append(
            f"{where}: one binomial class has fewer than 8 observations; dangerous ground"
        )


# ---------------------------------------------------------------------------------------
# The solver call (the compiled kernel of ._lognet)
# ---------------------------------------------------------------------------------------


def _jerr_message(jerr: int, maxit: int, nx: int) -> tuple[bool, str]:
    """(fatal, message) for a lognet error code, as ``glmnet:::jerr.lognet`` words it."""
    if jerr > 0:
        if jerr < 7777:
            return True, "memory allocation error in glmnet's solver"
        if jerr == 7777:
            return True, "all used predictors have zero variance"
        if 8000 < jerr < 9000:
            return True, f"null probability for class {jerr - 8000} < 1.0e-5"
        if 9000 < jerr < 10000:
            return True, f"null probability for class {jerr - 9000} > 1.0 - 1.0e-5"
        if jerr == 10000:
            return True, "all penalty factors are <= 0"
        return True, f"fatal glmnet error code {jerr}"
    if jerr > -10000:
        return False, (
            f"convergence for {-jerr}th lambda value not reached after maxit={maxit} iterations; "
            "solutions for larger lambdas returned"
        )
    if jerr > -20000:
        return False, (
            f"number of nonzero coefficients along the path exceeds pmax={nx} at {-jerr - 10000}th lambda value; "
            "solutions for larger lambdas returned"
        )
    return False, (
        f"from {-jerr - 20000}th lambda on, fitted probabilities are 0 or 1; solutions for larger lambdas returned"
    )


def _fit_raw(
    x: np.ndarray,
    y: np.ndarray,
    *,
    nlambda: int,
    lambda_min_ratio: float | None,
    lambdas: np.ndarray | None,
    thresh: float,
    maxit: int,
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, float, int, int]:
    """One glmnet binomial fit through the compiled kernel of :mod:`._lognet` (glmnet's iterations,
    GIL released); ``x`` (n, p) must be a Fortran-ordered float64 copy (the solver overwrites it).

    Returns (lambdas, intercept, coef (L, p), dev_ratio, nulldev, npasses, jerr).
    """
    n, p = x.shape
    if lambdas is None:
        flmin = (0.01 if n < p else 1e-4) if lambda_min_ratio is None else float(lambda_min_ratio)
        ulam = None
    else:
        flmin = 1.0
        ulam = np.sort(np.asarray(lambdas, dtype=float))[::-1]
    lam, a0, coef, devr, nulldev, nlp, jerr = lognet_path(
        x.T, y, flmin=flmin, ulam=ulam, nlam=int(nlambda), thresh=float(thresh), maxit=int(maxit)
    )
    if lambdas is None and lam.size > 2:  # glmnet:::fix.lam
        llam = np.log(lam)
        lam[0] = math.exp(2.0 * llam[1] - llam[2])
    return lam, a0, coef, devr, nulldev, nlp, jerr


def _path_from_raw(raw, names, thresh, maxit, messages, where) -> LassoPath:
    lam, a0, coef, devr, nulldev, nlp, jerr = raw
    p = coef.shape[1]
    if jerr != 0:
        fatal, msg = _jerr_message(jerr, maxit, p)
        if fatal:
            raise NenauditError(f"{where}: glmnet stopped: {msg}")
        messages.append(f"{where}: {msg}")
    if lam.size < 1:
        raise NenauditError(
            f"{where}: glmnet returned an empty model; check the data for separation"
        )
    return LassoPath(
        lambdas=lam,
        intercept=a0,
        coef=coef,
        dev_ratio=devr,
        nulldev=nulldev,
        npasses=nlp,
        feature_names=tuple(names),
        thresh=float(thresh),
        warnings=tuple(messages),
    )


@aligned
def lasso_path(
    X: Any,
    y: Any,
    *,
    feature_names: Sequence[str] | None = None,
    nlambda: int = 100,
    lambda_min_ratio: float | None = None,
    lambdas: Sequence[float] | None = None,
    thresh: float = 1e-7,
    maxit: int = 100_000,
) -> LassoPath:
    """Binomial lasso path, as ``glmnet(x, y, family = "binomial")`` with its defaults.

    Parameters
    ----------
    X : (n, p) array or DataFrame
        Features (finite, none constant, unique names). Standardized internally with the
        population SD, as glmnet's ``standardize = TRUE``; coefficients on X's own scale.
    y : (n,) 0/1 outcome; the modelled probability is P(y = 1).
    lambdas : optional user grid (R's ``lambda =``); then no early stop and no grid repair.
    nlambda, lambda_min_ratio, thresh, maxit : glmnet's arguments and defaults
        (``lambda.min.ratio = 0.01`` if n < p else ``1e-4``).

    Warnings R prints (solver codes, a class with < 8 observations) are issued as
    :class:`~nenaudit.exceptions.StatisticalWarning` and kept in ``warnings``.

    References
    ----------
    Friedman J, Hastie T, Tibshirani R. J Stat Softw 2010;33(1):1-22. doi:10.18637/jss.v033.i01
    (R: ``glmnet(x, y, family = "binomial")`` with its defaults).
    """
    Xa, ya, names = _check_xy(X, y, feature_names)
    messages: list[str] = []
    _class_check(ya, "y", messages)
    raw = _fit_raw(
        np.array(Xa, dtype=float, order="F", copy=True),
        ya,
        nlambda=int(nlambda),
        lambda_min_ratio=lambda_min_ratio,
        lambdas=None if lambdas is None else np.asarray(lambdas, float),
        thresh=thresh,
        maxit=maxit,
    )
    path = _path_from_raw(raw, names, thresh, maxit, messages, "glmnet")
    for m in path.warnings:
        warnings.warn(
            m, ConvergenceWarning if "convergence" in m else StatisticalWarning, stacklevel=2
        )
    return path


# ---------------------------------------------------------------------------------------
# Cross-validation
# ---------------------------------------------------------------------------------------


def make_foldid(
    n: int, nfolds: int = 10, seed: int | np.random.Generator | None = None
) -> np.ndarray:
    """Fold labels 1..K in cv.glmnet's scheme: a random permutation of ``rep(1:K, length = n)``.

    The permutation comes from ``numpy.random.default_rng(seed)``, so it is reproducible in
    Python but is not R's ``sample()`` stream: for parity with an R analysis pass R's foldid.
    """
    if nfolds < 3:
        raise NenauditError(f"nfolds={nfolds}: cv.glmnet needs at least 3 folds (10 recommended)")
    if n < nfolds:
        raise NenauditError(f"{n} observations cannot fill {nfolds} folds")
    rng = seed if isinstance(seed, np.random.Generator) else np.random.default_rng(seed)
    base = np.resize(np.arange(1, nfolds + 1), n)
    return rng.permutation(base)


def _check_foldid(foldid: Any, n: int) -> tuple[np.ndarray, int]:
    f = np.asarray(foldid)
    if f.ndim != 1 or f.shape[0] != n:
        raise NenauditError(f"foldid: expected {n} fold labels, got shape {f.shape}")
    try:
        fi = f.astype(float)
    except (TypeError, ValueError):
        raise NenauditError("foldid: fold labels must be the integers 1..K") from None
    if not np.all(np.isfinite(fi)) or np.any(fi != np.round(fi)):
        raise NenauditError("foldid: fold labels must be the integers 1..K")
    fi = fi.astype(int)
    k = int(fi.max())
    present = set(np.unique(fi).tolist())
    if present != set(range(1, k + 1)):
        missing = sorted(set(range(1, k + 1)) - present)
        extra = sorted(present - set(range(1, k + 1)))
        what = f"label {extra[0]} is outside 1..{k}" if extra else f"fold {missing[0]} is empty"
        raise NenauditError(f"foldid: {what}; fold labels must be exactly 1..K (as in R)")
    if k < 3:
        raise NenauditError(f"foldid: {k} folds; cv.glmnet needs at least 3 (10 recommended)")
    return fi, k


def _interp_coords(
    fold_lam: np.ndarray, s: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """``glmnet:::lambda.interp``: left/right indices (0-based) and weights of ``s`` on a fold grid."""
    k = fold_lam.size
    if k == 1:
        z = np.zeros(s.size, dtype=int)
        return z, z, np.ones(s.size)
    l1, lk = fold_lam[0], fold_lam[-1]
    sfrac = (l1 - s) / (l1 - lk)
    lam = (l1 - fold_lam) / (l1 - lk)  # increasing from 0 to 1
    lo, hi = lam.min(), lam.max()
    sfrac = np.where(sfrac < lo, lo, sfrac)
    sfrac = np.where(sfrac > hi, hi, sfrac)
    # approx(lam, seq_along(lam), sfrac)$y exactly as R's approx1(): bisection, exact hits, linear
    j = np.searchsorted(lam, sfrac, side="right")  # lam[j-1] <= v < lam[j]
    j = np.clip(j, 1, k - 1)
    i = j - 1
    xi, xj = lam[i], lam[j]
    coord = (i + 1) + 1.0 * ((sfrac - xi) / (xj - xi))
    coord = np.where(sfrac == xj, j + 1.0, coord)
    coord = np.where(sfrac == xi, i + 1.0, coord)
    left = np.floor(coord).astype(int) - 1
    right = np.ceil(coord).astype(int) - 1
    den = lam[left] - lam[right]
    with np.errstate(invalid="ignore", divide="ignore"):
        frac = (sfrac - lam[right]) / den
    frac = np.where(left == right, 1.0, frac)
    frac = np.where(np.abs(den) < np.finfo(float).eps, 1.0, frac)
    return left, right, frac


def _n_workers(n_jobs: int | None, tasks: int) -> int:
    if n_jobs is None:
        try:
            cpus = len(os.sched_getaffinity(0))
        except AttributeError:  # pragma: no cover - not Linux
            cpus = os.cpu_count() or 1
        n_jobs = cpus
    if int(n_jobs) < 1:
        raise NenauditError(
            f"n_jobs={n_jobs}: use a positive number of threads (or None for all CPUs)"
        )
    return max(1, min(int(n_jobs), tasks))


def _auc_folds(y: np.ndarray, prob: np.ndarray) -> np.ndarray:
    """AUC of each column of ``prob`` (n_test, L) against 0/1 ``y``: Mann-Whitney, ties 1/2.

    ``survival::concordance(y ~ prob)`` as glmnet's ``auc.mat`` uses it with unit weights;
    NaN when the fold holds one class only.
    """
    pos = y == 1
    n1, n0 = int(pos.sum()), int((~pos).sum())
    if n1 == 0 or n0 == 0:
        return np.full(prob.shape[1], np.nan)
    p1 = prob[pos]  # (n1, L)
    p0 = prob[~pos]
    gt = (p1[:, None, :] > p0[None, :, :]).sum(axis=(0, 1))
    eq = (p1[:, None, :] == p0[None, :, :]).sum(axis=(0, 1))
    return (gt + 0.5 * eq) / (n1 * n0)


def _wmean(x: np.ndarray, w: np.ndarray, axis: int = 0) -> np.ndarray:
    """``weighted.mean(x, w, na.rm = TRUE)`` along ``axis``."""
    ok = ~np.isnan(x)
    ww = np.where(ok, w, 0.0)
    xs = np.where(ok, x, 0.0)
    with np.errstate(invalid="ignore", divide="ignore"):
        return (xs * ww).sum(axis=axis) / ww.sum(axis=axis)


def _opt_lambda(
    lam: np.ndarray, cvm: np.ndarray, cvsd: np.ndarray, measure: str
) -> tuple[int, int]:
    """``glmnet:::getOptcv.glmnet``: (index of lambda.min, index of lambda.1se), 0-based."""
    m = -cvm if measure == "auc" else cvm
    cvmin = np.nanmin(m)
    idmin = int(np.flatnonzero(lam == np.max(lam[m <= cvmin]))[0])
    semin = (m + cvsd)[idmin]
    id1se = int(np.flatnonzero(lam == np.max(lam[m <= semin]))[0])
    return idmin, id1se


def _cv_data(X, y, foldid, nfolds, seed, feature_names, messages: list[str]):
    """Checked data and folds: (X, y, names, foldid, K, training masks); refuses too few minority cases."""
    Xa, ya, names = _check_xy(X, y, feature_names)
    n = ya.size
    if foldid is None:
        fid, k = make_foldid(n, nfolds, seed), int(nfolds)
    else:
        fid, k = _check_foldid(foldid, n)
    n1 = int(ya.sum())
    n_min = min(n1, n - n1)
    if n_min < k:
        minority = 1 if n1 <= n - n1 else 0
        raise NenauditError(
            f"only {n_min} observations have outcome {minority}, fewer than the {k} folds; "
            f"use at most {n_min} folds"
        )
    _class_check(ya, "y", messages)
    train_sets = [fid != f for f in range(1, k + 1)]
    for f, train in enumerate(train_sets, start=1):
        _class_check(ya[train], f"training set without fold {f}", messages)
    return Xa, ya, names, fid, k, train_sets


def _cv_fits(Xa, ya, train_sets, fit_kw: dict, n_jobs) -> list:
    """The full-data fit and the K training-fold fits (raw solver output), in that order.

    They are independent and the compiled kernel releases the GIL, so they run on threads. Each solver
    input is one Fortran-ordered copy (the solver overwrites it), cut from one transposed copy of X.
    The numbers do not depend on the number of threads.
    """
    xt = np.ascontiguousarray(
        Xa.T
    )  # (p, n): a column selection of it, transposed, is Fortran-ordered

    def fit_one(i: int):
        x = xt.copy() if i == 0 else xt[:, train_sets[i - 1]]
        yi = ya if i == 0 else ya[train_sets[i - 1]]
        return _fit_raw(x.T, yi, **fit_kw)

    tasks = len(train_sets) + 1
    workers = _n_workers(n_jobs, tasks)
    if workers == 1:
        return [fit_one(i) for i in range(tasks)]
    with ThreadPoolExecutor(max_workers=workers) as ex:
        return list(ex.map(fit_one, range(tasks)))


def _heldout_link(Xa, fold_raws, train_sets, lam, maxit: int, messages: list[str]) -> np.ndarray:
    """Held-out linear predictors (n, L) at the full-data lambdas, each fold's path interpolated
    in lambda (``glmnet:::lambda.interp``); a fatal solver code in a fold stops with its message."""
    n, p = Xa.shape
    link = np.empty((n, lam.size), dtype=float)
    for f, (raw, train) in enumerate(zip(fold_raws, train_sets), start=1):
        test = ~train
        flam, fa0, fcoef, _, _, _, jerr = raw
        if jerr != 0:
            fatal, msg = _jerr_message(jerr, maxit, p)
            if fatal:
                raise NenauditError(f"fold {f}: glmnet stopped: {msg}")
            messages.append(f"fold {f}: {msg}")
        left, right, frac = _interp_coords(flam, lam)
        b = fcoef[left] * frac[:, None] + fcoef[right] * (1.0 - frac)[:, None]  # (L, p)
        a = fa0[left] * frac + fa0[right] * (1.0 - frac)
        # only features active somewhere on the fold path contribute; einsum instead of a BLAS
        # matmul: these products are tiny, and threaded BLAS on a busy machine costs 5x more
        active = np.flatnonzero(np.any(b != 0.0, axis=0))
        link[test] = np.einsum("ij,lj->il", Xa[np.ix_(test, active)], b[:, active]) + a
    return link


def _cv_curve(link, ya, fid, k: int, measure: str, messages: list[str]):
    """``cv.lognet`` + ``cvcompute`` + ``cvstats``: (measure used, cvm, cvsd) over the full-data lambdas."""
    n, L = link.shape
    used = measure
    if measure == "auc" and n / k < 10:
        messages.append(
            "Too few (< 10) observations per fold for type.measure='auc' in cv.lognet; "
            "changed to type.measure='deviance'. Alternatively, use smaller value for nfolds"
        )
        used = "deviance"
    prob = 1.0 / (1.0 + np.exp(-link))
    fold_w = np.array([np.sum(fid == f) for f in range(1, k + 1)], dtype=float)
    w, N = fold_w, np.full(L, k, dtype=float)
    if used == "auc":
        raw_stat = np.vstack([_auc_folds(ya[fid == f], prob[fid == f]) for f in range(1, k + 1)])
        for f in np.flatnonzero(np.isnan(raw_stat).all(axis=1)) + 1:
            messages.append(
                f"fold {f} holds one outcome class only: its AUC is undefined and left out (as cv.glmnet)"
            )
    else:
        pc = np.clip(prob, _PROB_MIN, 1.0 - _PROB_MIN)
        dev = -2.0 * (ya[:, None] * np.log(pc) + (1.0 - ya[:, None]) * np.log(1.0 - pc))
        if n / k >= 3:  # grouped
            raw_stat = np.vstack([dev[fid == f].mean(axis=0) for f in range(1, k + 1)])
        else:
            messages.append(
                "Option grouped=FALSE enforced in cv.glmnet, since < 3 observations per fold"
            )
            raw_stat, w, N = dev, np.ones(n), np.full(L, n, dtype=float)
    cvm = _wmean(raw_stat, w[:, None] * np.ones((1, L)))
    cvsd = np.sqrt(_wmean((raw_stat - cvm) ** 2, w[:, None] * np.ones((1, L))) / (N - 1.0))
    return used, cvm, cvsd


def _cv_result(full: LassoPath, used: str, cvm, cvsd, fid, messages: list[str]) -> LassoCV:
    """Drop lambdas without a CV standard error, pick lambda.min/1se, issue the warnings."""
    keep = ~np.isnan(cvsd)
    if not keep.all():
        messages.append(
            f"{int((~keep).sum())} lambda(s) dropped: their CV standard error is undefined"
        )
    lam_k, cvm, cvsd, nz = full.lambdas[keep], cvm[keep], cvsd[keep], full.nonzero[keep]
    if lam_k.size == 0:
        raise NenauditError(
            "no lambda has a defined CV estimate (every fold lacks one outcome class?)"
        )
    i_min, i_1se = _opt_lambda(lam_k, cvm, cvsd, used)
    full_idx = np.flatnonzero(keep)  # positions in the full path (for coefficients)
    res = LassoCV(
        lambdas=lam_k,
        cvm=cvm,
        cvsd=cvsd,
        nonzero=nz,
        measure=used,
        lambda_min=float(lam_k[i_min]),
        lambda_1se=float(lam_k[i_1se]),
        index_min=int(full_idx[i_min]),
        index_1se=int(full_idx[i_1se]),
        foldid=fid,
        path=full,
        warnings=tuple(messages),
    )
    for m in messages:
        warnings.warn(
            m, ConvergenceWarning if "convergence" in m else StatisticalWarning, stacklevel=3
        )
    return res


@aligned
def cv_lasso(
    X: Any,
    y: Any,
    *,
    foldid: Any = None,
    nfolds: int = 10,
    seed: int | np.random.Generator | None = None,
    measure: str = "deviance",
    feature_names: Sequence[str] | None = None,
    nlambda: int = 100,
    lambda_min_ratio: float | None = None,
    thresh: float = 1e-7,
    maxit: int = 100_000,
    n_jobs: int | None = None,
) -> LassoCV:
    """K-fold cross-validated binomial lasso, as ``cv.glmnet(x, y, family = "binomial")``.

    Parameters
    ----------
    X, y : features (n, p) and 0/1 outcome; see :func:`lasso_path` for the checks.
    foldid : fold labels 1..K (R's ``foldid``). When omitted, :func:`make_foldid` draws them
        with ``seed`` (reproducible, but not R's random stream).
    nfolds, seed : used only without ``foldid``.
    measure : ``"deviance"`` (R's default for binomial) or ``"auc"``.
    nlambda, lambda_min_ratio, thresh, maxit : passed to every glmnet fit, as R's ``...``.
    n_jobs : threads for the K + 1 independent fits (default: the CPUs this process may
        use; the compiled kernel releases the GIL). The numbers do not depend on it; pass 1
        inside an outer parallel loop.

    Returns
    -------
    LassoCV with the full-data lambdas, ``cvm``, ``cvsd``, nonzero counts, lambda.min,
    lambda.1se and the full-data :class:`LassoPath`.

    Notes
    -----
    Refused: fewer observations of either class than folds (some test folds would hold no
    event, and a training fold could lose a class), NaN/inf, constant or duplicate features.
    Non-fatal solver codes in any fit and R's "fewer than 8 observations" warning are issued
    and recorded in ``warnings``.

    References
    ----------
    Friedman J, Hastie T, Tibshirani R. Regularization paths for generalized linear models via
    coordinate descent. J Stat Softw 2010;33(1):1-22. doi:10.18637/jss.v033.i01
    """
    if measure not in MEASURES:
        raise NenauditError(f"measure={measure!r}: use one of {', '.join(MEASURES)}")
    messages: list[str] = []
    Xa, ya, names, fid, k, train_sets = _cv_data(
        X, y, foldid, nfolds, seed, feature_names, messages
    )
    fit_kw = {
        "nlambda": int(nlambda),
        "lambda_min_ratio": lambda_min_ratio,
        "lambdas": None,
        "thresh": thresh,
        "maxit": maxit,
    }
    raws = _cv_fits(Xa, ya, train_sets, fit_kw, n_jobs)
    full = _path_from_raw(raws[0], names, thresh, maxit, messages, "full data")
    link = _heldout_link(Xa, raws[1:], train_sets, full.lambdas, maxit, messages)
    used, cvm, cvsd = _cv_curve(link, ya, fid, k, measure, messages)
    return _cv_result(full, used, cvm, cvsd, fid, messages)


# ---------------------------------------------------------------------------------------
# Radscore
# ---------------------------------------------------------------------------------------


def radscore_formula(cv: LassoCV, which: str = "min", *, drop_zero: bool = True) -> RadscoreFormula:
    """The Radscore of a CV lasso fit: its linear predictor at lambda.min (or lambda.1se).

    ``Radscore = a0 + sum_j beta_j x_j`` over the features with non-zero coefficient
    (``predict(cvfit, newx, s = "lambda.min", type = "link")``). Apply it without the
    intercept (``include_intercept=False``) to get the formula as papers print it.

    R: ``coef(cvfit, s = "lambda.min")`` of ``cv.glmnet``; the Radscore as in Feng et al. 2025
    (doi:10.3389/fonc.2025.1628054), section 2.4.
    """
    coefs = cv.coefficients(which)
    a0 = coefs.pop("(Intercept)")
    if drop_zero:
        coefs = {k: v for k, v in coefs.items() if v != 0.0}
    lam = cv.lambda_min if cv._index(which) == cv.index_min else cv.lambda_1se
    return RadscoreFormula(
        coefficients=coefs, intercept=a0, source=f"cv.glmnet lambda.{which} = {lam:.6g}"
    )


def apply_radscore(
    formula: RadscoreFormula | Mapping[str, Any],
    table: Any,
    *,
    include_intercept: bool = True,
    intercept: float | None = None,
) -> np.ndarray:
    """Apply a Radscore formula to a feature table (DataFrame or mapping of columns).

    ``formula`` is a :class:`RadscoreFormula` or ``{name: coefficient}`` (numbers or numeric
    strings, as a published formula is transcribed), with ``intercept`` given separately.
    Every named feature must be a column of ``table``, finite in every row; the table must
    already be on the scale the formula was fitted on (e.g. z-scored with the training
    mean/SD: see :mod:`nenaudit.stats.features`).

    R: ``drop(b0 + as.matrix(z[, names]) %*% b)``; the Radscore of Feng et al. 2025
    (doi:10.3389/fonc.2025.1628054), section 3.2.
    """
    if isinstance(formula, RadscoreFormula):
        coefs = dict(formula.coefficients)
        a0 = formula.intercept if intercept is None else intercept
    else:
        coefs = dict(formula)
        a0 = intercept
    if not coefs:
        raise NenauditError("the Radscore formula has no terms")
    cols = list(table.columns) if hasattr(table, "columns") else list(table.keys())
    missing = [c for c in coefs if c not in cols]
    if missing:
        raise NenauditError(
            f"feature {missing[0]!r} of the Radscore formula is not a column of the table "
            f"({len(missing)} missing); check the feature names"
        )
    score = None
    for name, c in coefs.items():
        try:
            cval = float(c)
        except (TypeError, ValueError):
            raise NenauditError(f"coefficient of {name!r}: {c!r} is not a number") from None
        col = np.asarray(table[name], dtype=float)
        if not np.all(np.isfinite(col)):
            i = int(np.flatnonzero(~np.isfinite(col))[0])
            raise NenauditError(
                f"feature {name!r}, row {i + 1}: not a finite number; the Radscore is undefined"
            )
        score = cval * col if score is None else score + cval * col
    if include_intercept:
        if a0 is None:
            raise NenauditError("the formula has no intercept; use include_intercept=False")
        score = score + float(a0)
    return score

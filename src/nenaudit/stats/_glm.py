"""R's ``glm.fit`` for the binomial family (IRLS), and the rules that read its result.

Shared by :mod:`~nenaudit.stats.logistic`, :mod:`~nenaudit.stats.calibration`,
:mod:`~nenaudit.stats.validation` and the pipeline's final-model checks, so that each rule is
written once:

* :func:`glm_fit`: ``stats::glm.fit(x, y, weights, offset, family = binomial())`` step by step
  (start, working weights, stopping rule ``|dev - devold| / (|dev| + 0.1) < epsilon``, at most
  ``maxit`` = 25 iterations), with the binomial family's C code (``logit_linkinv``,
  ``logit_mu_eta``, ``binomial_dev_resids`` in ``src/library/stats/src/family.c``): the
  inverse link clamps ``|eta| > 30``, the derivative uses ``DBL_EPSILON`` there.
* :func:`fitted_01`: the one separation rule, glm.fit's warning "fitted probabilities
  numerically 0 or 1 occurred" (a fitted value within ``10 * .Machine$double.eps`` of 0 or 1).
* :func:`aliased_columns`: the one aliasing rule, a column whose QR diagonal is below
  ``1e-7`` times its norm (``lm``'s ``tol = 1e-07``; R would give it an NA coefficient).
* :func:`glm_se`: the standard errors glm's ``summary`` reports (dispersion 1), from the R
  factor of the last IRLS iteration.

Reference: McCullagh P, Nelder JA. Generalized Linear Models, 2nd ed. Chapman & Hall; 1989,
section 2.5 (iteratively reweighted least squares). doi:10.1201/9780203753736
"""

from __future__ import annotations

import math
import warnings
from dataclasses import dataclass

import numpy as np
from scipy import stats as sstats

from nenaudit.exceptions import ConvergenceWarning, NenauditError

__all__ = [
    "DBL_EPS",
    "MSG_NOT_CONVERGED",
    "MSG_FITTED_01",
    "MSG_BOUNDARY",
    "GlmFit",
    "glm_fit",
    "fitted_01",
    "n_fitted_01",
    "aliased_columns",
    "glm_se",
    "linkinv",
    "mu_eta",
    "dev_resids",
    "binomial_aic",
    "rsum",
]

DBL_EPS = float(np.finfo(float).eps)
_THRESH = 30.0
_INVEPS = 1.0 / DBL_EPS
MSG_NOT_CONVERGED = "glm.fit: algorithm did not converge"
MSG_FITTED_01 = "glm.fit: fitted probabilities numerically 0 or 1 occurred"
MSG_BOUNDARY = "glm.fit: algorithm stopped at boundary value"


# --------------------------------------------------------------------------------------
# Binomial family with the logit link, as in R's C code
# --------------------------------------------------------------------------------------


def linkinv(eta: np.ndarray) -> np.ndarray:
    """``binomial()$linkinv``: R's ``logit_linkinv`` (``|eta| > 30`` clamped to ``DBL_EPS`` / ``1 / DBL_EPS``)."""
    tmp = np.where(
        eta < -_THRESH,
        DBL_EPS,
        np.where(eta > _THRESH, _INVEPS, np.exp(np.clip(eta, -_THRESH, _THRESH))),
    )
    return tmp / (1.0 + tmp)


def mu_eta(eta: np.ndarray) -> np.ndarray:
    """``binomial()$mu.eta``: R's ``logit_mu_eta`` (``DBL_EPS`` where ``|eta| > 30``)."""
    e = np.exp(np.clip(eta, -_THRESH, _THRESH))
    opexp = 1.0 + e
    return np.where((eta > _THRESH) | (eta < -_THRESH), DBL_EPS, e / (opexp * opexp))


def linkfun(mu: np.ndarray) -> np.ndarray:
    """``binomial()$linkfun``: ``log(mu / (1 - mu))``."""
    return np.log(mu / (1.0 - mu))


def dev_resids(
    y: np.ndarray, mu: np.ndarray, wt: np.ndarray, yb: np.ndarray | None = None
) -> np.ndarray:
    """``binomial()$dev.resids``: R's ``binomial_dev_resids`` (``yb``: the 0/1 response as booleans, a faster path)."""
    if yb is not None:  # 0/1 response (yb = y == 1): same operations as below, fewer passes
        return 2.0 * wt * np.log(np.where(yb, 1.0 / mu, 1.0 / (1.0 - mu)))
    with np.errstate(divide="ignore", invalid="ignore"):
        a = np.where(y != 0.0, y * np.log(y / mu), 0.0)
        b = np.where(1.0 - y != 0.0, (1.0 - y) * np.log((1.0 - y) / (1.0 - mu)), 0.0)
    return 2.0 * wt * (a + b)


def rsum(x: np.ndarray) -> float:
    """R's ``sum()`` of doubles (accumulated in long double): ``math.fsum``, exactly rounded, is the closest match."""
    # R's sum() accumulates in long double; fsum (exactly rounded) is the closest match
    return math.fsum(x.tolist())


def binomial_aic(y: np.ndarray, mu: np.ndarray, wt: np.ndarray, rank: int) -> float:
    """``binomial()$aic(...) + 2 * rank``, the AIC ``glm`` reports."""
    # binomial()$aic with m = wt (0/1 response): -2 sum(dbinom(round(m y), round(m), mu, log))
    pos = wt > 0
    k = np.round(wt[pos] * y[pos])
    size = np.round(wt[pos])
    ll = sstats.binom.logpmf(k, size, mu[pos])
    return -2.0 * rsum(ll) + 2.0 * rank


# --------------------------------------------------------------------------------------
# glm.fit (IRLS) for the binomial family
# --------------------------------------------------------------------------------------


@dataclass
class GlmFit:
    coef: np.ndarray
    eta: np.ndarray
    mu: np.ndarray
    deviance: float
    iterations: int
    converged: bool
    boundary: bool
    rmat: np.ndarray | None  # R factor of the last iteration's weighted design


def _wls(xw: np.ndarray, zw: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Least squares through a Householder QR (what C_Cdqrls does); returns (coef, R)."""
    p = xw.shape[1]
    if p == 1:
        c = xw[:, 0]
        nrm = math.sqrt(float(c @ c))
        return np.array([float(c @ zw) / (nrm * nrm)]), np.array([[nrm]])
    q, r = np.linalg.qr(xw)
    return np.linalg.solve(r, q.T @ zw), r


def glm_fit(
    x: np.ndarray,
    y: np.ndarray,
    weights: np.ndarray,
    offset: np.ndarray,
    etastart: np.ndarray | None = None,
    epsilon: float = 1e-8,
    maxit: int = 25,
) -> GlmFit:
    """R's ``glm.fit`` for ``binomial()`` (0/1 or proportion response with prior weights)."""
    nvars = x.shape[1]
    yb = (y == 1.0) if np.all((y == 0.0) | (y == 1.0)) else None
    if nvars == 0:  # EMPTY model: eta is the offset
        eta = offset.copy()
        mu = linkinv(eta)
        dev = rsum(dev_resids(y, mu, weights, yb))
        return GlmFit(np.zeros(0), eta, mu, dev, 0, True, True, None)
    if etastart is None:
        mustart = (weights * y + 0.5) / (weights + 1.0)
        eta = linkfun(mustart)
    else:
        eta = np.asarray(etastart, dtype=float).copy()
    mu = linkinv(eta)
    devold = rsum(dev_resids(y, mu, weights, yb))
    good = weights > 0
    xg = x[good]
    conv = False
    boundary = False
    coef = np.full(nvars, np.nan)
    coefold: np.ndarray | None = None
    rmat = None
    it = 0
    for it in range(1, maxit + 1):
        d_mu = mu_eta(eta)
        var = mu * (1.0 - mu)
        z = (eta - offset)[good] + (y - mu)[good] / d_mu[good]
        w = np.sqrt((weights[good] * d_mu[good] ** 2) / var[good])
        start, rmat = _wls(xg * w[:, None], z * w)
        if not np.all(np.isfinite(start)):
            warnings.warn(
                f"non-finite coefficients at iteration {it}", ConvergenceWarning, stacklevel=3
            )
            conv = False
            break
        eta = x @ start + offset
        mu = linkinv(eta)
        dev = rsum(dev_resids(y, mu, weights, yb))
        boundary = False
        if not math.isfinite(dev):  # cannot happen with the clamped logit; kept as R has it
            if coefold is None:
                raise NenauditError(
                    "no valid set of coefficients found: check the data for infinite values"
                )
            ii = 1
            while not math.isfinite(dev):
                if ii > maxit:
                    raise NenauditError("glm.fit inner loop 1 could not correct the step size")
                ii += 1
                start = (start + coefold) / 2.0
                eta = x @ start + offset
                mu = linkinv(eta)
                dev = rsum(dev_resids(y, mu, weights, yb))
            boundary = True
        coef = start
        if abs(dev - devold) / (0.1 + abs(dev)) < epsilon:
            conv = True
            break
        devold = dev
        coefold = start
    return GlmFit(coef, eta, mu, dev, it, conv, boundary, rmat)


# --------------------------------------------------------------------------------------
# Rules read off a fit: separation, aliasing, standard errors
# --------------------------------------------------------------------------------------


def fitted_01(mu: np.ndarray) -> np.ndarray:
    """Which fitted probabilities glm.fit calls "numerically 0 or 1": within ``10 * DBL_EPS`` of 0 or 1.

    R's ``glm.fit``: ``eps <- 10 * .Machine$double.eps; if (any(mu > 1 - eps) || any(mu < eps))
    warning("glm.fit: fitted probabilities numerically 0 or 1 occurred")``. ``fitted_01(mu).any()``
    is the rule used everywhere a fit is said to separate.
    """
    eps10 = 10 * DBL_EPS
    return (mu > 1 - eps10) | (mu < eps10)


def n_fitted_01(mu: np.ndarray) -> int:
    """How many fitted probabilities are numerically 0 or 1 (:func:`fitted_01`)."""
    return int(np.sum(fitted_01(mu)))


def aliased_columns(x: np.ndarray) -> np.ndarray:
    """Columns of ``x`` that are constant zero or (numerically) a linear combination of earlier ones.

    The pivot-free QR of ``x``: column ``j`` is aliased when its norm is 0 or ``|R[j, j]| < 1e-7
    * ||x[:, j]||`` (``lm``'s ``tol = 1e-07``). R's ``glm`` would return an NA coefficient for
    it; nenaudit refuses or fails the fit instead. Returns a boolean mask.
    """
    r = np.linalg.qr(x, mode="r")
    dg = np.abs(np.diag(r))
    scale = column_norms(x)
    return (scale == 0) | (dg < 1e-7 * np.where(scale == 0, 1.0, scale))


def column_norms(x: np.ndarray) -> np.ndarray:
    """Euclidean norm of each column without overflow or underflow (as LINPACK's ``dnrm2``, which R's
    ``dqrdc2`` uses): a predictor scaled by 1e300 or 1e-300 has its true norm, not inf or 0."""
    big = np.max(np.abs(x), axis=0) if x.shape[0] else np.zeros(x.shape[1])
    safe = np.where(big > 0, big, 1.0)
    return big * np.sqrt(np.sum((x / safe) ** 2, axis=0))


def glm_se(fit: GlmFit) -> tuple[np.ndarray, np.ndarray]:
    """``(cov, se)`` as ``summary.glm`` (dispersion 1): ``(R'R)^-1`` from the last iteration's R factor."""
    p = fit.rmat.shape[1]
    rinv = np.linalg.solve(fit.rmat, np.eye(p)) if p > 1 else np.array([[1.0 / fit.rmat[0, 0]]])
    cov = rinv @ rinv.T
    return cov, np.sqrt(np.diag(cov))

"""Wald p-values of a binomial glm, compiled: the screening fits of a resampled model-building procedure.

:func:`wald_fit` runs the iterations of :func:`nenaudit.stats._glm.glm_fit` (R's ``glm.fit`` for
``binomial()`` with unit weights and no offset: start ``mu = (y + 1/2) / 2``, the C code's clamped
logit, working weights ``sqrt(mu_eta^2 / var)``, least squares through a Householder QR, stop when
``|dev - dev_old| / (|dev| + 0.1) < 1e-8`` or after 25 iterations, the deviance summed exactly
rounded as ``math.fsum``) and returns what ``summary.glm`` prints: coefficients, standard errors
(dispersion 1, from the last iteration's R factor), Wald z and two-sided normal p-values. It keeps
nothing else (no intervals, AIC or separation diagnosis), so it costs a tenth of
:func:`nenaudit.stats.logistic.fit_logistic`.

Its numbers agree with ``fit_logistic``'s to rounding (the QR and the matrix products are written
here, not LAPACK's and BLAS's), about 1e-13 relative on ordinary data (``tests/test_stepwise.py``);
a p-value that decides a screening or elimination step would have to lie within that distance of
its threshold for the two to decide differently. The procedure that uses it
(:func:`nenaudit.stats.stepwise.univariable_then_backward` with ``lean=True``) refits the model it
keeps with ``fit_logistic``, so every reported number of a kept model comes from the full fit.

Reference: McCullagh P, Nelder JA. Generalized Linear Models, 2nd ed. Chapman & Hall; 1989,
section 2.5 (iteratively reweighted least squares). doi:10.1201/9780203753736
"""

from __future__ import annotations

import math

import numpy as np
from scipy import special

from nenaudit.exceptions import NenauditError

try:
    import numba
except ImportError:  # pragma: no cover - numba is a dependency
    numba = None

__all__ = ["wald_fit"]

_DBL_EPS = float(np.finfo(float).eps)
_THRESH = 30.0
_INVEPS = 1.0 / _DBL_EPS


def _jit(fn):
    if numba is None:
        return fn
    return numba.njit(cache=True, nogil=True, fastmath=False)(fn)


@_jit
def fsum(a):
    """Exactly rounded sum (Shewchuk's partials, the algorithm of CPython's ``math.fsum``)."""
    partials = np.empty(a.size + 1)
    m = 0
    for t in range(a.size):
        x = a[t]
        i = 0
        for j in range(m):
            y = partials[j]
            if abs(x) < abs(y):
                x, y = y, x
            hi = x + y
            lo = y - (hi - x)
            if lo != 0.0:
                partials[i] = lo
                i += 1
            x = hi
        partials[i] = x
        m = i + 1
    if m == 0:
        return 0.0
    n = m
    hi = partials[n - 1]
    n -= 1
    lo = 0.0
    while n > 0:
        x = hi
        y = partials[n - 1]
        n -= 1
        hi = x + y
        yr = hi - x
        lo = y - yr
        if lo != 0.0:
            break
    if n > 0 and ((lo < 0.0 and partials[n - 1] < 0.0) or (lo > 0.0 and partials[n - 1] > 0.0)):
        y = lo * 2.0
        x = hi + y
        yr = x - hi
        if y == yr:
            hi = x
    return hi


@_jit
def _linkinv(eta, mu):
    for i in range(eta.size):
        e = eta[i]
        if e < -_THRESH:
            tmp = _DBL_EPS
        elif e > _THRESH:
            tmp = _INVEPS
        else:
            tmp = math.exp(e)
        mu[i] = tmp / (1.0 + tmp)


@_jit
def _deviance(y, mu, buf):
    for i in range(y.size):
        buf[i] = 2.0 * math.log(1.0 / mu[i] if y[i] == 1.0 else 1.0 / (1.0 - mu[i]))
    return fsum(buf)


@_jit
def _householder_wls(a, b, r):
    """Least squares ``a @ c ~ b`` through a Householder QR of ``a`` (n, p), both overwritten; ``r`` gets R."""
    n, p = a.shape
    for k in range(p):
        norm = 0.0
        for i in range(k, n):
            norm += a[i, k] * a[i, k]
        norm = math.sqrt(norm)
        alpha = -norm if a[k, k] >= 0.0 else norm
        if norm == 0.0:
            continue
        v0 = a[k, k] - alpha
        # v = (v0, a[k+1:, k]); H = I - 2 v v' / (v'v)
        vtv = v0 * v0
        for i in range(k + 1, n):
            vtv += a[i, k] * a[i, k]
        a[k, k] = alpha
        for j in range(k + 1, p):
            s = v0 * a[k, j]
            for i in range(k + 1, n):
                s += a[i, k] * a[i, j]
            f = 2.0 * s / vtv
            a[k, j] -= f * v0
            for i in range(k + 1, n):
                a[i, j] -= f * a[i, k]
        s = v0 * b[k]
        for i in range(k + 1, n):
            s += a[i, k] * b[i]
        f = 2.0 * s / vtv
        b[k] -= f * v0
        for i in range(k + 1, n):
            b[i] -= f * a[i, k]
    for i in range(p):
        for j in range(p):
            r[i, j] = a[i, j] if j >= i else 0.0
    c = np.empty(p)
    for i in range(p - 1, -1, -1):
        s = b[i]
        for j in range(i + 1, p):
            s -= r[i, j] * c[j]
        c[i] = s / r[i, i]
    return c


@_jit
def _irls(x, y, maxit, epsilon):
    n, p = x.shape
    mu = np.empty(n)
    eta = np.empty(n)
    buf = np.empty(n)
    for i in range(n):
        m0 = (y[i] + 0.5) / 2.0
        eta[i] = math.log(m0 / (1.0 - m0))
    _linkinv(eta, mu)
    devold = _deviance(y, mu, buf)
    coef = np.full(p, np.nan)
    r = np.zeros((p, p))
    a = np.empty((n, p))
    z = np.empty(n)
    conv = False
    it = 0
    for it in range(1, maxit + 1):
        for i in range(n):
            e = eta[i]
            ec = min(max(e, -_THRESH), _THRESH)
            ex = math.exp(ec)
            opexp = 1.0 + ex
            d_mu = _DBL_EPS if (e > _THRESH or e < -_THRESH) else ex / (opexp * opexp)
            var = mu[i] * (1.0 - mu[i])
            zi = e + (y[i] - mu[i]) / d_mu
            w = math.sqrt((d_mu * d_mu) / var)
            for j in range(p):
                a[i, j] = x[i, j] * w
            z[i] = zi * w
        start = _householder_wls(a, z, r)
        finite = True
        for j in range(p):
            if not math.isfinite(start[j]):
                finite = False
        if not finite:
            return coef, r, it, False, False
        for i in range(n):
            s = 0.0
            for j in range(p):
                s += x[i, j] * start[j]
            eta[i] = s
        _linkinv(eta, mu)
        dev = _deviance(y, mu, buf)
        if not math.isfinite(dev):
            return coef, r, it, False, False  # glm.fit's step halving: left to the full fit
        coef = start
        if abs(dev - devold) / (0.1 + abs(dev)) < epsilon:
            conv = True
            break
        devold = dev
    return coef, r, it, conv, True


def wald_fit(x: np.ndarray, y: np.ndarray, *, epsilon: float = 1e-8, maxit: int = 25):
    """``(coef, se, p, converged)`` of ``glm(y ~ x, family = binomial)``'s ``summary`` table, compiled.

    ``x`` is the (n, p) design with its intercept column, finite and not aliased (the caller checks
    as :func:`nenaudit.stats.logistic.fit_logistic` does); ``y`` 0/1. R: ``glm.fit`` with
    ``glm.control()``'s ``epsilon = 1e-8``, ``maxit = 25``, then ``summary.glm`` (dispersion 1).
    Returns ``None`` where glm.fit would have to halve a step (a non-finite deviance) or the
    coefficients are not finite: the caller then uses the full fit.
    """
    if numba is None:
        raise NenauditError("the compiled Wald fit needs the numba package: pip install numba")
    xa = np.ascontiguousarray(x, dtype=float)
    ya = np.ascontiguousarray(y, dtype=float)
    coef, r, _it, conv, ok = _irls(xa, ya, int(maxit), float(epsilon))
    if not ok:
        return None
    p = coef.size
    rinv = np.linalg.solve(r, np.eye(p)) if p > 1 else np.array([[1.0 / r[0, 0]]])
    se = np.sqrt(np.diag(rinv @ rinv.T))
    pv = 2.0 * special.ndtr(-np.abs(coef / se))
    return coef, se, pv, bool(conv)

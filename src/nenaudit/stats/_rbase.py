"""R's base numerics that several statistics share: ``uniroot``, ``approx``,
``spline(method = "fmm")``, ``lowess``, ``seq`` and ``mean`` (``quantile`` type 7 is the public
:mod:`nenaudit.stats.quantile`).

Each function reproduces the R routine named in its docstring to rounding (the arithmetic is
R's, step by step, not only the definition), because the statistics built on them are checked
against R to 1e-12 or so. The module is private to :mod:`nenaudit.stats`; its names are public
there (shared by ``logistic``, ``calibration``, ``discrimination``, ``validation``).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence

import numpy as np

from nenaudit.exceptions import NenauditError

__all__ = [
    "r_mean",
    "r_seq",
    "regularize_values",
    "r_spline_fmm",
    "r_approx",
    "approx_sorted",
    "r_lowess",
    "uniroot",
    "UNIROOT_TOL",
]

_EPS = np.finfo(float).eps
# R's uniroot default tol = .Machine$double.eps^0.25
UNIROOT_TOL = _EPS**0.25


# --------------------------------------------------------------------------------------
# mean, seq
# --------------------------------------------------------------------------------------


def r_mean(v: np.ndarray) -> float:
    """R's ``mean()``: the long-double sum over n, then one refinement pass (``mean.default``'s C code)."""
    # R's mean(): long-double sum / n, then one refinement pass
    n = len(v)
    s = math.fsum(v.tolist()) / n
    if math.isfinite(s):
        s = s + math.fsum((v - s).tolist()) / n
    return s


def r_seq(lo: float, hi: float, n: int) -> np.ndarray:
    """``seq.int(lo, hi, length.out = n)`` as R 4.2 builds it: ``lo + i * by``, last = ``hi``."""
    out = np.empty(n)
    if n > 0:
        out[0] = lo
    if n > 1:
        by = (hi - lo) / (n - 1)
        out[1:] = lo + np.arange(1, n) * by
        out[n - 1] = hi
    return out


# --------------------------------------------------------------------------------------
# spline(method = "fmm") and approx(), written from the algorithm descriptions
# --------------------------------------------------------------------------------------


def regularize_values(x: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """``regularize.values(x, y, ties = mean)``: drop NA, sort stably, average tied x."""
    ok = ~(np.isnan(x) | np.isnan(y))
    x, y = x[ok], y[ok]
    if np.any(np.diff(x) < 0):
        o = np.argsort(x, kind="stable")
        x, y = x[o], y[o]
    ux, start = np.unique(x, return_index=True)
    if len(ux) < len(x):
        bounds = np.append(start, len(x))
        y = np.array([r_mean(y[a:b]) for a, b in zip(bounds[:-1], bounds[1:])])
        x = ux
    return x, y


def _fmm_coef(x: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Cubic spline coefficients with Forsythe, Malcolm & Moler's end conditions.

    The end third derivatives are matched to those of the cubics through the first and last
    four points; the tridiagonal system is solved by Gaussian elimination without pivoting.
    Returns ``b, c, d`` with ``s(u) = y_i + b_i h + c_i h^2 + d_i h^3``, ``h = u - x_i``.
    """
    n = len(x)
    b = np.zeros(n)
    c = np.zeros(n)
    d = np.zeros(n)
    if n < 2:
        raise NenauditError("spline needs at least two distinct x values")
    if n < 3:
        t = (y[1] - y[0]) / (x[1] - x[0])
        b[:] = t
        return b, c, d
    # 0-based transcription of the 1-based FMM recurrences
    d[0] = x[1] - x[0]
    c[1] = (y[1] - y[0]) / d[0]
    for i in range(1, n - 1):
        d[i] = x[i + 1] - x[i]
        b[i] = 2.0 * (d[i - 1] + d[i])
        c[i + 1] = (y[i + 1] - y[i]) / d[i]
        c[i] = c[i + 1] - c[i]
    b[0] = -d[0]
    b[n - 1] = -d[n - 2]
    c[0] = 0.0
    c[n - 1] = 0.0
    if n > 3:
        c0 = c[2] / (x[3] - x[1]) - c[1] / (x[2] - x[0])
        cn = c[n - 2] / (x[n - 1] - x[n - 3]) - c[n - 3] / (x[n - 2] - x[n - 4])
        c[0] = c0 * d[0] * d[0] / (x[3] - x[0])
        c[n - 1] = -cn * d[n - 2] * d[n - 2] / (x[n - 1] - x[n - 4])
    for i in range(1, n):
        t = d[i - 1] / b[i - 1]
        b[i] = b[i] - t * d[i - 1]
        c[i] = c[i] - t * c[i - 1]
    c[n - 1] = c[n - 1] / b[n - 1]
    for i in range(n - 2, -1, -1):
        c[i] = (c[i] - d[i] * c[i + 1]) / b[i]
    b[n - 1] = (y[n - 1] - y[n - 2]) / d[n - 2] + d[n - 2] * (c[n - 2] + 2.0 * c[n - 1])
    for i in range(n - 1):
        b[i] = (y[i + 1] - y[i]) / d[i] - d[i] * (c[i + 1] + 2.0 * c[i])
        d[i] = (c[i + 1] - c[i]) / d[i]
        c[i] = 3.0 * c[i]
    c[n - 1] = 3.0 * c[n - 1]
    d[n - 1] = d[n - 2]
    return b, c, d


def r_spline_fmm(
    x: Sequence[float], y: Sequence[float], n: int | None = None
) -> tuple[np.ndarray, np.ndarray]:
    """R's ``spline(x, y, n = 3 * length(x), method = "fmm")``: interpolating cubic spline.

    Ties in ``x`` are averaged (``ties = mean``) and, as in R (whose default ``n`` is
    evaluated lazily, after the ties are collapsed), ``n`` defaults to three times the
    number of *distinct* ``x``. Output points are ``seq(min(x), max(x), length.out = n)``.

    References
    ----------
    Forsythe GE, Malcolm MA, Moler CB. Computer Methods for Mathematical Computations.
    Prentice-Hall; 1977. ISBN 0-13-165332-6 (routines SPLINE/SEVAL).
    """
    xs, ys = regularize_values(np.asarray(x, dtype=float), np.asarray(y, dtype=float))
    if n is None:
        n = 3 * len(xs)
    b, c, d = _fmm_coef(xs, ys)
    u = r_seq(float(xs[0]), float(xs[-1]), n)
    # interval search as in R's spline_eval: the previous interval is kept while
    # x[i] <= u <= x[i+1] (so a u equal to a node is evaluated on the interval to its left
    # when that interval was the previous one), otherwise bisection gives x[i] <= u < x[i+1]
    nx = len(xs)
    v = np.empty(n)
    i = 0
    for k in range(n):
        ul = u[k]
        if ul < xs[i] or (i < nx - 1 and xs[i + 1] < ul):
            i, j = 0, nx
            while True:
                m = (i + j) // 2
                if ul < xs[m]:
                    j = m
                else:
                    i = m
                if not j > i + 1:
                    break
        dx = ul - xs[i]
        v[k] = ys[i] + dx * (b[i] + dx * (c[i] + dx * d[i]))
    return u, v


def r_approx(x: Sequence[float], y: Sequence[float], xout: Sequence[float]) -> np.ndarray:
    """R's ``approx(x, y, xout)`` (linear, ``rule = 1``: NA outside, ``ties = mean``)."""
    xs, ys = regularize_values(np.asarray(x, dtype=float), np.asarray(y, dtype=float))
    out = []
    nx = len(xs)
    for v in np.atleast_1d(np.asarray(xout, dtype=float)):
        if nx == 0 or math.isnan(v) or v < xs[0] or v > xs[-1]:
            out.append(math.nan)
            continue
        i, j = 0, nx - 1
        while i < j - 1:
            ij = (i + j) // 2
            if v < xs[ij]:
                j = ij
            else:
                i = ij
        if v == xs[j]:
            out.append(float(ys[j]))
        elif v == xs[i]:
            out.append(float(ys[i]))
        else:
            out.append(float(ys[i] + (ys[j] - ys[i]) * ((v - xs[i]) / (xs[j] - xs[i]))))
    return np.array(out)


def approx_sorted(x: np.ndarray, y: np.ndarray, xout: np.ndarray, ties: str) -> np.ndarray:
    """R's ``approx(x, y, xout, rule = 1, ties = ...)`` for sorted ``x``; ``ties`` is ``"mean"`` or ``"first"``."""
    ux, start = np.unique(x, return_index=True)
    if ux.size < x.size:
        bounds = np.append(start, x.size)
        if ties == "mean":
            y = np.array([r_mean(y[a:b]) for a, b in zip(bounds[:-1], bounds[1:])])
        else:
            y = y[start]
        x = ux
    xo = np.asarray(xout, dtype=float)
    out = np.full(xo.shape, np.nan)
    if x.size < 2:
        raise NenauditError(
            "approx needs at least two distinct x values (the predictions are all equal)"
        )
    inside = (xo >= x[0]) & (xo <= x[-1])
    v = xo[inside]
    i = np.clip(np.searchsorted(x, v, side="right") - 1, 0, x.size - 2)
    j = i + 1
    res = y[i] + (y[j] - y[i]) * ((v - x[i]) / (x[j] - x[i]))
    res = np.where(v == x[j], y[j], np.where(v == x[i], y[i], res))
    out[inside] = res
    return out


# --------------------------------------------------------------------------------------
# lowess (clowess, iter = 0)
# --------------------------------------------------------------------------------------


def _lowest(x, y, xs, nleft, nright, rng):
    """One local linear fit of clowess (R's ``lowest`` in ``lowess.c``), 0-based, no robustness weights."""
    n = x.size
    h = max(xs - x[nleft], x[nright] - xs)
    h9 = 0.999 * h
    h1 = 0.001 * h
    seg = x[nleft:]
    r = np.abs(seg - xs)
    stop = np.flatnonzero((r > h9) & (seg > xs))
    nrt = nleft + (int(stop[0]) if stop.size else n - nleft) - 1
    xr = x[nleft : nrt + 1]
    rr = r[: nrt + 1 - nleft]
    with np.errstate(divide="ignore", invalid="ignore"):
        t = rr / h
        u = 1.0 - t * t * t
        w = np.where(rr <= h9, np.where(rr <= h1, 1.0, u * u * u), 0.0)
    a = math.fsum(w.tolist())
    if a <= 0.0:
        return 0.0, False
    w = w / a
    if h > 0.0:
        a = float(np.dot(w, xr))
        b = xs - a
        c = float(np.dot(w, (xr - a) * (xr - a)))
        if math.sqrt(c) > 0.001 * rng:
            b /= c
            w = w * (b * (xr - a) + 1.0)
    return float(np.dot(w, y[nleft : nrt + 1])), True


def r_lowess(
    x, y, f: float = 2.0 / 3.0, delta: float | None = None
) -> tuple[np.ndarray, np.ndarray]:
    """R's ``lowess(x, y, f, iter = 0, delta = 0.01 * diff(range(x)))``: sorted x and fitted values.

    A transcription of Cleveland's ``clowess`` as in R's ``src/library/stats/src/lowess.c``
    (tricube weights over the ``floor(f n + 1e-7)`` nearest points, local linear fit, points
    closer than ``delta`` interpolated linearly), with no robustness iterations: ``iter = 0``
    is what rms ``val.prob`` and ``rms::calibrate`` use. Points are ordered by ``x`` stably, as
    R's ``order``.

    Python reference (``tests/test_python_references.py``): statsmodels'
    ``lowess(y, x, frac=f, it=0, delta=0.01 * (max(x) - min(x)))`` gives the same curve to about
    1e-9: R's ``clowess`` sets a tricube weight to 1 within 0.001 h of the point and to 0 beyond
    0.999 h, statsmodels computes every weight exactly. statsmodels' default ``delta`` is 0 (a fit
    at every point), R's 1% of the range: with defaults the two curves differ visibly (1e-3 on
    the MASS::birthwt calibration curve).

    References
    ----------
    Cleveland WS. Robust locally weighted regression and smoothing scatterplots. J Am Stat
    Assoc 1979;74:829-836. doi:10.1080/01621459.1979.10481038
    """
    xv = np.asarray(x, dtype=float)
    yv = np.asarray(y, dtype=float)
    if xv.ndim != 1 or xv.shape != yv.shape or xv.size == 0:
        raise NenauditError("lowess needs two 1-d vectors of the same, non-zero length")
    if not (np.isfinite(xv).all() and np.isfinite(yv).all()):
        raise NenauditError("lowess: x and y must be finite")
    o = np.argsort(xv, kind="stable")
    xv, yv = xv[o], yv[o]
    n = xv.size
    if delta is None:
        delta = 0.01 * (xv[-1] - xv[0])
    ys = np.empty(n)
    if n < 2:
        ys[0] = yv[0]
        return xv, ys
    ns = max(2, min(n, int(f * n + 1e-7)))
    rng = xv[-1] - xv[0]
    nleft, nright, last, i = 0, ns - 1, -1, 0
    while True:
        if nright < n - 1:
            d1 = xv[i] - xv[nleft]
            d2 = xv[nright + 1] - xv[i]
            if d1 > d2:
                nleft += 1
                nright += 1
                continue
        val, ok = _lowest(xv, yv, xv[i], nleft, nright, rng)
        ys[i] = val if ok else yv[i]
        if last < i - 1:
            denom = xv[i] - xv[last]
            for j in range(last + 1, i):
                alpha = (xv[j] - xv[last]) / denom
                ys[j] = alpha * ys[i] + (1.0 - alpha) * ys[last]
        last = i
        cut = xv[last] + delta
        i = last + 1
        while i < n:
            if xv[i] > cut:
                break
            if xv[i] == xv[last]:
                ys[i] = ys[last]
                last = i
            i += 1
        i = max(last + 1, i - 1)
        if last >= n - 1:
            break
    return xv, ys


# --------------------------------------------------------------------------------------
# uniroot
# --------------------------------------------------------------------------------------


def uniroot(
    f: Callable[[float], float],
    lower: float,
    upper: float,
    tol: float = UNIROOT_TOL,
    maxiter: int = 1000,
) -> float:
    """Brent's root finder as R's ``uniroot`` runs it (default ``tol`` and ``maxiter``).

    Written from Brent RP, Algorithms for Minimization without Derivatives (Prentice-Hall
    1973), chapter 4: bisection safeguarding secant / inverse quadratic interpolation.
    Reproducing the iteration (not just the root) matters because ``fisher.test``'s
    odds ratio and CI are ``uniroot`` results with the loose default ``tol`` ~ 1.2e-4.
    """
    a, b = lower, upper
    fa, fb = f(a), f(b)
    if fa == 0:
        return a
    if fb == 0:
        return b
    if fa * fb > 0:
        raise NenauditError("internal: root not bracketed in fisher_test's odds-ratio search")
    c, fc = a, fa
    for _ in range(maxiter + 1):
        prev_step = b - a
        if abs(fc) < abs(fb):
            a, b, c = b, c, b
            fa, fb, fc = fb, fc, fb
        tol_act = 2 * _EPS * abs(b) + tol / 2
        new_step = (c - b) / 2
        if abs(new_step) <= tol_act or fb == 0:
            return b
        if abs(prev_step) >= tol_act and abs(fa) > abs(fb):
            cb = c - b
            if a == c:
                t1 = fb / fa
                p = cb * t1
                q = 1.0 - t1
            else:
                q = fa / fc
                t1 = fb / fc
                t2 = fb / fa
                p = t2 * (cb * q * (q - t1) - (b - a) * (t1 - 1.0))
                q = (q - 1.0) * (t1 - 1.0) * (t2 - 1.0)
            if p > 0:
                q = -q
            else:
                p = -p
            if p < (0.75 * cb * q - abs(tol_act * q) / 2) and p < abs(prev_step * q / 2):
                new_step = p / q
        if abs(new_step) < tol_act:
            new_step = tol_act if new_step > 0 else -tol_act
        a, fa = b, fb
        b += new_step
        fb = f(b)
        if (fb > 0 and fc > 0) or (fb < 0 and fc < 0):
            c, fc = a, fa
    return b

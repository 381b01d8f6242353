"""Maximum-likelihood and Firth logistic regression, reproducing R step by step.

* :func:`fit_logistic` matches ``glm(y ~ ., family = binomial)`` followed by ``summary()``,
  ``confint.default()`` (Wald) and ``confint()`` (R 4.2.2 dispatches to MASS's
  ``confint.glm`` -> ``profile.glm`` -> ``confint.profile.glm``). The IRLS iteration of
  ``stats::glm.fit`` is reproduced exactly (start, weights, stopping rule, which weights
  the standard errors come from), and so are MASS's profiling grid, R's ``spline()``
  (Forsythe-Malcolm-Moler end conditions) and ``approx()`` used to invert it, so the
  profile interval agrees with R to rounding. The exact profile-likelihood interval (the
  root of the signed-root deviance, without MASS's spline) is also returned.
* :func:`fit_firth` matches ``glm(..., method = brglm2::brglmFit, type = "AS_mean")``:
  Firth's (1993) bias-reducing adjusted score, solved by brglm2's quasi-Fisher scoring.
* :func:`lr_test` is ``anova(reduced, full, test = "Chisq")``.

The binomial family's link functions follow R's C code (``logit_linkinv``,
``logit_mu_eta``, ``binomial_dev_resids`` in ``src/library/stats/src/family.c``): the
inverse link clamps ``|eta| > 30``, the derivative uses ``DBL_EPSILON`` there.
"""

from __future__ import annotations

import math
import warnings
from dataclasses import dataclass, field
from typing import Any, Sequence

import numpy as np
from scipy import optimize, special
from scipy import stats as sstats

from nenaudit.exceptions import ConvergenceWarning, NenauditError, SeparationWarning
from nenaudit.stats._result import Result

__all__ = [
    "LogisticResult",
    "FirthResult",
    "LRTest",
    "fit_logistic",
    "fit_firth",
    "lr_test",
    "r_spline_fmm",
    "r_approx",
]

_DBL_EPS = float(np.finfo(float).eps)
_THRESH = 30.0
_INVEPS = 1.0 / _DBL_EPS

MSG_NOT_CONVERGED = "glm.fit: algorithm did not converge"
MSG_FITTED_01 = "glm.fit: fitted probabilities numerically 0 or 1 occurred"
MSG_BOUNDARY = "glm.fit: algorithm stopped at boundary value"


# --------------------------------------------------------------------------------------
# Binomial family with the logit link, as in R's C code
# --------------------------------------------------------------------------------------


def _linkinv(eta: np.ndarray) -> np.ndarray:
    tmp = np.where(eta < -_THRESH, _DBL_EPS, np.where(eta > _THRESH, _INVEPS, np.exp(np.clip(eta, -_THRESH, _THRESH))))
    return tmp / (1.0 + tmp)


def _mu_eta(eta: np.ndarray) -> np.ndarray:
    e = np.exp(np.clip(eta, -_THRESH, _THRESH))
    opexp = 1.0 + e
    return np.where((eta > _THRESH) | (eta < -_THRESH), _DBL_EPS, e / (opexp * opexp))


def _linkfun(mu: np.ndarray) -> np.ndarray:
    return np.log(mu / (1.0 - mu))


def _dev_resids(y: np.ndarray, mu: np.ndarray, wt: np.ndarray, yb: np.ndarray | None = None) -> np.ndarray:
    if yb is not None:  # 0/1 response (yb = y == 1): same operations as below, fewer passes
        return 2.0 * wt * np.log(np.where(yb, 1.0 / mu, 1.0 / (1.0 - mu)))
    with np.errstate(divide="ignore", invalid="ignore"):
        a = np.where(y != 0.0, y * np.log(y / mu), 0.0)
        b = np.where(1.0 - y != 0.0, (1.0 - y) * np.log((1.0 - y) / (1.0 - mu)), 0.0)
    return 2.0 * wt * (a + b)


def _rsum(x: np.ndarray) -> float:
    # R's sum() accumulates in long double; fsum (exactly rounded) is the closest match
    return math.fsum(x.tolist())


def _aic(y: np.ndarray, mu: np.ndarray, wt: np.ndarray, rank: int) -> float:
    # binomial()$aic with m = wt (0/1 response): -2 sum(dbinom(round(m y), round(m), mu, log))
    pos = wt > 0
    k = np.round(wt[pos] * y[pos])
    size = np.round(wt[pos])
    ll = sstats.binom.logpmf(k, size, mu[pos])
    return -2.0 * _rsum(ll) + 2.0 * rank


# --------------------------------------------------------------------------------------
# glm.fit (IRLS) for the binomial family
# --------------------------------------------------------------------------------------


@dataclass
class _GlmFit:
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


def _glm_fit(
    x: np.ndarray,
    y: np.ndarray,
    weights: np.ndarray,
    offset: np.ndarray,
    etastart: np.ndarray | None = None,
    epsilon: float = 1e-8,
    maxit: int = 25,
) -> _GlmFit:
    """R's ``glm.fit`` for ``binomial()`` (0/1 or proportion response with prior weights)."""
    nvars = x.shape[1]
    yb = (y == 1.0) if np.all((y == 0.0) | (y == 1.0)) else None
    if nvars == 0:  # EMPTY model: eta is the offset
        eta = offset.copy()
        mu = _linkinv(eta)
        dev = _rsum(_dev_resids(y, mu, weights, yb))
        return _GlmFit(np.zeros(0), eta, mu, dev, 0, True, True, None)
    if etastart is None:
        mustart = (weights * y + 0.5) / (weights + 1.0)
        eta = _linkfun(mustart)
    else:
        eta = np.asarray(etastart, dtype=float).copy()
    mu = _linkinv(eta)
    devold = _rsum(_dev_resids(y, mu, weights, yb))
    good = weights > 0
    xg = x[good]
    conv = False
    boundary = False
    coef = np.full(nvars, np.nan)
    coefold: np.ndarray | None = None
    rmat = None
    it = 0
    for it in range(1, maxit + 1):
        mu_eta = _mu_eta(eta)
        var = mu * (1.0 - mu)
        z = (eta - offset)[good] + (y - mu)[good] / mu_eta[good]
        w = np.sqrt((weights[good] * mu_eta[good] ** 2) / var[good])
        start, rmat = _wls(xg * w[:, None], z * w)
        if not np.all(np.isfinite(start)):
            warnings.warn(f"non-finite coefficients at iteration {it}", ConvergenceWarning, stacklevel=3)
            conv = False
            break
        eta = x @ start + offset
        mu = _linkinv(eta)
        dev = _rsum(_dev_resids(y, mu, weights, yb))
        boundary = False
        if not math.isfinite(dev):  # cannot happen with the clamped logit; kept as R has it
            if coefold is None:
                raise NenauditError("no valid set of coefficients found: check the data for infinite values")
            ii = 1
            while not math.isfinite(dev):
                if ii > maxit:
                    raise NenauditError("glm.fit inner loop 1 could not correct the step size")
                ii += 1
                start = (start + coefold) / 2.0
                eta = x @ start + offset
                mu = _linkinv(eta)
                dev = _rsum(_dev_resids(y, mu, weights, yb))
            boundary = True
        coef = start
        if abs(dev - devold) / (0.1 + abs(dev)) < epsilon:
            conv = True
            break
        devold = dev
        coefold = start
    return _GlmFit(coef, eta, mu, dev, it, conv, boundary, rmat)


# --------------------------------------------------------------------------------------
# R's spline(method = "fmm") and approx(), written from the algorithm descriptions
# --------------------------------------------------------------------------------------


def _r_mean(v: np.ndarray) -> float:
    # R's mean(): long-double sum / n, then one refinement pass
    n = len(v)
    s = math.fsum(v.tolist()) / n
    if math.isfinite(s):
        s = s + math.fsum((v - s).tolist()) / n
    return s


def _regularize(x: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """``regularize.values(x, y, ties = mean)``: drop NA, sort stably, average tied x."""
    ok = ~(np.isnan(x) | np.isnan(y))
    x, y = x[ok], y[ok]
    if np.any(np.diff(x) < 0):
        o = np.argsort(x, kind="stable")
        x, y = x[o], y[o]
    ux, start = np.unique(x, return_index=True)
    if len(ux) < len(x):
        bounds = np.append(start, len(x))
        y = np.array([_r_mean(y[a:b]) for a, b in zip(bounds[:-1], bounds[1:])])
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


def _r_seq(lo: float, hi: float, n: int) -> np.ndarray:
    """``seq.int(lo, hi, length.out = n)`` as R 4.2 builds it: ``lo + i * by``, last = ``hi``."""
    out = np.empty(n)
    if n > 0:
        out[0] = lo
    if n > 1:
        by = (hi - lo) / (n - 1)
        out[1:] = lo + np.arange(1, n) * by
        out[n - 1] = hi
    return out


def r_spline_fmm(x: Sequence[float], y: Sequence[float], n: int | None = None) -> tuple[np.ndarray, np.ndarray]:
    """R's ``spline(x, y, n = 3 * length(x), method = "fmm")``: interpolating cubic spline.

    Ties in ``x`` are averaged (``ties = mean``) and, as in R (whose default ``n`` is
    evaluated lazily, after the ties are collapsed), ``n`` defaults to three times the
    number of *distinct* ``x``. Output points are ``seq(min(x), max(x), length.out = n)``.

    References
    ----------
    Forsythe GE, Malcolm MA, Moler CB. Computer Methods for Mathematical Computations.
    Prentice-Hall; 1977. ISBN 0-13-165332-6 (routines SPLINE/SEVAL).
    """
    xs, ys = _regularize(np.asarray(x, dtype=float), np.asarray(y, dtype=float))
    if n is None:
        n = 3 * len(xs)
    b, c, d = _fmm_coef(xs, ys)
    u = _r_seq(float(xs[0]), float(xs[-1]), n)
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
    xs, ys = _regularize(np.asarray(x, dtype=float), np.asarray(y, dtype=float))
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


# --------------------------------------------------------------------------------------
# Input handling
# --------------------------------------------------------------------------------------


def _prepare(X: Any, y: Any, names: Sequence[str] | None, intercept: bool, weights: Any):
    if hasattr(X, "columns") and hasattr(X, "to_numpy"):
        col_names = [str(c) for c in X.columns]
        try:
            xm = X.to_numpy(dtype=float)
        except (TypeError, ValueError):
            bad = [c for c in X.columns if not np.issubdtype(np.asarray(X[c]).dtype, np.number)]
            raise NenauditError(
                f"column {bad[0] if bad else '?'!r} is not numeric: code it as 0/1 dummies first"
            ) from None
        if names is None:
            names = col_names
    else:
        try:
            xm = np.asarray(X, dtype=float)
        except (TypeError, ValueError):
            raise NenauditError("X must be numeric: code categorical predictors as 0/1 dummies first") from None
    if xm.ndim == 1:
        xm = xm[:, None]
    if xm.ndim != 2:
        raise NenauditError(f"X must be 2-d (rows x predictors), got shape {xm.shape}")
    n, p = xm.shape
    if names is None:
        names = [f"x{j + 1}" for j in range(p)]
    names = [str(s) for s in names]
    if len(names) != p:
        raise NenauditError(f"names has {len(names)} entries but X has {p} columns: pass one name per column")
    for j in range(p):
        if not np.all(np.isfinite(xm[:, j])):
            raise NenauditError(f"column {names[j]!r} has missing or infinite values: drop or impute those rows first")
    try:
        yv = np.asarray(y, dtype=float).ravel()
    except (TypeError, ValueError):
        raise NenauditError("y must be numeric 0/1 (or boolean)") from None
    if len(yv) != n:
        raise NenauditError(f"y has {len(yv)} values but X has {n} rows: pass one outcome per row")
    if not np.all(np.isin(yv, (0.0, 1.0))):
        bad = yv[~np.isin(yv, (0.0, 1.0))][0]
        raise NenauditError(f"y must be coded 0/1, found {bad!r}: recode the outcome as 0/1")
    if weights is None:
        wv = np.ones(n)
    else:
        wv = np.asarray(weights, dtype=float).ravel()
        if len(wv) != n or not np.all(np.isfinite(wv)) or np.any(wv < 0):
            raise NenauditError(f"weights must be {n} finite non-negative numbers, one per row")
    if intercept:
        if "(Intercept)" in names:
            raise NenauditError("a column is already named '(Intercept)': drop it or pass intercept=False")
        xm = np.column_stack([np.ones(n), xm])
        names = ["(Intercept)", *names]
    if xm.shape[1] == 0:
        raise NenauditError("the model has no coefficients: pass intercept=True or at least one predictor")
    good = wv > 0
    if good.sum() < xm.shape[1]:
        raise NenauditError(f"{int(good.sum())} rows with positive weight cannot estimate {xm.shape[1]} coefficients")
    # aliasing check (R would return NA coefficients; we refuse instead), tolerance as lm's 1e-7
    r = np.linalg.qr(xm[good], mode="r")
    dg = np.abs(np.diag(r))
    scale = np.linalg.norm(xm[good], axis=0)
    for j in range(xm.shape[1]):
        if scale[j] == 0 or dg[j] < 1e-7 * scale[j]:
            raise NenauditError(
                f"column {names[j]!r} is constant or a linear combination of earlier columns: drop it"
            )
    return xm, yv, wv, names


# --------------------------------------------------------------------------------------
# Results
# --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class LRTest(Result):
    """Likelihood-ratio (deviance) test of nested models, as ``anova(reduced, full, test = "Chisq")``."""

    statistic: float
    df: int
    p: float


@dataclass(frozen=True)
class LogisticResult(Result):
    """A fitted maximum-likelihood logistic regression (see :func:`fit_logistic`)."""

    names: tuple[str, ...]
    coef: np.ndarray
    se: np.ndarray
    z: np.ndarray
    p: np.ndarray
    ci_wald: np.ndarray
    ci_profile: np.ndarray
    ci_profile_exact: np.ndarray
    level: float
    deviance: float
    null_deviance: float
    df_residual: int
    df_null: int
    aic: float
    loglik: float
    iterations: int
    converged: bool
    separation: bool
    warnings: tuple[str, ...]
    n: int
    cov: np.ndarray = field(repr=False)
    fitted: np.ndarray = field(repr=False)

    @property
    def odds_ratio(self) -> np.ndarray:
        """``exp(coef)``."""
        return np.exp(self.coef)

    @property
    def or_ci_wald(self) -> np.ndarray:
        """``exp(confint.default(fit))``."""
        return np.exp(self.ci_wald)

    @property
    def or_ci_profile(self) -> np.ndarray:
        """``exp(confint(fit))`` (MASS's spline-interpolated profile interval)."""
        return np.exp(self.ci_profile)

    @property
    def or_ci_profile_exact(self) -> np.ndarray:
        """Exponentiated exact profile-likelihood interval."""
        return np.exp(self.ci_profile_exact)

    def coefficient(self, name: str) -> float:
        """The estimate for one named coefficient."""
        try:
            return float(self.coef[self.names.index(name)])
        except ValueError:
            raise NenauditError(f"no coefficient named {name!r}; the model has {list(self.names)}") from None

    def summary(self, ci: str = "profile"):
        """Coefficient table as a pandas DataFrame (one row per coefficient).

        Columns: estimate, se, z, p, ci_lower, ci_upper, OR, OR_lower, OR_upper. ``ci`` picks
        the interval: ``"profile"`` (R's ``confint``; falls back to Wald when profiling was
        not run), ``"exact"`` or ``"wald"`` (``confint.default``).
        """
        import pandas as pd

        if ci not in ("profile", "exact", "wald"):
            raise NenauditError(f"ci must be 'profile', 'exact' or 'wald', got {ci!r}")
        lim = {"profile": self.ci_profile, "exact": self.ci_profile_exact, "wald": self.ci_wald}[ci]
        if ci != "wald" and np.all(np.isnan(lim)):
            lim = self.ci_wald
        return pd.DataFrame(
            {
                "estimate": self.coef,
                "se": self.se,
                "z": self.z,
                "p": self.p,
                "ci_lower": lim[:, 0],
                "ci_upper": lim[:, 1],
                "OR": np.exp(self.coef),
                "OR_lower": np.exp(lim[:, 0]),
                "OR_upper": np.exp(lim[:, 1]),
            },
            index=pd.Index(self.names, name="term"),
        )


@dataclass(frozen=True)
class FirthResult(Result):
    """A Firth (bias-reduced, ``AS_mean``) logistic regression (see :func:`fit_firth`)."""

    names: tuple[str, ...]
    coef: np.ndarray
    se: np.ndarray
    z: np.ndarray
    p: np.ndarray
    ci_wald: np.ndarray
    level: float
    deviance: float
    iterations: int
    converged: bool
    warnings: tuple[str, ...]
    n: int

    @property
    def odds_ratio(self) -> np.ndarray:
        return np.exp(self.coef)

    @property
    def or_ci_wald(self) -> np.ndarray:
        return np.exp(self.ci_wald)


# --------------------------------------------------------------------------------------
# Profiling (MASS::profile.glm + confint.profile.glm)
# --------------------------------------------------------------------------------------


def _profile_points(x, y, w, off, b0, se, dev0, i, zmax, delta, maxsteps):
    """Signed-root profile points for coefficient ``i`` on MASS's grid (sorted by z)."""
    p = x.shape[1]
    keep = np.arange(p) != i
    xi = x[:, keep]
    lp0 = x @ b0 + off
    zs = [0.0]
    bs = [float(b0[i])]
    for sgn in (-1.0, 1.0):
        step = 0
        z = 0.0
        lp = lp0
        while True:
            step += 1
            if not (step < maxsteps and abs(z) < zmax):
                break
            bi = b0[i] + sgn * step * delta * se[i]
            o = off + x[:, i] * bi
            fm = _glm_fit(xi, y, w, o, etastart=lp)
            lp = xi @ fm.coef + o if xi.shape[1] else o
            zz = fm.deviance - dev0
            if zz > -0.001:
                zz = max(zz, 0.0)
            else:
                raise NenauditError(
                    "profiling found a better fit than the MLE, so the original fit had not converged: check separation"
                )
            z = sgn * math.sqrt(zz)
            zs.append(z)
            bs.append(float(bi))
    zs_a = np.array(zs)
    bs_a = np.array(bs)
    o = np.argsort(zs_a, kind="stable")
    return bs_a[o], zs_a[o]


def _exact_root(x, y, w, off, b0, dev0, i, target, bs, zs, se_i):
    """Solve signed-root deviance(b) = target with tightly converged nuisance fits."""
    p = x.shape[1]
    keep = np.arange(p) != i
    xi = x[:, keep]
    lp0 = x @ b0 + off

    def f(b: float) -> float:
        o = off + x[:, i] * b
        fm = _glm_fit(xi, y, w, o, etastart=lp0, epsilon=1e-14, maxit=200)
        zz = max(fm.deviance - dev0, 0.0)
        return math.copysign(math.sqrt(zz), b - b0[i]) - target

    # bracket from the grid; extend outwards if MASS's 9 steps did not reach the target
    side = 1.0 if target > 0 else -1.0
    lo = float(b0[i])
    hi = None
    for b, z in sorted(zip(bs, zs), key=lambda t: side * t[0]):
        if side * (b - b0[i]) <= 0:
            continue
        if side * z >= side * target:
            hi = float(b)
            break
        lo = float(b)
    if hi is None:
        b = lo
        for _ in range(60):
            b = b + side * max(se_i, 1e-8)
            if f(b) * side >= 0:
                hi = b
                break
            lo = b
        else:
            return math.nan
        if not math.isfinite(se_i):
            return math.nan
    a_, b_ = sorted((lo, hi))
    return float(optimize.brentq(f, a_, b_, xtol=1e-14, rtol=4 * _DBL_EPS, maxiter=200))


# --------------------------------------------------------------------------------------
# Public fitting functions
# --------------------------------------------------------------------------------------


def _separation_messages(x, y, fit: _GlmFit, names, se) -> list[str]:
    msgs = []
    eps10 = 10 * _DBL_EPS
    n01 = int(np.sum((fit.mu > 1 - eps10) | (fit.mu < eps10)))
    eta = fit.eta
    kind = ""
    if np.any(y == 1) and np.any(y == 0) and np.ptp(eta) > 0:
        lo1, hi0 = eta[y == 1].min(), eta[y == 0].max()
        kind = "complete" if lo1 > hi0 else ("quasi-complete" if lo1 >= hi0 else "")
    sd = x.std(axis=0)
    big = [names[j] for j in range(len(names)) if sd[j] > 0 and se[j] * sd[j] > 30]
    if kind or n01 or big:
        parts = []
        if kind:
            parts.append(f"the fitted linear predictor separates y=1 from y=0 ({kind} separation)")
        if n01:
            parts.append(f"{n01} fitted probabilities within 10*eps of 0 or 1")
        if big:
            parts.append("standard errors blow up for " + ", ".join(big))
        msgs.append(
            "separation suspected: " + "; ".join(parts) + ": the ML estimates do not exist, use fit_firth()"
        )
    return msgs


def fit_logistic(
    X: Any,
    y: Any,
    *,
    names: Sequence[str] | None = None,
    intercept: bool = True,
    weights: Any = None,
    level: float = 0.95,
    profile: bool = True,
) -> LogisticResult:
    """Maximum-likelihood logistic regression, matching R's ``glm(family = binomial)``.

    Reproduces ``stats::glm.fit`` (iteratively reweighted least squares started from
    ``mustart = (w y + 0.5) / (w + 1)``, stopping when
    ``|dev - devold| / (|dev| + 0.1) < 1e-8``, at most 25 iterations: R's
    ``glm.control()`` defaults), then ``summary.glm`` (standard errors from the QR
    decomposition of the last iteration's weighted design, dispersion 1, two-sided normal
    p-values), ``confint.default`` (Wald) and R 4.2.2's ``confint()`` for a glm, which is
    ``MASS:::confint.glm``: ``profile.glm`` with ``alpha = (1 - level) / 4``,
    ``zmax = sqrt(qchisq(1 - alpha, 1))``, ``del = zmax / 5``, ``maxsteps = 10``, each
    nuisance fit a ``glm.fit`` with offset started from the previous linear predictor,
    then ``confint.profile.glm``: ``spline()`` (method ``"fmm"``) through
    (parameter, signed root deviance) and ``approx()`` at ``qnorm((1 -+ level) / 2)``.

    Parameters
    ----------
    X : array-like (n, p) or pandas.DataFrame
        Predictors (numeric; code factors as dummies). Column names of a DataFrame are used.
    y : array-like (n,)
        Outcome coded 0/1.
    names : sequence of str, optional
        Predictor names (default: DataFrame columns, else ``x1, x2, ...``).
    intercept : bool
        Prepend an intercept column named ``"(Intercept)"`` (R's default formula).
    weights : array-like (n,), optional
        Prior weights (R's ``weights =``); zero-weight rows are left out of the fit.
    level : float
        Confidence level for the intervals (R's default 0.95).
    profile : bool
        Compute the profile-likelihood intervals (R-compatible and exact); otherwise they
        are NaN.

    Returns
    -------
    LogisticResult
        ``ci_profile`` is what ``confint(fit)`` returns (MASS's spline interpolation of the
        profile, NA where the profile does not reach the cutoff, e.g. under separation);
        ``ci_profile_exact`` solves ``sign(b - b_hat) sqrt(D(b) - D(b_hat)) = qnorm(.)``
        exactly with fully converged nuisance fits (NaN when separation is diagnosed or the
        fit did not converge, since then no finite MLE exists). Warnings R would print
        (non-convergence, fitted probabilities 0 or 1) are issued as
        :class:`~nenaudit.exceptions.ConvergenceWarning` /
        :class:`~nenaudit.exceptions.SeparationWarning` and recorded in ``warnings``.

    Notes
    -----
    Python reference (``tests/test_python_references.py``): statsmodels'
    ``GLM(y, X, family=Binomial()).fit()`` runs the same IRLS from the same start
    (``mu = (y + 1/2) / 2``) and, when it stops after the same number of steps, agrees to
    rounding (coefficients, SEs, z, p, deviance, AIC; its ``conf_int()`` is Wald, R's
    ``confint.default``, our ``ci_wald``). Its stopping rule differs from ``glm.fit``'s: an
    absolute deviance change below ``tol = 1e-8`` against R's relative one,
    ``|dev - dev_old| / (|dev| + 0.1) < 1e-8``, so it sometimes takes one more step; the SEs
    then differ by about 1e-6, because R's ``summary.glm`` takes them from the weights of its
    last step. statsmodels has no profile-likelihood interval (R's ``confint``, ``ci_profile``).

    References
    ----------
    McCullagh P, Nelder JA. Generalized Linear Models, 2nd ed. Chapman & Hall; 1989.
    doi:10.1007/978-1-4899-3242-6 (IRLS, deviance).
    Venables WN, Ripley BD. Modern Applied Statistics with S, 4th ed. Springer; 2002.
    doi:10.1007/978-0-387-21706-2 (profile.glm / confint.glm in MASS).
    Albert A, Anderson JA. On the existence of maximum likelihood estimates in logistic
    regression models. Biometrika 1984;71:1-10. doi:10.1093/biomet/71.1.1 (separation).
    """
    if not (0.0 < float(level) < 1.0):
        raise NenauditError(f"level must lie strictly between 0 and 1, got {level!r}")
    x, yv, wv, nm = _prepare(X, y, names, intercept, weights)
    n, p = x.shape
    off = np.zeros(n)
    fit = _glm_fit(x, yv, wv, off)
    msgs: list[str] = []
    if not fit.converged:
        msgs.append(MSG_NOT_CONVERGED)
        warnings.warn(MSG_NOT_CONVERGED, ConvergenceWarning, stacklevel=2)
    if fit.boundary:
        msgs.append(MSG_BOUNDARY)
        warnings.warn(MSG_BOUNDARY, ConvergenceWarning, stacklevel=2)
    eps10 = 10 * _DBL_EPS
    if np.any(fit.mu > 1 - eps10) or np.any(fit.mu < eps10):
        msgs.append(MSG_FITTED_01)
        warnings.warn(MSG_FITTED_01, SeparationWarning, stacklevel=2)

    rinv = np.linalg.solve(fit.rmat, np.eye(p)) if p > 1 else np.array([[1.0 / fit.rmat[0, 0]]])
    cov = rinv @ rinv.T
    se = np.sqrt(np.diag(cov))
    coef = fit.coef
    zval = coef / se
    pval = 2.0 * special.ndtr(-np.abs(zval))
    a = (1.0 - level) / 2.0
    fac = special.ndtri(np.array([a, 1.0 - a]))
    ci_wald = coef[:, None] + np.outer(se, fac)

    sep_msgs = _separation_messages(x, yv, fit, nm, se)
    for m in sep_msgs:
        msgs.append(m)
        warnings.warn(m, SeparationWarning, stacklevel=2)

    ci_prof = np.full((p, 2), np.nan)
    ci_exact = np.full((p, 2), np.nan)
    if profile:
        alpha = (1.0 - level) / 4.0
        zmax = math.sqrt(float(sstats.chi2.ppf(1.0 - alpha, 1)))
        delta = zmax / 5.0
        for i in range(p):
            bs, zs = _profile_points(x, yv, wv, off, coef, se, fit.deviance, i, zmax, delta, 10)
            sx, sy = r_spline_fmm(bs, zs)
            ci_prof[i] = r_approx(sy, sx, fac)
            if sep_msgs or not fit.converged:
                continue  # no finite MLE: the exact profile interval is undefined (left NaN)
            for k in range(2):
                ci_exact[i, k] = _exact_root(x, yv, wv, off, coef, fit.deviance, i, fac[k], bs, zs, se[i])

    good = wv > 0
    n_ok = int(good.sum())
    wtdmu = _rsum(wv * yv) / _rsum(wv) if intercept else 0.5
    null_dev = _rsum(_dev_resids(yv, np.full(n, wtdmu), wv))
    aic = _aic(yv, fit.mu, wv, p)
    return LogisticResult(
        names=tuple(nm),
        coef=coef,
        se=se,
        z=zval,
        p=pval,
        ci_wald=ci_wald,
        ci_profile=ci_prof,
        ci_profile_exact=ci_exact,
        level=float(level),
        deviance=fit.deviance,
        null_deviance=null_dev,
        df_residual=n_ok - p,
        df_null=n_ok - int(intercept),
        aic=aic,
        loglik=p - aic / 2.0,
        iterations=fit.iterations,
        converged=fit.converged,
        separation=bool(sep_msgs) or MSG_FITTED_01 in msgs,
        warnings=tuple(msgs),
        n=n,
        cov=cov,
        fitted=fit.mu,
    )


def lr_test(full: LogisticResult, reduced: LogisticResult) -> LRTest:
    """Likelihood-ratio chi-square test of a reduced model nested in a full one.

    Matches ``anova(reduced, full, test = "Chisq")`` (R's ``stat.anova``): statistic is the
    drop in deviance, ``df`` the drop in residual degrees of freedom, ``p`` the upper tail of
    the chi-square distribution (``pchisq(..., lower.tail = FALSE)``). Nesting is checked by
    coefficient names only.

    References
    ----------
    Wilks SS. The large-sample distribution of the likelihood ratio for testing composite
    hypotheses. Ann Math Stat 1938;9:60-62. doi:10.1214/aoms/1177732360
    """
    if full.n != reduced.n:
        raise NenauditError(f"models were fitted to {full.n} and {reduced.n} rows: refit both on the same rows")
    if not set(reduced.names) <= set(full.names):
        extra = sorted(set(reduced.names) - set(full.names))
        raise NenauditError(f"reduced model has terms {extra} not in the full model: pass (full, reduced)")
    df = reduced.df_residual - full.df_residual
    if df <= 0:
        raise NenauditError("the full model must have more coefficients than the reduced one: pass (full, reduced)")
    stat = reduced.deviance - full.deviance
    return LRTest(statistic=float(stat), df=int(df), p=float(sstats.chi2.sf(stat, df)))


# --------------------------------------------------------------------------------------
# Firth (brglm2::brglmFit, type = "AS_mean")
# --------------------------------------------------------------------------------------


def _firth_quantities(x, y, w, beta):
    eta = x @ beta
    mu = _linkinv(eta)
    d1 = _mu_eta(eta)
    d2 = d1 * (1.0 - 2.0 * mu)  # enrichwith's d2mu.deta for the logit link
    var = mu * (1.0 - mu)
    ww = w * d1**2 / var
    wx = np.sqrt(ww)[:, None] * x
    q, r = np.linalg.qr(wx)
    hat = np.sum(q * q, axis=1)
    grad = ((w * d1 * (y - mu) / var)[:, None] * x).sum(axis=0)
    adj = ((0.5 * hat * d2 / d1)[:, None] * x).sum(axis=0)
    rinv = np.linalg.solve(r, np.eye(r.shape[0]))
    inv_info = rinv @ rinv.T
    step = inv_info @ (grad + adj)
    return step, inv_info, mu


def fit_firth(
    X: Any,
    y: Any,
    *,
    names: Sequence[str] | None = None,
    intercept: bool = True,
    weights: Any = None,
    level: float = 0.95,
    epsilon: float = 1e-6,
    maxit: int = 100,
) -> FirthResult:
    """Firth's bias-reduced logistic regression, as ``brglm2::brglmFit(type = "AS_mean")``.

    Solves the adjusted score ``U(b) + sum_i (h_i / 2) (1 - 2 mu_i) x_i = 0`` (``h`` the
    hat values of the weighted design) with brglm2's algorithm: start from ``glm.fit`` on
    the response ``(w y + adj / 2) / (w + adj)``, weights ``w + adj``, ``adj = p / n``
    (brglm2's default ``response_adjustment``), then quasi-Fisher scoring
    ``b <- b + 2^-k I(b)^-1 U*(b)`` with step halving while the new step is larger than the
    previous one (``max_step_factor = 12``), stopping when ``sum |step| < epsilon``
    (``brglmControl()`` defaults: ``epsilon = 1e-6``, ``maxit = 100``). Standard errors are
    from the expected information at the estimate, as ``summary()`` of a brglmFit fit;
    intervals are Wald (``confint.default``).

    References
    ----------
    Firth D. Bias reduction of maximum likelihood estimates. Biometrika 1993;80:27-38.
    doi:10.1093/biomet/80.1.27
    Kosmidis I, Firth D. Jeffreys-prior penalty, finiteness and shrinkage in binomial-response
    generalized linear models. Biometrika 2021;108:71-82. doi:10.1093/biomet/asaa052
    """
    if not (0.0 < float(level) < 1.0):
        raise NenauditError(f"level must lie strictly between 0 and 1, got {level!r}")
    x, yv, wv, nm = _prepare(X, y, names, intercept, weights)
    n, p = x.shape
    adj = p / n
    w_adj = wv + adj
    y_adj = (wv * yv + 0.5 * adj) / w_adj
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        start = _glm_fit(x, y_adj, w_adj, np.zeros(n), epsilon=epsilon, maxit=10000)
    beta = start.coef.copy()
    step, inv_info, mu = _firth_quantities(x, yv, wv, beta)
    msgs: list[str] = []
    failed = False
    it = 0
    for it in range(1, maxit + 1):
        step_factor = 0
        testhalf = True
        while testhalf and step_factor < 12:
            beta0 = beta
            step_prev = step
            beta = beta + 2.0 ** (-step_factor) * step
            try:
                step, inv_info, mu = _firth_quantities(x, yv, wv, beta)
            except np.linalg.LinAlgError:
                beta = beta0
                failed = True
                msgs.append("failed to invert the information matrix")
                break
            if step_factor == 0 and it == 1:
                testhalf = True
            else:
                testhalf = float(np.sum(np.abs(step))) > float(np.sum(np.abs(step_prev)))
            step_factor += 1
        if failed or float(np.sum(np.abs(step))) < epsilon:
            break
    converged = not (failed or it >= maxit)
    if not converged:
        m = "brglmFit: algorithm did not converge"
        msgs.append(m)
        warnings.warn(m, ConvergenceWarning, stacklevel=2)
    _, inv_info, mu = _firth_quantities(x, yv, wv, beta)
    se = np.sqrt(np.diag(inv_info))
    zval = beta / se
    pval = 2.0 * special.ndtr(-np.abs(zval))
    a = (1.0 - level) / 2.0
    fac = special.ndtri(np.array([a, 1.0 - a]))
    return FirthResult(
        names=tuple(nm),
        coef=beta,
        se=se,
        z=zval,
        p=pval,
        ci_wald=beta[:, None] + np.outer(se, fac),
        level=float(level),
        deviance=_rsum(_dev_resids(yv, mu, wv)),
        iterations=it,
        converged=converged,
        warnings=tuple(msgs),
        n=n,
    )

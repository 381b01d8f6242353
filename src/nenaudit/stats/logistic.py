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
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
from scipy import optimize, special
from scipy import stats as sstats

from nenaudit.exceptions import ConvergenceWarning, NenauditError, SeparationWarning
from nenaudit.stats._checks import aligned  # pandas inputs aligned on their index or refused
from nenaudit.stats._glm import (
    DBL_EPS,
    MSG_BOUNDARY,
    MSG_FITTED_01,
    MSG_NOT_CONVERGED,
    GlmFit,
    aliased_columns,
    binomial_aic,
    dev_resids,
    fitted_01,
    glm_fit,
    glm_se,
    linkinv,
    mu_eta,
    n_fitted_01,
    rsum,
)
from nenaudit.stats._glm_wald import wald_fit
from nenaudit.stats._rbase import r_approx, r_spline_fmm
from nenaudit.stats.result import Result

__all__ = [
    "LogisticResult",
    "FirthResult",
    "LRTest",
    "fit_logistic",
    "wald_table",
    "fit_firth",
    "lr_test",
    "r_spline_fmm",
    "r_approx",
]


# --------------------------------------------------------------------------------------
# Input handling
# --------------------------------------------------------------------------------------


def check_finite_columns(xm: np.ndarray, names: Sequence[str]) -> None:
    """Refuse the first column (in order) with a missing or infinite value, naming it."""
    bad = ~np.isfinite(xm).all(axis=0)
    if bad.any():
        j = int(np.flatnonzero(bad)[0])
        raise NenauditError(
            f"column {names[j]!r} has missing or infinite values: drop or impute those rows first"
        )


def checked_outcome(y: Any, n: int) -> np.ndarray:
    """``y`` as a float 0/1 vector of length ``n``, or the error saying what is wrong with it."""
    try:
        yv = np.asarray(y, dtype=float).ravel()
    except (TypeError, ValueError):
        raise NenauditError("y must be numeric 0/1 (or boolean)") from None
    if len(yv) != n:
        raise NenauditError(f"y has {len(yv)} values but X has {n} rows: pass one outcome per row")
    if not np.all(np.isin(yv, (0.0, 1.0))):
        bad = yv[~np.isin(yv, (0.0, 1.0))][0]
        raise NenauditError(f"y must be coded 0/1, found {bad!r}: recode the outcome as 0/1")
    return yv


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
            raise NenauditError(
                "X must be numeric: code categorical predictors as 0/1 dummies first"
            ) from None
    if xm.ndim == 1:
        xm = xm[:, None]
    if xm.ndim != 2:
        raise NenauditError(f"X must be 2-d (rows x predictors), got shape {xm.shape}")
    n, p = xm.shape
    if names is None:
        names = [f"x{j + 1}" for j in range(p)]
    names = [str(s) for s in names]
    if len(names) != p:
        raise NenauditError(
            f"names has {len(names)} entries but X has {p} columns: pass one name per column"
        )
    check_finite_columns(xm, names)
    yv = checked_outcome(y, n)
    if weights is None:
        wv = np.ones(n)
    else:
        wv = np.asarray(weights, dtype=float).ravel()
        if len(wv) != n or not np.all(np.isfinite(wv)) or np.any(wv < 0):
            raise NenauditError(f"weights must be {n} finite non-negative numbers, one per row")
    if intercept:
        if "(Intercept)" in names:
            raise NenauditError(
                "a column is already named '(Intercept)': drop it or pass intercept=False"
            )
        xm = np.column_stack([np.ones(n), xm])
        names = ["(Intercept)", *names]
    if xm.shape[1] == 0:
        raise NenauditError(
            "the model has no coefficients: pass intercept=True or at least one predictor"
        )
    good = wv > 0
    if good.sum() < xm.shape[1]:
        raise NenauditError(
            f"{int(good.sum())} rows with positive weight cannot estimate {xm.shape[1]} coefficients"
        )
    # aliasing check (R would return NA coefficients; we refuse instead), tolerance as lm's 1e-7
    aliased = np.flatnonzero(aliased_columns(xm[good]))
    if aliased.size:
        raise NenauditError(
            f"column {names[int(aliased[0])]!r} is constant or a linear combination of earlier columns: drop it"
        )
    return xm, yv, wv, names


def extreme_column_scales(x: np.ndarray, limit: float = 2.0**400) -> np.ndarray | None:
    """Powers of two that bring columns whose largest |value| is above ``limit`` or below ``1 / limit`` to about 1,
    or None when there is none (the ordinary case: the fit is left exactly as it was).

    R's ``glm`` fits a predictor scaled by 1e300 or 1e-300 (its QR uses overflow-safe norms); here such a
    column is divided by a power of two (exact in floating point), fitted, and its coefficient, SE, CIs and
    covariance divided back, so the estimates are R's (z, p, deviance unchanged).
    """
    big = np.max(np.abs(x), axis=0) if x.shape[0] else np.zeros(x.shape[1])
    extreme = (big > limit) | ((big > 0) & (big < 1.0 / limit))
    if not extreme.any():
        return None
    return np.array(
        [math.ldexp(1.0, math.frexp(float(b))[1]) if e else 1.0 for b, e in zip(big, extreme)]
    )


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
            raise NenauditError(
                f"no coefficient named {name!r}; the model has {list(self.names)}"
            ) from None

    def to_frame(self, ci: str = "profile"):
        """Coefficient table as a pandas DataFrame (one row per coefficient).

        Columns: estimate, se, z, p, ci_lower, ci_upper, OR, OR_lower, OR_upper. ``ci`` picks
        the interval: ``"profile"`` (R's ``confint``; falls back to Wald when profiling was
        not run), ``"exact"`` or ``"wald"`` (``confint.default``).
        """
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
            fm = glm_fit(xi, y, w, o, etastart=lp)
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
        fm = glm_fit(xi, y, w, o, etastart=lp0, epsilon=1e-14, maxit=200)
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
    return float(optimize.brentq(f, a_, b_, xtol=1e-14, rtol=4 * DBL_EPS, maxiter=200))


# --------------------------------------------------------------------------------------
# Public fitting functions
# --------------------------------------------------------------------------------------


def _separation_messages(x, y, fit: GlmFit, names, se) -> list[str]:
    msgs = []
    n01 = n_fitted_01(fit.mu)
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
            "separation suspected: "
            + "; ".join(parts)
            + ": the ML estimates do not exist, use fit_firth()"
        )
    return msgs


@aligned
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
    scale = extreme_column_scales(x)
    if (
        scale is not None
    ):  # fitted on x / scale (powers of two: exact), reported on the user's scale below
        x = x / scale
    off = np.zeros(n)
    fit = glm_fit(x, yv, wv, off)
    msgs: list[str] = []
    if not fit.converged:
        msgs.append(MSG_NOT_CONVERGED)
        warnings.warn(MSG_NOT_CONVERGED, ConvergenceWarning, stacklevel=2)
    if fit.boundary:
        msgs.append(MSG_BOUNDARY)
        warnings.warn(MSG_BOUNDARY, ConvergenceWarning, stacklevel=2)
    if fitted_01(fit.mu).any():
        msgs.append(MSG_FITTED_01)
        warnings.warn(MSG_FITTED_01, SeparationWarning, stacklevel=2)

    cov, se = glm_se(fit)
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
                ci_exact[i, k] = _exact_root(
                    x, yv, wv, off, coef, fit.deviance, i, fac[k], bs, zs, se[i]
                )

    if scale is not None:
        coef, se = coef / scale, se / scale
        ci_wald, ci_prof, ci_exact = (c / scale[:, None] for c in (ci_wald, ci_prof, ci_exact))
        with np.errstate(over="ignore", under="ignore"):
            cov = (cov / scale[:, None]) / scale[None, :]
    good = wv > 0
    n_ok = int(good.sum())
    wtdmu = rsum(wv * yv) / rsum(wv) if intercept else 0.5
    null_dev = rsum(dev_resids(yv, np.full(n, wtdmu), wv))
    aic = binomial_aic(yv, fit.mu, wv, p)
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


@aligned
def wald_table(
    X: Any, y: Any, *, names: Sequence[str] | None = None
) -> tuple[tuple[str, ...], np.ndarray, np.ndarray, np.ndarray]:
    """``(names, coef, se, p)`` of ``summary(glm(y ~ X, family = binomial))``, by the compiled IRLS.

    The coefficient table of :func:`fit_logistic` (intercept first; the same input checks and
    refusals, R's ``glm.fit`` iterations and ``summary.glm``'s dispersion-1 standard errors and
    two-sided normal p-values) without its intervals, AIC or separation diagnosis, computed by
    :func:`nenaudit.stats._glm_wald.wald_fit` in a tenth of the time: it agrees with
    ``fit_logistic`` to rounding (about 1e-13), not bit for bit. For the screening and elimination
    fits inside resampling loops; where glm.fit would halve a step it falls back to
    ``fit_logistic``. R: ``coef(summary(glm(y ~ ., family = binomial)))``.

    Reference: McCullagh P, Nelder JA. Generalized Linear Models, 2nd ed. Chapman & Hall; 1989,
    section 2.5. doi:10.1201/9780203753736
    """
    x, yv, wv, nm = _prepare(X, y, names, True, None)
    return _wald_design(x, yv, nm)


def wald_columns(xa: np.ndarray, yv: np.ndarray, cols: Sequence[int], names: Sequence[str]):
    """:func:`wald_table` of the columns ``cols`` of ``xa`` (named ``names``), for loops over subsets
    of one checked table: ``xa`` (n, p) float and finite and ``yv`` 0/1 float are the caller's (as
    :func:`_prepare` checks them, once); the rows and aliasing checks of ``_prepare`` are made here.
    The same design matrix as ``wald_table(xa[:, cols], yv, names=names)`` builds, hence the same
    numbers. R: ``coef(summary(glm(y ~ ., family = binomial)))``."""
    n = xa.shape[0]
    x = np.column_stack([np.ones(n), xa[:, list(cols)]])
    nm = ["(Intercept)", *names]
    if n < x.shape[1]:
        raise NenauditError(
            f"{n} rows with positive weight cannot estimate {x.shape[1]} coefficients"
        )
    aliased = np.flatnonzero(aliased_columns(x))
    if aliased.size:
        raise NenauditError(
            f"column {nm[int(aliased[0])]!r} is constant or a linear combination of earlier columns: drop it"
        )
    return _wald_design(x, yv, nm)


def _wald_design(x: np.ndarray, yv: np.ndarray, nm: list[str]):
    """wald_table on a checked design ``x`` (intercept column first)."""
    out = wald_fit(x, yv)
    if out is None:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            full = fit_logistic(x[:, 1:], yv, names=nm[1:], profile=False)
        return full.names, full.coef, full.se, full.p
    coef, se, p, _conv = out
    return tuple(nm), coef, se, p


def warm() -> None:
    """Compile :func:`wald_table`'s IRLS now (or load it from numba's cache); ``make venv`` calls
    this once after installing (see :func:`nenaudit.stats._lognet.warm`)."""
    x = np.array([0.5, 1.5, 2.0, 3.5, 1.0, 2.5, 3.0, 0.0])
    wald_table(x[:, None], [0, 1, 0, 1, 0, 1, 1, 0])


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
        raise NenauditError(
            f"models were fitted to {full.n} and {reduced.n} rows: refit both on the same rows"
        )
    if not set(reduced.names) <= set(full.names):
        extra = sorted(set(reduced.names) - set(full.names))
        raise NenauditError(
            f"reduced model has terms {extra} not in the full model: pass (full, reduced)"
        )
    df = reduced.df_residual - full.df_residual
    if df <= 0:
        raise NenauditError(
            "the full model must have more coefficients than the reduced one: pass (full, reduced)"
        )
    stat = reduced.deviance - full.deviance
    return LRTest(statistic=float(stat), df=int(df), p=float(sstats.chi2.sf(stat, df)))


# --------------------------------------------------------------------------------------
# Firth (brglm2::brglmFit, type = "AS_mean")
# --------------------------------------------------------------------------------------


def _firth_quantities(x, y, w, beta):
    eta = x @ beta
    mu = linkinv(eta)
    d1 = mu_eta(eta)
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


@aligned
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
        start = glm_fit(x, y_adj, w_adj, np.zeros(n), epsilon=epsilon, maxit=10000)
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
        deviance=rsum(dev_resids(yv, mu, wv)),
        iterations=it,
        converged=converged,
        warnings=tuple(msgs),
        n=n,
    )

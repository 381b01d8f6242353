"""Two samples of values, as R computes them: ``wilcox.test``, ``t.test``, ``shapiro.test``.

Each function reproduces the named R function with R's defaults (parity through rpy2 in
``tests/test_compare.py``; the R side is ``reference_r/compare.R``). Written from the published
algorithms and from reading R's R-level source; no code is taken from another project.
"""

from __future__ import annotations

import functools
import math
from dataclasses import dataclass

import numpy as np
from scipy import stats

from nenaudit.exceptions import NenauditError
from nenaudit.stats._checks import warn_and_record
from nenaudit.stats.result import Result

__all__ = ["RankSumTest", "mann_whitney", "TTest", "t_test", "ShapiroWilk", "shapiro_wilk"]

_EPS = np.finfo(float).eps


# --------------------------------------------------------------------------------------
# Two samples of values: rank-sum test, t tests, Shapiro-Wilk, quantiles
# --------------------------------------------------------------------------------------


def _as_sample(x, who: str, name: str) -> np.ndarray:
    """A 1-d float sample with non-finite values dropped (as R's ``x[is.finite(x)]``)."""
    try:
        a = np.asarray(x, dtype=float).ravel()
    except (TypeError, ValueError) as exc:
        raise NenauditError(f"{who}: '{name}' is not numeric ({exc}); pass numbers") from exc
    return a[np.isfinite(a)]


@dataclass(frozen=True)
class RankSumTest(Result):
    """Wilcoxon rank-sum (Mann-Whitney) test of two samples, as R's ``wilcox.test(x, y)`` reports it."""

    method: str
    statistic: float  # R's W: rank sum of x minus n_x (n_x + 1) / 2 (= Mann-Whitney U of x)
    p: float
    n_x: int
    n_y: int
    exact: bool
    warnings: tuple[str, ...] = ()


def _wilcox_counts(m: int, n: int) -> np.ndarray:
    """Number of ways U = k (k = 0..mn) for samples of sizes m and n (no ties); symmetric in m, n."""
    return _wilcox_table(min(m, n), max(m, n))


# a pure memo of a deterministic table, kept as one on purpose (issue 25): the same
# sizes give the same counts, so a hit cannot change a number; read-only, so no caller can alter it
@functools.lru_cache(maxsize=256)
def _wilcox_table(a: int, b: int) -> np.ndarray:
    """The counts of :func:`_wilcox_counts` for sizes ``a <= b``.

    Recurrence f(k; i, j) = f(k - j; i - 1, j) + f(k; i, j - 1) (the largest observation
    is from the first or from the second sample): additions only, so each count is exact
    while it fits in a double's 53 bits and relative-accurate beyond.
    """
    # row[j] holds f(.; i, j) for the current i, j = 0..b
    row = [np.ones(1) for _ in range(b + 1)]  # i = 0
    for i in range(1, a + 1):
        new = [np.ones(1)]  # j = 0
        for j in range(1, b + 1):
            f = np.zeros(i * j + 1)
            prev_i = row[j]  # f(.; i - 1, j), length (i - 1) j + 1
            f[j : j + len(prev_i)] += prev_i
            prev_j = new[j - 1]  # f(.; i, j - 1), length i (j - 1) + 1
            f[: len(prev_j)] += prev_j
            new.append(f)
        row = new
    row[b].setflags(write=False)
    return row[b]


def mann_whitney(x, y, exact: bool | None = None, correct: bool = True) -> RankSumTest:
    """Two-sided Wilcoxon rank-sum (Mann-Whitney U) test of ``x`` against ``y``.

    Matches R's ``wilcox.test(x, y)`` with its defaults (``alternative = "two.sided"``,
    ``mu = 0``, ``paired = FALSE``, ``exact = NULL``, ``correct = TRUE``). ``W`` is the
    rank sum of ``x`` (mid-ranks for ties) minus ``n_x (n_x + 1) / 2``. With
    ``exact=None`` the exact null distribution is used when both samples have fewer
    than 50 values; with ties it cannot be, and, as R, the test warns "cannot compute
    exact p-value with ties" and falls back to the normal approximation:
    ``z = (W - n_x n_y / 2 - sign * 0.5) / sigma`` with the tie-corrected
    ``sigma^2 = n_x n_y / 12 * ((N + 1) - sum(t^3 - t) / (N (N - 1)))``.
    Non-finite values are dropped first, as in R.

    Parameters
    ----------
    x, y : array_like
        The two samples (at least one finite value each).
    exact : bool or None, default None
        Exact p-value; None means "if both n < 50" (R's default).
    correct : bool, default True
        Continuity correction of the normal approximation.

    Returns
    -------
    RankSumTest

    References
    ----------
    Mann HB, Whitney DR. On a test of whether one of two random variables is
    stochastically larger than the other. Ann Math Stat 1947;18:50-60.
    doi:10.1214/aoms/1177730491. Hollander M, Wolfe DA, Chicken E. Nonparametric
    Statistical Methods, 3rd ed. Wiley 2014, ch. 4. doi:10.1002/9781119196037.
    """
    xs = _as_sample(x, "mann_whitney", "x")
    ys = _as_sample(y, "mann_whitney", "y")
    if xs.size < 1:
        raise NenauditError(
            "mann_whitney: 'x' has no finite values; pass at least one observation per group"
        )
    if ys.size < 1:
        raise NenauditError(
            "mann_whitney: 'y' has no finite values; pass at least one observation per group"
        )
    nx, ny = xs.size, ys.size
    r = stats.rankdata(np.concatenate([xs, ys]), method="average")
    w_stat = float(r[:nx].sum() - nx * (nx + 1) / 2)
    _, tie_counts = np.unique(r, return_counts=True)
    ties = bool(np.any(tie_counts > 1))
    if exact is None:
        exact = nx < 50 and ny < 50
    w: list[str] = []
    if exact and not ties:
        counts = _wilcox_counts(nx, ny)
        total = math.comb(nx + ny, nx)
        k = int(round(w_stat))
        if w_stat > nx * ny / 2:
            tail = float(np.sum(counts[k:])) / total
        else:
            tail = float(np.sum(counts[: k + 1])) / total
        return RankSumTest(
            "Wilcoxon rank sum exact test", w_stat, min(2 * tail, 1.0), nx, ny, True, ()
        )
    if exact and ties:
        warn_and_record("cannot compute exact p-value with ties", w)
    z = w_stat - nx * ny / 2
    big_n = nx + ny
    t = tie_counts.astype(float)
    sigma = math.sqrt(
        (nx * ny / 12) * ((big_n + 1) - float(np.sum(t**3 - t)) / (big_n * (big_n - 1)))
    )
    if sigma == 0:
        raise NenauditError(
            "mann_whitney: all values in x and y are tied; the rank test is undefined for them"
        )
    method = "Wilcoxon rank sum test"
    corr = 0.0
    if correct:
        corr = math.copysign(0.5, z) if z != 0 else 0.0
        method += " with continuity correction"
    zz = (z - corr) / sigma
    p = float(2 * min(stats.norm.cdf(zz), stats.norm.sf(zz)))
    return RankSumTest(method, w_stat, p, nx, ny, False, tuple(w))


@dataclass(frozen=True)
class TTest(Result):
    """Two-sample t test, as R's ``t.test(x, y)`` reports it."""

    method: str
    statistic: float
    df: float
    p: float
    estimate: tuple[float, float]  # mean of x, mean of y
    conf_int: tuple[float, float]  # for mean(x) - mean(y)
    stderr: float
    warnings: tuple[str, ...] = ()


def t_test(x, y, equal_var: bool = False, conf_level: float = 0.95) -> TTest:
    """Two-sided two-sample t test: Welch (default) or Student (``equal_var=True``).

    Matches R's ``t.test(x, y)`` (``var.equal = FALSE``: Welch-Satterthwaite df) and
    ``t.test(x, y, var.equal = TRUE)`` (pooled variance, ``n_x + n_y - 2`` df), with R's
    defaults ``mu = 0``, ``conf.level = 0.95``; the method strings are R's (Student's is
    " Two Sample t-test" with R's leading space). Non-finite values are dropped first.

    Parameters
    ----------
    x, y : array_like
        The two samples (Welch: at least 2 finite values each).
    equal_var : bool, default False
        Pooled-variance Student test instead of Welch's.
    conf_level : float, default 0.95
        Level of the CI for ``mean(x) - mean(y)``.

    Returns
    -------
    TTest

    References
    ----------
    Welch BL. The generalization of "Student's" problem when several different
    population variances are involved. Biometrika 1947;34:28-35.
    doi:10.1093/biomet/34.1-2.28. Student. The probable error of a mean. Biometrika
    1908;6:1-25. doi:10.1093/biomet/6.1.1.
    """
    xs = _as_sample(x, "t_test", "x")
    ys = _as_sample(y, "t_test", "y")
    nx, ny = xs.size, ys.size
    need = 1 if equal_var else 2
    for name, k in (("x", nx), ("y", ny)):
        if k < need:
            raise NenauditError(
                f"t_test: '{name}' has {k} finite value(s); it needs at least {need}"
            )
    if equal_var and nx + ny < 3:
        raise NenauditError(
            "t_test: x and y have fewer than 3 values together; the pooled test needs 3"
        )
    if not (0 < conf_level < 1):
        raise NenauditError(f"t_test: conf_level = {conf_level} must be strictly between 0 and 1")
    mx, my = float(xs.mean()), float(ys.mean())
    vx = float(xs.var(ddof=1)) if nx > 1 else 0.0
    vy = float(ys.var(ddof=1)) if ny > 1 else 0.0
    if equal_var:
        df = float(nx + ny - 2)
        v = ((nx - 1) * vx + (ny - 1) * vy) / df
        se = math.sqrt(v * (1 / nx + 1 / ny))
        method = " Two Sample t-test"
    else:
        sx, sy = math.sqrt(vx / nx), math.sqrt(vy / ny)
        se = math.sqrt(sx**2 + sy**2)
        df = se**4 / (sx**4 / (nx - 1) + sy**4 / (ny - 1)) if se > 0 else math.nan
        method = "Welch Two Sample t-test"
    if se < 10 * _EPS * max(abs(mx), abs(my)) or se == 0:
        raise NenauditError(
            "t_test: the data are essentially constant; a t test is undefined for them"
        )
    t = (mx - my) / se
    p = float(2 * stats.t.cdf(-abs(t), df))
    q = float(stats.t.ppf(1 - (1 - conf_level) / 2, df))
    ci = ((t - q) * se, (t + q) * se)
    return TTest(method, t, df, p, (mx, my), ci, se, ())


@dataclass(frozen=True)
class ShapiroWilk(Result):
    """Shapiro-Wilk normality test, as R's ``shapiro.test`` reports it."""

    method: str
    statistic: float
    p: float
    n: int


def _horner(c: tuple[float, ...], x: float) -> float:
    """c[0] + c[1] x + ... + c[-1] x^(k-1), evaluated like AS R94's ``poly``."""
    out = c[-1]
    for coef in reversed(c[1:-1]):
        out = out * x + coef
    return c[0] + out * x if len(c) > 1 else c[0]


_SW_C1 = (0.0, 0.221157, -0.147981, -2.07119, 4.434685, -2.706056)
_SW_C2 = (0.0, 0.042981, -0.293762, -1.752461, 5.682633, -3.582633)
_SW_C3 = (0.544, -0.39978, 0.025054, -6.714e-4)
_SW_C4 = (1.3822, -0.77857, 0.062767, -0.0020322)
_SW_C5 = (-1.5861, -0.31082, -0.083751, 0.0038915)
_SW_C6 = (-0.4803, -0.082676, 0.0030302)
_SW_G = (-2.273, 0.459)


def shapiro_wilk(x) -> ShapiroWilk:
    """Shapiro-Wilk W test of normality with Royston's approximation (AS R94).

    Matches R's ``shapiro.test(x)``: NaN dropped, 3 <= n <= 5000, Royston's polynomial
    approximations to the coefficients and to the null distribution of ``log(1 - W)``
    (normal for n >= 12, after a log transform for 4 <= n <= 11; exact for n = 3).
    Normal quantiles are computed in double precision, as R does (``qnorm``), not with
    the 7-digit routine of the original Fortran.

    Parameters
    ----------
    x : array_like
        The sample.

    Returns
    -------
    ShapiroWilk

    References
    ----------
    Royston P. Remark AS R94: A remark on algorithm AS 181: the W-test for normality.
    J R Stat Soc C (Appl Stat) 1995;44:547-551. doi:10.2307/2986146. Shapiro SS, Wilk MB.
    An analysis of variance test for normality (complete samples). Biometrika
    1965;52:591-611. doi:10.1093/biomet/52.3-4.591.
    """
    a0 = np.asarray(x, dtype=float).ravel()
    xs = np.sort(a0[~np.isnan(a0)])
    n = xs.size
    if n < 3 or n > 5000:
        raise NenauditError(
            f"shapiro_wilk: sample size {n} is outside 3..5000; Shapiro-Wilk needs 3 to 5000 values"
        )
    rng = xs[-1] - xs[0]
    if rng == 0:
        raise NenauditError("shapiro_wilk: all values are identical; normality cannot be tested")
    if rng < 1e-10:
        xs = xs / rng
        rng = xs[-1] - xs[0]
    nn2 = n // 2
    # half-coefficients a[0..nn2-1] (positive) for the largest values (antisymmetric in the full vector)
    if n == 3:
        a = np.array([math.sqrt(0.5)])
    else:
        an25 = n + 0.25
        m = -stats.norm.ppf((np.arange(1, nn2 + 1) - 0.375) / an25)
        summ2 = 2.0 * float(np.sum(m * m))
        ssumm2 = math.sqrt(summ2)
        rsn = 1.0 / math.sqrt(n)
        # Royston: a_n = m_n / sqrt(m'm) + poly(1/sqrt(n)), m_n > 0 the largest normal score
        a1 = _horner(_SW_C1, rsn) + m[0] / ssumm2
        a = np.empty(nn2)
        if n > 5:
            i1 = 2
            a2 = m[1] / ssumm2 + _horner(_SW_C2, rsn)
            fac = math.sqrt(
                (summ2 - 2.0 * m[0] ** 2 - 2.0 * m[1] ** 2) / (1.0 - 2.0 * a1**2 - 2.0 * a2**2)
            )
            a[1] = a2
        else:
            i1 = 1
            fac = math.sqrt((summ2 - 2.0 * m[0] ** 2) / (1.0 - 2.0 * a1**2))
        a[0] = a1
        a[i1:] = m[i1:] / fac
    # full antisymmetric coefficient vector for the sorted sample: -a for the smallest values
    full = np.zeros(n)
    full[:nn2] = -a
    full[n - nn2 :] = a[::-1]
    xr = xs / rng
    asa = full - full.mean()
    xsx = xr - xr.mean()
    ssa = float(np.sum(asa * asa))
    ssx = float(np.sum(xsx * xsx))
    sax = float(np.sum(asa * xsx))
    ssassx = math.sqrt(ssa * ssx)
    w1 = (ssassx - sax) * (ssassx + sax) / (ssa * ssx)  # 1 - W without cancellation
    w = 1.0 - w1
    method = "Shapiro-Wilk normality test"
    if n == 3:
        pi6 = 6.0 / math.pi
        stqr = math.asin(math.sqrt(0.75))
        return ShapiroWilk(method, w, max(0.0, pi6 * (math.asin(math.sqrt(w)) - stqr)), n)
    y = math.log(w1)
    lxx = math.log(n)
    if n <= 11:
        gamma = _horner(_SW_G, n)
        if y >= gamma:
            return ShapiroWilk(method, w, 1e-99, n)  # R's value for "W hopelessly small"
        y = -math.log(gamma - y)
        mu = _horner(_SW_C3, n)
        sd = math.exp(_horner(_SW_C4, n))
    else:
        mu = _horner(_SW_C5, lxx)
        sd = math.exp(_horner(_SW_C6, lxx))
    return ShapiroWilk(method, w, float(stats.norm.sf(y, mu, sd)), n)

"""Two-group comparisons for Table 1/2: tests from counts and from raw values, and the summary table.

Every function reproduces a named R function with R's defaults (parity is tested
through rpy2 in ``tests/test_compare.py``; the R side is ``reference_r/compare.R``).
The code is written from the published algorithms and from reading R's R-level
source; no code is taken from another project.
"""

from __future__ import annotations

import math
import warnings
from dataclasses import dataclass

import numpy as np
from scipy import special, stats

from nenaudit.exceptions import NenauditError, StatisticalWarning
from nenaudit.stats._rbase import quantile7, uniroot
from nenaudit.stats.result import Result

__all__ = [
    "ContingencyTest",
    "chisq_test",
    "fisher_test",
    "RankSumTest",
    "mann_whitney",
    "TTest",
    "t_test",
    "ShapiroWilk",
    "shapiro_wilk",
    "quantile7",
    "SelectionRule",
    "DEFAULT_RULE",
    "GroupCell",
    "VariableComparison",
    "GroupComparison",
    "summarize",
    "summarize_overall",
]

_EPS = np.finfo(float).eps
#: ``fisher.test``'s ``relErr``: tables this close to the observed probability count as "as extreme".
_REL_ERR = 1.0 + 1e-7
#: Refuse exact enumeration beyond this many partial tables (memory/time guard).
_MAX_PATHS = 30_000_000

CHISQ_SMALL_EXPECTED = "Chi-squared approximation may be incorrect"


def _warn(msg: str, bucket: list[str]) -> None:
    warnings.warn(msg, StatisticalWarning, stacklevel=3)
    bucket.append(msg)


# --------------------------------------------------------------------------------------
# Contingency tables
# --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ContingencyTest(Result):
    """A test of independence in an r x c table of counts (an R ``htest``, flattened).

    ``statistic`` is Pearson's X-squared (``nan`` for Fisher), ``df`` its degrees of
    freedom (``None`` for Fisher), ``expected`` the counts expected under independence
    (row total x column total / n). ``odds_ratio`` and ``conf_int`` are the conditional
    MLE and its exact 95% CI, reported only by Fisher's test of a 2 x 2 table.
    """

    method: str
    statistic: float
    df: int | None
    p: float
    expected: np.ndarray
    warnings: tuple[str, ...] = ()
    odds_ratio: float | None = None
    conf_int: tuple[float, float] | None = None


def _as_table(table, who: str) -> np.ndarray:
    """Validate a counts table and return it as an int64 array (R's checks, as errors)."""
    try:
        a = np.asarray(table, dtype=float)
    except (TypeError, ValueError) as exc:
        raise NenauditError(f"{who}: table is not numeric ({exc}); pass a 2-d array of counts") from exc
    if a.ndim != 2:
        raise NenauditError(f"{who}: table has {a.ndim} dimension(s); pass a 2-d r x c array of counts")
    if min(a.shape) < 2:
        raise NenauditError(f"{who}: table has shape {a.shape}; it needs at least 2 rows and 2 columns")
    if not np.all(np.isfinite(a)):
        raise NenauditError(f"{who}: table contains NaN or infinite values; fill in every cell with a count")
    if np.any(a < 0):
        i, j = map(int, np.argwhere(a < 0)[0])
        raise NenauditError(f"{who}: cell [{i}, {j}] = {a[i, j]:g} is negative; counts must be >= 0")
    if np.any(a != np.round(a)):
        i, j = map(int, np.argwhere(a != np.round(a))[0])
        raise NenauditError(f"{who}: cell [{i}, {j}] = {a[i, j]:g} is not an integer; pass whole counts")
    if a.sum() == 0:
        raise NenauditError(f"{who}: every cell is 0; at least one count must be positive")
    return a.astype(np.int64)


def _expected(a: np.ndarray) -> np.ndarray:
    n = a.sum()
    return np.outer(a.sum(axis=1), a.sum(axis=0)) / n


def chisq_test(table, correct: bool = True) -> ContingencyTest:
    """Pearson's chi-squared test of independence in an r x c table of counts.

    Matches R's ``chisq.test(x, correct = TRUE)`` for a matrix ``x`` (no simulation):
    ``E = outer(rowSums, colSums) / n``; for a 2 x 2 table with ``correct=True`` the
    Yates continuity correction subtracts ``min(0.5, min |O - E|)`` from every
    ``|O - E|`` (R's rule, so the correction vanishes when some ``O == E``, and the
    method then carries no "with Yates'" suffix); ``X^2 = sum((|O - E| - Y)^2 / E)``
    on ``(r - 1)(c - 1)`` df, upper-tail chi-square p. As R, warns
    "Chi-squared approximation may be incorrect" when any expected count is below 5.

    Parameters
    ----------
    table : array_like, shape (r, c)
        Non-negative integer counts; ``r, c >= 2``, no empty row or column.
    correct : bool, default True
        Yates' continuity correction for 2 x 2 tables (ignored otherwise), as in R.

    Returns
    -------
    ContingencyTest
        ``method`` as R prints it, ``statistic``, ``df``, ``p``, ``expected``, ``warnings``.

    Raises
    ------
    NenauditError
        For a table that is not a 2-d array of non-negative whole counts, or has an
        empty row or column (R would return NaN).

    References
    ----------
    Pearson K. On the criterion that a given system of deviations... Philos Mag
    1900;50:157-175. doi:10.1080/14786440009463897. Yates F. Contingency tables
    involving small numbers and the chi-squared test. Suppl J R Stat Soc 1934;1:217-235.
    doi:10.2307/2983604.
    """
    a = _as_table(table, "chisq_test")
    for axis, name in ((1, "row"), (0, "column")):
        empty = np.flatnonzero(a.sum(axis=axis) == 0)
        if empty.size:
            raise NenauditError(
                f"chisq_test: {name} {int(empty[0])} of the table sums to 0; drop empty rows/columns first"
            )
    e = _expected(a)
    dev = np.abs(a - e)
    method = "Pearson's Chi-squared test"
    yates = 0.0
    if correct and a.shape == (2, 2):
        yates = min(0.5, float(dev.min()))
        if yates > 0:
            method += " with Yates' continuity correction"
    stat = float(np.sum((dev - yates) ** 2 / e))
    df = (a.shape[0] - 1) * (a.shape[1] - 1)
    p = float(stats.chi2.sf(stat, df))
    w: list[str] = []
    if np.any(e < 5):
        _warn(CHISQ_SMALL_EXPECTED, w)
    return ContingencyTest(method, stat, df, p, e, tuple(w))


# ---- Fisher's exact test ---------------------------------------------------------------


def _log_fact(n: int) -> np.ndarray:
    return special.gammaln(np.arange(n + 1, dtype=float) + 1.0)


def _compositions(total: int, bounds: np.ndarray) -> np.ndarray:
    """All integer vectors x with 0 <= x_i <= bounds_i and sum(x) == total (one per row)."""
    k = len(bounds)
    parts = np.zeros((1, 0), dtype=np.int64)
    used = np.zeros(1, dtype=np.int64)
    for i in range(k - 1):
        tail_cap = int(bounds[i + 1 :].sum())
        lo = np.maximum(0, total - used - tail_cap)
        hi = np.minimum(bounds[i], total - used)
        counts = np.maximum(hi - lo + 1, 0)
        rep = np.repeat(np.arange(len(used)), counts)
        if rep.size == 0:
            return np.zeros((0, k), dtype=np.int64)
        offs = np.arange(rep.size) - np.repeat(np.cumsum(counts) - counts, counts)
        vals = lo[rep] + offs
        parts = np.column_stack([parts[rep], vals])
        used = used[rep] + vals
    last = total - used
    ok = (last >= 0) & (last <= bounds[-1])
    return np.column_stack([parts[ok], last[ok]])


def _greedy_lf(caps: np.ndarray, totals: np.ndarray, lf: np.ndarray) -> np.ndarray:
    """Per path, sum over ``totals`` t of max sum_i lf(x_i) with sum x = t, 0 <= x_i <= caps_i.

    ``lf`` is convex, so the maximum is the greedy vertex that fills the largest caps first.
    ``caps`` is (P, k) sorted ascending per row; returns shape (P,).
    """
    rev = caps[:, ::-1]
    before = np.cumsum(rev, axis=1) - rev
    out = np.zeros(caps.shape[0])
    for t in totals:
        x = np.clip(int(t) - before, 0, rev)
        out += lf[x].sum(axis=1)
    return out


def _completion_bounds(rem: np.ndarray, rcols: np.ndarray, lf: np.ndarray):
    """Bounds on the log-product ``sum_j [lf(c_j) - sum_i lf(x_ij)]`` over all completions.

    ``rem`` (P, r) remaining row totals (sorted ascending per path), ``rcols`` the column
    totals still to fill. Returns (lower, upper, log of the sum over completions); the
    sum is ``N'! / prod_i r'_i!`` (multinomial identity). The upper bound spreads each
    column (and each row) as evenly as possible, the lower bound concentrates them
    greedily, both relaxing one set of margins (lf is convex).
    """
    rcols = np.asarray(rcols, dtype=np.int64)
    m = len(rcols)
    sum_lc = float(lf[rcols].sum())
    lf_rows = lf[rem].sum(axis=1)
    k = np.maximum((rem > 0).sum(axis=1), 1)
    col_even = np.zeros(rem.shape[0])
    for c in rcols:
        q = c // k
        s_ = c - q * k
        col_even += (k - s_) * lf[q] + s_ * lf[np.minimum(q + 1, len(lf) - 1)]
    q = rem // m
    s_ = rem - q * m
    row_even = ((m - s_) * lf[q] + s_ * lf[np.minimum(q + 1, len(lf) - 1)]).sum(axis=1)
    upper = sum_lc - np.maximum(col_even, row_even)
    col_conc = _greedy_lf(rem, rcols, lf)
    rc_sorted = np.sort(rcols)
    row_conc = np.zeros(rem.shape[0])
    rev = rc_sorted[::-1]
    before = np.cumsum(rev) - rev
    for i in range(rem.shape[1]):
        x = np.clip(rem[:, i : i + 1] - before[None, :], 0, rev[None, :])
        row_conc += lf[x].sum(axis=1)
    lower = sum_lc - np.minimum(np.minimum(col_conc, row_conc), np.minimum(sum_lc, lf_rows))
    # float noise: keep the bounds on the safe side by a hair (1e-9 on a log scale)
    log_sum = lf[rem.sum(axis=1)] - lf_rows
    return lower - 1e-9, upper + 1e-9, log_sum


def _fisher_rxc_p(a: np.ndarray) -> float:
    """Two-sided exact p for an r x c table by enumeration over tables with its margins.

    The probability of a table given both margins is
    ``prod(r_i!) prod(c_j!) / (n! prod(x_ij!))``. Columns are filled one at a time; a
    partial table is summarised by its remaining row totals (sorted: rows are
    exchangeable for the columns still to fill) and the log of its partial product
    ``sum_j [log c_j! - sum_i log x_ij!]``. Partial tables with the same summary are
    merged (their multiplicity is kept), which keeps the work polynomial in n for a
    fixed shape. The last column is forced by the row totals.
    """
    a = a[a.sum(axis=1) > 0][:, a.sum(axis=0) > 0]
    if min(a.shape) < 2:
        return 1.0  # a single table has these margins
    if a.shape[0] > a.shape[1]:
        a = a.T  # fewer rows -> fewer compositions per column; p is invariant
    a = a[:, np.argsort(a.sum(axis=0), kind="stable")]  # the largest column is the forced one
    # rows sorted by total: remaining totals are kept sorted, and sort(r') <= sort(r) elementwise
    # whenever r' <= r, so compositions bounded by the sorted totals cover every sorted state.
    a = a[np.argsort(a.sum(axis=1), kind="stable")]
    rows = a.sum(axis=1)
    cols = a.sum(axis=0)
    n = int(a.sum())
    lf = _log_fact(n)
    const = float(lf[rows].sum() - lf[n])

    def col_term(c: int, x: np.ndarray) -> np.ndarray:
        return lf[c] - lf[x].sum(axis=-1)

    log_obs = const + float(sum(col_term(int(cols[j]), a[:, j]) for j in range(a.shape[1])))
    threshold = log_obs + math.log(_REL_ERR)

    rem = rows[None, :].copy()
    past = np.zeros(1)
    weight = np.ones(1)
    ncol = a.shape[1]
    total = 0.0
    for j in range(ncol - 1):
        # network-algorithm shortcut: a partial table whose every completion is at most as
        # probable as the observed one counts in full (closed-form sum); one whose every
        # completion is more probable is dropped.
        lo_b, hi_b, log_sum = _completion_bounds(rem, cols[j:], lf)
        base = const + past
        all_in = base + hi_b <= threshold
        if np.any(all_in):
            total += float(np.sum(weight[all_in] * np.exp(base[all_in] + log_sum[all_in])))
        keep = ~all_in & (base + lo_b <= threshold)
        rem, past, weight = rem[keep], past[keep], weight[keep]
        if rem.shape[0] == 0:
            break
        comp = _compositions(int(cols[j]), rows)
        cterm = col_term(int(cols[j]), comp)
        last = j == ncol - 2
        chunk = max(1, 2_000_000 // max(1, comp.shape[0]))
        new_rem, new_past, new_w = [], [], []
        n_paths = 0
        for s in range(0, rem.shape[0], chunk):
            r0 = rem[s : s + chunk]
            ok = np.all(comp[None, :, :] <= r0[:, None, :], axis=2)
            pi, mi = np.nonzero(ok)
            nr = r0[pi] - comp[mi]
            npast = past[s : s + chunk][pi] + cterm[mi]
            nw = weight[s : s + chunk][pi]
            if last:
                logp = const + npast + col_term(int(cols[-1]), nr)
                keep = logp <= threshold
                total += float(np.sum(nw[keep] * np.exp(logp[keep])))
            else:
                n_paths += len(pi)
                if n_paths > _MAX_PATHS:
                    raise NenauditError(
                        f"fisher_test: table of shape {a.shape} with n={n} is too large for exact "
                        "enumeration; use chisq_test for it"
                    )
                new_rem.append(np.sort(nr, axis=1))
                new_past.append(npast)
                new_w.append(nw)
        if last:
            break
        nr = np.concatenate(new_rem)
        npast = np.concatenate(new_past)
        nw = np.concatenate(new_w)
        # merge partial tables that cannot be told apart: same remaining (sorted) row totals and
        # the same partial log-product up to rounding noise (1e-10 on a log scale of O(100)).
        key = np.column_stack([nr, np.round(npast * 1e10).astype(np.int64)])
        _, first, inv = np.unique(key, axis=0, return_index=True, return_inverse=True)
        inv = inv.ravel()
        rem = nr[first]
        past = npast[first]
        weight = np.bincount(inv, weights=nw, minlength=len(first))
    return min(1.0, max(0.0, total))


class _NoncentralHypergeometric:
    """Fisher's noncentral hypergeometric law of cell [0, 0] given a 2 x 2 table's margins."""

    def __init__(self, a: np.ndarray):
        self.m = int(a[:, 0].sum())
        self.n = int(a[:, 1].sum())
        self.k = int(a[0, :].sum())
        self.x = int(a[0, 0])
        self.lo = max(0, self.k - self.n)
        self.hi = min(self.k, self.m)
        self.support = np.arange(self.lo, self.hi + 1)
        s = self.support
        self.logdc = stats.hypergeom.logpmf(s, self.m + self.n, self.m, self.k)

    def d(self, ncp: float) -> np.ndarray:
        d = self.logdc + math.log(ncp) * self.support
        d = np.exp(d - d.max())
        return d / d.sum()

    def mean(self, ncp: float) -> float:
        if ncp == 0:
            return float(self.lo)
        if ncp == math.inf:
            return float(self.hi)
        return float(np.sum(self.support * self.d(ncp)))

    def cdf(self, q: int, ncp: float, upper: bool = False) -> float:
        if ncp == 0:
            return float(q <= self.lo) if upper else float(q >= self.lo)
        if ncp == math.inf:
            return float(q <= self.hi) if upper else float(q >= self.hi)
        mask = self.support >= q if upper else self.support <= q
        return float(np.sum(self.d(ncp)[mask]))

    def mle(self) -> float:
        x = self.x
        if x == self.lo:
            return 0.0
        if x == self.hi:
            return math.inf
        mu = self.mean(1.0)
        if mu > x:
            return uniroot(lambda t: self.mean(t) - x, 0.0, 1.0)
        if mu < x:
            return 1.0 / uniroot(lambda t: self.mean(1.0 / t) - x, _EPS, 1.0)
        return 1.0

    def upper_limit(self, alpha: float) -> float:
        x = self.x
        if x == self.hi:
            return math.inf
        p = self.cdf(x, 1.0)
        if p < alpha:
            return uniroot(lambda t: self.cdf(x, t) - alpha, 0.0, 1.0)
        if p > alpha:
            return 1.0 / uniroot(lambda t: self.cdf(x, 1.0 / t) - alpha, _EPS, 1.0)
        return 1.0

    def lower_limit(self, alpha: float) -> float:
        x = self.x
        if x == self.lo:
            return 0.0
        p = self.cdf(x, 1.0, upper=True)
        if p > alpha:
            return uniroot(lambda t: self.cdf(x, t, upper=True) - alpha, 0.0, 1.0)
        if p < alpha:
            return 1.0 / uniroot(lambda t: self.cdf(x, 1.0 / t, upper=True) - alpha, _EPS, 1.0)
        return 1.0


def fisher_test(table, conf_level: float = 0.95) -> ContingencyTest:
    """Fisher's exact test of independence (two-sided) for an r x c table of counts.

    Matches R's ``fisher.test(x)`` with its defaults (``alternative = "two.sided"``,
    ``or = 1``, ``conf.int = TRUE``, ``conf.level = 0.95``, no simulation or hybrid).
    The p-value is the total null probability (hypergeometric for 2 x 2, multivariate
    hypergeometric given both margins for r x c) of all tables with the observed
    margins whose probability is ``<= P(observed) * (1 + 1e-7)`` (R's ``relErr``).
    For r x c tables R uses the network algorithm (FEXACT, Mehta & Patel); here the
    same sum is obtained by exact enumeration with merged partial tables, in log space.

    For a 2 x 2 table the result also carries the conditional maximum-likelihood
    odds ratio and its exact conditional CI, found like R with ``uniroot`` (Brent,
    ``tol = .Machine$double.eps^0.25``), so both agree with R to its own precision.

    Parameters
    ----------
    table : array_like, shape (r, c)
        Non-negative integer counts, ``r, c >= 2``. Empty rows/columns are allowed
        (they do not change the p-value).
    conf_level : float, default 0.95
        Confidence level of the odds-ratio interval (2 x 2 only).

    Returns
    -------
    ContingencyTest
        ``method = "Fisher's Exact Test for Count Data"``, ``statistic = nan``,
        ``df = None``, ``p``, ``expected``; ``odds_ratio`` and ``conf_int`` for 2 x 2.

    Raises
    ------
    NenauditError
        For invalid tables, or an r x c table too large to enumerate.

    References
    ----------
    Fisher RA. On the interpretation of chi-square from contingency tables, and the
    calculation of P. J R Stat Soc 1922;85:87-94. doi:10.2307/2340521. Mehta CR, Patel NR.
    A network algorithm for performing Fisher's exact test in r x c contingency tables.
    J Am Stat Assoc 1983;78:427-434. doi:10.1080/01621459.1983.10477989. Conditional MLE
    and CI: Agresti A. A survey of exact inference for contingency tables. Stat Sci
    1992;7:131-153. doi:10.1214/ss/1177011454.
    """
    a = _as_table(table, "fisher_test")
    if not (0 < conf_level < 1):
        raise NenauditError(f"fisher_test: conf_level = {conf_level} must be strictly between 0 and 1")
    e = _expected(a)
    method = "Fisher's Exact Test for Count Data"
    if a.shape != (2, 2):
        p = _fisher_rxc_p(a)
        return ContingencyTest(method, math.nan, None, p, e, ())
    h = _NoncentralHypergeometric(a)
    d = h.d(1.0)
    p = min(1.0, float(np.sum(d[d <= d[h.x - h.lo] * _REL_ERR])))  # R does not clamp; 1 + 2e-16 is rounding
    alpha = (1 - conf_level) / 2
    ci = (float(h.lower_limit(alpha)), float(h.upper_limit(alpha)))
    return ContingencyTest(method, math.nan, None, p, e, (), float(h.mle()), ci)


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


_CW_CACHE: dict[tuple[int, int], np.ndarray] = {}


def _wilcox_counts(m: int, n: int) -> np.ndarray:
    """Number of ways U = k (k = 0..mn) for samples of sizes m and n (no ties).

    Recurrence f(k; i, j) = f(k - j; i - 1, j) + f(k; i, j - 1) (the largest observation
    is from the first or from the second sample): additions only, so each count is exact
    while it fits in a double's 53 bits and relative-accurate beyond.
    """
    key = (min(m, n), max(m, n))
    if key in _CW_CACHE:
        return _CW_CACHE[key]
    a, b = key
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
    _CW_CACHE[key] = row[b]
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
        raise NenauditError("mann_whitney: 'x' has no finite values; pass at least one observation per group")
    if ys.size < 1:
        raise NenauditError("mann_whitney: 'y' has no finite values; pass at least one observation per group")
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
        return RankSumTest("Wilcoxon rank sum exact test", w_stat, min(2 * tail, 1.0), nx, ny, True, ())
    if exact and ties:
        _warn("cannot compute exact p-value with ties", w)
    z = w_stat - nx * ny / 2
    big_n = nx + ny
    t = tie_counts.astype(float)
    sigma = math.sqrt((nx * ny / 12) * ((big_n + 1) - float(np.sum(t**3 - t)) / (big_n * (big_n - 1))))
    if sigma == 0:
        raise NenauditError("mann_whitney: all values in x and y are tied; the rank test is undefined for them")
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
            raise NenauditError(f"t_test: '{name}' has {k} finite value(s); it needs at least {need}")
    if equal_var and nx + ny < 3:
        raise NenauditError("t_test: x and y have fewer than 3 values together; the pooled test needs 3")
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
        raise NenauditError("t_test: the data are essentially constant; a t test is undefined for them")
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
        raise NenauditError(f"shapiro_wilk: sample size {n} is outside 3..5000; Shapiro-Wilk needs 3 to 5000 values")
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
            fac = math.sqrt((summ2 - 2.0 * m[0] ** 2 - 2.0 * m[1] ** 2) / (1.0 - 2.0 * a1**2 - 2.0 * a2**2))
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


# --------------------------------------------------------------------------------------
# Table 1/2: per-variable summaries by group and the test a stated rule picks
# --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class SelectionRule(Result):
    """How a Table 1 picks its summaries and tests (one rule for every variable).

    Continuous variables are "normal" when Shapiro-Wilk (R's ``shapiro.test``) gives
    ``p > normality_alpha`` in every group; normal ones are shown as mean ± SD and
    compared by ``normal_test`` ("welch" or "student"), the others as median [Q1, Q3]
    (R's quantile type 7) and compared by the Mann-Whitney test. Categorical variables
    are shown as n (%) and compared by Fisher's exact test when any expected count is
    below ``small_expected`` (``categorical_test="auto"``), else by the chi-square test
    (Yates-corrected for 2 x 2 tables when ``yates``); "chisq" or "fisher" force one test.
    """

    normality_alpha: float = 0.05
    normal_test: str = "welch"
    small_expected: float = 5.0
    yates: bool = True
    categorical_test: str = "auto"

    def __post_init__(self):
        if self.normal_test not in ("welch", "student"):
            raise NenauditError(f"SelectionRule: normal_test = {self.normal_test!r}; use 'welch' or 'student'")
        if self.categorical_test not in ("auto", "chisq", "fisher"):
            raise NenauditError(
                f"SelectionRule: categorical_test = {self.categorical_test!r}; use 'auto', 'chisq' or 'fisher'"
            )
        if not (0 < self.normality_alpha < 1):
            raise NenauditError(f"SelectionRule: normality_alpha = {self.normality_alpha} must lie in (0, 1)")

    def describe(self) -> str:
        cat = {
            "auto": f"Fisher's exact test if any expected count < {self.small_expected:g}, else chi-square"
            + (" (Yates for 2x2)" if self.yates else " (no continuity correction)"),
            "chisq": "chi-square" + (" (Yates for 2x2)" if self.yates else " (no continuity correction)"),
            "fisher": "Fisher's exact test",
        }[self.categorical_test]
        return (
            f"continuous: mean ± SD and {'Welch' if self.normal_test == 'welch' else 'Student'} t test when "
            f"Shapiro-Wilk p > {self.normality_alpha:g} in every group, else median [Q1, Q3] and Mann-Whitney; "
            f"categorical: n (%) and {cat}"
        )


DEFAULT_RULE = SelectionRule()


@dataclass(frozen=True)
class GroupCell(Result):
    """One group's summary of one variable (one level of it, for a categorical variable)."""

    group: str
    n: int  # non-missing values of the variable in this group
    level: str | None = None
    count: int | None = None
    percent: float | None = None
    mean: float | None = None
    sd: float | None = None
    median: float | None = None
    q1: float | None = None
    q3: float | None = None
    shapiro_p: float | None = None


@dataclass(frozen=True)
class VariableComparison(Result):
    """A variable's summaries by group and the test the rule picked for it."""

    variable: str
    kind: str  # "categorical" or "continuous"
    summary: str  # "n (%)", "mean ± SD" or "median [Q1, Q3]"
    cells: tuple[GroupCell, ...]
    test: str | None  # "chisq", "chisq_yates", "fisher", "welch", "student", "mann-whitney"
    method: str | None  # the test's method string, as R prints it
    statistic: float | None
    p: float | None
    normal: bool | None = None
    min_expected: float | None = None
    warnings: tuple[str, ...] = ()


@dataclass(frozen=True)
class GroupComparison(Result):
    """Table 1/2 comparison of groups: one ``VariableComparison`` per variable."""

    group: str
    groups: tuple[str, ...]
    rule: SelectionRule
    variables: tuple[VariableComparison, ...]

    def to_frame(self, digits: int = 1):
        """Tidy view: one row per variable x level x group, with a formatted ``display``."""
        import pandas as pd

        rows = []
        for v in self.variables:
            for c in v.cells:
                if v.kind == "categorical":
                    disp = f"{c.count} ({c.percent:.{digits}f}%)" if c.percent is not None else f"{c.count} (-)"
                elif v.summary == "mean ± SD":
                    disp = _fmt_pair(c.mean, c.sd, digits, "{a} ± {b}")
                else:
                    disp = (
                        f"{c.median:.{digits}f} [{c.q1:.{digits}f}, {c.q3:.{digits}f}]"
                        if c.median is not None else "-"
                    )
                rows.append({
                    "variable": v.variable, "kind": v.kind, "level": c.level, "group": c.group, "n": c.n,
                    "count": c.count, "percent": c.percent, "mean": c.mean, "sd": c.sd, "median": c.median,
                    "q1": c.q1, "q3": c.q3, "shapiro_p": c.shapiro_p, "summary": v.summary, "display": disp,
                    "test": v.test, "statistic": v.statistic, "p": v.p,
                })
        return pd.DataFrame(rows)


def _fmt_pair(a, b, digits, pattern):
    if a is None:
        return "-"
    bs = "NA" if b is None or (isinstance(b, float) and math.isnan(b)) else f"{b:.{digits}f}"
    return pattern.format(a=f"{a:.{digits}f}", b=bs)


def _is_categorical(series) -> bool:
    import pandas as pd

    return (
        isinstance(series.dtype, pd.CategoricalDtype)
        or pd.api.types.is_bool_dtype(series)
        or not pd.api.types.is_numeric_dtype(series)
    )


def _levels(series) -> list:
    import pandas as pd

    if isinstance(series.dtype, pd.CategoricalDtype):
        present = set(series.dropna().unique())
        return [c for c in series.cat.categories if c in present]
    return sorted(series.dropna().unique(), key=lambda v: (str(type(v)), v))


def _run_quiet(fn, *args, **kwargs):
    """Call a test; its StatisticalWarnings are re-emitted by the caller via the result's tuple."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", StatisticalWarning)
        return fn(*args, **kwargs)


def _compare_categorical(name, col, grp, groups, rule: SelectionRule) -> VariableComparison:
    levels = _levels(col)
    ok = col.notna()
    counts = np.array([[int(((col == lv) & (grp == g) & ok).sum()) for g in groups] for lv in levels], dtype=int)
    n_g = counts.sum(axis=0) if counts.size else np.zeros(len(groups), dtype=int)
    cells = []
    for i, lv in enumerate(levels):
        for j, g in enumerate(groups):
            pct = 100.0 * counts[i, j] / n_g[j] if n_g[j] > 0 else None
            cells.append(GroupCell(str(g), int(n_g[j]), str(lv), int(counts[i, j]), pct))
    w: list[str] = []
    m = counts[counts.sum(axis=1) > 0][:, counts.sum(axis=0) > 0] if counts.size else counts
    if m.ndim != 2 or min(m.shape) < 2:
        _warn(f"{name}: fewer than 2 observed levels or groups; no test", w)
        return VariableComparison(name, "categorical", "n (%)", tuple(cells), None, None, None, None,
                                  None, None, tuple(w))
    e = _expected(m)
    min_e = float(e.min())
    use_fisher = rule.categorical_test == "fisher" or (
        rule.categorical_test == "auto" and min_e < rule.small_expected
    )
    if use_fisher:
        res = fisher_test(m)
        test = "fisher"
    else:
        res = _run_quiet(chisq_test, m, correct=rule.yates)
        test = "chisq_yates" if (rule.yates and m.shape == (2, 2)) else "chisq"
        for msg in res.warnings:
            _warn(f"{name}: {msg}", w)
    stat = None if math.isnan(res.statistic) else float(res.statistic)
    return VariableComparison(name, "categorical", "n (%)", tuple(cells), test, res.method, stat, float(res.p),
                              None, min_e, tuple(w))


def _compare_continuous(name, col, grp, groups, rule: SelectionRule) -> VariableComparison:
    import pandas as pd

    w: list[str] = []
    samples = []
    for g in groups:
        vals = pd.to_numeric(col[(grp == g) & col.notna()], errors="coerce").to_numpy(dtype=float)
        samples.append(vals[np.isfinite(vals)])
    normal = True
    sw_p = []
    for g, s in zip(groups, samples):
        try:
            p = shapiro_wilk(s).p
        except NenauditError as exc:
            _warn(f"{name}, group {g}: normality not testable ({exc}); treated as non-normal", w)
            p = None
        sw_p.append(p)
        normal = normal and p is not None and p > rule.normality_alpha
    cells = []
    for g, s, p in zip(groups, samples, sw_p):
        if s.size:
            q = quantile7(s, [0.25, 0.5, 0.75])
            sd = float(s.std(ddof=1)) if s.size > 1 else math.nan
            cells.append(GroupCell(str(g), int(s.size), None, None, None, float(s.mean()), sd, float(q[1]),
                                   float(q[0]), float(q[2]), p))
        else:
            cells.append(GroupCell(str(g), 0, shapiro_p=p))
    summary = "mean ± SD" if normal else "median [Q1, Q3]"
    if len(groups) != 2:
        raise NenauditError(
            f"summarize: continuous variable {name!r} needs exactly 2 groups, found {len(groups)}; "
            "subset the data to two groups"
        )
    try:
        if normal:
            res = t_test(samples[0], samples[1], equal_var=rule.normal_test == "student")
            test = rule.normal_test
        else:
            res = _run_quiet(mann_whitney, samples[0], samples[1])
            test = "mann-whitney"
    except NenauditError as exc:
        _warn(f"{name}: no test ({exc})", w)
        return VariableComparison(name, "continuous", summary, tuple(cells), None, None, None, None, normal,
                                  None, tuple(w))
    for msg in res.warnings:
        _warn(f"{name}: {msg}", w)
    return VariableComparison(name, "continuous", summary, tuple(cells), test, res.method, float(res.statistic),
                              float(res.p), normal, None, tuple(w))


def summarize(df, group: str, vars=None, rule: SelectionRule = DEFAULT_RULE, categorical=None) -> GroupComparison:
    """Table 1/2: summarise each variable by group and test it by one stated rule.

    Categorical variables (non-numeric, boolean or pandas categorical columns, plus
    any named in ``categorical``) are summarised as n (%) of the non-missing values in
    each group; continuous ones as mean ± SD or median [Q1, Q3] (quantile type 7),
    and tested, according to ``rule`` (default: Shapiro-Wilk p > 0.05 in every
    group -> mean ± SD and Welch t test, else median [Q1, Q3] and Mann-Whitney;
    Fisher's exact test if any expected count < 5, else chi-square with Yates for
    2 x 2). Missing values are dropped per variable; rows with a missing group are
    dropped. Group order is the sorted (or categorical) order of the group column; the
    two-sample tests compare the first group (x) with the second (y).

    The tests are ``chisq_test``, ``fisher_test``, ``t_test``, ``mann_whitney`` and
    ``shapiro_wilk`` of this module, i.e. R's ``chisq.test``, ``fisher.test``,
    ``t.test``, ``wilcox.test`` and ``shapiro.test`` with their defaults, and R's
    ``quantile`` (type 7). This is the convention of e.g. ``tableone::CreateTableOne``
    with ``nonnormal`` chosen by Shapiro-Wilk; see Hyndman & Fan 1996
    (doi:10.1080/00031305.1996.10473566) for the quartiles and the references of each test.

    Parameters
    ----------
    df : pandas.DataFrame
    group : str
        Column holding the group (at least 2 levels; exactly 2 when a continuous
        variable is present).
    vars : sequence of str, optional
        Variables in table order; default every column except ``group``.
    rule : SelectionRule, default DEFAULT_RULE
    categorical : sequence of str, optional
        Numeric columns to treat as categorical (e.g. 0/1 codes).

    Returns
    -------
    GroupComparison
        Frozen; ``.to_frame()`` gives the tidy DataFrame view.
    """
    import pandas as pd

    if not isinstance(df, pd.DataFrame):
        raise NenauditError("summarize: df must be a pandas DataFrame; build one from your data first")
    if group not in df.columns:
        raise NenauditError(f"summarize: group column {group!r} is not in the data; pass one of {list(df.columns)}")
    data = df[df[group].notna()]
    grp = data[group]
    groups = _levels(grp)
    if len(groups) < 2:
        raise NenauditError(f"summarize: group column {group!r} has {len(groups)} level(s); it needs at least 2")
    names = [c for c in df.columns if c != group] if vars is None else list(vars)
    force_cat = set(categorical or ())
    for v in list(names) + list(force_cat):
        if v not in df.columns:
            raise NenauditError(f"summarize: variable {v!r} is not in the data; check the vars/categorical lists")
        if v == group:
            raise NenauditError(f"summarize: {v!r} is the group column; leave it out of vars")
    out = []
    for v in names:
        col = data[v]
        if v in force_cat or _is_categorical(col):
            out.append(_compare_categorical(v, col, grp, groups, rule))
        else:
            out.append(_compare_continuous(v, col, grp, groups, rule))
    return GroupComparison(group, tuple(str(g) for g in groups), rule, tuple(out))


def summarize_overall(df, vars=None, categorical=None) -> tuple[VariableComparison, ...]:
    """A one-column Table 1 ("(Total) N = ..."): each variable summarised over all rows, no test.

    The same summaries as :func:`summarize` with one group named ``"total"``: n (%) of the
    non-missing values per level for categorical variables (non-numeric columns, plus any
    named in ``categorical``), and for continuous ones the mean, SD (``sd``, n - 1), median
    and quartiles (R's ``quantile`` type 7), from which the caller shows the statistic the
    paper prints. ``summary`` is ``"n (%)"`` or ``"continuous"``; ``test`` and ``p`` are None.
    This is ``tableone::CreateTableOne(vars, data = df)`` without ``strata``.
    """
    import pandas as pd

    if not isinstance(df, pd.DataFrame):
        raise NenauditError("summarize_overall: df must be a pandas DataFrame; build one from your data first")
    names = list(df.columns) if vars is None else list(vars)
    force_cat = set(categorical or ())
    out = []
    for v in names:
        if v not in df.columns:
            raise NenauditError(f"summarize_overall: variable {v!r} is not in the data; check the vars list")
        col = df[v]
        if v in force_cat or _is_categorical(col):
            ok = col.dropna()
            n = int(ok.size)
            cells = tuple(GroupCell("total", n, str(lv), int((ok == lv).sum()),
                                    100.0 * int((ok == lv).sum()) / n if n else None) for lv in _levels(col))
            out.append(VariableComparison(v, "categorical", "n (%)", cells, None, None, None, None))
            continue
        s = pd.to_numeric(col, errors="coerce").to_numpy(dtype=float)
        s = s[np.isfinite(s)]
        if s.size:
            q = quantile7(s, [0.25, 0.5, 0.75])
            cell = GroupCell("total", int(s.size), None, None, None, float(s.mean()),
                             float(s.std(ddof=1)) if s.size > 1 else math.nan, float(q[1]), float(q[0]), float(q[2]))
        else:
            cell = GroupCell("total", 0)
        out.append(VariableComparison(v, "continuous", "continuous", (cell,), None, None, None, None))
    return tuple(out)

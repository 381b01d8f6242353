"""Tests on contingency tables, as R computes them: ``chisq.test`` and ``fisher.test`` (r x c).

Each function reproduces the named R function with R's defaults (parity through rpy2 in
``tests/test_compare.py``; the R side is ``reference_r/compare.R``). Written from the published
algorithms and from reading R's R-level source; no code is taken from another project.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from scipy import special, stats

from nenaudit.exceptions import NenauditError
from nenaudit.stats._checks import warn_and_record
from nenaudit.stats._rbase import uniroot
from nenaudit.stats.result import Result

__all__ = [
    "ContingencyTest",
    "chisq_test",
    "fisher_test",
    "expected_counts",
    "CHISQ_SMALL_EXPECTED",
]

_EPS = np.finfo(float).eps
#: ``fisher.test``'s ``relErr``: tables this close to the observed probability count as "as extreme".
_REL_ERR = 1.0 + 1e-7
#: Refuse exact enumeration beyond this many partial tables (memory/time guard).
_MAX_PATHS = 30_000_000

CHISQ_SMALL_EXPECTED = "Chi-squared approximation may be incorrect"


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
        raise NenauditError(
            f"{who}: table is not numeric ({exc}); pass a 2-d array of counts"
        ) from exc
    if a.ndim != 2:
        raise NenauditError(
            f"{who}: table has {a.ndim} dimension(s); pass a 2-d r x c array of counts"
        )
    if min(a.shape) < 2:
        raise NenauditError(
            f"{who}: table has shape {a.shape}; it needs at least 2 rows and 2 columns"
        )
    if not np.all(np.isfinite(a)):
        raise NenauditError(
            f"{who}: table contains NaN or infinite values; fill in every cell with a count"
        )
    if np.any(a < 0):
        i, j = map(int, np.argwhere(a < 0)[0])
        raise NenauditError(
            f"{who}: cell [{i}, {j}] = {a[i, j]:g} is negative; counts must be >= 0"
        )
    if np.any(a != np.round(a)):
        i, j = map(int, np.argwhere(a != np.round(a))[0])
        raise NenauditError(
            f"{who}: cell [{i}, {j}] = {a[i, j]:g} is not an integer; pass whole counts"
        )
    if a.sum() == 0:
        raise NenauditError(f"{who}: every cell is 0; at least one count must be positive")
    return a.astype(np.int64)


def expected_counts(a: np.ndarray) -> np.ndarray:
    """Counts expected under independence: row total x column total / n."""
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

    Notes
    -----
    Python references (``tests/test_python_references.py``): statsmodels'
    ``Table(m, shift_zeros=False).test_nominal_association()`` gives the same Pearson statistic
    (never Yates-corrected); by default ``Table`` adds 1/2 to every cell of a table with a zero
    count, and it takes ``p = 1 - cdf``, which loses the digits of a tiny p (R and this function
    take the upper tail itself, ``pchisq(lower.tail = FALSE)``). scipy's
    ``chi2_contingency(m, correction=True)`` corrects 2 x 2 tables as R does: R subtracts the
    scalar ``min(0.5, |O - E|)`` over all cells, scipy a per-cell minimum, the same thing in a
    2 x 2 table, where ``|O - E|`` is equal in every cell.

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
    e = expected_counts(a)
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
        warn_and_record(CHISQ_SMALL_EXPECTED, w)
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

    Notes
    -----
    Python references (``tests/test_python_references.py``): scipy's
    ``scipy.stats.contingency.odds_ratio(m, kind="conditional")`` computes the same conditional
    MLE and exact CI, solving more tightly: R's ``fisher.test`` finds each with ``uniroot`` at its
    default tolerance ``eps^0.25`` (about 1.2e-4) on ``t = OR`` below 1 and ``t = 1/OR`` above, and
    this function reproduces R's roots, so a large bound can differ by a percent (the tea-tasting
    table of ``?fisher.test``: upper bound 621.9 in R and here, 626.2 in scipy). statsmodels'
    ``Table2x2(m).oddsratio`` is the sample odds ratio ``ad / bc``, a different estimator.

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
        raise NenauditError(
            f"fisher_test: conf_level = {conf_level} must be strictly between 0 and 1"
        )
    e = expected_counts(a)
    method = "Fisher's Exact Test for Count Data"
    if a.shape != (2, 2):
        p = _fisher_rxc_p(a)
        return ContingencyTest(method, math.nan, None, p, e, ())
    h = _NoncentralHypergeometric(a)
    d = h.d(1.0)
    p = min(
        1.0, float(np.sum(d[d <= d[h.x - h.lo] * _REL_ERR]))
    )  # R does not clamp; 1 + 2e-16 is rounding
    alpha = (1 - conf_level) / 2
    ci = (float(h.lower_limit(alpha)), float(h.upper_limit(alpha)))
    return ContingencyTest(method, math.nan, None, p, e, (), float(h.mle()), ci)

"""Tests recomputed from what a paper prints: counts tables, and means with SDs and group sizes.

A published Table 1/2 gives counts per level and group, or mean ± SD and n per group. From
those alone the following tests are exactly recomputable:

* the likelihood-ratio (G) chi-square test of independence of a counts table;
* the linear-by-linear association (Mantel-Haenszel trend) test of an ordered table;
* Student's and Welch's two-sample t test from two means, SDs and sizes;
* one-way ANOVA (equal variances) and Welch's one-way test from k means, SDs and sizes;
* the upper-tail chi-square p of a printed statistic (e.g. a Hosmer-Lemeshow chi-square).

Each function names the R function it matches. R has no G test or linear-by-linear test in
base or the recommended packages (they live in DescTools and coin, not installed here); their
references are written in base R in ``reference_r/summary_tests.R``. The t tests and the
ANOVAs are checked against R's ``t.test``, ``oneway.test`` and ``aov`` run on data constructed
to have exactly the printed means and SDs (``tests/test_summary_tests.py``).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from scipy import stats

from nenaudit.exceptions import NenauditError
from nenaudit.stats.result import Result

__all__ = [
    "SummaryTest",
    "g_test",
    "linear_by_linear",
    "t_test_from_summary",
    "oneway_from_summary",
    "chisq_p",
]


@dataclass(frozen=True)
class SummaryTest(Result):
    """A test statistic, its degrees of freedom and two-sided (or upper-tail) p-value."""

    method: str
    statistic: float
    df: float | tuple[float, float]
    p: float


def _counts(table, who: str) -> np.ndarray:
    a = np.asarray(table, dtype=float)
    if a.ndim != 2 or min(a.shape) < 2:
        raise NenauditError(
            f"{who}: needs a counts table with at least 2 rows and 2 columns, got shape {a.shape}"
        )
    if not np.all(np.isfinite(a)) or np.any(a < 0) or np.any(a != np.round(a)):
        raise NenauditError(f"{who}: counts must be whole numbers >= 0")
    if a.sum() == 0:
        raise NenauditError(f"{who}: the table is empty (all counts 0)")
    return a


def g_test(table) -> SummaryTest:
    """Likelihood-ratio (G) chi-square test of independence of an r x c counts table.

    ``G = 2 sum O log(O / E)`` over the cells with ``O > 0``, ``E`` the expected counts under
    independence (row total x column total / N), referred to chi-square with ``(r-1)(c-1)`` df.
    Rows or columns that are all zero are dropped first (they carry no information and R's
    ``chisq.test`` refuses them the same way). No Williams or Yates correction: this is
    ``DescTools::GTest(x, correct = "none")`` and SPSS's "Likelihood Ratio" row of Crosstabs;
    the base-R reference is ``ref_g_test`` in ``reference_r/summary_tests.R``.

    References
    ----------
    Agresti A. Categorical Data Analysis, 3rd ed. Wiley 2013, section 3.2.1 (G^2).
    Sokal RR, Rohlf FJ. Biometry, 4th ed. Freeman 2012, section 17.2.
    """
    a = _counts(table, "g_test")
    a = a[a.sum(axis=1) > 0][:, a.sum(axis=0) > 0]
    if min(a.shape) < 2:
        raise NenauditError(
            "g_test: fewer than 2 non-empty rows or columns; independence cannot be tested"
        )
    e = np.outer(a.sum(axis=1), a.sum(axis=0)) / a.sum()
    pos = a > 0
    g = float(2.0 * np.sum(a[pos] * np.log(a[pos] / e[pos])))
    g = max(g, 0.0)
    df = float((a.shape[0] - 1) * (a.shape[1] - 1))
    return SummaryTest(
        "Log likelihood ratio (G-test) test of independence without correction",
        g,
        df,
        float(stats.chi2.sf(g, df)),
    )


def linear_by_linear(
    table, row_scores: Sequence[float] | None = None, col_scores: Sequence[float] | None = None
) -> SummaryTest:
    """Linear-by-linear association test of an ordered r x c table: ``M^2 = (N - 1) r^2``, 1 df.

    ``r`` is the Pearson correlation between the row scores and the column scores over the N
    individuals of the table (default scores 1..r and 1..c, the printed order). This is the
    Mantel-Haenszel trend statistic, SPSS's "Linear-by-Linear Association" and
    ``coin::lbl_test`` (asymptotic); the base-R reference is ``ref_linear_by_linear`` in
    ``reference_r/summary_tests.R``. For a 2 x 2 table it equals ``(N-1)/N`` times Pearson's
    chi-square.

    References
    ----------
    Agresti A. Categorical Data Analysis, 3rd ed. Wiley 2013, section 3.4.1 (M^2 = (n-1) r^2).
    Mantel N. Chi-square tests with one degree of freedom. JASA 1963;58:690-700.
    doi:10.1080/01621459.1963.10500879.
    """
    a = _counts(table, "linear_by_linear")
    u = (
        np.arange(1.0, a.shape[0] + 1)
        if row_scores is None
        else np.asarray(row_scores, dtype=float)
    )
    v = (
        np.arange(1.0, a.shape[1] + 1)
        if col_scores is None
        else np.asarray(col_scores, dtype=float)
    )
    if u.shape != (a.shape[0],) or v.shape != (a.shape[1],):
        raise NenauditError("linear_by_linear: one score per row and one per column are needed")
    n = a.sum()
    pr, pc = a.sum(axis=1), a.sum(axis=0)
    ubar, vbar = float(pr @ u / n), float(pc @ v / n)
    sxy = float(((u - ubar)[:, None] * (v - vbar)[None, :] * a).sum())
    sxx = float(pr @ (u - ubar) ** 2)
    syy = float(pc @ (v - vbar) ** 2)
    if sxx <= 0 or syy <= 0:
        raise NenauditError(
            "linear_by_linear: every individual is in one row or one column; no trend can be tested"
        )
    r = sxy / math.sqrt(sxx * syy)
    m2 = (n - 1) * r * r
    return SummaryTest(
        "Linear-by-linear association test", float(m2), 1.0, float(stats.chi2.sf(m2, 1))
    )


def _check_groups(
    means, sds, ns, who: str, k_min: int
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    m = np.asarray(means, dtype=float)
    s = np.asarray(sds, dtype=float)
    n = np.asarray(ns, dtype=float)
    if not (m.shape == s.shape == n.shape) or m.ndim != 1 or m.size < k_min:
        raise NenauditError(f"{who}: give one mean, SD and n per group, at least {k_min} groups")
    if not (np.all(np.isfinite(m)) and np.all(np.isfinite(s)) and np.all(np.isfinite(n))):
        raise NenauditError(f"{who}: means, SDs and sizes must be finite numbers")
    if np.any(s < 0) or np.any(n < 2) or np.any(n != np.round(n)):
        raise NenauditError(f"{who}: SDs must be >= 0 and each group needs a whole number n >= 2")
    return m, s, n


def t_test_from_summary(
    mean1: float, sd1: float, n1: int, mean2: float, sd2: float, n2: int, equal_var: bool = False
) -> SummaryTest:
    """Two-sided two-sample t test from two means, SDs and sizes: Welch (default) or Student.

    Gives what R's ``t.test(x, y)`` (Welch-Satterthwaite df) or ``t.test(x, y, var.equal =
    TRUE)`` (pooled variance, ``n1 + n2 - 2`` df) returns for any samples x, y with these
    means, SDs (``sd()``, divisor n - 1) and sizes, with R's defaults ``mu = 0`` and
    two-sided alternative: the test depends on the data only through them.

    References
    ----------
    Welch BL. Biometrika 1947;34:28-35. doi:10.1093/biomet/34.1-2.28.
    Student. Biometrika 1908;6:1-25. doi:10.1093/biomet/6.1.1.
    """
    m, s, n = _check_groups([mean1, mean2], [sd1, sd2], [n1, n2], "t_test_from_summary", 2)
    v = s**2
    if equal_var:
        df = float(n.sum() - 2)
        sp2 = float(((n - 1) * v).sum() / df)
        se = math.sqrt(sp2 * (1 / n[0] + 1 / n[1]))
        method = " Two Sample t-test"
    else:
        q = v / n
        se = math.sqrt(float(q.sum()))
        df = float(q.sum() ** 2 / (q**2 / (n - 1)).sum()) if se > 0 else math.nan
        method = "Welch Two Sample t-test"
    if se == 0:
        raise NenauditError("t_test_from_summary: both SDs are 0; a t test is undefined")
    t = float((m[0] - m[1]) / se)
    return SummaryTest(method, t, df, float(2 * stats.t.sf(abs(t), df)))


def oneway_from_summary(
    means: Sequence[float], sds: Sequence[float], ns: Sequence[int], equal_var: bool = True
) -> SummaryTest:
    """One-way ANOVA F test (``equal_var=True``) or Welch's one-way test from group summaries.

    Equal variances: ``F = [sum n_i (m_i - M)^2 / (k-1)] / [sum (n_i - 1) s_i^2 / (N-k)]``,
    what ``summary(aov(y ~ g))`` and ``oneway.test(y ~ g, var.equal = TRUE)`` give. Unequal
    variances: Welch (1951) with weights ``w_i = n_i / s_i^2``, what R's default
    ``oneway.test(y ~ g)`` (``var.equal = FALSE``) gives. Both depend on the data only
    through the group means, SDs and sizes.

    References
    ----------
    Welch BL. On the comparison of several mean values: an alternative approach.
    Biometrika 1951;38:330-336. doi:10.1093/biomet/38.3-4.330.
    """
    m, s, n = _check_groups(means, sds, ns, "oneway_from_summary", 2)
    k, big_n = m.size, n.sum()
    if equal_var:
        grand = float((n * m).sum() / big_n)
        msb = float((n * (m - grand) ** 2).sum() / (k - 1))
        msw = float(((n - 1) * s**2).sum() / (big_n - k))
        if msw == 0:
            raise NenauditError("oneway_from_summary: every SD is 0; the F test is undefined")
        f = msb / msw
        df = (float(k - 1), float(big_n - k))
        return SummaryTest("One-way analysis of means", f, df, float(stats.f.sf(f, *df)))
    if np.any(s == 0):
        raise NenauditError("oneway_from_summary: Welch's test needs every SD > 0")
    w = n / s**2
    sw = w.sum()
    mw = float((w * m).sum() / sw)
    tmp = float(((1 - w / sw) ** 2 / (n - 1)).sum() / (k * k - 1))
    f = float((w * (m - mw) ** 2).sum() / ((k - 1) * (1 + 2 * (k - 2) * tmp)))
    df = (float(k - 1), 1.0 / (3.0 * tmp))
    return SummaryTest(
        "One-way analysis of means (not assuming equal variances)", f, df, float(stats.f.sf(f, *df))
    )


def chisq_p(statistic: float, df: float) -> float:
    """Upper-tail p of a chi-square statistic: R's ``pchisq(statistic, df, lower.tail = FALSE)``.

    Used for printed statistics such as a Hosmer-Lemeshow chi-square (Hosmer & Lemeshow,
    Applied Logistic Regression, 3rd ed., Wiley 2013, section 5.2.2: ``g - 2`` df for g groups).
    """
    if not (math.isfinite(statistic) and statistic >= 0 and df > 0):
        raise NenauditError(f"chisq_p: statistic {statistic} must be >= 0 and df {df} > 0")
    return float(stats.chi2.sf(statistic, df))

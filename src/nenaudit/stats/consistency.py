"""Consistency arithmetic for published summary statistics (no patient data needed).

These are the small numerical facts an auditor recomputes from printed numbers:
GRIM for means of integer data, the p-value implied by a ratio CI, and the
rounding interval of a printed number. No R function corresponds to them; the
references are given per function.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from scipy import optimize, stats

from nenaudit.stats.result import Result

__all__ = [
    "GrimResult",
    "grim",
    "ImpliedP",
    "implied_p_from_ratio_ci",
    "RatioCiShape",
    "poisson_lr_log_asymmetry",
    "ratio_ci_shape",
    "percent_of",
    "percent_table",
    "DENOMINATORS",
    "StatisticP",
    "p_from_statistic",
    "statistic_p_range",
    "skewness_signal",
]


def percent_of(count: int, n: int) -> float:
    """Percentage ``100 * count / n`` (plain arithmetic; raises on ``n <= 0``)."""
    if n <= 0:
        raise ValueError(f"denominator must be positive, got {n}")
    return 100.0 * count / n


@dataclass(frozen=True)
class GrimResult(Result):
    """GRIM test of one printed mean."""

    mean: float
    decimals: int
    n: int
    consistent: bool
    nearest_totals: tuple[int, ...]
    nearest_means: tuple[float, ...]
    applicable: bool = True


def grim(mean: float, decimals: int, n: int, items: int = 1) -> GrimResult:
    """GRIM: can a mean printed to ``decimals`` places arise from ``n`` integer values?

    The sum of integer data is an integer, so the mean is a multiple of
    ``1 / (n * items)``. The printed mean is consistent when some integer total
    ``T`` gives ``T / (n * items)`` inside the printed rounding interval
    ``mean ± 0.5 * 10**-decimals`` (either rounding convention at the boundary).

    Reference: Brown NJL, Heathers JAJ. The GRIM test: a simple technique detects
    numerous anomalies in the reporting of results in psychology. Soc Psychol Personal
    Sci 2017;8:363-369. doi:10.1177/1948550616673876. No R equivalent in base R
    (the ``scrutiny`` package's ``grim()`` implements the same idea).

    GRIM can only fail when the means' spacing ``1 / (n * items)`` is wider than the
    rounding unit ``10**-decimals``, i.e. ``n * items < 10**decimals`` (Brown & Heathers: for
    means printed to two decimals, samples under 100). Otherwise some total always rounds to
    the printed mean: the result is consistent with ``applicable=False``, and nothing is
    enumerated. Only the few totals next to ``mean * n * items`` are ever examined.
    """
    if n <= 0:
        raise ValueError(f"n must be positive, got {n}")
    if decimals < 0:
        raise ValueError(f"decimals must be >= 0, got {decimals}")
    m = n * items
    if m >= 10**decimals:
        t0 = round(mean * m)
        return GrimResult(mean, decimals, n, True, (t0,), (t0 / m,), False)
    half = 0.5 * 10.0 ** (-decimals)
    lo, hi = mean - half, mean + half
    totals = range(
        math.floor(lo * m) - 1, math.ceil(hi * m) + 2
    )  # at most 4 totals: 1/m > 10**-decimals
    ok = [t for t in totals if lo - 1e-12 <= t / m <= hi + 1e-12]
    if ok:
        near = tuple(ok)
    else:
        t0 = round(mean * m)
        near = (t0 - 1, t0, t0 + 1)
        near = tuple(sorted(near, key=lambda t: abs(t / m - mean))[:2])
    return GrimResult(mean, decimals, n, bool(ok), near, tuple(t / m for t in near))


@dataclass(frozen=True)
class ImpliedP(Result):
    """The p-value a ratio estimate and its CI imply under a normal (Wald) model on the log scale."""

    p_symmetric: float
    p_near_side: float
    p_min: float
    p_max: float
    log_asymmetry: float
    se_log: float
    #: "" when every printed value is positive; "lower" when the printed lower bound rounds to zero (the
    #: p-values come from the upper half of the CI); "estimate" when the estimate does (no p, all NaN)
    rounds_to_zero: str = ""


def _checked_ratio_ci(
    estimate: float, lo: float, hi: float, half_units: tuple[float, float, float]
) -> tuple[float, float, float]:
    """``half_units`` of a printed ratio and its CI after the checks both CI functions share:
    ``0 <= lo <= estimate <= hi``, and a printed 0 only with a positive half unit (a rounded value)."""
    if not (0 <= lo <= estimate <= hi):
        raise ValueError(f"need 0 <= lo <= estimate <= hi, got {lo}, {estimate}, {hi}")
    if any(x == 0 and not h > 0 for x, h in zip((estimate, lo, hi), half_units)):
        raise ValueError(
            "a ratio bound of 0 must be a printed value that rounds to zero (half unit > 0)"
        )
    return half_units


def implied_p_from_ratio_ci(
    estimate: float,
    lo: float,
    hi: float,
    *,
    level: float = 0.95,
    half_units: tuple[float, float, float] = (0.0, 0.0, 0.0),
) -> ImpliedP:
    """p-value implied by a ratio (OR/RR/HR) and its CI, assuming a Wald CI on the log scale.

    ``se = (log(hi) - log(lo)) / (2 z)``, ``z = log(est) / se``, ``p = 2 (1 - Phi(|z|))``
    (Altman DG, Bland JM. How to obtain the P value from a confidence interval. BMJ
    2011;343:d2304. doi:10.1136/bmj.d2304). A profile-likelihood CI is asymmetric on
    the log scale; the *near-side* variant uses only the half of the CI that faces 1,
    ``se = |log(est) - log(bound facing 1)| / z``, which is closer to the likelihood-ratio
    p in that case. ``p_min``/``p_max`` span both variants over every value of
    (estimate, lo, hi) inside their printed rounding intervals (``half_units``).
    ``log_asymmetry`` is ``log(hi/est) / log(est/lo)`` (1 for a Wald CI).
    In R: ``2 * pnorm(-abs(log(est) / ((log(hi) - log(lo)) / (2 * qnorm(0.975)))))``.

    A ratio is positive, but a small one may be printed as 0 (``0.002 (0.000-0.018)``): a printed 0
    stands for its rounding interval ``(0, half unit)``, where the log is unbounded. When the lower
    bound rounds to zero (``rounds_to_zero="lower"``), the log-scale SE comes from the upper half
    of the CI alone, ``se = (log(hi) - log(est)) / z`` (a Wald CI is symmetric on the log scale),
    ``p_symmetric`` and ``p_near_side`` are that p, ``p_min``/``p_max`` span it over the rounding of
    (estimate, hi), and ``log_asymmetry`` is NaN; in R:
    ``2 * pnorm(-abs(log(est) / ((log(hi) - log(est)) / qnorm(0.975))))``. When the estimate rounds
    to zero (``rounds_to_zero="estimate"``) no p follows from the printed numbers: every p is NaN.
    A printed 0 needs a positive half unit (it is a rounded number); other values raise ValueError.
    """
    he, hl, hh = _checked_ratio_ci(estimate, lo, hi, half_units)
    zc = stats.norm.ppf(0.5 + level / 2)
    if estimate == 0:
        nan = float("nan")
        return ImpliedP(nan, nan, nan, nan, nan, nan, "estimate")
    if lo == 0:
        return _implied_p_upper_half(estimate, hi, zc, he, hh)

    def both(e: float, a: float, b: float) -> tuple[float, float]:
        le, la, lb = math.log(e), math.log(a), math.log(b)
        se = (lb - la) / (2 * zc)
        p_sym = 2 * stats.norm.sf(abs(le) / se) if se > 0 else 0.0
        near = la if le >= 0 else lb
        se_near = abs(le - near) / zc
        p_near = 2 * stats.norm.sf(abs(le) / se_near) if se_near > 0 else 0.0
        return p_sym, p_near

    p_sym, p_near = both(estimate, lo, hi)
    vals = []
    for e in (estimate - he, estimate, estimate + he):
        for a in (lo - hl, lo, lo + hl):
            for b in (hi - hh, hi, hi + hh):
                if 0 < a <= e <= b:
                    vals.extend(both(e, a, b))
    asym = math.log(hi / estimate) / math.log(estimate / lo) if estimate > lo else float("inf")
    se_log = (math.log(hi) - math.log(lo)) / (2 * zc)
    return ImpliedP(
        float(p_sym),
        float(p_near),
        float(np.min(vals)),
        float(np.max(vals)),
        float(asym),
        float(se_log),
    )


def _implied_p_upper_half(estimate: float, hi: float, zc: float, he: float, hh: float) -> ImpliedP:
    """:func:`implied_p_from_ratio_ci` when the lower bound rounds to zero: the upper half of the CI alone."""

    def p_up(e: float, b: float) -> float:
        se = (math.log(b) - math.log(e)) / zc
        return float(2 * stats.norm.sf(abs(math.log(e)) / se)) if se > 0 else 0.0

    p = p_up(estimate, hi)
    vals = [
        p_up(e, b)
        for e in (estimate - he, estimate, estimate + he)
        for b in (hi - hh, hi, hi + hh)
        if 0 < e <= b
    ]
    se_log = (math.log(hi) - math.log(estimate)) / zc
    return ImpliedP(p, p, min(vals), max(vals), float("nan"), float(se_log), "lower")


@dataclass(frozen=True)
class RatioCiShape(Result):
    """Whether a printed ratio is the log-centre of its printed CI (Wald), or within a likelihood-ratio CI's reach."""

    centre_range: tuple[float, float]
    estimate_range: tuple[float, float]
    wald_fits: bool
    min_count: float
    lr_asymmetry_bound: float
    lr_fits: bool
    #: "" when every printed value is positive, else which rounds to zero: "lower" or "estimate"
    rounds_to_zero: str = ""


def poisson_lr_log_asymmetry(count: float, level: float = 0.95) -> float:
    """Upper/lower log half-width ratio of the likelihood-ratio CI of a Poisson mean with ``count`` events.

    On the log scale ``u = log(lambda / count)`` the interval solves ``2 count (exp(u) - 1 - u) = z^2``
    (Wilks' likelihood-ratio interval); the ratio ``u_upper / |u_lower|`` (< 1) is the most a likelihood-ratio
    CI of a log rate built on ``count`` events departs from the symmetric Wald form. In R:
    ``f <- function(u) 2 * m * (exp(u) - 1 - u) - qchisq(0.95, 1)``; ``uniroot(f, c(0, 50))$root /
    -uniroot(f, c(-50, 0))$root`` (Cox DR, Hinkley DV. Theoretical Statistics, 1974, sec. 9.3).
    """
    if not count > 0:
        raise ValueError(f"count must be positive, got {count}")
    q = stats.chi2.ppf(level, 1) / (2 * count)

    def f(u: float) -> float:
        return math.expm1(u) - u - q

    lo_end = -1.0
    while f(lo_end) < 0:
        lo_end *= 2
    u_lo = optimize.brentq(f, lo_end, 0.0, xtol=1e-14)
    hi_end = 1.0
    while f(hi_end) < 0:
        hi_end *= 2
    u_hi = optimize.brentq(f, 0.0, hi_end, xtol=1e-14)
    return float(u_hi / -u_lo)


def ratio_ci_shape(
    estimate: float,
    lo: float,
    hi: float,
    *,
    level: float = 0.95,
    half_units: tuple[float, float, float] = (0.0, 0.0, 0.0),
) -> RatioCiShape:
    """Is a printed ratio (OR/RR/HR) the centre of its printed CI on the log scale, over the printed rounding?

    A Wald CI is ``exp(log(est) -+ z se)``, so ``log(est) = (log(lo) + log(hi)) / 2``: ``wald_fits`` is whether the
    range of that log-centre over every (lo, hi) inside their rounding meets the range of ``log(est)`` over its
    rounding. When it does not, a likelihood-ratio (profile) CI may still explain the asymmetry, but only so much:
    a log-scale SE of ``se`` means at least ``1 / se^2`` events in the smallest cell (the variance of a log odds
    ratio is at least 1 over its smallest count; Woolf 1955), and the asymmetry is taken as at most that of a
    Poisson count of that size (all information in one cell; :func:`poisson_lr_log_asymmetry`), the largest SE in
    the rounding box giving the smallest count. ``lr_fits`` is whether the printed estimate lies in the window such
    a CI allows. In R: ``exp(range over rounding of (log(lo) + log(hi)) / 2)`` against ``est -+ half unit``.

    A printed 0 (``0.002 (0.000-0.018)``) stands for its rounding interval ``(0, half unit)``: when the lower
    bound rounds to zero (``rounds_to_zero="lower"``) the log-centre is bounded above only (its range starts at
    0), the CI's width bounds no cell count (``min_count`` 0) and so no asymmetry (``lr_asymmetry_bound`` 0,
    ``lr_fits`` whenever the estimate is below the upper bound); an estimate that rounds to zero likewise
    (``rounds_to_zero="estimate"``). A printed 0 needs a positive half unit; other values raise ValueError.
    """
    he, hl, hh = _checked_ratio_ci(estimate, lo, hi, half_units)
    zero = "estimate" if estimate == 0 else ("lower" if lo == 0 else "")

    def log_floor(
        x: float, h: float
    ) -> float:  # log of the smallest value x may stand for; -inf at 0
        return math.log(max(x - h, x * 1e-9)) if x > 0 else -math.inf

    a_lo, a_hi = log_floor(lo, hl), math.log(lo + hl)
    b_lo, b_hi = log_floor(hi, hh), math.log(hi + hh)
    e_lo, e_hi = log_floor(estimate, he), math.log(estimate + he)
    c_lo, c_hi = (a_lo + b_lo) / 2, (a_hi + b_hi) / 2
    wald = c_lo <= e_hi + 1e-12 and e_lo <= c_hi + 1e-12
    if zero:
        m = r = 0.0  # an unbounded width: no count, no bound on the asymmetry
        w_lo, w_hi = a_lo, b_hi
    else:
        zc = stats.norm.ppf(0.5 + level / 2)
        se_max = (b_hi - a_lo) / (2 * zc)
        m = 1.0 / se_max**2
        r = poisson_lr_log_asymmetry(m, level)
        # log(est) - a = (b - a) / (1 + ratio), ratio in [r, 1/r]
        w_lo = min(a + (b - a) * r / (1 + r) for a in (a_lo, a_hi) for b in (b_lo, b_hi))
        w_hi = max(a + (b - a) / (1 + r) for a in (a_lo, a_hi) for b in (b_lo, b_hi))
    lr = w_lo <= e_hi + 1e-12 and e_lo <= w_hi + 1e-12
    return RatioCiShape(
        (math.exp(c_lo), math.exp(c_hi)),
        (math.exp(e_lo), math.exp(e_hi)),
        bool(wald),
        float(m),
        float(r),
        bool(lr),
        zero,
    )


#: what a table's printed percentages may divide by
DENOMINATORS = ("column", "row", "total")


def percent_table(counts, denominator: str = "column", column_sizes=None) -> np.ndarray:
    """Percentages of a levels x groups count table under one reading of its denominator.

    ``column``: each count over its group's size (``column_sizes``, else the column sums), R's
    ``100 * prop.table(m, 2)`` (or ``sweep(m, 2, n, "/")``); ``row``: over the level's total across
    groups, ``100 * prop.table(m, 1)``; ``total``: over the sum of the group sizes (else the table
    total), ``100 * prop.table(m)``. A zero denominator gives NaN for its cells.
    """
    m = np.asarray(counts, dtype=float)
    if m.ndim != 2:
        raise ValueError(f"counts must be a levels x groups matrix, got shape {m.shape}")
    if denominator == "column":
        den = np.asarray(column_sizes, dtype=float) if column_sizes is not None else m.sum(axis=0)
        den = np.broadcast_to(den[None, :], m.shape)
    elif denominator == "row":
        den = np.broadcast_to(m.sum(axis=1)[:, None], m.shape)
    elif denominator == "total":
        tot = float(np.sum(column_sizes)) if column_sizes is not None else m.sum()
        den = np.full(m.shape, tot)
    else:
        raise ValueError(f"denominator {denominator!r} is not one of {DENOMINATORS}")
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(den > 0, 100.0 * m / np.where(den > 0, den, 1.0), np.nan)


@dataclass(frozen=True)
class StatisticP(Result):
    """The p-value a printed test statistic implies, at its printed value and over its rounding interval."""

    name: str
    statistic: float
    df: tuple[float, ...]
    p: float
    p_min: float
    p_max: float
    r_call: str


def p_from_statistic(name: str, value: float, df: tuple[float, ...] = ()) -> float:
    """p of a test statistic: upper tail for chi-square and F, two-sided for t and z.

    ``chi2``: R's ``pchisq(x, df, lower.tail = FALSE)``; ``F``: ``pf(x, df1, df2, lower.tail = FALSE)``;
    ``t``: ``2 * pt(abs(x), df, lower.tail = FALSE)``; ``z``: ``2 * pnorm(abs(x), lower.tail = FALSE)``
    (scipy.stats ``chi2.sf``, ``f.sf``, ``t.sf``, ``norm.sf``). These are the conversions statcheck
    applies (Nuijten et al. 2016, doi:10.3758/s13428-015-0664-2).
    """
    if not math.isfinite(value):
        raise ValueError(f"statistic {value} is not finite")
    if name == "chi2":
        if value < 0 or len(df) != 1:
            raise ValueError("a chi-square statistic is >= 0 with one df")
        return float(stats.chi2.sf(value, df[0]))
    if name == "F":
        if value < 0 or len(df) != 2:
            raise ValueError("an F statistic is >= 0 with df1 and df2")
        return float(stats.f.sf(value, df[0], df[1]))
    if name == "t":
        if len(df) != 1:
            raise ValueError("a t statistic has one df")
        return float(2.0 * stats.t.sf(abs(value), df[0]))
    if name == "z":
        return float(2.0 * stats.norm.sf(abs(value)))
    raise ValueError(f"unknown statistic {name!r}; one of chi2, t, F, z")


_R_CALL = {
    "chi2": "pchisq({x}, {d}, lower.tail = FALSE)",
    "F": "pf({x}, {d}, lower.tail = FALSE)",
    "t": "2 * pt(abs({x}), {d}, lower.tail = FALSE)",
    "z": "2 * pnorm(abs({x}), lower.tail = FALSE)",
}


def statistic_p_range(
    name: str, value: float, half_unit: float, df: tuple[float, ...] = ()
) -> StatisticP:
    """:func:`p_from_statistic` at ``value`` and at the ends of its rounding interval ``value ± half_unit``
    (p falls as ``|value|`` grows, so the ends bound it; the interval is clipped at 0)."""
    size = abs(value) if name in ("t", "z") else value  # p depends on |t| and |z| only
    ends = [p_from_statistic(name, x, df) for x in (max(size - half_unit, 0.0), size + half_unit)]
    call = _R_CALL[name].format(x=f"{value:g}", d=", ".join(f"{d:g}" for d in df))
    return StatisticP(
        name,
        float(value),
        tuple(float(d) for d in df),
        p_from_statistic(name, value, df),
        float(min(ends)),
        float(max(ends)),
        call,
    )


def skewness_signal(mean: float, sd: float) -> str | None:
    """Why a mean ± SD of a quantity that cannot be negative suggests a skewed distribution, or None.

    Altman & Bland's rule (Detecting skewness from summary information, BMJ 1996;313:1200,
    doi:10.1136/bmj.313.7066.1200): for a variable that cannot be negative, a mean less than twice
    the SD signals skewness, since a normal distribution would put real mass below zero. Used here
    in a stricter form, so that only clear cases turn a t-test mismatch into not-reproducible: the
    SD above the mean, or mean − 2 SD more than half a mean below 0 (SD > 0.75 mean). No R
    function; the arithmetic is the rule itself.
    """
    if not (math.isfinite(mean) and math.isfinite(sd)) or mean < 0 or sd <= 0:
        return None
    if sd > mean:
        return f"SD {sd:g} exceeds the mean {mean:g}"
    if mean - 2 * sd < -0.5 * mean:
        return f"mean - 2 SD = {mean - 2 * sd:.3g} lies far below 0"
    return None

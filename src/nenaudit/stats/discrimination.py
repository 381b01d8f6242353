"""Discrimination: the AUC (C-statistic), its standard error and confidence interval.

Two families live here.

* Summary-statistic functions for auditing a *published* AUC when no patient data are
  available: :func:`hanley_mcneil_se`, :func:`binormal_delong_se`, :func:`auc_ci_from_se`.
* Full-data functions matching R's pROC package: :func:`roc_auc`, :func:`delong_placements`,
  :func:`ci_auc`, :func:`bootstrap_indices`, :func:`delong_test`, :func:`youden`.

Conventions shared with pROC: observations with ``y == 0`` are *controls*, ``y == 1`` are
*cases*; ``direction="<"`` means controls score lower than cases; ties between a case and a
control count one half.
"""

from __future__ import annotations

import copy
import math
import warnings
from collections.abc import Iterator
from dataclasses import dataclass

import numpy as np
from scipy import integrate, special, stats

from nenaudit.exceptions import NenauditError, StatisticalWarning
from nenaudit.stats._checks import (
    MAX_BOOT,
    aligned,  # pandas inputs aligned on their index or refused
    as_binary,
    as_score,
    check_count,
    check_indices,
    make_rng,
)
from nenaudit.stats.quantile import quantile7
from nenaudit.stats.result import Result

__all__ = [
    "wald_ci_bound_ranges",
    "hanley_mcneil_se",
    "binormal_delong_se",
    "binormal_placement_variance",
    "auc_ci_from_se",
    "RocAuc",
    "roc_auc",
    "DelongPlacements",
    "delong_placements",
    "AucCI",
    "ci_auc",
    "bootstrap_indices",
    "iter_bootstrap_indices",
    "bootstrap_aucs",
    "is_perfect_curve",
    "MAX_BOOT",
    "MIN_BOOT_CI",
    "DelongTest",
    "delong_test",
    "Youden",
    "youden",
    "roc_thresholds",
    "RocCurve",
    "roc_curve",
    "SensitivityBand",
    "sensitivity_at",
    "sensitivity_band",
]


#: fewer resamples than this get a warning from ci_auc (Carpenter & Bithell 2000: 1000-2000 for a CI)
MIN_BOOT_CI = 1000
#: resample indices held at once by iter_bootstrap_indices' default chunk (8 MB of int64)
CHUNK_ELEMENTS = 1_000_000

# --------------------------------------------------------------------------------------
# Summary-statistic functions (no patient data)
# --------------------------------------------------------------------------------------


def _check_auc_counts(auc: float, n_pos: int, n_neg: int) -> tuple[float, int, int]:
    try:
        a = float(auc)
    except (TypeError, ValueError):
        raise NenauditError(f"auc must be a number in [0, 1], got {auc!r}") from None
    if not (0.0 <= a <= 1.0) or math.isnan(a):
        raise NenauditError(
            f"auc must lie in [0, 1], got {auc!r}: pass the AUC as a proportion, not a percentage"
        )
    for name, n in (("n_pos", n_pos), ("n_neg", n_neg)):
        if isinstance(n, bool) or not float(n).is_integer() or n < 1:
            raise NenauditError(
                f"{name} must be a positive whole number of observations, got {n!r}"
            )
    return a, int(n_pos), int(n_neg)


def hanley_mcneil_se(auc: float, n_pos: int, n_neg: int) -> float:
    """Standard error of an AUC from the AUC and the two group sizes (Hanley & McNeil 1982).

    .. math::

        SE^2 = \\frac{A(1-A) + (n_+ - 1)(Q_1 - A^2) + (n_- - 1)(Q_2 - A^2)}{n_+ n_-},
        \\quad Q_1 = \\frac{A}{2-A}, \\quad Q_2 = \\frac{2A^2}{1+A}.

    ``Q1`` (two random cases both outrank one control) and ``Q2`` (one case outranks two
    random controls) are those of the negative-exponential model, under which the formula
    is the exact variance of the Mann-Whitney AUC. No R function corresponds (pROC has
    none); the formula's source is the reference below.

    Parameters
    ----------
    auc : float
        The AUC as a proportion in [0, 1].
    n_pos, n_neg : int
        Numbers of cases (positives, "abnormal") and controls (negatives, "normal").

    Returns
    -------
    float
        The standard error (0 at AUC 0 or 1).

    References
    ----------
    Hanley JA, McNeil BJ. The meaning and use of the area under a receiver operating
    characteristic (ROC) curve. Radiology 1982;143:29-36. doi:10.1148/radiology.143.1.7063747
    """
    a, m, n = _check_auc_counts(auc, n_pos, n_neg)
    q1 = a / (2.0 - a)
    q2 = 2.0 * a * a / (1.0 + a)
    var = (a * (1.0 - a) + (m - 1) * (q1 - a * a) + (n - 1) * (q2 - a * a)) / (m * n)
    return math.sqrt(max(var, 0.0))


_SQRT_2PI = math.sqrt(2.0 * math.pi)


def binormal_placement_variance(auc: float) -> float:
    """Variance of a DeLong placement value under the equal-variance binormal model.

    Controls score ``N(0, 1)``, cases ``N(d, 1)`` with ``d = sqrt(2) * qnorm(auc)``. The
    placement of a case scoring ``x`` is ``F_controls(x) = Phi(x)``, that of a control
    scoring ``y`` is ``1 - F_cases(y) = Phi(d - y)``; both equal ``Phi(Z + d)`` in law with
    ``Z ~ N(0, 1)`` and have mean ``auc``. The variance
    ``integral (Phi(z + d) - auc)^2 phi(z) dz`` is computed by adaptive quadrature
    (``scipy.integrate.quad``; same quantity as R's ``integrate()`` in
    ``reference_r/discrimination.R``). It equals ``Phi2(q, q; 1/2) - auc^2`` with
    ``q = qnorm(auc)`` (bivariate normal CDF), which the tests use as a check.

    References
    ----------
    DeLong ER, DeLong DM, Clarke-Pearson DL. Comparing the areas under two or more correlated
    receiver operating characteristic curves: a nonparametric approach. Biometrics
    1988;44:837-845. doi:10.2307/2531595
    """
    a, _, _ = _check_auc_counts(auc, 1, 1)
    if a in (0.0, 1.0):
        return 0.0
    d = math.sqrt(2.0) * stats.norm.ppf(a)

    # the normal CDF and density as scipy.stats.norm computes them (special.ndtr; exp(-z^2/2) / sqrt(2 pi)),
    # without the distribution machinery's per-call overhead (quad calls f thousands of times)
    def f(z: float) -> float:
        return (special.ndtr(z + d) - a) ** 2 * (math.exp(-z * z / 2.0) / _SQRT_2PI)

    # split at the integrand's bulk so quad does not miss it for large |d|
    pts = sorted({-d, 0.0})
    edges = [-np.inf, *pts, np.inf]
    total = 0.0
    for lo, hi in zip(edges[:-1], edges[1:]):
        val, _ = integrate.quad(f, lo, hi, epsabs=1e-14, epsrel=1e-12, limit=200)
        total += val
    return float(total)


def binormal_delong_se(auc: float, n_pos: int, n_neg: int) -> float:
    """Standard error DeLong's estimator would give under an equal-variance binormal model.

    ``SE^2 = V / n_pos + V / n_neg``, where ``V`` is the variance of a placement value
    (:func:`binormal_placement_variance`, by numerical integration): this is the
    large-sample value of the DeLong variance ``S10 / m + S01 / n`` computed by pROC's
    ``var(roc)`` / ``ci.auc(method = "delong")`` (whose sample variances of the placements
    converge to ``V``). Use it to judge whether a printed DeLong CI is about as wide as its
    AUC and group sizes imply when the scores are roughly binormal; it depends on the shape
    of the score distributions, which a paper seldom gives.

    Parameters
    ----------
    auc : float
        The AUC as a proportion in [0, 1].
    n_pos, n_neg : int
        Numbers of cases and controls.

    Returns
    -------
    float
        The standard error (0 at AUC 0 or 1).

    References
    ----------
    DeLong ER, DeLong DM, Clarke-Pearson DL. Biometrics 1988;44:837-845. doi:10.2307/2531595
    (variance of the placements); the binormal model as in Hanley JA. The robustness of the
    "binormal" assumptions used in fitting ROC curves. Med Decis Making 1988;8:197-203.
    doi:10.1177/0272989X8800800308
    """
    a, m, n = _check_auc_counts(auc, n_pos, n_neg)
    v = binormal_placement_variance(a)
    return math.sqrt(v / m + v / n)


def wald_ci_bound_ranges(
    estimate: float,
    se: float,
    half_estimate: float = 0.0,
    half_se: float = 0.0,
    level: float = 0.95,
) -> tuple[tuple[float, float], tuple[float, float]]:
    """Ranges of the bounds ``estimate -/+ z se`` of a Wald CI over the printed rounding of estimate and SE.

    ``z = qnorm(1 - (1 - level) / 2)``; the lower bound runs over ``[est - h_e - z (se + h_s), est
    + h_e - z (se - h_s)]``
    and the upper over ``[est - h_e + z (se - h_s), est + h_e + z (se + h_s)]`` (``h`` the half units). As SPSS's ROC
    procedure forms its asymptotic AUC CI from the AUC and its printed Std. Error, and pROC's
    ``ci.auc(method = "delong")`` from ``qnorm(c(alpha/2, 1 - alpha/2), mean = auc, sd = se)`` (Robin et al. 2011,
    doi:10.1186/1471-2105-12-77). In R: ``est + c(-1, 1) * qnorm(0.975) * se`` at the corners.
    """
    z = float(stats.norm.ppf(0.5 + level / 2))
    return (
        (
            estimate - half_estimate - z * (se + half_se),
            estimate + half_estimate - z * (se - half_se),
        ),
        (
            estimate - half_estimate + z * (se - half_se),
            estimate + half_estimate + z * (se + half_se),
        ),
    )


def auc_ci_from_se(auc: float, se: float, level: float = 0.95) -> tuple[float, float]:
    """Wald confidence interval ``auc -/+ qnorm(1 - (1 - level) / 2) * se``, truncated to [0, 1].

    This is how pROC's ``ci.auc(method = "delong")`` forms its interval
    (``qnorm(c(alpha/2, 1 - alpha/2), mean = auc, sd = se)``, then bounds outside [0, 1]
    set to 0 or 1); the default ``level = 0.95`` is pROC's ``conf.level`` default.

    Returns
    -------
    (lower, upper) : tuple of float

    References
    ----------
    Robin X, Turck N, Hainard A, et al. pROC: an open-source package for R and S+ to analyze
    and compare ROC curves. BMC Bioinformatics 2011;12:77. doi:10.1186/1471-2105-12-77
    """
    a, _, _ = _check_auc_counts(auc, 1, 1)
    if not (0.0 < level < 1.0):
        raise NenauditError(f"level must be strictly between 0 and 1, got {level!r}: use e.g. 0.95")
    if not (se >= 0.0) or math.isinf(se):
        raise NenauditError(f"se must be a finite number >= 0, got {se!r}")
    z = stats.norm.ppf(1.0 - (1.0 - level) / 2.0)
    lo = min(max(a - z * se, 0.0), 1.0)
    hi = min(max(a + z * se, 0.0), 1.0)
    return float(lo), float(hi)


# --------------------------------------------------------------------------------------
# Full-data functions (pROC parity)
# --------------------------------------------------------------------------------------

_PROC_REF = (
    "Robin X, Turck N, Hainard A, et al. pROC: an open-source package for R and S+ to analyze "
    "and compare ROC curves. BMC Bioinformatics 2011;12:77. doi:10.1186/1471-2105-12-77"
)


def _split(y, score, name: str = "score") -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    yy = as_binary(y)
    s = as_score(score, yy.shape[0], name)
    controls, cases = s[yy == 0], s[yy == 1]
    if controls.size == 0 or cases.size == 0:
        raise NenauditError(
            f"y has {cases.size} cases and {controls.size} controls: both classes are needed"
        )
    return yy, s, controls, cases


def _choose_direction(controls: np.ndarray, cases: np.ndarray, direction: str) -> tuple[str, bool]:
    if direction not in ("auto", "<", ">"):
        raise NenauditError(f"direction must be 'auto', '<' or '>', got {direction!r}")
    if direction != "auto":
        return direction, False
    return ("<" if np.median(controls) <= np.median(cases) else ">"), True


def _oriented(
    controls: np.ndarray, cases: np.ndarray, direction: str
) -> tuple[np.ndarray, np.ndarray]:
    """Scores turned so that 'case above control' is the concordant order."""
    return (controls, cases) if direction == "<" else (-controls, -cases)


def midrank_placements(controls: np.ndarray, cases: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """DeLong placements by midranks (Sun & Xu 2014), for the '<' orientation.

    Case i: fraction of controls below it (ties 1/2) = (rank among all - rank among cases) / n.
    Control j: fraction of cases above it (ties 1/2) = 1 - (rank among all - rank among controls) / m.
    """
    m, n = cases.size, controls.size
    tz = stats.rankdata(np.concatenate([cases, controls]))
    v10 = (tz[:m] - stats.rankdata(cases)) / n
    v01 = 1.0 - (tz[m:] - stats.rankdata(controls)) / m
    return v10, v01


@dataclass(frozen=True)
class RocAuc(Result):
    """Empirical AUC with the direction used (pROC's ``roc()$auc``)."""

    auc: float
    direction: str
    direction_auto: bool
    direction_note: str
    n_cases: int
    n_controls: int


def _direction_note(direction: str, auto: bool) -> str:
    words = "controls < cases" if direction == "<" else "controls > cases"
    if not auto:
        return f"{words} (given)"
    why = (
        "median(controls) <= median(cases)"
        if direction == "<"
        else "median(controls) > median(cases)"
    )
    return f"{words} (chosen automatically as pROC does: {why})"


@aligned
def roc_auc(y, score, direction: str = "auto") -> RocAuc:
    """Empirical (trapezoidal) AUC, ties between a case and a control counting one half.

    Matches ``pROC::roc(response = y, predictor = score, direction = direction)$auc`` with
    ``levels = c(0, 1)`` (0 = control, 1 = case). With ``direction = "auto"`` (pROC's default)
    the direction is ``"<"`` (controls score lower) when ``median(controls) <= median(cases)``
    and ``">"`` otherwise, so the AUC is then never below 0.5 in the sense of medians; the
    result says which direction was used and why. ``"<"`` gives
    ``P(case > control) + P(tie) / 2``, ``">"`` gives ``P(case < control) + P(tie) / 2``.

    Parameters
    ----------
    y : array of 0/1 or bool
        Outcome, 1 = case.
    score : array of float
        Predictor (finite values only; pROC drops NAs, here they are refused).
    direction : {"auto", "<", ">"}

    Returns
    -------
    RocAuc

    Notes
    -----
    Python reference: scikit-learn's ``roc_auc_score(y, score)`` equals ``roc_auc(y, score, "<").auc``
    (ties one half there too, to 1e-12 on any scores with ties: ``tests/test_python_references.py``).
    It has no automatic direction: where pROC's ``"auto"`` (this default) picks ``">"``, the AUC here is
    ``roc_auc_score(y, -score)``.

    References
    ----------
    Hanley JA, McNeil BJ. Radiology 1982;143:29-36. doi:10.1148/radiology.143.1.7063747
    (AUC = Mann-Whitney statistic). pROC: Robin X et al. BMC Bioinformatics 2011;12:77.
    doi:10.1186/1471-2105-12-77
    """
    _, _, controls, cases = _split(y, score)
    d, auto = _choose_direction(controls, cases, direction)
    v10, _ = midrank_placements(*_oriented(controls, cases, d))
    return RocAuc(
        float(v10.mean()), d, auto, _direction_note(d, auto), int(cases.size), int(controls.size)
    )


@dataclass(frozen=True)
class DelongPlacements(Result):
    """DeLong structural components (placement values) and the variance of the AUC."""

    auc: float
    direction: str
    case_placements: np.ndarray
    control_placements: np.ndarray
    variance: float


@aligned
def delong_placements(y, score, direction: str = "auto") -> DelongPlacements:
    """DeLong placement values and variance of the AUC by the fast midrank algorithm.

    Matches pROC's ``delongPlacements(roc)`` (``$X`` = case placements, ``$Y`` = control
    placements, ``$theta`` = AUC) and ``var(roc, method = "delong")``:
    ``var = S10 / m + S01 / n`` with ``S10``, ``S01`` the sample variances (denominator
    ``m - 1``, ``n - 1``) of the case and control placements. Needs at least two cases and two
    controls (pROC returns NA otherwise). ``direction`` as in :func:`roc_auc`.

    References
    ----------
    DeLong ER, DeLong DM, Clarke-Pearson DL. Biometrics 1988;44:837-845. doi:10.2307/2531595.
    Sun X, Xu W. Fast implementation of DeLong's algorithm for comparing the areas under
    correlated receiver operating characteristic curves. IEEE Signal Process Lett
    2014;21:1389-1393. doi:10.1109/LSP.2014.2337313
    """
    _, _, controls, cases = _split(y, score)
    d, _ = _choose_direction(controls, cases, direction)
    if cases.size < 2 or controls.size < 2:
        raise NenauditError(
            f"DeLong's variance needs at least 2 cases and 2 controls, got {cases.size} and {controls.size}"
        )
    v10, v01 = midrank_placements(*_oriented(controls, cases, d))
    var = v10.var(ddof=1) / v10.size + v01.var(ddof=1) / v01.size
    return DelongPlacements(float(v10.mean()), d, v10, v01, float(var))


@dataclass(frozen=True)
class AucCI(Result):
    """AUC with a confidence interval (pROC's ``ci.auc``)."""

    auc: float
    lower: float
    upper: float
    level: float
    method: str
    se: float
    median: float
    direction: str
    direction_note: str
    n_boot: int | None
    n_boot_dropped: int | None
    stratified: bool | None


def _check_n_boot(n_boot) -> int:
    n_boot = check_count(n_boot)
    if n_boot > MAX_BOOT:
        raise NenauditError(
            f"n_boot = {int(n_boot):,} resamples exceeds the limit of {MAX_BOOT:,} "
            f"({8 * MAX_BOOT // 10**6} MB of resampled AUCs); a percentile CI needs about 2000"
        )
    return int(n_boot)


def _chunk_rows(n: int, chunk_size: int | None) -> int:
    if chunk_size is None:
        return max(1, CHUNK_ELEMENTS // max(n, 1))
    if isinstance(chunk_size, bool) or not float(chunk_size).is_integer() or chunk_size < 1:
        raise NenauditError(
            f"chunk_size must be a positive whole number of resamples, got {chunk_size!r}"
        )
    return int(chunk_size)


def iter_bootstrap_indices(
    y, n_boot: int = 2000, seed=None, stratified: bool = True, chunk_size: int | None = None
) -> Iterator[np.ndarray]:
    """The rows of :func:`bootstrap_indices`, ``chunk_size`` resamples at a time (same seed, same rows).

    Memory is one chunk (``chunk_size x len(y)`` indices; by default about
    ``CHUNK_ELEMENTS`` indices whatever ``n``), where :func:`bootstrap_indices` holds all
    ``n_boot`` rows. The stream of random numbers is the same: stratified resampling draws
    every resample's controls before any case, so the control draws are replayed from a copy
    of the generator while the original one, advanced past them, draws the cases; a
    ``Generator`` passed as ``seed`` ends in the same state as after :func:`bootstrap_indices`.
    """
    yy = as_binary(y)
    n_boot = _check_n_boot(n_boot)
    rng = make_rng(seed)
    c = _chunk_rows(yy.size, chunk_size)
    starts = range(0, n_boot, c)
    if not stratified:
        for start in starts:
            yield rng.integers(0, yy.size, size=(min(c, n_boot - start), yy.size))
        return
    ctl, cas = np.flatnonzero(yy == 0), np.flatnonzero(yy == 1)

    def draw(gen, pool, b):
        return (
            pool[gen.integers(0, pool.size, size=(b, pool.size))]
            if pool.size
            else np.empty((b, 0), int)
        )

    if n_boot <= c:  # one chunk: the plain order, controls then cases
        yield np.concatenate([draw(rng, ctl, n_boot), draw(rng, cas, n_boot)], axis=1)
        return
    ctl_rng = copy.deepcopy(rng)
    for start in starts:  # advance rng past every resample's control draws
        if ctl.size:
            rng.integers(0, ctl.size, size=(min(c, n_boot - start), ctl.size))
    for start in starts:
        b = min(c, n_boot - start)
        yield np.concatenate([draw(ctl_rng, ctl, b), draw(rng, cas, b)], axis=1)


def bootstrap_indices(y, n_boot: int = 2000, seed=None, stratified: bool = True) -> np.ndarray:
    """Row indices (0-based, shape ``(n_boot, len(y))``) of bootstrap resamples.

    ``stratified=True`` resamples controls among controls and cases among cases (pROC's
    ``boot.stratified = TRUE`` default), so every resample keeps the class sizes; otherwise
    whole rows are resampled. Each row lists the controls first, then the cases. ``seed`` is
    an int or a ``numpy.random.Generator`` and is required. Pass the result to
    :func:`ci_auc` (and, plus one, to R) to run both on the same resamples.
    """
    yy = as_binary(y)
    n_boot = _check_n_boot(n_boot)
    rng = make_rng(seed)
    if not stratified:
        return rng.integers(0, yy.size, size=(n_boot, yy.size))
    ctl, cas = np.flatnonzero(yy == 0), np.flatnonzero(yy == 1)
    a = (
        ctl[rng.integers(0, ctl.size, size=(n_boot, ctl.size))]
        if ctl.size
        else np.empty((n_boot, 0), int)
    )
    b = (
        cas[rng.integers(0, cas.size, size=(n_boot, cas.size))]
        if cas.size
        else np.empty((n_boot, 0), int)
    )
    return np.concatenate([a, b], axis=1)


def bootstrap_aucs(y, score, indices, direction: str) -> np.ndarray:
    """AUC of each resample given by ``indices`` (rows of 0-based row numbers), direction fixed.

    A resample without cases or without controls gives NaN (pROC's non-stratified bootstrap
    gives NA there and drops it). Computed from per-value weights, vectorised over resamples.
    """
    yy = as_binary(y)
    s = as_score(score, yy.size)
    if direction not in ("<", ">"):
        raise NenauditError(
            f"bootstrap direction must be '<' or '>', got {direction!r}: fix it from the full data"
        )
    idx = check_indices(indices, yy.size)
    so = s if direction == "<" else -s
    _, g = np.unique(so, return_inverse=True)
    k = int(g.max()) + 1
    out = np.empty(idx.shape[0])
    chunk = max(1, 4_000_000 // max(k, idx.shape[1]))
    for start in range(0, idx.shape[0], chunk):
        sub = idx[start : start + chunk]
        b = sub.shape[0]
        flat = (np.arange(b)[:, None] * k + g[sub]).ravel()
        cls = yy[sub].ravel().astype(float)
        case_w = np.bincount(flat, weights=cls, minlength=b * k).reshape(b, k)
        ctl_w = np.bincount(flat, weights=1.0 - cls, minlength=b * k).reshape(b, k)
        below = np.cumsum(ctl_w, axis=1) - ctl_w
        num = (case_w * (below + 0.5 * ctl_w)).sum(axis=1)
        den = case_w.sum(axis=1) * ctl_w.sum(axis=1)
        with np.errstate(invalid="ignore", divide="ignore"):
            out[start : start + b] = np.where(den > 0, num / np.where(den > 0, den, 1.0), np.nan)
    return out


def is_perfect_curve(y, score, direction: str = "auto") -> bool:
    """Does some threshold separate cases from controls (``max(se + sp) = 2``)?

    As ``pROC:::roc.utils.is.perfect.curve``: ``abs(max(se + sp) - 2) < sqrt(.Machine$double.eps)``,
    over pROC's thresholds (:func:`youden` computes ``se + sp`` at each).
    """
    return abs(youden(y, score, direction).youden_j + 1.0 - 2.0) < math.sqrt(np.finfo(float).eps)


@aligned
def ci_auc(
    y,
    score,
    method: str = "delong",
    level: float = 0.95,
    *,
    direction: str = "auto",
    n_boot: int = 2000,
    seed=None,
    stratified: bool = True,
    indices=None,
    chunk_size: int | None = None,
) -> AucCI:
    """Confidence interval of the AUC, as ``pROC::ci.auc(roc, conf.level, method, boot.n, boot.stratified)``.

    ``method="delong"``: Wald interval ``qnorm(c(a/2, 1 - a/2), auc, sqrt(var_DeLong))``
    truncated to [0, 1] (:func:`delong_placements`, :func:`auc_ci_from_se`); ``se`` is
    ``sqrt(var_DeLong)``. ``method="bootstrap"``: percentile interval, R's default
    ``quantile`` (type 7) of the resampled AUCs at ``a/2`` and ``1 - a/2``, with the
    direction fixed at the one chosen on the full data (as pROC does); ``median`` is the
    50% quantile pROC prints in the middle, ``se`` the standard deviation of the resampled
    AUCs (pROC's ``var(method = "bootstrap")``). Resamples come from :func:`bootstrap_indices`
    with ``seed`` (required), or are given as ``indices`` (0-based, one resample per row) so
    that R can be run on the same ones. Resamples lacking a class are dropped with a
    :class:`StatisticalWarning`, as pROC drops its NAs. Defaults shared with pROC:
    ``level = 0.95``, ``n_boot = 2000``, ``stratified = True``, ``direction = "auto"``.

    Resamples drawn from ``seed`` are taken ``chunk_size`` at a time
    (:func:`iter_bootstrap_indices`), so memory does not grow with ``n_boot x n`` and the
    numbers do not depend on the chunk size; ``n_boot`` is at most ``MAX_BOOT``.
    Warnings: a perfect curve (``max(se + sp) = 2``, pROC's ``roc.utils.is.perfect.curve``)
    gets pROC's "CI is always 1-1 and can be misleading"; a bootstrap CI from fewer than
    ``MIN_BOOT_CI`` = 1000 resamples gets a warning that pROC does not give (it prints a
    CI from one resample, a single point, silently): Carpenter & Bithell (2000, section 4)
    recommend 1000-2000 resamples for a percentile CI.

    References
    ----------
    DeLong ER, DeLong DM, Clarke-Pearson DL. Biometrics 1988;44:837-845. doi:10.2307/2531595.
    Carpenter J, Bithell J. Bootstrap confidence intervals: when, which, what? Stat Med
    2000;19:1141-1164. doi:10.1002/(SICI)1097-0258(20000515)19:9<1141::AID-SIM479>3.0.CO;2-F.
    pROC: doi:10.1186/1471-2105-12-77
    """
    if not (0.0 < level < 1.0):
        raise NenauditError(f"level must be strictly between 0 and 1, got {level!r}: use e.g. 0.95")
    yy, s, controls, cases = _split(y, score)
    d, auto = _choose_direction(controls, cases, direction)
    note = _direction_note(d, auto)
    if method in ("delong", "bootstrap") and is_perfect_curve(yy, s, d):
        warnings.warn(
            "the ROC curve is perfect (AUC = 1): its CI is always 1-1 and can be misleading "
            "(pROC's ci.auc warns the same)",
            StatisticalWarning,
            stacklevel=2,
        )
    if method == "delong":
        pl = delong_placements(yy, s, d)
        se = math.sqrt(pl.variance)
        lo, hi = auc_ci_from_se(min(max(pl.auc, 0.0), 1.0), se, level)
        return AucCI(pl.auc, lo, hi, float(level), "delong", se, pl.auc, d, note, None, None, None)
    if method != "bootstrap":
        raise NenauditError(f"method must be 'delong' or 'bootstrap', got {method!r}")
    if indices is None:
        blocks = iter_bootstrap_indices(yy, n_boot, seed, stratified, chunk_size)
        aucs = np.concatenate([bootstrap_aucs(yy, s, blk, d) for blk in blocks])
    else:
        idx = check_indices(indices, yy.size)
        if stratified:
            n_case = yy[idx].sum(axis=1)
            if np.any(n_case != cases.size) or idx.shape[1] != yy.size:
                raise NenauditError(
                    "indices are not stratified resamples (class sizes differ from the data): "
                    "pass stratified=False or build them with bootstrap_indices(..., stratified=True)"
                )
        aucs = bootstrap_aucs(yy, s, idx, d)
    bad = int(np.isnan(aucs).sum())
    if bad:
        warnings.warn(
            f"{bad} bootstrap resample(s) lacked cases or controls and were dropped (pROC does the same)",
            StatisticalWarning,
            stacklevel=2,
        )
        aucs = aucs[~np.isnan(aucs)]
    if aucs.size == 0:
        raise NenauditError("no bootstrap resample contained both classes: use stratified=True")
    if aucs.size < MIN_BOOT_CI:
        warnings.warn(
            f"only {aucs.size} bootstrap resample(s): a percentile CI needs about 1000 or more "
            "(Carpenter & Bithell 2000); pROC's default is 2000 and it does not warn",
            StatisticalWarning,
            stacklevel=2,
        )
    a = (1.0 - level) / 2.0
    lo, med, hi = np.quantile(aucs, [a, 0.5, 1.0 - a])
    full = float(midrank_placements(*_oriented(controls, cases, d))[0].mean())
    se = float(aucs.std(ddof=1)) if aucs.size > 1 else float("nan")
    return AucCI(
        full,
        float(lo),
        float(hi),
        float(level),
        "bootstrap",
        se,
        float(med),
        d,
        note,
        int(aucs.size),
        bad,
        bool(stratified),
    )


@dataclass(frozen=True)
class DelongTest(Result):
    """DeLong's test for two correlated (paired) AUCs (pROC's ``roc.test(method = "delong", paired = TRUE)``)."""

    auc1: float
    auc2: float
    difference: float
    se: float
    z: float
    p_value: float
    ci_lower: float
    ci_upper: float
    level: float
    alternative: str
    direction1: str
    direction2: str
    same_direction: bool


@aligned
def delong_test(
    y,
    score1,
    score2,
    *,
    direction1: str = "auto",
    direction2: str = "auto",
    alternative: str = "two.sided",
    level: float = 0.95,
) -> DelongTest:
    """DeLong's test comparing two AUCs measured on the same observations.

    Matches ``pROC::roc.test(roc(y, score1), roc(y, score2), method = "delong", paired = TRUE)``:
    ``d = AUC1 - AUC2``, ``sd(d) = sqrt(L S L')`` with ``S = S10 / m + S01 / n`` the 2x2
    covariance matrices of the case and control placements and ``L = (1, -1)``;
    ``z = d / sd(d)`` (0 when both are 0), ``p = 2 pnorm(-|z|)`` (two-sided; ``"greater"``:
    ``pnorm(-z)``, ``"less"``: ``pnorm(z)``) and the CI of ``d`` is ``d -/+ qnorm(1 - a/2) sd(d)``
    (pROC >= 1.16). Each ROC takes its own direction (pROC's ``"auto"`` default); like pROC,
    a :class:`StatisticalWarning` is issued when they differ.

    References
    ----------
    DeLong ER, DeLong DM, Clarke-Pearson DL. Biometrics 1988;44:837-845. doi:10.2307/2531595.
    Sun X, Xu W. IEEE Signal Process Lett 2014;21:1389-1393. doi:10.1109/LSP.2014.2337313
    """
    if alternative not in ("two.sided", "less", "greater"):
        raise NenauditError(
            f"alternative must be 'two.sided', 'less' or 'greater', got {alternative!r}"
        )
    if not (0.0 < level < 1.0):
        raise NenauditError(f"level must be strictly between 0 and 1, got {level!r}: use e.g. 0.95")
    yy, s1, c1, k1 = _split(y, score1, "score1")
    s2 = as_score(score2, yy.size, "score2")
    c2, k2 = s2[yy == 0], s2[yy == 1]
    if k1.size < 2 or c1.size < 2:
        raise NenauditError(
            f"DeLong's test needs at least 2 cases and 2 controls, got {k1.size} and {c1.size}"
        )
    d1, _ = _choose_direction(c1, k1, direction1)
    d2, _ = _choose_direction(c2, k2, direction2)
    if d1 != d2:
        warnings.warn(
            "DeLong's test should not be applied to ROC curves with a different direction "
            f"(score1 {d1}, score2 {d2}), as pROC warns",
            StatisticalWarning,
            stacklevel=2,
        )
    x1, y1 = midrank_placements(*_oriented(c1, k1, d1))
    x2, y2 = midrank_placements(*_oriented(c2, k2, d2))
    m, n = x1.size, y1.size
    sx = np.cov(np.vstack([x1, x2]), ddof=1)
    sy = np.cov(np.vstack([y1, y2]), ddof=1)
    cov = sx / m + sy / n
    lvec = np.array([1.0, -1.0])
    var = float(lvec @ cov @ lvec)
    sig = math.sqrt(max(var, 0.0))
    a1, a2 = float(x1.mean()), float(x2.mean())
    diff = a1 - a2
    if sig == 0.0:
        z = 0.0 if diff == 0.0 else math.copysign(math.inf, diff)
    else:
        z = diff / sig
    if alternative == "two.sided":
        p = 2.0 * stats.norm.cdf(-abs(z))
    elif alternative == "greater":
        p = stats.norm.cdf(-z)
    else:
        p = stats.norm.cdf(z)
    zc = stats.norm.ppf(1.0 - (1.0 - level) / 2.0)
    return DelongTest(
        a1,
        a2,
        diff,
        sig,
        float(z),
        float(p),
        float(diff - zc * sig),
        float(diff + zc * sig),
        float(level),
        alternative,
        d1,
        d2,
        d1 == d2,
    )


def roc_thresholds(score, direction: str) -> np.ndarray:
    """pROC's candidate thresholds: ``-Inf``, midpoints of consecutive distinct values, ``+Inf``.

    As ``pROC:::roc.utils.thresholds``: the midpoint is ``(a + b) / 2``, or ``a/2 + b/2`` when that
    overflows; a midpoint that rounds onto one of its two neighbouring values (adjacent
    doubles) is moved onto the upper one for ``"<"`` and the lower one for ``">"``, so the
    threshold still separates them under the rule "case if score >= t" (``"<"``) or
    "case if score <= t" (``">"``).
    """
    if direction not in ("<", ">"):
        raise NenauditError(f"direction must be '<' or '>', got {direction!r}")
    u = np.unique(np.asarray(score, dtype=float))
    lo = np.concatenate([[-np.inf], u])
    hi = np.concatenate([u, [np.inf]])
    with np.errstate(over="ignore", invalid="ignore"):
        t1 = (lo + hi) / 2.0
    t2 = lo / 2.0 + hi / 2.0
    t = np.where(np.abs(t1) > 1e100, t2, t1)
    inner = np.arange(1, t.size - 1)
    on_lower = inner[t[inner] == u[inner - 1]]
    on_upper = inner[t[inner] == u[inner]]
    if direction == "<":
        t[on_lower] = u[on_lower]
    else:
        t[on_upper] = u[on_upper - 1]
    return t


@dataclass(frozen=True)
class Youden(Result):
    """Threshold maximising Youden's J (pROC's ``coords(roc, "best", best.method = "youden")``)."""

    threshold: float
    sensitivity: float
    specificity: float
    ppv: float
    npv: float
    youden_j: float
    direction: str
    direction_note: str
    rule: str
    all_thresholds: tuple[float, ...]
    all_sensitivities: tuple[float, ...] = ()
    all_specificities: tuple[float, ...] = ()
    all_ppv: tuple[float, ...] = ()
    all_npv: tuple[float, ...] = ()

    def ties(self) -> list[dict[str, float]]:
        """Every threshold tied at the maximum of J, one dict per row of pROC's ``coords`` output."""
        cols = zip(
            self.all_thresholds,
            self.all_sensitivities,
            self.all_specificities,
            self.all_ppv,
            self.all_npv,
        )
        return [
            dict(zip(("threshold", "sensitivity", "specificity", "ppv", "npv"), row))
            for row in cols
        ]


@aligned
def youden(y, score, direction: str = "auto") -> Youden:
    """Optimal threshold by Youden's J = sensitivity + specificity - 1, as pROC's ``coords``.

    Matches ``pROC::coords(roc(y, score), "best", best.method = "youden",
    ret = c("threshold", "sensitivity", "specificity", "ppv", "npv"))``. Candidate thresholds
    are pROC's (:func:`roc_thresholds`: midpoints between consecutive distinct scores, plus
    ``-Inf`` and ``+Inf``); for ``"<"`` an observation is called positive when
    ``score >= threshold``, for ``">"`` when ``score <= threshold``. pROC returns every
    threshold tied at the maximum (exact floating-point equality of ``se + sp``); they are all
    in ``all_thresholds`` in pROC's row order (increasing specificity), with their sensitivity,
    specificity, PPV and NPV in ``all_*`` (:meth:`Youden.ties`), and the first of them is reported.
    PPV and NPV use the sample prevalence (pROC's ``tp / (tp + fp)``,
    ``tn / (tn + fn)``; NaN when undefined). ``best.weights = c(1, 0.5)`` (pROC's default).

    References
    ----------
    Youden WJ. Index for rating diagnostic tests. Cancer 1950;3:32-35.
    doi:10.1002/1097-0142(1950)3:1<32::AID-CNCR2820030106>3.0.CO;2-3. pROC: doi:10.1186/1471-2105-12-77
    """
    yy, s, controls, cases = _split(y, score)
    d, auto = _choose_direction(controls, cases, direction)
    t = roc_thresholds(s, d)
    ca, co = np.sort(cases), np.sort(controls)
    m, n = ca.size, co.size
    if d == "<":
        tp = m - np.searchsorted(ca, t, side="left")  # cases >= t
        tn = np.searchsorted(co, t, side="left")  # controls < t
    else:
        tp = np.searchsorted(ca, t, side="right")  # cases <= t
        tn = n - np.searchsorted(co, t, side="right")  # controls > t
    se = tp / m
    sp = tn / n
    crit = se + sp
    # pROC sorts its rows by increasing specificity: ascending thresholds for "<", descending for ">"
    order = np.arange(t.size) if d == "<" else np.arange(t.size)[::-1]
    best = [i for i in order if crit[i] == crit.max()]
    i = best[0]

    def predictive(j: int) -> tuple[float, float]:
        tpf, tnf = float(se[j] * m), float(sp[j] * n)
        fn, fp = m - tpf, n - tnf
        return (
            tpf / (tpf + fp) if tpf + fp > 0 else float("nan"),
            tnf / (tnf + fn) if tnf + fn > 0 else float("nan"),
        )

    pv = [predictive(j) for j in best]
    ppv, npv = pv[0]
    rule = "positive if score >= threshold" if d == "<" else "positive if score <= threshold"
    return Youden(
        float(t[i]),
        float(se[i]),
        float(sp[i]),
        ppv,
        npv,
        float(crit[i] - 1.0),
        d,
        _direction_note(d, auto),
        rule,
        tuple(float(t[j]) for j in best),
        tuple(float(se[j]) for j in best),
        tuple(float(sp[j]) for j in best),
        tuple(p for p, _ in pv),
        tuple(q for _, q in pv),
    )


@dataclass(frozen=True)
class RocCurve(Result):
    """ROC curve coordinates in pROC's order (see :func:`roc_curve`)."""

    thresholds: np.ndarray
    sensitivities: np.ndarray
    specificities: np.ndarray
    direction: str
    auc: float


@aligned
def roc_curve(y, score, direction: str = "auto") -> RocCurve:
    """ROC curve coordinates, as ``pROC::roc(y, score, direction = ...)`` returns them.

    pROC's thresholds are ``-Inf``, the midpoints between consecutive distinct scores, and
    ``+Inf`` (increasing for ``"<"``, decreasing for ``">"``). With ``direction = "<"`` an observation is called a case
    when its score is ``>=`` the threshold (``>`` for the midpoints, which no score equals);
    with ``">"``, when it is ``<=`` the threshold. Sensitivity is the fraction of cases
    called cases, specificity the fraction of controls called controls. The AUC of the
    trapezoids equals :func:`roc_auc`.

    References
    ----------
    Robin X et al. pROC. BMC Bioinformatics 2011;12:77. doi:10.1186/1471-2105-12-77
    """
    _, _, controls, cases = _split(y, score)
    d, _ = _choose_direction(controls, cases, direction)
    thr = roc_thresholds(np.concatenate([controls, cases]), d)
    if d == "<":
        se = (cases[None, :] >= thr[:, None]).mean(axis=1)
        sp = (controls[None, :] < thr[:, None]).mean(axis=1)
    else:
        thr = thr[::-1]  # pROC lists them decreasingly for ">"
        se = (cases[None, :] <= thr[:, None]).mean(axis=1)
        sp = (controls[None, :] > thr[:, None]).mean(axis=1)
    fpr, tpr = 1.0 - sp, se
    order = np.lexsort((tpr, fpr))
    x, h = fpr[order], tpr[order]
    auc = float(np.sum(np.diff(x) * (h[1:] + h[:-1]) / 2.0))  # trapezoids under (1 - sp, se)
    return RocCurve(thr, se, sp, d, auc)


@dataclass(frozen=True)
class SensitivityBand(Result):
    """Bootstrap confidence band of the sensitivity at fixed specificities (see :func:`sensitivity_band`)."""

    specificities: np.ndarray
    lower: np.ndarray
    median: np.ndarray
    upper: np.ndarray
    level: float
    n_boot: int


def sensitivity_at(curve: RocCurve, specificities) -> np.ndarray:
    """Sensitivity of a ROC curve at given specificities, as ``pROC::coords(roc, x, input = "specificity",
    ret = "sensitivity")``: at a specificity the curve reaches, its highest sensitivity there; strictly
    between two specificities the curve reaches, ``u < t < v``, the linear interpolation between the
    curve's points on either side of ``t`` along the curve, i.e. from ``(u, lowest sensitivity at u)``
    to ``(v, highest sensitivity at v)``."""
    sp = np.asarray(curve.specificities, dtype=float)
    se = np.asarray(curve.sensitivities, dtype=float)
    u = np.unique(sp)
    hi = np.array([se[sp == v].max() for v in u])
    lo = np.array([se[sp == v].min() for v in u])
    t = np.asarray(specificities, dtype=float)
    k = np.clip(np.searchsorted(u, t, side="right") - 1, 0, u.size - 1)  # u[k] <= t
    exact = u[k] == t
    k1 = np.minimum(k + 1, u.size - 1)
    with np.errstate(invalid="ignore", divide="ignore"):
        w = np.where(u[k1] > u[k], (t - u[k]) / (u[k1] - u[k]), 0.0)
    out = lo[k] + w * (hi[k1] - lo[k])
    return np.where(exact, hi[k], out)


@aligned
def sensitivity_band(
    y,
    score,
    specificities=None,
    *,
    n_boot: int = 2000,
    seed=None,
    level: float = 0.95,
    direction: str = "<",
    indices=None,
) -> SensitivityBand:
    """Confidence band of a ROC curve: bootstrap percentiles of the sensitivity at each specificity.

    As ``pROC::ci.se(roc, specificities, boot.n, boot.stratified = TRUE, conf.level)``: stratified
    resamples (:func:`bootstrap_indices`, controls among controls and cases among cases), the
    ROC curve of each resample with the direction fixed, its sensitivity at each specificity
    (:func:`sensitivity_at`), and the ``(1 - level) / 2``, 0.5 and ``(1 + level) / 2`` quantiles
    (R's ``quantile`` type 7) over resamples. Default specificities: ``seq(0, 1, 0.02)``. The
    resampling is pROC's; the random numbers are numpy's, so the band agrees with pROC's in
    distribution, not draw for draw; on shared ``indices`` it equals ``reference_r/roc_band.R``
    (tested in ``tests/test_roc_band.py``).

    References
    ----------
    Robin X et al. pROC. BMC Bioinformatics 2011;12:77. doi:10.1186/1471-2105-12-77
    Carpenter J, Bithell J. Bootstrap confidence intervals. Stat Med 2000;19:1141-1164.
    """

    yy = as_binary(y)
    s = as_score(score, yy.size)
    sp = (
        np.round(np.arange(0.0, 1.0 + 1e-9, 0.02), 12)
        if specificities is None
        else np.asarray(specificities, float)
    )
    idx = (
        bootstrap_indices(yy, n_boot, seed) if indices is None else check_indices(indices, yy.size)
    )
    rows = np.empty((idx.shape[0], sp.size))
    for b, r in enumerate(idx):
        rows[b] = sensitivity_at(roc_curve(yy[r], s[r], direction=direction), sp)
    q = np.array(
        [quantile7(rows[:, j], [(1 - level) / 2, 0.5, (1 + level) / 2]) for j in range(sp.size)]
    )
    return SensitivityBand(sp, q[:, 0], q[:, 1], q[:, 2], float(level), int(idx.shape[0]))

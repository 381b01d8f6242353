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

import math

import numpy as np
from scipy import integrate, stats

from nenaudit.exceptions import NenauditError

__all__ = [
    "hanley_mcneil_se",
    "binormal_delong_se",
    "binormal_placement_variance",
    "auc_ci_from_se",
]


# --------------------------------------------------------------------------------------
# Summary-statistic functions (no patient data)
# --------------------------------------------------------------------------------------


def _check_auc_counts(auc: float, n_pos: int, n_neg: int) -> tuple[float, int, int]:
    try:
        a = float(auc)
    except (TypeError, ValueError):
        raise NenauditError(f"auc must be a number in [0, 1], got {auc!r}") from None
    if not (0.0 <= a <= 1.0) or math.isnan(a):
        raise NenauditError(f"auc must lie in [0, 1], got {auc!r}: pass the AUC as a proportion, not a percentage")
    for name, n in (("n_pos", n_pos), ("n_neg", n_neg)):
        if isinstance(n, bool) or not float(n).is_integer() or n < 1:
            raise NenauditError(f"{name} must be a positive whole number of observations, got {n!r}")
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

    def f(z: float) -> float:
        return (stats.norm.cdf(z + d) - a) ** 2 * stats.norm.pdf(z)

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

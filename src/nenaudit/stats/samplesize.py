"""Minimum sample size for a binary-outcome prediction model, and related shrinkage facts.

* :func:`cstat_to_r2cs`: the Cox-Snell R^2 a C-statistic implies (Riley, Van Calster &
  Collins 2021), by numerical integration rather than their one-million-row simulation.
* :func:`riley_sample_size`: the three criteria of Riley et al. (BMJ 2020) as pmsampsize
  computes them for ``type = "b"``.
* :func:`heuristic_shrinkage`: van Houwelingen & le Cessie's heuristic shrinkage factor.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from scipy import integrate, stats

from nenaudit.exceptions import NenauditError
from nenaudit.stats.result import Result

__all__ = [
    "cstat_to_r2cs",
    "lr_per_observation",
    "max_r2cs",
    "RileyCriterion",
    "RileySampleSize",
    "riley_sample_size",
    "heuristic_shrinkage",
]


def _check_prevalence(prevalence: float) -> float:
    try:
        p = float(prevalence)
    except (TypeError, ValueError):
        raise NenauditError(
            f"prevalence must be a proportion in (0, 1), got {prevalence!r}"
        ) from None
    if not (0.0 < p < 1.0):
        raise NenauditError(
            f"prevalence must lie strictly between 0 and 1, got {prevalence!r}: pass a proportion"
        )
    return p


def _softplus(x: float) -> float:
    """log(1 + exp(x)) without overflow."""
    return float(np.logaddexp(0.0, x))


_SQRT_2PI = math.sqrt(2.0 * math.pi)


def lr_per_observation(c: float, prevalence: float) -> float:
    """Expected likelihood-ratio chi-square per observation implied by a C-statistic.

    Under the model of Riley et al. (2021) the linear predictor is ``N(0, 1)`` in
    non-events and ``N(mu, 1)`` in events, ``mu = sqrt(2) * qnorm(c)``. Then the true
    log-odds given the linear predictor ``x`` is exactly linear,
    ``logit(phi) - mu^2 / 2 + mu x``, so the logistic calibration fit of their simulation
    converges to it, and ``LR / n`` converges to twice the mutual information

    ``2 * [phi E_1 log p(X) + (1 - phi) E_0 log(1 - p(X)) - phi log phi - (1 - phi) log(1 - phi)]``,

    with ``E_1``/``E_0`` expectations over the event / non-event normal densities. Both
    expectations are one-dimensional integrals, computed here by adaptive quadrature.
    """
    p = _check_prevalence(prevalence)
    try:
        cc = float(c)
    except (TypeError, ValueError):
        raise NenauditError(f"c must be a C-statistic in (0, 1), got {c!r}") from None
    if not (0.0 < cc < 1.0):
        raise NenauditError(
            f"C-statistic must lie strictly between 0 and 1, got {c!r}: pass a proportion"
        )
    mu = math.sqrt(2.0) * stats.norm.ppf(cc)
    a = math.log(p / (1.0 - p))
    # events: X = mu + Z, log-odds a + mu^2/2 + mu Z;  log p = -softplus(-(log-odds))
    # non-events: X = Z, log-odds a - mu^2/2 + mu Z;   log(1 - p) = -softplus(log-odds)

    # the standard normal density as scipy.stats.norm.pdf computes it, without its per-call overhead
    def e1(z: float) -> float:
        return -_softplus(-(a + mu * mu / 2.0 + mu * z)) * (math.exp(-z * z / 2.0) / _SQRT_2PI)

    def e0(z: float) -> float:
        return -_softplus(a - mu * mu / 2.0 + mu * z) * (math.exp(-z * z / 2.0) / _SQRT_2PI)

    opts = dict(epsabs=1e-13, epsrel=1e-12, limit=200)
    i1 = sum(integrate.quad(e1, lo, hi, **opts)[0] for lo, hi in ((-np.inf, 0.0), (0.0, np.inf)))
    i0 = sum(integrate.quad(e0, lo, hi, **opts)[0] for lo, hi in ((-np.inf, 0.0), (0.0, np.inf)))
    null = p * math.log(p) + (1.0 - p) * math.log(1.0 - p)
    return max(2.0 * (p * i1 + (1.0 - p) * i0 - null), 0.0)


def cstat_to_r2cs(c: float, prevalence: float) -> float:
    """Cox-Snell R^2 implied by a C-statistic and an outcome prevalence.

    ``R2_CS = 1 - exp(-LR / n)`` with ``LR / n`` from :func:`lr_per_observation`: the
    linear predictor is normal with equal variance in events and non-events and mean
    difference ``sqrt(2) * qnorm(c)``. This is the quantity Riley et al. (2021) estimate by
    simulating one million observations and fitting a logistic regression on the linear
    predictor (pmsampsize's ``cstat2rsq``); here the expected log-likelihood ratio per
    observation is integrated numerically, so the result is deterministic (the simulation's
    Monte Carlo error is gone). No single R function corresponds; the reference R version
    (``integrate()``) is in ``reference_r/samplesize.R``.

    Parameters
    ----------
    c : float
        The C-statistic (AUC), a proportion in (0, 1).
    prevalence : float
        Outcome proportion, in (0, 1).

    Returns
    -------
    float
        The anticipated Cox-Snell R^2, below ``max_r2cs(prevalence)``.

    References
    ----------
    Riley RD, Van Calster B, Collins GS. A note on estimating the Cox-Snell R2 from a
    reported C statistic (AUROC) to inform sample size calculations for developing a
    prediction model with a binary outcome. Stat Med 2021;40:859-864. doi:10.1002/sim.8806
    """
    return float(-math.expm1(-lr_per_observation(c, prevalence)))


def max_r2cs(prevalence: float) -> float:
    """Largest Cox-Snell R^2 for a binary outcome: ``1 - exp(2 lnL_null / n)``.

    ``lnL_null / n = phi log phi + (1 - phi) log(1 - phi)`` (Riley et al. BMJ 2020,
    doi:10.1136/bmj.m441; Nagelkerke's denominator).
    """
    p = _check_prevalence(prevalence)
    return float(-math.expm1(2.0 * (p * math.log(p) + (1.0 - p) * math.log(1.0 - p))))


@dataclass(frozen=True)
class RileyCriterion(Result):
    """One criterion of Riley et al. (2020): the n it needs and what that n implies."""

    name: str
    n: int
    shrinkage: float
    events: float
    epp: float


@dataclass(frozen=True)
class RileySampleSize(Result):
    """Minimum sample size for a binary-outcome prediction model (Riley et al. BMJ 2020)."""

    prevalence: float
    n_parameters: int
    c_statistic: float | None
    r2_cs: float
    max_r2_cs: float
    shrinkage_target: float
    delta: float
    margin: float
    criteria: tuple[RileyCriterion, ...]
    n_min: int
    events: float
    epp: float
    final_shrinkage: float
    driving_criterion: str
    pmsampsize_rounding: bool


def _n_for_shrinkage(p: int, r2: float, s: float) -> float:
    """n such that the expected uniform shrinkage is s: p / ((s - 1) log(1 - r2 / s))."""
    return p / ((s - 1.0) * math.log(1.0 - r2 / s))


def riley_sample_size(
    prevalence: float,
    n_parameters: int,
    c_statistic: float | None = None,
    r2cs: float | None = None,
    shrinkage: float = 0.9,
    delta: float = 0.05,
    margin: float = 0.05,
    *,
    pmsampsize_rounding: bool = True,
) -> RileySampleSize:
    """Minimum sample size for developing a logistic prediction model (Riley et al. 2020).

    Matches R's ``pmsampsize::pmsampsize(type = "b", ...)`` (defaults shared: target
    shrinkage 0.9, optimism in Nagelkerke R^2 ``delta = 0.05``, intercept margin 0.05).
    Give the anticipated Cox-Snell R^2 (``r2cs``) or a C-statistic (converted by
    :func:`cstat_to_r2cs`).

    (i) expected uniform shrinkage ``>= S``: ``n1 = p / ((S - 1) log(1 - R2_CS / S))``;
    (ii) small optimism in Nagelkerke R^2: ``S2 = R2_CS / (R2_CS + delta * max R2_CS)``,
    ``n2 = p / ((S2 - 1) log(1 - R2_CS / S2))`` with ``max R2_CS`` from the prevalence;
    (iii) precise intercept: ``n3 = (1.96 / margin)^2 phi (1 - phi)``.
    Each ``n`` is rounded up; the minimum is the largest. ``events = n * phi`` and
    ``EPP = events / p`` (pmsampsize prints EPP rounded to 2 decimals; unrounded here).
    With ``pmsampsize_rounding`` (default) ``max R2_CS`` is rounded to 2 decimals and ``S2`` to
    3 decimals before use, as pmsampsize does; set it False for the unrounded formulas.
    The final shrinkage is ``max(S, S2)``, as pmsampsize reports it.

    Parameters
    ----------
    prevalence : float
        Anticipated outcome proportion, in (0, 1).
    n_parameters : int
        Number of candidate predictor parameters (degrees of freedom), not variables.
    c_statistic, r2cs : float, optional
        Exactly one of them: the anticipated C-statistic or Cox-Snell R^2.
    shrinkage, delta, margin : float
        Target shrinkage, tolerated optimism in Nagelkerke R^2, intercept margin of error.
    pmsampsize_rounding : bool
        Round ``max R2_CS`` and ``S2`` as pmsampsize does.

    Returns
    -------
    RileySampleSize

    References
    ----------
    Riley RD, Ensor J, Snell KIE, et al. Calculating the sample size required for developing
    a clinical prediction model. BMJ 2020;368:m441. doi:10.1136/bmj.m441
    """
    phi = _check_prevalence(prevalence)
    if isinstance(n_parameters, bool) or not float(n_parameters).is_integer() or n_parameters < 1:
        raise NenauditError(f"n_parameters must be a positive whole number, got {n_parameters!r}")
    k = int(n_parameters)
    if (c_statistic is None) == (r2cs is None):
        raise NenauditError(
            "give exactly one of c_statistic and r2cs (the anticipated model performance)"
        )
    if c_statistic is not None:
        r2 = cstat_to_r2cs(c_statistic, phi)
    else:
        r2 = float(r2cs)
    mx = max_r2cs(phi)
    mx_used = round(mx, 2) if pmsampsize_rounding else mx
    if not (0.0 < r2 < mx_used):
        raise NenauditError(
            f"Cox-Snell R2 {r2:.4g} must lie in (0, {mx_used:.4g}), the maximum for prevalence {phi}: check the inputs"
        )
    if not (r2 < shrinkage < 1.0):
        raise NenauditError(
            f"shrinkage must lie in (R2_CS = {r2:.4g}, 1), got {shrinkage!r}: use e.g. 0.9"
        )
    if not (delta > 0.0):
        raise NenauditError(f"delta must be positive, got {delta!r}: use e.g. 0.05")
    if not (margin > 0.0):
        raise NenauditError(f"margin must be positive, got {margin!r}: use e.g. 0.05")

    s2 = r2 / (r2 + delta * mx_used)
    if pmsampsize_rounding:
        s2 = round(s2, 3)
    n1 = math.ceil(_n_for_shrinkage(k, r2, shrinkage))
    n2 = math.ceil(_n_for_shrinkage(k, r2, s2))
    n3 = math.ceil((1.96 / margin) ** 2 * phi * (1.0 - phi))
    final_s = max(shrinkage, s2)

    def crit(name: str, n: int, s: float) -> RileyCriterion:
        return RileyCriterion(name, n, s, n * phi, n * phi / k)

    criteria = (
        crit("shrinkage", n1, shrinkage),
        crit("optimism in Nagelkerke R2", n2, s2),
        crit("intercept precision", n3, final_s),
    )
    best = max(criteria, key=lambda cr: cr.n)
    return RileySampleSize(
        prevalence=phi,
        n_parameters=k,
        c_statistic=None if c_statistic is None else float(c_statistic),
        r2_cs=r2,
        max_r2_cs=mx_used,
        shrinkage_target=float(shrinkage),
        delta=float(delta),
        margin=float(margin),
        criteria=criteria,
        n_min=best.n,
        events=best.n * phi,
        epp=best.n * phi / k,
        final_shrinkage=final_s,
        driving_criterion=best.name,
        pmsampsize_rounding=pmsampsize_rounding,
    )


def heuristic_shrinkage(lr_chisq: float, df: int) -> float:
    """Heuristic shrinkage factor ``(LR - df) / LR`` (van Houwelingen & le Cessie 1990).

    ``LR`` is the model likelihood-ratio chi-square, ``df`` its degrees of freedom (number of
    candidate parameters). A value below about 0.85-0.9 signals overfitting. No R function in
    base R; the same expression appears in Harrell's ``rms`` documentation.

    References
    ----------
    van Houwelingen JC, le Cessie S. Predictive value of statistical models. Stat Med
    1990;9:1303-1325. doi:10.1002/sim.4780091109
    """
    try:
        lr = float(lr_chisq)
    except (TypeError, ValueError):
        raise NenauditError(f"lr_chisq must be a positive number, got {lr_chisq!r}") from None
    if not (lr > 0.0) or math.isinf(lr):
        raise NenauditError(f"lr_chisq must be a finite positive chi-square, got {lr_chisq!r}")
    if isinstance(df, bool) or not float(df).is_integer() or df < 1:
        raise NenauditError(f"df must be a positive whole number of parameters, got {df!r}")
    return (lr - df) / lr

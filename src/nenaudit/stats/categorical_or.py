"""Odds ratios of a k-level categorical predictor against a reference level, from counts.

A paper's univariable table often prints, for a variable with levels L1 (Reference), L2, ...,
one OR per non-reference level. With the counts of each level in the outcome groups those
ORs are the coefficients of ``glm(y ~ relevel(factor(x), ref = "L1"), family = binomial)``
(R's default treatment contrasts), exactly recomputable.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from scipy.stats import norm

from nenaudit.exceptions import NenauditError
from nenaudit.stats.logistic import fit_logistic
from nenaudit.stats.result import Result

__all__ = ["LevelOR", "treatment_contrast_ors"]


@dataclass(frozen=True)
class LevelOR(Result):
    """One non-reference level: OR, Wald and profile CIs, Wald p (as ``summary(glm)``)."""

    level: str
    odds_ratio: float
    ci_wald: tuple[float, float]
    ci_profile: tuple[float, float]
    ci_profile_exact: tuple[float, float]
    p_wald: float
    warnings: tuple[str, ...] = ()
    ci_wald_exact: tuple[float, float] = (float("nan"), float("nan"))


def treatment_contrast_ors(
    levels: Sequence[str],
    events: Sequence[int],
    non_events: Sequence[int],
    reference: str,
    level: float = 0.95,
) -> tuple[LevelOR, ...]:
    """ORs of each level against ``reference`` from per-level event / non-event counts.

    Fits ``glm(y ~ x, family = binomial)`` with ``x`` a factor whose reference level is
    ``reference`` (``contr.treatment``), on the individual rows the counts describe; returns,
    per non-reference level in the given order, ``exp(coef)``, ``exp(confint.default)``
    (Wald), ``exp(confint)`` (R's profile likelihood, MASS's algorithm), the exact profile
    roots and the Wald p of ``summary.glm``. ``ci_wald_exact`` is the same Wald interval at the exact
    optimum: the model is saturated for a k x 2 table, so the MLE is the cross-product ratio and its
    variance Woolf's ``1/a + 1/b + 1/c + 1/d``; R's IRLS stops (``epsilon = 1e-8`` on the deviance)
    up to about 1e-4 away from it in small cells, enough to move a bound printed at three decimals
    (software that iterates further prints the exact value). NaN where a cell is zero. Fitting is
    :func:`nenaudit.stats.logistic.fit_logistic`
    (R's IRLS and defaults); separation (a zero cell) is reported in ``warnings``, not raised.
    Levels with no individuals are refused (R would drop them with an NA coefficient).

    References
    ----------
    Agresti A. Categorical Data Analysis, 3rd ed. Wiley 2013, section 4.3 (indicator variables).
    Woolf B. On estimating the relation between blood group and disease. Ann Hum Genet
    1955;19:251-253 (the variance of the log odds ratio).
    Venables WN, Ripley BD. Modern Applied Statistics with S, 4th ed. Springer 2002, section 7.2
    (profile likelihood intervals).
    """
    levels = [str(x) for x in levels]
    ev = np.asarray(events, dtype=int)
    ne = np.asarray(non_events, dtype=int)
    if not (len(levels) == ev.size == ne.size) or len(levels) < 2:
        raise NenauditError(
            "treatment_contrast_ors: give at least 2 levels and one event and non-event count per level"
        )
    if np.any(ev < 0) or np.any(ne < 0):
        raise NenauditError("treatment_contrast_ors: counts must be >= 0")
    if reference not in levels:
        raise NenauditError(
            f"treatment_contrast_ors: reference level {reference!r} is not one of {levels}"
        )
    empty = [lv for lv, a, b in zip(levels, ev, ne) if a + b == 0]
    if empty:
        raise NenauditError(
            f"treatment_contrast_ors: level(s) {empty} have no individuals; an OR is undefined"
        )
    if ev.sum() == 0 or ne.sum() == 0:
        raise NenauditError(
            "treatment_contrast_ors: every individual has the same outcome; no OR can be estimated"
        )
    others = [lv for lv in levels if lv != reference]
    rows_x, rows_y = [], []
    for lv, a, b in zip(levels, ev, ne):
        dummy = [1.0 if lv == o else 0.0 for o in others]
        rows_x.extend([dummy] * (a + b))
        rows_y.extend([1.0] * a + [0.0] * b)
    fit = fit_logistic(np.asarray(rows_x), np.asarray(rows_y), names=others, level=level)
    z = float(norm.ppf(1 - (1 - level) / 2))
    i_ref = levels.index(reference)
    out = []
    for j, lv in enumerate(others, start=1):
        i = levels.index(lv)
        cells = (ev[i], ne[i], ev[i_ref], ne[i_ref])
        if min(cells) > 0:
            b = math.log(ev[i] * ne[i_ref] / (ne[i] * ev[i_ref]))
            se = math.sqrt(sum(1.0 / c for c in cells))
            exact = (math.exp(b - z * se), math.exp(b + z * se))
        else:
            exact = (float("nan"), float("nan"))
        out.append(
            LevelOR(
                lv,
                float(np.exp(fit.coef[j])),
                tuple(float(v) for v in np.exp(fit.ci_wald[j])),
                tuple(float(v) for v in np.exp(fit.ci_profile[j])),
                tuple(float(v) for v in np.exp(fit.ci_profile_exact[j])),
                float(fit.p[j]),
                tuple(fit.warnings),
                exact,
            )
        )
    return tuple(out)

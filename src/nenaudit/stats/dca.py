"""Decision curve analysis: net benefit of a model, of treating all and of treating none.

Definitions are those of Vickers & Elkin (2006) as coded in the R package dcurves
(``dca()``, ``standardized_net_benefit()``, ``net_intervention_avoided()``); dcurves is not in
Debian, so ``reference_r/dca.R`` writes the same steps in base R.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import pandas as pd

from nenaudit.exceptions import NenauditError
from nenaudit.stats._checks import (
    aligned,  # pandas inputs aligned on their index or refused
    as_binary,
)
from nenaudit.stats.calibration import check_probabilities
from nenaudit.stats.result import Result

__all__ = ["DecisionCurve", "decision_curve", "net_benefit", "threshold_grid", "DEFAULT_THRESHOLDS"]

_EPS = float(np.finfo(float).eps)


def threshold_grid(start: float = 0.0, stop: float = 0.99, step: float = 0.01) -> np.ndarray:
    """R's ``seq(start, stop, by = step)`` (dcurves' default grid is ``seq(0, 0.99, by = 0.01)``).

    As ``seq.default``: ``n = floor((stop - start) / step + 1e-10)``, values ``start + (0:n) * step``
    capped at ``stop``.
    """
    try:
        a, b, s = float(start), float(stop), float(step)
    except (TypeError, ValueError):
        raise NenauditError(
            f"threshold grid needs numbers, got {start!r}:{stop!r}:{step!r}"
        ) from None
    if not all(math.isfinite(v) for v in (a, b, s)) or s <= 0 or b < a:
        raise NenauditError(
            f"threshold grid {start}:{stop}:{step} is empty or invalid: use START <= STOP and STEP > 0"
        )
    dd = abs(b - a) / max(abs(a), abs(b)) if max(abs(a), abs(b)) > 0 else 0.0
    if dd < 100 * _EPS:
        return np.array([a])
    n = int((b - a) / s + 1e-10)
    return np.minimum(a + np.arange(n + 1) * s, b)


DEFAULT_THRESHOLDS = threshold_grid(0.0, 0.99, 0.01)


def _check_thresholds(thresholds) -> np.ndarray:
    t = np.atleast_1d(np.asarray(thresholds, dtype=float))
    if t.ndim != 1 or t.size == 0:
        raise NenauditError("thresholds must be a non-empty 1-d list of probabilities")
    if np.isnan(t).any():
        raise NenauditError("thresholds contain NaN: pass threshold probabilities in [0, 1)")
    bad = (t < 0) | (t >= 1)
    if bad.any():
        raise NenauditError(
            f"threshold {t[bad][0]!r} is outside [0, 1): at 1 the odds t/(1-t) are infinite and the "
            "net benefit is undefined"
        )
    return t


@dataclass(frozen=True)
class DecisionCurve(Result):
    """Net benefit over a threshold grid (one entry per threshold)."""

    thresholds: np.ndarray
    model: np.ndarray
    treat_all: np.ndarray
    treat_none: np.ndarray
    standardized_model: np.ndarray
    standardized_all: np.ndarray
    net_interventions_avoided: np.ndarray
    nper: int
    test_pos_rate: np.ndarray
    tp_rate: np.ndarray
    fp_rate: np.ndarray
    prevalence: float
    n: int

    def to_frame(self):
        """One row per threshold: ``threshold``, ``model``, ``all``, ``none``, ``standardized``,
        ``net_interventions_avoided`` (a pandas DataFrame)."""
        return pd.DataFrame(
            {
                "threshold": self.thresholds,
                "model": self.model,
                "all": self.treat_all,
                "none": self.treat_none,
                "standardized": self.standardized_model,
                "net_interventions_avoided": self.net_interventions_avoided,
            }
        )


def _rates(y: np.ndarray, p: np.ndarray, t: np.ndarray, prevalence: float):
    # dcurves: risks of exactly 0 become -eps and of exactly 1 become 1 + eps; positive if risk >= t
    r = np.where(p == 0.0, -_EPS, np.where(p == 1.0, 1.0 + _EPS, p))
    cases = np.sort(r[y == 1])
    ctl = np.sort(r[y == 0])
    pos_case = cases.size - np.searchsorted(cases, t, side="left")
    pos_ctl = ctl.size - np.searchsorted(ctl, t, side="left")
    tp_rate = pos_case / cases.size * prevalence
    fp_rate = pos_ctl / ctl.size * (1.0 - prevalence)
    test_pos = (pos_case + pos_ctl) / y.size
    return tp_rate, fp_rate, test_pos


@aligned
def decision_curve(y, prob, thresholds=None, *, nper: int = 100) -> DecisionCurve:
    """Decision curve: net benefit of the model, treat-all and treat-none at each threshold.

    Matches R dcurves' ``dca(y ~ prob, thresholds)`` with ``standardized_net_benefit()`` and
    ``net_intervention_avoided(nper = 100)``. At threshold ``t`` a patient is test-positive when
    ``prob >= t`` (dcurves moves risks of exactly 0 to ``-eps`` and of exactly 1 to ``1 + eps``,
    so a risk of 0 is never positive and a risk of 1 always is); with prevalence ``pi`` (the
    event fraction):

    * ``tp_rate = mean(prob[cases] >= t) pi``, ``fp_rate = mean(prob[controls] >= t) (1 - pi)``;
    * ``NB_model = tp_rate - t / (1 - t) fp_rate`` (Vickers & Elkin 2006);
    * ``NB_all = pi - t / (1 - t) (1 - pi)``; ``NB_none = 0``;
    * standardized net benefit ``sNB = NB / pi`` (Kerr et al. 2016's relative utility scale;
      dcurves' ``standardized_net_benefit``);
    * net interventions avoided per ``nper`` patients
      ``(NB_model - NB_all) / (t / (1 - t)) nper`` (NaN at ``t = 0``, where it is 0/0 or x/0).

    Default grid: dcurves' ``seq(0, 0.99, by = 0.01)``. Probabilities must lie in [0, 1] (a
    linear predictor or a percentage is refused, as dcurves refuses them); thresholds in
    [0, 1).

    References
    ----------
    Vickers AJ, Elkin EB. Decision curve analysis: a novel method for evaluating prediction
    models. Med Decis Making 2006;26:565-574. doi:10.1177/0272989X06295361
    Vickers AJ, Van Calster B, Steyerberg EW. Net benefit approaches to the evaluation of
    prediction models, molecular markers, and diagnostic tests. BMJ 2016;352:i6.
    doi:10.1136/bmj.i6
    Kerr KF, Brown MD, Zhu K, Janes H. Assessing the clinical impact of risk prediction models
    with decision curves: guidance for correct interpretation and appropriate use. J Clin Oncol
    2016;34:2534-2540. doi:10.1200/JCO.2015.65.5654
    Sjoberg DD. dcurves: Decision Curve Analysis for Model Evaluation. R package.
    """
    yy = as_binary(y).astype(float)
    p = check_probabilities(prob, yy.size, "prob")
    if yy.min() == yy.max():
        raise NenauditError(
            f"y has only the value {int(yy[0])}: decision curves need events and non-events"
        )
    if isinstance(nper, bool) or not float(nper).is_integer() or nper < 1:
        raise NenauditError(f"nper must be a positive whole number, got {nper!r}")
    t = DEFAULT_THRESHOLDS.copy() if thresholds is None else _check_thresholds(thresholds)
    prev = float(yy.sum()) / yy.size
    tp, fp, tpos = _rates(yy, p, t, prev)
    odds = t / (1.0 - t)
    nb = tp - odds * fp
    nb_all = prev - odds * (1.0 - prev)
    nb_none = np.zeros_like(t)
    with np.errstate(divide="ignore", invalid="ignore"):
        nia = np.where(t > 0, (nb - nb_all) / odds * nper, np.nan)
    return DecisionCurve(
        t,
        nb,
        nb_all,
        nb_none,
        nb / prev,
        nb_all / prev,
        nia,
        int(nper),
        tpos,
        tp,
        fp,
        prev,
        int(yy.size),
    )


@aligned
def net_benefit(y, prob, threshold: float) -> float:
    """Net benefit of ``prob`` at one threshold (see :func:`decision_curve`).

    R: ``dcurves::dca`` net benefit (written in base R in reference_r/dca.R). Reference: Vickers AJ,
    Elkin EB. Med Decis Making 2006;26:565-574. doi:10.1177/0272989X06295361
    """
    return float(decision_curve(y, prob, [threshold]).model[0])

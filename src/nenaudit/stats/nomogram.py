"""Nomogram scales of a fitted logistic model, as ``rms::nomogram`` draws them.

A nomogram turns each predictor's contribution ``beta_j * x_j`` into points. Following
``rms::nomogram`` (Harrell, *Regression Modeling Strategies*, 2nd ed., 2015, section 5.6;
rms package, ``nomogram.R``) with its default ``maxscale = 100``:

* for each predictor, ``xbeta = beta_j * v`` at the axis values ``v``; its range
  ``[min_j, max_j]`` over those values;
* the scale ``sc = maxscale / max_j (max_j - min_j)``: the predictor with the widest range
  spans 0..100 points;
* ``points(v) = (beta_j * v - min_j) * sc``;
* the linear predictor of a total of ``T`` points is ``lp = a + T / sc`` with the adjusted
  intercept ``a = intercept + sum_j min_j``; a probability ``p`` sits at
  ``(logit(p) - a) * sc`` total points.

Axis values are passed explicitly (rms takes them from ``datadist`` and ``pretty``); the
points of any value follow from the formula above, so a nomogram drawn on other ticks
gives the same prediction.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np

from nenaudit.exceptions import NenauditError
from nenaudit.stats.result import Result

__all__ = ["VariableScale", "Nomogram", "nomogram"]


@dataclass(frozen=True)
class VariableScale(Result):
    """One predictor's axis: its values, ``beta * value`` and the points of each value."""

    name: str
    coefficient: float
    values: np.ndarray
    xbeta: np.ndarray
    points: np.ndarray


@dataclass(frozen=True)
class Nomogram(Result):
    """Points scales of a logistic model (see :func:`nomogram`)."""

    variables: tuple[VariableScale, ...]
    scale: float  # points per unit of linear predictor (rms: ``sc``)
    intercept: float  # the model's intercept
    intercept_adjusted: (
        float  # intercept + sum of each variable's minimum xbeta (rms: ``Intercept``)
    )
    maxscale: float

    def _var(self, name: str) -> VariableScale:
        for v in self.variables:
            if v.name == name:
                return v
        raise NenauditError(
            f"nomogram: no variable {name!r}; it has {', '.join(v.name for v in self.variables)}"
        )

    def points(self, name: str, value) -> np.ndarray:
        """Points of ``value`` (any value, not only an axis tick) on ``name``'s axis."""
        v = self._var(name)
        lo = float(np.min(v.xbeta))
        return (v.coefficient * np.asarray(value, dtype=float) - lo) * self.scale

    def total_points(self, row: Mapping[str, float]) -> float:
        """Total points of one observation (every variable of the nomogram must be given)."""
        missing = [v.name for v in self.variables if v.name not in row]
        if missing:
            raise NenauditError(
                f"nomogram: no value for {missing[0]!r}; give every variable of the model"
            )
        return float(sum(self.points(v.name, row[v.name]) for v in self.variables))

    def linear_predictor(self, total_points) -> np.ndarray:
        """Linear predictor (log odds) of a total of points."""
        return self.intercept_adjusted + np.asarray(total_points, dtype=float) / self.scale

    def probability(self, total_points) -> np.ndarray:
        """Predicted probability of a total of points (``plogis`` of the linear predictor)."""
        return 1.0 / (1.0 + np.exp(-self.linear_predictor(total_points)))

    def points_at_probability(self, p) -> np.ndarray:
        """Where probabilities ``p`` sit on the total-points axis (rms: ``fun.at`` positions)."""
        p = np.asarray(p, dtype=float)
        if np.any((p <= 0) | (p >= 1)):
            raise NenauditError(
                "nomogram: probabilities for the risk axis must lie strictly between 0 and 1"
            )
        return (np.log(p / (1 - p)) - self.intercept_adjusted) * self.scale


def nomogram(
    coefficients: Mapping[str, float],
    intercept: float,
    values: Mapping[str, Sequence[float]],
    maxscale: float = 100.0,
) -> Nomogram:
    """Points scales of a logistic model ``logit p = intercept + sum_j beta_j x_j``.

    Matches ``rms::nomogram(fit, fun = plogis, maxscale = 100)`` on an ``lrm`` fit with
    one linear term per predictor, when ``values`` are the axis values rms draws (pass
    them to rms as ``nomogram(fit, name = values)``).

    Parameters
    ----------
    coefficients : mapping name -> beta (log odds per unit), without the intercept.
    intercept : float
    values : mapping name -> axis values of that predictor (at least 2 distinct for a
        continuous predictor; the observed codes for a categorical one).
    maxscale : float, default 100 (rms's default).

    Returns
    -------
    Nomogram

    References
    ----------
    Harrell FE. Regression Modeling Strategies, 2nd ed. Springer; 2015. doi:10.1007/978-3-319-19425-7
    """
    if not coefficients:
        raise NenauditError("nomogram: the model has no predictors; a nomogram needs at least one")
    if not (math.isfinite(maxscale) and maxscale > 0):
        raise NenauditError(f"nomogram: maxscale = {maxscale}; it must be a positive number")
    scales = []
    for name, beta in coefficients.items():
        if name not in values:
            raise NenauditError(
                f"nomogram: no axis values for {name!r}; pass values={{{name!r}: [...]}}"
            )
        b = float(beta)
        if not math.isfinite(b):
            raise NenauditError(
                f"nomogram: coefficient of {name!r} is {b}; a nomogram needs finite coefficients"
            )
        v = np.asarray(values[name], dtype=float)
        if v.ndim != 1 or v.size < 2 or not np.all(np.isfinite(v)):
            raise NenauditError(
                f"nomogram: axis values of {name!r} must be at least 2 finite numbers"
            )
        scales.append((name, b, v, b * v))
    widths = [float(np.ptp(xb)) for *_, xb in scales]
    if max(widths) == 0:
        raise NenauditError(
            "nomogram: every predictor has a zero coefficient or a single value; nothing to scale"
        )
    sc = maxscale / max(widths)
    lows = [float(np.min(xb)) for *_, xb in scales]
    out = tuple(
        VariableScale(n, b, v, xb, (xb - lo) * sc) for (n, b, v, xb), lo in zip(scales, lows)
    )
    return Nomogram(out, sc, float(intercept), float(intercept) + sum(lows), float(maxscale))

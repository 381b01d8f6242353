"""What a fitted binary-outcome model offers to validation and calibration: one protocol, one dispatch.

Every model class of nenaudit (:class:`nenaudit.stats.validation.LogisticModel`,
:class:`nenaudit.pipeline.PaperModel`) implements :class:`LinearPredictor`: ``predict_lp(X)``, the
linear predictor on the logit scale, one value per row of ``X`` (R: ``predict(fit, newdata,
type = "link")``). A model of the user's (a procedure passed to a bootstrap) may offer
``predict_proba(X)`` instead (:class:`ProbabilityPredictor`, the scikit-learn convention).
:func:`predict_lp` is the one place that asks a model for its predictions; the resampling schemes
of :mod:`nenaudit.stats.validation` and :mod:`nenaudit.stats.calibration` call it.
"""

from __future__ import annotations

from typing import Any, Protocol, runtime_checkable

import numpy as np
from scipy import special

from nenaudit.exceptions import NenauditError

__all__ = ["LinearPredictor", "ProbabilityPredictor", "predict_lp", "predict_proba"]


@runtime_checkable
class LinearPredictor(Protocol):
    """A fitted model giving its linear predictor (logit scale) for new rows."""

    def predict_lp(self, X: Any) -> np.ndarray:
        """The linear predictor ``b0 + x b`` of each row of ``X`` (R: ``predict(type = "link")``)."""
        ...


@runtime_checkable
class ProbabilityPredictor(Protocol):
    """A fitted model giving predicted probabilities (``predict_proba``; a 2-d result's last column is P(y = 1))."""

    def predict_proba(self, X: Any) -> np.ndarray:
        """Predicted probability of the event for each row of ``X``."""
        ...


def predict_lp(model: LinearPredictor | ProbabilityPredictor, X: Any) -> np.ndarray:
    """The model's linear predictor as a 1-d float array: its ``predict_lp(X)``, or the logit of its
    ``predict_proba(X)`` (R: ``qlogis``; a probability 0 or 1 gives an infinite value)."""
    if isinstance(model, LinearPredictor):
        return np.asarray(model.predict_lp(X), dtype=float).ravel()
    if isinstance(model, ProbabilityPredictor):
        p = np.asarray(model.predict_proba(X), dtype=float)
        if p.ndim == 2:
            p = p[:, -1]
        with np.errstate(divide="ignore"):
            return special.logit(p.ravel())
    raise NenauditError("the procedure's model needs a predict_lp(X) or predict_proba(X) method")


def predict_proba(model: LinearPredictor | ProbabilityPredictor, X: Any) -> np.ndarray:
    """The model's predicted probabilities, ``plogis(predict_lp(model, X))``."""
    return special.expit(predict_lp(model, X))

"""Variable selection for logistic models by Wald p-values, as clinical papers describe it.

* :func:`backward_elimination`: fit the full model, remove the term with the largest Wald
  p-value above the threshold, refit, repeat; forced-in terms and the intercept stay.
* :func:`univariable_then_backward`: univariable screen (each candidate alone, Wald
  ``p < entry`` enters) followed by backward elimination of the entered set.

Every model along the way is returned, so a published selection path can be checked step
by step. These are the loops an analyst writes around ``glm()`` / ``summary()`` in R (see
``reference_r/stepwise.R``); they are not ``step()``/``stepAIC()``, which select by AIC.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from nenaudit.exceptions import NenauditError
from nenaudit.stats._checks import aligned  # pandas inputs aligned on their index or refused
from nenaudit.stats.logistic import (
    LogisticResult,
    check_finite_columns,
    checked_outcome,
    fit_logistic,
    wald_columns,
)
from nenaudit.stats.result import Result

__all__ = [
    "EliminationStep",
    "BackwardElimination",
    "UnivariableScreen",
    "UnivariableBackward",
    "backward_elimination",
    "univariable_then_backward",
]


@dataclass(frozen=True)
class EliminationStep(Result):
    """One model on the elimination path.

    ``model`` is the fit at this step; ``removed`` is the term dropped from it (with its
    Wald p-value ``removed_p``) to give the next step, ``None`` at the final step.
    """

    step: int
    terms: tuple[str, ...]
    model: LogisticResult | None  # None for the intermediate steps of a lean elimination
    removed: str | None
    removed_p: float | None


@dataclass(frozen=True)
class BackwardElimination(Result):
    """The whole backward-elimination path (see :func:`backward_elimination`)."""

    steps: tuple[EliminationStep, ...]
    threshold: float
    forced: tuple[str, ...]

    @property
    def final(self) -> LogisticResult:
        """The model after the last removal."""
        return self.steps[-1].model

    @property
    def selected(self) -> tuple[str, ...]:
        """Terms (without the intercept) kept in the final model."""
        return self.steps[-1].terms

    @property
    def removed(self) -> tuple[str, ...]:
        """Terms removed, in order of removal."""
        return tuple(s.removed for s in self.steps if s.removed is not None)


@dataclass(frozen=True)
class UnivariableScreen(Result):
    """One candidate's univariable model ``y ~ candidate``."""

    name: str
    coef: float
    se: float
    p: float
    odds_ratio: float
    entered: bool
    model: LogisticResult | None  # None in a lean screen


@dataclass(frozen=True)
class UnivariableBackward(Result):
    """Univariable screen followed by backward elimination."""

    univariable: tuple[UnivariableScreen, ...]
    entered: tuple[str, ...]
    backward: BackwardElimination
    entry: float
    stay: float

    @property
    def final(self) -> LogisticResult:
        return self.backward.final

    @property
    def selected(self) -> tuple[str, ...]:
        return self.backward.selected


def _check_threshold(name: str, value: float) -> float:
    try:
        v = float(value)
    except (TypeError, ValueError):
        raise NenauditError(
            f"{name} must be a p-value threshold in (0, 1], got {value!r}"
        ) from None
    if not (0.0 < v <= 1.0):
        raise NenauditError(f"{name} must be a p-value threshold in (0, 1], got {value!r}")
    return v


@aligned
def backward_elimination(
    X: Any,
    y: Any,
    *,
    names: Sequence[str] | None = None,
    threshold: float = 0.05,
    forced: Sequence[str] = (),
    weights: Any = None,
    profile: bool = False,
    lean: bool = False,
) -> BackwardElimination:
    """Backward elimination of logistic-regression terms by Wald p-value.

    At each step the model is refitted with :func:`~nenaudit.stats.logistic.fit_logistic`
    (R's ``glm(family = binomial)`` and ``summary.glm``); among the terms that are neither
    the intercept nor in ``forced``, the one with the largest Wald p-value is removed if
    that p-value is strictly greater than ``threshold`` (ties: the first in column order,
    as R's ``which.max``). It stops when no eligible term exceeds the threshold or none is
    left. Matches the plain R loop in ``reference_r/stepwise.R`` (there is no single R
    function for p-value elimination; ``step()`` selects by AIC instead).

    Parameters
    ----------
    X : array-like (n, p) or pandas.DataFrame
        Candidate predictors (names from the DataFrame columns or ``names``).
    y : array-like (n,)
        Outcome coded 0/1.
    threshold : float
        Removal threshold ("p to stay"), default 0.05.
    forced : sequence of str
        Terms that are never removed.
    weights : array-like, optional
        Prior weights passed to every fit.
    profile : bool
        Compute profile-likelihood CIs for every model on the path (slower).
    lean : bool
        Decide each step on :func:`~nenaudit.stats.logistic.wald_table`'s p-values (the compiled
        IRLS, equal to ``fit_logistic``'s to rounding) and keep only the final model, fitted in full
        with ``fit_logistic``; the intermediate steps' ``model`` is then None. For resampling loops.
        No ``weights``.

    Returns
    -------
    BackwardElimination
        ``steps[0]`` is the full model; ``steps[-1]`` the final one.

    References
    ----------
    Hosmer DW, Lemeshow S, Sturdivant RX. Applied Logistic Regression, 3rd ed. Wiley; 2013,
    chapter 4. doi:10.1002/9781118548387
    Heinze G, Wallisch C, Dunkler D. Variable selection - a review and recommendations for
    the practicing statistician. Biom J 2018;60:431-449. doi:10.1002/bimj.201700067
    """
    thr = _check_threshold("threshold", threshold)
    if hasattr(X, "columns") and hasattr(X, "to_numpy"):
        col_names = [str(c) for c in X.columns]
        if names is not None:
            col_names = [str(s) for s in names]
        try:
            xa = X.to_numpy(dtype=float)
        except (TypeError, ValueError):
            bad = [c for c in X.columns if not np.issubdtype(np.asarray(X[c]).dtype, np.number)]
            raise NenauditError(
                f"column {bad[0] if bad else '?'!r} is not numeric: code it as 0/1 dummies first"
            ) from None
    else:
        try:
            xa = np.asarray(X, dtype=float)
        except (TypeError, ValueError):
            raise NenauditError(
                "X must be numeric: code categorical predictors as 0/1 dummies first"
            ) from None
        if xa.ndim == 1:
            xa = xa[:, None]
        col_names = (
            [str(s) for s in names]
            if names is not None
            else [f"x{j + 1}" for j in range(xa.shape[1])]
        )
    if xa.ndim != 2 or len(col_names) != xa.shape[1]:
        raise NenauditError(
            f"names has {len(col_names)} entries but X has shape {xa.shape}: pass one name per column"
        )
    if len(set(col_names)) != len(col_names):
        raise NenauditError("predictor names must be unique: rename the duplicated columns")
    forced_t = tuple(str(f) for f in forced)
    for f in forced_t:
        if f not in col_names:
            raise NenauditError(
                f"forced term {f!r} is not among the predictors {col_names}: check the spelling"
            )

    if lean and weights is not None:
        raise NenauditError("lean=True fits without prior weights: pass weights=None or lean=False")
    terms = list(col_names)
    steps: list[EliminationStep] = []
    if (
        lean
    ):  # the checks wald_table makes on every fit, once: the steps fit subsets of these columns
        check_finite_columns(xa, col_names)
        yv = checked_outcome(y, xa.shape[0])
    while True:
        idx = [col_names.index(t) for t in terms]
        if lean:
            model = None
            fit_names, _coef, _se, p_all = wald_columns(xa, yv, idx, terms)
        else:
            model = fit_logistic(xa[:, idx], y, names=terms, weights=weights, profile=profile)
            fit_names, p_all = model.names, model.p
        eligible = [t for t in terms if t not in forced_t]
        removed = None
        removed_p = None
        if eligible:
            pv = [float(p_all[fit_names.index(t)]) for t in eligible]
            j = int(np.argmax(pv))  # first maximum, as which.max
            if pv[j] > thr:
                removed, removed_p = eligible[j], pv[j]
        if removed is None and lean:  # the kept model: the full fit
            model = fit_logistic(xa[:, idx], y, names=terms, profile=profile)
        steps.append(EliminationStep(len(steps), tuple(terms), model, removed, removed_p))
        if removed is None:
            break
        terms.remove(removed)
    return BackwardElimination(steps=tuple(steps), threshold=thr, forced=forced_t)


def univariable_then_backward(
    df: Any,
    outcome: str,
    candidates: Sequence[str],
    entry: float = 0.05,
    stay: float = 0.05,
    *,
    forced: Sequence[str] = (),
    profile: bool = False,
    lean: bool = False,
) -> UnivariableBackward:
    """Univariable screening, then multivariable backward elimination.

    Each candidate is fitted alone (``glm(outcome ~ candidate, binomial)``); those with Wald
    ``p < entry`` enter the multivariable model (forced terms always enter), which is then
    reduced by :func:`backward_elimination` with removal threshold ``stay``. This is the
    "significant in univariable analysis were entered into multivariable analysis" recipe
    of many clinical papers, matched by the R loop in ``reference_r/stepwise.R``.

    Parameters
    ----------
    df : pandas.DataFrame
        Data with the outcome and candidate columns (numeric; no missing values).
    outcome : str
        Name of the 0/1 outcome column.
    candidates : sequence of str
        Candidate predictors, screened in this order.
    entry, stay : float
        Univariable entry threshold (strict ``<``) and backward removal threshold.
    lean : bool
        Screen and eliminate on :func:`~nenaudit.stats.logistic.wald_table`'s p-values (the
        compiled IRLS, equal to ``fit_logistic``'s to rounding, about 10 times faster) and fit only
        the final model in full (see :func:`backward_elimination`); the screens' ``model`` is then
        None. For resampling loops, where only the final model is used.

    References
    ----------
    Hosmer DW, Lemeshow S, Sturdivant RX. Applied Logistic Regression, 3rd ed. Wiley; 2013,
    section 4.2 (purposeful selection). doi:10.1002/9781118548387
    Sun GW, Shook TL, Kay GL. Inappropriate use of bivariable analysis to screen risk factors
    for use in multivariable analysis. J Clin Epidemiol 1996;49:907-916.
    doi:10.1016/0895-4356(96)00025-X
    """
    ent = _check_threshold("entry", entry)
    sty = _check_threshold("stay", stay)
    if not hasattr(df, "columns"):
        raise NenauditError("df must be a pandas DataFrame with the outcome and candidate columns")
    cand = [str(c) for c in candidates]
    for c in [outcome, *cand, *forced]:
        if c not in df.columns:
            raise NenauditError(f"column {c!r} is not in the data frame: check the spelling")
    if len(set(cand)) != len(cand):
        raise NenauditError("candidates contain duplicates: list each variable once")
    y = df[outcome].to_numpy()
    screens = []
    yv = None
    for c in cand:
        # one column as an (n, 1) float array, the values fit_logistic takes from df[[c]]
        try:
            xc = df[c].to_numpy(dtype=float)[:, None]
        except (TypeError, ValueError):
            raise NenauditError(
                f"column {c!r} is not numeric: code it as 0/1 dummies first"
            ) from None
        if lean:
            m = None
            # wald_table's checks, the outcome's once
            check_finite_columns(xc, [c])
            if yv is None:
                yv = checked_outcome(y, xc.shape[0])
            fit_names, coef, se, pv = wald_columns(xc, yv, [0], [c])
        else:
            m = fit_logistic(xc, y, names=[c], profile=False)
            fit_names, coef, se, pv = m.names, m.coef, m.se, m.p
        j = fit_names.index(c)
        p = float(pv[j])
        screens.append(
            UnivariableScreen(
                c, float(coef[j]), float(se[j]), p, float(np.exp(coef[j])), p < ent, m
            )
        )
    forced_t = tuple(str(f) for f in forced)
    entered = [s.name for s in screens if s.entered or s.name in forced_t]
    entered += [f for f in forced_t if f not in entered]
    back = backward_elimination(
        df[entered], y, threshold=sty, forced=forced_t, profile=profile, lean=lean
    )
    return UnivariableBackward(tuple(screens), tuple(entered), back, ent, sty)

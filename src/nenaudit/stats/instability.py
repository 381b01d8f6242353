"""Instability of a developed prediction model across bootstrap refits of its whole procedure.

Riley and Collins (2023) ask every prediction-model paper to show how much the model would
change had the development data been a different sample of the same size: refit the *whole*
model-building procedure (selection included) in ``B`` bootstrap resamples, let each bootstrap
model predict the *original* data, and compare with the original model's predictions. From the
``B x n`` matrix ``P`` of bootstrap predictions and the original predictions ``p``:

* mean absolute prediction error, per individual ``MAPE_i = mean_b |P[b, i] - p_i|`` and its
  mean over individuals (:func:`pipeline_instability`);
* the prediction instability plot: ``P[b, i]`` against ``p_i`` with each individual's 2.5% and
  97.5% quantile (R ``quantile`` type 7);
* calibration instability: each bootstrap model's smoothed calibration curve on the original
  data (``lowess(P[b, ], y, iter = 0)`` read off a common grid, as :func:`nenaudit.stats.calibration.curve_at`);
* the classification instability index at a risk threshold ``t``: per individual, the share of
  bootstrap models that classify them (``P[b, i] >= t``) differently from the original model
  (``p_i >= t``), and its mean;
* decision-curve instability: each bootstrap model's net benefit on the original data
  (:func:`nenaudit.stats.dca.decision_curve`);
* selection frequencies: how often each feature or predictor was selected across the usable
  resamples (:func:`selection_frequency`).

R: pminternal (Rhodes 2024) draws these plots for hand-wired procedures; it is not packaged here,
so ``reference_r/instability.R`` writes the definitions in base R (``lowess``, ``approx``,
``quantile``) and the tests compare to 1e-12 from the same matrix.

References
----------
Riley RD, Collins GS. Stability of clinical prediction models developed using statistical or
machine learning methods. Biometrical Journal 2023;65:e2200302. doi:10.1002/bimj.202200302
Royston P, Sauerbrei W. Multivariable Model-building. Wiley; 2008, ch. 8 (bootstrap inclusion
frequencies). doi:10.1002/9780470770771
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np

from nenaudit.exceptions import NenauditError
from nenaudit.stats._checks import as_binary
from nenaudit.stats.calibration import calibrate_grid, check_probabilities, curve_at
from nenaudit.stats.dca import decision_curve, threshold_grid
from nenaudit.stats.quantile import quantile7
from nenaudit.stats.result import Result, plain

__all__ = ["Instability", "pipeline_instability", "selection_frequency", "SelectionFrequency"]


@dataclass(frozen=True)
class SelectionFrequency(Result):
    """How often each name was selected across ``n`` usable resamples (Royston & Sauerbrei's bootstrap
    inclusion frequency). ``names`` in the order given (the original model's first), ``frequency`` the
    share of resamples selecting each; ``original`` the names the full-data fit selected;
    ``mean_original`` the mean frequency of those (1 when every resample re-selects them all);
    ``n_distinct_sets`` the number of different selected sets; ``mean_size`` the mean number selected."""

    names: tuple[str, ...]
    frequency: np.ndarray
    original: tuple[str, ...]
    mean_original: float
    n_distinct_sets: int
    mean_size: float
    n: int

    def as_mapping(self) -> dict[str, float]:
        return {n: float(f) for n, f in zip(self.names, self.frequency)}


def selection_frequency(
    selected: Sequence[Sequence[str]],
    original: Sequence[str] = (),
    names: Sequence[str] | None = None,
) -> SelectionFrequency:
    """Bootstrap inclusion frequency of each name over the resamples' selected sets.

    ``frequency[j] = mean_b 1[names[j] in selected[b]]``. ``names`` defaults to ``original`` followed
    by every other name selected at least once, in order of first appearance. R: ``rowMeans(sapply(sel,
    function(s) names %in% s))``. Reference: Royston & Sauerbrei (2008), section 8.
    """
    sets = [tuple(s) for s in selected]
    if not sets:
        raise NenauditError("selection frequency: no usable resample to count selections in")
    orig = tuple(dict.fromkeys(original))
    if names is None:
        seen = dict.fromkeys(orig)
        for s in sets:
            seen.update(dict.fromkeys(s))
        names = tuple(seen)
    names = tuple(names)
    hit = np.array([[nm in set(s) for s in sets] for nm in names], dtype=float).reshape(
        len(names), len(sets)
    )
    freq = hit.mean(axis=1) if names else np.zeros(0)
    pos = {n: j for j, n in enumerate(names)}
    mean_orig = float(np.mean([freq[pos[n]] for n in orig])) if orig else float("nan")
    return SelectionFrequency(
        names,
        freq,
        orig,
        mean_orig,
        len({frozenset(s) for s in sets}),
        float(np.mean([len(set(s)) for s in sets])),
        len(sets),
    )


@dataclass(frozen=True)
class Instability(Result):
    """Riley & Collins' instability measures of one model from ``B`` bootstrap refits (see the module)."""

    n: int
    n_boot: int
    mape: float  # mean over individuals of MAPE_i
    mape_max: float
    mape_individual: np.ndarray = field(repr=False)
    original: np.ndarray = field(repr=False)  # p_i, the original model's predictions
    lower: np.ndarray = field(repr=False)  # per individual 2.5% quantile of P[, i] (type 7)
    upper: np.ndarray = field(repr=False)  # 97.5%
    threshold: float = float("nan")
    cii: float = float("nan")  # mean classification instability index
    cii_individual: np.ndarray = field(default=None, repr=False)
    calibration_grid: np.ndarray = field(default=None, repr=False)
    calibration_original: np.ndarray = field(default=None, repr=False)
    calibration_curves: np.ndarray = field(
        default=None, repr=False
    )  # B x grid (NaN outside a model's range)
    calibration_mad: float = float("nan")  # mean over b and grid of |curve_b - original curve|
    dca_thresholds: np.ndarray = field(default=None, repr=False)
    net_benefit_original: np.ndarray = field(default=None, repr=False)
    net_benefit: np.ndarray = field(default=None, repr=False)  # B x thresholds
    net_benefit_lower: np.ndarray = field(default=None, repr=False)  # 2.5% per threshold (type 7)
    net_benefit_upper: np.ndarray = field(default=None, repr=False)
    selection: Mapping[str, SelectionFrequency] = field(default_factory=dict)
    notes: tuple[str, ...] = ()
    predictions: np.ndarray = field(default=None, repr=False)  # the B x n matrix P itself

    def summary(self) -> dict:
        """The headline numbers (for ``results.json`` and the report): no per-individual arrays."""
        out = {
            "n": self.n,
            "n_boot": self.n_boot,
            "mape": self.mape,
            "mape_max": self.mape_max,
            "mape_quantiles": dict(
                zip(("q50", "q90"), map(float, quantile7(self.mape_individual, [0.5, 0.9])))
            ),
            "threshold": self.threshold,
            "cii": self.cii,
            "calibration_mad": self.calibration_mad,
            "notes": list(self.notes),
        }
        if self.dca_thresholds is not None:
            out["decision_curve"] = {
                "thresholds": self.dca_thresholds,
                "original": self.net_benefit_original,
                "lower": self.net_benefit_lower,
                "upper": self.net_benefit_upper,
            }
        out["selection"] = {
            k: {
                "frequency": v.as_mapping(),
                "original": list(v.original),
                "mean_original": v.mean_original,
                "n_distinct_sets": v.n_distinct_sets,
                "mean_size": v.mean_size,
                "n": v.n,
            }
            for k, v in self.selection.items()
        }

        return plain(out)


def _check_matrix(P, n: int) -> np.ndarray:
    M = np.asarray(P, dtype=float)
    if M.ndim != 2 or M.shape[1] != n or M.shape[0] < 1:
        raise NenauditError(
            f"bootstrap predictions must be a B x {n} matrix (one row per bootstrap model), "
            f"got shape {M.shape}"
        )
    if not np.isfinite(M).all() or (M < 0).any() or (M > 1).any():
        raise NenauditError(
            "bootstrap predictions must be probabilities in [0, 1]: pass plogis(lp), not the lp"
        )
    return M


def pipeline_instability(
    y,
    original,
    boot,
    *,
    threshold: float | None = None,
    grid=None,
    dca_thresholds=None,
    selection: Mapping[str, SelectionFrequency] | None = None,
) -> Instability:
    """Riley & Collins' (2023) instability measures from the bootstrap models' predictions.

    Parameters
    ----------
    y : 0/1 outcomes of the original data (n).
    original : the original model's predicted probabilities ``p`` on the original data (n).
    boot : ``B x n`` matrix ``P``; row ``b`` is bootstrap model ``b``'s predicted probabilities on
        the original data (the usable resamples only).
    threshold : risk threshold ``t`` of the classification instability index; None leaves it out.
    grid : calibration grid; default ``rms::calibrate``'s ``predy`` of ``p`` (:func:`calibrate_grid`).
    dca_thresholds : net-benefit thresholds; default ``seq(0.01, 0.99, by = 0.01)``.
    selection : precomputed :func:`selection_frequency` results, stored as given.

    Notes
    -----
    ``MAPE_i = mean_b |P[b,i] - p_i|``, ``mape = mean_i MAPE_i``; ``lower``/``upper`` are R's
    ``apply(P, 2, quantile, c(.025, .975))`` (type 7). ``CII_i = mean_b 1[(P[b,i] >= t) != (p_i >= t)]``,
    ``cii = mean_i CII_i``. Calibration curve of model b: ``approx(lowess(P[b,], y, iter = 0), xout =
    grid, ties = function(x) x[1])$y`` (NaN outside the range of ``P[b,]``, R's ``rule = 1``), as
    rms::calibrate and this project's :func:`~nenaudit.stats.calibration.curve_at`;
    ``calibration_mad = mean |curve_b(g) - curve_orig(g)|`` over the defined points. Net benefit of
    model b: dcurves' ``dca`` on ``P[b,]`` (:func:`~nenaudit.stats.dca.decision_curve`), with
    per-threshold 2.5% and 97.5% quantiles over ``b``.

    References
    ----------
    Riley RD, Collins GS. Stability of clinical prediction models developed using statistical or
    machine learning methods. Biom J 2023;65:e2200302. doi:10.1002/bimj.202200302
    """
    yy = as_binary(y).astype(float)
    n = yy.size
    p = check_probabilities(original, n, "original")
    P = _check_matrix(boot, n)
    B = P.shape[0]
    notes: list[str] = []
    mape_i = np.abs(P - p[None, :]).mean(axis=0)
    q = np.array([quantile7(P[:, i], [0.025, 0.975]) for i in range(n)])
    t = float("nan") if threshold is None else float(threshold)
    cii = cii_i = None
    if threshold is not None:
        if not 0.0 < t < 1.0:
            raise NenauditError(
                f"the classification threshold must lie strictly between 0 and 1, got {threshold!r}"
            )
        cii_i = ((t <= P) != (p >= t)[None, :]).mean(axis=0)
        cii = float(cii_i.mean())
    if (
        np.ptp(p) == 0
    ):  # a constant developed model (no predictor kept): no calibration curve to compare with
        notes.append("the developed model predicts one constant risk: no calibration curves")
        g = np.zeros(0) if grid is None else check_probabilities(grid, None, "grid")
        orig_curve = np.full(g.size, np.nan)
    else:
        g = calibrate_grid(p) if grid is None else check_probabilities(grid, None, "grid")
        orig_curve = curve_at(p, yy, g)
    curves = np.full((B, g.size), np.nan)
    flat = 0
    for b in range(B):
        if g.size == 0 or not np.isfinite(orig_curve).any():
            break
        if np.ptp(P[b]) == 0:
            flat += 1  # a constant model: no curve can be smoothed (its row stays NaN)
            continue
        curves[b] = curve_at(P[b], yy, g)
    if flat:
        notes.append(
            f"{flat} of {B} bootstrap models predicted one constant risk: no calibration curve"
        )
    dev = np.abs(curves - orig_curve[None, :])
    cal_mad = float(np.nanmean(dev)) if dev.size and np.isfinite(dev).any() else float("nan")
    tg = (
        threshold_grid(0.01, 0.99, 0.01)
        if dca_thresholds is None
        else np.asarray(dca_thresholds, dtype=float)
    )
    nb0 = decision_curve(yy, p, tg).model
    nb = np.vstack([decision_curve(yy, P[b], tg).model for b in range(B)])
    nq = np.array([quantile7(nb[:, j], [0.025, 0.975]) for j in range(tg.size)])
    return Instability(
        n,
        B,
        float(mape_i.mean()),
        float(mape_i.max()),
        mape_i,
        p,
        q[:, 0],
        q[:, 1],
        t,
        float("nan") if cii is None else cii,
        cii_i,
        g,
        orig_curve,
        curves,
        cal_mad,
        tg,
        nb0,
        nb,
        nq[:, 0],
        nq[:, 1],
        dict(selection or {}),
        tuple(notes),
        P,
    )

"""Figures a reviewer would rather look at than read: ROC, calibration, decision curves,
nomogram, LASSO path.

Every function draws already-computed results from :mod:`nenaudit.stats` (it computes
nothing itself), takes ``ax=None`` and returns the axes; :func:`save` writes a figure
atomically. The backend is Agg, so figures render on a machine without a display.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Mapping, Sequence

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402

__all__ = ["roc_figure", "nomogram_figure", "calibration_figure", "dca_figure", "lasso_path_figure", "save"]


def _ax(ax, size=(5.0, 5.0)):
    if ax is None:
        _, ax = plt.subplots(figsize=size)
    return ax


def save(ax_or_fig, path: str | os.PathLike, dpi: int = 150) -> Path:
    """Save the figure holding ``ax_or_fig`` to ``path`` (PNG/SVG/PDF by suffix), atomically."""
    fig = ax_or_fig.figure if hasattr(ax_or_fig, "figure") and not hasattr(ax_or_fig, "savefig") else ax_or_fig
    p = Path(path)
    p.parent.mkdir(parents=True, exist_ok=True)
    tmp = p.with_name(p.stem + ".part" + p.suffix)
    fig.savefig(tmp, dpi=dpi, bbox_inches="tight")
    tmp.replace(p)
    plt.close(fig)
    return p


def roc_figure(curves: Mapping[str, object], cis: Mapping[str, object] | None = None, ax=None,
               title: str | None = "ROC curves"):
    """ROC curves (``stats.discrimination.roc_curve`` results), labelled with AUC and CI.

    ``cis`` maps the same labels to ``stats.discrimination.ci_auc`` results or ``(lower, upper)``
    pairs (optional).
    """
    ax = _ax(ax)
    for label, cur in curves.items():
        x, y = 1.0 - np.asarray(cur.specificities), np.asarray(cur.sensitivities)
        order = np.lexsort((y, x))
        text = f"{label}: AUC {cur.auc:.3f}"
        if cis and label in cis:
            ci = cis[label]
            lo, hi = (ci.lower, ci.upper) if hasattr(ci, "lower") else ci
            text += f" ({lo:.3f}-{hi:.3f})"
        ax.step(x[order], y[order], where="post", label=text)
    ax.plot([0, 1], [0, 1], ls=":", color="grey", lw=1)
    ax.set(xlim=(0, 1), ylim=(0, 1.01), xlabel="1 - specificity", ylabel="sensitivity", aspect="equal")
    if title:
        ax.set_title(title)
    ax.legend(loc="lower right", fontsize="small")
    return ax


def nomogram_figure(nom, probs: Sequence[float] = (0.05, 0.1, 0.2, 0.3, 0.5, 0.7, 0.8, 0.9, 0.95), ax=None,
                    labels: Mapping[str, str] | None = None, risk_label: str = "Risk",
                    value_labels: Mapping[str, Mapping[float, str]] | None = None):
    """Draw a :class:`nenaudit.stats.nomogram.Nomogram` in the usual points layout.

    Rows from the top: Points (0..maxscale), one axis per predictor (tick labels at its axis
    values, placed at their points), Total points, and the risk axis (``probs`` placed at
    their total points; ticks outside the total-points range are left out, as rms does).
    ``value_labels`` names the codes of categorical predictors (``{"Sex": {0: "Male", 1: "Female"}}``).
    A tick label that would overlap its left neighbour is not printed (the tick stays).
    """
    names = [v.name for v in nom.variables]
    rows = len(names) + 3
    ax = _ax(ax, size=(8.0, 0.6 * rows + 0.8))
    labels = dict(labels or {})
    max_total = float(sum(np.ptp(v.points) for v in nom.variables))
    tscale = nom.maxscale / max_total if max_total > 0 else 1.0  # total points drawn on the same width

    value_labels = dict(value_labels or {})

    def axis_row(y, pos, ticklabels, name):
        pos = np.asarray(pos, dtype=float)
        ax.plot([pos.min(), pos.max()], [y, y], color="black", lw=1)
        last = -np.inf
        for x, t in sorted(zip(pos, ticklabels)):
            ax.plot([x, x], [y, y + 0.12], color="black", lw=1)
            if x - last >= 1.2 * len(t) + 1.5:  # ~character widths in points units at fontsize 7
                ax.text(x, y + 0.18, t, ha="center", va="bottom", fontsize=7)
                last = x
        ax.text(-4, y, name, ha="right", va="center", fontsize=9)

    y = rows - 1
    ticks = np.linspace(0, nom.maxscale, 11)
    axis_row(y, ticks, [f"{t:g}" for t in ticks], "Points")
    for v in nom.variables:
        y -= 1
        names_ = value_labels.get(v.name, {})
        axis_row(y, v.points, [str(names_.get(x, f"{x:.4g}")) for x in v.values], labels.get(v.name, v.name))
    y -= 1
    tt = np.linspace(0, max_total, 9)
    axis_row(y, tt * tscale, [f"{t:.0f}" for t in tt], "Total points")
    y -= 1
    pp = nom.points_at_probability(probs)
    keep = (pp >= 0) & (pp <= max_total)
    if keep.any():
        axis_row(y, pp[keep] * tscale, [f"{p:g}" for p in np.asarray(probs)[keep]], risk_label)
    ax.set_xlim(-30, nom.maxscale + 5)
    ax.set_ylim(-0.5, rows)
    ax.axis("off")
    return ax


def calibration_figure(predicted: Sequence[float], observed: Sequence[float], ax=None,
                       corrected: Sequence[float] | None = None, label: str = "apparent",
                       title: str | None = "Calibration"):
    """A calibration curve: ``observed`` proportion against ``predicted`` probability.

    ``predicted`` / ``observed`` (and the optional bias-``corrected`` observed values) come
    from :mod:`nenaudit.stats.calibration`; the diagonal is the ideal.
    """
    ax = _ax(ax)
    ax.plot([0, 1], [0, 1], ls=":", color="grey", lw=1, label="ideal")
    order = np.argsort(predicted)
    ax.plot(np.asarray(predicted)[order], np.asarray(observed)[order], label=label)
    if corrected is not None:
        ax.plot(np.asarray(predicted)[order], np.asarray(corrected)[order], ls="--", label="bias-corrected")
    ax.set(xlim=(0, 1), ylim=(0, 1), xlabel="predicted probability", ylabel="observed proportion", aspect="equal")
    if title:
        ax.set_title(title)
    ax.legend(loc="upper left", fontsize="small")
    return ax


def dca_figure(thresholds: Sequence[float], curves: Mapping[str, Sequence[float]], ax=None,
               title: str | None = "Decision curves", ylim: tuple[float, float] | None = None):
    """Net benefit against threshold probability for each curve (model(s), treat all, treat none)."""
    ax = _ax(ax, size=(6.0, 4.5))
    t = np.asarray(thresholds, dtype=float)
    top = 0.0
    for label, nb in curves.items():
        nb = np.asarray(nb, dtype=float)
        style = {"ls": ":"} if label.lower() in ("treat none", "none") else {}
        ax.plot(t, nb, label=label, **style)
        top = max(top, float(np.nanmax(nb)))
    ax.set(xlabel="threshold probability", ylabel="net benefit")
    ax.set_ylim(ylim if ylim else (-0.05, top * 1.05 + 0.01))
    if title:
        ax.set_title(title)
    ax.legend(fontsize="small")
    return ax


def lasso_path_figure(lambdas: Sequence[float], cv_mean: Sequence[float], cv_se: Sequence[float],
                      lambda_min: float, lambda_1se: float, ax=None, measure: str = "binomial deviance"):
    """cv.glmnet's plot: CV error with +/- 1 SE bars against log(lambda), lines at lambda.min and lambda.1se."""
    ax = _ax(ax, size=(6.0, 4.5))
    ll = np.log(np.asarray(lambdas, dtype=float))
    m, s = np.asarray(cv_mean, dtype=float), np.asarray(cv_se, dtype=float)
    ax.errorbar(ll, m, yerr=s, fmt="o", ms=3, color="firebrick", ecolor="grey", elinewidth=0.8)
    for lam, name in ((lambda_min, "lambda.min"), (lambda_1se, "lambda.1se")):
        ax.axvline(np.log(lam), ls="--", color="black", lw=0.8)
        ax.text(np.log(lam), ax.get_ylim()[1], name, rotation=90, va="top", ha="right", fontsize=7)
    ax.set(xlabel="log(lambda)", ylabel=measure)
    return ax
